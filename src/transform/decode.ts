/**
 * Raw bytes → parsed JSON document, or the reason the whole file is unusable.
 * Pure (zlib's synchronous gunzip is a computation, not I/O). Handles gzip, a UTF-8 BOM,
 * pretty-printed JSON and NDJSON (one response or one record per line).
 */
import { isUtf8 } from 'node:buffer';
import { gunzipSync } from 'node:zlib';

export type FileRejectCode = 'EMPTY' | 'NOT_UTF8' | 'TRUNCATED' | 'NOT_JSON' | 'BAD_GZIP' | 'UNKNOWN_SHAPE' | 'NO_VALID_RECORDS' | 'CHECKSUM_MISMATCH';

export type Decoded = { ok: true; doc: unknown } | { ok: false; code: FileRejectCode; reason: string };

/** Small gzip files are gunzipped whole; bound what they may expand to. */
const MAX_GUNZIPPED_BYTES = 512 * 2 ** 20;
const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === GZIP_MAGIC_0 && bytes[1] === GZIP_MAGIC_1;
}

/** Strip gzip and BOM, check UTF-8; returns the text or a reject. */
export function decodeText(input: Uint8Array): { ok: true; text: string } | { ok: false; code: FileRejectCode; reason: string } {
  let bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (isGzip(bytes)) {
    try {
      bytes = gunzipSync(bytes, { maxOutputLength: MAX_GUNZIPPED_BYTES });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        return { ok: false, code: 'BAD_GZIP', reason: `gzip data expands beyond ${MAX_GUNZIPPED_BYTES / 2 ** 20} MiB (a gzip bomb, or a file to stream: lower --stream-threshold-mb)` };
      }
      return { ok: false, code: 'BAD_GZIP', reason: `gzip data is corrupt or truncated: ${(error as Error).message}` };
    }
  }
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
  if (bytes.length === 0) return { ok: false, code: 'EMPTY', reason: 'file is empty (0 bytes)' };
  if (!isUtf8(bytes)) return { ok: false, code: 'NOT_UTF8', reason: 'file is not valid UTF-8 text' };
  const text = bytes.toString('utf8');
  if (text.trim() === '') return { ok: false, code: 'EMPTY', reason: 'file holds only whitespace' };
  return { ok: true, text };
}

function describeSyntaxError(error: Error, length: number): { code: FileRejectCode; reason: string } {
  const message = error.message;
  const position = /position (\d+)/.exec(message);
  const atEnd = position !== null && Number(position[1]) >= length - 1;
  if (/end of JSON input|Unterminated string/i.test(message) || atEnd) {
    return { code: 'TRUNCATED', reason: `JSON ends early, the file looks truncated (${message})` };
  }
  return { code: 'NOT_JSON', reason: `not valid JSON: ${message}` };
}

/** NDJSON: every non-blank line a JSON value. Null when the text is not NDJSON. */
function parseLines(text: string): unknown[] | null {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  if (lines.length < 2) return null;
  const values: unknown[] = [];
  for (const line of lines) {
    try {
      values.push(JSON.parse(line));
    } catch {
      return null;
    }
  }
  return values;
}

export function parseDocument(text: string): Decoded {
  try {
    return { ok: true, doc: JSON.parse(text) };
  } catch (error) {
    const lines = parseLines(text);
    if (lines !== null) return { ok: true, doc: { ndjson: lines } };
    return { ok: false, ...describeSyntaxError(error as Error, text.length) };
  }
}

export function decode(bytes: Uint8Array): Decoded {
  const text = decodeText(bytes);
  return text.ok ? parseDocument(text.text) : text;
}
