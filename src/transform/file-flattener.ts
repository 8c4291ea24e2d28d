/**
 * One file's outcome, accumulated record by record, so the whole-document path (flatten-file.ts), NDJSON lines
 * (ndjson-input.ts), CSV and the streaming path for huge files share the logic.
 */
import type { FileRejectCode } from './decode.js';
import { DEFAULT_NETWORK } from './formats/start.js';
import { asciiJson, locatedLine, recordLine } from './ndjson.js';
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
  /** Records of another network (JCDecaux contracts other than --network): counted, not loaded. */
  skippedRecords: number;
  /** Station attributes without an observation (GBFS station_information). */
  stationRows: number;
  /** Rows keyed by coordinates (MEL CSV; also counted in `rows`), for the located staging table; may be streamed out. */
  locatedNdjson: string;
  locatedRows: number;
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
  skippedRecords: number;
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
  private located = '';
  private locatedRows = 0;
  private skipped = 0;
  private stationRows = 0;
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
    if (outcome.kind === 'row') {
      this.rows++;
      this.ndjson += recordLine(outcome.record, this.sourceLiteral);
      this.observe(outcome.record.record_timestamp);
      if (outcome.station !== null) this.addStation(outcome.station);
    } else if (outcome.kind === 'degraded') {
      this.degraded++;
    } else if (outcome.kind === 'reject') {
      this.reject(index, outcome.reason, line);
    } else if (outcome.kind === 'skipped') {
      this.skipped++;
    } else if (outcome.kind === 'station') {
      this.stationRows++;
      this.observe(outcome.at);
      this.addStation(outcome.station);
    } else {
      this.rows++;
      this.locatedRows++;
      this.located += locatedLine(outcome.record, this.sourceLiteral);
      this.observe(outcome.record.record_timestamp);
    }
  }

  /** The time of the latest row or station, for the file's coverage and the stations' lineage. */
  private observe(ts: string): void {
    if (ts === this.lastTimestamp) return; // Timestamps repeat within a minute's file: convert only when the text changes.
    this.lastTimestamp = ts;
    this.lastMs = epochMillis(ts);
    if (this.lastMs < this.minMs) this.minMs = this.lastMs;
    if (this.lastMs > this.maxMs) this.maxMs = this.lastMs;
  }

  private addStation(station: StationRow): void {
    // Rows outside the window are cut in SQL: their attributes must not win either.
    if (this.lastMs >= this.fromMs && this.lastMs < this.toMs) {
      this.stations.add(station.id, this.lastMs, this.lastTimestamp, this.context.name, station);
    }
  }

  /** NDJSON produced since the last call (streaming path: keeps memory bounded). */
  takeNdjson(): string {
    const chunk = this.ndjson;
    this.ndjson = '';
    return chunk;
  }

  /** Located (coordinate-keyed) NDJSON produced since the last call. */
  takeLocatedNdjson(): string {
    const chunk = this.located;
    this.located = '';
    return chunk;
  }

  get bufferedLength(): number {
    return this.ndjson.length + this.located.length;
  }

  finish(): ReadOutcome {
    const nothing = this.rows === 0 && this.stationRows === 0;
    if (nothing && this.rejected === 0) {
      return { status: 'degraded', format: this.format.id, degradedRecords: this.degraded, skippedRecords: this.skipped };
    }
    if (nothing) {
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
      skippedRecords: this.skipped,
      stationRows: this.stationRows,
      locatedNdjson: this.takeLocatedNdjson(),
      locatedRows: this.locatedRows,
      stations: this.stations,
      minTimestampMs: this.minMs,
      maxTimestampMs: this.maxMs,
    };
  }
}

/**
 * A detected format's file-level checks: V'lille shapes load only under their network, and a format's `begin`
 * finds the records' time (the document's, or the collection time in the name).
 */
export function startFile(format: FormatModule, doc: unknown, context: FileContext): FileFlattener | RejectedFile {
  const network = context.network ?? DEFAULT_NETWORK;
  if (format.network !== undefined && format.network !== network) {
    return { status: 'rejected', code: 'WRONG_NETWORK', reason: `a ${format.id} file holds ${format.network} data; this run loads --network ${network}`, rejects: [] };
  }
  const started = format.begin?.(doc, context) ?? { context };
  if ('reject' in started) return { status: 'rejected', code: started.code, reason: started.reject, rejects: [] };
  return new FileFlattener(format, started.context);
}
