-- The window at a glance (not a check: the report's header, and the expected station count of
-- snapshot_completeness). One scan of (station_id, record_timestamp) in the window.
-- typical_stations: the most frequent number of stations per snapshot (ties: the larger).
WITH snapshots AS (
  SELECT record_timestamp, COUNT(DISTINCT station_id) AS stations, COUNT(*) AS row_count
  FROM {{records}}
  WHERE record_timestamp >= TIMESTAMP(@from) AND record_timestamp < TIMESTAMP(@to)
  GROUP BY record_timestamp
), station_counts AS (
  SELECT stations, COUNT(*) AS snapshots FROM snapshots GROUP BY stations
)
SELECT
  (SELECT CAST(COALESCE(SUM(row_count), 0) AS INT64) FROM snapshots) AS row_count,
  (SELECT COUNT(*) FROM snapshots) AS snapshot_count,
  (SELECT UNIX_MILLIS(MIN(record_timestamp)) FROM snapshots) AS first_snapshot_ms,
  (SELECT UNIX_MILLIS(MAX(record_timestamp)) FROM snapshots) AS last_snapshot_ms,
  (SELECT stations FROM station_counts ORDER BY snapshots DESC, stations DESC LIMIT 1) AS typical_stations;
