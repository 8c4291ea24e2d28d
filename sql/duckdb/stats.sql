-- Row counts for the run summary, read after the merge: rows in the window, and rows this run inserted;
-- and the proof that the merge is in the tables: every complete file of the run is in the manifest.
-- Located rows (MEL CSV) count in the window's rows; those at no single station's point are rejected.
SELECT
  (SELECT COUNT(*) FROM {{stage_records}}) + (SELECT COUNT(*) FROM {{stage_located}}) AS in_range_rows,
  (SELECT COUNT(*) FROM {{stage_located}} AS l WHERE NOT EXISTS (
    SELECT 1 FROM {{station_points}} AS p WHERE p.longitude = l.longitude AND p.latitude = l.latitude AND p.stations = 1)) AS unlocated_rows,
  (SELECT COUNT(*) FROM {{records}} WHERE run_id = $run_id) AS new_rows,
  (SELECT COUNT(DISTINCT file_name) FROM {{stage_files}}
    WHERE status = 'degraded' OR (min_record_timestamp >= $from::TIMESTAMPTZ AND max_record_timestamp < $to::TIMESTAMPTZ)) AS complete_files,
  (SELECT COUNT(*) FROM {{files}} WHERE file_name IN (
    SELECT file_name FROM {{stage_files}}
    WHERE status = 'degraded' OR (min_record_timestamp >= $from::TIMESTAMPTZ AND max_record_timestamp < $to::TIMESTAMPTZ))) AS recorded_files;
