/**
 * npm run bench [-- --files N --stations S --source local|gcs --big-file-mb N --repeat N]
 *                 [--workers N] [--concurrency N]            --workers: every velo run; --concurrency: not the sweep's
 *                 [--latency-ms N [--concurrency-sweep 16,32,64,128]]   with --source gcs
 *                 [--format ID[,ID…]|all]                   throughput per raw format (local folder only)
 *                 [--duckdb-memory SIZE]                    passed to every velo run (default: the CLI's 128MB)
 *
 * Generates a deterministic synthetic V'lille v1 corpus (real-looking bytes), runs `velo-backfill run` on it
 * into a fresh DuckDB file as a child process, then runs the reference — DuckDB's native read_json + unnest
 * building the same records rows from the same files — also as a child process, and prints both with ratios.
 * Both are timed alike: wall clock of the child process, from spawn to exit, each closing its database file.
 *
 * --latency-ms N (with --source gcs): GCS at a real round-trip time. The velo runs of a latency sweep read the
 * emulator through test/support/http-proxy.ts, which delays every request (listing pages and object GETs) by N ms.
 * Each round runs, for the default settings and then for each --concurrency of --concurrency-sweep (default
 * 16,32,64,128), one run through the proxy at 0 ms and one at N ms, back to back (so a drifting machine slows both
 * alike; 0 ms first in odd rounds, second in even ones, as the second run of a pair tends to be the faster). It
 * prints files/s (files.processed / the CLI's own wallSeconds), peak RSS, the most downloads the proxy saw in
 * flight, requests per file and the ratio N ms / 0 ms; medians over --repeat rounds (peak RSS: the highest). The
 * goal line compares the default settings at N ms with the default settings at 0 ms (the issue's goal: ≥ 0.8×
 * at 40 ms with peak RSS ≤ 300 MB). Example: npm run bench -- --source gcs --latency-ms 40 --repeat 3
 *
 * --format ID[,ID…]|all: throughput per raw format. For each format (vlille-ods-v1, vlille-ods-v2, vlille-mel-wfs,
 * vlille-mel-csv, gbfs-station-status, jcdecaux-v1, jcdecaux-v3; `all`: every one) a corpus of the v1 bench's size
 * (--files minutes × --stations stations, the same observations' shape) is written once with the project's own
 * generators (test/support/formats-synth.ts) under $TMPDIR/velo-bench/, and each round runs `velo-backfill run`
 * folder → fresh DuckDB on the V'lille v1 corpus and on each format's corpus, in an order rotated every round
 * (so a drifting machine favours no format). Two corpora carry one extra file, as a real load would: GBFS status
 * minutes come with one `station_information` (names, coordinates, capacity), and the MEL CSV minutes (no station
 * id: matched by coordinates in the merge) with one `station_information` giving the stations their coordinates.
 * Printed per format: files, MB on disk, wall s (child process, spawn to exit), CPU s, MB/s, rows/s (merged rows),
 * peak RSS and the ratio of its rows/s and MB/s to the v1 run of the same round (medians over --repeat rounds;
 * peak RSS: the highest). The DuckDB reference is not run in this mode. Every run must exit 0 and merge
 * files × stations rows. Example: npm run bench -- --format all --repeat 2
 */
import { spawn } from 'node:child_process';
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DateTime } from 'luxon';
import { collectedName, gbfsInformation, gbfsStatus, jcdecauxV1, jcdecauxV3, melCsv, melWfs, observe, odsV2 } from '../test/support/formats-synth.js';
import { startProxy } from '../test/support/http-proxy.js';
import { fileName, minuteDocument, pythonJson, random, stationCatalog } from '../test/support/vlille-synth.js';

const { values: opts } = parseArgs({
  options: {
    files: { type: 'string', default: '2000' },
    stations: { type: 'string', default: '289' },
    source: { type: 'string', default: 'local' },
    'big-file-mb': { type: 'string', default: '0' },
    workers: { type: 'string' },
    concurrency: { type: 'string' },
    repeat: { type: 'string', default: '1' },
    'latency-ms': { type: 'string' },
    'concurrency-sweep': { type: 'string', default: '16,32,64,128' },
    format: { type: 'string' },
    'duckdb-memory': { type: 'string' },
  },
});
const FILES = Number(opts.files);
const STATIONS = Number(opts.stations);
const REPEAT = Math.max(1, Math.floor(Number(opts.repeat) || 1));
const LATENCY_MS = opts['latency-ms'] === undefined ? null : Number(opts['latency-ms']);
if (LATENCY_MS !== null && !(LATENCY_MS >= 0)) throw new Error(`--latency-ms must be a number ≥ 0, got ${opts['latency-ms']}`);
if (LATENCY_MS !== null && opts.source !== 'gcs') throw new Error('--latency-ms needs --source gcs');
const SWEEP = opts['concurrency-sweep'].split(',').filter(Boolean).map((c) => {
  const n = Number(c);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--concurrency-sweep: ${c} is not a positive integer`);
  return n;
});
const FORMAT_IDS = ['vlille-ods-v1', 'vlille-ods-v2', 'vlille-mel-wfs', 'vlille-mel-csv', 'gbfs-station-status', 'jcdecaux-v1', 'jcdecaux-v3'] as const;
type FormatId = (typeof FORMAT_IDS)[number];
const FORMATS: FormatId[] | null = opts.format === undefined ? null : opts.format === 'all' ? [...FORMAT_IDS] : opts.format.split(',').filter(Boolean).map((id) => {
  if (!(FORMAT_IDS as readonly string[]).includes(id)) throw new Error(`--format: ${id} is not one of ${FORMAT_IDS.join(', ')} (or all)`);
  return id as FormatId;
});
if (FORMATS !== null && (opts.source !== 'local' || Number(opts['big-file-mb']) > 0)) throw new Error('--format reads a local folder of minutes: not with --source gcs or --big-file-mb');
const REPO = path.resolve(import.meta.dirname, '..');
const CLI = path.join(REPO, 'dist', 'cli', 'main.js');
/** velo-backfill runs with the node flags of its bin's `#!/usr/bin/env -S node …` line, as a user's shell would start it. */
const NODE_FLAGS = existsSync(CLI) ? (/^#!\/usr\/bin\/env -S node(.*)$/.exec(readFileSync(CLI, 'utf8').split('\n', 1)[0] ?? '')?.[1]?.trim().split(/\s+/).filter(Boolean) ?? []) : [];
const WORK = path.join(os.tmpdir(), 'velo-bench');

function generateCorpus(files: number, stations: number): string {
  const dir = path.join(WORK, `corpus-${files}x${stations}`);
  const marker = path.join(dir, '.complete');
  if (existsSync(marker)) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const catalog = stationCatalog(stations, 42);
  const start = DateTime.fromISO('2023-08-24T00:00:00', { zone: 'Europe/Paris' });
  process.stderr.write(`generating ${files} files of ${stations} stations in ${dir} …\n`);
  for (let i = 0; i < files; i++) {
    const at = start.plus({ minutes: i });
    writeFileSync(path.join(dir, fileName(at.plus({ minutes: 1, seconds: i % 3 }))), pythonJson(minuteDocument({ stations: catalog, at, seed: i })));
  }
  writeFileSync(marker, '');
  return dir;
}

/**
 * The v1 corpus's twin in another raw format: `files` minutes of `stations` stations, from the same catalog,
 * written by the fixtures' own generators. GBFS (and the MEL CSV, whose rows carry coordinates, not ids) also get
 * one station_information file. Text only (no gzip), one file per minute, names with the collection time.
 */
function generateFormatCorpus(format: Exclude<FormatId, 'vlille-ods-v1'>, files: number, stations: number): string {
  const dir = path.join(WORK, `corpus-${format}-${files}x${stations}`);
  const marker = path.join(dir, '.complete');
  if (existsSync(marker)) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const catalog = stationCatalog(stations, 42);
  const rnd = random(42);
  const start = DateTime.fromISO('2023-08-24T00:00:00', { zone: 'Europe/Paris' });
  process.stderr.write(`generating ${files} ${format} files of ${stations} stations in ${dir} …\n`);
  if (format === 'gbfs-station-status' || format === 'vlille-mel-csv') {
    const info = gbfsInformation(catalog, start.minus({ minutes: 1 }), '2.3');
    writeFileSync(path.join(dir, 'gbfs_station_information.json'), info.text);
  }
  for (let i = 0; i < files; i++) {
    const at = start.plus({ minutes: i });
    const seen = observe(catalog, at, rnd);
    const collected = at.plus({ minutes: 1 });
    let file: { name: string; text: string };
    if (format === 'vlille-ods-v2') file = odsV2(seen, collected);
    else if (format === 'vlille-mel-wfs') file = melWfs(seen, at);
    else if (format === 'vlille-mel-csv') file = melCsv(seen, collected);
    // GBFS takes its time from last_updated, not the name; the names only need to differ.
    else if (format === 'gbfs-station-status') file = { ...gbfsStatus(seen, at, '2.3'), name: collectedName('gbfs_station_status', at, 'json') };
    else if (format === 'jcdecaux-v1') file = { name: collectedName('jcdecaux_v1_stations', collected, 'json'), text: JSON.stringify(jcdecauxV1(seen, at, 'vlille')) };
    else file = { name: collectedName('jcdecaux_v3_stations', collected, 'json'), text: JSON.stringify(jcdecauxV3(seen, 'vlille'), null, 2) };
    writeFileSync(path.join(dir, file.name), file.text);
  }
  writeFileSync(marker, '');
  return dir;
}

/** One huge single-document file (streaming path), written minute by minute (a 1 GB string cannot exist). */
function generateBigFile(megabytes: number): string {
  const dir = path.join(WORK, `big-${megabytes}mb`);
  const file = path.join(dir, 'data___2023_08_24_00_00_00.json');
  if (existsSync(path.join(dir, '.complete'))) return dir;
  mkdirSync(dir, { recursive: true });
  const catalog = stationCatalog(289, 42);
  const start = DateTime.fromISO('2023-08-24T00:00:00', { zone: 'Europe/Paris' });
  process.stderr.write(`generating one ${megabytes} MB file in ${dir} …\n`);
  writeFileSync(file, '{"nhits": 0, "parameters": {}, "records": [');
  let size = 0;
  for (let i = 0; size < megabytes * 1e6; i++) {
    const doc = minuteDocument({ stations: catalog, at: start.plus({ minutes: i }), seed: i });
    const text = `${i > 0 ? ', ' : ''}${(doc.records as unknown[]).map((r) => pythonJson(r)).join(', ')}`;
    appendFileSync(file, text);
    size += text.length;
  }
  appendFileSync(file, ']}');
  writeFileSync(path.join(dir, '.complete'), '');
  return dir;
}

/** Reads a file through once (in 16 MiB pieces, so a 1 GB file does not need 1 GB of memory). */
function warm(file: string): void {
  const buffer = Buffer.allocUnsafe(16 * 2 ** 20);
  const fd = openSync(file, 'r');
  try {
    while (readSync(fd, buffer, 0, buffer.length, null) > 0);
  } finally {
    closeSync(fd);
  }
}

/** The corpus's data files (every name but the `.complete` marker). */
function corpusFiles(dir: string): string[] {
  return readdirSync(dir).filter((name) => !name.startsWith('.'));
}

function folderBytes(dir: string): number {
  return corpusFiles(dir).reduce((sum, name) => sum + statSync(path.join(dir, name)).size, 0);
}

interface ChildResult {
  seconds: number;
  stdout: string;
  stderr: string;
  code: number;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ seconds: (performance.now() - started) / 1000, stdout, stderr, code: code ?? -1 }));
  });
}

// The reference loads DuckDB the way velo-backfill does (require, not an ESM import: ~150 ms less start-up),
// so the comparison is about the work, not module loading.
const REFERENCE_SCRIPT = `
import { createRequire } from 'node:module';
const { DuckDBInstance } = createRequire(import.meta.url)('@duckdb/node-api');
const [dir, db] = process.argv.slice(2);
const started = performance.now();
const instance = await DuckDBInstance.create(db);
const c = await instance.connect();
await c.run("SET TimeZone = 'UTC'");
await c.run(\`CREATE TABLE records AS
  SELECT r.fields.libelle::BIGINT AS station_id, r.fields.etat AS etat, r.fields.nbvelosdispo::BIGINT AS nb_velos_dispo,
         r.fields.nbplacesdispo::BIGINT AS nb_places_dispo, r.fields.etatconnexion AS etat_connexion,
         r.fields.datemiseajour::TIMESTAMPTZ AS derniere_maj, r.record_timestamp::TIMESTAMPTZ AS record_timestamp
  FROM (SELECT unnest(records) AS r FROM read_json('\${dir}/*.json', maximum_object_size = 1073741824,
        columns = {records: 'STRUCT(fields STRUCT(libelle BIGINT, etat VARCHAR, nbvelosdispo BIGINT, nbplacesdispo BIGINT, etatconnexion VARCHAR, datemiseajour VARCHAR), record_timestamp VARCHAR)[]'}))
  WHERE r.fields.libelle IS NOT NULL\`);
const rows = Number((await c.runAndReadAll('SELECT COUNT(*) FROM records')).getRows()[0][0]);
// Closed like velo-backfill closes its file: the checkpoint is part of the work.
c.closeSync();
instance.closeSync();
const { user, system } = process.cpuUsage();
console.log(JSON.stringify({ rows, seconds: (performance.now() - started) / 1000, cpuSeconds: (user + system) / 1e6, peakRssMb: process.resourceUsage().maxRSS / 1024 }));
`;

/** Files per second of the run itself (the CLI's wallSeconds: without Node's start-up, the same in every run). */
function filesPerSecond(r: { files: number; wallSeconds: number }): number {
  return r.files / r.wallSeconds;
}

type SweepRow = { concurrency: number | 'default'; zero: { files: number; wallSeconds: number; peakRssMb: number; maxInFlight: number; requests: number }; slow: { files: number; wallSeconds: number; peakRssMb: number; maxInFlight: number; requests: number } };

function printSweep(rounds: SweepRow[][], median: (values: number[]) => number): void {
  const first = rounds[0]!;
  console.log(`latency sweep: velo through the proxy in front of the GCS emulator, 0 ms and ${LATENCY_MS} ms per request${rounds.length > 1 ? ` (median of ${rounds.length} rounds; peak RSS: the highest; ratio: median of the rounds' ratios)` : ''}`);
  console.log(`${'--concurrency'.padEnd(14)} ${'0 ms files/s'.padStart(13)} ${'RSS MB'.padStart(7)} ${`${LATENCY_MS} ms files/s`.padStart(14)} ${'RSS MB'.padStart(7)} ${'ratio'.padStart(6)} ${'in flight'.padStart(10)} ${'req/file'.padStart(9)}`);
  let goal = 0;
  for (let i = 0; i < first.length; i++) {
    const points = rounds.map((r) => r[i]!);
    const zero = median(points.map((p) => filesPerSecond(p.zero)));
    const slow = median(points.map((p) => filesPerSecond(p.slow)));
    const ratio = median(points.map((p) => filesPerSecond(p.slow) / filesPerSecond(p.zero)));
    const range = points.length > 1 ? ` (${Math.min(...points.map((p) => filesPerSecond(p.slow) / filesPerSecond(p.zero))).toFixed(2)}–${Math.max(...points.map((p) => filesPerSecond(p.slow) / filesPerSecond(p.zero))).toFixed(2)})` : '';
    if (first[i]!.concurrency === 'default') goal = ratio;
    console.log(
      `${String(first[i]!.concurrency).padEnd(14)} ${zero.toFixed(0).padStart(13)} ${Math.max(...points.map((p) => p.zero.peakRssMb)).toFixed(0).padStart(7)} ${slow.toFixed(0).padStart(14)} ${Math.max(...points.map((p) => p.slow.peakRssMb)).toFixed(0).padStart(7)} ${ratio.toFixed(2).padStart(6)}x ${String(Math.max(...points.map((p) => p.slow.maxInFlight))).padStart(9)} ${(points[0]!.slow.requests / points[0]!.slow.files).toFixed(2).padStart(9)}${range}`,
    );
  }
  const rss = Math.max(...rounds.map((r) => r[0]!.slow.peakRssMb));
  console.log(`goal (default settings at ${LATENCY_MS} ms ≥ 0.8× the default at 0 ms, peak RSS ≤ 300 MB): ${goal.toFixed(2)}x, ${rss} MB → ${goal >= 0.8 && rss <= 300 ? 'met' : 'NOT met'}`);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

type FormatRun = { seconds: number; merged: number; cpuSeconds: number; peakRssMb: number };

/** --format: the v1 corpus and each format's twin, folder → DuckDB, rounds in a rotated order; a table per format. */
async function benchFormats(v1Corpus: string, runVelo: (source: string, env: NodeJS.ProcessEnv, label: string) => Promise<FormatRun>, out: string): Promise<void> {
  const ids: FormatId[] = ['vlille-ods-v1', ...FORMATS!.filter((id) => id !== 'vlille-ods-v1')];
  const corpora = new Map<FormatId, string>(ids.map((id) => [id, id === 'vlille-ods-v1' ? v1Corpus : generateFormatCorpus(id, FILES, STATIONS)]));
  const sizes = new Map(ids.map((id) => [id, { files: corpusFiles(corpora.get(id)!).length, mb: folderBytes(corpora.get(id)!) / 1e6 }]));
  for (const id of ids) for (const name of corpusFiles(corpora.get(id)!)) warm(path.join(corpora.get(id)!, name));
  const rounds: Map<FormatId, FormatRun>[] = [];
  for (let round = 1; round <= REPEAT; round++) {
    const results = new Map<FormatId, FormatRun>();
    // Rotated each round: the first run of a round and the last see a different machine on a drifting VM.
    const order = ids.map((_, i) => ids[(i + round - 1) % ids.length]!);
    for (const id of order) {
      const r = await runVelo(corpora.get(id)!, {}, `round-${round}/${id}`);
      results.set(id, r);
      process.stderr.write(`  round ${round}, ${id}: ${r.seconds.toFixed(2)} s, ${Math.round(r.merged / r.seconds).toLocaleString('en-US')} rows/s\n`);
    }
    rounds.push(results);
  }
  const expected = FILES * STATIONS;
  console.log(`corpora: ${FILES} minutes × ${STATIONS} stations per format (${expected.toLocaleString('en-US')} rows each), ${os.availableParallelism()} cores${REPEAT > 1 ? `; median of ${REPEAT} rounds (peak RSS: the highest; ratios: median of the rounds' ratios)` : ''}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`${'format'.padEnd(20)} ${'files'.padStart(6)} ${'MB'.padStart(6)} ${'wall s'.padStart(7)} ${'CPU s'.padStart(6)} ${'MB/s'.padStart(6)} ${'rows/s'.padStart(8)} ${'peak RSS'.padStart(9)} ${'rows/s vs v1'.padStart(13)} ${'MB/s vs v1'.padStart(11)}`);
  let allRows = true;
  for (const id of ids) {
    const runs = rounds.map((r) => r.get(id)!);
    const v1 = rounds.map((r) => r.get('vlille-ods-v1')!);
    const { files, mb } = sizes.get(id)!;
    const v1Mb = sizes.get('vlille-ods-v1')!.mb;
    const seconds = median(runs.map((r) => r.seconds));
    const rowsRatio = median(runs.map((r, i) => r.merged / r.seconds / (v1[i]!.merged / v1[i]!.seconds)));
    const mbRatio = median(runs.map((r, i) => mb / r.seconds / (v1Mb / v1[i]!.seconds)));
    if (runs.some((r) => r.merged !== expected)) allRows = false;
    console.log(
      `${id.padEnd(20)} ${String(files).padStart(6)} ${mb.toFixed(1).padStart(6)} ${seconds.toFixed(2).padStart(7)} ${median(runs.map((r) => r.cpuSeconds)).toFixed(1).padStart(6)} ${(mb / seconds).toFixed(1).padStart(6)} ${Math.round(runs[0]!.merged / seconds).toLocaleString('en-US').padStart(8)} ${`${Math.max(...runs.map((r) => r.peakRssMb)).toFixed(0)} MB`.padStart(9)} ${`${rowsRatio.toFixed(2)}x`.padStart(13)} ${`${mbRatio.toFixed(2)}x`.padStart(11)}`,
    );
  }
  console.log(`every run merged ${expected.toLocaleString('en-US')} rows: ${allRows ? 'yes' : `NO (${ids.map((id) => `${id} ${rounds.map((r) => r.get(id)!.merged).join('/')}`).join(', ')})`}`);
  rmSync(out, { recursive: true, force: true });
  if (!allRows) process.exitCode = 1;
}

async function main(): Promise<void> {
  if (!existsSync(CLI)) throw new Error('build first: npm run build');
  const bigMb = Number(opts['big-file-mb']);
  const corpus = bigMb > 0 ? generateBigFile(bigMb) : generateCorpus(FILES, STATIONS);
  const bytes = folderBytes(corpus);
  const files = corpusFiles(corpus).length;
  const out = path.join(WORK, `run-${process.pid}`);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });

  type VeloResult = { seconds: number; merged: number; cpuSeconds: number; peakRssMb: number; files: number; wallSeconds: number };
  const runVelo = async (source: string, env: NodeJS.ProcessEnv, label: string, concurrency = opts.concurrency): Promise<VeloResult> => {
    const dir = path.join(out, label);
    mkdirSync(dir, { recursive: true });
    const result = await run(process.execPath, [
      ...NODE_FLAGS, CLI, 'run', '--source', source, '--warehouse', `duckdb:${path.join(dir, 'velo.duckdb')}`, '--staging', path.join(dir, 'staging'), '--json',
      ...(opts.workers ? ['--workers', opts.workers] : []), ...(opts['duckdb-memory'] ? ['--duckdb-memory', opts['duckdb-memory']] : []), ...(concurrency ? ['--concurrency', concurrency] : []),
    ], { VELO_LOG_LEVEL: 'warn', ...env });
    if (result.code !== 0) throw new Error(`velo-backfill (${label}) exited ${result.code}:\n${result.stderr}`);
    const summary = JSON.parse(result.stdout) as { rows: { merged: number }; files: { processed: number }; cpuSeconds: number; peakRssMb: number; wallSeconds: number };
    rmSync(dir, { recursive: true, force: true });
    return { seconds: result.seconds, merged: summary.rows.merged, cpuSeconds: summary.cpuSeconds, peakRssMb: summary.peakRssMb, files: summary.files.processed, wallSeconds: summary.wallSeconds };
  };
  // The latency sweep: velo through the proxy at 0 ms and at LATENCY_MS, default settings then each --concurrency.
  type SweepRun = VeloResult & { maxInFlight: number; requests: number };
  type SweepPoint = { concurrency: number | 'default'; zero: SweepRun; slow: SweepRun };
  const runThroughProxy = async (upload: { sourceArg: string; env: NodeJS.ProcessEnv }, latencyMs: number, concurrency: number | 'default', label: string): Promise<SweepRun> => {
    const proxy = await startProxy({ upstream: upload.env.VELO_GCS_ENDPOINT!, latencyMs });
    try {
      const result = await runVelo(upload.sourceArg, { ...upload.env, VELO_GCS_ENDPOINT: proxy.url }, label, concurrency === 'default' ? undefined : String(concurrency));
      return { ...result, maxInFlight: proxy.stats.maxInFlight, requests: proxy.stats.requests };
    } finally {
      await proxy.stop();
    }
  };
  const runSweep = async (upload: { sourceArg: string; env: NodeJS.ProcessEnv }, round: number): Promise<SweepPoint[]> => {
    const points: SweepPoint[] = [];
    for (const concurrency of ['default', ...SWEEP] as const) {
      // 0 ms first in odd rounds, last in even ones: a machine that speeds up or slows down favours neither side.
      const zeroFirst = round % 2 === 1;
      const first = await runThroughProxy(upload, zeroFirst ? 0 : LATENCY_MS!, concurrency, `round-${round}/sweep-${concurrency}-a`);
      const second = await runThroughProxy(upload, zeroFirst ? LATENCY_MS! : 0, concurrency, `round-${round}/sweep-${concurrency}-b`);
      const [zero, slow] = zeroFirst ? [first, second] : [second, first];
      points.push({ concurrency, zero, slow });
      process.stderr.write(`  round ${round}, --concurrency ${concurrency}: ${filesPerSecond(zero).toFixed(0)} files/s at 0 ms, ${filesPerSecond(slow).toFixed(0)} at ${LATENCY_MS} ms (${(filesPerSecond(slow) / filesPerSecond(zero)).toFixed(2)}x)\n`);
    }
    return points;
  };
  if (FORMATS !== null) return benchFormats(corpus, runVelo, out);
  const refScript = path.join(REPO, 'node_modules', '.velo-bench-reference.mjs');
  writeFileSync(refScript, REFERENCE_SCRIPT);
  const runReference = async (label: string): Promise<{ seconds: number; inProcessSeconds: number; rows: number; cpuSeconds: number; peakRssMb: number }> => {
    mkdirSync(path.join(out, label), { recursive: true });
    const ref = await run(process.execPath, [refScript, corpus, path.join(out, label, 'reference.duckdb')]);
    if (ref.code !== 0) throw new Error(`reference failed:\n${ref.stderr}`);
    const reported = JSON.parse(ref.stdout.trim().split('\n').pop()!) as { rows: number; seconds: number; cpuSeconds: number; peakRssMb: number };
    return { seconds: ref.seconds, inProcessSeconds: reported.seconds, rows: reported.rows, cpuSeconds: reported.cpuSeconds, peakRssMb: reported.peakRssMb };
  };

  // Both runs read a warm page cache: the first one would otherwise pay the disk for both.
  for (const name of corpusFiles(corpus)) warm(path.join(corpus, name));
  const upload = opts.source === 'gcs' ? await (await import('./bench-gcs.js')).uploadCorpus(corpus) : null;
  const rounds: { velo: VeloResult; gcs: VeloResult | null; ref: Awaited<ReturnType<typeof runReference>>; sweep: SweepPoint[] | null }[] = [];
  try {
    // Rounds alternate velo and the reference, so a machine that drifts slows both alike; the median is reported.
    for (let round = 1; round <= REPEAT; round++) {
      const velo = await runVelo(corpus, {}, `round-${round}/local`);
      const gcs = upload ? await runVelo(upload.sourceArg, upload.env, `round-${round}/gcs`) : null;
      const ref = await runReference(`round-${round}`);
      const sweep = upload && LATENCY_MS !== null ? await runSweep(upload, round) : null;
      rounds.push({ velo, gcs, ref, sweep });
      if (REPEAT > 1) {
        console.log(`round ${round}: velo ${velo.seconds.toFixed(2)} s${gcs ? `, gcs ${gcs.seconds.toFixed(2)} s` : ''}, reference ${ref.seconds.toFixed(2)} s → ${(ref.seconds / velo.seconds).toFixed(2)}x`);
      }
    }
  } finally {
    await upload?.stop();
    rmSync(refScript, { force: true });
  }

  const pick = (get: (r: (typeof rounds)[number]) => VeloResult | null): VeloResult | null => {
    const results = rounds.map(get).filter((r): r is VeloResult => r !== null);
    if (results.length === 0) return null;
    return { seconds: median(results.map((r) => r.seconds)), merged: results[0]!.merged, cpuSeconds: median(results.map((r) => r.cpuSeconds)), peakRssMb: Math.max(...results.map((r) => r.peakRssMb)), files: results[0]!.files, wallSeconds: median(results.map((r) => r.wallSeconds)) };
  };
  const velo = pick((r) => r.velo)!;
  const gcs = pick((r) => r.gcs);
  const reference = {
    seconds: median(rounds.map((r) => r.ref.seconds)),
    inProcessSeconds: median(rounds.map((r) => r.ref.inProcessSeconds)),
    rows: rounds[0]!.ref.rows,
    cpuSeconds: median(rounds.map((r) => r.ref.cpuSeconds)),
    peakRssMb: Math.max(...rounds.map((r) => r.ref.peakRssMb)),
  };

  const mb = bytes / 1e6;
  const line = (name: string, r: { seconds: number; cpuSeconds: number; peakRssMb: number }, rows: number): string =>
    `${name.padEnd(28)} ${r.seconds.toFixed(2).padStart(6)} s ${(mb / r.seconds).toFixed(1).padStart(6)} MB/s ${Math.round(rows / r.seconds).toLocaleString('en-US').padStart(8)} rows/s ${rows.toLocaleString('en-US').padStart(10)} rows ${r.cpuSeconds.toFixed(1).padStart(5)} s CPU ${r.peakRssMb.toFixed(0).padStart(5)} MB peak RSS`;
  console.log(`corpus: ${files} files, ${mb.toFixed(1)} MB, ${bigMb > 0 ? 'one huge file' : `${STATIONS} stations/file`}, ${os.availableParallelism()} cores${REPEAT > 1 ? `; median of ${REPEAT} rounds (peak RSS: the highest)` : ''}`);
  console.log(line('velo-backfill (local)', velo, velo.merged));
  if (gcs) console.log(line('velo-backfill (gcs emulator)', gcs, gcs.merged));
  console.log(line('duckdb read_json+unnest', reference, reference.rows));
  // Both sides are timed the same way: wall clock of the child process, start-up and exit included.
  console.log(`  (reference in-process time, without Node start-up and DuckDB's module load: ${reference.inProcessSeconds.toFixed(2)} s)`);
  console.log(`ratio velo/reference throughput: ${median(rounds.map((r) => r.ref.seconds / r.velo.seconds)).toFixed(2)}x`);
  // CPU seconds (every thread, start-up included) drift less than wall time on a shared machine: the work each side does.
  console.log(`ratio reference/velo CPU time: ${median(rounds.map((r) => r.ref.cpuSeconds / r.velo.cpuSeconds)).toFixed(2)}x`);
  if (gcs) console.log(`ratio gcs/local throughput: ${median(rounds.map((r) => r.velo.seconds / r.gcs!.seconds)).toFixed(2)}x`);
  if (LATENCY_MS !== null) printSweep(rounds.map((r) => r.sweep!), median);
  const same = rounds.every((r) => r.velo.merged === r.ref.rows && (!r.gcs || r.gcs.merged === r.ref.rows) && (r.sweep ?? []).every((p) => p.zero.merged === r.ref.rows && p.slow.merged === r.ref.rows));
  console.log(`same row count: ${same ? 'yes' : `NO (velo ${velo.merged}, gcs ${gcs?.merged ?? '-'}, reference ${reference.rows})`}`);
  rmSync(out, { recursive: true, force: true });
  if (!same) process.exitCode = 1;
}

await main();
