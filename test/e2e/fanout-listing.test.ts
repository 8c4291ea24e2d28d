/**
 * Listing that scales with the files, not files × tasks: 2,000 minutes in gs:// read by 8 concurrent Cloud Run
 * tasks. One task lists the window and writes plan.json; the others list only their slice's key range. The
 * object entries listed are counted at a proxy in front of fake-gcs-server: at most 2 × 2,000 for the execution,
 * and no task but the planner holds more than its own slice's listing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DateTime } from 'luxon';
import PQueue from 'p-queue';
import { runCli, tempDir } from '../support/cli.js';
import { SKIP_WITHOUT_EMULATORS, startEmulators, uniqueName, type Emulators } from '../support/gcp.js';
import { startProxy, type HttpProxy } from '../support/http-proxy.js';
import { fileName, minuteDocument, pythonJson, stationCatalog } from '../support/vlille-synth.js';

const FILES = 2_000;
const TASKS = 8;
const STATIONS = 2;

/** The JSON log lines of a task's stderr with this message. */
function logLines(stderr: string, message: string): Record<string, any>[] {
  return stderr
    .split('\n')
    .filter((line) => line.includes(`"message":"${message}"`))
    .map((line) => JSON.parse(line) as Record<string, any>);
}

describe(`fan-out listing: ${FILES} objects over ${TASKS} tasks`, { skip: SKIP_WITHOUT_EMULATORS }, () => {
  let emu: Emulators;
  let proxy: HttpProxy;
  const source = uniqueName('velo-list-src').toLowerCase().replace(/_/g, '-');
  const staging = uniqueName('velo-list-stage').toLowerCase().replace(/_/g, '-');
  const work = tempDir();

  before(async () => {
    emu = await startEmulators();
    proxy = await startProxy({ upstream: emu.env.VELO_GCS_ENDPOINT! });
    await emu.storage.createBucket(source);
    await emu.storage.createBucket(staging);
    // One minute per file from 2023-08-24 12:00 Paris: 33 h over three days, listed per day.
    const stations = stationCatalog(STATIONS, 4);
    const start = DateTime.fromISO('2023-08-24T12:00:00', { zone: 'Europe/Paris' });
    const queue = new PQueue({ concurrency: 16 });
    await Promise.all(
      Array.from({ length: FILES }, (_, i) => {
        const at = start.plus({ minutes: i });
        const body = pythonJson(minuteDocument({ stations, at, seed: i }));
        return queue.add(() => emu.storage.bucket(source).file(`raw/${fileName(at.plus({ minutes: 1 }))}`).save(body, { resumable: false }));
      }),
    );
  });
  after(async () => {
    await proxy?.stop();
    await emu?.stop();
  });

  test('the execution lists ≤ 2 × the objects; a task other than the planner lists only its slice', async (t) => {
    const args = ['run', '--source', `gs://${source}/raw`, '--staging', `gs://${staging}/velo`, '--warehouse', 'bigquery://test/listing', '--from', '2023-08-24', '--to', '2023-08-27', '--workers', '1', '--json'];
    const env = (index: number): NodeJS.ProcessEnv => ({
      ...emu.env,
      VELO_GCS_ENDPOINT: proxy.url,
      VELO_LOG_LEVEL: 'info',
      CLOUD_RUN_EXECUTION: 'exec-list',
      CLOUD_RUN_TASK_INDEX: String(index),
      CLOUD_RUN_TASK_COUNT: String(TASKS),
      CLOUD_RUN_TASK_ATTEMPT: '0',
    });
    const results = await Promise.all(Array.from({ length: TASKS }, (_, index) => runCli(args, { cwd: work, env: env(index) })));
    for (const result of results) assert.equal(result.code, 0, result.stderr);

    const listed = proxy.stats.listings[source] ?? { requests: 0, entries: 0 };
    t.diagnostic(`source listing: ${listed.entries} entries in ${listed.requests} requests for ${FILES} objects, ${TASKS} tasks`);
    assert.ok(listed.entries >= FILES, `every object listed at least once (${listed.entries})`);
    assert.ok(listed.entries <= 2 * FILES, `${listed.entries} entries listed, more than 2 × ${FILES}`);

    // Exactness: one merge, every file in one slice, the execution's counts add up from the slices.
    const summaries = results.map((result) => JSON.parse(result.stdout) as Record<string, any>);
    const merger = summaries.filter((summary) => summary.merge.status === 'merged');
    assert.equal(merger.length, 1, 'exactly one task merged');
    assert.equal(merger[0]!.files.processed, FILES);
    assert.equal(merger[0]!.files.listed, FILES);
    assert.equal(merger[0]!.rows.merged, FILES * STATIONS);
    // rows.merged is counted in the warehouse after the merge (sql/bigquery/stats.sql), which also checks that the
    // manifest lists every file. No further query here: after this execution the emulator's memory is near the
    // ~2 GB at which it panics (docs/emulators.md), and one more request can tip it over.

    // Listing memory: the planner holds the window's listing, every other task only its slice's (~FILES / TASKS).
    const planned = results.map((result) => logLines(result.stderr, 'slice planned')[0]!);
    const planners = planned.filter((line) => line.planner);
    assert.equal(planners.length, 1, 'one task listed the whole window');
    assert.equal(planners[0]!.listed, FILES);
    const others = planned.filter((line) => !line.planner);
    t.diagnostic(`listed per task: ${planned.map((line) => line.listed).join(', ')}`);
    for (const line of others) {
      assert.equal(line.listed, line.files, 'a task lists exactly its slice');
      assert.ok(line.listed <= (2 * FILES) / TASKS, `a task listed ${line.listed} objects`);
    }
    assert.equal(planned.reduce((sum, line) => sum + line.files, 0), FILES, 'the slices partition the files');
  });
});
