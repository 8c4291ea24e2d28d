-- Target tables, created once. Column lists are generated from schemas/*.json.
CREATE TABLE IF NOT EXISTS {{records}} ({{records_ddl}});
CREATE TABLE IF NOT EXISTS {{stations}} ({{stations_ddl}});
CREATE TABLE IF NOT EXISTS {{files}} ({{files_ddl}});
