/**
 * Stage 2, extract: read, flatten and validate the planned files (worker threads), staging rows as NDJSON
 * shards in the local spool. Returns the staged package: shards per table, counts, degraded files.
 * Bad files go to the dead-letter report; a read failure that is not about one file stops the stage.
 */
import PQueue from 'p-queue';
import type { BatchResult, ReadContext } from '../workers/messages.js';
import type { DeadLetterWriter } from '../staging/dead-letter.js';
import type { Logger } from '../output/log.js';
import type { ParsePool } from '../workers/parse-pool.js';
import type { Progress } from '../output/progress.js';
import type { TableKind } from '../warehouses/schemas.js';
import type { Source, SourceObject } from '../sources/source.js';
import { totalBytes } from '../staging/shards.js';
import type { TimeWindow } from '../sources/window.js';
import { batchFiles } from './extract/batches.js';
import { ExtractLedger, type ExtractCounts } from './extract/ledger.js';
import type { FormatTally } from './extract/format-tally.js';
import { FileReader, tooLargeToParseWhole } from './extract/reader.js';
import { totalSize } from './plan.js';

export type { ExtractCounts };

export interface ExtractOptions {
  window: TimeWindow;
  /** Timezone, network and input format every file is read with (--timezone, --network, --input-format). */
  read: ReadContext;
  /** Files in flight at once. */
  concurrency: number;
  workers: number;
  shardBytes: number;
  /** Files larger than this are streamed instead of parsed whole. */
  streamThresholdBytes: number;
  spoolDir: string;
}

export interface ExtractDeps {
  source: Source;
  pool: ParsePool;
  deadLetter: DeadLetterWriter;
  logger: Logger;
  progress: Progress;
  /** Called each time the workers have a full queue: a moment to do main-thread work (opening DuckDB). */
  onWorkersBusy?: () => void;
  /** Checked before each batch: a failure elsewhere (the warehouse would not open) stops the reading. */
  failedElsewhere?: () => unknown;
  /** A records shard is complete: staging may publish it now (GCS: upload, and free the local disk). */
  onShardComplete?: (path: string) => void;
}

/** The hand-off to the load stage. */
export interface StagedPackage {
  /** Local NDJSON shards per table. */
  shards: Record<TableKind, string[]>;
  counts: ExtractCounts;
  /** Files and rows per raw format. */
  formats: FormatTally;
  degradedFiles: string[];
  stagedBytes: number;
}

/** A worker task: at most this many files and bytes (fewer messages, bounded memory). */
const MAX_BATCH_FILES = 8;
const MAX_BATCH_BYTES = 8 * 2 ** 20;

/** What one queued batch does: flatten it, settle every file; a file to stream is streamed. */
class BatchProcessor {
  constructor(
    private readonly reader: FileReader,
    private readonly ledger: ExtractLedger,
    private readonly deps: ExtractDeps,
    private readonly streamAbove: number,
  ) {}

  async run(batch: readonly SourceObject[]): Promise<void> {
    const only = batch.length === 1 ? batch[0]! : null;
    if (only && only.size > this.streamAbove) return this.stream(only);
    let result: BatchResult;
    try {
      result = await this.reader.flatten(batch);
    } catch (error) {
      // A file whose parsed form does not fit a worker's heap is read again record by record; the rest of its
      // batch is parsed file by file.
      if (!tooLargeToParseWhole(error)) throw error;
      if (!only) {
        for (const object of batch) await this.run([object]);
        return;
      }
      this.deps.logger.warn({ object: only.name }, 'file too large to parse whole; streaming it');
      return this.stream(only);
    }
    this.ledger.observeStations(result.stations);
    for (const [i, object] of batch.entries()) await this.settle(object, result.files[i]!);
    this.deps.progress.advance(totalSize(batch), batch.length);
  }

  private async settle(object: SourceObject, result: BatchResult['files'][number]): Promise<void> {
    // A download that does not match its checksum is fetched once more before it is set aside.
    if (result.status === 'rejected' && result.code === 'CHECKSUM_MISMATCH' && !this.deps.source.localPath) {
      const again = await this.reader.flatten([object]);
      this.ledger.observeStations(again.stations);
      result = again.files[0]!;
    }
    // The whole-file path declined it (too big once decompressed): streamed, bounded memory.
    if (result.status === 'stream') return this.stream(object, false);
    await this.ledger.settle(object, result);
  }

  private async stream(object: SourceObject, countFile = true): Promise<void> {
    const result = await this.reader.stream(object);
    this.ledger.observeStations(result.stations);
    await this.ledger.settle(object, result.files[0]!);
    if (countFile) this.deps.progress.advance(0);
  }
}

export async function extractFiles(files: readonly SourceObject[], options: ExtractOptions, deps: ExtractDeps): Promise<StagedPackage> {
  const ledger = new ExtractLedger(options.spoolDir, options.shardBytes, deps.deadLetter, deps.logger, deps.onShardComplete);
  const reader = new FileReader(deps.source, deps.pool, deps.progress, options);
  const processor = new BatchProcessor(reader, ledger, deps, options.streamThresholdBytes);

  // Local files are batched (workers read them; fewer messages), with enough batches in flight to keep every
  // worker busy while the main thread settles results. Downloads go one file per task, each as soon as it lands.
  const local = Boolean(deps.source.localPath);
  const filesPerBatch = local ? Math.max(1, Math.min(MAX_BATCH_FILES, Math.floor(options.concurrency / (2 * Math.max(1, options.workers))))) : 1;
  // The last queue's worth of files go one per task: queued tasks wait inside the workers, and with whole batches
  // to the end one worker could be left with several of them while the other has finished.
  const batches = batchFiles(files, { files: filesPerBatch, bytes: MAX_BATCH_BYTES, streamAbove: options.streamThresholdBytes, singleTail: filesPerBatch > 1 ? options.concurrency : 0 });
  const inFlight = Math.max(1, Math.ceil(options.concurrency / filesPerBatch));
  const queue = new PQueue({ concurrency: inFlight });
  let firstError: unknown = null;
  deps.progress.start(files.length, totalSize(files));
  try {
    for (const batch of batches) {
      firstError ??= deps.failedElsewhere?.() ?? null;
      if (firstError) break;
      // Bounded queue: never more than a few files' bytes in memory.
      await queue.onSizeLessThan(inFlight);
      queue.add(() => processor.run(batch)).catch((error: unknown) => {
        firstError ??= error;
      });
      if (queue.size + queue.pending >= inFlight) deps.onWorkersBusy?.();
    }
    await queue.onIdle();
  } finally {
    deps.progress.stop();
  }
  if (firstError) throw firstError;
  // Every file is read: the workers' heaps (~100 MB after a 60,000-station minute) go back to the OS before this
  // thread writes the stations shard, not on top of it (issue 20 item 4; docs/performance.md).
  await deps.pool.close();
  const shards = await ledger.close(options.shardBytes);
  return { shards, counts: ledger.counts, formats: ledger.formats, degradedFiles: ledger.degradedFiles, stagedBytes: totalBytes(Object.values(shards).flat()) };
}
