-- Not a check: the HTML chart's series. Stations per snapshot, bucketed in SQL ($bucket_ms wide, chosen so
-- a window makes at most ~1,200 buckets): per bucket the snapshots, the fewest and most stations, and the
-- snapshots below $expected. One scan of (station_id, record_timestamp) in the window.
WITH snapshots AS (
  SELECT record_timestamp, COUNT(DISTINCT station_id) AS stations
  FROM {{records}}
  WHERE record_timestamp >= $from::TIMESTAMPTZ AND record_timestamp < $to::TIMESTAMPTZ
  GROUP BY record_timestamp
)
SELECT
  (epoch_ms(record_timestamp) // $bucket_ms::BIGINT) * $bucket_ms::BIGINT AS bucket_ms,
  COUNT(*) AS snapshots,
  MIN(stations) AS min_stations,
  MAX(stations) AS max_stations,
  COUNT(*) FILTER (WHERE stations < $expected::BIGINT) AS incomplete
FROM snapshots
GROUP BY 1
ORDER BY 1;
