/**
 * Worker-thread entry: read (local files), decode, parse, flatten, and append the rows to this
 * thread's own staging shard. A task is a small batch of files (fewer messages between threads);
 * only a small summary per file crosses back to the main thread.
 */
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { threadId } from 'node:worker_threads';
import { flattenFileBytes } from '../../transform/flatten-file.js';
import { LatestStations } from '../../transform/stations.js';
import { flattenFileBytesFast, NdjsonSink } from '../../transform/vlille-v1-scan.js';
import type { StationRow } from '../../transform/types.js';
import { packStations } from './station-batch.js';
import type { BatchResult, FileResult, FlattenBatch, FlattenInput, StreamTask } from './messages.js';
import { SyncShardAppender } from '../staging/shards.js';

/**
 * The V'lille v1 byte scanner (transform/vlille-v1-scan.ts) reads plain v1 minutes first; VELO_V1_SCAN=0 switches
 * it off (every file through JSON.parse, the path it is checked against: docs/performance.md, issue 21).
 */
const FAST_V1 = process.env.VELO_V1_SCAN !== '0';

let fastSink: NdjsonSink | null = null;

/** Per-thread state of the current run (a run has its own spool folder). */
let state: { spoolDir: string; appender: SyncShardAppender; located: SyncShardAppender } | null = null;

/**
 * One read buffer per thread, reused for every file: a fresh 160 KB buffer per minute file costs
 * page faults and leaves freed memory behind in this thread's malloc arena.
 */
const SCRATCH_BYTES = 1024 * 1024;
let scratch = Buffer.allocUnsafe(SCRATCH_BYTES);

/** After an unusually large file, give the grown buffer back rather than keep it for the thread's life. */
function shrinkScratch(): void {
  if (scratch.length > 4 * SCRATCH_BYTES) scratch = Buffer.allocUnsafe(SCRATCH_BYTES);
}

/** The whole file, in `scratch` (valid until the next read). */
function readWhole(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    let length = 0;
    for (;;) {
      if (length === scratch.length) {
        const bigger = Buffer.allocUnsafe(scratch.length * 2);
        scratch.copy(bigger, 0, 0, length);
        scratch = bigger;
      }
      const read = readSync(fd, scratch, length, scratch.length - length, null);
      if (read === 0) return scratch.subarray(0, length);
      length += read;
    }
  } finally {
    closeSync(fd);
  }
}

function readInput(input: FlattenInput): Uint8Array | { code: string; message: string } {
  if (input.bytes) return input.bytes;
  try {
    return readWhole(input.path!);
  } catch (error) {
    const { code = 'READ_FAILED', message } = error as NodeJS.ErrnoException;
    return { code, message };
  }
}

export function flattenBatch(batch: FlattenBatch, thread = threadId): BatchResult {
  if (state?.spoolDir !== batch.spoolDir) {
    state = {
      spoolDir: batch.spoolDir,
      appender: new SyncShardAppender(batch.spoolDir, `records-t${thread}`, batch.shardBytes),
      located: new SyncShardAppender(batch.spoolDir, `located-t${thread}`, batch.shardBytes),
    };
  }
  const { timezone, network, inputFormat } = batch.read;
  const files: FileResult[] = [];
  const stations = new LatestStations<StationRow>();
  // The batch's rows go to the shard in one write.
  const rows: string[] = [];
  const located: string[] = [];
  const shard = state.appender.nextShard();
  const locatedShard = state.located.nextShard();
  // The fast path writes every loaded file's lines here (bytes), in the batch's order; without it, `rows`.
  const sink = FAST_V1 ? (fastSink ??= new NdjsonSink()) : null;
  for (const input of batch.files) {
    const bytes = readInput(input);
    if (!(bytes instanceof Uint8Array)) {
      files.push({ status: 'unreadable', ...bytes, bytesRead: 0 });
      continue;
    }
    if (input.md5 && createHash('md5').update(bytes).digest('base64') !== input.md5) {
      files.push({ status: 'rejected', code: 'CHECKSUM_MISMATCH', reason: `downloaded bytes do not match the object's MD5 (${input.md5})`, rejects: [], bytesRead: bytes.length });
      continue;
    }
    const context = { name: input.name, window: batch.window, stations, timezone, network, inputFormat };
    const options = { maxTextBytes: batch.maxTextBytes };
    const { outcome, scan } = sink ? flattenFileBytesFast(bytes, context, options, sink) : { outcome: flattenFileBytes(bytes, context, options), scan: undefined };
    shrinkScratch();
    if (outcome.status !== 'loaded') {
      files.push({ ...outcome, bytesRead: bytes.length, ...(scan && { scan }) });
      continue;
    }
    // With the fast path the lines are in the sink already ('' here): the shard is still written, as before.
    rows.push(outcome.recordsNdjson);
    if (outcome.locatedNdjson) located.push(outcome.locatedNdjson);
    const { recordsNdjson: _rows, locatedNdjson: _located, stations: _stations, ...rest } = outcome;
    files.push({ ...rest, shards: [shard], locatedShards: outcome.locatedRows > 0 ? [locatedShard] : [], bytesRead: bytes.length, ...(scan && { scan }) });
  }
  if (rows.length > 0) state.appender.append(sink ? sink.view() : rows.join(''));
  sink?.clear();
  if (located.length > 0) state.located.append(located.join(''));
  return { files, stations: packStations(stations, batch.spoolDir, thread) };
}

export default flattenBatch;

/**
 * A huge local file streamed in a worker: the heap its records churn through is this thread's (capped, and
 * returned when the pool closes), not the main thread's, which later hosts DuckDB.
 */
export async function streamLocalFile(task: StreamTask): Promise<BatchResult> {
  const { streamFileToShards } = await import('./stream-file.js');
  const counter = new BigInt64Array(task.bytesRead);
  return streamFileToShards(createReadStream(task.path), task, (bytes) => Atomics.add(counter, 0, BigInt(bytes)));
}
