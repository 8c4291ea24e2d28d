/** The thresholds and window of a check run (built from the CLI flags by src/cli/check-config.ts). */
import type { TimeWindow } from '../loader/sources/window.js';

export interface CheckOptions {
  window: TimeWindow;
  /** Zone of --from/--to without an offset, and of the times shown to people. */
  timezone: string;
  /** --expected-stations; unset: the typical count of the window. */
  expectedStations: number | undefined;
  maxGapMs: number;
  maxStalenessMs: number;
  /** --max-age; unset: freshness is not checked. */
  maxAgeMs: number | undefined;
  /** --capacity-support: share (percent) of a station's rows that must report a total for it to be its capacity. */
  capacitySupportPct: number;
}

export const CHECK_DEFAULTS = {
  maxGap: '5m',
  maxStaleness: '1h',
  capacitySupportPct: 5,
} as const;

/** A total must be seen in at least this many rows to be a station's capacity, whatever the share. */
export const CAPACITY_MIN_ROWS = 3;
