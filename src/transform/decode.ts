/**
 * Raw bytes of one whole file → a parsed document, NDJSON lines, or the reason the file is unusable here.
 * Pure (zlib's synchronous gunzip is a computation, not I/O). Handles gzip, a UTF-8 BOM, pretty-printed
 * JSON and NDJSON (one response or one record per line). Bounded: only texts up to MAX_PARSE_BYTES are
 * parsed here (gzip never inflates past that); a larger one is handed to the streaming path.
 */
import { isUtf8 } from 'node:buffer';
import { constants, gunzipSync } from 'node:zlib';
import { INFLATION_FLOOR_BYTES, MAX_INFLATION_RATIO, inflationLimitReason, mib } from './inflation.js';
import { isWholeValue, splitNdjson, type NdjsonLine } from './ndjson-lines.js';

export type FileRejectCode = 'EMPTY' | 'NOT_UTF8' | 'TRUNCATED' | 'NOT_JSON' | 'BAD_GZIP' | 'UNKNOWN_SHAPE' | 'NO_VALID_RECORDS' | 'CHECKSUM_MISMATCH' | 'NOT_CSV' | 'NO_COLLECTION_TIME' | 'WRONG_NETWORK' | 'BAD_FILE_VALUE';

export type Rejected = { kind: 'rejected'; code: FileRejectCode; reason: string };
/** The whole-file path cannot read this file within its bounds; the streaming path can. */
export type StreamInstead = { kind: 'stream'; reason: string };
/** NDJSON lines are parsed as they are consumed. */
/** CSV: a text that is neither JSON nor NDJSON and starts with a header line (parsed in csv-input.ts). */
export type Decoded = { kind: 'document'; doc: unknown } | { kind: 'lines'; lines: Iterable<NdjsonLine> } | { kind: 'csv'; text: string } | Rejected | StreamInstead;

export interface DecodeOptions {
  /** Most text parsed whole here (--stream-threshold-mb); never more than MAX_PARSE_BYTES. */
  maxTextBytes?: number;
}

/**
 * The most text JSON.parse is given at once: a whole file here, an NDJSON line or a record in the streaming path.
 * What it builds can be far larger than the text (in a worker, 512 KiB of `[[[…]]]`: +27 MB of heap, ~+47 MB
 * of RSS with the worker; 1 MiB: twice that), so larger texts are read record by record (a real minute is
 * ~160 KB). This replaces a scan of texts over 512 KiB for depth and density: the worst case is the same, for
 * any shape, and there is nothing to scan.
 */
export const MAX_PARSE_BYTES = 512 * 1024;
/** Whitespace as JSON sees it (a normal file fails at its first byte). */
const JSON_BLANK = /^[ \t\r\n]*$/;
const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === GZIP_MAGIC_0 && bytes[1] === GZIP_MAGIC_1;
}

/** UTF-16 text says so in its byte-order mark; it is not read (the reason says what it is). */
export function utf16Reason(bytes: Uint8Array): string | null {
  const le = bytes[0] === 0xff && bytes[1] === 0xfe;
  return le || (bytes[0] === 0xfe && bytes[1] === 0xff) ? `file is UTF-16 (byte-order mark ${le ? 'FF FE' : 'FE FF'}), not UTF-8` : null;
}

/**
 * Gunzip at most `maxTextBytes`. Past that, the file is a bomb when its start alone already breaks the
 * inflation rule (the streaming path would stop it too), and is otherwise streamed.
 */
function gunzipBounded(bytes: Buffer, maxTextBytes: number): Buffer | Rejected | StreamInstead {
  try {
    return gunzipSync(bytes, { maxOutputLength: maxTextBytes });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_BUFFER_TOO_LARGE') {
      return { kind: 'rejected', code: 'BAD_GZIP', reason: `gzip data is corrupt or truncated: ${(error as Error).message}` };
    }
  }
  // Inflate the first `limit / ratio` compressed bytes: more than `limit` out of them breaks the rule.
  const limit = Math.max(maxTextBytes, INFLATION_FLOOR_BYTES);
  const prefix = Math.floor(limit / MAX_INFLATION_RATIO);
  try {
    gunzipSync(bytes.subarray(0, prefix), { maxOutputLength: limit, finishFlush: constants.Z_SYNC_FLUSH });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      return { kind: 'rejected', code: 'BAD_GZIP', reason: inflationLimitReason(limit + 1, prefix) ?? 'gzip bomb' };
    }
  }
  return { kind: 'stream', reason: `gzip data expands beyond ${mib(maxTextBytes)}: read it as a stream` };
}

/** Strip gzip and BOM, check UTF-8; returns the text or why not. */
export function decodeText(input: Uint8Array, options: DecodeOptions = {}): { kind: 'text'; text: string } | Rejected | StreamInstead {
  const maxTextBytes = Math.min(options.maxTextBytes ?? MAX_PARSE_BYTES, MAX_PARSE_BYTES);
  let bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (isGzip(bytes)) {
    const inflated = gunzipBounded(bytes, maxTextBytes);
    if (!Buffer.isBuffer(inflated)) return inflated;
    bytes = inflated;
  }
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
  if (bytes.length > maxTextBytes) return { kind: 'stream', reason: `${mib(bytes.length)} of text, more than ${mib(maxTextBytes)}: read it record by record` };
  if (bytes.length === 0) return { kind: 'rejected', code: 'EMPTY', reason: 'file is empty (0 bytes)' };
  const utf16 = utf16Reason(bytes);
  if (utf16 !== null) return { kind: 'rejected', code: 'NOT_UTF8', reason: utf16 };
  if (!isUtf8(bytes)) return { kind: 'rejected', code: 'NOT_UTF8', reason: 'file is not valid UTF-8 text' };
  const text = bytes.toString('utf8');
  if (JSON_BLANK.test(text)) return { kind: 'rejected', code: 'EMPTY', reason: 'file holds only whitespace' };
  return { kind: 'text', text };
}

export function describeSyntaxError(error: Error, length: number): { code: FileRejectCode; reason: string } {
  const message = error.message;
  const position = /position (\d+)/.exec(message);
  // An error past the last character means the text stopped early (checked on every truncation of a minute,
  // compact and pretty-printed); an error *at* the last character is a wrong character (`[1}`, `{…} x`).
  const atEnd = position !== null && Number(position[1]) >= length;
  if (/end of JSON input|Unterminated string/i.test(message) || atEnd) {
    return { code: 'TRUNCATED', reason: `JSON ends early, the file looks truncated (${message})` };
  }
  return { code: 'NOT_JSON', reason: `not valid JSON: ${message}` };
}

/**
 * A CSV header: not JSON (`{`, `[`, a whole JSON value such as `"a,b"`), not HTML, at least two comma-separated
 * columns. The streaming path applies the same test to a file's first non-blank line, so both paths agree.
 */
export function isCsvHeader(line: string): boolean {
  const header = line.trim();
  if (header.length > 4096 || header.startsWith('{') || header.startsWith('[')) return false;
  return header.includes(',') && !header.includes('{') && !header.includes('<') && !isWholeValue(header);
}

/** Taken for CSV only once it failed as JSON and NDJSON (see parseDocument). */
export function looksLikeCsv(text: string): boolean {
  const start = text.replace(/^[ \t\r\n]+/, '');
  const newline = start.indexOf('\n');
  return isCsvHeader(newline < 0 ? start : start.slice(0, newline));
}

export function parseDocument(text: string): Decoded {
  try {
    return { kind: 'document', doc: JSON.parse(text) };
  } catch (error) {
    const lines = splitNdjson(text);
    if (lines !== null) return { kind: 'lines', lines };
    if (looksLikeCsv(text)) return { kind: 'csv', text };
    return { kind: 'rejected', ...describeSyntaxError(error as Error, text.length) };
  }
}

export function decode(bytes: Uint8Array, options: DecodeOptions = {}): Decoded {
  const text = decodeText(bytes, options);
  return text.kind === 'text' ? parseDocument(text.text) : text;
}
