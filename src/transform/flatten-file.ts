/**
 * One raw file's bytes → staged rows: decode, detect the format, flatten the document, its NDJSON lines or its
 * CSV rows (record by record, with `FileFlattener`).
 */
import { parseCsv } from './csv-input.js';
import { decode, type DecodeOptions } from './decode.js';
import { FileFlattener, startFile, type FileOutcome, type RejectedFile } from './file-flattener.js';
import { describeShape, detectFormat, expectedShapes } from './formats.js';
import { LinesFlattener } from './ndjson-input.js';
import type { NdjsonLine } from './ndjson-lines.js';
import type { FileContext } from './types.js';

export function unknownShape(doc: unknown, context: FileContext): RejectedFile {
  const forced = context.inputFormat !== undefined && context.inputFormat !== 'auto' ? ` (--input-format ${context.inputFormat})` : '';
  return { status: 'rejected', code: 'UNKNOWN_SHAPE', reason: `unknown file format${forced}: ${describeShape(doc)} matches no known format; expected ${expectedShapes(context.inputFormat)}`, rejects: [] };
}

/** Flatten an already-parsed document. */
export function flattenDocument(doc: unknown, context: FileContext): FileOutcome {
  const detected = detectFormat(doc, context.inputFormat);
  if (!detected) return unknownShape(doc, context);
  const flattener = startFile(detected.format, detected.doc, context);
  if (!(flattener instanceof FileFlattener)) return flattener;
  const records = detected.format.records(detected.doc);
  for (let i = 0; i < records.length; i++) flattener.add(records[i], i);
  return flattener.finish();
}

/** CSV text (whole-file path) → the file's outcome. */
export function flattenCsv(text: string, context: FileContext): FileOutcome {
  const doc = parseCsv(text);
  if ('kind' in doc) return { status: 'rejected', code: doc.code, reason: doc.reason, rejects: [] };
  if (!detectFormat(doc, context.inputFormat)) {
    return { ...unknownShape(doc, context), reason: `unknown file format: CSV with columns [${doc.csvColumns.slice(0, 16).join(', ')}]; expected ${expectedShapes(context.inputFormat)}` };
  }
  return flattenDocument(doc, context);
}

/** NDJSON lines (whole-file path) → the file's outcome. */
export function flattenLines(lines: Iterable<NdjsonLine>, context: FileContext): FileOutcome {
  const flattener = new LinesFlattener(context, (format, ctx) => new FileFlattener(format, ctx));
  for (const line of lines) {
    flattener.add(line);
    if (!flattener.wanted) break;
  }
  return flattener.finish();
}

/**
 * Bytes of one whole file → its outcome. The worker-thread entry point calls this. Never inflates gzip past
 * `options.maxTextBytes`: such a file (and deep nesting in a large text) comes back as `status: 'stream'`.
 */
export function flattenFileBytes(bytes: Uint8Array, context: FileContext, options: DecodeOptions = {}): FileOutcome {
  const decoded = decode(bytes, options);
  switch (decoded.kind) {
    case 'document':
      return flattenDocument(decoded.doc, context);
    case 'lines':
      return flattenLines(decoded.lines, context);
    case 'csv':
      return flattenCsv(decoded.text, context);
    case 'stream':
      return { status: 'stream', reason: decoded.reason };
    default:
      return { status: 'rejected', code: decoded.code, reason: decoded.reason, rejects: [] };
  }
}
