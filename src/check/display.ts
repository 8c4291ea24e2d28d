/** How report values read for people: instants in the chosen zone, durations in words, column titles. */
import { DateTime } from 'luxon';
import type { TimeWindow } from '../loader/sources/window.js';
import { formatDuration } from './durations.js';
import type { Example } from './types.js';

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** `2023-08-24 20:04:00+02:00`: the offset is shown, so a time never reads as UTC (or a DST hour as the other one). */
export function formatInstant(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).toFormat('yyyy-MM-dd HH:mm:ssZZ');
}

/** Like formatInstant, without the date when it is `sameDayAs`'s. */
export function formatInstantShort(ms: number, zone: string, sameDayAs: number): string {
  const day = (t: number): string => DateTime.fromMillis(t, { zone }).toFormat('yyyy-MM-dd');
  return day(ms) === day(sameDayAs) ? DateTime.fromMillis(ms, { zone }).toFormat('HH:mm:ssZZ') : formatInstant(ms, zone);
}

/** One example cell: ISO instants in the zone, `…_seconds` as a duration, the rest as is. */
export function formatCell(key: string, value: Example[string], zone: string): string {
  if (value === null) return '—';
  if (typeof value === 'string' && ISO_INSTANT.test(value)) return formatInstant(Date.parse(value), zone);
  if (key.endsWith('_seconds') && typeof value === 'number') return formatDuration(value * 1000);
  return String(value);
}

const TITLES: Record<string, string> = { bikes_plus_docks: 'bikes + docks', row_count: 'rows', manifest_rows: 'rows (manifest)', rows_present: 'rows present' };
/** Table columns keep their names; computed ones read as words: `max_lag_seconds` → `max lag`. */
const COLUMNS = new Set(['record_timestamp', 'station_id', 'source_file', 'file_name', 'nb_velos_dispo', 'nb_places_dispo', 'null_columns']);

export function columnTitle(key: string): string {
  if (COLUMNS.has(key)) return key;
  return TITLES[key] ?? key.replace(/_seconds$/, '').replace(/_/g, ' ');
}

export function exampleColumns(examples: readonly Example[]): string[] {
  const columns: string[] = [];
  for (const example of examples) for (const key of Object.keys(example)) if (!columns.includes(key)) columns.push(key);
  return columns;
}

export function describeWindow(window: TimeWindow, zone: string): string {
  const from = Number.isFinite(window.fromMs) ? formatInstant(window.fromMs, zone) : null;
  const to = Number.isFinite(window.toMs) ? formatInstant(window.toMs, zone) : null;
  if (!from && !to) return 'all rows';
  return `${from ?? 'the first row'} → ${to ?? 'the last row'} (${to ? 'exclusive' : 'inclusive'})`;
}

/** The one line that says a report has nothing in it, and what the exit code means. */
export function noRowsLine(window: TimeWindow, zone: string): string {
  const where = Number.isFinite(window.fromMs) || Number.isFinite(window.toMs) ? `in the window ${describeWindow(window, zone)}` : 'in the warehouse';
  return `no rows ${where}: every check skipped, nothing to vouch for (exit 4; --allow-empty exits 0)`;
}

export function thousands(n: number): string {
  return n.toLocaleString('en-US');
}

export function plural(n: number, unit: string): string {
  if (n !== 1) return `${thousands(n)} ${unit}`;
  // "1 gaps" → "1 gap", "1 surplus rows" → "1 surplus row"; units are plural English nouns.
  return `1 ${unit.replace(/s$/, '')}`;
}
