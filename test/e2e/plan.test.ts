/** velo-backfill plan on fixture folders and on the GCS emulator: what run would read, and how it would split. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FIXTURES, corpus, runCli, runJson, tempDir } from '../support/cli.js';
import { SKIP_WITHOUT_EMULATORS, startEmulators, uniqueName, uploadFolder, type Emulators } from '../support/gcp.js';

const plan = async (args: string[], env?: NodeJS.ProcessEnv): Promise<Record<string, any>> => {
  const result = await runCli(['plan', ...args, '--json'], { env });
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as Record<string, any>;
};

describe('velo-backfill plan', () => {
  test('a folder: files, bytes, first and last minute, gaps, tasks, load jobs, warnings', async () => {
    const report = await plan(['--source', path.join(FIXTURES, 'vlille', 'minutes'), '--tasks', '3', '--warehouse', `duckdb:${path.join(tempDir(), 'none.duckdb')}`]);
    for (const key of ['files', 'bytes', 'first', 'last', 'gaps', 'tasks', 'loadJobsPerTable', 'warnings']) assert.ok(key in report, key);
    assert.equal(report.files, 12);
    assert.equal(report.first, '2023-01-15T07:00:01.000Z');
    assert.equal(report.last, '2023-10-29T01:30:01.000Z');
    assert.equal(report.gapCount, 3);
    assert.deepEqual(report.gaps[1], { after: '2023-08-24T18:14:02.000Z', before: '2023-08-24T18:16:00.000Z', missingMinutes: 1 });
    assert.deepEqual(report.tasks.map((t: { files: number }) => t.files), [4, 4, 4]);
    assert.equal(report.tasks.reduce((sum: number, t: { bytes: number }) => sum + t.bytes, 0), report.bytes);
    assert.deepEqual(report.loadJobsPerTable, { records: 1, stations: 1, files: 1 });
    assert.equal(report.loadJobsPerTablePerDay, 1500);
  });

  test('a window and the manifest: files outside it and files loaded before are not planned; odd names are warned about', async () => {
    const work = tempDir();
    const db = path.join(work, 'v.duckdb');
    const source = corpus('vlille/minutes', 'vlille/hostile');
    const loaded = await runJson(['--source', source, '--warehouse', `duckdb:${db}`, '--from', '2023-08-24T20:09', '--to', '2023-08-24T20:12'], { cwd: work });
    assert.ok([0, 3].includes(loaded.code));
    const report = await plan(['--source', source, '--warehouse', `duckdb:${db}`, '--from', '2023-08-24', '--to', '2023-08-25']);
    assert.equal(report.outOfRange, 3, 'January and the two October files');
    assert.ok(report.skipped >= 1, 'the window run recorded the files wholly inside it');
    assert.equal(report.files + report.skipped + report.outOfRange, report.listed);
    assert.match(report.warnings.join('\n'), /3 file\(s\) are named outside the window/);
    // The 2-hour name margin, in UTC in the JSON: 2023-08-24 00:00 Paris is 2023-08-23T22:00Z.
    assert.deepEqual(report.nameMargin, { minutes: 120, from: '2023-08-23T20:00:00.000Z', to: '2023-08-25T00:00:00.000Z' });
    const table = await runCli(['plan', '--source', source, '--warehouse', `duckdb:${db}`, '--from', '2023-08-24T20:09', '--to', '2023-08-24T20:16']);
    assert.match(table.stdout, /name margin\s+± 2 h: files named 2023-08-24 18:09\+02:00 → 2023-08-24 22:16\+02:00 \(exclusive\) are read; their rows are cut to the window exactly/);
    assert.match(table.stdout, /files listed\s+\d+ \(3 named outside the margin, \d+ loaded before\)/);
    const all = await plan(['--source', source, '--force']);
    assert.equal(all.nameMargin, null, 'no window, no margin');
  });

  test('the table a person reads; bad --tasks is a usage error', async () => {
    const table = await runCli(['plan', '--source', path.join(FIXTURES, 'sample-corpus'), '--tasks', '2', '--force']);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /to read\s+20 files, 3\.\d MB/);
    assert.match(table.stdout, /task 1\s+10 files/);
    assert.match(table.stdout, /budget 1,500 per table per day/);
    const bad = await runCli(['plan', '--source', path.join(FIXTURES, 'sample-corpus'), '--tasks', '0']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--tasks must be a whole number from 1 to 1000/);
  });

  describe('on the GCS emulator', { skip: SKIP_WITHOUT_EMULATORS }, () => {
    let emu: Emulators;
    const bucket = uniqueName('velo-plan').toLowerCase().replace(/_/g, '-');
    before(async () => {
      emu = await startEmulators();
      await uploadFolder(emu.storage, bucket, 'raw/', path.join(FIXTURES, 'sample-corpus'));
    });
    after(() => emu?.stop());

    test('the same plan from gs:// as from the folder (names, minutes, slices), listing per day in a window', async () => {
      const local = await plan(['--source', path.join(FIXTURES, 'sample-corpus'), '--tasks', '4', '--from', '2023-08-24', '--to', '2023-08-25', '--force']);
      const remote = await plan(['--source', `gs://${bucket}/raw`, '--tasks', '4', '--from', '2023-08-24', '--to', '2023-08-25', '--force', '--warehouse', 'bigquery://test/plan_none'], emu.env);
      for (const key of ['files', 'bytes', 'first', 'last', 'gaps', 'gapCount', 'tasks', 'loadJobsPerTable']) assert.deepEqual(remote[key], local[key], key);
      assert.equal(remote.files, 20);
    });

    test('a run command line with run → plan works: every run flag is accepted, --task-count sets the tasks', async () => {
      const runLine = ['--source', `gs://${bucket}/raw`, '--staging', `gs://${bucket}/staging`, '--warehouse', 'bigquery://test/plan_none', '--run-id', 'r1', '--task-count', '4', '--task-index', '2', '--task-attempt', '1', '--max-rejected', '5%', '--dead-letter', path.join(tempDir(), 'dl.ndjson'), '--concurrency', '8', '--stream-threshold-mb', '1', '--keep-staging', '--force'];
      const report = await plan(runLine, emu.env);
      assert.equal(report.files, 20);
      assert.equal(report.tasks.length, 4, 'the whole run, over --task-count tasks');
      assert.equal(report.tasks.reduce((sum: number, t: { files: number }) => sum + t.files, 0), 20);
      const help = await runCli(['plan', '--help']);
      assert.match(help.stdout, /ignored by plan:[\s\S]*--run-id[\s\S]*--max-rejected/);
    });
  });
});
