-- Staging tables are scratch space of one run.
DROP TABLE IF EXISTS {{unique_records}};
DROP TABLE IF EXISTS {{latest_stations}};
DROP TABLE IF EXISTS {{ready_files}};
DROP TABLE IF EXISTS {{stage_records}};
DROP TABLE IF EXISTS {{stage_stations}};
DROP TABLE IF EXISTS {{stage_files}};
