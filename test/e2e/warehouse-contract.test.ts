/**
 * One warehouse contract, two implementations: the same scenarios run on the embedded DuckDB (local
 * folder) and on BigQuery (GCS source and staging), against the emulators, and must give identical tables.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { corpus, FIXTURES, runJson, tempDir } from '../support/cli.js';
import { dumpBigQuery, dumpDuckDb, type Dump } from '../support/tables.js';
import { SKIP_WITHOUT_EMULATORS, startEmulators, uniqueName, uploadFolder, type Emulators } from '../support/gcp.js';

interface Target {
  name: string;
  /** Run the CLI on the given fixture folders (added to the target's source), with extra flags. */
  run(folders: string[], flags?: string[]): Promise<{ code: number; summary: Record<string, any>; stderr: string }>;
  dump(): Promise<Dump>;
}

function duckdbTarget(): Target {
  const work = tempDir();
  const db = path.join(work, 'velo.duckdb');
  const source = tempDir('velo-contract-src-');
  return {
    name: 'duckdb',
    async run(folders, flags = []) {
      for (const folder of folders) corpus.into(source, folder); // same mtimes: unchanged files
      return runJson(['--source', source, '--warehouse', `duckdb:${db}`, '--dead-letter', path.join(work, 'dead.ndjson'), ...flags], { cwd: work });
    },
    dump: () => dumpDuckDb(db),
  };
}

function bigqueryTarget(emu: Emulators): Target {
  const work = tempDir();
  const bucket = uniqueName('velo').toLowerCase().replace(/_/g, '-');
  const dataset = uniqueName('contract');
  const uploaded = new Set<string>();
  return {
    name: 'bigquery',
    async run(folders, flags = []) {
      // Uploading again would make new object generations (changed files, rightly re-read); copy each folder once.
      for (const folder of folders.filter((f) => !uploaded.has(f))) {
        await uploadFolder(emu.storage, bucket, 'raw/', path.join(FIXTURES, folder));
        uploaded.add(folder);
      }
      return runJson(
        ['--source', `gs://${bucket}/raw`, '--staging', `gs://${bucket}/staging`, '--warehouse', `bigquery://${emu.project}/${dataset}`, '--dead-letter', path.join(work, 'dead.ndjson'), ...flags],
        { cwd: work, env: emu.env },
      );
    },
    dump: () => dumpBigQuery(emu.bigquery, emu.project, dataset),
  };
}

describe('warehouse contract: DuckDB and BigQuery give identical tables', { skip: SKIP_WITHOUT_EMULATORS }, () => {
  let duck: Target;
  let bq: Target;
  let emu: Emulators;
  before(async () => {
    emu = await startEmulators();
    duck = duckdbTarget();
    bq = bigqueryTarget(emu);
  });
  after(() => emu?.stop());

  const both = async (folders: string[], flags: string[] = []) => {
    const [a, b] = [await duck.run(folders, flags), await bq.run(folders, flags)];
    assert.equal(a.code, b.code, `exit codes differ\n${a.stderr}\n---\n${b.stderr}`);
    // GCS lists only the window's days, so `listed`/`outOfRange` differ by design; the rest must not.
    const files = (s: Record<string, any>) => ({ ...s.files, listed: undefined, outOfRange: undefined });
    assert.deepEqual(files(b.summary), files(a.summary));
    assert.deepEqual(b.summary.rows, a.summary.rows);
    const [da, db] = [await duck.dump(), await bq.dump()];
    assert.deepEqual(db, da);
    return { duck: a, bq: b, dump: da };
  };

  test('a date window first: only [from, to) lands, cut files stay out of the manifest', async () => {
    const { duck: result, dump } = await both(['vlille/minutes'], ['--from', '2023-08-24T20:09', '--to', '2023-08-24T20:16']);
    assert.equal(result.code, 0);
    assert.equal(dump.records!.length, 15);
  });

  test('then the whole range: the rest lands once, load jobs per table = ⌈shards / 10,000⌉', async () => {
    const { duck: result, bq: bqResult, dump } = await both(['vlille/minutes']);
    assert.equal(result.code, 0);
    assert.equal(dump.records!.length, 45);
    assert.equal(dump.stations!.length, 5);
    for (const table of ['records', 'stations', 'files']) {
      assert.equal(bqResult.summary.loadJobs[table], Math.ceil(bqResult.summary.shards[table] / 10_000), table);
    }
    assert.ok(bqResult.summary.shards.records < bqResult.summary.files.processed, 'files are packed into fewer shards');
  });

  test('a re-run adds nothing', async () => {
    const { duck: result, dump } = await both([]);
    assert.equal(result.summary.files.processed, 0);
    assert.equal(dump.records!.length, 45);
  });

  test('bad files next to good ones: same rejections, same rows, exit 3', async () => {
    const { duck: result, dump } = await both(['vlille/hostile']);
    assert.equal(result.code, 3);
    assert.equal(result.summary.files.rejected, 5);
    assert.equal(dump.records!.length, 45 + 7 + 5);
  });
});
