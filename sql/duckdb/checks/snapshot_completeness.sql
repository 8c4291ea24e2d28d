-- Snapshots (record_timestamp) with fewer distinct stations than $expected (--expected-stations, or the
-- typical count from _summary.sql). count = incomplete snapshots; examples: the emptiest first.
WITH snapshots AS (
  SELECT record_timestamp, COUNT(DISTINCT station_id) AS stations
  FROM {{records}}
  WHERE record_timestamp >= $from::TIMESTAMPTZ AND record_timestamp < $to::TIMESTAMPTZ
  GROUP BY record_timestamp
)
SELECT
  epoch_ms(record_timestamp) AS record_timestamp_ms,
  stations,
  $expected::BIGINT - stations AS missing,
  COUNT(*) OVER () AS check_count
FROM snapshots
WHERE stations < $expected::BIGINT
ORDER BY stations, record_timestamp
LIMIT 10;
