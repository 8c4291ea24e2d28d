/** The warehouse contract shared by DuckDB (embedded) and BigQuery. */
import { VeloError, WarehouseError } from '../errors.js';
import type { SqlName } from './sql-files.js';
import type { TableKind } from './schemas.js';

export interface ManifestEntry {
  size: number;
  generation: string;
}

/**
 * Memory cap of the embedded DuckDB (it spills to disk beyond it). With Node, its worker threads and
 * buffers, a run stays under 300 MB of RSS: inside a 512 MiB Cloud Run task.
 */
export const DEFAULT_DUCKDB_MEMORY = '128MB';

const UNIT_BYTES: Record<string, number> = { kb: 1e3, mb: 1e6, gb: 1e9, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30 };

/** '128MB' → bytes (DuckDB reads MB as 10^6 bytes, MiB as 2^20); the CLI validates --duckdb-memory with it. */
export function memoryBytes(limit: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]i?b)$/i.exec(limit.trim());
  if (!m) throw new WarehouseError('DUCKDB_MEMORY', `unreadable DuckDB memory limit "${limit}"`);
  return Number(m[1]) * UNIT_BYTES[m[2]!.toLowerCase()]!;
}

/** Values bound as query parameters. Timestamps travel as ISO-8601 text. */
export type SqlParams = Readonly<Record<string, string | number | null>>;

export interface LoadReport {
  /** Load jobs (BigQuery) or bulk reads (DuckDB) used for this table. */
  jobs: number;
  jobIds: string[];
}

export interface Warehouse {
  readonly description: string;
  /** Create target tables (and dataset) when missing. */
  ensureTables(): Promise<void>;
  /** Files already loaded, from the manifest table. */
  loadedFiles(): Promise<Map<string, ManifestEntry>>;
  /** Bulk-load staged NDJSON shards (paths or gs:// URIs) into a run-scoped staging table. */
  loadStaging(kind: TableKind, uris: readonly string[]): Promise<LoadReport>;
  /** Run a named SQL file of this warehouse's dialect; returns the rows of its last statement. */
  runSql(name: SqlName, params?: SqlParams): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

/** Physical table names; the staging ones are scoped by run id so concurrent runs never collide. */
export interface TableNames {
  records: string;
  stations: string;
  files: string;
  stage_records: string;
  stage_stations: string;
  stage_files: string;
  unique_records: string;
  latest_stations: string;
  ready_files: string;
}

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** Run ids name staging tables and folders: letters, digits, _ and -, at most 64. */
export function checkRunId(runId: string): string {
  if (!RUN_ID.test(runId)) {
    throw new VeloError('BAD_RUN_ID', `invalid run id "${runId}": use 1-64 letters, digits, _ and -`, { kind: 'usage' });
  }
  return runId;
}

export function tableNames(runId: string): TableNames {
  const suffix = checkRunId(runId).replace(/-/g, '_');
  return {
    records: 'records',
    stations: 'stations',
    files: '_velo_files',
    stage_records: `_velo_stage_records_${suffix}`,
    stage_stations: `_velo_stage_stations_${suffix}`,
    stage_files: `_velo_stage_files_${suffix}`,
    unique_records: `_velo_unique_records_${suffix}`,
    latest_stations: `_velo_latest_stations_${suffix}`,
    ready_files: `_velo_ready_files_${suffix}`,
  };
}

export function stageTable(names: TableNames, kind: TableKind): string {
  return kind === 'records' ? names.stage_records : kind === 'stations' ? names.stage_stations : names.stage_files;
}
