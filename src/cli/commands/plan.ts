/** `velo-backfill plan`: what `run` would read, and how it would split over tasks, without loading anything. */
import os from 'node:os';
import type { Argv, CommandModule } from 'yargs';
import { errorMessage } from '../../errors.js';
import type { ManifestEntry } from '../../loader/warehouse.js';
import { buildRunConfig, type RunArgs, type RunConfig } from '../config.js';
import { MAX_TASKS } from '../run-identity.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../../errors.js';
import { createSource, createWarehouse, isNewWarehouse } from '../factories.js';
import { sourceOptions, warehouseOptions } from '../options.js';
import { formatPlanTable } from '../plan-format.js';
import { describeIgnored } from '../summary.js';

type PlanArgs = RunArgs & { tasks: number };

function planOptions(y: Argv): Argv<PlanArgs> {
  return warehouseOptions(sourceOptions(y))
    .option('tasks', { type: 'number', default: 1, describe: `Tasks to split the files over, as a Cloud Run Job would (1–${MAX_TASKS})` })
    .option('shard-mb', { type: 'number', describe: 'Staged shard size the estimate assumes (MiB); default as for run: 32 into BigQuery (gs:// staging), 256 otherwise' })
    .option('workers', { type: 'number', describe: 'Worker threads per task the estimate assumes (default: this machine\'s cores)' })
    .option('force', { type: 'boolean', default: false, describe: 'Plan as if nothing were loaded (ignore the manifest)' })
    .option('json', { type: 'boolean', default: false, describe: 'Print the plan as one JSON object on stdout' })
    .example('$0 plan --source gs://bucket/raw --from 2023-08-01 --to 2023-09-01 --tasks 16', 'A month over 16 Cloud Run tasks')
    .example('$0 plan --source ./raw --json', 'Machine-readable') as unknown as Argv<PlanArgs>;
}

/**
 * The manifest of an existing warehouse, read without creating or changing anything: files loaded before are
 * not planned again. A warehouse that cannot be read is a warning, not a failure: the plan counts them then.
 */
async function readManifest(config: RunConfig, warnings: string[]): Promise<ReadonlyMap<string, ManifestEntry>> {
  if (config.force || isNewWarehouse(config)) return new Map();
  try {
    const warehouse = await createWarehouse(config, { readOnly: true });
    try {
      return await warehouse.loadedFiles();
    } finally {
      await warehouse.close();
    }
  } catch (error) {
    warnings.push(`the manifest of ${config.warehouse.kind === 'duckdb' ? config.warehouse.path : 'the dataset'} could not be read (${errorMessage(error).split('\n')[0]}): files loaded before are counted as to read`);
    return new Map();
  }
}

async function planCommand(args: PlanArgs, { io }: CommandContext): Promise<number> {
  if (!Number.isInteger(args.tasks) || args.tasks < 1 || args.tasks > MAX_TASKS) throw new UsageError('BAD_TASK', `--tasks must be a whole number from 1 to ${MAX_TASKS}, got ${args.tasks}`);
  const config = buildRunConfig({ ...args, keepStaging: false, json: args.json, streamThresholdMb: 0.5 }, process.env, 'plan');
  const source = await createSource(config);
  const warnings: string[] = [];
  const [listed, manifest] = await Promise.all([source.list({}), readManifest(config, warnings)]);
  const { selectFiles } = await import('../../loader/stages/plan.js');
  const { describePlan } = await import('../../loader/stages/plan-report.js');
  const selection = selectFiles(listed, { window: config.window, timezone: config.timezone, manifest });
  const report = describePlan(selection, { tasks: args.tasks, timezone: config.timezone, shardBytes: config.shardBytes, workers: args.workers ?? Math.max(1, os.availableParallelism()) });
  const notRead = describeIgnored(source.ignored ?? new Map());
  if (notRead) warnings.push(`files not read: ${notRead}`);
  report.warnings.unshift(...warnings);
  // JSON for programs: instants in UTC, as the report's first/last/gaps are.
  const utc = (ms: number): string | null => (Number.isFinite(ms) ? new Date(ms).toISOString() : null);
  const window = { from: utc(config.window.fromMs), to: utc(config.window.toMs), timezone: config.timezone };
  const shardMb = config.shardBytes / 1024 / 1024;
  io.stdout(`${args.json ? JSON.stringify({ source: source.description, window, shardMb, ...report }, null, 2) : formatPlanTable(source.description, report, { ...config, shardMb })}\n`);
  return 0;
}

export function planCommandModule(context: CommandContext): CommandModule {
  return {
    command: 'plan',
    describe: 'List what run would read (files, bytes, minutes, gaps) and how it splits over tasks; loads nothing',
    builder: (y) => planOptions(y) as unknown as Argv,
    handler: async (args) => context.setExitCode(await planCommand(args as unknown as PlanArgs, context)),
  };
}
