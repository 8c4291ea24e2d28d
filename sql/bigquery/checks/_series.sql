-- Not a check: the HTML chart's series. Stations per snapshot, bucketed in SQL (@bucket_ms wide, chosen so
-- a window makes at most ~1,200 buckets): per bucket the snapshots, the fewest and most stations, and the
-- snapshots below @expected. One scan of (station_id, record_timestamp) in the window.
WITH snapshots AS (
  SELECT record_timestamp, COUNT(DISTINCT station_id) AS stations
  FROM {{records}}
  WHERE record_timestamp >= TIMESTAMP(@from) AND record_timestamp < TIMESTAMP(@to)
  GROUP BY record_timestamp
)
SELECT
  DIV(UNIX_MILLIS(record_timestamp), CAST(@bucket_ms AS INT64)) * CAST(@bucket_ms AS INT64) AS bucket_ms,
  COUNT(*) AS snapshots,
  MIN(stations) AS min_stations,
  MAX(stations) AS max_stations,
  COUNTIF(stations < CAST(@expected AS INT64)) AS incomplete
FROM snapshots
GROUP BY 1
ORDER BY 1;
