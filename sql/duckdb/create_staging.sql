-- Run-scoped staging tables (the run id is part of their names), empty until the load step.
CREATE OR REPLACE TABLE {{stage_records}} ({{stage_records_ddl}});
CREATE OR REPLACE TABLE {{stage_stations}} ({{stage_stations_ddl}});
CREATE OR REPLACE TABLE {{stage_files}} ({{stage_files_ddl}});
