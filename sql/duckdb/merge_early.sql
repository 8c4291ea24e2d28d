-- Records merged while the reading goes on (DuckDB only): the staged rows of the files in {{ready_files}}.
-- Every file listed before them is staged too, so the earliest file of each of their keys is known: what
-- is merged now is what the end-of-run merge would have chosen. Rows of later files with the same keys
-- find them in `records` and add nothing. Out-of-window rows were removed by clean.sql just before.
BEGIN TRANSACTION;

MERGE INTO {{records}} AS t
USING (
  SELECT * FROM {{stage_records}}
  WHERE record_timestamp >= $day_start::TIMESTAMPTZ AND record_timestamp < $day_start::TIMESTAMPTZ + INTERVAL 1 DAY
    AND source_file IN (SELECT file_name FROM {{ready_files}})
  QUALIFY ROW_NUMBER() OVER (PARTITION BY station_id, record_timestamp ORDER BY source_file) = 1
) AS s
ON t.station_id = s.station_id AND t.record_timestamp = s.record_timestamp
  AND t.record_timestamp >= $day_start::TIMESTAMPTZ AND t.record_timestamp < $day_start::TIMESTAMPTZ + INTERVAL 1 DAY
WHEN NOT MATCHED THEN INSERT
  (station_id, etat, nb_velos_dispo, nb_places_dispo, etat_connexion, derniere_maj, record_timestamp, source_file, run_id)
  VALUES (s.station_id, s.etat, s.nb_velos_dispo, s.nb_places_dispo, s.etat_connexion, s.derniere_maj, s.record_timestamp, s.source_file, $run_id);

-- Their in-window rows, for the run summary, before they leave the staging table.
SELECT COUNT(*) AS in_range_rows FROM {{stage_records}} WHERE source_file IN (SELECT file_name FROM {{ready_files}});

DELETE FROM {{stage_records}} WHERE source_file IN (SELECT file_name FROM {{ready_files}});

COMMIT;
