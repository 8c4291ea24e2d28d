/** The embedded warehouse inside its memory cap: load parallelism follows the cap, not the core count. */
import assert from 'node:assert/strict';
import { openSync, writeSync, closeSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { memoryBytes } from '../../src/loader/warehouses/warehouse.js';
import { DuckDbWarehouse, loadThreads } from '../../src/loader/warehouses/duckdb.js';
import { tempDir } from '../support/cli.js';

test('memory limits read like DuckDB reads them', () => {
  assert.equal(memoryBytes('128MB'), 128e6);
  assert.equal(memoryBytes('1.5 GiB'), 1.5 * 2 ** 30);
  assert.throws(() => memoryBytes('lots'), /unreadable DuckDB memory limit/);
});

test('one load thread per 60 MiB of the cap, at most one per core', () => {
  assert.equal(loadThreads('128MB', 2), 2);
  assert.equal(loadThreads('128MB', 16), 2);
  assert.equal(loadThreads('96MB', 8), 1);
  assert.equal(loadThreads('256MB', 8), 4);
  assert.equal(loadThreads('1GB', 2), 2);
  assert.equal(loadThreads('10MB', 4), 1);
});

test('a 90 MB staged shard loads under a 96MB cap on a many-core machine (no "Out of Memory")', async () => {
  const dir = tempDir('velo-duckmem-');
  const shard = path.join(dir, 'records-00001.ndjson');
  const fd = openSync(shard, 'w');
  const block: string[] = [];
  for (let i = 0; i < 2000; i++) {
    block.push(`{"station_id":${i % 289 + 1},"etat":"EN SERVICE","nb_velos_dispo":${i % 9},"nb_places_dispo":12,"etat_connexion":"CONNECT\\u00c9","derniere_maj":"2023-08-23T23:58:18+02:00","record_timestamp":"2023-08-24T00:00:00.56+02:00","source_file":"data___2023_08_24_00_01_00.json"}\n`);
  }
  const text = block.join('');
  for (let written = 0; written < 90e6; written += text.length) writeSync(fd, text);
  closeSync(fd);

  const warehouse = await DuckDbWarehouse.open(path.join(dir, 'v.duckdb'), 'memtest', { memoryLimit: '96MB' });
  try {
    await warehouse.ensureTables();
    await warehouse.runSql('create_staging', {}, [{ task: 0 }]);
    // Before the cap decided the thread count, DuckDB used one read_json thread per core here and failed.
    const report = await warehouse.loadStaging({ task: 0 }, 'records', [shard]);
    assert.equal(report.jobs, 1);
  } finally {
    await warehouse.close();
  }
});
