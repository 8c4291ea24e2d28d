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

-- Located rows (MEL CSV: coordinates, no id) with the id of the one station at their (x, y), added to the records'
-- staging table; a row matching none stays out, and stats.sql counts it as rejected (unlocated.sql lists it).
-- Added to the table rather than unioned with it in unique_records: a window over a UNION ALL (or over a join)
-- holds a whole day of rows at once, and ran out of the default 128MB cap on 2,000 minutes (578,000 rows), where the
-- same window over one table scan fits. Idempotent: a file is in one format, so the rows of a located file in the
-- records' staging can only be ones added here before.
DELETE FROM {{stage_records}} WHERE source_file IN (SELECT DISTINCT source_file FROM {{stage_located}});
INSERT INTO {{stage_records}} (station_id, etat, nb_velos_dispo, nb_places_dispo, etat_connexion, derniere_maj, record_timestamp, source_file)
SELECT p.id AS station_id, l.etat, l.nb_velos_dispo, l.nb_places_dispo, l.etat_connexion, l.derniere_maj, l.record_timestamp, l.source_file
FROM {{stage_located}} AS l JOIN {{station_points}} AS p
  ON p.longitude = l.longitude AND p.latitude = l.latitude AND p.stations = 1;
CHECKPOINT;

-- One row per natural key (station_id, record_timestamp): stale and byte-identical minutes repeat keys, and
-- the same observation may come in two formats. The earliest file name wins, so the result does not depend on
-- processing order.
-- A table macro per chunk of whole UTC hours (at most 150,000 rows; warehouses/duckdb.ts cuts them): merge.sql reads
-- one chunk at a time, and the time filter runs before the window (all rows of a key share its hour), so memory
-- and work stay bounded by a chunk of rows.
-- TEMP objects live in this connection only: a crashed run leaves none behind.
CREATE OR REPLACE TEMP MACRO {{unique_records}}(chunk_start, chunk_end) AS TABLE
SELECT * FROM (
  SELECT station_id, etat, nb_velos_dispo, nb_places_dispo, etat_connexion, derniere_maj, record_timestamp, source_file
  FROM {{stage_records}}
  WHERE record_timestamp >= chunk_start AND record_timestamp < chunk_end
)
QUALIFY ROW_NUMBER() OVER (PARTITION BY station_id, record_timestamp ORDER BY source_file) = 1;
