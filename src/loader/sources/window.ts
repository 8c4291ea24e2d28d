/**
 * The time window of a run: --from/--to parsed in --timezone, the times in file names, and the pre-filter on them.
 * Names carry the collector's wall-clock time (Europe/Paris for V'lille), which repeats an hour at
 * the autumn DST change, so the name filter keeps a margin and SQL makes the exact cut.
 */
import { DateTime } from 'luxon';
import { UsageError } from '../../errors.js';

/** [fromMs, toMs): unbounded ends are ±Infinity. */
export interface TimeWindow {
  fromMs: number;
  toMs: number;
}

export const UNBOUNDED: TimeWindow = { fromMs: -Infinity, toMs: Infinity };

/** Files whose name time is this close to the window are read too. */
export const NAME_MARGIN_MS = 2 * 60 * 60 * 1000;

// Extremes both warehouses accept, used as SQL parameters for unbounded ends.
const MIN_SQL_TIMESTAMP = '0001-01-01T00:00:00Z';
const MAX_SQL_TIMESTAMP = '9999-12-31T23:59:59Z';

export function checkTimeZone(zone: string): string {
  if (!DateTime.local().setZone(zone).isValid) {
    throw new UsageError('BAD_TIMEZONE', `unknown --timezone "${zone}": use an IANA name such as Europe/Paris or UTC`);
  }
  return zone;
}

/** `2023-08-24`, `2023-08-24T20:00[:00]` (wall-clock in zone) or with an explicit offset/Z. */
export function parseTimeBound(text: string, zone: string, flag: string): number {
  const trimmed = text.trim();
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(trimmed)) {
    throw new UsageError('BAD_TIME', `${flag} "${text}" is not a date or date-time: use 2023-08-24, 2023-08-24T20:00 or 2023-08-24T18:00:00Z`);
  }
  const parsed = DateTime.fromISO(trimmed.replace(' ', 'T'), { zone, setZone: false });
  if (!parsed.isValid) throw new UsageError('BAD_TIME', `${flag} "${text}" is not a valid time (${parsed.invalidExplanation ?? parsed.invalidReason})`);
  return parsed.toMillis();
}

export function makeWindow(from: string | undefined, to: string | undefined, zone: string): TimeWindow {
  const window = {
    fromMs: from === undefined ? -Infinity : parseTimeBound(from, zone, '--from'),
    toMs: to === undefined ? Infinity : parseTimeBound(to, zone, '--to'),
  };
  if (window.fromMs >= window.toMs) throw new UsageError('BAD_TIME', `--from (${from}) must be before --to (${to})`);
  return window;
}

export function windowParams(window: TimeWindow): { from: string; to: string } {
  return {
    from: Number.isFinite(window.fromMs) ? new Date(window.fromMs).toISOString() : MIN_SQL_TIMESTAMP,
    to: Number.isFinite(window.toMs) ? new Date(window.toMs).toISOString() : MAX_SQL_TIMESTAMP,
  };
}

const NAME_TIME = /(\d{4})[_-](\d{2})[_-](\d{2})[_T -]+(\d{2})[_:h-](\d{2})(?:[_:m-](\d{2}))?/;

/** The wall-clock time in a file name (e.g. data___2023_08_25_12_00_00.json) as an instant, or null. */
export function timeFromName(name: string, zone: string): number | null {
  const m = NAME_TIME.exec(name.slice(name.lastIndexOf('/') + 1)) ?? NAME_TIME.exec(name);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1).map((part) => Number(part ?? 0));
  const parsed = DateTime.fromObject({ year, month, day, hour, minute, second }, { zone });
  return parsed.isValid ? parsed.toMillis() : null;
}

/** Name pre-filter: keep files near the window, and files whose name says nothing about time. */
export function nameFilter(window: TimeWindow, zone: string): ((name: string) => boolean) | undefined {
  if (!Number.isFinite(window.fromMs) && !Number.isFinite(window.toMs)) return undefined;
  return (name) => {
    const t = timeFromName(name, zone);
    return t === null || (t >= window.fromMs - NAME_MARGIN_MS && t < window.toMs + NAME_MARGIN_MS);
  };
}
