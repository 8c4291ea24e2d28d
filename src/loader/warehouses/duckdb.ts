/** The embedded warehouse: one DuckDB file, no cloud account needed. */
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRequire } from 'node:module';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';

// Loaded with require: an ESM import of this CommonJS package first pre-parses every module it re-exports
// to find its named exports, ~150 ms of start-up that a require does not pay.
const { DuckDBInstance: Instance, LIST, VARCHAR, listValue } = createRequire(import.meta.url)('@duckdb/node-api') as typeof import('@duckdb/node-api');
import { VeloError, WarehouseError } from '../../errors.js';
import { badFileError, duckdbOpenError, duckdbSqlError, isBusy, notADatabase } from './duckdb-errors.js';
import { stagingSchema, tableSchema, TABLE_KINDS, TARGET_KINDS, type FieldType, type SchemaField, type TableKind } from './schemas.js';
import { parameterNames, renderSql, splitStatements, type SqlName } from './sql-files.js';
import { DEFAULT_DUCKDB_MEMORY, memoryBytes, stageTable, stageTemplateValues, tableNames, type LoadReport, manifestEntry, type ManifestEntry, type SqlParams, type StageScope, type Warehouse } from './warehouse.js';

const DUCKDB_TYPES: Record<FieldType, string> = {
  INT64: 'BIGINT',
  STRING: 'VARCHAR',
  FLOAT64: 'DOUBLE',
  TIMESTAMP: 'TIMESTAMPTZ',
};

const quote = (identifier: string): string => `"${identifier}"`;

/**
 * Each read_json thread takes ~32 MiB of buffers on top of what the insert needs: more threads than the
 * memory cap can feed fail with "Out of Memory" on a large shard (measured: 2 threads need ~110 MiB,
 * 4 need ~180 MiB). So the load uses one thread per 60 MiB of the cap, at most one per core.
 */
const MIB_PER_LOAD_THREAD = 60;

/** Share of the memory cap the SQL steps (clean, dedupe, merge) run with; the load needs all of it. */
const SQL_MEMORY_SHARE = 0.75;

/** Freed memory the allocator may keep before returning it to the OS (see open). */
const ALLOCATOR_FLUSH = '8MB';

export function loadThreads(memoryLimit: string, cores: number): number {
  return Math.max(1, Math.min(cores, Math.floor(memoryBytes(memoryLimit) / 2 ** 20 / MIB_PER_LOAD_THREAD)));
}

const MS_PER_DAY = 86_400_000;
const MICROS_PER_DAY = 86_400_000_000;

function ddl(fields: SchemaField[]): string {
  return fields.map((f) => `${quote(f.name)} ${DUCKDB_TYPES[f.type]}${f.mode === 'REQUIRED' ? ' NOT NULL' : ''}`).join(', ');
}

/**
 * A table made by an earlier version gains the columns added to its schema since (nullable ones: its rows read
 * NULL there); a no-op for a table that has them. One statement each (DuckDB adds one column per ALTER).
 */
function addColumns(table: string, fields: SchemaField[]): string {
  return fields
    .filter((f) => f.mode !== 'REQUIRED')
    .map((f) => `ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS ${quote(f.name)} ${DUCKDB_TYPES[f.type]}`)
    .join(';\n');
}

/** read_json's explicit `columns` struct, so DuckDB never guesses types from the data. */
function jsonColumns(fields: SchemaField[]): string {
  return `{${fields.map((f) => `${quote(f.name)}: '${DUCKDB_TYPES[f.type]}'`).join(', ')}}`;
}

function toPlain(value: unknown): unknown {
  return typeof value === 'bigint' ? Number(value) : value;
}

/** Opens the file; while another process holds its lock, tries again (up to `waitMs`). */
async function createInstance(path: string, options: Record<string, string>, waitMs: number): Promise<DuckDBInstance> {
  const deadline = Date.now() + waitMs;
  for (let delay = 250; ; delay = Math.min(delay * 2, 5_000)) {
    try {
      return await Instance.create(path, options);
    } catch (error) {
      if (!isBusy(error) || Date.now() + delay > deadline) throw error;
      await sleep(delay);
    }
  }
}

/** The database DuckDB opened must be the file itself, never an in-memory stand-in for it. */
async function assertOnDisk(connection: DuckDBConnection, path: string): Promise<void> {
  const reader = await connection.runAndReadAll('SELECT path FROM duckdb_databases() WHERE database_name = current_database()');
  if (reader.getRowObjects()[0]?.path == null) throw badFileError(path, 'DuckDB opened it as an in-memory database, which would write nothing to the file');
}

export class DuckDbWarehouse implements Warehouse {
  readonly description: string;
  private readonly templateValues: Record<string, string>;
  /** The connection's current threads and memory_limit (bytes), so unchanged settings are not re-issued. */
  private current = { threads: 0, memory: 0 };

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    path: string,
    private readonly runId: string,
    private readonly memoryLimitBytes: number,
    private readonly loadThreadCount: number,
  ) {
    this.description = `duckdb:${path}`;
    const values: Record<string, string> = {};
    for (const [key, name] of Object.entries(tableNames(runId))) values[key] = quote(name);
    for (const kind of TABLE_KINDS) {
      values[`${kind}_ddl`] = ddl(tableSchema(kind));
      values[`stage_${kind}_ddl`] = ddl(stagingSchema(kind));
    }
    for (const kind of TARGET_KINDS) values[`${kind}_add_columns`] = addColumns(values[kind]!, tableSchema(kind));
    this.templateValues = values;
  }

  /**
   * memoryLimit: DuckDB syntax such as '128MB' (validated by the CLI config); readOnly: never creates or writes
   * the file; waitLockMs: how long to wait for a file another process is writing (default: not at all).
   */
  static async open(path: string, runId: string, options: { memoryLimit?: string; readOnly?: boolean; waitLockMs?: number } = {}): Promise<DuckDbWarehouse> {
    const memoryLimit = options.memoryLimit ?? DEFAULT_DUCKDB_MEMORY;
    const notDuckDb = notADatabase(path);
    if (notDuckDb) throw badFileError(path, notDuckDb);
    try {
      const instance = await createInstance(path, options.readOnly ? { access_mode: 'READ_ONLY' } : {}, options.waitLockMs ?? 0);
      const connection = await instance.connect();
      await assertOnDisk(connection, path).catch((error: unknown) => {
        instance.closeSync();
        throw error;
      });
      // Instants are compared and printed in UTC, like BigQuery.
      await connection.run(`SET TimeZone = 'UTC'`);
      // Stay inside a Cloud Run task's memory (512 MiB by default): DuckDB spills larger work to disk.
      await connection.run(`SET memory_limit = '${memoryLimit}'`);
      await connection.run('SET preserve_insertion_order = false');
      // Hand freed memory back to the OS after each statement: by default DuckDB's allocator keeps up to 128 MiB
      // (512 MiB after a bulk free) that its own accounting no longer counts. Measured on a 1 GB file's per-day
      // merges: RSS 290 → ~220 MB in a bare process, at no measurable cost in time.
      await connection.run(`SET allocator_flush_threshold = '${ALLOCATOR_FLUSH}'`);
      await connection.run(`SET allocator_bulk_deallocation_flush_threshold = '${ALLOCATOR_FLUSH}'`);
      return new DuckDbWarehouse(instance, connection, path, runId, memoryBytes(memoryLimit), loadThreads(memoryLimit, os.availableParallelism()));
    } catch (error) {
      if (error instanceof VeloError) throw error;
      throw duckdbOpenError(path, error);
    }
  }

  /** DuckDB's threads and memory cap for what comes next (a SET costs nothing; skipped when unchanged). */
  private async use(settings: { threads: number; memory: number }): Promise<void> {
    if (settings.threads !== this.current.threads) await this.connection.run(`SET threads = ${settings.threads}`);
    if (settings.memory !== this.current.memory) await this.connection.run(`SET memory_limit = '${Math.floor(settings.memory / 2 ** 20)}MiB'`);
    this.current = settings;
  }

  async ensureTables(): Promise<void> {
    await this.runSql('create_tables');
    await this.dropLeftoverStaging();
  }

  /**
   * A DuckDB file has one writer at a time, so run-scoped tables found now belong to a run that crashed
   * before its cleanup: drop them (their rows were never merged, and that run's files were not recorded).
   */
  private async dropLeftoverStaging(): Promise<void> {
    const reader = await this.connection.runAndReadAll(
      `SELECT table_name AS name, 'TABLE' AS kind FROM duckdb_tables() UNION ALL SELECT view_name, 'VIEW' FROM duckdb_views()`,
    );
    const scratch = /^_velo_(stage|unique|latest|ready)_/;
    const leftovers = (reader.getRowObjects() as { name: string; kind: string }[]).filter((l) => scratch.test(l.name));
    for (const { name, kind } of [...leftovers].sort((a, b) => (a.kind === 'VIEW' ? -1 : b.kind === 'VIEW' ? 1 : 0))) {
      await this.connection.run(`DROP ${kind} IF EXISTS ${quote(name)}`);
    }
  }

  async loadedFiles(): Promise<Map<string, ManifestEntry>> {
    const rows = await this.runSql('loaded_files');
    return new Map(rows.map((row) => [String(row.file_name), manifestEntry(row)]));
  }

  async loadStaging(scope: StageScope, kind: TableKind, uris: readonly string[]): Promise<LoadReport> {
    if (uris.length === 0) return { jobs: 0, jobIds: [] };
    const table = quote(stageTable(this.runId, scope, kind));
    const sql = `INSERT INTO ${table} SELECT * FROM read_json($files, format = 'newline_delimited', columns = ${jsonColumns(stagingSchema(kind))})`;
    try {
      await this.use({ threads: this.loadThreadCount, memory: this.memoryLimitBytes });
      await this.connection.run(sql, { files: listValue([...uris]) }, { files: LIST(VARCHAR) });
    } catch (error) {
      throw duckdbSqlError('DUCKDB_LOAD', `loading ${uris.length} staged file(s) into ${table}`, error);
    }
    return { jobs: 1, jobIds: [] };
  }

  async runSql(name: SqlName, params: SqlParams = {}, scopes: readonly StageScope[] = []): Promise<Record<string, unknown>[]> {
    const values = { ...this.templateValues, ...stageTemplateValues(this.runId, scopes, quote) };
    const statements = splitStatements(renderSql('duckdb', name, values));
    // Clean, dedupe and the per-day merges run on one thread with three quarters of the cap: measured as fast
    // end to end as two threads and the full cap (rows are written as they are inserted, so the checkpoint at
    // close has little left to do), with ~60 MB less memory on the bench and ~40 MB less on a 1 GB file.
    await this.use({ threads: 1, memory: Math.floor(this.memoryLimitBytes * SQL_MEMORY_SHARE) });
    let rows: Record<string, unknown>[] = [];
    let inTransaction = false;
    try {
      for (const statement of statements) {
        if (/^BEGIN\b/i.test(statement)) inTransaction = true;
        if (/^(COMMIT|ROLLBACK)\b/i.test(statement)) inTransaction = false;
        const names = parameterNames(statement, 'duckdb');
        // A statement using $day_start runs once per UTC day of staged observations (bounded memory).
        const days = names.includes('day_start') ? await this.stagedDays(values.stage_records!, values.stage_located!) : [null];
        for (const day of days) {
          const bound: Record<string, string | number | null> = {};
          for (const key of names) {
            if (key === 'day_start') bound[key] = day;
            else if (!(key in params)) throw new WarehouseError('SQL_PARAM', `sql/duckdb/${name}.sql needs parameter $${key}`);
            else bound[key] = params[key] ?? null;
          }
          const reader = await this.connection.runAndReadAll(statement, names.length > 0 ? bound : undefined);
          rows = reader.getRowObjects().map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, toPlain(v)])));
        }
      }
      return rows;
    } catch (error) {
      if (inTransaction) await this.connection.run('ROLLBACK').catch(() => undefined);
      if (error instanceof WarehouseError) throw error;
      throw duckdbSqlError('DUCKDB_SQL', `sql/duckdb/${name}.sql`, error);
    }
  }

  /** The UTC days of staged observations: records, and located rows (MEL CSV) that the merge gives an id. */
  private async stagedDays(stageRecords: string, stageLocated: string): Promise<string[]> {
    // Integer day numbers: ~20× cheaper than date_trunc on TIMESTAMPTZ (which goes through ICU) for every row.
    const day = `floor(epoch_us(record_timestamp) / ${MICROS_PER_DAY})`;
    const reader = await this.connection.runAndReadAll(
      `SELECT DISTINCT ${day} AS day FROM ${stageRecords} UNION SELECT DISTINCT ${day} FROM ${stageLocated} ORDER BY day`,
    );
    return reader.getRowObjects().map((row) => new Date(Number(row.day) * MS_PER_DAY).toISOString());
  }

  async close(): Promise<void> {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
