-- One task's staging tables (run once per task of the run).
DROP TABLE IF EXISTS {{stage_records}};
DROP TABLE IF EXISTS {{stage_stations}};
DROP TABLE IF EXISTS {{stage_files}};
DROP TABLE IF EXISTS {{stage_located}};
