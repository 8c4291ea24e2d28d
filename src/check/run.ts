/**
 * Runs the checks in the warehouse: a summary of the window, one query per check, and the chart's bucketed
 * series. Everything is aggregated in SQL; Node only receives capped example rows and ≤ MAX_POINTS buckets.
 */
import { TransientError, UsageError, errorMessage } from '../errors.js';
import { windowParams } from '../loader/sources/window.js';
import type { Warehouse } from '../loader/warehouses/warehouse.js';
import { CHECKS, type CheckContext } from './definitions.js';
import { evaluateCheck, gapsFromRows } from './evaluate.js';
import type { CheckOptions } from './options.js';
import { alignRange, chartRange, chooseBucket, seriesFromRows, summaryFromRow } from './series.js';
import type { CheckReport, CheckResult, Gap } from './types.js';

/** What the checks need of a warehouse: its name and its SQL files. */
export type CheckWarehouse = Pick<Warehouse, 'description' | 'runSql'>;

/** A warehouse without the tables (an empty DuckDB file, a dataset never loaded) is a usage problem. */
function missingTables(error: unknown): boolean {
  return !(error instanceof TransientError) && /does not exist|not found|notFound/i.test(errorMessage(error));
}

async function readSummary(warehouse: CheckWarehouse, options: CheckOptions): Promise<Record<string, unknown> | undefined> {
  try {
    return (await warehouse.runSql('checks/_summary', windowParams(options.window)))[0];
  } catch (error) {
    if (missingTables(error)) {
      throw new UsageError('NO_TABLES', `${warehouse.description} has no velo-backfill tables (records, stations, _velo_files): load it with "velo-backfill run" first, or fix --warehouse (${errorMessage(error).split('\n')[0]})`, error);
    }
    throw error;
  }
}

const NO_ROWS = 'not run: no rows to check';

export async function runChecks(warehouse: CheckWarehouse, options: CheckOptions, nowMs = Date.now()): Promise<CheckReport> {
  const summary = summaryFromRow(await readSummary(warehouse, options), options.expectedStations);
  const context: CheckContext = { expectedStations: summary.expectedStations, nowMs };
  const checks: CheckResult[] = [];
  const skipped: { name: string; reason: string }[] = [];
  let gaps: Gap[] = [];
  for (const definition of CHECKS) {
    // No rows: a check that "passes" would vouch for nothing (snapshots with fewer than 0 stations).
    const enabled = summary.rows === 0 ? NO_ROWS : (definition.enabled?.(options) ?? true);
    if (enabled !== true) {
      skipped.push({ name: definition.name, reason: enabled });
      continue;
    }
    const rows = await warehouse.runSql(`checks/${definition.name}`, definition.params(options, context));
    checks.push(evaluateCheck(definition, rows, options, context));
    if (definition.name === 'gaps') gaps = gapsFromRows(rows);
  }
  const data = chartRange(options.window, summary, nowMs);
  const bucketMs = chooseBucket(data.fromMs, data.toMs);
  const range = alignRange(data, bucketMs, options.window);
  const series = await warehouse.runSql('checks/_series', { ...windowParams(options.window), bucket_ms: String(bucketMs), expected: String(summary.expectedStations) });
  return {
    warehouse: warehouse.description,
    generatedAtMs: nowMs,
    window: options.window,
    timezone: options.timezone,
    summary,
    checks,
    skipped,
    chart: { ...range, bucketMs, points: seriesFromRows(series), gaps },
  };
}

