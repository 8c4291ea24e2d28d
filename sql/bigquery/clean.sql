-- Keep only observations inside [from, to). File names only pre-filter with a margin; this is the exact cut.
DELETE FROM {{stage_records}}
WHERE record_timestamp < TIMESTAMP(@from) OR record_timestamp >= TIMESTAMP(@to);
DELETE FROM {{stage_located}}
WHERE record_timestamp < TIMESTAMP(@from) OR record_timestamp >= TIMESTAMP(@to);
