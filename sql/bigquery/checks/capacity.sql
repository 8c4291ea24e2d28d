-- Bikes + free docks above the station's capacity. The capacity is not a column: it is the largest total
-- (nb_velos_dispo + nb_places_dispo) the station reports in at least @support_pct percent of its rows in the
-- window (--capacity-support) and in at least 3 rows, so a total seen once or twice is never its own yardstick.
-- A station without such a total is not judged. count = rows above the capacity; examples: one per
-- (station, total), the furthest above first.
WITH totals AS (
  SELECT station_id, nb_velos_dispo + nb_places_dispo AS total, COUNT(*) AS n,
    MIN(record_timestamp) AS first_ts, MAX(record_timestamp) AS last_ts
  FROM {{records}}
  WHERE record_timestamp >= TIMESTAMP(@from) AND record_timestamp < TIMESTAMP(@to)
    AND nb_velos_dispo IS NOT NULL AND nb_places_dispo IS NOT NULL
  GROUP BY station_id, total
), observed AS (
  SELECT station_id, SUM(n) AS n FROM totals GROUP BY station_id
), capacities AS (
  SELECT t.station_id, MAX(t.total) AS capacity
  FROM totals AS t JOIN observed AS o ON o.station_id = t.station_id
  WHERE t.n >= GREATEST(3, CEIL(o.n * CAST(@support_pct AS FLOAT64) / 100))
  GROUP BY t.station_id
)
SELECT
  t.station_id,
  t.total AS bikes_plus_docks,
  c.capacity,
  t.n AS row_count,
  UNIX_MILLIS(t.first_ts) AS first_ms,
  UNIX_MILLIS(t.last_ts) AS last_ms,
  SUM(t.n) OVER () AS check_count
FROM totals AS t JOIN capacities AS c ON c.station_id = t.station_id
WHERE t.total > c.capacity
ORDER BY t.total - c.capacity DESC, t.station_id, t.total
LIMIT 10;
