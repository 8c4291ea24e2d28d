/**
 * Issue 19 end to end: every generated format fixture plus the V'lille v1 minutes in ONE folder, loaded by the
 * built CLI into DuckDB in one run with exact, hand-computed counts; a re-run adds nothing; the located (CSV) rows'
 * station match does not depend on the number of workers; a run with another network exits 2 before reading.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { corpus, queryDuckDb, runCli, runJson, tempDir } from '../support/cli.js';
import { SKIP_WITHOUT_EMULATORS, startEmulators, uniqueName, uploadFolder, type Emulators } from '../support/gcp.js';
import { dumpBigQuery, dumpDuckDb } from '../support/tables.js';

/**
 * Files and staged rows per format (hand-counted from the fixtures: test/transform/formats.test.ts EXPECTED and
 * test/e2e/cli-duckdb.test.ts for the minutes).
 */
const FORMATS = {
  // 12 minutes: 11 loaded × 5 stations, and the degraded minute (a file, no rows).
  'vlille-ods-v1': { files: 12, rows: 55 },
  'vlille-ods-v2': { files: 1, rows: 6 },
  'vlille-mel-wfs': { files: 2, rows: 12 },
  // 7 + 6 located rows; the first file's last row stands at no station's point.
  'vlille-mel-csv': { files: 2, rows: 13 },
  'gbfs-station-status': { files: 2, rows: 8 },
  // station_information: stations only, no records.
  'gbfs-station-information': { files: 2, rows: 0 },
  // 2 rows of contract lille; a null last_update is rejected; another contract's record skipped.
  'jcdecaux-v1': { files: 1, rows: 2 },
  'jcdecaux-v3': { files: 1, rows: 3 },
};

describe('a mixed-format folder (every format + V\'lille v1 minutes) in one run into DuckDB', () => {
  const work = tempDir();
  const db = path.join(work, 'velo.duckdb');
  const source = corpus('formats', 'vlille/minutes');
  const args = ['--source', source, '--warehouse', `duckdb:${db}`, '--staging', path.join(work, 'staging')];

  test('first run: exact files and rows per format; the unmatched CSV row and the null last_update are rejected (exit 3)', async () => {
    const { code, summary, stderr } = await runJson(args, { cwd: work });
    assert.equal(code, 3, stderr);
    assert.deepEqual(summary.files, { listed: 23, outOfRange: 0, skipped: 0, processed: 23, loaded: 22, read: 0, degraded: 1, rejected: 0 });
    // 99 staged = 55 + 6 + 12 + 13 + 8 + 2 + 3; the minutes' stale repeat and byte-identical copy: 10 duplicates;
    // 1 CSV row at no station: 99 - 10 - 1 = 88 merged. Rejected: the null last_update (dead letter) + the CSV row.
    assert.deepEqual(summary.rows, { staged: 99, rejected: 2, outOfRange: 0, duplicate: 10, merged: 88, degradedRecords: 5 });
    assert.equal(summary.unlocatedRows, 1);
    assert.deepEqual(summary.formats, FORMATS);
    assert.equal(summary.deadLetter.entries, 1);
    assert.ok(summary.shards.located >= 1, 'the CSV rows are staged in located shards of their own');
  });

  test('tables: rows per format, the CSV rows given the id of the station at their point, one network recorded', async () => {
    const perFormat = await queryDuckDb(db, 'SELECT f.format, COUNT(*) AS n FROM records r JOIN _velo_files f ON f.file_name = r.source_file GROUP BY 1 ORDER BY 1');
    assert.deepEqual(Object.fromEntries(perFormat.map((row) => [row.format, row.n])), {
      'gbfs-station-status': 8,
      'jcdecaux-v1': 2,
      'jcdecaux-v3': 3,
      'vlille-mel-csv': 12,
      'vlille-mel-wfs': 12,
      'vlille-ods-v1': 45,
      'vlille-ods-v2': 6,
    });
    const [keys] = await queryDuckDb(db, 'SELECT COUNT(*) AS n, COUNT(DISTINCT (station_id, record_timestamp)) AS keys FROM records');
    assert.deepEqual(keys, { n: 88, keys: 88 });
    const csv = await queryDuckDb(db, `SELECT DISTINCT station_id FROM records WHERE source_file LIKE 'mel_ogcapi_%' ORDER BY 1`);
    assert.deepEqual(csv.map((row) => row.station_id), [1, 2, 3, 4, 5, 6]);
    const stations = await queryDuckDb(db, 'SELECT id FROM stations ORDER BY id');
    assert.deepEqual(stations.map((row) => row.id), [1, 2, 3, 4, 5, 6, 10]);
    const files = await queryDuckDb(db, `SELECT format, COUNT(*) AS n FROM _velo_files GROUP BY 1 ORDER BY 1`);
    assert.deepEqual(Object.fromEntries(files.map((row) => [row.format, row.n])), Object.fromEntries(Object.entries(FORMATS).map(([id, f]) => [id, f.files])));
    assert.deepEqual(await queryDuckDb(db, 'SELECT "key", "value" FROM velo_meta'), [{ key: 'network', value: 'vlille' }]);
  });

  test('a second run skips every file and changes nothing', async () => {
    const before = await dumpDuckDb(db);
    const { code, summary, stderr } = await runJson(args, { cwd: work });
    assert.equal(code, 0, stderr);
    assert.deepEqual(summary.files, { listed: 23, outOfRange: 0, skipped: 23, processed: 0, loaded: 0, read: 0, degraded: 0, rejected: 0 });
    assert.equal(summary.rows.merged, 0);
    assert.deepEqual(await dumpDuckDb(db), before);
  });

  test('the same tables with one worker thread, or none, and with --force adding nothing', async () => {
    const expected = await dumpDuckDb(db);
    for (const workers of ['0', '1']) {
      const other = path.join(work, `w${workers}.duckdb`);
      const { code, stderr } = await runJson(['--source', source, '--warehouse', `duckdb:${other}`, '--workers', workers], { cwd: work });
      assert.equal(code, 3, stderr);
      const dump = await dumpDuckDb(other);
      assert.deepEqual(dump.records, expected.records, `records, --workers ${workers}`);
      assert.deepEqual(dump.stations, expected.stations, `stations, --workers ${workers}`);
    }
    const forced = await runJson([...args, '--force'], { cwd: work });
    assert.equal(forced.summary.rows.merged, 0);
    assert.equal(forced.summary.unlocatedRows, 1);
    assert.deepEqual((await dumpDuckDb(db)).records, expected.records);
  });

  test('another network: exit 2 before reading, naming the network the dataset holds', async () => {
    const { code, stderr } = await runCli(['run', ...args, '--network', 'lyon'], { cwd: work });
    assert.equal(code, 2, stderr);
    assert.match(stderr, /holds network "vlille"; this run loads --network lyon/);
  });

  test('--input-format forces one format: the other files are rejected as unknown shapes', async () => {
    const other = path.join(work, 'forced.duckdb');
    const { code, summary, stderr } = await runJson(['--source', source, '--warehouse', `duckdb:${other}`, '--input-format', 'vlille-mel-wfs'], { cwd: work });
    assert.equal(code, 3, stderr);
    assert.deepEqual(summary.formats, { 'vlille-mel-wfs': { files: 2, rows: 12 } });
    assert.equal(summary.files.rejected, 21);
    const bad = await runCli(['run', ...args, '--input-format', 'vlille-mel-wsf'], { cwd: work });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /did you mean vlille-mel-wfs/);
  });
});

describe('the same mixed folder from gs:// into the BigQuery emulator', { skip: SKIP_WITHOUT_EMULATORS }, () => {
  let emu: Emulators;
  const bucket = uniqueName('velo-mixed').toLowerCase().replace(/_/g, '-');
  const source = corpus('formats', 'vlille/minutes');
  before(async () => {
    emu = await startEmulators();
    await uploadFolder(emu.storage, bucket, 'raw/', source);
  });
  after(() => emu?.stop());

  test('one run: the same counts and the same tables as DuckDB; a re-run adds nothing', async () => {
    const work = tempDir();
    const dataset = uniqueName('mixed');
    const args = ['--source', `gs://${bucket}/raw`, '--staging', `gs://${bucket}/staging`, '--warehouse', `bigquery://${emu.project}/${dataset}`];
    const { code, summary, stderr } = await runJson(args, { cwd: work, env: emu.env });
    assert.equal(code, 3, stderr);
    assert.deepEqual(summary.rows, { staged: 99, rejected: 2, outOfRange: 0, duplicate: 10, merged: 88, degradedRecords: 5 });
    assert.equal(summary.unlocatedRows, 1);
    assert.deepEqual(summary.formats, FORMATS);
    const db = path.join(work, 'v.duckdb');
    assert.equal((await runJson(['--source', source, '--warehouse', `duckdb:${db}`], { cwd: work })).code, 3);
    const [bq, duck] = [await dumpBigQuery(emu.bigquery, emu.project, dataset), await dumpDuckDb(db)];
    assert.deepEqual(bq.records, duck.records);
    assert.deepEqual(bq.stations, duck.stations);
    const again = await runJson(args, { cwd: work, env: emu.env });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.summary.files.skipped, 23);
    assert.equal(again.summary.rows.merged, 0);
    const other = await runCli(['run', ...args, '--network', 'lyon'], { cwd: work, env: emu.env });
    assert.equal(other.code, 2, other.stderr);
    assert.match(other.stderr, /holds network "vlille"/);
  });
});
