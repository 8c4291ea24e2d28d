/**
 * What the extract stage learned, file by file: counts, the dead-letter entries, the manifest lines
 * (staged `files` table), the record shards, and each station's latest observation. The one place that
 * decides what a file's result means for the run.
 */
import type { DeadLetterWriter } from '../../staging/dead-letter.js';
import type { FileResult } from '../../workers/messages.js';
import type { Logger } from '../../output/log.js';
import type { SourceObject } from '../../sources/source.js';
import type { TableKind } from '../../warehouses/schemas.js';
import { StationLedger, type PackedStations } from '../../workers/station-batch.js';
import { ShardWriter } from '../../staging/shards.js';
import { tallyFormat, type FormatTally } from './format-tally.js';

export interface ExtractCounts {
  loaded: number;
  degraded: number;
  rejected: number;
  stagedRows: number;
  rejectedRows: number;
  degradedRecords: number;
  bytesRead: number;
  /** Files the V'lille v1 fast path read, and files it handed to JSON.parse (both 0 with VELO_V1_SCAN=0). */
  fastPathFiles: number;
  fastPathFallbacks: number;
}

/** A file that could not be read at all (vanished, no permission). */
export interface ReadFailure {
  code?: unknown;
  message: string;
}

/** The read failures that set a file aside; any other read failure stops the run. */
const UNREADABLE_CODES = new Set(['ENOENT', 'EACCES', 'EPERM', 'EISDIR', 'GCS_NOT_FOUND', 'GCS_DENIED']);

export function isUnreadable(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && UNREADABLE_CODES.has(code);
}

type Settled = Exclude<FileResult, { status: 'unreadable' | 'stream' }>;

function manifestLine(object: SourceObject, result: Settled): string {
  const loaded = result.status === 'loaded' ? result : null;
  return `${JSON.stringify({
    file_name: object.name,
    size: object.size,
    generation: object.generation,
    status: result.status,
    format: result.status === 'rejected' ? null : result.format,
    row_count: loaded?.rows ?? 0,
    rejected_rows: loaded?.rejectedRows ?? 0,
    min_record_timestamp: loaded ? new Date(loaded.minTimestampMs).toISOString() : null,
    max_record_timestamp: loaded ? new Date(loaded.maxTimestampMs).toISOString() : null,
  })}\n`;
}

export class ExtractLedger {
  readonly counts: ExtractCounts = { loaded: 0, degraded: 0, rejected: 0, stagedRows: 0, rejectedRows: 0, degradedRecords: 0, bytesRead: 0, fastPathFiles: 0, fastPathFallbacks: 0 };
  readonly degradedFiles: string[] = [];
  /** Files and rows per raw format (loaded and degraded files; a rejected file has no format). */
  readonly formats: FormatTally = {};
  private readonly recordShards = new Set<string>();
  private readonly locatedShards = new Set<string>();
  /** Each writer's (worker thread's) newest shard: once it writes a later one, the earlier ones are complete. */
  private readonly newestShard = new Map<string, string>();
  private readonly stations = new StationLedger();
  private readonly filesWriter: ShardWriter;

  constructor(
    private readonly spoolDir: string,
    shardBytes: number,
    private readonly deadLetter: DeadLetterWriter,
    private readonly logger: Logger,
    /** Told of each records shard no writer will append to again (staging uploads it while reading goes on). */
    private readonly onShardComplete: (path: string) => void = () => undefined,
  ) {
    this.filesWriter = new ShardWriter(spoolDir, 'files', shardBytes);
  }

  /** Station observations of a batch: the latest per station wins, whatever order batches finish in. */
  observeStations(observations: PackedStations): void {
    this.stations.add(observations);
  }

  async settle(object: SourceObject, result: FileResult): Promise<void> {
    if (result.status === 'unreadable') return this.unreadable(object, result);
    if (result.status === 'stream') throw new Error(`${object.name}: a file to stream reached the ledger unread (${result.reason})`);
    this.counts.bytesRead += result.bytesRead;
    if (result.scan === 'fast') this.counts.fastPathFiles++;
    else if (result.scan === 'fallback') this.counts.fastPathFallbacks++;
    if (result.status === 'rejected') {
      this.counts.rejected++;
      this.deadLetter.write({ file: object.name, code: result.code, reason: result.reason });
      this.rejectRows(object, result.rejects, result.rejects.length);
      this.logger.warn({ object: object.name, code: result.code, reason: result.reason }, 'file rejected');
      return;
    }
    if (result.status === 'degraded') {
      this.counts.degraded++;
      this.counts.degradedRecords += result.degradedRecords;
      tallyFormat(this.formats, result.format, 0);
      this.degradedFiles.push(object.name);
      this.logger.info({ object: object.name }, 'degraded API minute skipped');
    } else {
      this.counts.loaded++;
      this.counts.stagedRows += result.rows;
      this.counts.rejectedRows += result.rejectedRows;
      this.counts.degradedRecords += result.degradedRecords;
      for (const shard of result.shards) this.noteShard(shard);
      for (const shard of result.locatedShards) this.locatedShards.add(shard);
      tallyFormat(this.formats, result.format, result.rows);
      this.rejectRows(object, result.rejects, result.rejectedRows);
    }
    await this.filesWriter.write(manifestLine(object, result));
  }

  /**
   * A worker appends to one shard at a time and numbers them in order, and it finishes a batch before it
   * starts the next: a result naming its shard N means every shard before N is complete on disk.
   */
  private noteShard(shard: string): void {
    this.recordShards.add(shard);
    const writer = shard.replace(/-\d+\.ndjson$/, '');
    const newest = this.newestShard.get(writer);
    if (newest === undefined || shard > newest) {
      if (newest !== undefined) this.onShardComplete(newest);
      this.newestShard.set(writer, shard);
    } else if (shard < newest) {
      this.onShardComplete(shard);
    }
  }

  /** Sets a file aside when it cannot be read (vanished, no permission); any other read failure stops the run. */
  unreadable(object: SourceObject, failure: ReadFailure): void {
    if (!isUnreadable(failure)) throw Object.assign(new Error(failure.message), { code: failure.code });
    this.counts.rejected++;
    this.deadLetter.write({ file: object.name, code: 'READ_FAILED', reason: `cannot read the file: ${failure.message}` });
    this.logger.warn({ object: object.name, err: failure.message }, 'file unreadable');
  }

  private rejectRows(object: SourceObject, rejects: readonly { index: number; reason: string }[], total: number): void {
    for (const reject of rejects) this.deadLetter.write({ file: object.name, code: 'ROW_INVALID', reason: reject.reason, record_index: reject.index });
    if (total > rejects.length) {
      this.deadLetter.write({ file: object.name, code: 'ROW_INVALID', reason: `${total - rejects.length} more invalid record(s) not listed` });
    }
  }

  /** Writes the stations shard and closes the manifest shard; returns every table's local shards. */
  async close(shardBytes: number): Promise<Record<TableKind, string[]>> {
    const stationsWriter = new ShardWriter(this.spoolDir, 'stations', shardBytes);
    for (const line of this.stations.lines()) await stationsWriter.write(line);
    this.stations.removeSpools();
    return {
      records: [...this.recordShards].sort(),
      stations: await stationsWriter.close(),
      files: await this.filesWriter.close(),
      located: [...this.locatedShards].sort(),
    };
  }
}
