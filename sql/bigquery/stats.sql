-- Row counts for the run summary, read after the merge: rows in the window, and rows this run inserted; the
-- files it loaded (rows added, or recorded as wholly loaded by it: a file read that added neither was only read);
-- and the proof that the merge is in the tables: every file of the run with valid rows (or degraded) is in the manifest.
-- Located rows (MEL CSV) count in the window's rows; those at no single station's point are rejected.
SELECT
  (SELECT COUNT(*) FROM {{stage_records}}) + (SELECT COUNT(*) FROM {{stage_located}}) AS in_range_rows,
  (SELECT COUNT(*) FROM {{stage_located}} AS l WHERE NOT EXISTS (
    SELECT 1 FROM {{station_points}} AS p WHERE p.longitude = l.longitude AND p.latitude = l.latitude AND p.stations = 1)) AS unlocated_rows,
  (SELECT COUNT(*) FROM {{records}} WHERE run_id = @run_id) AS new_rows,
  (SELECT COUNT(*) FROM (
    SELECT source_file FROM {{records}} WHERE run_id = @run_id
    UNION DISTINCT
    SELECT file_name FROM {{files}} WHERE run_id = @run_id AND status = 'loaded')) AS loaded_files,
  (SELECT COUNT(DISTINCT file_name) FROM {{ready_files}}) AS recordable_files,
  (SELECT COUNT(*) FROM {{files}} WHERE file_name IN (SELECT file_name FROM {{ready_files}})) AS recorded_files;
