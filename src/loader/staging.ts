/**
 * Staged NDJSON shards, size-rotated, under a run-scoped folder (local) or prefix (GCS).
 * Writes wait for 'drain', so a slow disk or upload slows the readers (backpressure).
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Writable } from 'node:stream';
import type { TableKind } from './schemas.js';

export interface StagingStore {
  readonly description: string;
  /** A writable for one shard, and the URI a warehouse loads it from. */
  createShard(fileName: string): Promise<{ stream: Writable; uri: string }>;
  /** Delete one shard (a streamed file that turned out bad). */
  removeShard(uri: string): Promise<void>;
  /** Delete everything this run staged. */
  removeAll(): Promise<void>;
}

export class LocalStagingStore implements StagingStore {
  readonly description: string;

  constructor(private readonly dir: string) {
    this.description = path.resolve(dir);
  }

  async createShard(fileName: string): Promise<{ stream: Writable; uri: string }> {
    await mkdir(this.dir, { recursive: true });
    const uri = path.resolve(this.dir, fileName);
    return { stream: createWriteStream(uri), uri };
  }

  async removeShard(uri: string): Promise<void> {
    await rm(uri, { force: true });
  }

  async removeAll(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

export const DEFAULT_SHARD_BYTES = 256 * 1024 * 1024;

export class ShardWriter {
  private current: { stream: Writable; uri: string; bytes: number } | null = null;
  private readonly uris: string[] = [];
  private totalBytes = 0;
  private opening: Promise<void> | null = null;

  constructor(
    private readonly store: StagingStore,
    private readonly kind: TableKind,
    private readonly maxShardBytes = DEFAULT_SHARD_BYTES,
  ) {}

  get bytes(): number {
    return this.totalBytes;
  }

  get shardUris(): readonly string[] {
    return this.uris;
  }

  /** Append whole NDJSON lines. Resolves when the data is accepted (after 'drain' if needed). */
  async write(text: string): Promise<void> {
    if (text.length === 0) return;
    if (this.current && this.current.bytes >= this.maxShardBytes) await this.closeCurrent();
    if (!this.current) {
      // Concurrent writers share one opening shard.
      this.opening ??= this.openNext();
      await this.opening;
    }
    const shard = this.current!;
    const bytes = Buffer.byteLength(text);
    shard.bytes += bytes;
    this.totalBytes += bytes;
    if (!shard.stream.write(text)) await once(shard.stream, 'drain');
  }

  private async openNext(): Promise<void> {
    const name = `${this.kind}-${String(this.uris.length + 1).padStart(5, '0')}.ndjson`;
    const { stream, uri } = await this.store.createShard(name);
    this.uris.push(uri);
    this.current = { stream, uri, bytes: 0 };
    this.opening = null;
  }

  private async closeCurrent(): Promise<void> {
    const shard = this.current;
    this.current = null;
    if (!shard) return;
    const finished = once(shard.stream, 'finish');
    shard.stream.end();
    await finished;
  }

  /** Flush and close; returns every shard's URI. */
  async close(): Promise<readonly string[]> {
    await this.closeCurrent();
    return this.uris;
  }
}
