/**
 * Times the newer formats carry in other spellings than ISO-8601 with a true offset: the collection time in a
 * file name, MEL's Paris wall-clock time written with a wrong `Z`, epoch seconds and milliseconds. All return
 * canonical text (transform/timestamps.ts) or null.
 */
import { DateTime } from 'luxon';
import { canonicalTimestamp } from '../timestamps.js';

/** How to name a file whose format has no time of its own (in reject reasons). */
export const NAME_HINT =
  'name it with its collection time, e.g. data___2023_08_24_20_09_00.json or vlille_2023-08-24_20-09-00.json (wall clock in --timezone; a trailing Z or +02:00 is read as such)';

// data___2023_08_24_20_09_00 or 2025-10-24_14-14-19 (also T and : separators), then an optional Z or offset.
const NAME_TIME = /(\d{4})[_-](\d{2})[_-](\d{2})[_T -]+(\d{2})[_:-](\d{2})[_:-](\d{2})(Z|[+-]\d{2}:?\d{2})?(?![\d])/;

/** The collection time in a file name (its last path segment), read in `zone` unless it carries Z or an offset. */
export function collectionTime(name: string, zone: string): string | null {
  const m = NAME_TIME.exec(name.slice(name.lastIndexOf('/') + 1));
  if (!m) return null;
  const [, y, mo, d, h, mi, s, offset] = m as unknown as string[];
  const local = `${y}-${mo}-${d}T${h}:${mi}:${s}`;
  const parsed = offset
    ? DateTime.fromISO(`${local}${offset}`, { setZone: true })
    : DateTime.fromISO(local, { zone });
  if (!parsed.isValid) return null;
  return canonicalTimestamp(parsed.toISO({ suppressMilliseconds: true }));
}

const PARIS = 'Europe/Paris';
const wallClockCache = new Map<string, string | null>();
const WRONG_Z = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?)Z$/;

/**
 * MEL `date_modification`: Paris wall-clock time with a `Z` that is not true (FORMATS.md §2): the Z is dropped
 * and the time read in Europe/Paris. A value with a real offset (+01:00) is taken as written.
 */
export function parisWallClock(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  let result = wallClockCache.get(value);
  if (result !== undefined) return result;
  const m = WRONG_Z.exec(value.trim());
  if (m) {
    const parsed = DateTime.fromISO(m[1]!, { zone: PARIS });
    result = parsed.isValid ? canonicalTimestamp(parsed.toISO()) : null;
  } else {
    result = canonicalTimestamp(value);
  }
  if (wallClockCache.size > 20_000) wallClockCache.clear();
  wallClockCache.set(value, result);
  return result;
}

/** Both warehouses' TIMESTAMP range, in ms. */
const MIN_MS = Date.parse('0001-01-01T00:00:00Z');
const MAX_MS = Date.parse('9999-12-31T23:59:59.999Z');

/** Epoch milliseconds → canonical UTC text. */
export function fromEpochMillis(value: unknown): string | null {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < MIN_MS || value > MAX_MS) return null;
  return new Date(Math.round(value)).toISOString();
}

/** GBFS 2.x POSIX seconds, or GBFS 3.0 RFC 3339 text. */
export function gbfsTime(value: unknown): string | null {
  if (typeof value === 'number') return fromEpochMillis(value * 1000);
  return canonicalTimestamp(value);
}
