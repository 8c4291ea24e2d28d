/**
 * Issue 22, "what a new user hits": the built CLI fed the inputs and mistakes of a first session, checking what
 * the user sees (exit code, message) and what is on disk before and after.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, test } from 'node:test';
import { chromium, SKIP_WITHOUT_BROWSER } from '../check/browser.js';
import { countPixels, decodePng } from '../check/png.js';
import { CLI, FIXTURES, NODE_FLAGS, REPO, runCli, runJson, tempDir } from '../support/cli.js';

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

describe('messages (item 8)', () => {
  test('a mistyped flag is named with the closest one, before any "missing required argument"', async () => {
    const cases: [string[], string][] = [
      [['run', '--souce', 'x'], 'Unknown argument: --souce — did you mean --source?'],
      [['plan', '--source', 'x', '--form', '2023-08-24'], 'Unknown argument: --form — did you mean --from?'],
      [['check', '--warehose', 'duckdb:x'], 'Unknown argument: --warehose — did you mean --warehouse?'],
      [['run', '--source', 'x', '--stag', 'y'], 'Unknown argument: --stag — did you mean --staging?'],
      [['merge', '--run-id', 'r', '--staging', 'gs://bucket/s', '--keepStaging', '--jsn'], 'Unknown argument: --jsn — did you mean --json?'],
    ];
    for (const [args, line] of cases) {
      const result = await runCli(args);
      assert.equal(result.code, 2, args.join(' '));
      assert.equal(result.stderr.split('\n')[0], `velo-backfill: ${line}`, args.join(' '));
      assert.doesNotMatch(result.stderr, /Missing required argument/);
      assert.match(result.stderr, new RegExp(`Run "velo-backfill ${args[0]} --help" for the options`));
    }
    const wild = await runCli(['run', '--source', 'x', '--bogus']);
    assert.equal(wild.stderr.split('\n')[0], 'velo-backfill: Unknown argument: --bogus', 'no guess when nothing is close');
  });

  test('a mistyped command is named with the closest one', async () => {
    const result = await runCli(['rnu', '--source', 'x']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^velo-backfill: Unknown command: rnu — did you mean run\?\n/);
    assert.match((await runCli(['chekc'])).stderr, /did you mean check\?/);
  });

  test('--staging gs://b/s: one line, the real problem (the bucket name is too short)', async () => {
    const work = tempDir();
    const result = await runCli(['run', '--source', SAMPLE, '--staging', 'gs://b/s', '--warehouse', 'bigquery://my-project/vlille'], { cwd: work });
    assert.equal(result.code, 2);
    assert.equal(result.stderr, 'velo-backfill: --staging "gs://b/s" has a bucket name "b" that is too short: GCS bucket names have 3 to 63 characters\n');
    assert.deepEqual(readdirSync(work), [], 'nothing written');
  });

  test('on a terminal, a NOT_JSON reason quoting a raw newline and escape stays on one line, escaped', () => {
    const work = tempDir();
    const source = path.join(work, 'raw');
    spawnSync('mkdir', [source]);
    writeFileSync(path.join(source, 'data___2023_08_24_20_01_00.json'), 'hello\nworld\u001b[31mRED');
    // `script` gives the CLI a terminal, as a person running it has.
    const command = [process.execPath, ...NODE_FLAGS, CLI, 'run', '--source', source, '--warehouse', `duckdb:${path.join(work, 'v.duckdb')}`].map((a) => `'${a}'`).join(' ');
    const result = spawnSync('script', ['-qec', command, '/dev/null'], { cwd: work, encoding: 'utf8' });
    const line = result.stdout.split(/\r?\n/).find((l) => l.includes('file rejected'));
    assert.ok(line, result.stdout);
    assert.ok(line.includes('NOT_JSON: not valid JSON: Unexpected token \'h\', "hello\\nworld\\u001b[31mRED" is not valid JSON'), line);
    assert.ok(!line.includes('\u001b[31mRED'), 'the file\'s escape sequence is not sent to the terminal');
  });
});

describe('times in --timezone with their offset, UTC in JSON (item 5)', () => {
  // The sample corpus: files named 20:01 … 20:20 Paris time (18:01Z …), snapshots 20:00 … 20:19 Paris time.
  const work = tempDir();
  const db = path.join(work, 'v.duckdb');

  test('plan: the window and the minutes in Paris time with +02:00, not 18:01Z; --json in UTC', async () => {
    const table = await runCli(['plan', '--source', SAMPLE, '--warehouse', `duckdb:${db}`, '--from', '2023-08-24T20:00', '--to', '2023-08-24T21:00']);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^window +2023-08-24 20:00\+02:00 → 2023-08-24 21:00\+02:00 \(exclusive\), times in Europe\/Paris$/m);
    assert.match(table.stdout, /^minutes +2023-08-24 20:01\+02:00 → 2023-08-24 20:20\+02:00$/m);
    assert.doesNotMatch(table.stdout, /\d\dZ/);
    const json = JSON.parse((await runCli(['plan', '--source', SAMPLE, '--warehouse', `duckdb:${db}`, '--from', '2023-08-24T20:00', '--json'])).stdout);
    assert.deepEqual(json.window, { from: '2023-08-24T18:00:00.000Z', to: null, timezone: 'Europe/Paris' });
    assert.equal(json.first, '2023-08-24T18:01:00.000Z');
  });

  test('check: table and HTML in Paris time with the offset; JSON in UTC', async () => {
    assert.equal((await runJson(['--source', SAMPLE, '--warehouse', `duckdb:${db}`, '--staging', path.join(work, 'staging')], { cwd: work })).code, 0);
    const table = await runCli(['check', '--warehouse', `duckdb:${db}`, '--from', '2023-08-24T20:00']);
    assert.match(table.stdout, /^window +2023-08-24 20:00:00\+02:00 → the last row/m);
    assert.match(table.stdout, /rows in 19 snapshots, 2023-08-24 20:00:\d\d\+02:00 → 20:19:\d\d\+02:00/);
    const html = path.join(work, 'report.html');
    await runCli(['check', '--warehouse', `duckdb:${db}`, '--format', 'html', '--output', html]);
    assert.match(readFileSync(html, 'utf8'), /2023-08-24 20:00:\d\d\+02:00 → 20:19:\d\d\+02:00/);
    const json = JSON.parse((await runCli(['check', '--warehouse', `duckdb:${db}`, '--from', '2023-08-24T20:00', '--format', 'json'])).stdout);
    assert.equal(json.window.from, '2023-08-24T18:00:00.000Z');
    assert.match(json.summary.firstSnapshot, /^2023-08-24T18:00:\d\d\.\d{3}Z$/);
  });
});

describe('check on no data (item 7)', () => {
  const work = tempDir();
  const db = path.join(work, 'v.duckdb');
  const CHECK_NAMES = ['snapshot_completeness', 'gaps', 'duplicates', 'nulls', 'negative_counts', 'capacity', 'stale_stations', 'orphans', 'freshness', 'manifest'];

  test('an empty window: every check skip, one EMPTY line, exit 4; --allow-empty exits 0', async () => {
    assert.equal((await runJson(['--source', SAMPLE, '--warehouse', `duckdb:${db}`, '--staging', path.join(work, 'staging')], { cwd: work })).code, 0);
    const window = ['--warehouse', `duckdb:${db}`, '--from', '2022-01-01', '--to', '2022-01-02'];
    const table = await runCli(['check', ...window]);
    assert.equal(table.code, 4, table.stderr);
    for (const name of CHECK_NAMES) assert.match(table.stdout, new RegExp(`^  ${name} +– skip +not run: no rows to check$`, 'm'));
    assert.doesNotMatch(table.stdout, /✓ pass|✗ FAIL|fewer than 0 stations/);
    const last = table.stdout.trimEnd().split('\n').at(-1);
    assert.equal(last, 'EMPTY  no rows in the window 2022-01-01 00:00:00+01:00 → 2022-01-02 00:00:00+01:00 (exclusive): every check skipped, nothing to vouch for (exit 4; --allow-empty exits 0)');
    assert.equal((await runCli(['check', ...window, '--allow-empty'])).code, 0);
    const json = await runCli(['check', ...window, '--format', 'json']);
    assert.equal(json.code, 4);
    const report = JSON.parse(json.stdout);
    assert.equal(report.status, 'empty');
    assert.deepEqual(report.checks, []);
    assert.deepEqual(report.skipped.map((s: { name: string }) => s.name).sort(), [...CHECK_NAMES].sort());
    const html = path.join(work, 'empty.html');
    assert.equal(existsSync(html), false);
    assert.equal((await runCli(['check', ...window, '--format', 'html', '--output', html, '--allow-empty'])).code, 0);
    assert.match(readFileSync(html, 'utf8'), /<title>Data-quality report: EMPTY ·[^]*<p class="empty">no rows in the window/);
  });

  test('a warehouse whose only file was rejected: "no rows in the warehouse", exit 4', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'raw'));
    writeFileSync(path.join(dir, 'raw', 'data___2023_08_24_20_01_00.json'), '{"bad": 1}');
    const run = await runCli(['run', '--source', path.join(dir, 'raw'), '--warehouse', 'duckdb:e.duckdb'], { cwd: dir });
    assert.equal(run.code, 3, run.stderr);
    const check = await runCli(['check', '--warehouse', 'duckdb:e.duckdb'], { cwd: dir });
    assert.equal(check.code, 4);
    assert.match(check.stdout, /^EMPTY {2}no rows in the warehouse: every check skipped/m);
  });
});

describe('invocation and wording (item 9)', () => {
  test('the README says how to run the command after npm ci, and npx velo-backfill does run it', () => {
    const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
    const quickStart = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('## Commands'));
    for (const phrase of ['npx velo-backfill', 'npm install -g .', 'npm link']) assert.ok(quickStart.includes(phrase), phrase);
    // --no-install: the clone's own bin (package.json "bin"), never a download.
    // The first npx in a fresh clone installs the project into its cache, and that runs `prepare` (the build),
    // rewriting dist/ under the test files that run the CLI at the same time: not here.
    const npx = spawnSync('npx', ['--no-install', 'velo-backfill', 'run', '--help'], { cwd: REPO, encoding: 'utf8', env: { ...process.env, npm_config_ignore_scripts: 'true' } });
    assert.equal(npx.status, 0, npx.stderr);
    assert.match(npx.stdout, /velo-backfill run/);
  });

  test('run --help, plan --help and the README name the same raw file types', async () => {
    const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
    assert.match(readme, /`--source DIR\\\|gs:\/\/BUCKET\/PREFIX` \| raw files, read recursively: `\*\.json`, `\*\.ndjson`, `\*\.jsonl`, `\*\.geojson`, `\*\.csv`, each optionally `\.gz`/);
    for (const command of ['run', 'plan']) {
      const help = (await runCli([command, '--help'])).stdout.replace(/\s+/g, ' ');
      assert.ok(help.includes('*.json, *.ndjson, *.jsonl, *.geojson, *.csv, each optionally .gz'), `${command} --help: ${help}`);
    }
  });

  test('a folder with .csv and other files: CSV is read (a CSV of no known shape is rejected with the reason), the summary says what was not read and why; DuckDB wording', async () => {
    const work = tempDir();
    const source = path.join(work, 'raw');
    mkdirSync(path.join(source, 'sub'), { recursive: true });
    for (const name of readdirSync(SAMPLE).slice(0, 3)) cpSync(path.join(SAMPLE, name), path.join(source, name));
    writeFileSync(path.join(source, 'stations.csv'), 'id,nom\n1,LILLE FLANDRES\n');
    writeFileSync(path.join(source, 'sub', 'older.csv'), 'id,nom\n');
    writeFileSync(path.join(source, 'notes.txt'), 'collector notes');
    const args = ['--source', source, '--warehouse', `duckdb:${path.join(work, 'v.duckdb')}`, '--staging', path.join(work, 'staging')];
    const table = await runCli(['run', ...args], { cwd: work });
    assert.equal(table.code, 3, table.stderr);
    assert.match(table.stdout, /^files listed +5$/m);
    assert.match(table.stdout, /^ {4}rejected +2$/m);
    assert.match(table.stdout, /^ {2}other files \(not read\) +1 \.txt: not raw snapshots; velo-backfill reads \*\.json, \*\.ndjson, \*\.jsonl, \*\.geojson, \*\.csv, each optionally \.gz$/m);
    assert.match(table.stdout, /^staging loads +records 1, stations 1, files 1$/m);
    assert.doesNotMatch(table.stdout, /load jobs/, 'DuckDB has no load jobs');
    assert.match(table.stderr, /stations\.csv.*UNKNOWN_SHAPE.*CSV with columns \[id, nom\]/);
    assert.match(table.stderr, /files not read: 1 \.txt/);
    assert.equal(readFileSync(path.join(source, 'stations.csv'), 'utf8'), 'id,nom\n1,LILLE FLANDRES\n', 'left as it was');
    const { summary } = await runJson(args, { cwd: work });
    assert.deepEqual(summary.ignoredFiles, { '.txt': 1 });
    const plan = await runCli(['plan', '--source', source, '--force']);
    assert.match(plan.stdout, /- files not read: 1 \.txt/);
    const clean = await runJson(['--source', SAMPLE, '--warehouse', `duckdb:${path.join(work, 'w.duckdb')}`, '--staging', path.join(work, 's2')], { cwd: work });
    assert.deepEqual(clean.summary.ignoredFiles, {});
  });

  test('plan --shard-mb defaults as run does: 32 MiB into BigQuery (gs:// staging), 256 otherwise', async () => {
    // --force: the plan reads no manifest, so no BigQuery is reached.
    const bigquery = await runCli(['plan', '--source', SAMPLE, '--warehouse', 'bigquery://my-project/vlille', '--force']);
    assert.equal(bigquery.code, 0, bigquery.stderr);
    assert.match(bigquery.stdout, /^staged shards .*\(estimate, 32 MiB each at most\)$/m);
    const local = await runCli(['plan', '--source', SAMPLE, '--force', '--json']);
    assert.equal(JSON.parse(local.stdout).shardMb, 256);
    const given = await runCli(['plan', '--source', SAMPLE, '--warehouse', 'bigquery://my-project/vlille', '--force', '--shard-mb', '64', '--json']);
    assert.equal(JSON.parse(given.stdout).shardMb, 64);
  });
});

describe('HTML report: missing minutes visible at a glance (item 11)', { skip: SKIP_WITHOUT_BROWSER }, () => {
  test('a minute the collector missed is an amber column over the dashed expected line, with its times', async () => {
    const work = tempDir();
    const source = path.join(work, 'raw');
    mkdirSync(source);
    // 20:08 and 20:14–20:15 (Paris) never collected: holes shorter than --max-gap, so no red gap band.
    const missed = ['data___2023_08_24_20_09_02.json', 'data___2023_08_24_20_15_02.json', 'data___2023_08_24_20_16_00.json'];
    for (const name of readdirSync(SAMPLE).filter((n) => !missed.includes(n))) cpSync(path.join(SAMPLE, name), path.join(source, name));
    const db = path.join(work, 'v.duckdb');
    assert.equal((await runJson(['--source', source, '--warehouse', `duckdb:${db}`, '--staging', path.join(work, 'staging')], { cwd: work })).code, 0);
    const report = path.join(work, 'report.html');
    const check = await runCli(['check', '--warehouse', `duckdb:${db}`, '--format', 'html', '--output', report]);
    assert.equal(check.code, 0, check.stderr);
    const html = readFileSync(report, 'utf8');
    const titles = [...html.matchAll(/<rect class="missing"[^>]*><title>([^<]*)<\/title>/g)].map((m) => m[1]);
    assert.ok(titles.includes('no snapshot between 2023-08-24 20:07:00+02:00 and 2023-08-24 20:09:00+02:00 (1 minute missing)'), titles.join('\n'));
    assert.ok(titles.includes('no snapshot between 2023-08-24 20:13:00+02:00 and 2023-08-24 20:16:00+02:00 (2 minutes missing)'), titles.join('\n'));
    assert.doesNotMatch(html, /<rect class="gap" x="[\d.]+" y="48"/, 'below --max-gap: no red band');
    assert.match(html, /missing minute<\/text>/, 'in the legend');

    const png = path.join(work, 'report.png');
    const shot = await chromium([`--screenshot=${png}`, '--window-size=1100,760'], pathToFileURL(report).href);
    assert.equal(shot.code, 0, shot.stderr);
    const image = decodePng(readFileSync(png));
    // The columns' fill, #fef3c7: thousands of pixels, where the legend's swatch alone is ~100.
    const amber = countPixels(image, (r, g, b) => r > 250 && g > 236 && g < 250 && b > 190 && b < 210);
    assert.ok(amber > 20_000, `amber pixels: ${amber}`);
  });
});

describe('the deploy guide (item 10)', () => {
  const guide = readFileSync(path.join(REPO, 'docs', 'deploy.md'), 'utf8');

  test('says to enable the APIs, to create the staging bucket in the dataset\'s location and why, how to schedule, and warns about --args', () => {
    const enable = /gcloud services enable ([^\n]*\n[^\n]*)/.exec(guide)?.[1] ?? '';
    for (const api of ['run', 'artifactregistry', 'bigquery', 'cloudbuild']) assert.ok(enable.includes(`${api}.googleapis.com`), api);
    assert.match(guide, /gcloud storage buckets create gs:\/\/STAGING_BUCKET --location=EU/);
    assert.match(guide, /in the dataset's location[^]*fails/);
    assert.match(guide, /gcloud scheduler jobs create http [^]*jobs\/velo-backfill-daily:run/);
    assert.match(guide, /--from "\$\(date -d yesterday \+%F\)" --to "\$\(date \+%F\)"/);
    assert.match(guide, /`jobs execute --args` replaces every argument/);
  });

  test('every flag its command lines pass to velo-backfill run exists (a typo there is exit 2 on Cloud Run)', async () => {
    const help = (await runCli(['run', '--help'])).stdout;
    const lines = guide.split('\n').filter((line) => /--args=(run,|-c,)/.test(line));
    assert.ok(lines.length >= 3, lines.join('\n'));
    const flags = new Set(lines.flatMap((line) => [...line.matchAll(/[,\s](--[a-z][a-z-]*)/g)].map((m) => m[1]!)));
    for (const flag of ['--source', '--staging', '--warehouse', '--from', '--to']) assert.ok(flags.has(flag), flag);
    const gcloudOnly = new Set(['--args', '--max-semi-space-size', '--expose-gc']);
    for (const flag of flags) if (!gcloudOnly.has(flag)) assert.ok(help.includes(`${flag} `), `${flag} is not a run flag`);
  });
});
