/** The data-quality report: what `velo-backfill check` computes, before it is printed in any format. */
import type { TimeWindow } from '../loader/sources/window.js';

export type Severity = 'error' | 'warn';
export type Status = 'pass' | 'fail';
/** One row that shows a problem: instants as ISO-8601 UTC text, durations as `…_seconds` numbers. */
export type Example = Record<string, string | number | null>;

export interface CheckResult {
  name: string;
  severity: Severity;
  status: Status;
  count: number;
  /** What `count` counts: snapshots, gaps, rows, stations, files. */
  unit: string;
  /** The rule with this run's thresholds, in one line. */
  rule: string;
  /** Up to MAX_EXAMPLES rows, the worst first. */
  examples: Example[];
}

export const MAX_EXAMPLES = 10;

/** A hole in the snapshot series: the last snapshot before it and the first after it (or a window edge). */
export interface Gap {
  startMs: number;
  endMs: number;
}

/** Stations per snapshot over one bucket of the chart (bucketed in SQL). */
export interface SeriesPoint {
  bucketMs: number;
  snapshots: number;
  minStations: number;
  maxStations: number;
  /** Snapshots of the bucket below the expected station count. */
  incomplete: number;
}

export interface WindowSummary {
  rows: number;
  snapshots: number;
  firstSnapshotMs: number | null;
  lastSnapshotMs: number | null;
  /** The most frequent station count per snapshot in the window (null: no snapshot). */
  typicalStations: number | null;
  /** What snapshot_completeness compared against: --expected-stations, else the typical count. */
  expectedStations: number;
}

export interface ChartData {
  /** The x range: the window's given ends, else the first and last snapshots. */
  fromMs: number;
  toMs: number;
  bucketMs: number;
  points: SeriesPoint[];
  /** The longest gaps (the gaps check returns at most GAPS_FOR_CHART). */
  gaps: Gap[];
}

export interface CheckReport {
  warehouse: string;
  generatedAtMs: number;
  window: TimeWindow;
  timezone: string;
  summary: WindowSummary;
  checks: CheckResult[];
  /** Checks not run, with why (freshness without --max-age). */
  skipped: { name: string; reason: string }[];
  chart: ChartData;
}
