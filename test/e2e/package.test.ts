/** The shipped artefacts, checked statically: package contents and the Dockerfile (no Docker engine here). */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { NODE_FLAGS, REPO } from '../support/cli.js';

test('the npm package ships the built CLI, the SQL and the schemas', () => {
  const [pack] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO, encoding: 'utf8' })) as [{ files: { path: string }[] }];
  const files = pack.files.map((f) => f.path);
  for (const needed of ['dist/cli/main.js', 'dist/loader/workers/flatten-worker.js', 'sql/duckdb/merge.sql', 'sql/bigquery/merge.sql', 'schemas/records.json', 'README.md']) {
    assert.ok(files.includes(needed), needed);
  }
  assert.ok(!files.some((f) => f.startsWith('test/') || f.startsWith('src/')), 'no tests or sources in the package');
});

test('sql/duckdb and sql/bigquery hold the same file names', () => {
  const list = (dialect: string) => execFileSync('ls', [path.join(REPO, 'sql', dialect)], { encoding: 'utf8' }).trim().split('\n');
  assert.deepEqual(list('bigquery'), list('duckdb'));
});

test('the Dockerfile copies what exists, runs as non-root, and starts the built CLI', () => {
  const dockerfile = readFileSync(path.join(REPO, 'Dockerfile'), 'utf8');
  const copies = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1]!.split(/\s+/));
  for (const source of copies) assert.ok(existsSync(path.join(REPO, source)), `COPY ${source}`);
  assert.match(dockerfile, /^FROM node:20/m);
  // The base image's `node` user (uid and gid 1000), by number since hadolint's DL3066.
  assert.match(dockerfile, /^USER (node|1000:1000)$/m);
  assert.match(dockerfile, /chown node:node \/work/);
  // The same node flags as the bin's #! line, then the built CLI.
  const entrypoint = /^ENTRYPOINT (\[.*\])$/m.exec(dockerfile)?.[1];
  assert.deepEqual(JSON.parse(entrypoint ?? '[]'), ['node', ...NODE_FLAGS, '/app/dist/cli/main.js']);
  assert.ok(!/GOOGLE_APPLICATION_CREDENTIALS|\.json key/i.test(dockerfile), 'no key file baked in');
});
