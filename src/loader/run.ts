/**
 * The backfill pipeline: list → skip loaded → read + flatten (worker pool) → stage NDJSON →
 * load staging tables → clean, dedupe, merge (SQL) → summary. I/O only; transforms live in src/transform.
 */
import PQueue from 'p-queue';
import { errorMessage } from '../errors.js';
import type { FileOutcome } from '../transform/flatten-file.js';
import type { StationRow } from '../transform/types.js';
import { stationLine } from '../transform/ndjson.js';
import { epochMillis } from '../transform/timestamps.js';
import type { DeadLetterWriter } from './dead-letter.js';
import type { Logger } from './log.js';
import { createParsePool, type ParsePool } from './parse-pool.js';
import { nameFilter, windowParams, type TimeWindow } from './plan.js';
import type { Progress } from './progress.js';
import type { Source, SourceObject } from './source.js';
import { ShardWriter, type StagingStore } from './staging.js';
import { streamFlattenFile } from './stream-file.js';
import type { TableKind } from './schemas.js';
import type { Warehouse } from './warehouse.js';

export interface RunOptions {
  runId: string;
  window: TimeWindow;
  timezone: string;
  force: boolean;
  /** Files read at once (I/O). */
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
  warehouse: Warehouse;
  staging: StagingStore;
  deadLetter: DeadLetterWriter;
  logger: Logger;
  progress: Progress;
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
  mbPerSecond: number;
  rowsPerSecond: number;
}

interface LatestStation {
  row: StationRow;
  observedMs: number;
  observedAt: string;
  sourceFile: string;
}

/** Keeps the latest attributes per station across the run (stations barely change minute to minute). */
class StationTracker {
  private readonly latest = new Map<number, LatestStation>();
  private lastJson = '';
  private lastRows: StationRow[] = [];

  observe(stationsJson: string, observedAt: string, sourceFile: string): void {
    if (stationsJson !== this.lastJson) {
      this.lastJson = stationsJson;
      this.lastRows = JSON.parse(stationsJson) as StationRow[];
    }
    const observedMs = epochMillis(observedAt);
    for (const row of this.lastRows) {
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

function fileLine(object: SourceObject, outcome: FileOutcome): string {
  const loaded = outcome.status === 'loaded' ? outcome : null;
  return `${JSON.stringify({
    file_name: object.name,
    size: object.size,
    generation: object.generation,
    status: outcome.status,
    format: outcome.status === 'rejected' ? null : outcome.format,
    rows: loaded?.rows ?? 0,
    rejected_rows: loaded?.rejectedRows ?? 0,
    min_record_timestamp: loaded ? new Date(loaded.minTimestampMs).toISOString() : null,
    max_record_timestamp: loaded ? new Date(loaded.maxTimestampMs).toISOString() : null,
  })}\n`;
}

export async function runBackfill(options: RunOptions, deps: RunDeps): Promise<RunSummary> {
  const { source, warehouse, staging, deadLetter, progress } = deps;
  const logger = deps.logger.child({ runId: options.runId });
  const startedAt = performance.now();

  await warehouse.ensureTables();

  // 1. List and plan.
  const listed = await source.list({});
  const accept = nameFilter(options.window, options.timezone);
  const inWindow = accept ? listed.filter((object) => accept(object.name)) : listed;
  const manifest = options.force ? new Map() : await warehouse.loadedFiles();
  const todo = inWindow.filter((object) => {
    const entry = manifest.get(object.name);
    return !entry || entry.size !== object.size || entry.generation !== object.generation;
  });
  logger.info({ listed: listed.length, outOfRange: listed.length - inWindow.length, skipped: inWindow.length - todo.length, todo: todo.length }, 'planned');

  // 2. Read, flatten, stage.
  const writers: Record<TableKind, ShardWriter> = {
    records: new ShardWriter(staging, 'records', options.shardBytes),
    stations: new ShardWriter(staging, 'stations', options.shardBytes),
    files: new ShardWriter(staging, 'files', options.shardBytes),
  };
  const streamedShards: string[] = [];
  let streamedCount = 0;
  const stations = new StationTracker();
  const counts = { loaded: 0, degraded: 0, rejected: 0, stagedRows: 0, rejectedRows: 0, degradedRecords: 0, bytesRead: 0 };
  const degradedFiles: string[] = [];
  const pool: ParsePool = createParsePool(options.workers);

  const handle = async (object: SourceObject, outcome: FileOutcome): Promise<void> => {
    if (outcome.status === 'rejected') {
      counts.rejected++;
      deadLetter.write({ file: object.name, code: outcome.code, reason: outcome.reason });
      for (const reject of outcome.rejects) deadLetter.write({ file: object.name, code: 'ROW_INVALID', reason: reject.reason, record_index: reject.index });
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
      for (const reject of outcome.rejects) deadLetter.write({ file: object.name, code: 'ROW_INVALID', reason: reject.reason, record_index: reject.index });
      if (outcome.rejectedRows > outcome.rejects.length) {
        deadLetter.write({ file: object.name, code: 'ROW_INVALID', reason: `${outcome.rejectedRows - outcome.rejects.length} more invalid record(s) not listed` });
      }
      stations.observe(outcome.stationsJson, outcome.observedAt, object.name);
      await writers.records.write(outcome.recordsNdjson);
    }
    await writers.files.write(fileLine(object, outcome));
  };

  const processOne = async (object: SourceObject): Promise<void> => {
    let outcome: FileOutcome;
    if (object.size > options.streamThresholdBytes) {
      const shard = await staging.createShard(`records-stream-${String(++streamedCount).padStart(5, '0')}.ndjson`);
      outcome = await streamFlattenFile(source.open(object), object.name, /\.gz$/i.test(object.name), shard.stream);
      await new Promise<void>((resolve, reject) => shard.stream.end((error?: Error | null) => (error ? reject(error) : resolve())));
      counts.bytesRead += object.size;
      if (outcome.status === 'loaded') streamedShards.push(shard.uri);
      else await staging.removeShard(shard.uri);
    } else {
      const bytes = await source.read(object);
      counts.bytesRead += bytes.length;
      outcome = await pool.flatten({ bytes, name: object.name });
    }
    await handle(object, outcome);
    progress.advance(object.size);
  };

  const queue = new PQueue({ concurrency: options.concurrency });
  let firstError: unknown = null;
  progress.start(todo.length, todo.reduce((sum, object) => sum + object.size, 0));
  try {
    for (const object of todo) {
      if (firstError) break;
      // Bounded queue: never hold more than a few files' bytes in memory.
      await queue.onSizeLessThan(options.concurrency);
      queue
        .add(() => processOne(object))
        .catch((error: unknown) => {
          firstError ??= error;
        });
    }
    await queue.onIdle();
  } finally {
    progress.stop();
    await pool.close();
  }
  if (firstError) throw firstError;
  await writers.stations.write(stations.ndjson());

  const uris: Record<TableKind, readonly string[]> = {
    records: [...(await writers.records.close()), ...streamedShards],
    stations: await writers.stations.close(),
    files: await writers.files.close(),
  };

  // 3. Load and merge.
  const params = windowParams(options.window);
  const loadJobs: Record<TableKind, number> = { records: 0, stations: 0, files: 0 };
  let stats: Record<string, unknown> = { in_range_rows: 0, unique_rows: 0, new_rows: 0 };
  if (todo.length > 0) {
    await warehouse.runSql('create_staging');
    try {
      for (const kind of ['records', 'stations', 'files'] as const) {
        const report = await warehouse.loadStaging(kind, uris[kind]);
        loadJobs[kind] = report.jobs;
        logger.info({ table: kind, shards: uris[kind].length, jobs: report.jobs, jobIds: report.jobIds }, 'staging loaded');
      }
      await warehouse.runSql('clean', params);
      await warehouse.runSql('dedupe');
      stats = (await warehouse.runSql('stats'))[0] ?? stats;
      await warehouse.runSql('merge', { ...params, run_id: options.runId });
      logger.info({ merged: stats.new_rows }, 'merged');
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
    bytes: { read: counts.bytesRead, staged: writers.records.bytes + writers.stations.bytes + writers.files.bytes },
    shards: { records: uris.records.length, stations: uris.stations.length, files: uris.files.length },
    loadJobs,
    deadLetter: deadLetter.entries > 0 ? { path: deadLetter.path, entries: deadLetter.entries, files: deadLetter.fileCount } : null,
    degradedFiles,
    wallSeconds,
    mbPerSecond: counts.bytesRead / 1e6 / Math.max(wallSeconds, 1e-6),
    rowsPerSecond: counts.stagedRows / Math.max(wallSeconds, 1e-6),
  };
}
