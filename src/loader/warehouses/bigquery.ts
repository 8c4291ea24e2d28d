/**
 * BigQuery: staged NDJSON on GCS is loaded with as few load jobs as possible (≤ 10,000 URIs each), then
 * the SQL files of sql/bigquery/ run as query jobs with named parameters. Every job has a deterministic
 * id (run, task attempt, step): a request re-sent after a lost answer attaches to the job it created
 * instead of running it twice. Failures are classified in gcp/errors.ts, the one retry layer.
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BigQuery, Job, Query } from '@google-cloud/bigquery';
import { WarehouseError } from '../../errors.js';
import { bigqueryError, callGoogle, classifyGoogleError } from '../gcp/errors.js';
import { MAX_URIS_PER_LOAD_JOB } from './load-limits.js';
import { stagingSchema, tableSchema, TABLE_KINDS, TARGET_KINDS, type SchemaField, type TableKind, type TargetKind } from './schemas.js';
import { renderSql, stripLineComments, type SqlName } from './sql-files.js';
import { stageTable, stageTableNames, stageTemplateValues, tableNames, type LoadReport, manifestEntry, type ManifestEntry, type SqlParams, type StageScope, type Warehouse } from './warehouse.js';

export { MAX_URIS_PER_LOAD_JOB };
/**
 * Staging and scratch tables expire on their own, so a crashed execution leaves nothing behind for good: 7 days
 * from creation, longer than Cloud Run's longest task (168 h). A run merges (and drops them) long before.
 */
export const SCRATCH_TABLE_TTL_MS = 7 * 24 * 3600 * 1000;
const POLL_MIN_MS = 250;
const POLL_MAX_MS = 5_000;

function ddl(fields: SchemaField[]): string {
  return fields.map((f) => `\`${f.name}\` ${f.type}${f.mode === 'REQUIRED' ? ' NOT NULL' : ''}`).join(', ');
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

const digest = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 16);
const jobIdSafe = (text: string): string => text.replace(/[^A-Za-z0-9_-]/g, '_');

/** Job ids allow letters, digits, _ and -, up to 1,024 characters. The URIs name the task and attempt. */
export function loadJobId(runId: string, kind: TableKind, batch: number, uris: readonly string[]): string {
  return jobIdSafe(`velo_${runId}_load_${kind}_${batch}_${digest(uris.join('\n'))}`);
}

function plain(value: unknown): unknown {
  if (value && typeof value === 'object' && 'value' in (value as Record<string, unknown>)) return (value as { value: unknown }).value;
  return value;
}

export interface BigQueryOptions {
  location?: string;
  /** Names this process's query jobs (run, task, attempt tag); a random one when not given. */
  jobPrefix?: string;
}

export class BigQueryWarehouse implements Warehouse {
  readonly description: string;
  private readonly templateValues: Record<string, string>;
  private readonly location: string | undefined;
  private readonly jobPrefix: string;
  /** Query jobs started by this process: part of each id, so a step that runs twice runs twice. */
  private queries = 0;

  constructor(
    private readonly client: BigQuery,
    private readonly projectId: string,
    private readonly datasetId: string,
    private readonly runId: string,
    options: BigQueryOptions = {},
  ) {
    this.description = `bigquery://${projectId}/${datasetId}`;
    this.location = options.location;
    this.jobPrefix = jobIdSafe(options.jobPrefix ?? `velo_${runId}_${Math.random().toString(36).slice(2, 8)}`);
    const values: Record<string, string> = {};
    for (const [key, name] of Object.entries(tableNames(runId))) values[key] = this.quote(name);
    for (const kind of TABLE_KINDS) {
      values[`${kind}_ddl`] = ddl(tableSchema(kind));
      values[`stage_${kind}_ddl`] = ddl(stagingSchema(kind));
    }
    this.templateValues = values;
  }

  private quote(table: string): string {
    return `\`${this.projectId}.${this.datasetId}.${table}\``;
  }

  async ensureTables(): Promise<void> {
    const dataset = this.client.dataset(this.datasetId, this.location ? { location: this.location } : {});
    const [exists] = await this.call('dataset lookup', () => dataset.exists());
    if (!exists) {
      // Another task may create it meanwhile (or our own lost answer did): 'exists' is success.
      await callGoogle(() => dataset.create(this.location ? { location: this.location } : {})).catch((error: unknown) => {
        if (classifyGoogleError(error) !== 'exists') throw bigqueryError(this.description, 'create dataset', error);
      });
    }
    await this.runSql('create_tables');
    await Promise.all(TARGET_KINDS.map((kind) => this.addMissingColumns(kind)));
  }

  /**
   * A dataset made by an earlier version keeps working: its tables gain the nullable columns added to schemas/
   * since, by a schema patch made only when one is missing (a DDL per run would count against each table's
   * metadata-update rate, shared by every task). The emulator stores such a patch but never alters the table.
   */
  private async addMissingColumns(kind: TargetKind): Promise<void> {
    const table = this.client.dataset(this.datasetId).table(tableNames(this.runId)[kind]);
    const [metadata] = await this.call(`schema of ${kind}`, () => table.getMetadata());
    const fields = ((metadata as { schema?: { fields?: { name: string }[] } }).schema?.fields ?? []) as { name: string }[];
    const present = new Set(fields.map((field) => field.name));
    const missing = tableSchema(kind).filter((field) => !present.has(field.name) && field.mode !== 'REQUIRED');
    if (missing.length === 0) return;
    const added = missing.map(({ name, type, description }) => ({ name, type, mode: 'NULLABLE', ...(description ? { description } : {}) }));
    await this.call(`adding ${missing.map((f) => f.name).join(', ')} to ${kind}`, () => table.setMetadata({ schema: { fields: [...fields, ...added] } }));
  }

  async loadedFiles(): Promise<Map<string, ManifestEntry>> {
    const rows = await this.runSql('loaded_files');
    return new Map(rows.map((row) => [String(row.file_name), manifestEntry(row)]));
  }

  async loadStaging(scope: StageScope, kind: TableKind, uris: readonly string[]): Promise<LoadReport> {
    const jobIds: string[] = [];
    const table = stageTable(this.runId, scope, kind);
    for (const [batch, sourceUris] of chunk(uris, MAX_URIS_PER_LOAD_JOB).entries()) {
      const jobId = loadJobId(this.runId, kind, batch, sourceUris);
      const configuration = {
        load: {
          sourceUris,
          sourceFormat: 'NEWLINE_DELIMITED_JSON',
          destinationTable: { projectId: this.projectId, datasetId: this.datasetId, tableId: table },
          schema: { fields: stagingSchema(kind).map(({ name, type, mode }) => ({ name, type, mode: mode ?? 'NULLABLE' })) },
          writeDisposition: 'WRITE_APPEND',
          createDisposition: 'CREATE_IF_NEEDED',
        },
      };
      const job = await this.createOrAttach(jobId, () => this.client.createJob({ jobId, location: this.location, configuration } as never));
      await this.waitFor(job, `load of ${sourceUris.length} shard(s) into ${table}`);
      jobIds.push(jobId);
    }
    return { jobs: jobIds.length, jobIds };
  }

  /**
   * Get-or-create by job id. Every attempt first looks the job up: a create whose answer was lost made it
   * already (and the emulator would run a duplicate create again before refusing it); a create racing
   * another one gets 409 ("already created" from the emulator) and attaches too.
   */
  private async createOrAttach(jobId: string, create: () => Promise<[Job, ...unknown[]]>): Promise<Job> {
    const existing = this.client.job(jobId, this.location ? { location: this.location } : {});
    try {
      return await callGoogle(async () => {
        const [exists] = await existing.exists();
        if (exists) return existing;
        try {
          return (await create())[0];
        } catch (error) {
          if (classifyGoogleError(error) === 'exists') return existing;
          throw error;
        }
      });
    } catch (error) {
      throw bigqueryError(this.description, `job ${jobId}`, error);
    }
  }

  private async waitFor(job: Job, what: string): Promise<void> {
    for (let delay = POLL_MIN_MS; ; delay = Math.min(POLL_MAX_MS, delay * 2)) {
      const [metadata] = await this.call(`poll job ${job.id}`, () => job.getMetadata());
      const status = metadata.status as { state?: string; errorResult?: { message?: string; reason?: string }; errors?: { message?: string; location?: string }[] } | undefined;
      if (status?.state === 'DONE') {
        if (status.errorResult) {
          const first = (status.errors ?? []).slice(0, 5).map((e) => `${e.location ? `${e.location}: ` : ''}${e.message}`).join('; ');
          const failure = Object.assign(new Error(`${what} failed (job ${job.id}): ${status.errorResult.message ?? 'unknown error'}${first ? ` — first errors: ${first}` : ''}`), {
            errors: [status.errorResult],
          });
          // A job that failed for a transient reason (backendError, a concurrent DML abort) is reported as such.
          if (classifyGoogleError(failure) === 'transient') throw bigqueryError(this.description, what, failure);
          throw new WarehouseError('BIGQUERY_JOB_FAILED', failure.message);
        }
        return;
      }
      await sleep(delay);
    }
  }

  async runSql(name: SqlName, params: SqlParams = {}, scopes: readonly StageScope[] = []): Promise<Record<string, unknown>[]> {
    const query = stripLineComments(renderSql('bigquery', name, { ...this.templateValues, ...stageTemplateValues(this.runId, scopes, (table) => this.quote(table)) }));
    const used = Object.fromEntries(Object.entries(params).filter(([key]) => query.includes(`@${key}`)));
    const jobId = jobIdSafe(`${this.jobPrefix}_q${++this.queries}_${name}_${digest(query + JSON.stringify(used))}`);
    const options: Query = { query, params: used, location: this.location, useLegacySql: false, jobId };
    const job = await this.createOrAttach(jobId, () => this.client.createQueryJob(options));
    await this.waitFor(job, `sql/bigquery/${name}.sql`);
    const [rows] = await this.call(`results of sql/bigquery/${name}.sql`, () => job.getQueryResults());
    await this.expire(this.scratchTables(name, scopes));
    return (rows as Record<string, unknown>[]).map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, plain(v)])));
  }

  /** The run-scoped tables a SQL file creates (CREATE OR REPLACE: each creation needs its expiration again). */
  private scratchTables(name: SqlName, scopes: readonly StageScope[]): string[] {
    if (name === 'create_staging') return scopes.flatMap((scope) => Object.values(stageTableNames(this.runId, scope)));
    if (name !== 'dedupe') return [];
    const { unique_records, latest_stations, ready_files, station_points } = tableNames(this.runId);
    return [unique_records, latest_stations, ready_files, station_points];
  }

  /**
   * Set through the API (tables.patch), not DDL OPTIONS(expiration_timestamp): the emulator accepts the DDL option
   * but ignores it, and a table's expirationTime read back is what the tests check (docs/emulators.md).
   */
  private async expire(tables: readonly string[]): Promise<void> {
    const expirationTime = String(Date.now() + SCRATCH_TABLE_TTL_MS);
    const dataset = this.client.dataset(this.datasetId);
    await Promise.all(tables.map((table) => this.call(`expiration of ${table}`, () => dataset.table(table).setMetadata({ expirationTime }))));
  }

  async close(): Promise<void> {}

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await callGoogle(fn);
    } catch (error) {
      throw bigqueryError(this.description, what, error);
    }
  }
}
