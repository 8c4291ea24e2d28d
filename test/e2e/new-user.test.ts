/**
 * Issue 22, "what a new user hits": the built CLI fed the inputs and mistakes of a first session, checking what
 * the user sees (exit code, message) and what is on disk before and after.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { FIXTURES, runCli, runJson, tempDir } from '../support/cli.js';

const SAMPLE = path.join(FIXTURES, 'sample-corpus');

describe('duckdb:// URLs (item 2)', () => {
  test('duckdb://velo.duckdb is a file in the current folder, named by its absolute path in the summary', async () => {
    const work = tempDir();
    const rootFile = '/velo-new-user-test.duckdb';
    assert.equal(existsSync(rootFile), false);
    const { code, summary, stderr } = await runJson(['--source', SAMPLE, '--warehouse', 'duckdb://velo-new-user-test.duckdb', '--staging', path.join(work, 'staging')], { cwd: work });
    assert.equal(code, 0, stderr);
    assert.equal(existsSync(rootFile), false, 'nothing is written at the filesystem root');
    assert.ok(readdirSync(work).includes('velo-new-user-test.duckdb'));
    assert.equal(summary.warehouse, `duckdb:${path.join(work, 'velo-new-user-test.duckdb')}`);
    assert.equal(summary.rows.merged > 0, true);
  });

  test('duckdb:///ABS is that absolute path; the table summary prints it too', async () => {
    const work = tempDir();
    const db = path.join(work, 'abs.duckdb');
    const result = await runCli(['run', '--source', SAMPLE, '--warehouse', `duckdb://${db}`, '--staging', path.join(work, 'staging')], { cwd: tempDir() });
    assert.equal(result.code, 0, result.stderr);
    assert.ok(existsSync(db));
    assert.match(result.stdout, new RegExp(`warehouse +duckdb:${db}\\n`));
  });

  test('check names the resolved file too', async () => {
    const work = tempDir();
    await runJson(['--source', SAMPLE, '--warehouse', 'duckdb:./v.duckdb', '--staging', path.join(work, 'staging')], { cwd: work });
    const result = await runCli(['check', '--warehouse', 'duckdb://v.duckdb'], { cwd: work });
    assert.match(result.stdout, new RegExp(`velo-backfill check · duckdb:${path.join(work, 'v.duckdb')}\\n`));
  });
});
