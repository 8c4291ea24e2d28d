/**
 * Windowed re-runs (issue 22 item 6), the CLI run as a user would: a window, the same window again (reads
 * nothing), a later window next to it (reads only the files whose rows in it are not merged yet), and the tables
 * then equal one run over the union. A file cut by a window is recorded as 'partial' with the range merged.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { corpus, queryDuckDb, runCli, runJson, tempDir } from '../support/cli.js';
import { SKIP_WITHOUT_EMULATORS, startEmulators, uniqueName, uploadFolder, type Emulators } from '../support/gcp.js';
import { dumpBigQuery, dumpDuckDb } from '../support/tables.js';

const { DuckDBInstance } = createRequire(import.meta.url)('@duckdb/node-api') as typeof import('@duckdb/node-api');

// Paris time. The fixture's minutes hold rows from 20:08 to 20:17; [20:09, 20:16) cuts three files: 20:09 (rows
// at 20:08), 20:17 and 20:18 (rows at 20:16, 20:17). January and the two October files are named far outside.
const FIRST = ['--from', '2023-08-24T20:09', '--to', '2023-08-24T20:16'];
const LATER = ['--from', '2023-08-24T20:16', '--to', '2023-08-24T20:30'];
const UNION = ['--from', '2023-08-24T20:09', '--to', '2023-08-24T20:30'];

const MANIFEST = `SELECT file_name, status, loaded_from, loaded_to FROM _velo_files ORDER BY file_name`;
// Ranges can differ where they hold none of a file's rows (20:09 merged from 20:09 or from 20:16: its row is at 20:08).
const STATUS = `SELECT file_name, status FROM _velo_files ORDER BY file_name`;

describe('windowed re-runs on DuckDB', () => {
  const source = corpus('vlille/minutes');
  const work = tempDir();
  const run = (db: string, window: string[], extra: string[] = []) => runJson(['--source', source, '--warehouse', `duckdb:${path.join(work, db)}`, ...window, ...extra], { cwd: work });

  test('the same window again reads nothing; a later window reads only the files it needs; the tables equal one run over both', async () => {
    const first = await run('w.duckdb', FIRST);
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(first.summary.files, { listed: 12, outOfRange: 3, skipped: 0, processed: 9, loaded: 5, read: 3, degraded: 1, rejected: 0 });
    assert.equal(first.summary.rows.merged, 15);
    assert.deepEqual(
      (await queryDuckDb(path.join(work, 'w.duckdb'), `SELECT file_name, status FROM _velo_files WHERE status = 'partial' ORDER BY 1`)).map((r) => r.file_name),
      ['data___2023_08_24_20_09_00.json', 'data___2023_08_24_20_17_00.json.gz', 'data___2023_08_24_20_18_00.json'],
      'the cut files are recorded with the part merged',
    );

    const again = await run('w.duckdb', FIRST);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(again.summary.files, { listed: 12, outOfRange: 3, skipped: 9, processed: 0, loaded: 0, read: 0, degraded: 0, rejected: 0 });
    assert.equal(again.summary.rows.merged, 0);
    assert.equal(again.summary.bytes.read, 0);

    // 20:16 → 20:30 needs the rows at 20:16 and 20:17 only: the two files the first window cut at its end.
    const later = await run('w.duckdb', LATER);
    assert.equal(later.code, 0, later.stderr);
    assert.deepEqual(later.summary.files, { listed: 12, outOfRange: 3, skipped: 7, processed: 2, loaded: 2, read: 0, degraded: 0, rejected: 0 });
    assert.equal(later.summary.rows.merged, 10);
    const table = (await runCli(['run', '--source', source, '--warehouse', `duckdb:${path.join(work, 'w.duckdb')}`, ...LATER], { cwd: work })).stdout;
    assert.match(table, /processed\s+0\n\s+loaded \(merged\)\s+0\n\s+read \(nothing new\)\s+0/);

    const union = await run('u.duckdb', UNION);
    assert.equal(union.code, 0, union.stderr);
    assert.equal(union.summary.rows.merged, 25);
    assert.deepEqual(await dumpDuckDb(path.join(work, 'w.duckdb')), await dumpDuckDb(path.join(work, 'u.duckdb')));
    assert.deepEqual(await queryDuckDb(path.join(work, 'w.duckdb'), MANIFEST), await queryDuckDb(path.join(work, 'u.duckdb'), MANIFEST));
  });

  test('windows in the other order, then --force: the same tables; a forced re-read says "read", merges nothing', async () => {
    assert.equal((await run('r.duckdb', LATER)).code, 0);
    const earlier = await run('r.duckdb', FIRST);
    assert.equal(earlier.code, 0, earlier.stderr);
    // Of the 9 files named near it, the earlier window reads the 5 with rows in it: not the degraded minute
    // (recorded whole), nor 20:09 (its row at 20:08 is before this window too), nor 20:17 and 20:18 (loaded whole).
    assert.deepEqual(earlier.summary.files, { listed: 12, outOfRange: 3, skipped: 4, processed: 5, loaded: 5, read: 0, degraded: 0, rejected: 0 });
    assert.deepEqual(await dumpDuckDb(path.join(work, 'r.duckdb')), await dumpDuckDb(path.join(work, 'u.duckdb')));
    assert.deepEqual(await queryDuckDb(path.join(work, 'r.duckdb'), STATUS), await queryDuckDb(path.join(work, 'u.duckdb'), STATUS));

    const forced = await run('r.duckdb', FIRST, ['--force']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.deepEqual(forced.summary.files, { listed: 12, outOfRange: 3, skipped: 0, processed: 9, loaded: 0, read: 8, degraded: 1, rejected: 0 });
    assert.equal(forced.summary.rows.merged, 0);
    // Ranges only grow: 20:09's (from 20:16) now starts at 20:09, as after the union run.
    assert.deepEqual(await queryDuckDb(path.join(work, 'r.duckdb'), MANIFEST), await queryDuckDb(path.join(work, 'u.duckdb'), MANIFEST));
  });

  test('a DuckDB file made before the manifest had loaded_from/loaded_to gains them and keeps its rows', async () => {
    const db = path.join(work, 'old.duckdb');
    const instance = await DuckDBInstance.create(db);
    const connection = await instance.connect();
    await connection.run(`CREATE TABLE _velo_files (file_name VARCHAR NOT NULL, size BIGINT, generation VARCHAR, status VARCHAR, format VARCHAR, row_count BIGINT,
      rejected_rows BIGINT, min_record_timestamp TIMESTAMPTZ, max_record_timestamp TIMESTAMPTZ, run_id VARCHAR, loaded_at TIMESTAMPTZ)`);
    await connection.run(`INSERT INTO _velo_files (file_name, size, generation, status) VALUES ('elsewhere.json', 1, '1', 'loaded')`);
    connection.closeSync();
    instance.closeSync();
    const result = await run('old.duckdb', FIRST);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.summary.rows.merged, 15);
    assert.equal((await run('old.duckdb', FIRST)).summary.files.processed, 0);
    assert.deepEqual(await queryDuckDb(db, `SELECT status, loaded_from, loaded_to FROM _velo_files WHERE file_name = 'elsewhere.json'`), [{ status: 'loaded', loaded_from: null, loaded_to: null }]);
  });
});

describe('windowed re-runs on the BigQuery emulator', { skip: SKIP_WITHOUT_EMULATORS }, () => {
  let emu: Emulators | null = null;
  const bucket = uniqueName('velo-window').toLowerCase().replace(/_/g, '-');
  after(() => emu?.stop());

  test('the same window again reads nothing; a later window reads the two files it needs; tables equal one run over both', async () => {
    emu = await startEmulators();
    await uploadFolder(emu.storage, bucket, 'raw/', corpus('vlille/minutes'));
    const work = tempDir();
    const run = (dataset: string, window: string[]) =>
      runJson(['--source', `gs://${bucket}/raw`, '--staging', `gs://${bucket}/staging`, '--warehouse', `bigquery://${emu!.project}/${dataset}`, ...window], { cwd: work, env: emu!.env });
    const first = await run('windows', FIRST);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.summary.files.processed, 9);
    const again = await run('windows', FIRST);
    assert.deepEqual([again.code, again.summary.files.processed, again.summary.rows.merged], [0, 0, 0], again.stderr);
    const later = await run('windows', LATER);
    assert.equal(later.code, 0, later.stderr);
    assert.deepEqual([later.summary.files.processed, later.summary.files.loaded, later.summary.rows.merged], [2, 2, 10]);
    assert.equal((await run('united', UNION)).code, 0);
    assert.deepEqual(await dumpBigQuery(emu.bigquery, emu.project, 'windows'), await dumpBigQuery(emu.bigquery, emu.project, 'united'));
    const ranges = async (dataset: string) => (await emu!.bigquery.query({ query: `SELECT file_name, status, UNIX_MILLIS(loaded_from) AS f, UNIX_MILLIS(loaded_to) AS t FROM \`${emu!.project}.${dataset}._velo_files\` ORDER BY file_name` }))[0];
    assert.deepEqual(await ranges('windows'), await ranges('united'));
  });
});
