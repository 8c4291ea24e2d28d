/** Where raw files come from: a local folder or a GCS prefix. */
import type { Readable } from 'node:stream';

export interface SourceObject {
  /** Path relative to the source root (object name minus prefix): the file's identity everywhere. */
  name: string;
  size: number;
  /** GCS generation, or the local file's mtime in ms: a changed file is loaded again. */
  generation: string;
  /** Base64 MD5 of the stored bytes, when the store keeps one (GCS): checked by the worker that parses them. */
  md5?: string;
}

/** Names from `start` (included) to `end` (excluded), relative to the source root; an absent end is unbounded. */
export interface KeyRange {
  start?: string;
  end?: string;
}

export interface ListOptions {
  signal?: AbortSignal;
  /** Only these names (a fan-out task lists its own slice); default: every name. */
  range?: KeyRange;
}

export interface Source {
  readonly description: string;
  /** Files the last list() passed over as not raw snapshots, by extension (`.csv` → 2): the summary says so. */
  readonly ignored?: ReadonlyMap<string, number>;
  /** Every raw file (in `options.range`), sorted by name (the run applies the time window to the names). */
  list(options: ListOptions): Promise<SourceObject[]>;
  /** Whole file as bytes (small files: the fast path). */
  read(object: SourceObject, signal?: AbortSignal): Promise<Buffer>;
  /** File as a byte stream (huge files: the bounded-memory path). */
  open(object: SourceObject): Readable;
  /** A path worker threads can read directly, when the file is on this machine. */
  localPath?(object: SourceObject): string;
}

/** Raw file names we read: JSON, NDJSON, GeoJSON, CSV, optionally gzipped (the format is found from the content). */
export function isRawFileName(name: string): boolean {
  return /\.(json|ndjson|jsonl|geojson|csv)(\.gz)?$/i.test(name);
}

export function inKeyRange(name: string, range: KeyRange | undefined): boolean {
  return !range || ((range.start === undefined || name >= range.start) && (range.end === undefined || name < range.end));
}
