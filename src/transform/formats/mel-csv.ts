/**
 * V'lille, MEL OGC API Features CSV (`ilevia:vlille_temps_reel?f=csv`, FORMATS.md §2): the MEL properties with
 * no station id column (`nom` is not unique). Rows come out `located` by their (x, y); the merge SQL resolves
 * the id against `stations`, so the result does not depend on the order files are read in. record_timestamp:
 * the collection time in the file name. Records are the CSV rows as objects keyed by the header (csv-input.ts).
 */
import type { FileContext, FileStart, FormatModule, RecordOutcome } from '../types.js';
import { isDegradedMel, melValues } from './mel-properties.js';
import { startFromName } from './start.js';
import { isObject } from './values.js';

/** Columns a MEL CSV header must have (its order and extra columns such as `geom` do not matter). */
export const MEL_CSV_COLUMNS = ['nom', 'x', 'y', 'nb_velos_dispo', 'nb_places_dispo', 'date_modification'] as const;

function flattenRecord(raw: unknown, context: FileContext): RecordOutcome {
  if (!isObject(raw)) return { kind: 'reject', reason: 'row is not a record' };
  if (isDegradedMel(raw)) return { kind: 'degraded' };
  const values = melValues(raw, true);
  if (typeof values === 'string') return { kind: 'reject', reason: values };
  return { kind: 'located', record: { ...values.record, record_timestamp: context.fileTimestamp! } };
}

export const melCsv: FormatModule = {
  id: 'vlille-mel-csv',
  expects: `MEL OGC API CSV with columns ${MEL_CSV_COLUMNS.join(', ')}`,
  network: 'vlille',
  /** The document of a CSV file is `{ csvColumns: [...header], rows: [...] }` (csv-input.ts). */
  detect(doc) {
    return isObject(doc) && Array.isArray(doc.csvColumns) && MEL_CSV_COLUMNS.every((column) => (doc.csvColumns as unknown[]).includes(column));
  },
  records: (doc) => (isObject(doc) && Array.isArray(doc.rows) ? doc.rows : []),
  begin: (_doc, context): FileStart => startFromName(context),
  flattenRecord,
};
