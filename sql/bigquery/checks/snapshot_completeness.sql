-- Snapshots (record_timestamp) with fewer distinct stations than @expected (--expected-stations, or the
-- typical count from _summary.sql). count = incomplete snapshots; examples: the emptiest first.
WITH snapshots AS (
  SELECT record_timestamp, COUNT(DISTINCT station_id) AS stations
  FROM {{records}}
  WHERE record_timestamp >= TIMESTAMP(@from) AND record_timestamp < TIMESTAMP(@to)
  GROUP BY record_timestamp
)
SELECT
  UNIX_MILLIS(record_timestamp) AS record_timestamp_ms,
  stations,
  CAST(@expected AS INT64) - stations AS missing,
  COUNT(*) OVER () AS check_count
FROM snapshots
WHERE stations < CAST(@expected AS INT64)
ORDER BY stations, record_timestamp
LIMIT 10;
