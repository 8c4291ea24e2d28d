-- The run's scratch objects made by dedupe.sql.
DROP MACRO TABLE IF EXISTS {{unique_records}};
DROP VIEW IF EXISTS {{latest_stations}};
