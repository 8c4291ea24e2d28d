/**
 * CSV text → the document the MEL CSV format reads (`{ csvColumns, rows }`), through csv-parse: quoted fields
 * holding commas, UTF-8, a BOM. Whole-file path only (texts up to MAX_PARSE_BYTES, see decode.ts).
 */
import { parse } from 'csv-parse/sync';
import type { Rejected } from './decode.js';

export interface CsvDocument {
  csvColumns: string[];
  rows: Record<string, string>[];
}

export function parseCsv(text: string): CsvDocument | Rejected {
  let header: string[] = [];
  try {
    const rows = parse(text, {
      bom: true,
      skip_empty_lines: true,
      // A short or long row still maps by header; the format names what is missing in its reject.
      relax_column_count: true,
      columns: (names: string[]) => (header = names.map((name) => name.trim())),
    }) as Record<string, string>[];
    return { csvColumns: header, rows };
  } catch (error) {
    return { kind: 'rejected', code: 'NOT_CSV', reason: `not valid CSV: ${(error as Error).message.slice(0, 200)}` };
  }
}
