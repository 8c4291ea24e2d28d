-- Latest attributes per station among this run's files: the latest observation, and on a tie (a stale or
-- duplicated minute) the earliest file name, as for records. The workers already keep only each task's latest.
CREATE OR REPLACE TEMP VIEW {{latest_stations}} AS
SELECT * FROM {{stage_stations}}
QUALIFY ROW_NUMBER() OVER (PARTITION BY id ORDER BY updated_at DESC, source_file ASC) = 1;

-- Each station's coordinates as the stations MERGE leaves them (merge.sql's rule: a newer observation wins,
-- a coordinate it lacks stays as it was). The same before and after that MERGE, so the located rows' match
-- never depends on statement order, nor on which worker read which file. `stations`: how many stations
-- stand at the point (a located row matches only a point with exactly one).
CREATE OR REPLACE TEMP VIEW {{station_points}} AS
SELECT longitude, latitude, MIN(id) AS id, COUNT(id) AS stations FROM (
  -- Stations this run does not update (no newer observation)…
  SELECT t.id, t.longitude, t.latitude
  FROM {{stations}} AS t LEFT JOIN {{latest_stations}} AS s ON t.id = s.id
  WHERE s.id IS NULL OR NOT (t.updated_at IS NULL OR s.updated_at > t.updated_at)
  UNION ALL
  -- …and those it inserts or updates.
  SELECT s.id, COALESCE(s.longitude, t.longitude) AS longitude, COALESCE(s.latitude, t.latitude) AS latitude
  FROM {{latest_stations}} AS s LEFT JOIN {{stations}} AS t ON t.id = s.id
  WHERE t.id IS NULL OR t.updated_at IS NULL OR s.updated_at > t.updated_at
) AS merged
WHERE longitude IS NOT NULL AND latitude IS NOT NULL
GROUP BY longitude, latitude;

-- Located rows (MEL CSV: coordinates, no id) with the id of the one station at their (x, y); a row matching
-- none is counted by stats.sql as rejected.
CREATE OR REPLACE TEMP VIEW {{located_records}} AS
SELECT p.id AS station_id, l.etat, l.nb_velos_dispo, l.nb_places_dispo, l.etat_connexion, l.derniere_maj, l.record_timestamp, l.source_file
FROM {{stage_located}} AS l JOIN {{station_points}} AS p
  ON p.longitude = l.longitude AND p.latitude = l.latitude AND p.stations = 1;

-- One row per natural key (station_id, record_timestamp): stale and byte-identical minutes repeat keys, and
-- the same observation may come in two formats. The earliest file name wins, so the result does not depend on
-- processing order.
-- A table macro per UTC day: merge.sql reads one day at a time, and the day filter runs before the window
-- (all rows of a key share its day), so memory and work stay bounded by a day of rows.
-- Staged records and located rows are deduplicated apart, then the earlier file of a key found in both wins
-- (a file is of one format, so it is never in both): the same rows as one ROW_NUMBER over their UNION ALL, but
-- DuckDB turns a QUALIFY ROW_NUMBER() = 1 over a plain table into a grouped aggregate that spills, and over a
-- UNION ALL it keeps a window operator that does not: that ran out of memory on a day of 289 stations at
-- --duckdb-memory 128MB (the bench corpus).
-- TEMP objects live in this connection only: a crashed run leaves none behind.
CREATE OR REPLACE TEMP MACRO {{unique_records}}(day_start) AS TABLE
WITH located AS (
  SELECT station_id, etat, nb_velos_dispo, nb_places_dispo, etat_connexion, derniere_maj, record_timestamp, source_file
  FROM {{located_records}}
  WHERE record_timestamp >= day_start AND record_timestamp < day_start + INTERVAL 1 DAY
  QUALIFY ROW_NUMBER() OVER (PARTITION BY station_id, record_timestamp ORDER BY source_file) = 1
)
SELECT r.station_id, r.etat, r.nb_velos_dispo, r.nb_places_dispo, r.etat_connexion, r.derniere_maj, r.record_timestamp, r.source_file
FROM (
  SELECT station_id, etat, nb_velos_dispo, nb_places_dispo, etat_connexion, derniere_maj, record_timestamp, source_file
  FROM {{stage_records}}
  WHERE record_timestamp >= day_start AND record_timestamp < day_start + INTERVAL 1 DAY
  QUALIFY ROW_NUMBER() OVER (PARTITION BY station_id, record_timestamp ORDER BY source_file) = 1
) AS r
LEFT JOIN located AS l ON l.station_id = r.station_id AND l.record_timestamp = r.record_timestamp
WHERE l.station_id IS NULL OR r.source_file <= l.source_file
UNION ALL
SELECT l.station_id, l.etat, l.nb_velos_dispo, l.nb_places_dispo, l.etat_connexion, l.derniere_maj, l.record_timestamp, l.source_file
FROM located AS l
WHERE NOT EXISTS (
  SELECT 1 FROM {{stage_records}} AS r
  WHERE r.record_timestamp >= day_start AND r.record_timestamp < day_start + INTERVAL 1 DAY
    AND r.station_id = l.station_id AND r.record_timestamp = l.record_timestamp AND r.source_file <= l.source_file
);
