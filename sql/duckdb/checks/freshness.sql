-- The newest record_timestamp in the window against $now: a row when it is older than $max_age_ms,
-- or when the window holds no rows at all. count = 1 when stale, else 0.
WITH newest AS (
  SELECT MAX(record_timestamp) AS ts
  FROM {{records}}
  WHERE record_timestamp >= $from::TIMESTAMPTZ AND record_timestamp < $to::TIMESTAMPTZ
)
SELECT
  epoch_ms(ts) AS newest_ms,
  (epoch_ms($now::TIMESTAMPTZ) - epoch_ms(ts)) // 1000 AS age_seconds,
  1 AS check_count
FROM newest
WHERE ts IS NULL OR epoch_ms($now::TIMESTAMPTZ) - epoch_ms(ts) > $max_age_ms::BIGINT;
