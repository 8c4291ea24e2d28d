-- One transaction: new observations, station attributes and the manifest land together or not at all.
-- Sources are the tables prepared by dedupe.sql (they carry run_id, and the manifest rows: new status and range).
BEGIN TRANSACTION;

-- A re-observation of a key is not a second row: only unseen (station_id, record_timestamp) are inserted.
MERGE {{records}} AS t
USING {{unique_records}} AS s
ON t.station_id = s.station_id AND t.record_timestamp = s.record_timestamp
WHEN NOT MATCHED THEN INSERT
  (station_id, etat, nb_velos_dispo, nb_places_dispo, etat_connexion, derniere_maj, record_timestamp, source_file, run_id)
  VALUES (s.station_id, s.etat, s.nb_velos_dispo, s.nb_places_dispo, s.etat_connexion, s.derniere_maj, s.record_timestamp, s.source_file, s.run_id);

-- Later observations win, whatever order the runs come in; on a tie the row stays as it is (its source_file is
-- the file the observation was first loaded from, like records.source_file), so a re-run changes nothing.
-- An attribute the newer observation's format lacks (GBFS has no adresse/commune) stays as it was.
-- (dedupe.sql's station_points repeats this rule for the coordinates: keep them in step.)
MERGE {{stations}} AS t
USING {{latest_stations}} AS s
ON t.id = s.id
WHEN MATCHED AND (t.updated_at IS NULL OR s.updated_at > t.updated_at) THEN UPDATE SET
  nom = COALESCE(s.nom, t.nom), libelle = COALESCE(s.libelle, t.libelle), adresse = COALESCE(s.adresse, t.adresse),
  commune = COALESCE(s.commune, t.commune), type = COALESCE(s.type, t.type),
  latitude = COALESCE(s.latitude, t.latitude), longitude = COALESCE(s.longitude, t.longitude), updated_at = s.updated_at, source_file = s.source_file, run_id = s.run_id
WHEN NOT MATCHED THEN INSERT
  (id, nom, libelle, adresse, commune, type, latitude, longitude, updated_at, source_file, run_id)
  VALUES (s.id, s.nom, s.libelle, s.adresse, s.commune, s.type, s.latitude, s.longitude, s.updated_at, s.source_file, s.run_id);

-- The manifest. A file read whole is 'loaded' (or 'degraded'); a file the window cut is 'partial', with the
-- range of its rows merged, [loaded_from, loaded_to) (NULL: past the file's own rows, so windows that meet join
-- up, and once they hold all its rows the file is 'loaded'). A range recorded for the same content grows when
-- the new one meets it, else gives way to it (the plan re-reads what is missing; the records MERGE keeps that
-- exactly-once). Unchanged loaded files are left as they are. (Conditions sit in the WHEN clauses: the
-- emulator merges only from a plain table, not a subquery.)
MERGE {{files}} AS t
USING {{ready_files}} AS s
ON t.file_name = s.file_name
WHEN MATCHED AND t.status = 'partial' AND t.size = s.size AND t.generation = s.generation
  AND (s.new_from IS NULL OR t.loaded_to IS NULL OR s.new_from <= t.loaded_to)
  AND (s.new_to IS NULL OR t.loaded_from IS NULL OR t.loaded_from <= s.new_to) THEN UPDATE SET
  size = s.size, generation = s.generation, format = s.format, row_count = s.row_count, rejected_rows = s.rejected_rows,
  min_record_timestamp = s.min_record_timestamp, max_record_timestamp = s.max_record_timestamp,
  loaded_from = CASE WHEN s.new_from IS NULL OR t.loaded_from IS NULL THEN NULL ELSE LEAST(s.new_from, t.loaded_from) END,
  loaded_to = CASE WHEN s.new_to IS NULL OR t.loaded_to IS NULL THEN NULL ELSE GREATEST(s.new_to, t.loaded_to) END,
  status = CASE WHEN (s.new_from IS NULL OR t.loaded_from IS NULL) AND (s.new_to IS NULL OR t.loaded_to IS NULL) THEN s.status ELSE 'partial' END,
  run_id = s.run_id, loaded_at = CURRENT_TIMESTAMP()
WHEN MATCHED AND (t.status = 'partial' OR t.size IS DISTINCT FROM s.size OR t.generation IS DISTINCT FROM s.generation) THEN UPDATE SET
  size = s.size, generation = s.generation, status = s.new_status, format = s.format, row_count = s.row_count,
  rejected_rows = s.rejected_rows, min_record_timestamp = s.min_record_timestamp, max_record_timestamp = s.max_record_timestamp,
  loaded_from = s.new_from, loaded_to = s.new_to, run_id = s.run_id, loaded_at = CURRENT_TIMESTAMP()
WHEN NOT MATCHED THEN INSERT
  (file_name, size, generation, status, format, row_count, rejected_rows, min_record_timestamp, max_record_timestamp, loaded_from, loaded_to, run_id, loaded_at)
  VALUES (s.file_name, s.size, s.generation, s.new_status, s.format, s.row_count, s.rejected_rows,
          s.min_record_timestamp, s.max_record_timestamp, s.new_from, s.new_to, s.run_id, CURRENT_TIMESTAMP());

COMMIT TRANSACTION;
