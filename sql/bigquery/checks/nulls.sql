-- Rows where a column of the original pipeline's records is null: station_id, etat, nb_velos_dispo,
-- nb_places_dispo, etat_connexion, derniere_maj (record_timestamp is the window's column: a null one is
-- in no window, and the schema makes it NOT NULL). count = rows.
WITH flagged AS (
  SELECT
    station_id,
    record_timestamp,
    RTRIM(
      CASE WHEN station_id IS NULL THEN 'station_id, ' ELSE '' END ||
      CASE WHEN etat IS NULL THEN 'etat, ' ELSE '' END ||
      CASE WHEN nb_velos_dispo IS NULL THEN 'nb_velos_dispo, ' ELSE '' END ||
      CASE WHEN nb_places_dispo IS NULL THEN 'nb_places_dispo, ' ELSE '' END ||
      CASE WHEN etat_connexion IS NULL THEN 'etat_connexion, ' ELSE '' END ||
      CASE WHEN derniere_maj IS NULL THEN 'derniere_maj, ' ELSE '' END,
      ', ') AS null_columns
  FROM {{records}}
  WHERE record_timestamp >= TIMESTAMP(@from) AND record_timestamp < TIMESTAMP(@to)
    AND (station_id IS NULL OR etat IS NULL OR nb_velos_dispo IS NULL OR nb_places_dispo IS NULL
         OR etat_connexion IS NULL OR derniere_maj IS NULL)
)
SELECT
  station_id,
  UNIX_MILLIS(record_timestamp) AS record_timestamp_ms,
  null_columns,
  COUNT(*) OVER () AS check_count
FROM flagged
ORDER BY record_timestamp, station_id
LIMIT 10;
