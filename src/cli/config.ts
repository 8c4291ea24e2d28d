/**
 * Flags + environment → one typed, frozen config. Every problem is collected and reported at
 * once as a usage error (exit 2), with what to write instead.
 */
import os from 'node:os';
import { UsageError } from '../errors.js';
import { checkTimeZone, makeWindow, type TimeWindow } from '../loader/plan.js';
import { checkIdentifier, checkProjectId } from '../loader/sql-files.js';
import { DEFAULT_SHARD_BYTES } from '../loader/staging.js';
import { checkRunId, memoryBytes } from '../loader/warehouse.js';

/**
 * Default --concurrency. Downloads (gs://) hold a file's bytes until a worker takes it: this many per worker thread,
 * and never fewer than MIN_CONCURRENCY. Enough to hide a real GCS round trip: at 40 ms per request
 * (`npm run bench -- --source gcs --latency-ms 40`, 2 workers, pairs run while the machine was quiet) 16 in flight
 * kept 0.68–0.92× of the 0 ms throughput, 32 kept 0.58–0.91×, 64 kept 0.96–1.05×, for 10–30 MB more peak RSS than
 * 16 with 160 KB files (README, Performance).
 */
const FILES_IN_FLIGHT_PER_WORKER = 32;
const MIN_CONCURRENCY = 16;
/**
 * Local files are read by the workers themselves, so only their paths wait in line: ~0.25 s of work queued in each
 * worker rides out a pause of the main thread (loading DuckDB's native module blocks it that long) instead of the
 * workers waiting for it. Measured: workers idle 0.7–0.85 s of a 4.7–6.8 s read with 16 files queued, 0.22–0.26 s
 * with 64–128.
 */
const LOCAL_FILES_QUEUED_PER_WORKER = 128;

export type SourceTarget = { kind: 'local'; dir: string } | { kind: 'gcs'; bucket: string; prefix: string };
export type WarehouseTarget = { kind: 'duckdb'; path: string } | { kind: 'bigquery'; project: string; dataset: string };
export type StagingTarget = { kind: 'local'; dir: string } | { kind: 'gcs'; bucket: string; prefix: string };

export interface RunConfig {
  source: SourceTarget;
  glob: string | undefined;
  warehouse: WarehouseTarget;
  location: string | undefined;
  staging: StagingTarget;
  runId: string;
  window: TimeWindow;
  timezone: string;
  force: boolean;
  json: boolean;
  deadLetterPath: string;
  concurrency: number;
  workers: number;
  shardBytes: number;
  streamThresholdBytes: number;
  keepStaging: boolean;
  duckdbMemory: string;
  gcsEndpoint: string | undefined;
  bigqueryEndpoint: string | undefined;
}

export interface RunArgs {
  source: string;
  warehouse: string;
  from?: string;
  to?: string;
  timezone: string;
  runId?: string;
  deadLetter?: string;
  staging?: string;
  force: boolean;
  json: boolean;
  concurrency?: number;
  workers?: number;
  shardMb: number;
  streamThresholdMb: number;
  keepStaging: boolean;
  duckdbMemory: string;
  glob?: string;
  location?: string;
  gcsEndpoint?: string;
  bigqueryEndpoint?: string;
}

function parseGcsUri(uri: string, flag: string): { bucket: string; prefix: string } {
  const m = /^gs:\/\/([a-z0-9][a-z0-9._-]{1,220}[a-z0-9])(?:\/(.*))?$/.exec(uri);
  if (!m) throw new UsageError('BAD_GCS_URI', `${flag} "${uri}" is not a gs://bucket[/prefix] URI`);
  const prefix = (m[2] ?? '').replace(/^\/+/, '');
  return { bucket: m[1] as string, prefix: prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/` };
}

export function parseSource(text: string): SourceTarget {
  if (text.startsWith('gs://')) return { kind: 'gcs', ...parseGcsUri(text, '--source') };
  if (/^[a-z]+:\/\//i.test(text)) throw new UsageError('BAD_SOURCE', `--source "${text}": use a folder path or gs://bucket/prefix`);
  return { kind: 'local', dir: text };
}

export function parseWarehouse(text: string): WarehouseTarget {
  if (text.startsWith('duckdb:')) {
    const path = text.slice('duckdb:'.length);
    if (path === '') throw new UsageError('BAD_WAREHOUSE', '--warehouse duckdb: needs a file, e.g. duckdb:./velo.duckdb');
    return { kind: 'duckdb', path };
  }
  const bq = /^bigquery:\/\/([^/]+)\/([^/]+)\/?$/.exec(text);
  if (bq) return { kind: 'bigquery', project: checkProjectId(bq[1] as string), dataset: checkIdentifier(bq[2] as string, 'dataset') };
  throw new UsageError('BAD_WAREHOUSE', `--warehouse "${text}": use duckdb:FILE (e.g. duckdb:./velo.duckdb) or bigquery://PROJECT/DATASET`);
}

export function defaultRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const execution = process.env.CLOUD_RUN_EXECUTION;
  const suffix = execution ? `${execution}_t${process.env.CLOUD_RUN_TASK_INDEX ?? '0'}` : Math.random().toString(36).slice(2, 8);
  return `${stamp}_${suffix}`.replace(/[^A-Za-z0-9_]/g, '_');
}

function isMemorySize(value: string): boolean {
  try {
    memoryBytes(value);
    return true;
  } catch {
    return false;
  }
}

function positiveInt(value: number | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0) throw new UsageError('BAD_NUMBER', `${flag} must be a whole number ≥ 0, got ${value}`);
  return value;
}

export function buildRunConfig(args: RunArgs, env: NodeJS.ProcessEnv = process.env): RunConfig {
  const problems: string[] = [];
  const attempt = <T>(fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (error) {
      if (!(error instanceof UsageError) && !(error as { kind?: string }).kind) throw error;
      problems.push((error as Error).message);
      return undefined;
    }
  };

  const source = attempt(() => parseSource(args.source));
  const warehouse = attempt(() => parseWarehouse(args.warehouse));
  const timezone = attempt(() => checkTimeZone(args.timezone));
  const window = timezone ? attempt(() => makeWindow(args.from, args.to, timezone)) : undefined;
  const requestedRunId = args.runId ?? defaultRunId();
  const runId = attempt(() => checkRunId(requestedRunId));
  const runDir = `.velo/runs/${runId ?? 'run'}`;
  const staging = attempt((): StagingTarget => {
    if (args.staging?.startsWith('gs://')) return { kind: 'gcs', ...parseGcsUri(args.staging, '--staging') };
    return { kind: 'local', dir: args.staging ? `${args.staging.replace(/\/+$/, '')}/${runId}` : `${runDir}/staging` };
  });
  if (warehouse?.kind === 'bigquery' && staging?.kind !== 'gcs') {
    problems.push('--warehouse bigquery://… loads from GCS: add --staging gs://BUCKET/PREFIX');
  }
  const workers = attempt(() => positiveInt(args.workers, '--workers', Math.max(1, os.availableParallelism())));
  // Enough files in flight to feed every worker and to hide download latency on a small machine.
  const defaultConcurrency =
    source?.kind === 'local' ? LOCAL_FILES_QUEUED_PER_WORKER * Math.max(1, workers ?? 1) : Math.max(MIN_CONCURRENCY, FILES_IN_FLIGHT_PER_WORKER * (workers ?? 1));
  const concurrency = attempt(() => positiveInt(args.concurrency, '--concurrency', defaultConcurrency));
  if (!(args.shardMb > 0)) problems.push(`--shard-mb must be > 0, got ${args.shardMb}`);
  if (!isMemorySize(args.duckdbMemory)) problems.push(`--duckdb-memory "${args.duckdbMemory}": use a size such as 128MB or 1GB`);
  if (!(args.streamThresholdMb > 0)) problems.push(`--stream-threshold-mb must be > 0, got ${args.streamThresholdMb}`);

  if (problems.length > 0 || !source || !warehouse || !timezone || !window || !runId || !staging || concurrency === undefined || workers === undefined) {
    throw new UsageError('BAD_USAGE', problems.join('\n'));
  }
  return Object.freeze({
    source,
    glob: args.glob,
    warehouse,
    location: args.location,
    staging,
    runId,
    window,
    timezone,
    force: args.force,
    json: args.json,
    deadLetterPath: args.deadLetter ?? `${runDir}/dead-letter.ndjson`,
    concurrency: Math.max(1, concurrency),
    workers,
    shardBytes: Math.round(args.shardMb * 1024 * 1024) || DEFAULT_SHARD_BYTES,
    streamThresholdBytes: Math.round(args.streamThresholdMb * 1024 * 1024),
    keepStaging: args.keepStaging,
    duckdbMemory: args.duckdbMemory.replace(/\s+/g, ''),
    gcsEndpoint: args.gcsEndpoint ?? env.VELO_GCS_ENDPOINT,
    bigqueryEndpoint: args.bigqueryEndpoint ?? env.VELO_BIGQUERY_ENDPOINT,
  });
}
