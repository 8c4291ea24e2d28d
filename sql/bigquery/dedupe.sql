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

-- A file is complete (recorded in the manifest) when all its rows were inside [from, to):
-- a file cut by the range is read again by the run that covers the rest of it.
CREATE OR REPLACE TABLE {{ready_files}} AS
SELECT *, @run_id AS run_id,
  (status = 'degraded' OR (min_record_timestamp >= TIMESTAMP(@from) AND max_record_timestamp < TIMESTAMP(@to))) AS complete
FROM {{stage_files}};
