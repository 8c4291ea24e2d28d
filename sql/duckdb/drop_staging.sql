-- Staging tables are scratch space of one run.
DROP MACRO TABLE IF EXISTS {{unique_records}};
DROP VIEW IF EXISTS {{latest_stations}};
DROP TABLE IF EXISTS {{stage_records}};
DROP TABLE IF EXISTS {{stage_stations}};
DROP TABLE IF EXISTS {{stage_files}};
