/** Stage 5, report: the run summary, one value built from the other stages' outputs. */
import type { TaskIdentity } from '../fanout/task.js';
import { TABLE_KINDS, type TableKind } from '../warehouses/schemas.js';
import type { ExtractCounts, StagedPackage } from './extract.js';
import { combineTallies, type FormatTally } from './extract/format-tally.js';
import type { LoadedStage } from './load.js';
import type { MergeResult } from './merge.js';
import type { FileSelection } from './plan.js';

/**
 * What happened to the merge in this process: it ran here; another task of the execution will run it (or
 * did); it had run already; nothing to merge; or it was held back (too many rejects, staging kept).
 */
export type MergeStatus = 'merged' | 'left-to-last-task' | 'already-merged' | 'nothing-to-merge' | 'held-back';

export interface RunSummary {
  runId: string;
  source: string;
  warehouse: string;
  task: { index: number; count: number; attempt: number };
  merge: { status: MergeStatus; note?: string };
  /**
   * Of the files processed: loaded = merged (rows added, or recorded as wholly loaded, by this run's merge);
   * read = read but nothing added (every row already there or outside the window, or no merge in this process).
   */
  files: { listed: number; outOfRange: number; skipped: number; processed: number; loaded: number; read: number; degraded: number; rejected: number };
  /** `rejected` includes `unlocatedRows`. */
  rows: { staged: number; rejected: number; outOfRange: number; duplicate: number; merged: number; degradedRecords: number };
  /** Located rows (MEL CSV) at no single station's coordinates: rejected by the merge. */
  unlocatedRows: number;
  /** Files (loaded or degraded) and staged rows per raw format. */
  formats: FormatTally;
  bytes: { read: number; staged: number };
  /** Per staging table; `located` only when the run staged located rows (MEL CSV). */
  shards: TableCounts;
  loadJobs: TableCounts;
  deadLetter: { path: string; entries: number; files: number } | null;
  degradedFiles: string[];
  /** Files read by the V'lille v1 fast path and its fallbacks to JSON.parse (both 0 with VELO_V1_SCAN=0, or no whole-file JSON read). */
  fastPath: { files: number; fallbacks: number };
  wallSeconds: number;
  /** CPU time of this process since it started (user + system, every thread: workers and DuckDB included). */
  cpuSeconds: number;
  /** Peak resident memory of this process (worker threads included). */
  peakRssMb: number;
  mbPerSecond: number;
  rowsPerSecond: number;
}

/** What one task did with its slice: kept in its fan-out marker, so the merging task can add them up. */
export interface SliceReport {
  listed: number;
  outOfRange: number;
  skipped: number;
  processed: number;
  counts: ExtractCounts;
  /** Absent from a marker written by an older version. */
  formats?: FormatTally;
  stagedBytes: number;
  shards: Record<TableKind, number>;
  loadJobs: Record<TableKind, number>;
  degradedFiles: string[];
  deadLetter: RunSummary['deadLetter'];
}

const NO_TABLES: Record<TableKind, number> = { records: 0, stations: 0, files: 0, located: 0 };

export type TableCounts = Record<Exclude<TableKind, 'located'>, number> & { located?: number };

/** A run of formats other than MEL CSV reports the three tables it always had. */
function tableCounts(counts: Record<TableKind, number>): TableCounts {
  const { located, ...rest } = counts;
  return located > 0 ? counts : rest;
}

export const NO_COUNTS: ExtractCounts = { loaded: 0, degraded: 0, rejected: 0, stagedRows: 0, rejectedRows: 0, degradedRecords: 0, bytesRead: 0, fastPathFiles: 0, fastPathFallbacks: 0 };

export function emptyPackage(): StagedPackage {
  return { shards: { records: [], stations: [], files: [], located: [] }, counts: { ...NO_COUNTS }, formats: {}, degradedFiles: [], stagedBytes: 0 };
}

/** A task that read nothing (its merge was done, or is another task's). */
export function emptySlice(): SliceReport {
  return sliceReport({ listed: 0, outOfRange: 0, skipped: 0, inWindow: [], todo: [] }, 0, emptyPackage(), null, null);
}

export function sliceReport(selection: FileSelection, slice: number, staged: StagedPackage, loaded: LoadedStage | null, deadLetter: RunSummary['deadLetter']): SliceReport {
  return {
    listed: selection.listed,
    outOfRange: selection.outOfRange,
    skipped: selection.skipped,
    processed: slice,
    counts: staged.counts,
    formats: staged.formats,
    stagedBytes: staged.stagedBytes,
    shards: { records: staged.shards.records.length, stations: staged.shards.stations.length, files: staged.shards.files.length, located: staged.shards.located.length },
    loadJobs: loaded?.loadJobs ?? { ...NO_TABLES },
    degradedFiles: staged.degradedFiles,
    deadLetter,
  };
}

function sum<K extends string>(items: readonly Record<K, number>[], keys: readonly K[]): Record<K, number> {
  const total = Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;
  // A slice marker written by an older version lacks newer keys (located).
  for (const item of items) for (const key of keys) total[key] += item[key] ?? 0;
  return total;
}

/** The execution's totals from every task's slice (each task counts the names of its own slice: they add up). */
export function combineSlices(slices: readonly SliceReport[]): SliceReport {
  const deadLetters = slices.map((slice) => slice.deadLetter).filter((d): d is NonNullable<RunSummary['deadLetter']> => d !== null);
  return {
    listed: slices.reduce((total, slice) => total + slice.listed, 0),
    outOfRange: slices.reduce((total, slice) => total + slice.outOfRange, 0),
    skipped: slices.reduce((total, slice) => total + slice.skipped, 0),
    processed: slices.reduce((total, slice) => total + slice.processed, 0),
    counts: sum(slices.map((slice) => slice.counts), Object.keys(NO_COUNTS) as (keyof ExtractCounts)[]),
    formats: combineTallies(slices.map((slice) => slice.formats)),
    stagedBytes: slices.reduce((total, slice) => total + slice.stagedBytes, 0),
    shards: sum(slices.map((slice) => slice.shards), TABLE_KINDS),
    loadJobs: sum(slices.map((slice) => slice.loadJobs), TABLE_KINDS),
    degradedFiles: slices.flatMap((slice) => slice.degradedFiles).sort(),
    deadLetter:
      deadLetters.length === 0
        ? null
        : { path: deadLetters.map((d) => d.path).join(', '), entries: deadLetters.reduce((n, d) => n + d.entries, 0), files: deadLetters.reduce((n, d) => n + d.files, 0) },
  };
}

export interface ReportInput {
  runId: string;
  source: string;
  warehouse: string;
  task: TaskIdentity;
  slice: SliceReport;
  merged: MergeResult | null;
  merge: RunSummary['merge'];
  wallSeconds: number;
}

function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return Number(((user + system) / 1e6).toFixed(2));
}

function fileCounts(slice: SliceReport, merged: MergeResult | null): RunSummary['files'] {
  const { degraded, rejected } = slice.counts;
  const loaded = merged?.loadedFiles ?? 0;
  const read = Math.max(0, slice.processed - loaded - degraded - rejected);
  return { listed: slice.listed, outOfRange: slice.outOfRange, skipped: slice.skipped, processed: slice.processed, loaded, read, degraded, rejected };
}

export function buildSummary(input: ReportInput): RunSummary {
  const { slice, merged, wallSeconds } = input;
  const counts = slice.counts;
  const inRange = merged?.inRangeRows ?? 0;
  const newRows = merged?.newRows ?? 0;
  const unlocated = merged?.unlocatedRows ?? 0;
  return {
    runId: input.runId,
    source: input.source,
    warehouse: input.warehouse,
    task: { index: input.task.index, count: input.task.count, attempt: input.task.attempt },
    merge: input.merge,
    files: fileCounts(slice, merged),
    rows: {
      staged: counts.stagedRows,
      rejected: counts.rejectedRows + unlocated,
      outOfRange: merged ? counts.stagedRows - inRange : 0,
      duplicate: inRange - newRows - unlocated,
      merged: newRows,
      degradedRecords: counts.degradedRecords,
    },
    unlocatedRows: unlocated,
    formats: slice.formats ?? {},
    bytes: { read: counts.bytesRead, staged: slice.stagedBytes },
    shards: tableCounts(slice.shards),
    loadJobs: tableCounts(slice.loadJobs),
    deadLetter: slice.deadLetter,
    degradedFiles: slice.degradedFiles,
    fastPath: { files: counts.fastPathFiles, fallbacks: counts.fastPathFallbacks },
    wallSeconds,
    cpuSeconds: cpuSeconds(),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    mbPerSecond: counts.bytesRead / 1e6 / Math.max(wallSeconds, 1e-6),
    rowsPerSecond: counts.stagedRows / Math.max(wallSeconds, 1e-6),
  };
}
