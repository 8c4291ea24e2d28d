/**
 * The backfill pipeline: list → skip loaded → read + flatten (worker pool, rows appended to per-thread
 * shards) → publish shards → load staging tables → clean, dedupe, merge (SQL) → summary.
 * I/O and orchestration only; the transforms live in src/transform.
 */
import PQueue from 'p-queue';
import { errorMessage } from '../errors.js';
import type { FileOutcome } from '../transform/flatten-file.js';
import { stationLine } from '../transform/ndjson.js';
import { epochMillis } from '../transform/timestamps.js';
import type { StationRow } from '../transform/types.js';
import type { DeadLetterWriter } from './dead-letter.js';
import type { FlattenInput, FlattenResult } from './flatten-worker.js';
import type { Logger } from './log.js';
import { createParsePool, type ParsePool } from './parse-pool.js';
import { batchFiles, nameFilter, windowParams, type TimeWindow } from './plan.js';
import type { Progress } from './progress.js';
import type { TableKind } from './schemas.js';
import type { Source, SourceObject } from './source.js';
import { ShardWriter, totalBytes, type StagingStore } from './staging.js';
import { streamFileToShards, type StreamedFile } from './stream-file.js';
import type { Warehouse } from './warehouse.js';

export interface RunOptions {
  runId: string;
  window: TimeWindow;
  timezone: string;
  force: boolean;
  /** Files in flight at once (I/O). */
  concurrency: number;
  /** Worker threads for parse + flatten (0 = main thread). */
  workers: number;
  shardBytes: number;
  /** Files larger than this are streamed (stream-json) instead of parsed whole. */
  streamThresholdBytes: number;
  keepStaging: boolean;
}

export interface RunDeps {
  source: Source;
  /** Opens the warehouse (called once): the run lists the source (and for a new warehouse, reads it) meanwhile. */
  openWarehouse: () => Promise<Warehouse>;
  /**
   * The warehouse is created by this run (a new DuckDB file): its manifest is empty for sure, so files are
   * read while it opens and prepares its tables instead of after, and it is opened once the first files are
   * queued: loading DuckDB blocks this thread for ~0.25 s, which the workers then spend on queued files.
   */
  newWarehouse?: boolean;
  staging: StagingStore;
  deadLetter: DeadLetterWriter;
  logger: Logger;
  progress: Progress;
  /** A pool started early (its threads boot while the warehouse opens); the run closes it. Default: created here. */
  pool?: ParsePool;
}

export interface RunSummary {
  runId: string;
  source: string;
  warehouse: string;
  files: { listed: number; outOfRange: number; skipped: number; processed: number; loaded: number; degraded: number; rejected: number };
  rows: { staged: number; rejected: number; outOfRange: number; duplicate: number; merged: number; degradedRecords: number };
  bytes: { read: number; staged: number };
  shards: Record<TableKind, number>;
  loadJobs: Record<TableKind, number>;
  deadLetter: { path: string; entries: number; files: number } | null;
  degradedFiles: string[];
  wallSeconds: number;
  /** CPU time of this process since it started (user + system, every thread: workers and DuckDB included). */
  cpuSeconds: number;
  /** Peak resident memory of this process (worker threads included). */
  peakRssMb: number;
  mbPerSecond: number;
  rowsPerSecond: number;
}

interface LatestStation {
  row: StationRow;
  observedMs: number;
  observedAt: string;
  sourceFile: string;
}

/**
 * Latest attributes per station across the run. Workers send a file's stations only when they differ
 * from that thread's previous file (they rarely change), so this mostly re-reads cached rows.
 */
class StationTracker {
  private readonly latest = new Map<number, LatestStation>();
  private readonly lastByThread = new Map<number, StationRow[]>();

  observe(thread: number, stationsJson: string | null, observedAt: string, sourceFile: string): void {
    if (stationsJson !== null) this.lastByThread.set(thread, JSON.parse(stationsJson) as StationRow[]);
    const rows = this.lastByThread.get(thread) ?? [];
    const observedMs = epochMillis(observedAt);
    for (const row of rows) {
      const known = this.latest.get(row.id);
      if (!known || observedMs > known.observedMs || (observedMs === known.observedMs && sourceFile > known.sourceFile)) {
        this.latest.set(row.id, { row, observedMs, observedAt, sourceFile });
      }
    }
  }

  ndjson(): string {
    let text = '';
    for (const station of this.latest.values()) text += stationLine(station.row, station.observedAt, station.sourceFile);
    return text;
  }
}

/** A worker task: at most this many files and bytes (fewer messages, bounded memory). */
const MAX_BATCH_FILES = 8;
const MAX_BATCH_BYTES = 8 * 2 ** 20;
const PROGRESS_POLL_MS = 500;

const UNREADABLE_CODES = new Set(['ENOENT', 'EACCES', 'EPERM', 'EISDIR', 'GCS_NOT_FOUND', 'GCS_DENIED']);

function tooLargeToParseWhole(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return code === 'ERR_WORKER_OUT_OF_MEMORY' || code === 'ERR_STRING_TOO_LONG' || /out of memory|string longer than/i.test(errorMessage(error));
}

function isUnreadable(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && UNREADABLE_CODES.has(code);
}

/** A worker result for a file that was read. */
type FlattenOutcome = Exclude<FlattenResult, { status: 'unreadable' }>;

interface ReadFailure {
  code?: unknown;
  message: string;
}

function readFailure(error: unknown): ReadFailure {
  return { code: (error as { code?: unknown })?.code, message: errorMessage(error) };
}

interface Counts {
  loaded: number;
  degraded: number;
  rejected: number;
  stagedRows: number;
  rejectedRows: number;
  degradedRecords: number;
  bytesRead: number;
}

/** Interim (until the staged pipeline routes it): a file the whole-file path hands on is streamed, never settled as is. */
type Settled = Exclude<FileOutcome | FlattenOutcome, { status: 'stream' }>;

function fileLine(object: SourceObject, outcome: Settled): string {
  const loaded = outcome.status === 'loaded' ? outcome : null;
  return `${JSON.stringify({
    file_name: object.name,
    size: object.size,
    generation: object.generation,
    status: outcome.status,
    format: outcome.status === 'rejected' ? null : outcome.format,
    row_count: loaded?.rows ?? 0,
    rejected_rows: loaded?.rejectedRows ?? 0,
    min_record_timestamp: loaded ? new Date(loaded.minTimestampMs).toISOString() : null,
    max_record_timestamp: loaded ? new Date(loaded.maxTimestampMs).toISOString() : null,
  })}\n`;
}

function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return Number(((user + system) / 1e6).toFixed(2));
}

export async function runBackfill(options: RunOptions, deps: RunDeps): Promise<RunSummary> {
  const { source, staging, deadLetter, progress } = deps;
  const logger = deps.logger.child({ runId: options.runId });
  const startedAt = performance.now();
  const seconds = (): number => Number(((performance.now() - startedAt) / 1000).toFixed(2));

  // 1. List and plan; an existing warehouse opens and prepares its tables meanwhile.
  let firstError: unknown = null;
  let warehouseReady: Promise<Warehouse> | null = null;
  const openWarehouse = (): Promise<Warehouse> => {
    if (!warehouseReady) {
      warehouseReady = deps.openWarehouse().then(async (warehouse) => {
        await warehouse.ensureTables();
        return warehouse;
      });
      // Awaited where it is needed; a failure meanwhile stops the reading (below) instead of going unhandled.
      warehouseReady.catch((error: unknown) => {
        firstError ??= error;
      });
    }
    return warehouseReady;
  };
  if (!deps.newWarehouse) void openWarehouse();
  const listed = await source.list({});
  const accept = nameFilter(options.window, options.timezone);
  const inWindow = accept ? listed.filter((object) => accept(object.name)) : listed;
  const manifest = options.force || deps.newWarehouse ? new Map() : await (await openWarehouse()).loadedFiles();
  const todo = inWindow.filter((object) => {
    const entry = manifest.get(object.name);
    return !entry || entry.size !== object.size || entry.generation !== object.generation;
  });
  logger.info({ listed: listed.length, outOfRange: listed.length - inWindow.length, skipped: inWindow.length - todo.length, todo: todo.length }, 'planned');

  // 2. Read, flatten, stage.
  const spool = staging.spoolDir;
  const stationsWriter = new ShardWriter(spool, 'stations', options.shardBytes);
  const filesWriter = new ShardWriter(spool, 'files', options.shardBytes);
  const recordShards = new Set<string>();
  let streamedCount = 0;
  const stations = new StationTracker();
  const counts: Counts = { loaded: 0, degraded: 0, rejected: 0, stagedRows: 0, rejectedRows: 0, degradedRecords: 0, bytesRead: 0 };
  const degradedFiles: string[] = [];
  const pool = deps.pool ?? createParsePool(options.workers);

  const rejectRows = (object: SourceObject, rejects: readonly { index: number; reason: string }[]): void => {
    for (const reject of rejects) deadLetter.write({ file: object.name, code: 'ROW_INVALID', reason: reject.reason, record_index: reject.index });
  };

  const handle = async (object: SourceObject, outcome: Settled, thread: number, stationsJson: string | null): Promise<void> => {
    if (outcome.status === 'rejected') {
      counts.rejected++;
      deadLetter.write({ file: object.name, code: outcome.code, reason: outcome.reason });
      rejectRows(object, outcome.rejects);
      logger.warn({ object: object.name, code: outcome.code, reason: outcome.reason }, 'file rejected');
      return;
    }
    if (outcome.status === 'degraded') {
      counts.degraded++;
      counts.degradedRecords += outcome.degradedRecords;
      degradedFiles.push(object.name);
      logger.info({ object: object.name }, 'degraded API minute skipped');
    } else {
      counts.loaded++;
      counts.stagedRows += outcome.rows;
      counts.rejectedRows += outcome.rejectedRows;
      counts.degradedRecords += outcome.degradedRecords;
      rejectRows(object, outcome.rejects);
      if (outcome.rejectedRows > outcome.rejects.length) {
        deadLetter.write({ file: object.name, code: 'ROW_INVALID', reason: `${outcome.rejectedRows - outcome.rejects.length} more invalid record(s) not listed` });
      }
      stations.observe(thread, stationsJson, outcome.observedAt, object.name);
    }
    await filesWriter.write(fileLine(object, outcome));
  };

  /**
   * Huge files: streamed record by record into shards of their own (dropped if the file is bad); a local file in a
   * worker, a download on this thread (its stream lives here).
   */
  const streamOne = async (object: SourceObject): Promise<void> => {
    const id = ++streamedCount;
    const file = { name: object.name, id, spoolDir: spool, shardBytes: options.shardBytes };
    const local = source.localPath?.(object);
    let streamed: StreamedFile;
    if (local) {
      // Streamed in a worker; its byte count is shared memory, read twice a second for progress.
      const bytesRead = new SharedArrayBuffer(8);
      const counter = new BigInt64Array(bytesRead);
      let reported = 0;
      const report = (): void => {
        const now = Number(Atomics.load(counter, 0));
        progress.advance(now - reported, 0);
        reported = now;
      };
      const timer = setInterval(report, PROGRESS_POLL_MS);
      try {
        streamed = await pool.stream({ ...file, path: local, bytesRead });
      } finally {
        clearInterval(timer);
        report();
      }
    } else {
      streamed = await streamFileToShards(source.open(object), file, (bytes) => progress.advance(bytes, 0));
    }
    counts.bytesRead += object.size;
    streamed.shards.forEach((shard) => recordShards.add(shard));
    const { outcome } = streamed;
    await handle(object, outcome, -id, outcome.status === 'loaded' ? JSON.stringify([...outcome.stations.values()]) : null);
  };

  /** Sets a file aside when it cannot be read (vanished, no permission); any other read failure stops the run. */
  const unreadable = (object: SourceObject, error: ReadFailure): void => {
    if (!isUnreadable(error)) throw Object.assign(new Error(error.message), { code: error.code });
    counts.rejected++;
    deadLetter.write({ file: object.name, code: 'READ_FAILED', reason: `cannot read the file: ${error.message}` });
    logger.warn({ object: object.name, err: error.message }, 'file unreadable');
  };

  /** Worker inputs for a batch, in order: local paths (read in the worker), downloaded bytes, or why a download failed. */
  const inputsFor = async (batch: readonly SourceObject[]): Promise<(FlattenInput | ReadFailure)[]> =>
    Promise.all(
      batch.map(async (object) => {
        const local = source.localPath?.(object);
        if (local) return { name: object.name, path: local };
        try {
          return { name: object.name, md5: object.md5, bytes: await source.read(object) };
        } catch (error) {
          if (!isUnreadable(error)) throw error;
          return readFailure(error);
        }
      }),
    );

  const settle = async (object: SourceObject, result: FlattenResult): Promise<void> => {
    if (result.status === 'unreadable') return unreadable(object, result);
    if (result.status === 'stream') {
      logger.info({ object: object.name, reason: result.reason }, 'streaming the file instead');
      return streamOne(object).catch((error: unknown) => (isUnreadable(error) ? unreadable(object, readFailure(error)) : Promise.reject(error)));
    }
    counts.bytesRead += result.bytesRead;
    if (result.status === 'loaded') {
      recordShards.add(result.shard);
      await handle(object, result, result.thread, result.stationsJson);
    } else {
      await handle(object, result, 0, null);
    }
  };

  const flattenFiles = async (files: FlattenInput[]): Promise<FlattenResult[]> =>
    files.length > 0 ? pool.flatten({ files, spoolDir: spool, shardBytes: options.shardBytes }) : [];

  const readAndStage = async (batch: readonly SourceObject[]): Promise<void> => {
    const inputs = await inputsFor(batch);
    const results = await flattenFiles(inputs.filter((input): input is FlattenInput => 'name' in input));
    let next = 0;
    for (const [i, object] of batch.entries()) {
      let input = inputs[i]!;
      if (!('name' in input)) {
        unreadable(object, input);
        continue;
      }
      let result = results[next++]!;
      // A download that does not match its checksum is fetched once more before it is set aside.
      if (result.status === 'rejected' && result.code === 'CHECKSUM_MISMATCH' && input.bytes) {
        input = (await inputsFor([object]))[0]!;
        if (!('name' in input)) {
          unreadable(object, input);
          continue;
        }
        result = (await flattenFiles([input]))[0]!;
      }
      await settle(object, result);
    }
  };

  const processBatch = async (batch: readonly SourceObject[]): Promise<void> => {
    const only = batch.length === 1 ? batch[0]! : null;
    if (only && only.size > options.streamThresholdBytes) {
      // Streamed files report their bytes as they are read.
      await streamOne(only).catch((error: unknown) => (isUnreadable(error) ? unreadable(only, readFailure(error)) : Promise.reject(error)));
      progress.advance(0);
      return;
    }
    try {
      await readAndStage(batch);
      progress.advance(batch.reduce((sum, object) => sum + object.size, 0), batch.length);
    } catch (error) {
      // A file whose parsed form does not fit a worker's heap (or a V8 string) is read again, record by record;
      // the rest of its batch is parsed file by file.
      if (!tooLargeToParseWhole(error)) throw error;
      if (!only) {
        for (const object of batch) await processBatch([object]);
        return;
      }
      logger.warn({ object: only.name }, 'file too large to parse whole; streaming it');
      await streamOne(only);
      progress.advance(0);
    }
  };

  // Local files are batched (workers read them; fewer messages), with enough batches in flight to keep every
  // worker busy while the main thread settles results. Downloads go one file per task, each as soon as it lands.
  const filesPerBatch = source.localPath ? Math.max(1, Math.min(MAX_BATCH_FILES, Math.floor(options.concurrency / (2 * Math.max(1, options.workers))))) : 1;
  // The last queue's worth of files go one per task: queued tasks wait inside the workers, and with whole batches
  // to the end one worker could be left with several of them while the other has finished.
  const batches = batchFiles(todo, { files: filesPerBatch, bytes: MAX_BATCH_BYTES, streamAbove: options.streamThresholdBytes, singleTail: filesPerBatch > 1 ? options.concurrency : 0 });
  const inFlight = Math.max(1, Math.ceil(options.concurrency / filesPerBatch));
  const queue = new PQueue({ concurrency: inFlight });
  progress.start(todo.length, todo.reduce((sum, object) => sum + object.size, 0));
  try {
    for (const batch of batches) {
      if (firstError) break;
      // Bounded queue: never more than a few files' bytes in memory.
      await queue.onSizeLessThan(inFlight);
      queue.add(() => processBatch(batch)).catch((error: unknown) => {
        firstError ??= error;
      });
      // A new warehouse opens once the workers have a queue of files to work through.
      if (queue.size + queue.pending >= inFlight) void openWarehouse();
    }
    void openWarehouse();
    await queue.onIdle();
  } finally {
    progress.stop();
    await pool.close();
  }
  if (firstError) throw firstError;
  const warehouse = await openWarehouse();
  await stationsWriter.write(stations.ndjson());
  const local: Record<TableKind, string[]> = {
    records: [...recordShards].sort(),
    stations: await stationsWriter.close(),
    files: await filesWriter.close(),
  };
  const stagedBytes = totalBytes([...local.records, ...local.stations, ...local.files]);
  logger.info({ files: todo.length, rows: counts.stagedRows, rssMb: Math.round(process.memoryUsage.rss() / 1e6), stagedMb: Math.round(stagedBytes / 1e6), peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024), seconds: seconds() }, 'read and staged');

  // 3. Publish, load and merge.
  const params = windowParams(options.window);
  const loadJobs: Record<TableKind, number> = { records: 0, stations: 0, files: 0 };
  let stats: Record<string, unknown> = { in_range_rows: 0, new_rows: 0 };
  if (todo.length > 0) {
    await warehouse.runSql('create_staging');
    try {
      for (const kind of ['records', 'stations', 'files'] as const) {
        const uris = await staging.publish(local[kind]);
        const report = await warehouse.loadStaging(kind, uris);
        loadJobs[kind] = report.jobs;
        logger.info({ table: kind, shards: uris.length, jobs: report.jobs, jobIds: report.jobIds, rssMb: Math.round(process.memoryUsage.rss() / 1e6), seconds: seconds() }, 'staging loaded');
      }
      await warehouse.runSql('clean', params);
      await warehouse.runSql('dedupe', { ...params, run_id: options.runId });
      await warehouse.runSql('merge', { ...params, run_id: options.runId });
      stats = (await warehouse.runSql('stats', { run_id: options.runId }))[0] ?? stats;
      logger.info({ merged: stats.new_rows, seconds: seconds() }, 'merged');
    } finally {
      await warehouse.runSql('drop_staging').catch((error: unknown) => logger.warn({ err: errorMessage(error) }, 'could not drop staging tables'));
    }
  }
  if (!options.keepStaging) await staging.removeAll();
  await deadLetter.close();

  const wallSeconds = (performance.now() - startedAt) / 1000;
  const inRange = Number(stats.in_range_rows);
  const merged = Number(stats.new_rows);
  return {
    runId: options.runId,
    source: source.description,
    warehouse: warehouse.description,
    files: {
      listed: listed.length,
      outOfRange: listed.length - inWindow.length,
      skipped: inWindow.length - todo.length,
      processed: todo.length,
      loaded: counts.loaded,
      degraded: counts.degraded,
      rejected: counts.rejected,
    },
    rows: {
      staged: counts.stagedRows,
      rejected: counts.rejectedRows,
      outOfRange: counts.stagedRows - inRange,
      duplicate: inRange - merged,
      merged,
      degradedRecords: counts.degradedRecords,
    },
    bytes: { read: counts.bytesRead, staged: stagedBytes },
    shards: { records: local.records.length, stations: local.stations.length, files: local.files.length },
    loadJobs,
    deadLetter: deadLetter.entries > 0 ? { path: deadLetter.path, entries: deadLetter.entries, files: deadLetter.fileCount } : null,
    degradedFiles,
    wallSeconds,
    cpuSeconds: cpuSeconds(),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    mbPerSecond: counts.bytesRead / 1e6 / Math.max(wallSeconds, 1e-6),
    rowsPerSecond: counts.stagedRows / Math.max(wallSeconds, 1e-6),
  };
}
