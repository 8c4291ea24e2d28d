/** The check SQL: one file per check, the same names in both dialects, shipped in the package. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { CHECKS } from '../../src/check/definitions.js';
import { REPO } from '../support/cli.js';

const dir = (dialect: string): string => path.join(REPO, 'sql', dialect, 'checks');

test('sql/duckdb/checks and sql/bigquery/checks hold the same files: one per check, plus the summary and the series', () => {
  const duckdb = readdirSync(dir('duckdb')).sort();
  assert.deepEqual(readdirSync(dir('bigquery')).sort(), duckdb);
  assert.deepEqual(duckdb, [...CHECKS.map((c) => `${c.name}.sql`), '_series.sql', '_summary.sql'].sort());
});

test('each dialect uses its own parameter syntax, and every check file filters on the window and reports check_count', () => {
  for (const name of readdirSync(dir('duckdb'))) {
    const duck = readFileSync(path.join(dir('duckdb'), name), 'utf8');
    const bq = readFileSync(path.join(dir('bigquery'), name), 'utf8');
    const code = (sql: string): string => sql.replace(/^\s*--.*$/gm, '');
    assert.doesNotMatch(code(duck), /@\w/, `${name}: no BigQuery parameters in DuckDB`);
    assert.doesNotMatch(code(bq), /\$\w/, `${name}: no DuckDB parameters in BigQuery`);
    assert.match(duck, /record_timestamp >= \$from::TIMESTAMPTZ AND record_timestamp < \$to::TIMESTAMPTZ/, name);
    assert.match(bq, /record_timestamp >= TIMESTAMP\(@from\) AND record_timestamp < TIMESTAMP\(@to\)/, name);
    if (!name.startsWith('_')) assert.match(code(duck) + code(bq), /AS check_count[\s\S]*AS check_count/, name);
  }
});

test('the npm package ships the check SQL', () => {
  const [pack] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO, encoding: 'utf8' })) as [{ files: { path: string }[] }];
  const files = pack.files.map((f) => f.path);
  for (const name of readdirSync(dir('duckdb'))) {
    assert.ok(files.includes(`sql/duckdb/checks/${name}`) && files.includes(`sql/bigquery/checks/${name}`), name);
  }
});
