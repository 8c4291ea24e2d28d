/** The chart's time range and bucket width: a year of minutes must still be a small page. */
import type { TimeWindow } from '../loader/sources/window.js';
import type { SeriesPoint, WindowSummary } from './types.js';
import { numberOf } from './evaluate.js';

/** At most this many buckets (points) per chart. */
export const MAX_POINTS = 1200;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Bucket widths that read well on an axis; one minute is the series' own resolution. */
export const BUCKETS_MS = [MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY];

/** The narrowest listed bucket that keeps [fromMs, toMs) within MAX_POINTS buckets. */
export function chooseBucket(fromMs: number, toMs: number): number {
  const span = Math.max(0, toMs - fromMs);
  return BUCKETS_MS.find((bucket) => span / bucket <= MAX_POINTS) ?? Math.ceil(span / MAX_POINTS / DAY) * DAY;
}

/** The chart's x range: the window's given ends (the end no later than now), else the data's. */
export function chartRange(window: TimeWindow, summary: WindowSummary, nowMs: number): { fromMs: number; toMs: number } {
  // No data: the window's own start, so an empty day is drawn as that day (not as the time up to now).
  const first = summary.firstSnapshotMs ?? (Number.isFinite(window.fromMs) ? window.fromMs : nowMs);
  const last = summary.lastSnapshotMs ?? first;
  const fromMs = Number.isFinite(window.fromMs) ? window.fromMs : first;
  const toMs = Number.isFinite(window.toMs) ? Math.max(Math.min(window.toMs, nowMs), last) : last;
  // A single snapshot still gets a minute of axis.
  return { fromMs, toMs: toMs > fromMs ? toMs : fromMs + MINUTE };
}

/** Ends that come from the data are widened to whole buckets, so the first and last buckets fit on the axis. */
export function alignRange(range: { fromMs: number; toMs: number }, bucketMs: number, window: TimeWindow): { fromMs: number; toMs: number } {
  return {
    fromMs: Number.isFinite(window.fromMs) ? range.fromMs : Math.floor(range.fromMs / bucketMs) * bucketMs,
    toMs: Number.isFinite(window.toMs) ? range.toMs : (Math.floor(range.toMs / bucketMs) + 1) * bucketMs,
  };
}

export function seriesFromRows(rows: Record<string, unknown>[]): SeriesPoint[] {
  return rows.map((row) => ({
    bucketMs: numberOf(row.bucket_ms) ?? 0,
    snapshots: numberOf(row.snapshots) ?? 0,
    minStations: numberOf(row.min_stations) ?? 0,
    maxStations: numberOf(row.max_stations) ?? 0,
    incomplete: numberOf(row.incomplete) ?? 0,
  }));
}

export function summaryFromRow(row: Record<string, unknown> | undefined, expectedStations: number | undefined): WindowSummary {
  const typical = numberOf(row?.typical_stations);
  return {
    rows: numberOf(row?.row_count) ?? 0,
    snapshots: numberOf(row?.snapshot_count) ?? 0,
    firstSnapshotMs: numberOf(row?.first_snapshot_ms),
    lastSnapshotMs: numberOf(row?.last_snapshot_ms),
    typicalStations: typical,
    expectedStations: expectedStations ?? typical ?? 0,
  };
}
