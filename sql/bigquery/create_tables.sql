-- Target tables, created once. Column lists are generated from schemas/*.json.
-- records: one partition per day of observation, clustered by station for per-station queries.
CREATE TABLE IF NOT EXISTS {{records}} ({{records_ddl}})
PARTITION BY DATE(record_timestamp)
CLUSTER BY station_id;
CREATE TABLE IF NOT EXISTS {{stations}} ({{stations_ddl}});
CREATE TABLE IF NOT EXISTS {{files}} ({{files_ddl}});
-- The dataset's own facts, one row per key: `network` (one network per dataset, checked before a run reads).
CREATE TABLE IF NOT EXISTS {{meta}} (`key` STRING NOT NULL, `value` STRING);
