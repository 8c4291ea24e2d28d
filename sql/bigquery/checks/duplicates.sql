-- Rows sharing (station_id, record_timestamp), the natural key. count = surplus rows (copies beyond the first).
WITH keys AS (
  SELECT station_id, record_timestamp, COUNT(*) AS copies
  FROM {{records}}
  WHERE record_timestamp >= TIMESTAMP(@from) AND record_timestamp < TIMESTAMP(@to)
  GROUP BY station_id, record_timestamp
  HAVING COUNT(*) > 1
)
SELECT
  station_id,
  UNIX_MILLIS(record_timestamp) AS record_timestamp_ms,
  copies,
  SUM(copies - 1) OVER () AS check_count
FROM keys
ORDER BY copies DESC, record_timestamp, station_id
LIMIT 10;
