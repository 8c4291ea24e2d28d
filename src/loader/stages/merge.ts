/**
 * Stage 4, merge: every task's staging tables, deduplicated, MERGEd into the target tables in one
 * transaction together with the manifest (sql/<dialect>/dedupe.sql, merge.sql), then counted. Idempotent:
 * merging the same staging tables again inserts nothing. Runs once per run, whatever the number of tasks.
 */
import PQueue from 'p-queue';
import { WarehouseError, errorMessage } from '../../errors.js';
import type { Logger } from '../output/log.js';
import type { StageScope, Warehouse } from '../warehouses/warehouse.js';

export interface MergeInput {
  runId: string;
  /** The run's window as SQL parameters (windowParams): the manifest records which part of each file it merged. */
  window: { from: string; to: string };
  /** The tasks whose staging tables hold rows (a task with an empty slice has none). */
  scopes: readonly StageScope[];
}

export interface MergeResult {
  /** Staged rows inside the window, duplicates included. */
  inRangeRows: number;
  /** Rows of `records` written by this run. */
  newRows: number;
  /** Located rows (MEL CSV) in the window at no single station's coordinates: rejected. */
  unlocatedRows: number;
  /** Files this run added rows from, or recorded as wholly loaded (the rest of those it read added nothing). */
  loadedFiles: number;
}

export async function mergeStaged(input: MergeInput, warehouse: Warehouse, logger: Logger): Promise<MergeResult> {
  if (input.scopes.length === 0) return { inRangeRows: 0, newRows: 0, unlocatedRows: 0, loadedFiles: 0 };
  const params = { ...input.window, run_id: input.runId };
  logger.info({ tasks: input.scopes.length }, 'merging');
  await warehouse.runSql('dedupe', params, input.scopes);
  await warehouse.runSql('merge', params, input.scopes);
  const [stats] = await warehouse.runSql('stats', params, input.scopes);
  const result = {
    inRangeRows: Number(stats?.in_range_rows ?? 0),
    newRows: Number(stats?.new_rows ?? 0),
    unlocatedRows: Number(stats?.unlocated_rows ?? 0),
    loadedFiles: Number(stats?.loaded_files ?? 0),
  };
  if (result.unlocatedRows > 0) logger.warn({ rows: result.unlocatedRows }, 'located rows (MEL CSV) at no station\'s coordinates: rejected');
  // Never report rows merged that are not in the tables: the manifest must list every file the run recorded now.
  const [recordable, recorded] = [Number(stats?.recordable_files ?? 0), Number(stats?.recorded_files ?? 0)];
  if (recorded < recordable) {
    throw new WarehouseError('MERGE_NOT_RECORDED', `the merge committed, but the manifest of ${warehouse.description} lists ${recorded} of the run's ${recordable} file(s) with rows: nothing can be reported as merged`);
  }
  logger.info({ merged: result.newRows, tasks: input.scopes.length }, 'merged');
  return result;
}

/** How many tasks' staging tables are dropped at once (BigQuery: one small query job each). */
const DROP_CONCURRENCY = 8;

/**
 * Drops the run's scratch and staging tables. Best effort: the rows are merged already, and a leftover
 * table is scratch space a later look can remove, so a failure here is a warning, never a failed run.
 */
export async function dropStaging(warehouse: Warehouse, scopes: readonly StageScope[], logger: Logger): Promise<boolean> {
  // The scratch objects read the staging tables: they go first.
  const scratch = await Promise.allSettled([warehouse.runSql('drop_scratch')]);
  const queue = new PQueue({ concurrency: DROP_CONCURRENCY });
  const drops = await Promise.allSettled(scopes.map((scope) => queue.add(() => warehouse.runSql('drop_staging', {}, [scope]))));
  const failures = [...scratch, ...drops].filter((outcome) => outcome.status === 'rejected');
  for (const failure of failures) logger.warn({ err: errorMessage((failure as PromiseRejectedResult).reason) }, 'could not drop a staging table (left for a later clean-up)');
  return failures.length === 0;
}
