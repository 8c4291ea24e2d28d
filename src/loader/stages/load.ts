/**
 * Stage 3, load: publish a staged package's shards where the warehouse can read them (in place, or
 * uploaded to gs://) and bulk-load them into this task's staging tables, then cut them to the window.
 * Few, large loads: one load job per 10,000 shards per table (BigQuery), one read_json per table (DuckDB).
 */
import type { Logger } from '../output/log.js';
import { TABLE_KINDS, type TableKind } from '../warehouses/schemas.js';
import type { StagingStore } from '../staging/shards.js';
import type { StageScope, Warehouse } from '../warehouses/warehouse.js';
import { windowParams, type TimeWindow } from '../sources/window.js';
import type { StagedPackage } from './extract.js';

export interface LoadedStage {
  scope: StageScope;
  loadJobs: Record<TableKind, number>;
  jobIds: Record<TableKind, string[]>;
}

export interface LoadDeps {
  staging: StagingStore;
  warehouse: Warehouse;
  logger: Logger;
}

export async function loadPackage(pkg: Pick<StagedPackage, 'shards'>, scope: StageScope, window: TimeWindow, deps: LoadDeps): Promise<LoadedStage> {
  const { warehouse, staging, logger } = deps;
  const loaded: LoadedStage = { scope, loadJobs: { records: 0, stations: 0, files: 0, located: 0 }, jobIds: { records: [], stations: [], files: [], located: [] } };
  await warehouse.runSql('create_staging', {}, [scope]);
  for (const kind of TABLE_KINDS) {
    const uris = await staging.publish(pkg.shards[kind]);
    const report = await warehouse.loadStaging(scope, kind, uris);
    loaded.loadJobs[kind] = report.jobs;
    loaded.jobIds[kind] = report.jobIds;
    logger.info({ table: kind, shards: uris.length, jobs: report.jobs, jobIds: report.jobIds, rssMb: Math.round(process.memoryUsage.rss() / 1e6) }, 'staging loaded');
  }
  // File names only pre-filter the window (with a margin); this is the exact cut, on this task's rows.
  await warehouse.runSql('clean', windowParams(window), [scope]);
  return loaded;
}
