-- One row per natural key (station_id, record_timestamp): stale and byte-identical minutes repeat keys.
-- The earliest file name wins, so the result does not depend on processing order.
-- A table macro per UTC day: merge.sql reads one day at a time, and the day filter runs before the window
-- (all rows of a key share its day), so memory and work stay bounded by a day of rows.
-- TEMP objects live in this connection only: a crashed run leaves none behind.
CREATE OR REPLACE TEMP MACRO {{unique_records}}(day_start) AS TABLE
SELECT * FROM {{stage_records}}
WHERE record_timestamp >= day_start AND record_timestamp < day_start + INTERVAL 1 DAY
QUALIFY ROW_NUMBER() OVER (PARTITION BY station_id, record_timestamp ORDER BY source_file) = 1;

-- Latest attributes per station among this run's files: the latest observation, and on a tie (a stale or
-- duplicated minute) the earliest file name, as for records. The workers already keep only each task's latest.
CREATE OR REPLACE TEMP VIEW {{latest_stations}} AS
SELECT * FROM {{stage_stations}}
QUALIFY ROW_NUMBER() OVER (PARTITION BY id ORDER BY updated_at DESC, source_file ASC) = 1;
