-- Target tables, created once. Column lists are generated from schemas/*.json.
CREATE TABLE IF NOT EXISTS {{records}} ({{records_ddl}});
CREATE TABLE IF NOT EXISTS {{stations}} ({{stations_ddl}});
CREATE TABLE IF NOT EXISTS {{files}} ({{files_ddl}});
-- The dataset's own facts, one row per key: `network` (one network per dataset, checked before a run reads).
CREATE TABLE IF NOT EXISTS {{meta}} ("key" VARCHAR NOT NULL, "value" VARCHAR);
-- A file made by an earlier version keeps working: its tables gain the columns added to schemas/ since.
{{records_add_columns}};
{{stations_add_columns}};
{{files_add_columns}};
