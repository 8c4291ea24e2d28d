/**
 * `velo-backfill check` on the embedded warehouse, through the built CLI: a clean backfill passes every
 * check; each injected problem (test/check/injections.ts) fails exactly its check with the exact count.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { corpus, runCli, runJson, tempDir } from '../support/cli.js';
import { assertOnly, checkJson } from './helpers.js';
import { dialectSql, INJECTIONS } from './injections.js';

const work = tempDir('velo-check-');
const base = path.join(work, 'sample.duckdb');

async function sql(file: string, statements: string[]): Promise<void> {
  const instance = await DuckDBInstance.create(file);
  const connection = await instance.connect();
  try {
    await connection.run(`SET TimeZone = 'UTC'`);
    for (const statement of statements) await connection.run(statement);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** A copy of the clean backfill, with `statements` applied. */
async function copyWith(name: string, statements: string[]): Promise<string> {
  const file = path.join(work, `${name}.duckdb`);
  copyFileSync(base, file);
  await sql(file, statements);
  return file;
}

before(async () => {
  const { code, stderr } = await runJson(['--source', corpus('sample-corpus'), '--warehouse', `duckdb:${base}`, '--staging', path.join(work, 'staging'), '--dead-letter', path.join(work, 'dead.ndjson')], { cwd: work });
  assert.equal(code, 0, stderr);
});

describe('a clean backfill of the sample corpus', () => {
  test('passes every check (freshness too, with a generous --max-age); exit 0', async () => {
    const { code, report } = await checkJson(['--warehouse', `duckdb:${base}`, '--max-age', '36500d']);
    assert.equal(code, 0);
    assert.equal(report.status, 'pass');
    assertOnly(report, {});
    assert.deepEqual(report.checks.map((c) => c.name), ['snapshot_completeness', 'gaps', 'duplicates', 'nulls', 'negative_counts', 'capacity', 'stale_stations', 'orphans', 'freshness', 'manifest']);
    assert.deepEqual(report.summary, { rows: 19 * 289, snapshots: 19, firstSnapshot: '2023-08-24T18:00:00.944Z', lastSnapshot: '2023-08-24T18:19:00.120Z', typicalStations: 289, expectedStations: 289 });
  });

  test('the default table: one line per check, freshness skipped without --max-age, PASS', async () => {
    const { code, stdout } = await runCli(['check', '--warehouse', `duckdb:${base}`]);
    assert.equal(code, 0);
    for (const name of ['snapshot_completeness', 'gaps', 'duplicates', 'nulls', 'negative_counts', 'capacity', 'stale_stations', 'orphans', 'manifest']) {
      assert.match(stdout, new RegExp(`^  ${name} +(error|warn) +✓ pass +0 `, 'm'));
    }
    assert.match(stdout, /^ {2}freshness +– skip +not run: give --max-age$/m);
    assert.match(stdout, /5,491 rows in 19 snapshots, 2023-08-24 20:00:00\+02:00 → 20:19:00\+02:00 · 289 stations per snapshot/);
    assert.match(stdout, /^PASS /m);
  });

  test('thresholds move the verdicts: --max-gap 90s finds the degraded minute, --expected-stations 290 every snapshot', async () => {
    const { code, report } = await checkJson(['--warehouse', `duckdb:${base}`, '--max-gap', '90s', '--expected-stations', '290']);
    assert.equal(code, 4);
    assertOnly(report, { gaps: 1, snapshot_completeness: 19 });
    const gaps = report.checks.find((c) => c.name === 'gaps')!;
    assert.deepEqual(gaps.examples, [{ start: '2023-08-24T18:10:00.700Z', end: '2023-08-24T18:12:00.944Z', duration_seconds: 120 }]);
    const incomplete = report.checks.find((c) => c.name === 'snapshot_completeness')!;
    assert.equal(incomplete.examples.length, 10);
    assert.deepEqual(incomplete.examples[0], { record_timestamp: '2023-08-24T18:00:00.944Z', stations: 289, missing: 1 });
  });

  test('a window: its given ends are edges of the series; inside it, only its rows count', async () => {
    const early = await checkJson(['--warehouse', `duckdb:${base}`, '--from', '2023-08-24T19:00', '--to', '2023-08-24T20:20']);
    assertOnly(early.report, { gaps: 1 });
    assert.deepEqual(early.report.checks.find((c) => c.name === 'gaps')!.examples, [{ start: '2023-08-24T17:00:00.000Z', end: '2023-08-24T18:00:00.944Z', duration_seconds: 3600 }]);
    const inside = await checkJson(['--warehouse', `duckdb:${base}`, '--from', '2023-08-24T20:05', '--to', '2023-08-24T20:10']);
    assert.equal(inside.code, 0);
    assertOnly(inside.report, {});
    assert.equal(inside.report.summary.snapshots, 5);
  });
});

describe('each injected problem fails exactly its check', () => {
  for (const injection of INJECTIONS) {
    test(`${injection.check}: ${injection.what}`, async () => {
      const file = await copyWith(injection.check, injection.statements(dialectSql('duckdb')));
      const { code, report, stderr } = await checkJson(['--warehouse', `duckdb:${file}`, ...(injection.flags ?? [])]);
      assertOnly(report, { [injection.check]: injection.count });
      const severity = report.checks.find((c) => c.name === injection.check)!.severity;
      assert.equal(code, severity === 'error' ? 4 : 0, stderr);
      if (severity === 'warn') {
        const strict = await checkJson(['--warehouse', `duckdb:${file}`, '--strict', ...(injection.flags ?? [])]);
        assert.equal(strict.code, 4, 'a warning fails the run under --strict');
        assert.deepEqual(strict.report.failing, [injection.check]);
      }
    });
  }

  test('examples show the rows: duplicates per key, capacity against the station capacity, manifest per file', async () => {
    const [duplicates, capacity, manifest] = await Promise.all(
      ['duplicates', 'capacity', 'manifest'].map(async (name) => (await checkJson(['--warehouse', `duckdb:${path.join(work, `${name}.duckdb`)}`])).report.checks.find((c) => c.name === name)!),
    );
    assert.deepEqual(duplicates!.examples.map((x) => [x.station_id, x.copies]), [[1, 3], [2, 2]]);
    assert.equal(capacity!.examples.length, 1);
    assert.equal(Number(capacity!.examples[0]!.bikes_plus_docks) - Number(capacity!.examples[0]!.capacity), 25);
    assert.deepEqual(manifest!.examples.map((x) => [x.file_name, x.problem]), [
      ['data___2023_08_24_20_16_00.json', 'no rows in its time range'],
      ['data___lost_in_space.json', 'not in the manifest'],
    ]);
  });
});

describe('the V\'lille minutes fixture (months apart by design)', () => {
  test('a clean backfill passes every check but gaps, which finds the three long holes', async () => {
    const db = path.join(work, 'minutes.duckdb');
    const run = await runJson(['--source', corpus('vlille/minutes'), '--warehouse', `duckdb:${db}`, '--staging', path.join(work, 'staging-m')], { cwd: work });
    assert.equal(run.code, 0, run.stderr);
    const { code, report } = await checkJson(['--warehouse', `duckdb:${db}`]);
    assert.equal(code, 4);
    assertOnly(report, { gaps: 3 });
    const relaxed = await checkJson(['--warehouse', `duckdb:${db}`, '--max-gap', '400d']);
    assert.equal(relaxed.code, 0);
    assertOnly(relaxed.report, {});
  });
});

describe('usage, files and exit codes', () => {
  test('a DuckDB file that does not exist: exit 2, a clear message, and no file created', async () => {
    const missing = path.join(work, 'nope.duckdb');
    const { code, stderr } = await runCli(['check', '--warehouse', `duckdb:${missing}`]);
    assert.equal(code, 2);
    assert.match(stderr, /nope\.duckdb: no such file\. check reads an existing warehouse/);
    assert.equal(existsSync(missing), false);
  });

  test('a DuckDB file without the tables: exit 2', async () => {
    const empty = path.join(work, 'empty.duckdb');
    await sql(empty, ['CREATE TABLE unrelated (x INTEGER)']);
    const { code, stderr } = await runCli(['check', '--warehouse', `duckdb:${empty}`]);
    assert.equal(code, 2);
    assert.match(stderr, /has no velo-backfill tables/);
  });

  test('bad flags are all reported at once: exit 2', async () => {
    const { code, stderr } = await runCli(['check', '--warehouse', `duckdb:${base}`, '--max-gap', '5', '--max-staleness', 'soon', '--expected-stations', '-3', '--capacity-support', '0']);
    assert.equal(code, 2);
    for (const pattern of [/--max-gap "5" is not a duration/, /--max-staleness "soon"/, /--expected-stations must be a whole number/, /--capacity-support must be a percentage/]) assert.match(stderr, pattern);
    const format = await runCli(['check', '--warehouse', `duckdb:${base}`, '--format', 'pdf']);
    assert.equal(format.code, 2);
    assert.match(format.stderr, /Choices: "table", "json", "html"[\s\S]*velo-backfill check --help/);
  });

  test('a warehouse another process is writing: exit 75 (retry later)', async () => {
    const instance = await DuckDBInstance.create(base);
    try {
      const { code, stderr } = await runCli(['check', '--warehouse', `duckdb:${base}`]);
      assert.equal(code, 75, stderr);
      assert.match(stderr, /is being written by another process.*--wait-lock/);
    } finally {
      instance.closeSync();
    }
  });

  test('--output writes the report (json or html) and still prints the table', async () => {
    const json = path.join(work, 'report.json');
    const html = path.join(work, 'report.html');
    const a = await runCli(['check', '--warehouse', `duckdb:${base}`, '--format', 'json', '--output', json]);
    const b = await runCli(['check', '--warehouse', `duckdb:${base}`, '--format', 'html', '--output', html]);
    assert.equal(a.code, 0);
    assert.equal(b.code, 0);
    assert.equal((JSON.parse(readFileSync(json, 'utf8')) as { status: string }).status, 'pass');
    assert.match(readFileSync(html, 'utf8'), /^<!doctype html>[\s\S]*<svg id="stations-chart"[\s\S]*<\/html>\n$/);
    assert.match(a.stdout, /^PASS /m);
    assert.match(b.stdout, /^PASS /m);
  });
});

