-- The manifest (_velo_files) against the rows present. Two disagreements, one row per file:
--  * 'no rows in its time range': a file recorded as loaded with row_count > 0 whose whole
--    [min_record_timestamp, max_record_timestamp] lies in the window, but no record has a
--    record_timestamp in that range. (Not "rows with source_file = file": a stale or byte-identical
--    minute's rows keep the earlier file's name, so a file can rightly own no row.)
--  * 'not in the manifest': rows in the window whose source_file is no file of the manifest.
-- count = files. The "next snapshot at or after the file's first timestamp" comes from one ordered pass
-- over files and snapshots together (as integer microseconds), not a range join.
WITH snapshots AS (
  SELECT DISTINCT record_timestamp AS ts
  FROM {{records}}
  WHERE record_timestamp >= $from::TIMESTAMPTZ AND record_timestamp < $to::TIMESTAMPTZ
), loaded AS (
  SELECT file_name, row_count, min_record_timestamp AS min_ts, max_record_timestamp AS max_ts
  FROM {{files}}
  WHERE status = 'loaded' AND row_count > 0
    AND min_record_timestamp >= $from::TIMESTAMPTZ AND max_record_timestamp < $to::TIMESTAMPTZ
), events AS (
  SELECT epoch_us(min_ts) AS event_us, 0 AS kind, file_name FROM loaded
  UNION ALL
  SELECT epoch_us(ts), 1, CAST(NULL AS VARCHAR) FROM snapshots
), next_snapshot AS (
  SELECT file_name,
    MIN(CASE WHEN kind = 1 THEN event_us END) OVER (ORDER BY event_us DESC, kind DESC ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS next_us
  FROM events
), lost AS (
  SELECT l.file_name, 'no rows in its time range' AS problem, l.row_count AS manifest_rows, 0 AS rows_present
  FROM loaded AS l JOIN next_snapshot AS x ON x.file_name = l.file_name
  WHERE x.next_us IS NULL OR x.next_us > epoch_us(l.max_ts)
), by_file AS (
  SELECT source_file, COUNT(*) AS row_count
  FROM {{records}}
  WHERE record_timestamp >= $from::TIMESTAMPTZ AND record_timestamp < $to::TIMESTAMPTZ
  GROUP BY source_file
), unrecorded AS (
  SELECT r.source_file AS file_name, 'not in the manifest' AS problem, CAST(NULL AS BIGINT) AS manifest_rows, r.row_count AS rows_present
  FROM by_file AS r
  LEFT JOIN {{files}} AS f ON f.file_name = r.source_file
  WHERE f.file_name IS NULL
), problems AS (
  SELECT * FROM lost
  UNION ALL
  SELECT * FROM unrecorded
)
SELECT
  file_name,
  problem,
  manifest_rows,
  rows_present,
  COUNT(*) OVER () AS check_count
FROM problems
ORDER BY problem, file_name
LIMIT 10;
