/** Config targets → the concrete Source, StagingStore and Warehouse implementations. */
import { accessSync, constants, existsSync } from 'node:fs';
import path from 'node:path';
import type { Storage } from '@google-cloud/storage';
import { LocalSource } from '../loader/sources/local.js';
import { LocalStagingStore, type StagingStore } from '../loader/staging/shards.js';
import type { Source } from '../loader/sources/source.js';
import type { Warehouse } from '../loader/warehouses/warehouse.js';
import type { Coordinator } from '../loader/fanout/coordinator.js';
import { UsageError } from '../errors.js';
import type { RunConfig } from './config.js';

// The Google Cloud clients and DuckDB's native module load only when a run needs them (start-up time).
/** Missing Application Default Credentials are a usage error before the first real GCS or BigQuery call. */
async function requireCredentials(): Promise<void> {
  await (await import('../loader/gcp/credentials.js')).requireCredentials();
}

let storage: Storage | null = null;

/** What reaching GCS needs. */
type StorageConfig = Pick<RunConfig, 'warehouse' | 'gcsEndpoint'>;

async function storageFor(config: StorageConfig): Promise<Storage> {
  if (!config.gcsEndpoint) await requireCredentials();
  const { createStorage } = await import('../loader/gcp/clients.js');
  const projectId = config.warehouse.kind === 'bigquery' ? config.warehouse.project : process.env.GOOGLE_CLOUD_PROJECT;
  storage ??= createStorage({ projectId, gcsEndpoint: config.gcsEndpoint });
  return storage;
}

export async function createSource(config: RunConfig): Promise<Source> {
  if (config.source.kind === 'local') return new LocalSource(config.source.dir);
  const { GcsSource } = await import('../loader/sources/gcs.js');
  return new GcsSource({
    bucket: (await storageFor(config)).bucket(config.source.bucket),
    prefix: config.source.prefix,
    glob: config.glob,
    window: config.window,
    timezone: config.timezone,
  });
}

/**
 * Each task and attempt stages under a folder of its own (`RUN_ID/tTASK/TAG/`), so a load job id derived
 * from the shard URIs is only ever re-used by a retried request of the same attempt.
 */
/** What staging needs: `run` and `merge` share it. */
export type StagingConfig = StorageConfig & Pick<RunConfig, 'staging' | 'runId' | 'task'>;

export async function createStaging(config: StagingConfig): Promise<StagingStore> {
  if (config.staging.kind === 'local') return new LocalStagingStore(path.resolve(config.staging.dir));
  const { GcsStagingStore } = await import('../loader/gcp/gcs-staging.js');
  return new GcsStagingStore((await storageFor(config)).bucket(config.staging.bucket), config.staging.prefix, config.runId, config.task);
}

/** The fan-out coordination objects live beside the run's staged shards (gs:// staging only). */
export async function createCoordinator(staging: StagingStore): Promise<Coordinator> {
  const { GcsStagingStore } = await import('../loader/gcp/gcs-staging.js');
  const { GcsCoordinator } = await import('../loader/fanout/coordinator.js');
  if (!(staging instanceof GcsStagingStore)) throw new UsageError('FANOUT_NEEDS_GCS', 'several tasks need --staging gs://BUCKET/PREFIX');
  return new GcsCoordinator(staging.bucket, staging.coordinationPrefix);
}

/** How a warehouse target is named in summaries and logs. */
export function describeWarehouse(target: RunConfig['warehouse']): string {
  // The resolved path: a person sees which file was written whatever folder the command ran in.
  return target.kind === 'duckdb' ? `duckdb:${path.resolve(target.path)}` : `bigquery://${target.project}/${target.dataset}`;
}

/** True when the warehouse does not exist yet (a DuckDB file to be created): nothing can be loaded in it. */
export function isNewWarehouse(config: RunConfig): boolean {
  if (config.warehouse.kind !== 'duckdb' || existsSync(config.warehouse.path)) return false;
  // A new file is created after the reading when the source downloads: a folder that cannot hold it is said now.
  const folder = path.dirname(path.resolve(config.warehouse.path));
  try {
    accessSync(folder, constants.W_OK);
  } catch (error) {
    throw new UsageError('BAD_WAREHOUSE', `--warehouse duckdb:${config.warehouse.path}: the folder ${folder} does not exist or is not writable`, error);
  }
  return true;
}

/** What opening a warehouse needs: `run` and the commands that only read it (`check`) share it. */
export type WarehouseConfig = Pick<RunConfig, 'warehouse' | 'location' | 'bigqueryEndpoint' | 'duckdbMemory' | 'runId'> & Partial<Pick<RunConfig, 'task' | 'waitLockMs'>>;

export async function createWarehouse(config: WarehouseConfig, options: { readOnly?: boolean } = {}): Promise<Warehouse> {
  if (config.warehouse.kind === 'duckdb') {
    const { DuckDbWarehouse } = await import('../loader/warehouses/duckdb.js');
    return DuckDbWarehouse.open(config.warehouse.path, config.runId, { memoryLimit: config.duckdbMemory, readOnly: options.readOnly, waitLockMs: config.waitLockMs });
  }
  const { project, dataset } = config.warehouse;
  if (!config.bigqueryEndpoint) await requireCredentials();
  const [{ createBigQuery }, { BigQueryWarehouse }] = await Promise.all([import('../loader/gcp/clients.js'), import('../loader/warehouses/bigquery.js')]);
  const client = createBigQuery({ projectId: project, bigqueryEndpoint: config.bigqueryEndpoint, location: config.location });
  // Query job ids name the run, the task and its attempt: a re-sent request attaches, a new process never does.
  const jobPrefix = config.task ? `velo_${config.runId}_t${config.task.index}_${config.task.tag}` : undefined;
  return new BigQueryWarehouse(client, project, dataset, config.runId, { location: config.location, jobPrefix });
}
