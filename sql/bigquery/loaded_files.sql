-- The manifest, read at the start of a run to skip files already loaded.
SELECT file_name, size, generation FROM {{files}};
