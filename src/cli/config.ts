/**
 * Flags + environment → one typed, frozen config. Every problem is collected and reported at
 * once as a usage error (exit 2), with what to write instead.
 */
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { checkTimeZone, makeWindow, type TimeWindow } from '../loader/sources/window.js';
import type { TaskIdentity } from '../loader/fanout/task.js';
import type { RejectLimit } from '../loader/run.js';
import { checkIdentifier, checkProjectId } from '../loader/warehouses/sql-files.js';
import { DEFAULT_SHARD_BYTES } from '../loader/staging/shards.js';
import { checkRunId, memoryBytes } from '../loader/warehouses/warehouse.js';
import { defaultRunId, parseRejectLimit, taskIdentity } from './run-identity.js';
import { DEFAULT_NETWORK, checkInputFormat, checkNetwork } from './format-flags.js';

/**
 * Default --concurrency. Downloads (gs://) hold a file's bytes until a worker takes it: this many per worker thread,
 * and never fewer than MIN_CONCURRENCY. Enough to hide a real GCS round trip: at 40 ms per request
 * (`npm run bench -- --source gcs --latency-ms 40`, 2 workers, pairs run while the machine was quiet) 16 in flight
 * kept 0.68–0.92× of the 0 ms throughput, 32 kept 0.58–0.91×, 64 kept 0.96–1.05×, for 10–30 MB more peak RSS than
 * 16 with 160 KB files (docs/performance.md).
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
  /** --network: the dataset's network. */
  network: string;
  /** --input-format: `auto` or one format id. */
  inputFormat: string;
  force: boolean;
  json: boolean;
  deadLetterPath: string;
  /** This run's own folder (staging and dead-letter report by default): `runs/RUN_ID` under --work-dir. */
  runDir: string;
  concurrency: number;
  workers: number;
  shardBytes: number;
  streamThresholdBytes: number;
  keepStaging: boolean;
  duckdbMemory: string;
  gcsEndpoint: string | undefined;
  bigqueryEndpoint: string | undefined;
  task: TaskIdentity;
  maxRejected: RejectLimit | null;
  verbose: boolean;
  /** DuckDB: how long to wait for a file another process is writing. */
  waitLockMs: number;
}

export interface RunArgs {
  source: string;
  warehouse: string;
  from?: string;
  to?: string;
  timezone: string;
  network?: string;
  inputFormat?: string;
  runId?: string;
  deadLetter?: string;
  staging?: string;
  workDir?: string;
  force: boolean;
  json: boolean;
  concurrency?: number;
  workers?: number;
  shardMb?: number;
  streamThresholdMb: number;
  keepStaging: boolean;
  duckdbMemory: string;
  glob?: string;
  location?: string;
  gcsEndpoint?: string;
  bigqueryEndpoint?: string;
  taskIndex?: number;
  taskCount?: number;
  taskAttempt?: number;
  maxRejected?: string;
  verbose?: boolean;
  waitLock?: number;
}

/** Staged shard sizes (MiB): DuckDB reads a local folder's shards in place; gs:// ones are uploaded as they fill. */
const LOCAL_SHARD_MB = 256;
const GCS_SHARD_MB = 32;

/** What is wrong with a bucket name, in GCS's own rules, or null when it is valid. */
function bucketNameProblem(bucket: string): string | null {
  if (bucket === '') return 'names no bucket';
  if (bucket.length < 3) return `has a bucket name "${bucket}" that is too short: GCS bucket names have 3 to 63 characters`;
  if (bucket.length > (bucket.includes('.') ? 222 : 63)) return `has a bucket name that is too long: GCS bucket names have 3 to 63 characters (222 with dots)`;
  if (!/^[a-z0-9][a-z0-9._-]*[a-z0-9]$/.test(bucket)) return `has a bucket name "${bucket}" GCS does not allow: lowercase letters, digits, -, _ and ., starting and ending with a letter or digit`;
  return null;
}

export function parseGcsUri(uri: string, flag: string): { bucket: string; prefix: string } {
  const m = /^gs:\/\/([^/]*)(?:\/(.*))?$/.exec(uri);
  if (!m) throw new UsageError('BAD_GCS_URI', `${flag} "${uri}" is not a gs://bucket[/prefix] URI`);
  const problem = bucketNameProblem(m[1] as string);
  if (problem) throw new UsageError('BAD_GCS_URI', `${flag} "${uri}" ${problem}`);
  const prefix = (m[2] ?? '').replace(/^\/+/, '');
  return { bucket: m[1] as string, prefix: prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/` };
}

export function parseSource(text: string): SourceTarget {
  if (text.trim() === '') throw new UsageError('BAD_SOURCE', '--source is empty: name a folder or gs://bucket/prefix');
  if (text.startsWith('gs://')) return { kind: 'gcs', ...parseGcsUri(text, '--source') };
  if (/^[a-z]+:\/\//i.test(text)) throw new UsageError('BAD_SOURCE', `--source "${text}": use a folder path or gs://bucket/prefix`);
  return { kind: 'local', dir: text };
}

export function parseWarehouse(text: string): WarehouseTarget {
  if (text.startsWith('duckdb:')) {
    // URL style, as for bigquery://: `duckdb://velo.duckdb` is a path relative to the current folder (it used to
    // write /velo.duckdb at the filesystem root), `duckdb:///data/velo.duckdb` an absolute one.
    const path = text.slice('duckdb:'.length).replace(/^\/\/(?=.)/, '');
    if (path === '' || path === '//') throw new UsageError('BAD_WAREHOUSE', '--warehouse duckdb: needs a file, e.g. duckdb:./velo.duckdb');
    return { kind: 'duckdb', path };
  }
  const bq = /^bigquery:\/\/([^/]+)\/([^/]+)\/?$/.exec(text);
  if (bq) return { kind: 'bigquery', project: checkProjectId(bq[1] as string), dataset: checkIdentifier(bq[2] as string, 'dataset') };
  throw new UsageError('BAD_WAREHOUSE', `--warehouse "${text}": use duckdb:FILE (e.g. duckdb:./velo.duckdb) or bigquery://PROJECT/DATASET`);
}

export function isMemorySize(value: string): boolean {
  try {
    return memoryBytes(value) > 0;
  } catch {
    return false;
  }
}

/**
 * Every problem with the flags is reported at once: `attempt` runs one parser and keeps its usage error's
 * message instead of stopping at the first.
 */
export function usageProblems(): { problems: string[]; attempt: <T>(fn: () => T) => T | undefined } {
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
  return { problems, attempt };
}

function positiveInt(value: number | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0) throw new UsageError('BAD_NUMBER', `${flag} must be a whole number ≥ 0, got ${value}`);
  return value;
}

/**
 * Where run folders go: --work-dir, else `.velo/` beside the DuckDB file (its runs belong to that file, whatever
 * directory the command is started from), else `./.velo` (BigQuery). Absolute.
 */
function workDir(flag: string | undefined, warehouse: WarehouseTarget | undefined): string {
  if (flag) return path.resolve(flag);
  return warehouse?.kind === 'duckdb' ? path.join(path.dirname(path.resolve(warehouse.path)), '.velo') : path.resolve('.velo');
}

/** Where the run loads from and how many tasks share it: problems with that combination. */
function placementProblems(
  args: RunArgs,
  env: NodeJS.ProcessEnv,
  purpose: 'run' | 'plan',
  { warehouse, staging, task }: { warehouse?: WarehouseTarget; staging?: StagingTarget; task?: TaskIdentity },
): string[] {
  const problems: string[] = [];
  // A --staging gs://… that did not parse has its own message: not also "add --staging gs://…".
  if (purpose === 'run' && warehouse?.kind === 'bigquery' && staging?.kind !== 'gcs' && !args.staging?.startsWith('gs://')) {
    problems.push('--warehouse bigquery://… loads from GCS: add --staging gs://BUCKET/PREFIX');
  }
  if (task && task.count > 1) {
    // Tasks are separate machines: they share staging and the warehouse, never a local disk.
    if (warehouse?.kind !== 'bigquery' || staging?.kind !== 'gcs') problems.push(`${task.count} tasks need --warehouse bigquery://… and --staging gs://… (an embedded DuckDB file has one writer): run one task, or load BigQuery`);
    if (!args.runId && !env.CLOUD_RUN_EXECUTION) problems.push(`${task.count} tasks must share one run id: pass the same --run-id to every task (Cloud Run sets CLOUD_RUN_EXECUTION)`);
  }
  return problems;
}

/** Workers, files in flight and shard size (defaults follow the source and staging), and the other number flags. */
function tuningFlags(
  args: RunArgs,
  { source, staging, warehouse, purpose }: { source?: SourceTarget; staging?: StagingTarget; warehouse?: WarehouseTarget; purpose: 'run' | 'plan' },
  attempt: ReturnType<typeof usageProblems>['attempt'],
  problems: string[],
): { workers: number | undefined; concurrency: number | undefined; shardMb: number } {
  const workers = attempt(() => positiveInt(args.workers, '--workers', Math.max(1, os.availableParallelism())));
  // Enough files in flight to feed every worker and to hide download latency on a small machine.
  const defaultConcurrency =
    source?.kind === 'local' ? LOCAL_FILES_QUEUED_PER_WORKER * Math.max(1, workers ?? 1) : Math.max(MIN_CONCURRENCY, FILES_IN_FLIGHT_PER_WORKER * (workers ?? 1));
  const concurrency = attempt(() => positiveInt(args.concurrency, '--concurrency', defaultConcurrency));
  // gs:// shards are uploaded as they fill: small ones keep a Cloud Run task's disk (its memory) nearly empty.
  // plan has no --staging: into BigQuery the run stages on gs://, so the plan assumes what that run would use.
  const stagedOnGcs = staging?.kind === 'gcs' || (purpose === 'plan' && warehouse?.kind === 'bigquery');
  const shardMb = args.shardMb ?? (stagedOnGcs ? GCS_SHARD_MB : LOCAL_SHARD_MB);
  if (!(shardMb > 0)) problems.push(`--shard-mb must be > 0, got ${shardMb}`);
  if (!isMemorySize(args.duckdbMemory)) problems.push(`--duckdb-memory "${args.duckdbMemory}": use a size such as 128MB or 1GB`);
  if (!(args.streamThresholdMb > 0)) problems.push(`--stream-threshold-mb must be > 0, got ${args.streamThresholdMb}`);
  if (args.waitLock !== undefined && !(args.waitLock >= 0)) problems.push(`--wait-lock must be a number of seconds ≥ 0, got ${args.waitLock}`);
  return { workers, concurrency, shardMb };
}

/** `plan` reads the source and the warehouse's manifest only: it needs no staging. */
export function buildRunConfig(args: RunArgs, env: NodeJS.ProcessEnv = process.env, purpose: 'run' | 'plan' = 'run'): RunConfig {
  const { problems, attempt } = usageProblems();

  const source = attempt(() => parseSource(args.source));
  const warehouse = attempt(() => parseWarehouse(args.warehouse));
  const timezone = attempt(() => checkTimeZone(args.timezone));
  const window = timezone ? attempt(() => makeWindow(args.from, args.to, timezone)) : undefined;
  const task = attempt(() => taskIdentity(args, env));
  const network = attempt(() => checkNetwork(args.network ?? DEFAULT_NETWORK));
  const inputFormat = attempt(() => checkInputFormat(args.inputFormat ?? 'auto'));
  const requestedRunId = args.runId ?? defaultRunId(env);
  const runId = attempt(() => checkRunId(requestedRunId));
  const maxRejected = attempt(() => parseRejectLimit(args.maxRejected));
  const runDir = path.join(workDir(args.workDir, warehouse), 'runs', `${runId ?? 'run'}${task && task.count > 1 ? `/t${task.index}` : ''}`);
  const staging = attempt((): StagingTarget => {
    if (args.staging?.startsWith('gs://')) return { kind: 'gcs', ...parseGcsUri(args.staging, '--staging') };
    return { kind: 'local', dir: args.staging ? `${args.staging.replace(/\/+$/, '')}/${runId}` : `${runDir}/staging` };
  });
  problems.push(...placementProblems(args, env, purpose, { warehouse, staging, task }));
  const { workers, concurrency, shardMb } = tuningFlags(args, { source, staging, warehouse, purpose }, attempt, problems);

  if (problems.length > 0 || !source || !warehouse || !timezone || !window || !runId || !staging || concurrency === undefined || workers === undefined || !task || maxRejected === undefined || !network || !inputFormat) {
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
    network,
    inputFormat,
    force: args.force,
    json: args.json,
    // Absolute: the summary names a file a person can open from anywhere.
    deadLetterPath: path.resolve(args.deadLetter ?? `${runDir}/dead-letter.ndjson`),
    runDir,
    concurrency: Math.max(1, concurrency),
    workers,
    shardBytes: Math.round(shardMb * 1024 * 1024) || DEFAULT_SHARD_BYTES,
    streamThresholdBytes: Math.round(args.streamThresholdMb * 1024 * 1024),
    keepStaging: args.keepStaging,
    duckdbMemory: args.duckdbMemory.replace(/\s+/g, ''),
    gcsEndpoint: args.gcsEndpoint ?? env.VELO_GCS_ENDPOINT,
    bigqueryEndpoint: args.bigqueryEndpoint ?? env.VELO_BIGQUERY_ENDPOINT,
    task,
    maxRejected,
    verbose: args.verbose ?? false,
    waitLockMs: Math.round((args.waitLock ?? 0) * 1000),
  });
}
