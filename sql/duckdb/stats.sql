-- Row counts for the run summary, read before the merge.
SELECT
  (SELECT COUNT(*) FROM {{stage_records}}) AS in_range_rows,
  (SELECT COUNT(*) FROM {{unique_records}}) AS unique_rows,
  (SELECT COUNT(*) FROM {{unique_records}} s
     WHERE NOT EXISTS (SELECT 1 FROM {{records}} t
                       WHERE t.station_id = s.station_id AND t.record_timestamp = s.record_timestamp)) AS new_rows;
