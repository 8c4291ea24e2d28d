/** Config targets → the concrete Source, StagingStore and Warehouse implementations. */
import path from 'node:path';
import { LocalSource } from '../loader/sources/local.js';
import { LocalStagingStore, type StagingStore } from '../loader/staging.js';
import type { Source } from '../loader/source.js';
import { DuckDbWarehouse } from '../loader/warehouses/duckdb.js';
import type { Warehouse } from '../loader/warehouse.js';
import { UsageError } from '../errors.js';
import type { RunConfig } from './config.js';

export async function createSource(config: RunConfig): Promise<Source> {
  if (config.source.kind === 'local') return new LocalSource(config.source.dir);
  throw new UsageError('NOT_AVAILABLE', 'gs:// sources are not available in this build');
}

export async function createStaging(config: RunConfig): Promise<StagingStore> {
  if (config.staging.kind === 'local') return new LocalStagingStore(path.resolve(config.staging.dir));
  throw new UsageError('NOT_AVAILABLE', 'gs:// staging is not available in this build');
}

export async function createWarehouse(config: RunConfig): Promise<Warehouse> {
  if (config.warehouse.kind === 'duckdb') return DuckDbWarehouse.open(config.warehouse.path, config.runId, { memoryLimit: config.duckdbMemory });
  throw new UsageError('NOT_AVAILABLE', 'bigquery:// warehouses are not available in this build');
}
