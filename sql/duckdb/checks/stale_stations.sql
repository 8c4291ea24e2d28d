-- Stations EN SERVICE whose own last update (derniere_maj) lags the snapshot (record_timestamp) by more
-- than $max_staleness_ms. count = stations; examples: the largest lag first.
WITH stale AS (
  SELECT station_id, record_timestamp, epoch_ms(record_timestamp) - epoch_ms(derniere_maj) AS lag_ms
  FROM {{records}}
  WHERE record_timestamp >= $from::TIMESTAMPTZ AND record_timestamp < $to::TIMESTAMPTZ
    AND etat = 'EN SERVICE'
    AND epoch_ms(record_timestamp) - epoch_ms(derniere_maj) > $max_staleness_ms::BIGINT
), by_station AS (
  SELECT station_id, COUNT(*) AS stale_rows, MIN(record_timestamp) AS first_ts, MAX(record_timestamp) AS last_ts, MAX(lag_ms) AS max_lag_ms
  FROM stale
  GROUP BY station_id
)
SELECT
  station_id,
  stale_rows,
  epoch_ms(first_ts) AS first_ms,
  epoch_ms(last_ts) AS last_ms,
  max_lag_ms // 1000 AS max_lag_seconds,
  COUNT(*) OVER () AS check_count
FROM by_station
ORDER BY max_lag_ms DESC, station_id
LIMIT 10;
