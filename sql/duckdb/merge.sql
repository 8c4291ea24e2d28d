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

-- The manifest. A file read whole is 'loaded' (or 'degraded'); a file the window [from, to) cut is 'partial', with
-- the range of its rows merged: [loaded_from, loaded_to), NULL where the window reaches past the file's own rows
-- (so windows that meet join up, and once they hold all its rows the file is 'loaded'). A range recorded for the
-- same content grows when the new one meets it, else gives way to it (the plan re-reads what is missing: the
-- MERGE of records keeps that exactly-once). A file with no valid row is not recorded: later runs retry it.
-- Unchanged loaded files are left as they are, so the run_id of a row is the run that last added to it. (The
-- conditions sit in the WHEN clauses: the BigQuery emulator merges only from a plain table; same here.)
MERGE INTO {{files}} AS t
USING (
  SELECT *,
    CASE WHEN new_from IS NULL AND new_to IS NULL THEN status ELSE 'partial' END AS new_status
  FROM (
    SELECT *,
      CASE WHEN status = 'degraded' OR $from::TIMESTAMPTZ <= min_record_timestamp THEN NULL ELSE $from::TIMESTAMPTZ END AS new_from,
      CASE WHEN status = 'degraded' OR $to::TIMESTAMPTZ > max_record_timestamp THEN NULL ELSE $to::TIMESTAMPTZ END AS new_to
    FROM {{stage_files}}
    WHERE status = 'degraded' OR min_record_timestamp IS NOT NULL
  )
) AS s
ON t.file_name = s.file_name
WHEN MATCHED AND t.status = 'partial' AND t.size = s.size AND t.generation = s.generation
  AND (s.new_from IS NULL OR t.loaded_to IS NULL OR s.new_from <= t.loaded_to)
  AND (s.new_to IS NULL OR t.loaded_from IS NULL OR t.loaded_from <= s.new_to) THEN UPDATE SET
  size = s.size, generation = s.generation, format = s.format, row_count = s.row_count, rejected_rows = s.rejected_rows,
  min_record_timestamp = s.min_record_timestamp, max_record_timestamp = s.max_record_timestamp,
  loaded_from = CASE WHEN s.new_from IS NULL OR t.loaded_from IS NULL THEN NULL ELSE LEAST(s.new_from, t.loaded_from) END,
  loaded_to = CASE WHEN s.new_to IS NULL OR t.loaded_to IS NULL THEN NULL ELSE GREATEST(s.new_to, t.loaded_to) END,
  status = CASE WHEN (s.new_from IS NULL OR t.loaded_from IS NULL) AND (s.new_to IS NULL OR t.loaded_to IS NULL) THEN s.status ELSE 'partial' END,
  run_id = $run_id, loaded_at = now()
WHEN MATCHED AND (t.status = 'partial' OR t.size IS DISTINCT FROM s.size OR t.generation IS DISTINCT FROM s.generation) THEN UPDATE SET
  size = s.size, generation = s.generation, status = s.new_status, format = s.format, row_count = s.row_count,
  rejected_rows = s.rejected_rows, min_record_timestamp = s.min_record_timestamp, max_record_timestamp = s.max_record_timestamp,
  loaded_from = s.new_from, loaded_to = s.new_to, run_id = $run_id, loaded_at = now()
WHEN NOT MATCHED THEN INSERT
  (file_name, size, generation, status, format, row_count, rejected_rows, min_record_timestamp, max_record_timestamp, loaded_from, loaded_to, run_id, loaded_at)
  VALUES (s.file_name, s.size, s.generation, s.new_status, s.format, s.row_count, s.rejected_rows,
          s.min_record_timestamp, s.max_record_timestamp, s.new_from, s.new_to, $run_id, now());

COMMIT;
