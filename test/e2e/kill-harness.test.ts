/**
 * Kill harness: SIGKILL the CLI at seeded random moments of a run, run it again, and compare full table
 * contents (records, stations with lineage, the manifest) with a clean run's. On DuckDB and on BigQuery.
 * VELO_KILL_POINTS (default 20) sets the number of points per warehouse, VELO_KILL_SEED the seed.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { after, describe, test, type TestContext } from 'node:test';
import { CLI, NODE_FLAGS, FIXTURES, corpus, queryDuckDb, runJson, tempDir } from '../support/cli.js';
import { SKIP_WITHOUT_EMULATORS, startEmulators, uniqueName, uploadFolder, type Emulators } from '../support/gcp.js';
import { dumpBigQuery, dumpDuckDb, type Dump } from '../support/tables.js';
import { random } from '../support/vlille-synth.js';

const POINTS = Number(process.env.VELO_KILL_POINTS ?? 20);
const SEED = Number(process.env.VELO_KILL_SEED ?? 20261129);
/** The BigQuery emulator's memory grows with every query and it panics past ~2 GB: a fresh pair every few points. */
const REFRESH_EVERY = 5;

/** Runs the CLI and SIGKILLs it after `delayMs` (if it is still running); resolves with the last log message seen. */
function killAfter(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }, delayMs: number): Promise<{ killed: boolean; lastMessage: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...NODE_FLAGS, CLI, 'run', ...args], { cwd: options.cwd, env: { ...process.env, VELO_LOG_LEVEL: 'info', ...options.env } });
    let lastMessage = 'start';
    let killed = false;
    child.stderr.on('data', (chunk: Buffer) => {
      for (const m of chunk.toString().matchAll(/"message":"([^"]+)"/g)) lastMessage = m[1]!;
    });
    child.stdout.resume();
    const timer = setTimeout(() => {
      killed = child.exitCode === null && child.kill('SIGKILL');
    }, delayMs);
    child.on('close', () => {
      clearTimeout(timer);
      resolve({ killed, lastMessage });
    });
  });
}

interface Target {
  /** Arguments of a run into a fresh target for point `i`. */
  args(i: number): string[];
  /** Called before the clean run and every few points (the BigQuery emulator needs a restart now and then). */
  refresh?(): Promise<void>;
  env(): NodeJS.ProcessEnv | undefined;
  dump(i: number): Promise<Dump>;
  leftovers?(i: number): Promise<unknown[]>;
}

async function harness(t: TestContext, target: Target, work: string): Promise<void> {
  const timed = async (i: number): Promise<number> => {
    const started = performance.now();
    const result = await runJson(target.args(i), { cwd: work, env: target.env() });
    assert.equal(result.code, 0, `point ${i}: ${result.stderr}`);
    return performance.now() - started;
  };
  // How long a run takes here: the median of the complete runs so far (the first one is a cold start).
  await target.refresh?.();
  const durations = [await timed(-1)];
  const runMs = (): number => [...durations].sort((a, b) => a - b)[Math.floor(durations.length / 2)]!;
  const expected = await target.dump(-1);
  const rnd = random(SEED);
  const moments = new Map<string, number>();
  for (let i = 0; i < POINTS; i++) {
    if (i > 0 && i % REFRESH_EVERY === 0) await target.refresh?.();
    // Anywhere from start-up to the end of a run (a kill after the end is a clean run followed by a re-run).
    const { killed, lastMessage } = await killAfter(target.args(i), { cwd: work, env: target.env() }, Math.round(runMs() * rnd()));
    moments.set(killed ? lastMessage : 'finished', (moments.get(killed ? lastMessage : 'finished') ?? 0) + 1);
    durations.push(await timed(i));
    assert.deepEqual(await target.dump(i), expected, `point ${i} (killed after "${lastMessage}")`);
    if (target.leftovers) assert.deepEqual(await target.leftovers(i), [], `point ${i}: scratch tables left`);
  }
  t.diagnostic(`a run takes ~${Math.round(runMs())} ms; kills by last log line: ${JSON.stringify(Object.fromEntries(moments))}`);
  assert.ok([...moments.keys()].filter((k) => k !== 'finished').length >= 3, `kills spread over at least 3 moments: ${JSON.stringify(Object.fromEntries(moments))}`);
}

describe('kill harness', () => {
  test(`DuckDB: ${POINTS} seeded SIGKILLs, each followed by a re-run, give the clean run's tables`, async (t) => {
    const work = tempDir();
    const source = tempDir('velo-kill-src-');
    corpus.into(path.join(source), 'sample-corpus');
    corpus.into(source, 'vlille/minutes');
    const db = (i: number) => path.join(work, `kill-${i}.duckdb`);
    await harness(
      t,
      {
        args: (i) => ['--source', source, '--warehouse', `duckdb:${db(i)}`, '--dead-letter', path.join(work, `dead-${i}.ndjson`)],
        env: () => undefined,
        dump: (i) => dumpDuckDb(db(i)),
        leftovers: (i) => queryDuckDb(db(i), `SELECT table_name FROM duckdb_tables() WHERE table_name LIKE '\\_velo\\_%' ESCAPE '\\' AND table_name <> '_velo_files'`),
      },
      work,
    );
  });

  describe('BigQuery', { skip: SKIP_WITHOUT_EMULATORS }, () => {
    let emu: Emulators | null = null;
    const bucket = uniqueName('velo-kill').toLowerCase().replace(/_/g, '-');
    after(() => emu?.stop());

    test(`${POINTS} seeded SIGKILLs against the emulators, each followed by a re-run, give the clean run's tables`, async (t) => {
      const work = tempDir();
      const dataset = (i: number) => `kill_${i < 0 ? 'clean' : i}`;
      let clean: Dump | null = null;
      await harness(
        t,
        {
          args: (i) => ['--source', `gs://${bucket}/raw`, '--staging', `gs://${bucket}/staging`, '--warehouse', `bigquery://${emu!.project}/${dataset(i)}`],
          env: () => emu!.env,
          async refresh() {
            await emu?.stop();
            emu = await startEmulators();
            await uploadFolder(emu.storage, bucket, 'raw/', path.join(FIXTURES, 'vlille', 'minutes'));
          },
          // The clean run's tables outlive its emulator pair.
          dump: async (i) => (i < 0 ? (clean ??= await dumpBigQuery(emu!.bigquery, emu!.project, dataset(i))) : dumpBigQuery(emu!.bigquery, emu!.project, dataset(i))),
        },
        work,
      );
    });
  });
});
