/**
 * The byte stages of the streaming path, as async generators: raw chunks → gunzipped (when the bytes say
 * gzip, as in the whole-file path; a bomb is stopped early) → BOM stripped, UTF-8 checked and decoded → NDJSON
 * or one document (the same rule as the whole-file path, transform/ndjson-input.ts).
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { isGzip, utf16Reason, type FileRejectCode } from '../../transform/decode.js';
import { inflationLimitReason } from '../../transform/inflation.js';
import { isWholeValue } from '../../transform/ndjson-lines.js';

/** A reason to set the file aside, found while streaming it. */
export class StreamReject extends Error {
  constructor(
    readonly code: FileRejectCode,
    message: string,
  ) {
    super(message);
  }
}

/** The first `n` bytes (or all, if fewer) and every chunk, those included. */
async function peek(chunks: AsyncIterable<Buffer>, n: number): Promise<{ head: Buffer; all: AsyncGenerator<Buffer> }> {
  const iterator = chunks[Symbol.asyncIterator]();
  const seen: Buffer[] = [];
  let size = 0;
  while (size < n) {
    const next = await iterator.next();
    if (next.done) break;
    seen.push(next.value);
    size += next.value.length;
  }
  async function* all(): AsyncGenerator<Buffer> {
    yield* seen.splice(0);
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  }
  return { head: Buffer.concat(seen, size), all: all() };
}

/** zlib's own errors (corrupt or truncated data), as opposed to the input's (a read failure). */
function isZlibError(error: unknown): boolean {
  return /^Z_/.test(String((error as { code?: unknown })?.code ?? ''));
}

async function* gunzip(compressed: AsyncGenerator<Buffer>): AsyncGenerator<Buffer> {
  const inflater = createGunzip();
  const source = Readable.from(compressed);
  // Errors of either side surface through the loop below (pipeline destroys the inflater with them).
  const piped = pipeline(source, inflater).catch(() => undefined);
  let inflated = 0;
  try {
    for await (const chunk of inflater as AsyncIterable<Buffer>) {
      inflated += chunk.length;
      // bytesWritten: compressed bytes the engine has consumed so far.
      const bomb = inflationLimitReason(inflated, inflater.bytesWritten);
      if (bomb) throw new StreamReject('BAD_GZIP', bomb);
      yield chunk;
    }
  } catch (error) {
    if (isZlibError(error)) throw new StreamReject('BAD_GZIP', `gzip data is corrupt or truncated: ${(error as Error).message}`);
    throw error;
  } finally {
    inflater.destroy();
    source.destroy();
    await piped;
  }
}

/** A piece of the text: its UTF-8 bytes (NDJSON lines are cut from them) and the same text decoded. */
export interface TextChunk {
  bytes: Buffer;
  text: string;
}

/** Raw bytes → UTF-8 text (gunzipped, no BOM), or a StreamReject. `total` counts the text bytes. */
export async function* textChunks(input: Readable, onBytes: (bytes: number) => void, total: { bytes: number }): AsyncGenerator<TextChunk> {
  async function* raw(): AsyncGenerator<Buffer> {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      onBytes(chunk.length);
      yield chunk;
    }
  }
  const sniffed = await peek(raw(), 2);
  const text = await peek(isGzip(sniffed.head) ? gunzip(sniffed.all) : sniffed.all, 3);
  const utf16 = utf16Reason(text.head);
  if (utf16 !== null) throw new StreamReject('NOT_UTF8', utf16);
  // The BOM's 3 bytes may come in more than one chunk.
  let bom = text.head[0] === 0xef && text.head[1] === 0xbb && text.head[2] === 0xbf ? 3 : 0;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    for await (let chunk of text.all) {
      if (bom > 0) {
        const skip = Math.min(bom, chunk.length);
        chunk = chunk.subarray(skip);
        bom -= skip;
      }
      const decoded = decoder.decode(chunk, { stream: true });
      total.bytes += chunk.length;
      yield { bytes: chunk, text: decoded };
    }
    // Fatal: text cut inside a character throws; otherwise there is nothing left to decode.
    decoder.decode();
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_ENCODING_INVALID_ENCODED_DATA') {
      throw new StreamReject('NOT_UTF8', `file is not valid UTF-8 text (after ${total.bytes} bytes)`);
    }
    throw error;
  }
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/**
 * NDJSON when the first non-blank line is a whole JSON value and text follows it (the whole-file rule).
 * Reads ahead at most `maxLineBytes`; a first line longer than that is a single document.
 */
export async function detectNdjson(chunks: AsyncGenerator<TextChunk>, maxLineBytes: number): Promise<{ ndjson: boolean; all: AsyncGenerator<TextChunk> }> {
  const seen: TextChunk[] = [];
  let size = 0;
  let start = -1;
  let lineEnd = -1;
  let after = false;
  for (let next = await chunks.next(); !next.done; next = await chunks.next()) {
    const chunk = next.value.bytes;
    const base = size;
    seen.push(next.value);
    size += chunk.length;
    for (let i = 0; i < chunk.length && !after; i++) {
      if (start < 0) {
        if (!isSpace(chunk[i]!)) start = base + i;
      } else if (lineEnd < 0) {
        const nl = chunk.indexOf(0x0a, i);
        if (nl < 0) break;
        lineEnd = base + nl;
        i = nl;
      } else if (!isSpace(chunk[i]!)) {
        after = true;
      }
    }
    if (after || size > maxLineBytes) break;
  }
  const ndjson = after && isWholeValue(Buffer.concat(seen.map((piece) => piece.bytes), size).subarray(start, lineEnd).toString('utf8'));
  async function* all(): AsyncGenerator<TextChunk> {
    yield* seen.splice(0);
    yield* chunks;
  }
  return { ndjson, all: all() };
}
