/** The warehouse contract shared by DuckDB (embedded) and BigQuery. */
import { VeloError, WarehouseError } from '../../errors.js';
import type { SqlName } from './sql-files.js';
import type { TableKind } from './schemas.js';

export interface ManifestEntry {
  size: number;
  generation: string;
  /** Set for a file a window cut: only part of its rows are merged. Absent: the whole file is. */
  partial?: PartialCoverage;
}

/**
 * Times in epoch ms. The file's rows span [minMs, maxMs] (rounded outwards to the ms); those in [fromMs, toMs)
 * are merged, ±Infinity where the stored bound is NULL (unbounded).
 */
export interface PartialCoverage {
  minMs: number;
  maxMs: number;
  fromMs: number;
  toMs: number;
}

const msOr = (value: unknown, unbounded: number): number => (value === null || value === undefined ? unbounded : Number(value));

/** A row of sql/<dialect>/loaded_files.sql as a manifest entry. */
export function manifestEntry(row: Record<string, unknown>): ManifestEntry {
  const entry: ManifestEntry = { size: Number(row.size), generation: String(row.generation) };
  if (row.status !== 'partial') return entry;
  return { ...entry, partial: { minMs: msOr(row.min_ms, NaN), maxMs: msOr(row.max_ms, NaN), fromMs: msOr(row.from_ms, -Infinity), toMs: msOr(row.to_ms, Infinity) } };
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

/**
 * Whose staging tables: each task of a run stages its slice in tables of its own (scoped by run id and
 * task index), so tasks never write to the same table and a retried task replaces only its own.
 */
export interface StageScope {
  task: number;
}

export interface Warehouse {
  readonly description: string;
  /** Create target tables (and dataset) when missing. */
  ensureTables(): Promise<void>;
  /** Files already loaded, from the manifest table. */
  loadedFiles(): Promise<Map<string, ManifestEntry>>;
  /** Bulk-load staged NDJSON shards (paths or gs:// URIs) into one task's staging table. */
  loadStaging(scope: StageScope, kind: TableKind, uris: readonly string[]): Promise<LoadReport>;
  /**
   * Run a named SQL file of this warehouse's dialect; returns the rows of its last statement. In the file,
   * `{{stage_records}}` (and the other stage tables) stand for the given scopes' tables: one scope's table,
   * or all of them together (UNION ALL) where the merge reads every task's slice.
   */
  runSql(name: SqlName, params?: SqlParams, scopes?: readonly StageScope[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

/** Physical names of the target tables and of a run's scratch tables (scoped by run id: runs never collide). */
export interface TableNames {
  records: string;
  stations: string;
  files: string;
  /** The dataset's own facts (its network). Not `_velo_…`: those names are scratch tables, except `_velo_files`. */
  meta: string;
  unique_records: string;
  latest_stations: string;
  ready_files: string;
  /** Stations' coordinates as the merge leaves them, and located rows given their station id (dedupe.sql). */
  station_points: string;
  located_records: string;
}

/** Physical names of one task's staging tables. */
export interface StageTableNames {
  stage_records: string;
  stage_stations: string;
  stage_files: string;
  stage_located: string;
}

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** Run ids name staging tables and folders: letters, digits, _ and -, at most 64. */
export function checkRunId(runId: string): string {
  if (!RUN_ID.test(runId)) {
    throw new VeloError('BAD_RUN_ID', `invalid run id "${runId}": use 1-64 letters, digits, _ and -`, { kind: 'usage' });
  }
  return runId;
}

const runSuffix = (runId: string): string => checkRunId(runId).replace(/-/g, '_');

export function tableNames(runId: string): TableNames {
  const suffix = runSuffix(runId);
  return {
    records: 'records',
    stations: 'stations',
    files: '_velo_files',
    meta: 'velo_meta',
    unique_records: `_velo_unique_records_${suffix}`,
    latest_stations: `_velo_latest_stations_${suffix}`,
    ready_files: `_velo_ready_files_${suffix}`,
    station_points: `_velo_ready_points_${suffix}`,
    located_records: `_velo_ready_located_${suffix}`,
  };
}

export function stageTableNames(runId: string, scope: StageScope): StageTableNames {
  const suffix = `${runSuffix(runId)}_t${scope.task}`;
  return {
    stage_records: `_velo_stage_records_${suffix}`,
    stage_stations: `_velo_stage_stations_${suffix}`,
    stage_files: `_velo_stage_files_${suffix}`,
    stage_located: `_velo_stage_located_${suffix}`,
  };
}

export function stageTable(runId: string, scope: StageScope, kind: TableKind): string {
  return stageTableNames(runId, scope)[`stage_${kind}`];
}

/**
 * Template values for the stage tables of `scopes`, each name quoted by the dialect: one scope's tables as
 * they are, several as one UNION ALL relation (read by the merge). No scopes: no stage tables in the file.
 */
export function stageTemplateValues(runId: string, scopes: readonly StageScope[], quote: (name: string) => string): Record<string, string> {
  const values: Record<string, string> = {};
  if (scopes.length === 0) return values;
  const all = scopes.map((scope) => stageTableNames(runId, scope));
  for (const key of Object.keys(all[0]!) as (keyof StageTableNames)[]) {
    const names = all.map((names) => quote(names[key]));
    values[key] = names.length === 1 ? names[0]! : `(${names.map((name) => `SELECT * FROM ${name}`).join(' UNION ALL ')})`;
  }
  return values;
}
