/**
 * Staged NDJSON shards. Every shard is first written to a local spool folder (worker threads append
 * to their own shards, size-rotated); `publish` then makes them loadable by the warehouse: in place
 * for the embedded DuckDB, uploaded under a run-scoped gs:// prefix for BigQuery.
 */
import { once } from 'node:events';
import { appendFileSync, createWriteStream, mkdirSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Writable } from 'node:stream';
import type { TableKind } from '../warehouses/schemas.js';

export const DEFAULT_SHARD_BYTES = 256 * 1024 * 1024;
const WRITE_BATCH_CHARS = 1024 * 1024;

export interface StagingStore {
  readonly description: string;
  /** Local folder where this process writes shards before they are published. */
  readonly spoolDir: string;
  /** Make finished local shards loadable; returns the URIs a warehouse loads from. */
  publish(localPaths: readonly string[]): Promise<string[]>;
  /** Start publishing one finished shard now, while reading goes on; `publish` later waits for it. */
  prepublish(localPath: string): void;
  /** Keep a report of this task (the dead-letter file) beside the run's staging; returns where it is. */
  keepReport(localPath: string, name: string): Promise<string>;
  /** Delete this process's local spool. */
  removeSpool(): Promise<void>;
  /** Delete the published shards of every task of the run (after the merge). */
  removeRunShards(): Promise<void>;
}

export class LocalStagingStore implements StagingStore {
  readonly description: string;
  readonly spoolDir: string;

  /** The spool folder exists from the start: writers never create it (nor re-create it once an interrupt removed it). */
  constructor(dir: string) {
    this.spoolDir = path.resolve(dir);
    this.description = this.spoolDir;
    mkdirSync(this.spoolDir, { recursive: true });
  }

  async publish(localPaths: readonly string[]): Promise<string[]> {
    return [...localPaths];
  }

  /** DuckDB reads the shards where they are. */
  prepublish(): void {}

  async keepReport(localPath: string): Promise<string> {
    return localPath;
  }

  async removeSpool(): Promise<void> {
    await rm(this.spoolDir, { recursive: true, force: true });
  }

  removeRunShards(): Promise<void> {
    return this.removeSpool();
  }
}

/**
 * Appends whole NDJSON chunks to size-rotated shard files in an existing folder, synchronously: used inside worker threads,
 * where a blocking write costs nothing but that thread's time and keeps no file handle open.
 */
export class SyncShardAppender {
  private index = 0;
  private current: string | null = null;
  private currentBytes = 0;

  constructor(
    private readonly dir: string,
    private readonly baseName: string,
    private readonly maxShardBytes: number,
  ) {}

  /** The shard the next append goes to (rotated once the current one is full). */
  nextShard(): string {
    if (this.current === null || this.currentBytes >= this.maxShardBytes) {
      this.current = path.join(this.dir, `${this.baseName}-${String(++this.index).padStart(5, '0')}.ndjson`);
      this.currentBytes = 0;
    }
    return this.current;
  }

  /** Returns the shard the chunk (text, or its UTF-8 bytes) went to. */
  append(chunk: string | Uint8Array): string {
    const shard = this.nextShard();
    appendFileSync(shard, chunk);
    this.currentBytes += typeof chunk === 'string' ? chunk.length : chunk.byteLength;
    return shard;
  }
}

/** Async, backpressured writer for the main thread's small tables (stations, files) and streamed files. */
export class ShardWriter {
  private current: { stream: Writable; bytes: number } | null = null;
  private readonly paths: string[] = [];
  /** Small writes (a line per file) are gathered: one system call per ~1 MiB, not per line. */
  private pending = '';

  constructor(
    private readonly dir: string,
    private readonly kind: TableKind | string,
    private readonly maxShardBytes = DEFAULT_SHARD_BYTES,
  ) {}

  async write(text: string): Promise<void> {
    this.pending += text;
    if (this.pending.length >= WRITE_BATCH_CHARS) await this.flush();
  }

  private async flush(): Promise<void> {
    const text = this.pending;
    this.pending = '';
    if (text.length === 0) return;
    if (this.current && this.current.bytes >= this.maxShardBytes) await this.closeCurrent();
    if (!this.current) {
      const file = path.join(this.dir, `${this.kind}-${String(this.paths.length + 1).padStart(5, '0')}.ndjson`);
      this.paths.push(file);
      this.current = { stream: createWriteStream(file), bytes: 0 };
    }
    this.current.bytes += text.length;
    if (!this.current.stream.write(text)) await once(this.current.stream, 'drain');
  }

  private async closeCurrent(): Promise<void> {
    const shard = this.current;
    this.current = null;
    if (!shard) return;
    const finished = once(shard.stream, 'finish');
    shard.stream.end();
    await finished;
  }

  /** Flush and close; returns every shard's local path. */
  async close(): Promise<string[]> {
    await this.flush();
    await this.closeCurrent();
    return this.paths;
  }
}

export function totalBytes(paths: readonly string[]): number {
  return paths.reduce((sum, file) => sum + statSync(file).size, 0);
}
