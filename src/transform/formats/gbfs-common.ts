/** What GBFS 2.3 and 3.0 `station_status` and `station_information` share (FORMATS.md §3). */
import { preview } from '../preview.js';
import type { FileContext, FileStart } from '../types.js';
import { gbfsTime } from './times.js';
import { isObject, stationId } from './values.js';

/** The feed's stations, or null when `doc` is no GBFS feed document. */
export function gbfsStations(doc: unknown): unknown[] | null {
  if (!isObject(doc) || doc.last_updated === undefined || !isObject(doc.data) || !Array.isArray(doc.data.stations)) return null;
  return doc.data.stations;
}

/** The first station's keys decide which feed a document is; an empty feed matches neither (nothing to tell). */
export function firstStationHas(doc: unknown, keys: readonly string[]): boolean {
  const first: unknown = gbfsStations(doc)?.[0];
  return isObject(first) && keys.some((key) => key in first);
}

/**
 * The feed's `last_updated` becomes the file's time. Stations are keyed by integer ids here, so a feed with
 * another kind of id (`"lil:12"`) is rejected whole, with the first such id: a partial load would be misleading.
 */
export function gbfsStart(doc: unknown, context: FileContext): FileStart {
  const at = isObject(doc) ? gbfsTime(doc.last_updated) : null;
  if (at === null) return { code: 'BAD_FILE_VALUE', reject: `GBFS last_updated is not a POSIX time or RFC 3339 text: ${preview(isObject(doc) ? doc.last_updated : doc)}` };
  for (const station of gbfsStations(doc) ?? []) {
    if (isObject(station) && station.station_id !== undefined && stationId(station.station_id) === null) {
      return { code: 'BAD_FILE_VALUE', reject: `GBFS station_id ${preview(station.station_id)} is not a positive integer: stations are keyed by integer ids (V'lille libelle)` };
    }
  }
  return { context: { ...context, fileTimestamp: at } };
}

/** GBFS 3.0 localized text `[{text, language}]` (French first, else the first), or 2.x plain text. */
export function localized(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (!Array.isArray(value)) return null;
  const entries = value.filter(isObject);
  const chosen = entries.find((entry) => entry.language === 'fr') ?? entries[0];
  return chosen && typeof chosen.text === 'string' ? chosen.text : null;
}
