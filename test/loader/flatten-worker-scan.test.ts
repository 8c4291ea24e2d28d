/**
 * The worker's whole-file path with the V'lille v1 fast path (on unless VELO_V1_SCAN=0, read when the worker
 * module loads): plain minutes are read by the scanner, gzip and NDJSON fall back to JSON.parse, and the shard
 * holds the same bytes either way; the summary's --verbose table shows the share.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { formatSummaryTable } from '../../src/cli/summary.js';
import type { RunSummary } from '../../src/loader/run.js';
import { UNBOUNDED } from '../../src/loader/sources/window.js';

const MINUTES = path.join(import.meta.dirname, '..', 'fixtures', 'vlille', 'minutes');
const NAMES = ['data___2023_08_24_20_09_00.json', 'data___2023_08_24_20_17_00.json.gz', 'data___2023_08_24_20_18_00.json'];
const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** flattenBatch of a fresh module instance with VELO_V1_SCAN set as given; the shard's text. */
async function runBatch(scan: '0' | '1' | undefined, tag: string): Promise<{ scans: unknown[]; rows: string; stations: unknown }> {
  if (scan === undefined) delete process.env.VELO_V1_SCAN;
  else process.env.VELO_V1_SCAN = scan;
  const { flattenBatch } = (await import(`../../src/loader/workers/flatten-worker.js?${tag}`)) as typeof import('../../src/loader/workers/flatten-worker.js');
  const spoolDir = mkdtempSync(path.join(os.tmpdir(), 'velo-scan-'));
  dirs.push(spoolDir);
  const result = flattenBatch({ read: { timezone: 'Europe/Paris', network: 'vlille', inputFormat: 'auto' }, files: NAMES.map((name) => ({ name, path: path.join(MINUTES, name) })), spoolDir, shardBytes: 1 << 24, window: UNBOUNDED, maxTextBytes: 512 * 1024 }, 1);
  const rows = readdirSync(spoolDir).map((shard) => readFileSync(path.join(spoolDir, shard), 'utf8')).join('');
  const { thread: _thread, ...stations } = result.stations;
  return { scans: result.files.map((file) => ('scan' in file ? file.scan : undefined)), rows, stations };
}

test('by default the scanner reads plain minutes, gzip and NDJSON fall back; VELO_V1_SCAN=0 stages the same bytes without it', async () => {
  const fast = await runBatch(undefined, 'fast');
  const plain = await runBatch('0', 'plain');
  delete process.env.VELO_V1_SCAN;
  assert.deepEqual(fast.scans, ['fast', 'fallback', 'fallback']);
  assert.deepEqual(plain.scans, [undefined, undefined, undefined]);
  assert.ok(fast.rows.length > 0);
  assert.equal(fast.rows, plain.rows);
  assert.deepEqual(fast.stations, plain.stations);
});

test('the --verbose summary shows the fast path share, only when it ran', () => {
  const summary = { fastPath: { files: 3, fallbacks: 1 }, files: {}, rows: {}, bytes: {}, shards: { records: 0, stations: 0, files: 0 }, loadJobs: {}, formats: {}, unlocatedRows: 0, warehouse: 'duckdb:x', merge: { status: 'merged' }, task: { count: 1 }, wallSeconds: 1, cpuSeconds: 1, mbPerSecond: 1, rowsPerSecond: 1 } as unknown as RunSummary;
  const fill = (s: RunSummary): RunSummary => ({ ...s, files: { listed: 0, outOfRange: 0, skipped: 0, processed: 0, loaded: 0, read: 0, degraded: 0, rejected: 0 }, rows: { staged: 0, rejected: 0, outOfRange: 0, duplicate: 0, merged: 0, degradedRecords: 0 }, bytes: { read: 0, staged: 0 } });
  assert.match(formatSummaryTable(fill(summary), new Map(), { verbose: true }), /v1 fast path\s+3 file\(s\), 1 fallback\(s\) to JSON\.parse \(25\.0 %\)/);
  assert.doesNotMatch(formatSummaryTable(fill(summary)), /fast path/);
  assert.doesNotMatch(formatSummaryTable(fill({ ...summary, fastPath: { files: 0, fallbacks: 0 } }), new Map(), { verbose: true }), /fast path/);
});
