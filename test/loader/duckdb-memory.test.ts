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

/** Writes NDJSON lines to a shard in blocks (a day of 289 stations is ~100 MB of text). */
function writeShard(file: string, lines: Iterable<string>): void {
  const fd = openSync(file, 'w');
  let block: string[] = [];
  for (const line of lines) {
    block.push(line);
    if (block.length === 10_000) {
      writeSync(fd, block.join(''));
      block = [];
    }
  }
  writeSync(fd, block.join(''));
  closeSync(fd);
}

/** One stage, dedupe and merge of the given shards, under `memoryLimit`; the warehouse is closed after. */
async function mergeShards(dir: string, shards: { records?: string[]; located?: string[]; stations?: string[] }, memoryLimit = '128MB'): Promise<Record<string, unknown>> {
  const runId = 'mergetest';
  const warehouse = await DuckDbWarehouse.open(path.join(dir, 'v.duckdb'), runId, { memoryLimit });
  try {
    const scope = { task: 0 };
    const params = { from: '0001-01-01T00:00:00Z', to: '9999-12-31T23:59:59Z', run_id: runId };
    await warehouse.ensureTables();
    await warehouse.runSql('create_staging', {}, [scope]);
    for (const kind of ['records', 'located', 'stations'] as const) await warehouse.loadStaging(scope, kind, shards[kind] ?? []);
    await warehouse.runSql('dedupe', params, [scope]);
    await warehouse.runSql('merge', params, [scope]);
    const [stats] = await warehouse.runSql('stats', params, [scope]);
    return stats!;
  } finally {
    await warehouse.close();
  }
}

test('a whole UTC day of 289 stations a minute, stale repeats included, merges under the default 128MB cap', async () => {
  const dir = tempDir('velo-duckday-');
  const shard = path.join(dir, 'records-00001.ndjson');
  const day = Date.parse('2023-08-24T00:00:00Z');
  function* lines(): Generator<string> {
    for (let minute = 0; minute < 1440; minute++) {
      // Every 5th file repeats the previous minute (a stale minute): its keys are duplicates.
      const at = new Date(day + (minute % 5 === 4 ? minute - 1 : minute) * 60_000).toISOString();
      const file = `data___2023_08_24_${String(Math.floor(minute / 60)).padStart(2, '0')}_${String(minute % 60).padStart(2, '0')}_00.json`;
      for (let station = 1; station <= 289; station++) {
        yield `{"station_id":${station},"etat":"EN SERVICE","nb_velos_dispo":${(station + minute) % 17},"nb_places_dispo":${station % 23},"etat_connexion":"CONNECT\\u00c9","derniere_maj":"${at}","record_timestamp":"${at}","source_file":"${file}"}\n`;
      }
    }
  }
  writeShard(shard, lines());
  // Before dedupe.sql deduplicated staged and located rows apart, this day ran out of memory at 91 MiB.
  const stats = await mergeShards(dir, { records: [shard] });
  assert.equal(Number(stats.new_rows), 1152 * 289);
  assert.equal(Number(stats.in_range_rows), 1440 * 289);
});

test('staged and located rows of one key: the earliest file wins across both, as one ROW_NUMBER over their union', async () => {
  const dir = tempDir('velo-dedupe-');
  const at = (minute: number): string => new Date(Date.parse('2023-08-24T10:00:00Z') + minute * 60_000).toISOString();
  const record = (station: number, minute: number, file: string, bikes: number): string =>
    `{"station_id":${station},"etat":null,"nb_velos_dispo":${bikes},"nb_places_dispo":1,"etat_connexion":null,"derniere_maj":null,"record_timestamp":"${at(minute)}","source_file":"${file}"}\n`;
  // Station s stands at (s, 50 + s); located rows find it there.
  const located = (station: number, minute: number, file: string, bikes: number): string =>
    `{"longitude":${station},"latitude":${50 + station},"etat":null,"nb_velos_dispo":${bikes},"nb_places_dispo":1,"etat_connexion":null,"derniere_maj":null,"record_timestamp":"${at(minute)}","source_file":"${file}"}\n`;
  const station = (id: number): string =>
    `{"id":${id},"nom":"S${id}","libelle":"${id}","adresse":null,"commune":null,"type":null,"latitude":${50 + id},"longitude":${id},"updated_at":"${at(0)}","source_file":"b.json"}\n`;
  const records = [
    record(1, 0, 'b.json', 11), // only staged
    record(2, 0, 'b.json', 21), // staged b, located a: a wins
    record(3, 0, 'a.json', 31), // staged a, located b: a wins
    record(4, 0, 'c.json', 41), // staged c and b, located a and d: located a wins
    record(4, 0, 'b.json', 42),
    record(5, 1, 'd.json', 51), // staged d twice, located c: c wins
    record(5, 1, 'd.json', 51),
  ];
  const locatedRows = [located(2, 0, 'a.csv', 22), located(3, 0, 'b.csv', 32), located(4, 0, 'd.csv', 43), located(4, 0, 'a.csv', 44), located(5, 1, 'c.csv', 52), located(6, 2, 'e.csv', 61)];
  const paths = { records: path.join(dir, 'records-00001.ndjson'), located: path.join(dir, 'located-00001.ndjson'), stations: path.join(dir, 'stations-00001.ndjson') };
  writeShard(paths.records, records);
  writeShard(paths.located, locatedRows);
  writeShard(paths.stations, [1, 2, 3, 4, 5, 6].map(station));
  const stats = await mergeShards(dir, { records: [paths.records], located: [paths.located], stations: [paths.stations] });
  assert.equal(Number(stats.new_rows), 6);
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(path.join(dir, 'v.duckdb'));
  const connection = await instance.connect();
  const rows = (await connection.runAndReadAll('SELECT station_id, nb_velos_dispo, source_file FROM records ORDER BY station_id')).getRowObjects();
  connection.closeSync();
  instance.closeSync();
  assert.deepEqual(
    rows.map((row) => [Number(row.station_id), Number(row.nb_velos_dispo), row.source_file]),
    [[1, 11, 'b.json'], [2, 22, 'a.csv'], [3, 31, 'a.json'], [4, 44, 'a.csv'], [5, 52, 'c.csv'], [6, 61, 'e.csv']],
  );
});
