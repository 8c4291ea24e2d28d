-- Run-scoped staging tables (the run id is part of their names), empty until the load step.
CREATE OR REPLACE TABLE {{stage_records}} ({{stage_records_ddl}});
CREATE OR REPLACE TABLE {{stage_stations}} ({{stage_stations_ddl}});
CREATE OR REPLACE TABLE {{stage_files}} ({{stage_files_ddl}});
-- Rows keyed by coordinates (MEL CSV): dedupe.sql gives them their station id.
CREATE OR REPLACE TABLE {{stage_located}} ({{stage_located_ddl}});
