-- Holes in the series of snapshots longer than $max_gap_ms: consecutive distinct record_timestamps
-- further apart than that. The window's given ends count as edges ($start_edge, $end_edge: '' when
-- not given), so a window that starts or ends without snapshots has a gap there.
-- count = gaps; rows: the longest first, up to 1000 (the HTML chart draws them; 10 are examples).
WITH points AS (
  SELECT DISTINCT record_timestamp AS ts
  FROM {{records}}
  WHERE record_timestamp >= $from::TIMESTAMPTZ AND record_timestamp < $to::TIMESTAMPTZ
  UNION ALL SELECT NULLIF($start_edge, '')::TIMESTAMPTZ
  UNION ALL SELECT NULLIF($end_edge, '')::TIMESTAMPTZ
), ordered AS (
  SELECT ts, LEAD(ts) OVER (ORDER BY ts) AS next_ts
  FROM points
  WHERE ts IS NOT NULL
)
SELECT
  epoch_ms(ts) AS start_ms,
  epoch_ms(next_ts) AS end_ms,
  (epoch_ms(next_ts) - epoch_ms(ts)) // 1000 AS duration_seconds,
  COUNT(*) OVER () AS check_count
FROM ordered
WHERE epoch_ms(next_ts) - epoch_ms(ts) > $max_gap_ms::BIGINT
ORDER BY duration_seconds DESC, start_ms
LIMIT 1000;
