/**
 * A file's format from the start of its text, as the run would detect it (`plan` reads only each file's head).
 * Known when the head holds what detection looks at: a JSON document's top-level members and its record array's
 * first item, an NDJSON file's first line, a CSV header. Members that come after the records (MEL's `timeStamp`)
 * are not needed: formats' `detect` looks at the shape, not at those values. Pure.
 */
import { parseCsv } from './csv-input.js';
import { isCsvHeader } from './decode.js';
import { detectFormat, formatsFor } from './formats.js';
import { lineFormat } from './ndjson-input.js';
import { isWholeValue } from './ndjson-lines.js';
import { DocumentError, RecordsReader } from './records-reader.js';
import type { FormatModule } from './types.js';

/** What a head that tells no known format is counted as. */
export const UNKNOWN_FORMAT = 'unknown';

function firstLine(text: string): { line: string; more: boolean } {
  const start = text.replace(/^[ \t\r\n]+/, '');
  const newline = start.indexOf('\n');
  return newline < 0 ? { line: start, more: false } : { line: start.slice(0, newline), more: start.slice(newline + 1).trim().length > 0 };
}

/**
 * A JSON document's format, from its members and the first item of its record array (if the head holds one). A
 * member a format needs that the cut head did not reach yet (a GBFS feed's `last_updated` after `data`) may still
 * come: the format is then judged on the rest of its shape.
 */
function documentFormat(head: string, forced?: string): string {
  const formats = formatsFor(forced);
  const reader = new RecordsReader(formats.map((format) => format.recordsPath), { item: () => undefined, skipped: () => undefined });
  let whole = false;
  try {
    reader.push(head);
    // A whole document (a small file's head is all of it) ends here; a cut one throws, with what it read kept.
    reader.end();
    whole = true;
  } catch (error) {
    if (!(error instanceof DocumentError)) throw error;
  }
  if (reader.items === 0) return UNKNOWN_FORMAT;
  const skeleton = reader.skeleton();
  const detected = detectFormat(skeleton, forced)?.format;
  if (detected || whole || typeof skeleton !== 'object' || skeleton === null || Array.isArray(skeleton)) return detected?.id ?? UNKNOWN_FORMAT;
  const yetToCome = (format: FormatModule): Record<string, null> => Object.fromEntries((format.members ?? []).filter((member) => !reader.has(member)).map((member) => [member, null]));
  return formats.find((format) => format.detect({ ...skeleton, ...yetToCome(format) }))?.id ?? UNKNOWN_FORMAT;
}

/** `head`: the file's first characters (all of them for a small file); `forced`: --input-format. */
export function sniffFormat(head: string, forced?: string): string {
  const { line, more } = firstLine(head);
  if (line.startsWith('{') || line.startsWith('[')) {
    // NDJSON: the first line is a whole value and more follows (the whole-file rule): a response or a record per line.
    if (more && isWholeValue(line)) return lineFormat(JSON.parse(line), forced)?.id ?? UNKNOWN_FORMAT;
    return documentFormat(head, forced);
  }
  if (!isCsvHeader(line)) return UNKNOWN_FORMAT;
  // A CSV file's document is its header and rows (csv-input.ts): the header alone is what detection looks at.
  const doc = parseCsv(line);
  return 'kind' in doc ? UNKNOWN_FORMAT : (detectFormat(doc, forced)?.format.id ?? UNKNOWN_FORMAT);
}
