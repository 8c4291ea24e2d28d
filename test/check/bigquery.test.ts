/**
 * `velo-backfill check` on BigQuery, against a private bigquery-emulator: the same injections as on DuckDB,
 * each into copies of a clean backfill's tables, and the same verdicts, counts and examples as DuckDB gives.
 */
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { corpus, FIXTURES, runCli, runJson, tempDir } from '../support/cli.js';
import { SKIP_WITHOUT_EMULATORS, startEmulators, uniqueName, uploadFolder, type Emulators } from '../support/gcp.js';
import { assertOnly, checkJson, type CheckJson } from './helpers.js';
import { dialectSql, INJECTIONS } from './injections.js';

const TABLES = ['records', 'stations', '_velo_files'] as const;

/** What must agree between the warehouses: every check's verdict, count and examples (but ages, which tick), and the summary. */
function comparable(report: CheckJson): unknown {
  const checks = report.checks.map((c) => ({ ...c, examples: c.examples.map(({ age_seconds: _age, ...rest }) => rest) }));
  return { summary: report.summary, checks, skipped: report.skipped };
}

/**
 * The emulator's memory grows with every query (docs/emulators.md) and it slows down, then panics past 2 GB:
 * a fresh pair, with the clean backfill loaded again, every few check runs.
 */
const CHECK_RUNS_PER_PAIR = 2;
/** Emulator pairs the tests share out, a test at a time on each (the emulator is single-threaded per request). */
const LANES = 3;

/** One emulator pair at a time, holding a clean backfill of the sample corpus in `BASE_DATASET`; its tests queue. */
class Lane {
  private emu: Emulators | null = null;
  private checkRuns = 0;
  private queue: Promise<unknown> = Promise.resolve();
  /** Tests queued or running on this lane. */
  pending = 0;

  constructor(private readonly work: string) {}

  /** Runs `fn` after the lane's earlier tests, on its pair (refreshed every CHECK_RUNS_PER_PAIR check runs). */
  run<T>(fn: (emu: Emulators, countCheckRuns: (n: number) => void) => Promise<T>): Promise<T> {
    this.pending += 1;
    const result = this.queue.then(async () => fn(await this.emulators(), (n) => (this.checkRuns += n)));
    this.queue = result.catch(() => undefined).finally(() => (this.pending -= 1));
    return result;
  }

  private async emulators(): Promise<Emulators> {
    if (this.emu && this.checkRuns < CHECK_RUNS_PER_PAIR) return this.emu;
    await this.emu?.stop();
    this.emu = null;
    const emu = await startEmulators();
    try {
      const bucket = uniqueName('velo-check').toLowerCase().replace(/_/g, '-');
      await uploadFolder(emu.storage, bucket, 'raw/', path.join(FIXTURES, 'sample-corpus'));
      const bq = await runJson(['--source', `gs://${bucket}/raw`, '--staging', `gs://${bucket}/staging`, '--warehouse', `bigquery://${emu.project}/${BASE_DATASET}`], { cwd: this.work, env: emu.env });
      assert.equal(bq.code, 0, bq.stderr);
    } catch (error) {
      // A pair without the clean backfill is no use to the lane's next test: it starts again.
      await emu.stop();
      throw error;
    }
    this.checkRuns = 0;
    this.emu = emu;
    return emu;
  }

  stop(): Promise<void> {
    return this.queue.then(() => this.emu?.stop());
  }
}

const BASE_DATASET = 'check_base';

describe('check against the BigQuery emulator', { skip: SKIP_WITHOUT_EMULATORS, concurrency: LANES }, () => {
  const work = tempDir('velo-check-bq-');
  const baseDataset = BASE_DATASET;
  const baseDuckDb = path.join(work, 'base.duckdb');
  const lanes = Array.from({ length: LANES }, () => new Lane(tempDir('velo-check-bq-lane-')));
  /** The lane of a test that starts: the least busy one. */
  const lane = (): Lane => lanes.reduce((least, l) => (l.pending < least.pending ? l : least));

  before(async () => {
    const duck = await runJson(['--source', corpus('sample-corpus'), '--warehouse', `duckdb:${baseDuckDb}`, '--staging', path.join(work, 'staging')], { cwd: work });
    assert.equal(duck.code, 0, duck.stderr);
  });
  after(() => Promise.all(lanes.map((l) => l.stop())));

  /** A dataset holding copies of the clean backfill's tables, with `statements` applied. */
  async function datasetWith(emu: Emulators, statements: (dataset: string) => string[]): Promise<string> {
    const dataset = uniqueName('check');
    await emu.bigquery.createDataset(dataset);
    for (const table of TABLES) {
      await emu.bigquery.query({ query: `CREATE TABLE \`${emu.project}.${dataset}.${table}\` AS SELECT * FROM \`${emu.project}.${baseDataset}.${table}\`` });
    }
    for (const query of statements(`${emu.project}.${dataset}`)) await emu.bigquery.query({ query });
    return dataset;
  }

  async function duckDbWith(name: string, statements: string[]): Promise<string> {
    const file = path.join(work, `${name}.duckdb`);
    copyFileSync(baseDuckDb, file);
    const instance = await DuckDBInstance.create(file);
    const connection = await instance.connect();
    for (const statement of statements) await connection.run(statement);
    connection.closeSync();
    instance.closeSync();
    return file;
  }

  async function bigquery(emu: Emulators, countCheckRuns: (n: number) => void, dataset: string, flags: string[] = []): Promise<Awaited<ReturnType<typeof checkJson>>> {
    countCheckRuns(1);
    return checkJson(['--warehouse', `bigquery://${emu.project}/${dataset}`, ...flags], { env: emu.env });
  }

  test('a clean backfill passes every check, with the same summary as on DuckDB', () => lane().run(async (emu, count) => {
    const flags = ['--max-age', '36500d'];
    const { code, report, stderr } = await bigquery(emu, count, baseDataset, flags);
    assert.equal(code, 0, stderr);
    assertOnly(report, {});
    const duck = await checkJson(['--warehouse', `duckdb:${baseDuckDb}`, ...flags]);
    assert.deepEqual(comparable(report), comparable(duck.report));
  }));

  for (const [index, injection] of INJECTIONS.entries()) {
    test(`${injection.check}: ${injection.what} — and DuckDB says the same`, () => lane().run(async (emu, count) => {
      const dataset = await datasetWith(emu, (qualified) => injection.statements(dialectSql('bigquery', qualified)));
      const { code, report, stderr } = await bigquery(emu, count, dataset, injection.flags);
      assertOnly(report, { [injection.check]: injection.count }, stderr);
      assert.equal(code, report.checks.find((c) => c.name === injection.check)!.severity === 'error' ? 4 : 0);
      const file = await duckDbWith(`${injection.check}-${index}`, injection.statements(dialectSql('duckdb')));
      const duck = await checkJson(['--warehouse', `duckdb:${file}`, ...(injection.flags ?? [])]);
      assert.deepEqual(comparable(report), comparable(duck.report));
    }));
  }

  test('thresholds and a window behave as on DuckDB', () => lane().run(async (emu, count) => {
    const flags = ['--max-gap', '90s', '--expected-stations', '290', '--from', '2023-08-24T19:00', '--to', '2023-08-24T20:15'];
    const bq = await bigquery(emu, count, baseDataset, flags);
    assert.equal(bq.code, 4);
    assertOnly(bq.report, { gaps: 2, snapshot_completeness: 14 });
    const duck = await checkJson(['--warehouse', `duckdb:${baseDuckDb}`, ...flags]);
    assert.deepEqual(comparable(bq.report), comparable(duck.report));
  }));

  test('a dataset without the tables is a usage error (exit 2); the HTML report renders from BigQuery too', () => lane().run(async (emu, count) => {
    count(2);
    const missing = await runCli(['check', '--warehouse', `bigquery://${emu.project}/never_loaded`], { env: emu.env });
    assert.equal(missing.code, 2, missing.stderr);
    assert.match(missing.stderr, /has no velo-backfill tables/);
    const html = await runCli(['check', '--warehouse', `bigquery://${emu.project}/${baseDataset}`, '--format', 'html'], { env: emu.env });
    assert.equal(html.code, 0, html.stderr);
    assert.match(html.stdout, /<svg id="stations-chart"[\s\S]*<path class="series"/);
  }));
});
