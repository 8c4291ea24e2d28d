/**
 * What a run would do, without doing it (`velo-backfill plan`): files and bytes, the minutes the file
 * names cover and the holes between them, each task's slice, and the staged shards and load jobs against
 * BigQuery's budget of 1,500 load jobs per table per day. Pure: computed from a FileSelection.
 */
import { sliceBoundaries, takeSlice } from '../fanout/slices.js';
import { MAX_URIS_PER_LOAD_JOB } from '../warehouses/load-limits.js';
import type { TargetKind } from '../warehouses/schemas.js';
import type { SourceObject } from '../sources/source.js';
import { NAME_MARGIN_MS, timeFromName, UNBOUNDED, type TimeWindow } from '../sources/window.js';
import { totalSize, type FileSelection } from './plan.js';

export const LOAD_JOBS_PER_TABLE_PER_DAY = 1_500;
/** Staged NDJSON of V'lille minutes is ~0.45 of the raw bytes (measured on the sample corpus: 1.40 of 3.18 MB). */
const STAGED_RECORDS_RATIO = 0.45;
/** A gap is a step between consecutive file times longer than this (collector seconds drift 00–02). */
const MINUTE_STEP_MS = 90_000;
const COLLECTOR_NAME = /(^|\/)data___\d{4}_\d{2}_\d{2}_\d{2}_\d{2}_\d{2}\.(json|ndjson|jsonl)(\.gz)?$/;
const MAX_LISTED_GAPS = 1_000;
const EXAMPLES = 5;

export interface PlanOptions {
  tasks: number;
  timezone: string;
  shardBytes: number;
  /** Worker threads per task: each writes its own records shards. */
  workers: number;
  /** The run's window (default: none), for the name margin the report shows. */
  window?: TimeWindow;
}

/**
 * File names pre-filter the window with a margin each side (names are wall-clock times, repeated at the autumn
 * DST change): files named in [from, to) are read, and rows are then cut exactly. Null ends: no bound.
 */
export interface NameMargin {
  minutes: number;
  from: string | null;
  to: string | null;
}

export interface TaskPlan {
  index: number;
  files: number;
  bytes: number;
  first: string | null;
  last: string | null;
}

export interface PlanReport {
  /** Null without a window (every file is read). */
  nameMargin: NameMargin | null;
  listed: number;
  outOfRange: number;
  skipped: number;
  /** Files to read, and their bytes. */
  files: number;
  bytes: number;
  /** First and last minute named by the files to read (ISO, UTC). */
  first: string | null;
  last: string | null;
  gaps: { after: string; before: string; missingMinutes: number }[];
  gapCount: number;
  tasks: TaskPlan[];
  /** Estimated staged shards per table, all tasks together. */
  stagedShards: Record<TargetKind, number>;
  /** Load jobs into each staging table (every task loads tables of its own); the target tables get none, only MERGE. */
  loadJobsPerTable: Record<TargetKind, number>;
  loadJobsPerTablePerDay: number;
  warnings: string[];
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

function timed(files: readonly SourceObject[], timezone: string): { name: string; ms: number }[] {
  return files.flatMap((file) => {
    const ms = timeFromName(file.name, timezone);
    return ms === null ? [] : [{ name: file.name, ms }];
  });
}

/** Holes in the minute series: consecutive file times further apart than a minute and a half. */
export function minuteGaps(times: readonly number[]): { after: string; before: string; missingMinutes: number }[] {
  const sorted = [...times].sort((a, b) => a - b);
  const gaps: PlanReport['gaps'] = [];
  for (let i = 1; i < sorted.length; i++) {
    const step = sorted[i]! - sorted[i - 1]!;
    if (step > MINUTE_STEP_MS) gaps.push({ after: iso(sorted[i - 1]!)!, before: iso(sorted[i]!)!, missingMinutes: Math.round(step / 60_000) - 1 });
  }
  return gaps;
}

function taskPlans(todo: readonly SourceObject[], options: PlanOptions): TaskPlan[] {
  const boundaries = sliceBoundaries(todo, options.tasks);
  return Array.from({ length: options.tasks }, (_, index) => {
    const slice = takeSlice(todo, boundaries, index);
    const times = timed(slice, options.timezone).map((t) => t.ms);
    return { index, files: slice.length, bytes: totalSize(slice), first: times.length ? iso(Math.min(...times)) : null, last: times.length ? iso(Math.max(...times)) : null };
  });
}

function warningsFor(selection: FileSelection, tasks: readonly TaskPlan[], loadJobs: Record<TargetKind, number>): string[] {
  const warnings: string[] = [];
  const odd = selection.inWindow.filter((file) => !COLLECTOR_NAME.test(file.name));
  if (odd.length > 0) warnings.push(`${odd.length} file(s) do not have collector names (data___YYYY_MM_DD_HH_MM_SS.json), e.g. ${odd.slice(0, EXAMPLES).map((f) => f.name).join(', ')}: read anyway, but their time is unknown until parsed`);
  if (selection.outOfRange > 0) warnings.push(`${selection.outOfRange} file(s) are named outside the window (more than ${NAME_MARGIN_MS / 3_600_000} hours away): not read`);
  const idle = tasks.filter((task) => task.files === 0).length;
  if (idle > 0) warnings.push(`${idle} of ${tasks.length} task(s) get no file: use fewer tasks`);
  for (const [table, jobs] of Object.entries(loadJobs)) {
    if (jobs > LOAD_JOBS_PER_TABLE_PER_DAY) warnings.push(`${jobs} load jobs into one ${table} staging table exceed BigQuery's ${LOAD_JOBS_PER_TABLE_PER_DAY} per table per day: raise --shard-mb`);
  }
  return warnings;
}

export function nameMargin(window: TimeWindow): NameMargin | null {
  if (!Number.isFinite(window.fromMs) && !Number.isFinite(window.toMs)) return null;
  const bound = (ms: number): string | null => (Number.isFinite(ms) ? iso(ms) : null);
  return { minutes: NAME_MARGIN_MS / 60_000, from: bound(window.fromMs - NAME_MARGIN_MS), to: bound(window.toMs + NAME_MARGIN_MS) };
}

export function describePlan(selection: FileSelection, options: PlanOptions): PlanReport {
  const { todo } = selection;
  const times = timed(todo, options.timezone).map((t) => t.ms);
  const gaps = minuteGaps(timed(selection.inWindow, options.timezone).map((t) => t.ms));
  const tasks = taskPlans(todo, options);
  const busy = tasks.filter((task) => task.files > 0);
  // Each worker thread of a task rotates its own records shards at --shard-mb.
  const recordShards = busy.reduce((sum, task) => sum + options.workers * Math.max(1, Math.ceil((task.bytes * STAGED_RECORDS_RATIO) / options.workers / options.shardBytes)), 0);
  // Located rows (MEL CSV) have a staging table too; which files hold them is known only once read.
  const stagedShards = { records: recordShards, stations: busy.length, files: busy.length };
  const perTask = (shards: number): number => (busy.length === 0 ? 0 : Math.ceil(shards / busy.length / MAX_URIS_PER_LOAD_JOB));
  const loadJobsPerTable = { records: perTask(recordShards), stations: perTask(busy.length), files: perTask(busy.length) };
  return {
    nameMargin: nameMargin(options.window ?? UNBOUNDED),
    listed: selection.listed,
    outOfRange: selection.outOfRange,
    skipped: selection.skipped,
    files: todo.length,
    bytes: totalSize(todo),
    first: times.length ? iso(Math.min(...times)) : null,
    last: times.length ? iso(Math.max(...times)) : null,
    gaps: gaps.slice(0, MAX_LISTED_GAPS),
    gapCount: gaps.length,
    tasks,
    stagedShards,
    loadJobsPerTable,
    loadJobsPerTablePerDay: LOAD_JOBS_PER_TABLE_PER_DAY,
    warnings: warningsFor(selection, tasks, loadJobsPerTable),
  };
}
