-- Rows with a negative number of bikes or free docks. count = rows.
SELECT
  station_id,
  UNIX_MILLIS(record_timestamp) AS record_timestamp_ms,
  nb_velos_dispo,
  nb_places_dispo,
  COUNT(*) OVER () AS check_count
FROM {{records}}
WHERE record_timestamp >= TIMESTAMP(@from) AND record_timestamp < TIMESTAMP(@to)
  AND (nb_velos_dispo < 0 OR nb_places_dispo < 0)
ORDER BY record_timestamp, station_id
LIMIT 10;
