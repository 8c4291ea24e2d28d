/** The stages on their own, with their real parts: a folder, the worker pool, an embedded DuckDB file. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { DeadLetterWriter } from '../../src/loader/staging/dead-letter.js';
import { createLogger } from '../../src/loader/output/log.js';
import { createParsePool } from '../../src/loader/workers/parse-pool.js';
import { createProgress } from '../../src/loader/output/progress.js';
import { LocalSource } from '../../src/loader/sources/local.js';
import { extractFiles } from '../../src/loader/stages/extract.js';
import { loadPackage } from '../../src/loader/stages/load.js';
import { dropStaging, mergeStaged } from '../../src/loader/stages/merge.js';
import { selectFiles } from '../../src/loader/stages/plan.js';
import { LocalStagingStore } from '../../src/loader/staging/shards.js';
import { DuckDbWarehouse } from '../../src/loader/warehouses/duckdb.js';
import { UNBOUNDED, windowParams } from '../../src/loader/sources/window.js';
import { FIXTURES, corpus, queryDuckDb, tempDir } from '../support/cli.js';

const logger = createLogger({ level: 'silent', pretty: false });

test('extract → load → merge: a staged package per table, loaded into one task scope, merged once and again idempotently', async () => {
  const work = tempDir();
  const source = new LocalSource(corpus('vlille/minutes', 'vlille/hostile'));
  const selection = selectFiles(await source.list({}), { window: UNBOUNDED, timezone: 'Europe/Paris', manifest: new Map() });
  const staging = new LocalStagingStore(path.join(work, 'staging'));
  const deadLetter = new DeadLetterWriter(path.join(work, 'dead.ndjson'), 'stage-test');
  const pool = createParsePool(2);
  const completed: string[] = [];
  let pkg;
  try {
    pkg = await extractFiles(
      selection.todo,
      { window: UNBOUNDED, read: { timezone: 'Europe/Paris', network: 'vlille', inputFormat: 'auto' }, concurrency: 4, workers: 2, shardBytes: 2048, streamThresholdBytes: 16 * 2 ** 20, spoolDir: staging.spoolDir },
      { source, pool, deadLetter, logger, progress: createProgress(logger, { tty: false, enabled: false }), onShardComplete: (shard) => completed.push(shard) },
    );
  } finally {
    await pool.close();
    await deadLetter.close();
  }
  // The staged package: what the load stage needs, and nothing it has to recompute.
  assert.deepEqual(pkg.counts, { ...pkg.counts, loaded: 14, degraded: 1, rejected: 5, stagedRows: 67, rejectedRows: 3, degradedRecords: 5 });
  assert.deepEqual(pkg.degradedFiles, ['data___2023_08_24_20_11_01.json']);
  assert.ok(pkg.shards.records.length > 2, 'tiny shards rotate');
  assert.equal(pkg.shards.stations.length, 1);
  const stations = readFileSync(pkg.shards.stations[0]!, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { id: number });
  assert.deepEqual(stations.map((s) => s.id), [1, 2, 3, 4, 10], 'one line per station, by id');
  // Shards a worker moved past were reported complete (GCS staging uploads them while reading goes on).
  assert.ok(completed.length > 0 && completed.every((shard) => pkg.shards.records.includes(shard)));
  assert.equal(readFileSync(path.join(work, 'dead.ndjson'), 'utf8').trim().split('\n').length, 5 + 3);

  const db = path.join(work, 'v.duckdb');
  const warehouse = await DuckDbWarehouse.open(db, 'stage-test');
  try {
    await warehouse.ensureTables();
    const scope = { task: 0 };
    const loaded = await loadPackage(pkg, scope, UNBOUNDED, { staging, warehouse, logger });
    assert.deepEqual(loaded.loadJobs, { records: 1, stations: 1, files: 1, located: 0 });
    const input = { runId: 'stage-test', window: windowParams(UNBOUNDED), scopes: [scope] };
    const first = await mergeStaged(input, warehouse, logger);
    assert.deepEqual(first, { inRangeRows: 67, newRows: 57, unlocatedRows: 0, loadedFiles: 14 });
    // The same staging tables merged again (a retried merge): nothing new, the same counts.
    assert.deepEqual(await mergeStaged(input, warehouse, logger), first);
    assert.equal(await dropStaging(warehouse, [scope], logger), true);
  } finally {
    await warehouse.close();
  }
  const [counts] = await queryDuckDb(db, 'SELECT COUNT(*) AS n, COUNT(DISTINCT (station_id, record_timestamp)) AS keys FROM records');
  assert.deepEqual(counts, { n: 57, keys: 57 });
  assert.deepEqual(await queryDuckDb(db, `SELECT table_name FROM duckdb_tables() WHERE table_name LIKE '%stage%'`), []);
});

test('the plan stage is pure: the same listing and manifest give the same files', () => {
  const listed = [{ name: 'b.json', size: 1, generation: '1' }, { name: 'a.json', size: 1, generation: '1' }];
  const once = selectFiles(listed, { window: UNBOUNDED, timezone: 'UTC', manifest: new Map() });
  assert.deepEqual(once.todo.map((f) => f.name), ['a.json', 'b.json']);
  assert.deepEqual(selectFiles(listed, { window: UNBOUNDED, timezone: 'UTC', manifest: new Map() }), once);
  assert.ok(FIXTURES);
});
