-- Records the dataset's network before a run reads anything (network.sql found none recorded).
INSERT INTO {{meta}} (`key`, `value`)
SELECT 'network', @network FROM UNNEST([1]) WHERE NOT EXISTS (SELECT 1 FROM {{meta}} WHERE `key` = 'network');
