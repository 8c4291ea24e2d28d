-- Holes in the series of snapshots longer than @max_gap_ms: consecutive distinct record_timestamps
-- further apart than that. The window's given ends count as edges (@start_edge, @end_edge: '' when
-- not given), so a window that starts or ends without snapshots has a gap there.
-- count = gaps; rows: the longest first, up to 1000 (the HTML chart draws them; 10 are examples).
WITH points AS (
  SELECT DISTINCT record_timestamp AS ts
  FROM {{records}}
  WHERE record_timestamp >= TIMESTAMP(@from) AND record_timestamp < TIMESTAMP(@to)
  UNION ALL SELECT TIMESTAMP(NULLIF(@start_edge, ''))
  UNION ALL SELECT TIMESTAMP(NULLIF(@end_edge, ''))
), ordered AS (
  SELECT ts, LEAD(ts) OVER (ORDER BY ts) AS next_ts
  FROM points
  WHERE ts IS NOT NULL
)
SELECT
  UNIX_MILLIS(ts) AS start_ms,
  UNIX_MILLIS(next_ts) AS end_ms,
  DIV(UNIX_MILLIS(next_ts) - UNIX_MILLIS(ts), 1000) AS duration_seconds,
  COUNT(*) OVER () AS check_count
FROM ordered
WHERE UNIX_MILLIS(next_ts) - UNIX_MILLIS(ts) > CAST(@max_gap_ms AS INT64)
ORDER BY duration_seconds DESC, start_ms
LIMIT 1000;
