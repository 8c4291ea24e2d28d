/** The built CLI end to end on the embedded warehouse: real folder, real DuckDB file, exact counts. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { FIXTURES, REPO, corpus, queryDuckDb, runCli, runJson, tempDir } from '../support/cli.js';

const TABLE_DUMP = {
  records: 'SELECT station_id, etat, nb_velos_dispo, nb_places_dispo, etat_connexion, derniere_maj, record_timestamp FROM records ORDER BY record_timestamp, station_id',
  stations: 'SELECT id, nom, libelle, adresse, commune, type, latitude, longitude, updated_at FROM stations ORDER BY id',
};

describe('run on the V\'lille minutes fixture (every quirk, nothing bad)', () => {
  const work = tempDir();
  const db = path.join(work, 'velo.duckdb');
  const source = corpus('vlille/minutes');
  const args = ['--source', source, '--warehouse', `duckdb:${db}`, '--staging', path.join(work, 'staging')];

  test('first run: exact counts, one row per (station_id, record_timestamp), exit 0', async () => {
    const { code, summary, stderr } = await runJson(args, { cwd: work });
    assert.equal(code, 0, stderr);
    assert.deepEqual(summary.files, { listed: 12, outOfRange: 0, skipped: 0, processed: 12, loaded: 11, read: 0, degraded: 1, rejected: 0 });
    // 11 loaded files × 5 stations; the stale repeat and the byte-identical copy add 10 duplicates.
    assert.deepEqual(summary.rows, { staged: 55, rejected: 0, outOfRange: 0, duplicate: 10, merged: 45, degradedRecords: 5 });
    assert.deepEqual(summary.degradedFiles, ['data___2023_08_24_20_11_01.json']);
    assert.equal(summary.deadLetter, null);
    const [counts] = await queryDuckDb(db, 'SELECT COUNT(*) AS n, COUNT(DISTINCT (station_id, record_timestamp)) AS keys FROM records');
    assert.deepEqual(counts, { n: 45, keys: 45 });
    assert.deepEqual(readdirSync(path.join(work, 'staging')), [], 'the run\'s staging folder is removed after the merge');
  });

  test('time zones: winter +01:00, summer +02:00 and both sides of the DST change land as UTC instants', async () => {
    const rows = await queryDuckDb(db, `SELECT DISTINCT strftime(record_timestamp, '%Y-%m-%dT%H:%M:%S.%g') AS ts FROM records WHERE station_id = 1 ORDER BY ts`);
    assert.deepEqual(rows.map((r) => r.ts), [
      '2023-01-15T06:59:00.457',
      '2023-08-24T18:08:00.560',
      '2023-08-24T18:09:00.849',
      '2023-08-24T18:12:00.700',
      '2023-08-24T18:15:00.560',
      '2023-08-24T18:16:00.849',
      '2023-08-24T18:17:00.700',
      '2023-10-29T00:29:00.944',
      '2023-10-29T01:29:00.120',
    ]);
  });

  test('stations: one row each, latest observation wins even when its file name sorts first', async () => {
    const stations = await queryDuckDb(db, 'SELECT id, nom, libelle, source_file FROM stations ORDER BY id');
    assert.deepEqual(stations.map((s) => s.id), [1, 2, 3, 4, 10]);
    const three = stations.find((s) => s.id === 3)!;
    assert.equal(three.nom, 'HÔTEL DE VILLE (PROVISOIRE)');
    assert.equal(three.libelle, '3');
    assert.equal(three.source_file, 'data___2023_10_29_02_30_00.json');
  });

  test('a second run skips every file and changes nothing', async () => {
    const before = { records: await queryDuckDb(db, TABLE_DUMP.records), stations: await queryDuckDb(db, TABLE_DUMP.stations) };
    const { code, summary } = await runJson(args, { cwd: work });
    assert.equal(code, 0);
    assert.equal(summary.files.skipped, 12);
    assert.equal(summary.files.processed, 0);
    assert.equal(summary.rows.merged, 0);
    assert.deepEqual({ records: await queryDuckDb(db, TABLE_DUMP.records), stations: await queryDuckDb(db, TABLE_DUMP.stations) }, before);
  });

  test('--force reprocesses every file and still adds no duplicate', async () => {
    const before = await queryDuckDb(db, TABLE_DUMP.records);
    const { code, summary } = await runJson([...args, '--force'], { cwd: work });
    assert.equal(code, 0);
    assert.equal(summary.files.processed, 12);
    assert.equal(summary.rows.staged, 55);
    assert.equal(summary.rows.merged, 0);
    assert.equal(summary.rows.duplicate, 55);
    assert.deepEqual(await queryDuckDb(db, TABLE_DUMP.records), before);
  });

  test('the streaming path (huge-file mode) gives the same tables', async () => {
    const db2 = path.join(work, 'streamed.duckdb');
    const { code, summary } = await runJson(['--source', source, '--warehouse', `duckdb:${db2}`, '--stream-threshold-mb', '0.000001', '--staging', path.join(work, 's2')], { cwd: work });
    assert.equal(code, 0);
    assert.equal(summary.rows.merged, 45);
    assert.deepEqual(await queryDuckDb(db2, TABLE_DUMP.records), await queryDuckDb(db, TABLE_DUMP.records));
    assert.deepEqual(await queryDuckDb(db2, TABLE_DUMP.stations), await queryDuckDb(db, TABLE_DUMP.stations));
  });
});

describe('hostile files next to good ones', () => {
  const work = tempDir();
  const db = path.join(work, 'velo.duckdb');
  const deadLetter = path.join(work, 'dead.ndjson');
  const source = corpus('vlille/hostile', 'vlille/minutes');

  test('every bad file and record is in the dead-letter file with its reason; all good rows load; exit 3', async () => {
    const { code, summary, stderr } = await runJson(['--source', source, '--warehouse', `duckdb:${db}`, '--dead-letter', deadLetter], { cwd: work });
    assert.equal(code, 3, stderr);
    assert.equal(summary.files.rejected, 5);
    assert.equal(summary.files.loaded, 11 + 3);
    assert.equal(summary.rows.rejected, 3);
    assert.equal(summary.rows.merged, 45 + 2 + 5 + 5);
    const entries = readFileSync(deadLetter, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const byFile = new Map<string, Record<string, unknown>[]>();
    for (const entry of entries) byFile.set(String(entry.file), [...(byFile.get(String(entry.file)) ?? []), entry]);
    assert.deepEqual(
      Object.fromEntries([...byFile].filter(([, list]) => list.length === 1).map(([file, [entry]]) => [file, entry!.code])),
      {
        'data___2023_08_24_20_22_00.json': 'TRUNCATED',
        'data___2023_08_24_20_23_00.json': 'EMPTY',
        'data___2023_08_24_20_24_00.json': 'NOT_JSON',
        'data___2023_08_24_20_25_00.json': 'UNKNOWN_SHAPE',
        'data___2023_08_24_20_26_00.json': 'NOT_UTF8',
      },
    );
    const rows = byFile.get('data___2023_08_24_20_20_00.json')!;
    assert.deepEqual(rows.map((r) => [r.code, r.record_index]), [['ROW_INVALID', 0], ['ROW_INVALID', 1], ['ROW_INVALID', 2]]);
    assert.match(String(rows[0]!.reason), /station id/);
    assert.match(String(rows[1]!.reason), /nbvelosdispo/);
    assert.match(String(rows[2]!.reason), /record_timestamp/);
    for (const entry of entries) assert.ok(String(entry.reason).length > 5 && entry.run_id);
    const [good] = await queryDuckDb(db, `SELECT COUNT(*) AS n FROM records WHERE source_file IN ('data___2023_08_24_20_20_00.json', 'data___2023_08_24_20_21_00.json')`);
    assert.equal(good!.n, 7);
    const [odd] = await queryDuckDb(db, `SELECT COUNT(*) AS n FROM records WHERE source_file = 'data___2023_08_24_20_28_00.json'`);
    assert.equal(odd!.n, 5);
  });

  test('the streaming path (huge-file mode) sets aside the same files and loads the same rows', async () => {
    const dead = path.join(work, 'dead-streamed.ndjson');
    const { code, summary } = await runJson(['--source', source, '--warehouse', `duckdb:${path.join(work, 'streamed.duckdb')}`, '--stream-threshold-mb', '0.000001', '--dead-letter', dead], { cwd: work });
    assert.equal(code, 3);
    assert.deepEqual(summary.files, { listed: 20, outOfRange: 0, skipped: 0, processed: 20, loaded: 14, read: 0, degraded: 1, rejected: 5 });
    assert.equal(summary.rows.merged, 45 + 2 + 5 + 5);
    const codes = readFileSync(dead, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const byFile = Object.fromEntries(codes.filter((e) => e.code !== 'ROW_INVALID').map((e) => [e.file, e.code]));
    // The same reasons as the whole-file path: invalid UTF-8 is caught while streaming (not read with replacement
    // characters), and a document that stops early is TRUNCATED, not merely "not JSON".
    assert.deepEqual(byFile, {
      'data___2023_08_24_20_22_00.json': 'TRUNCATED',
      'data___2023_08_24_20_23_00.json': 'EMPTY',
      'data___2023_08_24_20_24_00.json': 'NOT_JSON',
      'data___2023_08_24_20_25_00.json': 'UNKNOWN_SHAPE',
      'data___2023_08_24_20_26_00.json': 'NOT_UTF8',
    });
  });

  test('odd but legal strings survive the round trip (a lone surrogate becomes U+FFFD)', async () => {
    const only = tempDir('velo-odd-');
    cpSync(path.join(source, 'data___2023_08_24_20_28_00.json'), path.join(only, 'data___2023_08_24_20_28_00.json'));
    const oddDb = path.join(work, 'odd.duckdb');
    const { code } = await runJson(['--source', only, '--warehouse', `duckdb:${oddDb}`], { cwd: work });
    assert.equal(code, 0);
    const [station] = await queryDuckDb(oddDb, `SELECT nom, adresse, commune FROM stations WHERE id = 1`);
    assert.deepEqual(station, { nom: 'GARE \uFFFD LILLE', adresse: 'RUE "DU" \\ PAS \u0000', commune: 'LILLE 🚲' });
  });

  test('a file that cannot be read is set aside with the reason; the rest of its batch loads', async () => {
    const folder = tempDir('velo-unreadable-');
    cpSync(corpus('vlille/minutes'), folder, { recursive: true });
    symlinkSync(path.join(folder, 'gone.json'), path.join(folder, 'data___2023_08_24_20_10_30.json'));
    const dead = path.join(work, 'dead-unreadable.ndjson');
    // Explicit --workers/--concurrency: files go 2 per task (the last 8 one per task), so the unreadable 4th file
    // shares its task with a readable one.
    const args = ['--source', folder, '--warehouse', `duckdb:${path.join(work, 'unreadable.duckdb')}`, '--dead-letter', dead, '--workers', '2', '--concurrency', '8'];
    const { code, summary, stderr } = await runJson(args, { cwd: work });
    assert.equal(code, 3, stderr);
    assert.deepEqual(summary.files, { listed: 13, outOfRange: 0, skipped: 0, processed: 13, loaded: 11, read: 0, degraded: 1, rejected: 1 });
    assert.equal(summary.rows.merged, 45);
    const [entry] = readFileSync(dead, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.equal(entry!.file, 'data___2023_08_24_20_10_30.json');
    assert.equal(entry!.code, 'READ_FAILED');
    assert.match(String(entry!.reason), /ENOENT/);
  });

  test('a re-run retries only the rejected files, and adds nothing', async () => {
    const { code, summary } = await runJson(['--source', source, '--warehouse', `duckdb:${db}`, '--dead-letter', path.join(work, 'dead2.ndjson')], { cwd: work });
    assert.equal(code, 3);
    assert.equal(summary.files.processed, 5);
    assert.equal(summary.files.rejected, 5);
    assert.equal(summary.rows.merged, 0);
  });
});

describe('date windows', () => {
  test('--from/--to cut exactly on record_timestamp; cut files are read again by the run that covers them', async () => {
    const work = tempDir();
    const db = path.join(work, 'velo.duckdb');
    const source = corpus('vlille/minutes');
    const base = ['--source', source, '--warehouse', `duckdb:${db}`];
    // 20:09 up to 20:16 Paris: minutes 20:09, 20:12, 20:15 (and not 20:08, 20:16, 20:17).
    const first = await runJson([...base, '--from', '2023-08-24T20:09', '--to', '2023-08-24T20:16'], { cwd: work });
    assert.equal(first.code, 0);
    assert.equal(first.summary.files.outOfRange, 3, 'January and the two October files are far outside');
    assert.equal(first.summary.rows.merged, 15);
    const [inside] = await queryDuckDb(db, `SELECT COUNT(*) AS n, MIN(record_timestamp) AS lo, MAX(record_timestamp) AS hi FROM records`);
    assert.equal(inside!.n, 15);
    // The whole range afterwards loads the rest, without duplicates.
    const second = await runJson(base, { cwd: work });
    assert.equal(second.code, 0);
    assert.equal(second.summary.rows.merged, 30);
    const [all] = await queryDuckDb(db, 'SELECT COUNT(*) AS n FROM records');
    assert.equal(all!.n, 45);
  });
});

describe('usage errors', () => {
  test('bad flags exit 2 with a message that says how to fix them', async () => {
    const cases: [string[], RegExp][] = [
      [['run'], /Missing required argument: source/],
      [['run', '--source', 'x', '--warehouse', 'postgres://x'], /use duckdb:FILE/],
      [['run', '--source', 'x', '--from', 'yesterday'], /--from "yesterday" is not a date/],
      [['run', '--source', 'x', '--timezone', 'Mars/Olympus'], /unknown --timezone/],
      [['run', '--source', 'x', '--bogus'], /Unknown argument/],
      [['run', '--source', 'x', '--duckdb-memory', 'lots'], /--duckdb-memory "lots": use a size such as 128MB/],
      [['run', '--source', 'x', '--warehouse', 'bigquery://my-project/vlille'], /--staging gs:/],
      [['frobnicate'], /Unknown argument|command/i],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(args);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message);
    }
  });

  test('a missing source folder is a usage error, not a crash, and leaves no empty DuckDB file behind', async () => {
    const work = tempDir();
    const db = path.join(work, 'v.duckdb');
    const result = await runCli(['run', '--source', path.join(work, 'nope'), '--warehouse', `duckdb:${db}`]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /cannot read source folder/);
    // A new warehouse is only opened (created) once there are files to read.
    assert.equal(existsSync(db), false);
  });

  test('a new DuckDB file in a folder that does not exist: exit 2 before any file is read', async () => {
    const work = tempDir();
    const staging = path.join(work, 'staging');
    const result = await runCli(['run', '--source', path.join(FIXTURES, 'sample-corpus'), '--warehouse', `duckdb:${path.join(work, 'no-such-dir', 'v.duckdb')}`, '--staging', staging, '--verbose']);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /the folder .*no-such-dir does not exist or is not writable/);
    assert.doesNotMatch(result.stderr, /planned|read and staged/);
    assert.equal(result.stdout, '');
  });

  test('--help explains the options with examples', async () => {
    const result = await runCli(['run', '--help']);
    assert.equal(result.code, 0);
    for (const option of ['--source', '--warehouse', '--from', '--to', '--timezone', '--run-id', '--dead-letter', '--force', '--json']) assert.ok(result.stdout.includes(option), option);
    assert.match(result.stdout, /Examples:/);
  });
});

describe('busy or wrong targets', () => {
  const work = tempDir();
  const sample = path.join(FIXTURES, 'sample-corpus');

  /** Holds a DuckDB file's write lock in another process until the returned function is called. */
  async function holdLock(file: string): Promise<() => Promise<void>> {
    const child = spawn(process.execPath, ['-e', `const {DuckDBInstance}=require('@duckdb/node-api');DuckDBInstance.create(process.argv[1]).then(()=>{console.log('locked');setInterval(()=>{},1000)})`, file], { cwd: REPO });
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    return async () => {
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('close', resolve));
    };
  }

  test('a DuckDB file another process is writing: exit 75 with a clear message; --wait-lock waits for it', async () => {
    const db = path.join(work, 'busy.duckdb');
    const release = await holdLock(db);
    const busy = await runCli(['run', '--source', sample, '--warehouse', `duckdb:${db}`], { cwd: work });
    assert.equal(busy.code, 75, busy.stderr);
    assert.match(busy.stderr, /is being written by another process.*--wait-lock.*running the same command again is safe/);
    const waiting = runJson(['--source', sample, '--warehouse', `duckdb:${db}`, '--wait-lock', '30'], { cwd: work });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await release();
    const waited = await waiting;
    assert.equal(waited.code, 0, waited.stderr);
    assert.equal(waited.summary.rows.merged, 19 * 289);
  });

  test('a path that is not a DuckDB database: exit 2, and the file is left as it was', async () => {
    const text = path.join(work, 'notes.txt');
    writeFileSync(text, 'not a database\n');
    const result = await runCli(['run', '--source', sample, '--warehouse', `duckdb:${text}`], { cwd: work });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /cannot be used as a DuckDB database.*not a valid DuckDB database file/);
    assert.equal(readFileSync(text, 'utf8'), 'not a database\n');
  });

  // DuckDB opens an existing *.csv/*.parquet as an in-memory database reading it: a run used to print
  // "merged (new) 289" and write nothing. Any existing file that is not a database is refused, whatever its name.
  for (const [name, bytes] of [['rows.csv', 'a,b\n1,2\n'], ['rows.parquet', 'PAR1 not really'], ['rows.json', '{"a": 1}\n'], ['rows.TSV.gz', 'x'], ['empty.duckdb', '']] as const) {
    test(`an existing ${name} that is not a DuckDB database: run and check exit 2, the file is unchanged, no WAL`, async () => {
      const file = path.join(work, name);
      writeFileSync(file, bytes);
      const result = await runCli(['run', '--source', sample, '--warehouse', `duckdb:${file}`], { cwd: work });
      assert.equal(result.code, 2, result.stdout + result.stderr);
      assert.match(result.stderr, /cannot be used as a DuckDB database/);
      assert.doesNotMatch(result.stdout + result.stderr, /merged/);
      const check = await runCli(['check', '--warehouse', `duckdb:${file}`], { cwd: work });
      assert.equal(check.code, 2, check.stdout + check.stderr);
      assert.match(check.stderr, /cannot be used as a DuckDB database/);
      assert.equal(readFileSync(file, 'utf8'), bytes);
      assert.ok(!existsSync(`${file}.wal`), 'a WAL was written next to it');
    });
  }

  test('no token, secret or key path in any output, even when credentials fail', async () => {
    const secrets = { GOOGLE_APPLICATION_CREDENTIALS: path.join(work, 'velo-secret-key-0f3a9.json'), CLOUDSDK_AUTH_ACCESS_TOKEN: 'ya29.fake-secret-token-8c21', VELO_TEST_API_TOKEN: 'tok-secret-55aa77' };
    // No endpoint: the clients look for credentials and fail on the missing key file before any request
    // (a proxy on a closed loopback port catches anything that would still leave the machine).
    const env = { ...secrets, HTTPS_PROXY: 'http://127.0.0.1:9', HTTP_PROXY: 'http://127.0.0.1:9', VELO_GCS_ENDPOINT: '', VELO_BIGQUERY_ENDPOINT: '' };
    const result = await runCli(['run', '--source', 'gs://velo-no-such-bucket/raw', '--staging', 'gs://velo-no-such-bucket/staging', '--warehouse', 'bigquery://velo-test-project/ds', '--verbose'], { cwd: work, env });
    assert.notEqual(result.code, 0);
    const output = result.stdout + result.stderr;
    assert.ok(output.length > 0);
    for (const value of Object.values(secrets)) assert.ok(!output.includes(value), `${value} leaked:\n${output}`);
    assert.ok(!output.includes('velo-secret-key'), 'the key file name leaked');
  });
});
