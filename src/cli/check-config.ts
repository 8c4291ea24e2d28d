/**
 * `velo-backfill check` flags → one typed, frozen config. Like the run's config, every problem is collected
 * and reported at once as a usage error (exit 2).
 */
import { existsSync } from 'node:fs';
import { UsageError } from '../errors.js';
import type { CheckOptions } from '../check/options.js';
import { parseDuration } from '../check/durations.js';
import { checkTimeZone, makeWindow } from '../loader/sources/window.js';
import { isMemorySize, parseWarehouse, usageProblems } from './config.js';
import { defaultRunId } from './run-identity.js';
import type { WarehouseConfig } from './factories.js';

export const CHECK_FORMATS = ['table', 'json', 'html'] as const;
export type CheckFormat = (typeof CHECK_FORMATS)[number];

export interface CheckArgs {
  warehouse: string;
  from?: string;
  to?: string;
  timezone: string;
  format: string;
  output?: string;
  strict: boolean;
  allowEmpty: boolean;
  expectedStations?: number;
  maxGap: string;
  maxStaleness: string;
  maxAge?: string;
  capacitySupport: number;
  duckdbMemory: string;
  waitLock?: number;
  location?: string;
  bigqueryEndpoint?: string;
}

export interface CheckConfig extends WarehouseConfig {
  options: CheckOptions;
  format: CheckFormat;
  output: string | undefined;
  strict: boolean;
  allowEmpty: boolean;
}

export function buildCheckConfig(args: CheckArgs, env: NodeJS.ProcessEnv = process.env): CheckConfig {
  const { problems, attempt } = usageProblems();
  const warehouse = attempt(() => parseWarehouse(args.warehouse));
  // check only reads: opening a missing DuckDB file would create an empty warehouse.
  if (warehouse?.kind === 'duckdb' && !existsSync(warehouse.path)) {
    problems.push(`--warehouse duckdb:${warehouse.path}: no such file. check reads an existing warehouse: load one with "velo-backfill run", or fix the path`);
  }
  const timezone = attempt(() => checkTimeZone(args.timezone));
  const window = timezone ? attempt(() => makeWindow(args.from, args.to, timezone)) : undefined;
  const maxGapMs = attempt(() => parseDuration(args.maxGap, '--max-gap'));
  const maxStalenessMs = attempt(() => parseDuration(args.maxStaleness, '--max-staleness'));
  const maxAgeMs = args.maxAge === undefined ? undefined : attempt(() => parseDuration(args.maxAge as string, '--max-age'));
  const expected = args.expectedStations;
  if (expected !== undefined && !(Number.isInteger(expected) && expected > 0)) problems.push(`--expected-stations must be a whole number > 0, got ${expected}`);
  if (!(args.capacitySupport > 0 && args.capacitySupport <= 100)) problems.push(`--capacity-support must be a percentage in (0, 100], got ${args.capacitySupport}`);
  if (!(CHECK_FORMATS as readonly string[]).includes(args.format)) problems.push(`--format "${args.format}": use table, json or html`);
  if (!isMemorySize(args.duckdbMemory)) problems.push(`--duckdb-memory "${args.duckdbMemory}": use a size such as 128MB or 1GB`);

  if (problems.length > 0 || !warehouse || !timezone || !window || maxGapMs === undefined || maxStalenessMs === undefined || (args.maxAge !== undefined && maxAgeMs === undefined)) {
    throw new UsageError('BAD_USAGE', problems.join('\n'));
  }
  return Object.freeze({
    warehouse,
    location: args.location,
    bigqueryEndpoint: args.bigqueryEndpoint ?? env.VELO_BIGQUERY_ENDPOINT,
    duckdbMemory: args.duckdbMemory.replace(/\s+/g, ''),
    waitLockMs: Math.max(0, Math.round((args.waitLock ?? 0) * 1000)),
    runId: defaultRunId(),
    options: Object.freeze({ window, timezone, expectedStations: expected, maxGapMs, maxStalenessMs, maxAgeMs, capacitySupportPct: args.capacitySupport }),
    format: args.format as CheckFormat,
    output: args.output,
    strict: args.strict,
    allowEmpty: args.allowEmpty,
  });
}
