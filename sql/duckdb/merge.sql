-- One transaction: new observations, station attributes and the manifest land together or not at all.
BEGIN TRANSACTION;

-- A re-observation of a key is not a second row: only unseen (station_id, record_timestamp) are inserted.
-- Runs once per UTC day of staged observations ($day_start): memory stays bounded by a day of rows however
-- long the backfill, and the day range on both sides lets DuckDB skip the rest of `records` by its zone maps.
MERGE INTO {{records}} AS t
USING {{unique_records}}($day_start::TIMESTAMPTZ) AS s
ON t.station_id = s.station_id AND t.record_timestamp = s.record_timestamp
  AND t.record_timestamp >= $day_start::TIMESTAMPTZ AND t.record_timestamp < $day_start::TIMESTAMPTZ + INTERVAL 1 DAY
WHEN NOT MATCHED THEN INSERT
  (station_id, etat, nb_velos_dispo, nb_places_dispo, etat_connexion, derniere_maj, record_timestamp, source_file, run_id)
  VALUES (s.station_id, s.etat, s.nb_velos_dispo, s.nb_places_dispo, s.etat_connexion, s.derniere_maj, s.record_timestamp, s.source_file, $run_id);

-- Later observations win, whatever order the runs come in; on a tie the row stays as it is (its source_file is
-- the file the observation was first loaded from, like records.source_file), so a re-run changes nothing.
-- An attribute the newer observation's format lacks (GBFS has no adresse/commune) stays as it was.
-- (dedupe.sql's station_points repeats this rule for the coordinates: keep them in step.)
MERGE INTO {{stations}} AS t
USING {{latest_stations}} AS s
ON t.id = s.id
WHEN MATCHED AND (t.updated_at IS NULL OR s.updated_at > t.updated_at) THEN UPDATE SET
  nom = COALESCE(s.nom, t.nom), libelle = COALESCE(s.libelle, t.libelle), adresse = COALESCE(s.adresse, t.adresse),
  commune = COALESCE(s.commune, t.commune), type = COALESCE(s.type, t.type),
  latitude = COALESCE(s.latitude, t.latitude), longitude = COALESCE(s.longitude, t.longitude), updated_at = s.updated_at, source_file = s.source_file, run_id = $run_id
WHEN NOT MATCHED THEN INSERT
  (id, nom, libelle, adresse, commune, type, latitude, longitude, updated_at, source_file, run_id)
  VALUES (s.id, s.nom, s.libelle, s.adresse, s.commune, s.type, s.latitude, s.longitude, s.updated_at, s.source_file, $run_id);

-- A file is recorded as done only when all its rows were inside [from, to): a file cut by the range
-- is read again by the run that covers the rest of it. (The condition sits in the WHEN clauses, not in a
-- subquery source: the BigQuery emulator only merges from a plain table.)
MERGE INTO {{files}} AS t
USING {{stage_files}} AS s
ON t.file_name = s.file_name
WHEN MATCHED AND (s.status = 'degraded' OR (s.min_record_timestamp >= $from::TIMESTAMPTZ AND s.max_record_timestamp < $to::TIMESTAMPTZ)) THEN UPDATE SET
  size = s.size, generation = s.generation, status = s.status, format = s.format, row_count = s.row_count,
  rejected_rows = s.rejected_rows, min_record_timestamp = s.min_record_timestamp,
  max_record_timestamp = s.max_record_timestamp, run_id = $run_id, loaded_at = now()
WHEN NOT MATCHED AND (s.status = 'degraded' OR (s.min_record_timestamp >= $from::TIMESTAMPTZ AND s.max_record_timestamp < $to::TIMESTAMPTZ)) THEN INSERT
  (file_name, size, generation, status, format, row_count, rejected_rows, min_record_timestamp, max_record_timestamp, run_id, loaded_at)
  VALUES (s.file_name, s.size, s.generation, s.status, s.format, s.row_count, s.rejected_rows,
          s.min_record_timestamp, s.max_record_timestamp, $run_id, now());

COMMIT;
