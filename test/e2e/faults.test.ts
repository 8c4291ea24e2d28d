/**
 * Faults: both emulators behind a proxy that answers 10% of requests with 503 and resets 5% of connections
 * after forwarding (the request took effect, the answer is lost). Every run must exit 0 on its first try with
 * tables equal to a clean run's. And two runs at once on one dataset: no duplicate, the loser (if any) exits 75.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { FIXTURES, runCli, runJson, tempDir } from '../support/cli.js';
import { SKIP_WITHOUT_EMULATORS, startEmulators, uniqueName, uploadFolder, type Emulators } from '../support/gcp.js';
import { startProxy } from '../support/http-proxy.js';
import { dumpBigQuery, type Dump } from '../support/tables.js';

const SEEDS = (process.env.VELO_FAULT_SEEDS ?? '1,2,3').split(',').map(Number);

/** A fresh emulator pair with the corpus uploaded (the BigQuery emulator's memory grows with every run). */
async function emulatorsWithCorpus(bucket: string): Promise<Emulators> {
  const emu = await startEmulators();
  await uploadFolder(emu.storage, bucket, 'raw/a/', path.join(FIXTURES, 'sample-corpus'));
  await uploadFolder(emu.storage, bucket, 'raw/b/', path.join(FIXTURES, 'vlille', 'minutes'));
  return emu;
}

const args = (bucket: string, dataset: string): string[] => ['--source', `gs://${bucket}/raw`, '--staging', `gs://${bucket}/staging`, '--warehouse', `bigquery://test/${dataset}`];

// Each test has its own emulator pair: they run at once (most of their time is spent waiting on the emulators and
// on retry back-offs), and the faulty runs compare with the clean run's tables when those are ready.
describe('faults between the CLI and GCS/BigQuery', { skip: SKIP_WITHOUT_EMULATORS, concurrency: true }, () => {
  const bucket = uniqueName('velo-faults').toLowerCase().replace(/_/g, '-');
  const work = tempDir();
  let resolveClean: (dump: Dump) => void = () => undefined;
  let rejectClean: (error: unknown) => void = () => undefined;
  const cleanDump = new Promise<Dump>((resolve, reject) => {
    resolveClean = resolve;
    rejectClean = reject;
  });
  cleanDump.catch(() => undefined);

  test('a clean run, for reference', async () => {
    const emu = await emulatorsWithCorpus(bucket);
    try {
      const { code, stderr } = await runJson(args(bucket, 'clean'), { cwd: work, env: emu.env });
      assert.equal(code, 0, stderr);
      const clean = await dumpBigQuery(emu.bigquery, emu.project, 'clean');
      assert.ok(clean.records.length > 5000);
      resolveClean(clean);
    } catch (error) {
      rejectClean(error);
      throw error;
    } finally {
      await emu.stop();
    }
  });

  for (const seed of SEEDS) {
    test(`seed ${seed}: 10% 503s and 5% resets after forwarding on both emulators — exit 0 on the first try, same tables`, async (t) => {
      const emu = await emulatorsWithCorpus(bucket);
      const gcs = await startProxy({ upstream: emu.env.VELO_GCS_ENDPOINT!, failRate: 0.1, resetRate: 0.05, seed });
      const bq = await startProxy({ upstream: emu.env.VELO_BIGQUERY_ENDPOINT!, failRate: 0.1, resetRate: 0.05, seed: seed + 1000 });
      try {
        const env = { VELO_GCS_ENDPOINT: gcs.url, VELO_BIGQUERY_ENDPOINT: bq.url };
        const { code, stderr, summary } = await runJson(args(bucket, `faults_${seed}`), { cwd: work, env });
        assert.equal(code, 0, stderr);
        assert.equal(summary.merge.status, 'merged');
        t.diagnostic(`gcs: ${gcs.stats.requests} requests, ${gcs.stats.failed} answered 503, ${gcs.stats.reset} reset; bigquery: ${bq.stats.requests} requests, ${bq.stats.failed} 503, ${bq.stats.reset} reset`);
        assert.ok(gcs.stats.failed + gcs.stats.reset > 0 && bq.stats.failed + bq.stats.reset > 0, 'faults were injected on both sides');
        assert.deepEqual(await dumpBigQuery(emu.bigquery, emu.project, `faults_${seed}`), await cleanDump);
      } finally {
        await Promise.all([gcs.stop(), bq.stop()]);
        await emu.stop();
      }
    });
  }

  test('two runs at once on one dataset: no duplicate key, the same tables; a loser exits 75 and its re-run finishes', async () => {
    const emu = await emulatorsWithCorpus(bucket);
    try {
      const both = await Promise.all([runCli(['run', ...args(bucket, 'racing')], { cwd: work, env: emu.env }), runCli(['run', ...args(bucket, 'racing')], { cwd: work, env: emu.env })]);
      for (const result of both) assert.ok([0, 75].includes(result.code), `exit ${result.code}: ${result.stderr.slice(-2000)}`);
      for (const result of both.filter((r) => r.code === 75)) {
        const again = await runCli(['run', ...args(bucket, 'racing')], { cwd: work, env: emu.env });
        assert.equal(again.code, 0, again.stderr);
        assert.match(result.stderr, /running the same command again is safe/);
      }
      const dump = await dumpBigQuery(emu.bigquery, emu.project, 'racing');
      const clean = await cleanDump;
      assert.deepEqual(dump.records, clean.records);
      assert.deepEqual(dump.stations, clean.stations);
    } finally {
      await emu.stop();
    }
  });
});
