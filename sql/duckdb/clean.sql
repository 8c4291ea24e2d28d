-- Keep only observations inside [from, to). File names only pre-filter with a margin; this is the exact cut.
DELETE FROM {{stage_records}}
WHERE record_timestamp < $from::TIMESTAMPTZ OR record_timestamp >= $to::TIMESTAMPTZ;
DELETE FROM {{stage_located}}
WHERE record_timestamp < $from::TIMESTAMPTZ OR record_timestamp >= $to::TIMESTAMPTZ;
