/** --max-rejected: above it nothing is merged (exit 3, staging kept, the summary says so); below it the good rows merge (exit 3). */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { corpus, queryDuckDb, runCli, runJson, tempDir } from '../support/cli.js';

describe('--max-rejected', () => {
  // 20 files: 8 hostile (5 rejected whole, 3 loaded or with bad records) next to 12 good minutes.
  const source = corpus('vlille/hostile', 'vlille/minutes');

  test('above the limit: nothing merged, staging and the dead-letter report kept, exit 3', async () => {
    const work = tempDir();
    const db = path.join(work, 'v.duckdb');
    const staging = path.join(work, 'staging');
    const { code, summary, stderr } = await runJson(['--source', source, '--warehouse', `duckdb:${db}`, '--staging', staging, '--max-rejected', '4'], { cwd: work });
    assert.equal(code, 3, stderr);
    assert.equal(summary.merge.status, 'held-back');
    assert.match(summary.merge.note, /5 rejected file\(s\), more than --max-rejected 4: nothing merged; staging kept/);
    assert.equal(summary.rows.merged, 0);
    assert.ok(summary.deadLetter.entries >= 5);
    const [{ n }] = (await queryDuckDb(db, 'SELECT COUNT(*) AS n FROM records')) as [{ n: number }];
    assert.equal(n, 0);
    const [{ files }] = (await queryDuckDb(db, 'SELECT COUNT(*) AS files FROM _velo_files')) as [{ files: number }];
    assert.equal(files, 0, 'no file is recorded as loaded');
    assert.ok(readdirSync(path.join(staging, readdirSync(staging)[0]!)).some((name) => name.startsWith('records-')), 'staged shards kept for inspection');
    const table = await runCli(['run', '--source', source, '--warehouse', `duckdb:${path.join(work, 'v2.duckdb')}`, '--max-rejected', '10%'], { cwd: work });
    assert.equal(table.code, 3);
    assert.match(table.stdout, /merge\s+HELD BACK \(25\.0% of the files rejected, more than --max-rejected 10%/);
  });

  test('at or below the limit: the good rows merge, exit 3 with the dead-letter path', async () => {
    const work = tempDir();
    const db = path.join(work, 'v.duckdb');
    const { code, summary } = await runJson(['--source', source, '--warehouse', `duckdb:${db}`, '--max-rejected', '25%'], { cwd: work });
    assert.equal(code, 3);
    assert.equal(summary.merge.status, 'merged');
    assert.equal(summary.rows.merged, 45 + 2 + 5 + 5);
    assert.ok(existsSync(summary.deadLetter.path));
  });

  test('a held-back local run is finished by the exact merge command it prints: the same rows as a run at the limit, exactly once', async () => {
    const work = tempDir();
    const db = path.join(work, 'v.duckdb');
    const held = await runJson(['--source', source, '--warehouse', `duckdb:${db}`, '--max-rejected', '4'], { cwd: work });
    assert.equal(held.code, 3, held.stderr);
    const command = /to merge it anyway: velo-backfill (merge --staging (\S+) --warehouse (\S+))$/.exec(held.summary.merge.note);
    assert.ok(command, held.summary.merge.note);
    assert.equal(command[3], `duckdb:${db}`);
    assert.ok(existsSync(path.join(command[2]!, 'held-back.json')));
    const merged = await runCli([...command[1]!.split(' '), '--json'], { cwd: tempDir() });
    assert.equal(merged.code, 3, merged.stderr);
    const summary = JSON.parse(merged.stdout) as Record<string, any>;
    assert.equal(summary.merge.status, 'merged');
    assert.equal(summary.runId, held.summary.runId);
    assert.equal(summary.rows.merged, 45 + 2 + 5 + 5, 'what a run at the limit merges');
    assert.ok(!existsSync(command[2]!), 'the staging folder is removed once merged');
    const [{ n, files }] = (await queryDuckDb(db, 'SELECT (SELECT COUNT(*) FROM records) AS n, (SELECT COUNT(*) FROM _velo_files) AS files')) as [{ n: number; files: number }];
    assert.equal(n, 45 + 2 + 5 + 5);
    assert.ok(files > 0);
    const again = await runCli([...command[1]!.split(' ')], { cwd: work });
    assert.equal(again.code, 2, 'nothing left to merge');
    assert.match(again.stderr, /no held-back run in/);
    const rerun = await runJson(['--source', source, '--warehouse', `duckdb:${db}`, '--max-rejected', '25%'], { cwd: work });
    assert.equal(rerun.summary.rows.merged, 0, 'a re-run adds nothing');
  });

  test('a bad limit is a usage error', async () => {
    for (const bad of ['many', '-1', '150%', '2.5']) {
      const result = await runCli(['run', '--source', source, '--max-rejected', bad]);
      assert.equal(result.code, 2, bad);
      assert.match(result.stderr, /--max-rejected/);
    }
  });
});
