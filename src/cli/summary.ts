/** Renders the run summary: an aligned table for people, JSON with --json. */
import type { RunSummary } from '../loader/run.js';

const int = (n: number): string => n.toLocaleString('en-US');
const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

const MERGE_WORDS: Record<RunSummary['merge']['status'], string> = {
  merged: 'done by this run',
  'left-to-last-task': 'left to the last task to finish',
  'already-merged': 'already done',
  'nothing-to-merge': 'nothing new to merge',
  'held-back': 'HELD BACK',
};

/** Raw file types the tool reads; anything else in a source folder is listed as not read. */
export const RAW_FILE_TYPES = '*.json, *.ndjson, *.jsonl, *.geojson, *.csv, each optionally .gz';

/** `2 .csv, 1 .txt: not raw snapshots; velo-backfill reads *.json, …`, or null when nothing was passed over. */
export function describeIgnored(ignored: ReadonlyMap<string, number>): string | null {
  if (ignored.size === 0) return null;
  const counts = [...ignored].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([ext, n]) => `${int(n)} ${ext}`);
  return `${counts.join(', ')}: not raw snapshots; velo-backfill reads ${RAW_FILE_TYPES}`;
}

/** One line per raw format read: its files and staged rows. */
function formatRows(formats: RunSummary['formats']): [string, string][] {
  const ids = Object.keys(formats).sort();
  if (ids.length === 0) return [];
  return [['formats', `${ids.length}`], ...ids.map((id): [string, string] => [`  ${id}`, `${int(formats[id]!.files)} file(s), ${int(formats[id]!.rows)} row(s)`])];
}

/** `verbose`: also the fast path's share (when it ran), so a drop in it shows. */
export function formatSummaryTable(s: RunSummary, ignored: ReadonlyMap<string, number> = new Map(), { verbose = false } = {}): string {
  const notRead = describeIgnored(ignored);
  const rows: [string, string][] = [
    ['run id', s.runId],
    ['source', s.source],
    ['warehouse', s.warehouse],
    ...(s.task.count > 1 ? [['task', `index ${s.task.index} of ${s.task.count} (attempt ${s.task.attempt})`] as [string, string]] : []),
    ['merge', `${MERGE_WORDS[s.merge.status]}${s.merge.note ? ` (${s.merge.note})` : ''}`],
    ['files listed', int(s.files.listed)],
    ...(notRead ? [['  other files (not read)', notRead] as [string, string]] : []),
    ['  out of range', int(s.files.outOfRange)],
    ['  skipped (already loaded)', int(s.files.skipped)],
    ['  processed', int(s.files.processed)],
    ['    loaded (merged)', int(s.files.loaded)],
    ['    read (nothing new)', int(s.files.read)],
    ['    degraded (skipped)', int(s.files.degraded)],
    ['    rejected', int(s.files.rejected)],
    ['rows staged', int(s.rows.staged)],
    ['  out of range', int(s.rows.outOfRange)],
    ['  duplicate', int(s.rows.duplicate)],
    ['  merged (new)', int(s.rows.merged)],
    ['rows rejected', `${int(s.rows.rejected)}${s.unlocatedRows > 0 ? ` (${int(s.unlocatedRows)} located rows at no station's coordinates)` : ''}`],
    ['degraded records', int(s.rows.degradedRecords)],
    ['bytes read', mb(s.bytes.read)],
    ...formatRows(s.formats),
    ['bytes staged', `${mb(s.bytes.staged)} in ${Object.values(s.shards).reduce((n, shards) => n + shards, 0)} shard(s)`],
    // DuckDB loads its staging with SQL, not BigQuery load jobs.
    [s.warehouse.startsWith('duckdb:') ? 'staging loads' : 'load jobs', `records ${s.loadJobs.records}, stations ${s.loadJobs.stations}, files ${s.loadJobs.files}${s.loadJobs.located ? `, located ${s.loadJobs.located}` : ''}`],
    ['wall time', `${s.wallSeconds.toFixed(2)} s (CPU ${s.cpuSeconds.toFixed(2)} s, peak RSS ${s.peakRssMb} MB)`],
    ['throughput', `${s.mbPerSecond.toFixed(1)} MB/s, ${int(Math.round(s.rowsPerSecond))} rows/s`],
  ];
  const scanned = s.fastPath.files + s.fastPath.fallbacks;
  if (verbose && scanned > 0) rows.push(['v1 fast path', `${int(s.fastPath.files)} file(s), ${int(s.fastPath.fallbacks)} fallback(s) to JSON.parse (${((100 * s.fastPath.fallbacks) / scanned).toFixed(1)} %)`]);
  if (s.deadLetter) rows.push(['dead letters', `${int(s.deadLetter.entries)} entries from ${int(s.deadLetter.files)} file(s) → ${s.deadLetter.path}`]);
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n');
}

export function formatSummaryJson(s: RunSummary, ignored: ReadonlyMap<string, number> = new Map()): string {
  return JSON.stringify({ ...s, ignoredFiles: Object.fromEntries(ignored) }, null, 2);
}
