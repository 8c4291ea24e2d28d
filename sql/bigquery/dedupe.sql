-- Prepare the MERGE sources. Query parameters are bound here, in plain SELECTs, so merge.sql needs none:
-- the BigQuery emulator reads parameters inside MERGE as NULL (see docs/emulators.md).

-- One row per natural key (station_id, record_timestamp): stale and byte-identical minutes repeat keys.
-- The earliest file name wins, so the result does not depend on processing order.
CREATE OR REPLACE TABLE {{unique_records}} AS
SELECT *, @run_id AS run_id FROM {{stage_records}}
WHERE TRUE
QUALIFY ROW_NUMBER() OVER (PARTITION BY station_id, record_timestamp ORDER BY source_file) = 1;

-- Latest attributes per station among this run's files: the latest observation, and on a tie (a stale or
-- duplicated minute) the earliest file name, as for records. The workers already keep only each task's latest.
CREATE OR REPLACE TABLE {{latest_stations}} AS
SELECT *, @run_id AS run_id FROM {{stage_stations}}
WHERE TRUE
QUALIFY ROW_NUMBER() OVER (PARTITION BY id ORDER BY updated_at DESC, source_file ASC) = 1;

-- The manifest rows this run writes (see merge.sql): every file with valid rows (or degraded), with the range of
-- its rows the window [from, to) merges, NULL where the window reaches past the file's own rows (both NULL:
-- the whole file, status as read; else 'partial').
CREATE OR REPLACE TABLE {{ready_files}} AS
SELECT *, CASE WHEN new_from IS NULL AND new_to IS NULL THEN status ELSE 'partial' END AS new_status
FROM (
  SELECT *, @run_id AS run_id,
    CASE WHEN status = 'degraded' OR TIMESTAMP(@from) <= min_record_timestamp THEN NULL ELSE TIMESTAMP(@from) END AS new_from,
    CASE WHEN status = 'degraded' OR TIMESTAMP(@to) > max_record_timestamp THEN NULL ELSE TIMESTAMP(@to) END AS new_to
  FROM {{stage_files}}
  WHERE status = 'degraded' OR min_record_timestamp IS NOT NULL
);
