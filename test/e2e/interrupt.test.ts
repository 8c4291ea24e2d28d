/**
 * Ctrl-C and SIGTERM mid-run: exit 130 / 143 with one line saying what state the tables are in, this run's staging
 * removed, nothing half-merged; a re-run loads everything exactly once. Earlier runs that died leave staging a later
 * run sweeps (and says how much); run folders live beside the DuckDB file and no empty one is left behind.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { DateTime } from 'luxon';
import { queryDuckDb, runCli, runJson, tempDir } from '../support/cli.js';
import { fileName, minuteDocument, pythonJson, stationCatalog } from '../support/vlille-synth.js';

const MINUTES = 300;
const STATIONS = 289;

function writeCorpus(dir: string): void {
  const catalog = stationCatalog(STATIONS, 5);
  const start = DateTime.fromISO('2023-08-24T08:00:00', { zone: 'Europe/Paris' });
  for (let i = 0; i < MINUTES; i++) {
    const at = start.plus({ minutes: i });
    writeFileSync(path.join(dir, fileName(at.plus({ minutes: 1 }))), pythonJson(minuteDocument({ stations: catalog, at, seed: i })));
  }
}

const recordCount = async (db: string): Promise<number> => ((await queryDuckDb(db, 'SELECT COUNT(*) AS n FROM records')) as [{ n: number }])[0].n;

describe('interrupted runs', () => {
  let source: string;
  before(() => {
    source = tempDir('velo-interrupt-src-');
    writeCorpus(source);
  });

  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    test(`${signal} while reading: exit ${code}, one line, staging removed, tables untouched; a re-run loads it all once`, async () => {
      const work = tempDir();
      const db = path.join(work, 'data', 'v.duckdb');
      mkdirSync(path.dirname(db));
      // Started from another folder: the run folder goes beside the DuckDB file, not in the current directory.
      const cwd = tempDir();
      const result = await runCli(['run', '--source', source, '--warehouse', `duckdb:${db}`, '--workers', '1'], { cwd, killAt: 'planned', signal });
      assert.ok(result.killed);
      assert.equal(result.code, code, result.stderr);
      const lines = result.stderr.split('\n').filter((line) => line.startsWith('velo-backfill: interrupted'));
      assert.equal(lines.length, 1, result.stderr);
      assert.match(lines[0]!, new RegExp(`interrupted \\(${signal}\\) before anything was merged: the tables are as they were before this run.*Running the same command again is safe`));
      const velo = path.join(path.dirname(db), '.velo');
      assert.ok(!existsSync(velo), `no run folder (or staging) is left behind: ${existsSync(velo) ? readdirSync(velo, { recursive: true }).join(', ') : ''}\n${result.stderr.slice(-2000)}`);
      assert.deepEqual(readdirSync(cwd), [], 'nothing is written in the current directory');
      if (existsSync(db)) assert.equal(await recordCount(db), 0);
      const rerun = await runJson(['--source', source, '--warehouse', `duckdb:${db}`], { cwd });
      assert.equal(rerun.code, 0, rerun.stderr);
      assert.equal(rerun.summary.rows.merged, MINUTES * STATIONS);
      assert.equal(await recordCount(db), MINUTES * STATIONS);
      assert.deepEqual(readdirSync(path.dirname(db)).sort(), ['v.duckdb'], 'no empty run folder after a clean run');
    });
  }

  test('SIGINT while the merge commits: the merge finishes, exit 130, the line says the rows are in', async () => {
    const work = tempDir();
    const db = path.join(work, 'v.duckdb');
    const result = await runCli(['run', '--source', source, '--warehouse', `duckdb:${db}`], { cwd: work, killAt: 'merging', signal: 'SIGINT' });
    assert.ok(result.killed);
    assert.equal(result.code, 130, result.stderr);
    assert.match(result.stderr, /SIGINT received while the merge commits: letting it finish first/);
    assert.match(result.stderr, /interrupted \(SIGINT\) after the merge committed: the tables hold this run's rows/);
    assert.equal(await recordCount(db), MINUTES * STATIONS);
    const rerun = await runJson(['--source', source, '--warehouse', `duckdb:${db}`], { cwd: work });
    assert.equal(rerun.summary.rows.merged, 0, 'a re-run adds nothing');
  });

  test('staging left by a run that died is swept by the next run (said in MB); a held-back run is kept for merge', async () => {
    const work = tempDir();
    const db = path.join(work, 'v.duckdb');
    const runs = path.join(work, '.velo', 'runs');
    const dead = path.join(runs, 'dead-run', 'staging');
    mkdirSync(dead, { recursive: true });
    writeFileSync(path.join(runs, 'dead-run', 'owner.json'), JSON.stringify({ pid: 2 ** 22 + 12345 }));
    writeFileSync(path.join(dead, 'records-t1-00001.ndjson'), 'x'.repeat(2_000_000));
    const held = path.join(runs, 'held-run', 'staging');
    mkdirSync(held, { recursive: true });
    writeFileSync(path.join(held, 'held-back.json'), '{}');
    const result = await runCli(['run', '--source', source, '--warehouse', `duckdb:${db}`, '--verbose'], { cwd: work });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /removed 2\.0 MB of staging left by 1 earlier run\(s\) that did not finish/);
    assert.ok(!existsSync(path.join(runs, 'dead-run')), 'the dead run\'s folder is gone');
    assert.ok(existsSync(path.join(held, 'held-back.json')), 'a held-back run stays for velo-backfill merge');
  });
});
