-- Bikes + free docks above the station's capacity. The capacity is not a column: it is the largest total
-- (nb_velos_dispo + nb_places_dispo) the station reports in at least @support_pct percent of its rows in the
-- window (--capacity-support) and in at least 3 rows, so a total seen once or twice is never its own yardstick.
-- A station without such a total is not judged. count = rows above the capacity; examples: one per
-- (station, total), the furthest above first. One scan, then window functions over (station, total) groups.
WITH totals AS (
  SELECT station_id, nb_velos_dispo + nb_places_dispo AS total, COUNT(*) AS n,
    MIN(record_timestamp) AS first_ts, MAX(record_timestamp) AS last_ts
  FROM {{records}}
  WHERE record_timestamp >= TIMESTAMP(@from) AND record_timestamp < TIMESTAMP(@to)
    AND nb_velos_dispo IS NOT NULL AND nb_places_dispo IS NOT NULL
  GROUP BY station_id, total
), observed AS (
  SELECT *, SUM(n) OVER (PARTITION BY station_id) AS station_rows FROM totals
), judged AS (
  SELECT *,
    MAX(CASE WHEN n >= GREATEST(3, CEIL(station_rows * CAST(@support_pct AS FLOAT64) / 100)) THEN total END)
      OVER (PARTITION BY station_id) AS capacity
  FROM observed
)
SELECT
  station_id,
  total AS bikes_plus_docks,
  capacity,
  n AS row_count,
  UNIX_MILLIS(first_ts) AS first_ms,
  UNIX_MILLIS(last_ts) AS last_ms,
  SUM(n) OVER () AS check_count
FROM judged
WHERE total > capacity
ORDER BY total - capacity DESC, station_id, total
LIMIT 10;
