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
const WRITE_BATCH_BYTES = 1024 * 1024;

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
  /**
   * Small writes (a line per file or station) are gathered as bytes: one system call per ~1 MiB, not per line. Not
   * in a growing string: 60,000 station lines held that way survived young collections in turn and grew the main
   * thread's young generation to 16 MiB semi-spaces when node was started without --max-semi-space-size.
   */
  private pending: Buffer | null = null;
  private pendingBytes = 0;

  constructor(
    private readonly dir: string,
    private readonly kind: TableKind | string,
    private readonly maxShardBytes = DEFAULT_SHARD_BYTES,
  ) {}

  async write(text: string): Promise<void> {
    // At most 3 bytes of UTF-8 per UTF-16 code unit.
    if (text.length * 3 > WRITE_BATCH_BYTES - this.pendingBytes) {
      await this.flush();
      if (text.length * 3 > WRITE_BATCH_BYTES) return this.out(text);
    }
    this.pending ??= Buffer.allocUnsafe(WRITE_BATCH_BYTES);
    this.pendingBytes += this.pending.write(text, this.pendingBytes);
  }

  private async flush(): Promise<void> {
    const pending = this.pending?.subarray(0, this.pendingBytes);
    // The stream holds the buffer until it is written: the next writes gather in a new one.
    this.pending = null;
    this.pendingBytes = 0;
    if (pending && pending.length > 0) await this.out(pending);
  }

  private async out(data: string | Buffer): Promise<void> {
    if (data.length === 0) return;
    if (this.current && this.current.bytes >= this.maxShardBytes) await this.closeCurrent();
    if (!this.current) {
      const file = path.join(this.dir, `${this.kind}-${String(this.paths.length + 1).padStart(5, '0')}.ndjson`);
      this.paths.push(file);
      this.current = { stream: createWriteStream(file), bytes: 0 };
    }
    this.current.bytes += typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    if (!this.current.stream.write(data)) await once(this.current.stream, 'drain');
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
