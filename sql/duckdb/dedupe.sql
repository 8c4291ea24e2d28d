-- One row per natural key (station_id, record_timestamp): stale and byte-identical minutes repeat keys.
-- The earliest file name wins, so the result does not depend on processing order.
-- Views, not tables: the merge reads them once, and nothing is materialised twice in memory.
CREATE OR REPLACE VIEW {{unique_records}} AS
SELECT * FROM {{stage_records}}
QUALIFY ROW_NUMBER() OVER (PARTITION BY station_id, record_timestamp ORDER BY source_file) = 1;

-- Latest attributes per station among this run's files.
CREATE OR REPLACE VIEW {{latest_stations}} AS
SELECT * FROM {{stage_stations}}
QUALIFY ROW_NUMBER() OVER (PARTITION BY id ORDER BY updated_at DESC, source_file DESC) = 1;
