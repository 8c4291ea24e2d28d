-- The network a dataset holds (one per dataset): the one recorded, and whether it holds any file at all
-- (a dataset loaded before networks were recorded holds V'lille).
SELECT
  (SELECT MIN(`value`) FROM {{meta}} WHERE `key` = 'network') AS network,
  (SELECT COUNT(DISTINCT `value`) FROM {{meta}} WHERE `key` = 'network') AS networks,
  (SELECT COUNT(*) FROM {{files}}) AS files;
