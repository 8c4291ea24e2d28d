-- Row counts for the run summary, read after the merge: rows in the window, and rows this run inserted.
SELECT
  (SELECT COUNT(*) FROM {{stage_records}}) AS in_range_rows,
  (SELECT COUNT(*) FROM {{records}} WHERE run_id = @run_id) AS new_rows;
