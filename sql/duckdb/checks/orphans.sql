-- Records whose station_id has no row in stations. count = rows; examples: one per station.
WITH orphan AS (
  SELECT r.station_id, COUNT(*) AS row_count, MIN(r.record_timestamp) AS first_ts, MAX(r.record_timestamp) AS last_ts
  FROM {{records}} AS r
  LEFT JOIN {{stations}} AS s ON s.id = r.station_id
  WHERE r.record_timestamp >= $from::TIMESTAMPTZ AND r.record_timestamp < $to::TIMESTAMPTZ
    AND s.id IS NULL
  GROUP BY r.station_id
)
SELECT
  station_id,
  row_count,
  epoch_ms(first_ts) AS first_ms,
  epoch_ms(last_ts) AS last_ms,
  SUM(row_count) OVER () AS check_count
FROM orphan
ORDER BY row_count DESC, station_id
LIMIT 10;
