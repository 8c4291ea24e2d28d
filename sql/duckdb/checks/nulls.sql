-- Rows where a column of the original pipeline's records is null: station_id, etat, nb_velos_dispo,
-- nb_places_dispo, etat_connexion, derniere_maj (record_timestamp is the window's column: a null one is
-- in no window, and the schema makes it NOT NULL). count = rows.
-- etat_connexion is null by design in rows of a format that publishes no connection state (GBFS station_status,
-- JCDecaux v1: README, "Vocabulary"): those rows are not flagged for it. The manifest's format says which file is
-- which; only the rows with a null are joined to it.
WITH candidates AS (
  SELECT station_id, record_timestamp, etat, nb_velos_dispo, nb_places_dispo, etat_connexion, derniere_maj, source_file
  FROM {{records}}
  WHERE record_timestamp >= $from::TIMESTAMPTZ AND record_timestamp < $to::TIMESTAMPTZ
    AND (station_id IS NULL OR etat IS NULL OR nb_velos_dispo IS NULL OR nb_places_dispo IS NULL
         OR etat_connexion IS NULL OR derniere_maj IS NULL)
), without_connection AS (
  SELECT file_name FROM {{files}} WHERE format IN ('gbfs-station-status', 'jcdecaux-v1')
), flagged AS (
  SELECT
    c.station_id,
    c.record_timestamp,
    RTRIM(
      CASE WHEN c.station_id IS NULL THEN 'station_id, ' ELSE '' END ||
      CASE WHEN c.etat IS NULL THEN 'etat, ' ELSE '' END ||
      CASE WHEN c.nb_velos_dispo IS NULL THEN 'nb_velos_dispo, ' ELSE '' END ||
      CASE WHEN c.nb_places_dispo IS NULL THEN 'nb_places_dispo, ' ELSE '' END ||
      CASE WHEN c.etat_connexion IS NULL AND w.file_name IS NULL THEN 'etat_connexion, ' ELSE '' END ||
      CASE WHEN c.derniere_maj IS NULL THEN 'derniere_maj, ' ELSE '' END,
      ', ') AS null_columns
  FROM candidates AS c LEFT JOIN without_connection AS w ON w.file_name = c.source_file
)
SELECT
  station_id,
  epoch_ms(record_timestamp) AS record_timestamp_ms,
  null_columns,
  COUNT(*) OVER () AS check_count
FROM flagged
WHERE null_columns <> ''
ORDER BY record_timestamp, station_id
LIMIT 10;
