-- The run's scratch objects made by dedupe.sql (those that read others first).
DROP MACRO TABLE IF EXISTS {{unique_records}};
DROP VIEW IF EXISTS {{located_records}};
DROP VIEW IF EXISTS {{station_points}};
DROP VIEW IF EXISTS {{latest_stations}};
