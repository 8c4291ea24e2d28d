-- The manifest, read at the start of a run to skip files already loaded. A partial file (cut by a window) comes
-- with the span of its rows, rounded outwards to the ms, and its merged range [loaded_from, loaded_to).
SELECT file_name, size, generation, status,
  DIV(UNIX_MICROS(min_record_timestamp), 1000) AS min_ms, DIV(UNIX_MICROS(max_record_timestamp) + 999, 1000) AS max_ms,
  UNIX_MILLIS(loaded_from) AS from_ms, UNIX_MILLIS(loaded_to) AS to_ms
FROM {{files}};
