/**
 * One raw file's bytes → staged rows: decode, detect the format, flatten the document or its NDJSON lines
 * (record by record, with `FileFlattener`).
 */
import { decode, type DecodeOptions } from './decode.js';
import { FileFlattener, type FileOutcome } from './file-flattener.js';
import { describeShape, detectFormat } from './formats.js';
import { LinesFlattener } from './ndjson-input.js';
import type { NdjsonLine } from './ndjson-lines.js';
import type { FileContext } from './types.js';

/** Flatten an already-parsed document. */
export function flattenDocument(doc: unknown, context: FileContext): FileOutcome {
  const detected = detectFormat(doc);
  if (!detected) {
    return { status: 'rejected', code: 'UNKNOWN_SHAPE', reason: `unknown file format: ${describeShape(doc)} matches no known format`, rejects: [] };
  }
  const flattener = new FileFlattener(detected.format, context);
  const records = detected.format.records(detected.doc);
  for (let i = 0; i < records.length; i++) flattener.add(records[i], i);
  return flattener.finish();
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
    case 'stream':
      return { status: 'stream', reason: decoded.reason };
    default:
      return { status: 'rejected', code: decoded.code, reason: decoded.reason, rejects: [] };
  }
}
