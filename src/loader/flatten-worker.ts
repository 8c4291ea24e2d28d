/**
 * Worker-thread entry: read (local files), decode, parse, flatten, and append the rows to this
 * thread's own staging shard. Only a small summary crosses back to the main thread.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { threadId } from 'node:worker_threads';
import { flattenFileBytes, sameStations, type FileOutcome } from '../transform/flatten-file.js';
import type { StationRow } from '../transform/types.js';
import { SyncShardAppender } from './staging.js';

export interface FlattenTask {
  name: string;
  /** Local file to read in this thread, or… */
  path?: string;
  /** …the bytes, already downloaded by the main thread. */
  bytes?: Uint8Array;
  /** Expected base64 MD5 of `bytes` (downloads): a mismatch is reported, never parsed. */
  md5?: string;
  spoolDir: string;
  shardBytes: number;
}

export type FlattenResult = (Exclude<FileOutcome, { status: 'loaded' }> & { bytesRead: number }) | (Omit<Extract<FileOutcome, { status: 'loaded' }>, 'recordsNdjson' | 'stations'> & {
  /** Shard the rows were appended to. */
  shard: string;
  bytesRead: number;
  /** Thread that produced the result, and its stations JSON when it differs from that thread's previous file. */
  thread: number;
  stationsJson: string | null;
});

/** Per-thread state of the current run (a run has its own spool folder). */
let state: { spoolDir: string; appender: SyncShardAppender; lastStations: Map<number, StationRow> | null } | null = null;

export function flattenTask(task: FlattenTask, thread = threadId): FlattenResult {
  const bytes = task.bytes ?? readFileSync(task.path!);
  if (task.md5 && createHash('md5').update(bytes).digest('base64') !== task.md5) {
    return { status: 'rejected', code: 'CHECKSUM_MISMATCH', reason: `downloaded bytes do not match the object's MD5 (${task.md5})`, rejects: [], bytesRead: bytes.length };
  }
  const outcome = flattenFileBytes(bytes, { name: task.name });
  if (outcome.status !== 'loaded') return { ...outcome, bytesRead: bytes.length };
  if (state?.spoolDir !== task.spoolDir) {
    state = { spoolDir: task.spoolDir, appender: new SyncShardAppender(task.spoolDir, `records-t${thread}`, task.shardBytes), lastStations: null };
  }
  const shard = state.appender.append(outcome.recordsNdjson);
  const changed = !sameStations(outcome.stations, state.lastStations);
  state.lastStations = outcome.stations;
  const { recordsNdjson: _rows, stations, ...rest } = outcome;
  return { ...rest, shard, bytesRead: bytes.length, thread, stationsJson: changed ? JSON.stringify([...stations.values()]) : null };
}

export default flattenTask;
