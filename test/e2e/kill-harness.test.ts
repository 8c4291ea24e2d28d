/**
 * Kill harness: SIGKILL the CLI at seeded random moments of a run, run it again, and compare full table
 * contents (records, stations with lineage, the manifest) with a clean run's. On DuckDB and on BigQuery.
 * VELO_KILL_POINTS (default 20) sets the number of points per warehouse, VELO_KILL_SEED the seed.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import PQueue from 'p-queue';
import { CLI, NODE_FLAGS, FIXTURES, corpus, queryDuckDb, runJson, tempDir } from '../support/cli.js';
import { SKIP_WITHOUT_EMULATORS, startEmulators, uniqueName, uploadFolder } from '../support/gcp.js';
import { dumpBigQuery, dumpDuckDb, type Dump } from '../support/tables.js';
import { random } from '../support/vlille-synth.js';

const POINTS = Number(process.env.VELO_KILL_POINTS ?? 20);
const SEED = Number(process.env.VELO_KILL_SEED ?? 20261129);
/** Points per group (and per BigQuery emulator pair: its memory grows with every request and it panics past ~2 GB). */
const REFRESH_EVERY = 3;
/** Groups at once: each is a CLI (and for BigQuery an emulator pair) at a time; more would only queue for the cores. */
const GROUPS_AT_ONCE = 4;

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

/** Where the points of one group run: DuckDB files per point; BigQuery: a fresh emulator pair per group. */
interface Session {
  /** Arguments of a run into a fresh target for point `i`. */
  args(i: number): string[];
  env(): NodeJS.ProcessEnv | undefined;
  dump(i: number): Promise<Dump>;
  leftovers?(i: number): Promise<unknown[]>;
  close?(): Promise<void>;
}

/** How long a complete run takes in `session` (ms). */
async function timedRun(session: Session, i: number, work: string): Promise<number> {
  const started = performance.now();
  const result = await runJson(session.args(i), { cwd: work, env: session.env() });
  assert.equal(result.code, 0, `point ${i}: ${result.stderr}`);
  return performance.now() - started;
}

/**
 * The points in groups of REFRESH_EVERY, the groups at once (each in its own session: most of a point's time is
 * spent waiting on child processes and emulators). The seeded moments are drawn up front, so each point's kill is
 * the same fraction of a run whatever the scheduling.
 */
async function harness(t: TestContext, open: () => Promise<Session>, work: string): Promise<void> {
  const cleanSession = await open();
  const cleanMs = await timedRun(cleanSession, -1, work);
  const expected = await cleanSession.dump(-1);
  await cleanSession.close?.();
  const rnd = random(SEED);
  const fractions = Array.from({ length: POINTS }, () => rnd());
  const moments = new Map<string, number>();
  const groups = Array.from({ length: Math.ceil(POINTS / REFRESH_EVERY) }, (_, g) => g);
  const queue = new PQueue({ concurrency: GROUPS_AT_ONCE });
  await Promise.all(
    groups.map((g) => queue.add(async () => {
      const session = await open();
      // How long a run takes here: the median of the complete runs so far.
      const durations = [cleanMs];
      const runMs = (): number => [...durations].sort((a, b) => a - b)[Math.floor(durations.length / 2)]!;
      try {
        for (let i = g * REFRESH_EVERY; i < Math.min(POINTS, (g + 1) * REFRESH_EVERY); i++) {
          // Anywhere from start-up to the end of a run (a kill after the end is a clean run followed by a re-run).
          const { killed, lastMessage } = await killAfter(session.args(i), { cwd: work, env: session.env() }, Math.round(runMs() * fractions[i]!));
          moments.set(killed ? lastMessage : 'finished', (moments.get(killed ? lastMessage : 'finished') ?? 0) + 1);
          durations.push(await timedRun(session, i, work));
          assert.deepEqual(await session.dump(i), expected, `point ${i} (killed after "${lastMessage}")`);
          if (session.leftovers) assert.deepEqual(await session.leftovers(i), [], `point ${i}: scratch tables left`);
        }
      } finally {
        await session.close?.();
      }
    })),
  );
  t.diagnostic(`a clean run takes ~${Math.round(cleanMs)} ms; kills by last log line: ${JSON.stringify(Object.fromEntries(moments))}`);
  assert.ok([...moments.keys()].filter((k) => k !== 'finished').length >= 3, `kills spread over at least 3 moments: ${JSON.stringify(Object.fromEntries(moments))}`);
}

describe('kill harness', { concurrency: true }, () => {
  test(`DuckDB: ${POINTS} seeded SIGKILLs, each followed by a re-run, give the clean run's tables`, async (t) => {
    const work = tempDir();
    const source = tempDir('velo-kill-src-');
    corpus.into(path.join(source), 'sample-corpus');
    corpus.into(source, 'vlille/minutes');
    const db = (i: number) => path.join(work, `kill-${i}.duckdb`);
    const session: Session = {
      args: (i) => ['--source', source, '--warehouse', `duckdb:${db(i)}`, '--dead-letter', path.join(work, `dead-${i}.ndjson`)],
      env: () => undefined,
      dump: (i) => dumpDuckDb(db(i)),
      leftovers: (i) => queryDuckDb(db(i), `SELECT table_name FROM duckdb_tables() WHERE table_name LIKE '\\_velo\\_%' ESCAPE '\\' AND table_name <> '_velo_files'`),
    };
    await harness(t, async () => session, work);
  });

  test(`BigQuery: ${POINTS} seeded SIGKILLs against the emulators, each followed by a re-run, give the clean run's tables`, { skip: SKIP_WITHOUT_EMULATORS }, async (t) => {
    const work = tempDir();
    const bucket = uniqueName('velo-kill').toLowerCase().replace(/_/g, '-');
    const dataset = (i: number) => `kill_${i < 0 ? 'clean' : i}`;
    // A fresh pair per group: the BigQuery emulator's memory grows with every query and it panics past ~2 GB.
    const open = async (): Promise<Session> => {
      const emu = await startEmulators();
      await uploadFolder(emu.storage, bucket, 'raw/', path.join(FIXTURES, 'vlille', 'minutes'));
      return {
        args: (i) => ['--source', `gs://${bucket}/raw`, '--staging', `gs://${bucket}/staging`, '--warehouse', `bigquery://${emu.project}/${dataset(i)}`],
        env: () => emu.env,
        dump: (i) => dumpBigQuery(emu.bigquery, emu.project, dataset(i)),
        close: () => emu.stop(),
      };
    };
    await harness(t, open, work);
  });
});
