-- Located rows (MEL CSV) at no single station's point, for the dead-letter report: read after dedupe.sql made
-- the station points and before merge.sql commits, so a file recorded as loaded has its rejected rows reported.
-- `stations`: how many stations stand at the row's point (0: none). At most $max_per_file rows per file are listed;
-- `in_file` says how many the file has.
SELECT source_file, record_index, longitude, latitude, stations, in_file FROM (
  SELECT l.source_file, l.record_index, l.longitude, l.latitude, COALESCE(p.stations, 0) AS stations,
    ROW_NUMBER() OVER (PARTITION BY l.source_file ORDER BY l.record_index, l.longitude, l.latitude) AS n,
    COUNT(*) OVER (PARTITION BY l.source_file) AS in_file
  FROM {{stage_located}} AS l LEFT JOIN {{station_points}} AS p ON p.longitude = l.longitude AND p.latitude = l.latitude
  WHERE p.stations IS NULL OR p.stations <> 1
) AS unlocated
WHERE n <= $max_per_file::BIGINT
ORDER BY source_file, n;
