/**
 * What crosses between the main thread and the worker threads: the tasks sent (a batch of files, a file to
 * stream) and the answers (a small result per file; rows stay in the shards, stations packed). Plain data:
 * it crosses threads by structured clone.
 */
import type { FileOutcome } from '../../transform/file-flattener.js';
import type { ScanPath } from '../../transform/vlille-v1-scan.js';
import type { TimeWindow } from '../sources/window.js';
import type { PackedStations } from './station-batch.js';

export interface FlattenInput {
  name: string;
  /** Local file to read in this thread, or… */
  path?: string;
  /** …the bytes, already downloaded by the main thread. */
  bytes?: Uint8Array;
  /** Expected base64 MD5 of `bytes` (downloads): a mismatch is reported, never parsed. */
  md5?: string;
}

/** What every file of a run is read with (the run's flags): crosses to the workers with each task. */
export interface ReadContext {
  /** IANA zone of wall-clock times in file names (--timezone). */
  timezone: string;
  /** The run's network (--network). */
  network: string;
  /** `auto`, or the one format id tried (--input-format). */
  inputFormat: string;
}

export interface FlattenBatch {
  read: ReadContext;
  files: FlattenInput[];
  spoolDir: string;
  shardBytes: number;
  /** Station attributes only come from rows inside the run's window. */
  window: TimeWindow;
  /** Largest text (after gunzip) parsed whole; a larger or denser file is answered `stream`. */
  maxTextBytes: number;
}

type Loaded = Extract<FileOutcome, { status: 'loaded' }>;

/** What happened to one file, as the main thread needs it (rows stay in the shards, stations in the batch). */
export type FileResult =
  | (Exclude<FileOutcome, { status: 'loaded' }> & { bytesRead: number; scan?: ScanPath })
  | (Omit<Loaded, 'recordsNdjson' | 'locatedNdjson' | 'stations'> & {
      /** Shards holding the file's rows. */
      shards: string[];
      /** Shards holding the file's coordinate-keyed rows (MEL CSV), for the located staging table. */
      locatedShards: string[];
      bytesRead: number;
      /** Unless VELO_V1_SCAN=0: whether the V'lille v1 fast path read the file or fell back to JSON.parse. */
      scan?: ScanPath;
    })
  /** The file could not be read (vanished, no permission): the main thread decides what that means. */
  | { status: 'unreadable'; code: string; message: string; bytesRead: 0 };

/**
 * A task's answer: one result per file, in order, and the latest observation of each station among
 * the task's files. Plain data (it crosses threads by structured clone).
 */
export interface BatchResult {
  files: FileResult[];
  stations: PackedStations;
}

export interface StreamTask {
  name: string;
  read: ReadContext;
  path: string;
  id: number;
  spoolDir: string;
  shardBytes: number;
  window: TimeWindow;
  /** Bytes read so far, shared with the main thread for progress. */
  bytesRead: SharedArrayBuffer;
}
