/**
 * Worker-thread entry: read (local files), decode, parse, flatten, and append the rows to this
 * thread's own staging shard. A task is a small batch of files (fewer messages between threads);
 * only a small summary per file crosses back to the main thread.
 */
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { threadId } from 'node:worker_threads';
import { decodeTexts } from '../transform/decode.js';
import { flattenDecoded, sameStations, type FileOutcome } from '../transform/flatten-file.js';
import type { StationRow } from '../transform/types.js';
import { SyncShardAppender } from './staging.js';
import type { StreamedFile } from './stream-file.js';

export interface FlattenInput {
  name: string;
  /** Local file to read in this thread, or… */
  path?: string;
  /** …the bytes, already downloaded by the main thread. */
  bytes?: Uint8Array;
  /** Expected base64 MD5 of `bytes` (downloads): a mismatch is reported, never parsed. */
  md5?: string;
}

export interface FlattenBatch {
  files: FlattenInput[];
  spoolDir: string;
  shardBytes: number;
}

type Loaded = Extract<FileOutcome, { status: 'loaded' }>;

export type FlattenResult =
  | (Exclude<FileOutcome, { status: 'loaded' }> & { bytesRead: number })
  | (Omit<Loaded, 'recordsNdjson' | 'stations'> & {
      /** Shard the rows were appended to. */
      shard: string;
      bytesRead: number;
      /** Thread that produced the result, and its stations JSON when it differs from that thread's previous file. */
      thread: number;
      stationsJson: string | null;
    })
  /** The file could not be read (vanished, no permission): the main thread decides what that means. */
  | { status: 'unreadable'; code: string; message: string; bytesRead: 0 };

/** Per-thread state of the current run (a run has its own spool folder). */
let state: { spoolDir: string; appender: SyncShardAppender; lastStations: Map<number, StationRow> | null } | null = null;

/**
 * One read buffer per thread, reused for every batch: a fresh 160 KB buffer per minute file costs
 * page faults and leaves freed memory behind in this thread's malloc arena.
 */
const SCRATCH_BYTES = 2 * 1024 * 1024;
let scratch = Buffer.allocUnsafe(SCRATCH_BYTES);

/** After an unusually large batch, give the grown buffer back rather than keep it for the thread's life. */
function shrinkScratch(): void {
  if (scratch.length > 4 * SCRATCH_BYTES) scratch = Buffer.allocUnsafe(SCRATCH_BYTES);
}

/** Appends the whole file to `scratch` from `offset` (growing it, content kept); returns the new end. */
function readInto(path: string, offset: number): number {
  const fd = openSync(path, 'r');
  try {
    let length = offset;
    for (;;) {
      if (length === scratch.length) {
        const bigger = Buffer.allocUnsafe(scratch.length * 2);
        scratch.copy(bigger, 0, 0, length);
        scratch = bigger;
      }
      const read = readSync(fd, scratch, length, scratch.length - length, null);
      if (read === 0) return length;
      length += read;
    }
  } finally {
    closeSync(fd);
  }
}

type ReadFailure = { code: string; message: string };

/**
 * Every file's bytes: local files read back to back into `scratch` (valid until the next batch), so that
 * decodeTexts can turn them into one string; downloaded bytes as given.
 */
function readBatch(inputs: readonly FlattenInput[]): (Uint8Array | ReadFailure)[] {
  const spans: ([number, number] | Uint8Array | ReadFailure)[] = [];
  let end = 0;
  for (const input of inputs) {
    if (input.bytes) {
      spans.push(input.bytes);
      continue;
    }
    try {
      const start = end;
      end = readInto(input.path!, start);
      spans.push([start, end]);
    } catch (error) {
      const { code = 'READ_FAILED', message } = error as NodeJS.ErrnoException;
      spans.push({ code, message });
    }
  }
  // Views are taken once all files are read: scratch may have grown (moved) meanwhile.
  return spans.map((span) => (Array.isArray(span) ? scratch.subarray(span[0], span[1]) : span));
}

export function flattenBatch(batch: FlattenBatch, thread = threadId): FlattenResult[] {
  if (state?.spoolDir !== batch.spoolDir) {
    state = { spoolDir: batch.spoolDir, appender: new SyncShardAppender(batch.spoolDir, `records-t${thread}`, batch.shardBytes), lastStations: null };
  }
  const current = state;
  const inputs = readBatch(batch.files);
  const mismatched = inputs.map((bytes, i) => bytes instanceof Uint8Array && !checksumMatches(bytes, batch.files[i]!));
  const decodable = inputs.filter((bytes, i): bytes is Uint8Array => bytes instanceof Uint8Array && !mismatched[i]);
  const texts = decodeTexts(decodable);
  const results: FlattenResult[] = [];
  // The batch's rows go to the shard in one write.
  const rows: string[] = [];
  const shard = current.appender.nextShard();
  let next = 0;
  for (const [i, input] of batch.files.entries()) {
    const bytes = inputs[i]!;
    if (!(bytes instanceof Uint8Array)) {
      results.push({ status: 'unreadable', ...bytes, bytesRead: 0 });
      continue;
    }
    if (mismatched[i]) {
      results.push({ status: 'rejected', code: 'CHECKSUM_MISMATCH', reason: `downloaded bytes do not match the object's MD5 (${input.md5})`, rejects: [], bytesRead: bytes.length });
      continue;
    }
    const outcome = flattenDecoded(texts[next++]!, { name: input.name });
    if (outcome.status !== 'loaded') {
      results.push({ ...outcome, bytesRead: bytes.length });
      continue;
    }
    rows.push(outcome.recordsNdjson);
    const changed = !sameStations(outcome.stations, current.lastStations);
    current.lastStations = outcome.stations;
    const { recordsNdjson: _rows, stations, ...rest } = outcome;
    results.push({ ...rest, shard, bytesRead: bytes.length, thread, stationsJson: changed ? JSON.stringify([...stations.values()]) : null });
  }
  shrinkScratch();
  if (rows.length > 0) current.appender.append(rows.join(''));
  return results;
}

/** Downloads carry their MD5; the bytes are parsed only when they match it. */
function checksumMatches(bytes: Uint8Array, input: FlattenInput): boolean {
  return !input.md5 || createHash('md5').update(bytes).digest('base64') === input.md5;
}

export default flattenBatch;

export interface StreamTask {
  name: string;
  path: string;
  id: number;
  spoolDir: string;
  shardBytes: number;
  /** Bytes read so far, shared with the main thread for progress. */
  bytesRead: SharedArrayBuffer;
}

/**
 * A huge local file streamed in a worker: the heap that stream-json churns through is this thread's
 * (capped, and returned when the pool closes), not the main thread's, which later hosts DuckDB.
 */
export async function streamLocalFile(task: StreamTask): Promise<StreamedFile> {
  const { streamFileToShards } = await import('./stream-file.js');
  const counter = new BigInt64Array(task.bytesRead);
  return streamFileToShards(createReadStream(task.path), task, (bytes) => Atomics.add(counter, 0, BigInt(bytes)));
}
