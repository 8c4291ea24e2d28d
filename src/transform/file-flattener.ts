/**
 * One file's outcome, accumulated record by record, so the whole-document path (flatten-file.ts), NDJSON lines
 * (ndjson-input.ts) and the streaming path for huge files share the logic.
 */
import type { FileRejectCode } from './decode.js';
import { asciiJson, recordLine } from './ndjson.js';
import { LatestStations } from './stations.js';
import { epochMillis } from './timestamps.js';
import type { FileContext, FormatModule, RowReject, StationRow } from './types.js';

/** Row rejects kept per file; the count stays exact beyond it. */
export const MAX_REJECTS_PER_FILE = 100;

export interface LoadedFile {
  status: 'loaded';
  format: string;
  /** NDJSON lines for the `records` staging table (may be empty when streamed out in chunks). */
  recordsNdjson: string;
  rows: number;
  degradedRecords: number;
  rejectedRows: number;
  rejects: RowReject[];
  /** Each station's latest observation in this file, among records inside the run's window. */
  stations: LatestStations<StationRow>;
  /** Earliest and latest record_timestamp (epoch ms), for the manifest's coverage check. */
  minTimestampMs: number;
  maxTimestampMs: number;
}

export interface DegradedFile {
  status: 'degraded';
  format: string;
  degradedRecords: number;
}

export interface RejectedFile {
  status: 'rejected';
  code: FileRejectCode;
  reason: string;
  rejects: RowReject[];
}

/**
 * The whole-file path will not read this file within its bounds (gzip that inflates past the text cap, or
 * deep nesting in a large text): parse it with the streaming path (src/loader/stream-file.ts) instead.
 */
export interface StreamFile {
  status: 'stream';
  reason: string;
}

export type FileOutcome = LoadedFile | DegradedFile | RejectedFile | StreamFile;
/** What reading a file record by record comes to (the streaming path's answer too). */
export type ReadOutcome = LoadedFile | DegradedFile | RejectedFile;

export class FileFlattener {
  private ndjson = '';
  private rows = 0;
  private degraded = 0;
  private rejected = 0;
  private readonly rejects: RowReject[] = [];
  private readonly stations: LatestStations<StationRow>;
  private lastTimestamp = '';
  private lastMs = NaN;
  private minMs = Infinity;
  private maxMs = -Infinity;
  private readonly sourceLiteral: string;
  private readonly fromMs: number;
  private readonly toMs: number;

  constructor(
    private readonly format: FormatModule,
    private readonly context: FileContext,
  ) {
    this.sourceLiteral = asciiJson(context.name);
    this.stations = context.stations ?? new LatestStations<StationRow>();
    this.fromMs = context.window?.fromMs ?? -Infinity;
    this.toMs = context.window?.toMs ?? Infinity;
  }

  /** A record that could not be read at all (a bad NDJSON line, a record too large to stream). */
  reject(index: number, reason: string, line?: number): void {
    this.rejected++;
    if (this.rejects.length >= MAX_REJECTS_PER_FILE) return;
    this.rejects.push(line === undefined ? { index, reason } : { index, reason: `line ${line}: ${reason}`, line });
  }

  /** `line`: the NDJSON line the record came from. */
  add(raw: unknown, index: number, line?: number): void {
    const outcome = this.format.flattenRecord(raw, this.context);
    if (outcome.kind === 'degraded') {
      this.degraded++;
    } else if (outcome.kind === 'reject') {
      this.reject(index, outcome.reason, line);
    } else {
      this.rows++;
      this.ndjson += recordLine(outcome.record, this.sourceLiteral);
      const ts = outcome.record.record_timestamp;
      if (ts !== this.lastTimestamp) {
        // Timestamps repeat within a minute's file: convert only when the text changes.
        this.lastTimestamp = ts;
        this.lastMs = epochMillis(ts);
        if (this.lastMs < this.minMs) this.minMs = this.lastMs;
        if (this.lastMs > this.maxMs) this.maxMs = this.lastMs;
      }
      // Rows outside the window are cut in SQL: their attributes must not win either.
      if (this.lastMs >= this.fromMs && this.lastMs < this.toMs) {
        this.stations.add(outcome.station.id, this.lastMs, ts, this.context.name, outcome.station);
      }
    }
  }

  /** NDJSON produced since the last call (streaming path: keeps memory bounded). */
  takeNdjson(): string {
    const chunk = this.ndjson;
    this.ndjson = '';
    return chunk;
  }

  get bufferedLength(): number {
    return this.ndjson.length;
  }

  finish(): ReadOutcome {
    if (this.rows === 0 && this.rejected === 0) {
      return { status: 'degraded', format: this.format.id, degradedRecords: this.degraded };
    }
    if (this.rows === 0) {
      const first = this.rejects[0];
      return {
        status: 'rejected',
        code: 'NO_VALID_RECORDS',
        reason: `none of its ${this.rejected} record(s) is valid${first ? ` (${first.line === undefined ? `record ${first.index}: ` : ''}${first.reason})` : ''}`,
        rejects: this.rejects,
      };
    }
    return {
      status: 'loaded',
      format: this.format.id,
      recordsNdjson: this.takeNdjson(),
      rows: this.rows,
      degradedRecords: this.degraded,
      rejectedRows: this.rejected,
      rejects: this.rejects,
      stations: this.stations,
      minTimestampMs: this.minMs,
      maxTimestampMs: this.maxMs,
    };
  }
}
