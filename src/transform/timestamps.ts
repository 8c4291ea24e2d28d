/**
 * Tolerant ISO-8601 validation without building Date objects per row (that halves throughput).
 * Input text is checked once per distinct value (a small cache: one minute's file repeats the same
 * `record_timestamp` 289 times) and handed to the warehouse as canonical text, which DuckDB and
 * BigQuery both parse to the same UTC instant.
 */

// date, T or space, time with optional seconds and any fraction, mandatory offset (Z, ±HH, ±HHMM, ±HH:MM).
const ISO_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,12}))?)?\s?(?:(Z|z)|([+-])(\d{2})(?::?(\d{2}))?)$/;
// What both warehouses read as is: seconds present, at most microseconds, offset Z or ±HH:MM.
const CANONICAL_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Instants both warehouses can hold: BigQuery's TIMESTAMP spans years 0001–9999 in UTC, so
 * `0001-01-01T00:00:00+14:00` (year 0 in UTC) would fail a whole load job. Only years 1 and 9999 need the check.
 */
const MIN_INSTANT_MS = Date.parse('0001-01-01T00:00:00Z');
const MAX_INSTANT_MS = Date.parse('9999-12-31T23:59:59.999Z');
/** Longer text is no timestamp: not checked by regex and not cached (a 10 MB string would be kept as a key). */
const MAX_TIMESTAMP_LENGTH = 64;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const CACHE_LIMIT = 20_000;
const cache = new Map<string, string | null>();

function daysIn(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
}

function canonicalize(text: string): string | null {
  const m = ISO_PATTERN.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s = '00', frac, zulu, sign, oh, om = '00'] = m as unknown as string[];
  const year = Number(y), month = Number(mo), day = Number(d);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return null;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return null;
  if (!zulu && (Number(oh) > 14 || Number(om) > 59)) return null;
  const fraction = frac ? `.${frac.slice(0, 6)}` : '';
  const offset = zulu ? 'Z' : `${sign}${oh}:${om}`;
  const canonical = CANONICAL_PATTERN.test(text) ? text : `${y}-${mo}-${d}T${h}:${mi}:${s}${fraction}${offset}`;
  if (year === 1 || year === 9999) {
    const ms = Date.parse(canonical);
    if (!(ms >= MIN_INSTANT_MS && ms <= MAX_INSTANT_MS)) return null;
  }
  return canonical;
}

const digit = (text: string, i: number): number => {
  const code = text.charCodeAt(i) - 48;
  return code >= 0 && code <= 9 ? code : -1000;
};
const two = (text: string, i: number): number => digit(text, i) * 10 + digit(text, i + 1);

/**
 * Hot path for the common spelling `YYYY-MM-DDTHH:MM:SS[.f{1,6}](Z|±HH:MM)`: checked char by char,
 * no regex, no allocation. Anything else goes through the cached regex path.
 */
function isCanonical(text: string): boolean {
  const n = text.length;
  if (n < 20 || n > 32 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(10) !== 84 || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return false;
  const year = two(text, 0) * 100 + two(text, 2);
  const month = two(text, 5);
  const day = two(text, 8);
  // Years 1 and 9999 take the slow path, which checks the instant is in the warehouses' range.
  if (year < 2 || year > 9998 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return false;
  if (two(text, 11) > 23 || two(text, 11) < 0 || two(text, 14) > 59 || two(text, 14) < 0 || two(text, 17) > 59 || two(text, 17) < 0) return false;
  let i = 19;
  if (text.charCodeAt(i) === 46) {
    const start = ++i;
    while (i < n && digit(text, i) >= 0) i++;
    if (i === start || i - start > 6) return false;
  }
  if (i === n - 1) return text.charCodeAt(i) === 90;
  if (i !== n - 6) return false;
  const sign = text.charCodeAt(i);
  return (sign === 43 || sign === 45) && text.charCodeAt(i + 3) === 58 && two(text, i + 1) >= 0 && two(text, i + 1) <= 14 && two(text, i + 4) >= 0 && two(text, i + 4) <= 59;
}

/**
 * The last two values seen and their results: a file's records share one record_timestamp, and each record
 * also brings its station's update time, so one slot would be evicted on every record.
 */
const recentText = ['', ''];
const recentResult: (string | null)[] = [null, null];
/** Slot of the latest hit or insert; a miss replaces the other one (least recently used). */
let latest = 0;

/** Canonical ISO-8601 text for a timestamp with an offset, or null when it is not one. */
export function canonicalTimestamp(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  for (let slot = 0; slot < 2; slot++) {
    if (value === recentText[slot]) {
      latest = slot;
      return recentResult[slot] ?? null;
    }
  }
  let result: string | null | undefined = value;
  if (!isCanonical(value)) {
    result = value.length > MAX_TIMESTAMP_LENGTH ? null : cache.get(value);
    if (result === undefined) {
      result = canonicalize(value.trim());
      if (cache.size >= CACHE_LIMIT) cache.clear();
      cache.set(value, result);
    }
  }
  latest ^= 1;
  recentText[latest] = value;
  recentResult[latest] = result;
  return result;
}

/** Milliseconds since the epoch of a canonical timestamp (for ordering, not for rows). */
export function epochMillis(canonical: string): number {
  return Date.parse(canonical);
}
