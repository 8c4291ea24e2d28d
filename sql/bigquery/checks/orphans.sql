-- Records whose station_id has no row in stations. count = rows; examples: one per station.
-- Records are first reduced to one row per station, so the join is over a few hundred rows.
WITH by_station AS (
  SELECT station_id, COUNT(*) AS row_count, MIN(record_timestamp) AS first_ts, MAX(record_timestamp) AS last_ts
  FROM {{records}}
  WHERE record_timestamp >= TIMESTAMP(@from) AND record_timestamp < TIMESTAMP(@to)
  GROUP BY station_id
)
SELECT
  r.station_id,
  r.row_count,
  UNIX_MILLIS(r.first_ts) AS first_ms,
  UNIX_MILLIS(r.last_ts) AS last_ms,
  SUM(r.row_count) OVER () AS check_count
FROM by_station AS r
LEFT JOIN {{stations}} AS s ON s.id = r.station_id
WHERE s.id IS NULL
ORDER BY r.row_count DESC, r.station_id
LIMIT 10;
