/** Run folders: the sweep removes what dead runs staged, never a folder a starting run is claiming. */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { sweepStaleRuns } from '../../src/loader/staging/run-folders.js';
import { tempDir } from '../support/cli.js';

test('a folder with no owner yet is a run being claimed: kept for a minute, then swept like a dead run', () => {
  const runs = tempDir();
  const fresh = path.join(runs, 'starting-now');
  const old = path.join(runs, 'crashed-at-birth');
  const dead = path.join(runs, 'dead');
  for (const dir of [fresh, old, dead]) mkdirSync(path.join(dir, 'staging'), { recursive: true });
  writeFileSync(path.join(dead, 'owner.json'), JSON.stringify({ pid: 2 ** 22 + 12345 }));
  const twoMinutesAgo = new Date(Date.now() - 120_000);
  utimesSync(old, twoMinutesAgo, twoMinutesAgo);
  const swept = sweepStaleRuns(runs, path.join(runs, 'own'));
  assert.equal(swept.runs, 2);
  assert.ok(existsSync(fresh), 'the folder a run is claiming right now stays');
  assert.ok(!existsSync(old) && !existsSync(dead));
});
