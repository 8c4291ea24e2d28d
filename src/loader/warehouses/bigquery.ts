/**
 * BigQuery: staged NDJSON on GCS is loaded with as few load jobs as possible (≤ 10,000 URIs each,
 * deterministic job ids so a retried request attaches to the job instead of loading twice), then the
 * SQL files of sql/bigquery/ run as query jobs with named parameters.
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BigQuery, Job, Query } from '@google-cloud/bigquery';
import { TransientError, UsageError, WarehouseError, errorMessage } from '../../errors.js';
import { isTransient, statusOf } from '../gcp/clients.js';
import { withRetry } from '../retry.js';
import { stagingSchema, tableSchema, TABLE_KINDS, type SchemaField, type TableKind } from '../schemas.js';
import { renderSql, stripLineComments, type SqlName } from '../sql-files.js';
import { stageTable, stageTemplateValues, tableNames, type LoadReport, type ManifestEntry, type SqlParams, type StageScope, type Warehouse } from '../warehouse.js';

/** BigQuery's limit on source URIs per load job. */
export const MAX_URIS_PER_LOAD_JOB = 10_000;
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

/** Job ids allow letters, digits, _ and -, up to 1,024 characters. */
export function loadJobId(runId: string, kind: TableKind, batch: number, uris: readonly string[]): string {
  const digest = createHash('sha256').update(uris.join('\n')).digest('hex').slice(0, 16);
  return `velo_${runId}_load_${kind}_${batch}_${digest}`.replace(/[^A-Za-z0-9_-]/g, '_');
}

function plain(value: unknown): unknown {
  if (value && typeof value === 'object' && 'value' in (value as Record<string, unknown>)) return (value as { value: unknown }).value;
  return value;
}

export class BigQueryWarehouse implements Warehouse {
  readonly description: string;
  private readonly templateValues: Record<string, string>;

  constructor(
    private readonly client: BigQuery,
    private readonly projectId: string,
    private readonly datasetId: string,
    private readonly runId: string,
    private readonly location: string | undefined,
  ) {
    this.description = `bigquery://${projectId}/${datasetId}`;
    const values: Record<string, string> = {};
    for (const [key, name] of Object.entries(tableNames(runId))) values[key] = this.quote(name);
    for (const kind of TABLE_KINDS) {
      values[`${kind}_ddl`] = ddl(tableSchema(kind));
      values[`stage_${kind}_ddl`] = ddl(stagingSchema(kind));
    }
    this.templateValues = values;
  }

  async ensureTables(): Promise<void> {
    const dataset = this.client.dataset(this.datasetId, this.location ? { location: this.location } : {});
    const [exists] = await this.call('dataset lookup', () => dataset.exists());
    if (!exists) {
      await this.call('create dataset', () => dataset.create(this.location ? { location: this.location } : {})).catch((error: unknown) => {
        if (statusOf((error as { cause?: unknown }).cause ?? error) !== 409) throw error; // created meanwhile by another task
      });
    }
    await this.runSql('create_tables');
  }

  async loadedFiles(): Promise<Map<string, ManifestEntry>> {
    const rows = await this.runSql('loaded_files');
    return new Map(rows.map((row) => [String(row.file_name), { size: Number(row.size), generation: String(row.generation) }]));
  }

  private quote(table: string): string {
    return `\`${this.projectId}.${this.datasetId}.${table}\``;
  }

  async loadStaging(scope: StageScope, kind: TableKind, uris: readonly string[]): Promise<LoadReport> {
    const jobIds: string[] = [];
    const table = stageTable(this.runId, scope, kind);
    for (const [batch, sourceUris] of chunk(uris, MAX_URIS_PER_LOAD_JOB).entries()) {
      const jobId = loadJobId(this.runId, kind, batch, sourceUris);
      const job = await this.createOrAttach(jobId, {
        load: {
          sourceUris,
          sourceFormat: 'NEWLINE_DELIMITED_JSON',
          destinationTable: { projectId: this.projectId, datasetId: this.datasetId, tableId: table },
          schema: { fields: stagingSchema(kind).map(({ name, type, mode }) => ({ name, type, mode: mode ?? 'NULLABLE' })) },
          writeDisposition: 'WRITE_APPEND',
          createDisposition: 'CREATE_IF_NEEDED',
        },
      });
      await this.waitFor(job, `load of ${sourceUris.length} shard(s) into ${table}`);
      jobIds.push(jobId);
    }
    return { jobs: jobIds.length, jobIds };
  }

  /**
   * Get-or-create by job id: a job that already exists (an earlier request of this attempt got through)
   * is attached to, never loaded again; a create racing another one gets HTTP 409 and attaches too.
   */
  private async createOrAttach(jobId: string, configuration: Record<string, unknown>): Promise<Job> {
    const existing = this.client.job(jobId, this.location ? { location: this.location } : {});
    const [exists] = await this.call(`look up job ${jobId}`, () => existing.exists());
    if (exists) return existing;
    try {
      const [job] = await withRetry(() => this.client.createJob({ jobId, location: this.location, configuration } as never), { isRetryable: isTransient });
      return job;
    } catch (error) {
      // BigQuery answers 409; the emulator answers 500 "job … is already created".
      if (statusOf(error) === 409 || /job .* is already created/i.test(errorMessage(error))) return existing;
      throw this.wrap(`create job ${jobId}`, error);
    }
  }

  private async waitFor(job: Job, what: string): Promise<void> {
    for (let delay = POLL_MIN_MS; ; delay = Math.min(POLL_MAX_MS, delay * 2)) {
      const [metadata] = await this.call(`poll job ${job.id}`, () => job.getMetadata());
      const status = metadata.status as { state?: string; errorResult?: { message?: string }; errors?: { message?: string; location?: string }[] } | undefined;
      if (status?.state === 'DONE') {
        if (status.errorResult) {
          const first = (status.errors ?? []).slice(0, 5).map((e) => `${e.location ? `${e.location}: ` : ''}${e.message}`).join('; ');
          throw new WarehouseError('BIGQUERY_JOB_FAILED', `${what} failed (job ${job.id}): ${status.errorResult.message ?? 'unknown error'}${first ? ` — first errors: ${first}` : ''}`);
        }
        return;
      }
      await sleep(delay);
    }
  }

  async runSql(name: SqlName, params: SqlParams = {}, scopes: readonly StageScope[] = []): Promise<Record<string, unknown>[]> {
    const query = stripLineComments(renderSql('bigquery', name, { ...this.templateValues, ...stageTemplateValues(this.runId, scopes, (table) => this.quote(table)) }));
    const used = Object.fromEntries(Object.entries(params).filter(([key]) => query.includes(`@${key}`)));
    const options: Query = { query, params: used, location: this.location, useLegacySql: false };
    try {
      const [job] = await withRetry(() => this.client.createQueryJob(options), { isRetryable: isTransient });
      const [rows] = await job.getQueryResults();
      return (rows as Record<string, unknown>[]).map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, plain(v)])));
    } catch (error) {
      throw this.wrap(`sql/bigquery/${name}.sql`, error);
    }
  }

  async close(): Promise<void> {}

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await withRetry(fn, { isRetryable: isTransient });
    } catch (error) {
      throw this.wrap(what, error);
    }
  }

  private wrap(what: string, error: unknown): Error {
    if (error instanceof WarehouseError || error instanceof TransientError || error instanceof UsageError) return error;
    const status = statusOf(error);
    // Emulators and the API can return multi-kilobyte messages (stack traces): keep the head.
    const detail = errorMessage(error);
    const message = `${this.description}: ${what}: ${detail.length > 600 ? `${detail.slice(0, 600)}…` : detail}`;
    if (status === 401 || status === 403) return new UsageError('BIGQUERY_DENIED', `${message} (check credentials and the project in --warehouse)`, error);
    // Concurrent DML on one table (many Cloud Run tasks merging at once) aborts one side: a later retry succeeds.
    if (isTransient(error) || /concurrent update|could not serialize access|too many DML statements/i.test(detail)) {
      return new TransientError('BIGQUERY_UNAVAILABLE', message, error);
    }
    return new WarehouseError('BIGQUERY_ERROR', message, error);
  }
}
