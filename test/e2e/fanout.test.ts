/**
 * A Cloud Run Job execution as concurrent processes against the emulators: every task runs the same command
 * line with CLOUD_RUN_TASK_INDEX/COUNT/ATTEMPT and one CLOUD_RUN_EXECUTION; exactly one of them merges, and
 * the tables equal a single-process run's — also when a task is killed mid-slice and retried.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FIXTURES, runCli, runJson, tempDir, type CliOptions } from '../support/cli.js';
import { SKIP_WITHOUT_EMULATORS, startEmulators, uniqueName, uploadFolder, type Emulators } from '../support/gcp.js';
import { dumpBigQuery } from '../support/tables.js';

const TASKS = 4;

// Every test has its own emulator pair (the BigQuery emulator's memory grows with every request and it panics past
// ~2 GB: docs/emulators.md), so the tests also run at once.
describe('fan-out over Cloud Run tasks', { skip: SKIP_WITHOUT_EMULATORS, concurrency: true }, () => {
  const bucket = uniqueName('velo-fanout').toLowerCase().replace(/_/g, '-');
  const work = tempDir();
  const pairs: Emulators[] = [];
  const args = (dataset: string): string[] => ['run', '--source', `gs://${bucket}/raw`, '--staging', `gs://${bucket}/staging`, '--warehouse', `bigquery://test/${dataset}`, '--json'];
  const taskEnv = (emu: Emulators, execution: string, index: number, attempt = 0): NodeJS.ProcessEnv => ({
    ...emu.env,
    CLOUD_RUN_EXECUTION: execution,
    CLOUD_RUN_TASK_INDEX: String(index),
    CLOUD_RUN_TASK_COUNT: String(TASKS),
    CLOUD_RUN_TASK_ATTEMPT: String(attempt),
  });
  const task = (emu: Emulators, dataset: string, execution: string, index: number, options: Omit<CliOptions, 'env'> & { attempt?: number } = {}) =>
    runCli(args(dataset), { cwd: work, ...options, env: taskEnv(emu, execution, index, options.attempt) });
  const summaryOf = (stdout: string): Record<string, any> => JSON.parse(stdout) as Record<string, any>;
  let single: Awaited<ReturnType<typeof dumpBigQuery>>;
  let singleSummary: Record<string, any>;

  /** A fresh pair holding 32 minutes in two folders: the sample corpus and the quirky minutes (stale, duplicated,
   * degraded, DST, gzip), whose minutes overlap in time with different station attributes (lineage must pick the same ones). */
  async function emulators(): Promise<Emulators> {
    const emu = await startEmulators();
    pairs.push(emu);
    await uploadFolder(emu.storage, bucket, 'raw/a/', path.join(FIXTURES, 'sample-corpus'));
    await uploadFolder(emu.storage, bucket, 'raw/b/', path.join(FIXTURES, 'vlille', 'minutes'));
    return emu;
  }

  before(async () => {
    const emu = await emulators();
    const { code, stderr, summary } = await runJson(args('single').slice(1, -1), { cwd: work, env: emu.env });
    assert.equal(code, 0, stderr);
    singleSummary = summary;
    single = await dumpBigQuery(emu.bigquery, emu.project, 'single');
    assert.ok(single.records.length > 5000 && single.stations.length === 289, `${single.records.length} records, ${single.stations.length} stations`);
    await emu.stop();
  });
  after(() => Promise.all(pairs.map((emu) => emu.stop())));

  test(`${TASKS} concurrent tasks: every one exits 0, exactly one merges, tables equal a single run's`, async () => {
    const emu = await emulators();
    const results = await Promise.all(Array.from({ length: TASKS }, (_, index) => task(emu, 'fanned', 'exec-1', index)));
    for (const result of results) assert.equal(result.code, 0, result.stderr);
    const summaries = results.map((result) => summaryOf(result.stdout));
    const statuses = summaries.map((summary) => summary.merge.status).sort();
    assert.deepEqual(statuses, ['left-to-last-task', 'left-to-last-task', 'left-to-last-task', 'merged']);
    assert.equal(results.filter((result) => result.stderr.includes('"message":"merged"')).length, 1, 'one merge in all the logs');
    // The merging task reports the whole execution: every planned file read once (rows staged as in one process).
    const merger = summaries.find((summary) => summary.merge.status === 'merged')!;
    assert.equal(merger.files.processed, 32);
    assert.deepEqual(merger.rows, singleSummary.rows);
    assert.ok(summaries.every((summary) => summary === merger || summary.files.processed < 32), 'the other tasks read a slice each');
    assert.deepEqual(await dumpBigQuery(emu.bigquery, emu.project, 'fanned'), single);
    // Staged shards are gone after the merge; the coordination objects stay (late retries read merged.json).
    const [left] = await emu.storage.bucket(bucket).getFiles({ prefix: 'staging/exec-1/' });
    assert.deepEqual(left.map((file) => file.name.replace('staging/exec-1/', '')).filter((name) => !name.startsWith('_coord/')), []);

    // A task retried after the merge finds it done and exits 0 without reading anything.
    const late = await task(emu, 'fanned', 'exec-1', 1, { attempt: 1 });
    assert.equal(late.code, 0, late.stderr);
    assert.equal(summaryOf(late.stdout).merge.status, 'already-merged');
    assert.equal(summaryOf(late.stdout).files.processed, 0);
  });

  test('a task SIGKILLed mid-slice and retried as attempt 1: same tables, still one merge', async () => {
    const emu = await emulators();
    const killed = task(emu, 'retried', 'exec-2', 2, { killAt: 'staging loaded' });
    const others = [0, 1, 3].map((index) => task(emu, 'retried', 'exec-2', index));
    const [doomed, ...rest] = await Promise.all([killed, ...others]);
    assert.ok(doomed!.killed, 'task 2 was killed after loading part of its slice');
    for (const result of rest) assert.equal(result.code, 0, result.stderr);
    assert.ok(rest.every((result) => summaryOf(result.stdout).merge.status === 'left-to-last-task'), 'nobody merges without task 2');
    const retry = await task(emu, 'retried', 'exec-2', 2, { attempt: 1 });
    assert.equal(retry.code, 0, retry.stderr);
    assert.equal(summaryOf(retry.stdout).merge.status, 'merged');
    assert.deepEqual(await dumpBigQuery(emu.bigquery, emu.project, 'retried'), single);
  });

  test('the merge command finishes an execution whose merging task died, and is idempotent', async () => {
    const emu = await emulators();
    const results = await Promise.all(Array.from({ length: TASKS }, (_, index) => task(emu, 'rescued', 'exec-3', index, { killAt: 'merging' })));
    const killed = results.filter((result) => result.killed);
    assert.equal(killed.length, 1, 'the one task that took the lock died before merging');
    const mergeArgs = ['merge', '--run-id', 'exec-3', '--staging', `gs://${bucket}/staging`, '--warehouse', 'bigquery://test/rescued', '--json'];
    const first = await runCli(mergeArgs, { cwd: work, env: emu.env });
    assert.equal(first.code, 0, first.stderr);
    assert.equal(summaryOf(first.stdout).merge.status, 'merged');
    assert.deepEqual(await dumpBigQuery(emu.bigquery, emu.project, 'rescued'), single);
    const again = await runCli(mergeArgs, { cwd: work, env: emu.env });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(summaryOf(again.stdout).merge.status, 'already-merged');
  });

  test('fan-out needs BigQuery and gs:// staging, and one run id', async () => {
    const duck = await runCli(['run', '--source', path.join(FIXTURES, 'sample-corpus'), '--warehouse', `duckdb:${path.join(work, 'x.duckdb')}`, '--task-count', '2', '--task-index', '0', '--run-id', 'r'], { cwd: work });
    assert.equal(duck.code, 2);
    assert.match(duck.stderr, /need --warehouse bigquery/);
    const noId = await runCli(args('x').concat(['--task-count', '2', '--task-index', '1']), { cwd: work });
    assert.equal(noId.code, 2);
    assert.match(noId.stderr, /one run id/);
  });
});
