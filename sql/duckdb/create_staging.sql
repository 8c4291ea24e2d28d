-- Run-scoped staging tables (the run id is part of their names), empty until the load step.
-- Records stage in a TEMP table: early merges (merge_early.sql) add and delete rows all along the reading,
-- which in a table of the file would go through the write-ahead log and its checkpoints each time.
CREATE OR REPLACE TEMP TABLE {{stage_records}} ({{stage_records_ddl}});
CREATE OR REPLACE TABLE {{stage_stations}} ({{stage_stations_ddl}});
CREATE OR REPLACE TABLE {{stage_files}} ({{stage_files_ddl}});
