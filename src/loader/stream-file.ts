/**
 * The bounded-memory path for huge raw files (above --stream-threshold): stream-json reads the
 * `records` array one element at a time (≈12× slower than JSON.parse, so only used where needed).
 * Rows go to a shard of their own, which is deleted if the file turns out to be bad, so a
 * truncated huge file never leaves half its rows behind.
 */
import { once } from 'node:events';
import { Transform, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import parserStream from 'stream-json';
import pick from 'stream-json/filters/pick.js';
import streamArray from 'stream-json/streamers/stream-array.js';
import { errorMessage } from '../errors.js';
import { FileFlattener, type FileOutcome } from '../transform/flatten-file.js';
import { vlilleV1 } from '../transform/vlille-v1.js';

const FLUSH_CHARS = 4 * 1024 * 1024;

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

/**
 * Flatten one huge file to `shard`. Resolves with the outcome; on a bad file the caller must
 * discard the shard.
 */
export async function streamFlattenFile(input: Readable, name: string, gzip: boolean, shard: Writable): Promise<FileOutcome> {
  const flattener = new FileFlattener(vlilleV1, { name });
  let index = 0;
  let sawRecords = false;
  const stages: NodeJS.ReadWriteStream[] = [...(gzip ? [createGunzip()] : []), stripBom(), parserStream(), pick.asStream({ filter: 'records' }), streamArray.asStream()];
  try {
    await pipeline([
      input,
      ...stages,
      async (items: AsyncIterable<{ key: number; value: unknown }>) => {
        for await (const item of items) {
          sawRecords = true;
          flattener.add(item.value, index++);
          if (flattener.bufferedLength >= FLUSH_CHARS && !shard.write(flattener.takeNdjson())) await once(shard, 'drain');
        }
      },
    ] as unknown as NodeJS.ReadWriteStream[]);
  } catch (error) {
    const message = errorMessage(error);
    const truncated = /end|unexpected end|incomplete/i.test(message);
    return {
      status: 'rejected',
      code: truncated ? 'TRUNCATED' : 'NOT_JSON',
      reason: `${truncated ? 'JSON ends early, the file looks truncated' : 'not valid JSON'} (streamed at record ${index}: ${message})`,
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
    if (rest && !shard.write(rest)) await once(shard, 'drain');
  }
  return outcome;
}
