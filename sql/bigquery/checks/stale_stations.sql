-- Stations EN SERVICE whose own last update (derniere_maj) lags the snapshot (record_timestamp) by more
-- than @max_staleness_ms. count = stations; examples: the largest lag first.
WITH stale AS (
  SELECT station_id, record_timestamp, UNIX_MILLIS(record_timestamp) - UNIX_MILLIS(derniere_maj) AS lag_ms
  FROM {{records}}
  WHERE record_timestamp >= TIMESTAMP(@from) AND record_timestamp < TIMESTAMP(@to)
    AND etat = 'EN SERVICE'
    AND UNIX_MILLIS(record_timestamp) - UNIX_MILLIS(derniere_maj) > CAST(@max_staleness_ms AS INT64)
), by_station AS (
  SELECT station_id, COUNT(*) AS stale_rows, MIN(record_timestamp) AS first_ts, MAX(record_timestamp) AS last_ts, MAX(lag_ms) AS max_lag_ms
  FROM stale
  GROUP BY station_id
)
SELECT
  station_id,
  stale_rows,
  UNIX_MILLIS(first_ts) AS first_ms,
  UNIX_MILLIS(last_ts) AS last_ms,
  DIV(max_lag_ms, 1000) AS max_lag_seconds,
  COUNT(*) OVER () AS check_count
FROM by_station
ORDER BY max_lag_ms DESC, station_id
LIMIT 10;
