-- The newest record_timestamp in the window against @now: a row when it is older than @max_age_ms,
-- or when the window holds no rows at all. count = 1 when stale, else 0.
WITH newest AS (
  SELECT MAX(record_timestamp) AS ts
  FROM {{records}}
  WHERE record_timestamp >= TIMESTAMP(@from) AND record_timestamp < TIMESTAMP(@to)
)
SELECT
  UNIX_MILLIS(ts) AS newest_ms,
  DIV(UNIX_MILLIS(TIMESTAMP(@now)) - UNIX_MILLIS(ts), 1000) AS age_seconds,
  1 AS check_count
FROM newest
WHERE ts IS NULL OR UNIX_MILLIS(TIMESTAMP(@now)) - UNIX_MILLIS(ts) > CAST(@max_age_ms AS INT64);
