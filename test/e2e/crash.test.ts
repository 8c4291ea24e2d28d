/** Crash safety: a run killed at any point, then run again, lands every observation exactly once. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { CLI, NODE_FLAGS, corpus, queryDuckDb, runJson, tempDir } from '../support/cli.js';

/** Start a run and SIGKILL it as soon as its log prints `message`. Resolves when it is dead. */
function killAt(args: string[], cwd: string, message: string): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...NODE_FLAGS, CLI, 'run', ...args], { cwd, env: { ...process.env, VELO_LOG_LEVEL: 'info' } });
    let killed = false;
    child.stderr.on('data', (chunk: Buffer) => {
      if (!killed && chunk.toString().includes(`"message":"${message}"`)) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.stdout.resume();
    child.on('close', () => resolve(killed));
  });
}

const EXPECTED_ROWS = 19 * 289; // the sample corpus: 20 minutes of 289 stations, one degraded

for (const moment of ['read and staged', 'staging loaded']) {
  test(`killed at "${moment}", then re-run: exactly one row per observation, no scratch tables left`, async () => {
    const work = tempDir();
    const db = path.join(work, 'velo.duckdb');
    const args = ['--source', corpus('sample-corpus'), '--warehouse', `duckdb:${db}`];
    assert.ok(await killAt(args, work, moment), `the run reached "${moment}" and was killed`);
    const rerun = await runJson(args, { cwd: work });
    assert.equal(rerun.code, 0, rerun.stderr);
    assert.equal(rerun.summary.files.processed, 20, 'nothing was recorded as loaded by the killed run');
    const [counts] = await queryDuckDb(db, 'SELECT COUNT(*) AS n, COUNT(DISTINCT (station_id, record_timestamp)) AS keys FROM records');
    assert.deepEqual(counts, { n: EXPECTED_ROWS, keys: EXPECTED_ROWS });
    const scratch = await queryDuckDb(db, `SELECT table_name FROM duckdb_tables() WHERE table_name LIKE '%stage%' OR table_name LIKE '%unique%'`);
    assert.deepEqual(scratch, []);
  });
}
