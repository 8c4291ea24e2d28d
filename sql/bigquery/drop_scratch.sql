-- The run's scratch tables made by dedupe.sql.
DROP TABLE IF EXISTS {{unique_records}};
DROP TABLE IF EXISTS {{latest_stations}};
DROP TABLE IF EXISTS {{ready_files}};
DROP TABLE IF EXISTS {{station_points}};
