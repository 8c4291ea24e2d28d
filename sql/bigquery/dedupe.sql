-- Prepare the MERGE sources. Query parameters are bound here, in plain SELECTs, so merge.sql needs none:
-- the BigQuery emulator reads parameters inside MERGE as NULL (see docs/emulators.md).

-- Latest attributes per station among this run's files: the latest observation, and on a tie (a stale or
-- duplicated minute) the earliest file name, as for records. The workers already keep only each task's latest.
CREATE OR REPLACE TABLE {{latest_stations}} AS
SELECT *, @run_id AS run_id FROM {{stage_stations}}
WHERE TRUE
QUALIFY ROW_NUMBER() OVER (PARTITION BY id ORDER BY updated_at DESC, source_file ASC) = 1;

-- Each station's coordinates as the stations MERGE leaves them (merge.sql's rule: a newer observation wins,
-- a coordinate it lacks stays as it was), so the located rows' match never depends on which worker read which
-- file. `stations`: how many stations stand at the point (a located row matches only a point with exactly one).
CREATE OR REPLACE TABLE {{station_points}} AS
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
-- @run_id is always set: the emulator fails a statement of a parameterised job that uses no parameter at all.
WHERE longitude IS NOT NULL AND latitude IS NOT NULL AND @run_id IS NOT NULL
GROUP BY longitude, latitude;

-- One row per natural key (station_id, record_timestamp): stale and byte-identical minutes repeat keys, and
-- the same observation may come in two formats. Located rows (MEL CSV: coordinates, no id) take the id of the
-- one station at their (x, y); a row matching none is counted by stats.sql as rejected.
-- The earliest file name wins, so the result does not depend on processing order.
CREATE OR REPLACE TABLE {{unique_records}} AS
SELECT *, @run_id AS run_id FROM (
  SELECT station_id, etat, nb_velos_dispo, nb_places_dispo, etat_connexion, derniere_maj, record_timestamp, source_file
  FROM {{stage_records}}
  UNION ALL
  SELECT p.id AS station_id, l.etat, l.nb_velos_dispo, l.nb_places_dispo, l.etat_connexion, l.derniere_maj, l.record_timestamp, l.source_file
  FROM {{stage_located}} AS l JOIN {{station_points}} AS p
    ON p.longitude = l.longitude AND p.latitude = l.latitude AND p.stations = 1
) AS observed
WHERE TRUE
QUALIFY ROW_NUMBER() OVER (PARTITION BY station_id, record_timestamp ORDER BY source_file) = 1;

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
