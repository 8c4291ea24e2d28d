-- Records whose station_id has no row in stations. count = rows; examples: one per station.
WITH orphan AS (
  SELECT r.station_id, COUNT(*) AS row_count, MIN(r.record_timestamp) AS first_ts, MAX(r.record_timestamp) AS last_ts
  FROM {{records}} AS r
  LEFT JOIN {{stations}} AS s ON s.id = r.station_id
  WHERE r.record_timestamp >= TIMESTAMP(@from) AND r.record_timestamp < TIMESTAMP(@to)
    AND s.id IS NULL
  GROUP BY r.station_id
)
SELECT
  station_id,
  row_count,
  UNIX_MILLIS(first_ts) AS first_ms,
  UNIX_MILLIS(last_ts) AS last_ms,
  SUM(row_count) OVER () AS check_count
FROM orphan
ORDER BY row_count DESC, station_id
LIMIT 10;
