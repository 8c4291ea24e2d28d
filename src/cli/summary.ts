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

/** `verbose`: also the fast path's share (when it ran), so a drop in it shows. */
export function formatSummaryTable(s: RunSummary, { verbose = false } = {}): string {
  const rows: [string, string][] = [
    ['run id', s.runId],
    ['source', s.source],
    ['warehouse', s.warehouse],
    ...(s.task.count > 1 ? [['task', `index ${s.task.index} of ${s.task.count} (attempt ${s.task.attempt})`] as [string, string]] : []),
    ['merge', `${MERGE_WORDS[s.merge.status]}${s.merge.note ? ` (${s.merge.note})` : ''}`],
    ['files listed', int(s.files.listed)],
    ['  out of range', int(s.files.outOfRange)],
    ['  skipped (already loaded)', int(s.files.skipped)],
    ['  processed', int(s.files.processed)],
    ['    loaded', int(s.files.loaded)],
    ['    degraded (skipped)', int(s.files.degraded)],
    ['    rejected', int(s.files.rejected)],
    ['rows staged', int(s.rows.staged)],
    ['  out of range', int(s.rows.outOfRange)],
    ['  duplicate', int(s.rows.duplicate)],
    ['  merged (new)', int(s.rows.merged)],
    ['rows rejected', int(s.rows.rejected)],
    ['degraded records', int(s.rows.degradedRecords)],
    ['bytes read', mb(s.bytes.read)],
    ['bytes staged', `${mb(s.bytes.staged)} in ${s.shards.records + s.shards.stations + s.shards.files} shard(s)`],
    ['load jobs', `records ${s.loadJobs.records}, stations ${s.loadJobs.stations}, files ${s.loadJobs.files}`],
    ['wall time', `${s.wallSeconds.toFixed(2)} s (CPU ${s.cpuSeconds.toFixed(2)} s, peak RSS ${s.peakRssMb} MB)`],
    ['throughput', `${s.mbPerSecond.toFixed(1)} MB/s, ${int(Math.round(s.rowsPerSecond))} rows/s`],
  ];
  const scanned = s.fastPath.files + s.fastPath.fallbacks;
  if (verbose && scanned > 0) rows.push(['v1 fast path', `${int(s.fastPath.files)} file(s), ${int(s.fastPath.fallbacks)} fallback(s) to JSON.parse (${((100 * s.fastPath.fallbacks) / scanned).toFixed(1)} %)`]);
  if (s.deadLetter) rows.push(['dead letters', `${int(s.deadLetter.entries)} entries from ${int(s.deadLetter.files)} file(s) → ${s.deadLetter.path}`]);
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n');
}

export function formatSummaryJson(s: RunSummary): string {
  return JSON.stringify(s, null, 2);
}
