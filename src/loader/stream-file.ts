/**
 * The bounded-memory path for huge raw files (above --stream-threshold-mb): records are read one at
 * a time, with stream-json for a single JSON document (≈12× slower than JSON.parse, so only used
 * where needed) or line by line for NDJSON. Rows go to shards of their own, which the caller
 * deletes if the file turns out bad, so a truncated huge file never leaves half its rows behind.
 */
import { rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import parserStream from 'stream-json';
import pick from 'stream-json/filters/pick.js';
import streamArray from 'stream-json/streamers/stream-array.js';
import { errorMessage } from '../errors.js';
import { FileFlattener, type FileOutcome } from '../transform/flatten-file.js';
import type { FileContext } from '../transform/types.js';
import { vlilleV1 } from '../transform/vlille-v1.js';
import type { BatchResult } from './flatten-worker.js';
import { ShardWriter } from './staging.js';
import type { TimeWindow } from './window.js';

const FLUSH_CHARS = 4 * 1024 * 1024;
const PEEK_BYTES = 1024 * 1024;

/** Drops a UTF-8 BOM at the start of the stream. */
function stripBom(): Transform {
  let first = true;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (first) {
        first = false;
        if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) chunk = chunk.subarray(3);
      }
      callback(null, chunk);
    },
  });
}

class NotUtf8Error extends Error {}

/** Passes bytes through unchanged, failing on the first invalid UTF-8 sequence (like the whole-file path). */
function checkUtf8(): Transform {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const check = (run: () => void, callback: (error?: Error) => void): void => {
    try {
      run();
      callback();
    } catch {
      callback(new NotUtf8Error('file is not valid UTF-8 text'));
    }
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      check(() => {
        decoder.decode(chunk, { stream: true });
        this.push(chunk);
      }, callback);
    },
    flush(callback) {
      check(() => decoder.decode(), callback);
    },
  });
}

/** NDJSON when the first line is a whole JSON value by itself; a single document otherwise. */
async function peekMode(input: Readable): Promise<{ mode: 'json' | 'ndjson'; stream: Readable }> {
  const iterator = input[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const head: Buffer[] = [];
  let size = 0;
  let newline = -1;
  while (size < PEEK_BYTES && newline < 0) {
    const next = await iterator.next();
    if (next.done) break;
    head.push(next.value);
    size += next.value.length;
    newline = Buffer.concat(head).indexOf(0x0a);
  }
  const buffered = Buffer.concat(head);
  let mode: 'json' | 'ndjson' = 'json';
  if (newline > 0) {
    try {
      JSON.parse(buffered.subarray(0, newline).toString('utf8'));
      mode = buffered.subarray(newline).toString('utf8').trim() === '' && size < PEEK_BYTES ? 'json' : 'ndjson';
    } catch {
      mode = 'json';
    }
  }
  async function* replay(): AsyncGenerator<Buffer> {
    yield buffered;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  }
  return { mode, stream: Readable.from(replay(), { objectMode: false }) };
}

function asRecords(value: unknown): unknown[] {
  if (typeof value === 'object' && value !== null && Array.isArray((value as { records?: unknown }).records)) return (value as { records: unknown[] }).records;
  return [value];
}

/** Flatten one huge file into `shard`. On a non-loaded outcome the caller must discard the shard. */
export async function streamFlattenFile(input: Readable, context: FileContext, gzip: boolean, write: (ndjson: string) => Promise<void>): Promise<FileOutcome> {
  const flattener = new FileFlattener(vlilleV1, context);
  let index = 0;
  let sawRecords = false;
  const add = async (value: unknown): Promise<void> => {
    sawRecords = true;
    flattener.add(value, index++);
    if (flattener.bufferedLength >= FLUSH_CHARS) await write(flattener.takeNdjson());
  };
  input.on('error', () => undefined); // surfaced through the pipeline below
  const decoded = (gzip ? input.pipe(createGunzip()) : input).pipe(stripBom()).pipe(checkUtf8());
  try {
    const { mode, stream } = await peekMode(decoded);
    if (mode === 'ndjson') {
      for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
        if (line.trim() === '') continue;
        for (const record of asRecords(JSON.parse(line))) await add(record);
      }
    } else {
      await pipeline([
        stream,
        // Whole keys, strings and numbers only: half the tokens, less garbage, faster.
        parserStream({ streamValues: false }),
        pick.asStream({ filter: 'records' }),
        streamArray.asStream(),
        async (items: AsyncIterable<{ key: number; value: unknown }>) => {
          for await (const item of items) await add(item.value);
        },
      ] as unknown as NodeJS.ReadWriteStream[]);
    }
  } catch (error) {
    if (error instanceof NotUtf8Error) return { status: 'rejected', code: 'NOT_UTF8', reason: `${error.message} (streamed, after record ${index})`, rejects: [] };
    const message = errorMessage(error);
    // stream-json says "Parser has expected …" when the input ends inside a value: the document stopped early.
    const truncated = /Parser has expected|end of|unexpected end|incomplete|Unterminated|premature/i.test(message);
    return {
      status: 'rejected',
      code: truncated ? 'TRUNCATED' : 'NOT_JSON',
      reason: `${truncated ? 'JSON ends early, the file looks truncated' : 'not valid JSON'} (streamed, after record ${index}: ${message})`,
      rejects: [],
    };
  }
  if (!sawRecords) {
    return { status: 'rejected', code: 'UNKNOWN_SHAPE', reason: 'unknown file format: no top-level "records" array (large file, streamed)', rejects: [] };
  }
  const outcome = flattener.finish();
  if (outcome.status === 'loaded') {
    const rest = outcome.recordsNdjson;
    outcome.recordsNdjson = '';
    if (rest) await write(rest);
  }
  return outcome;
}

/**
 * Stream one huge file into shards of their own (`records-stream-ID-*`); they are deleted again when the
 * file turns out bad. `onBytes` sees the raw bytes as they are read (progress).
 */
export async function streamFileToShards(
  input: Readable,
  file: { name: string; id: number; spoolDir: string; shardBytes: number; window: TimeWindow },
  onBytes: (bytes: number) => void,
): Promise<BatchResult> {
  const writer = new ShardWriter(file.spoolDir, `records-stream-${file.id}`, file.shardBytes);
  let bytesRead = 0;
  input.on('data', (chunk: Buffer) => {
    bytesRead += chunk.length;
    onBytes(chunk.length);
  });
  const outcome = await streamFlattenFile(input, { name: file.name, window: file.window }, /\.gz$/i.test(file.name), (text) => writer.write(text));
  const shards = await writer.close();
  if (outcome.status === 'loaded') {
    const { recordsNdjson: _rest, stations, ...rest } = outcome;
    return { files: [{ ...rest, shards, bytesRead }], stations: stations.values() };
  }
  await Promise.all(shards.map((shard) => rm(shard, { force: true })));
  return { files: [{ ...outcome, bytesRead }], stations: [] };
}
