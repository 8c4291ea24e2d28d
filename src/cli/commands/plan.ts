/** `velo-backfill plan`: what `run` would read, and how it would split over tasks, without loading anything. */
import os from 'node:os';
import type { Argv, CommandModule } from 'yargs';
import { errorMessage } from '../../errors.js';
import type { ManifestEntry } from '../../loader/warehouses/warehouse.js';
import { buildRunConfig, type RunArgs, type RunConfig } from '../config.js';
import { MAX_TASKS } from '../run-identity.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../../errors.js';
import { createSource, createWarehouse, isNewWarehouse } from '../factories.js';
import { planRunFlags, sourceOptions, warehouseOptions } from '../options.js';
import { formatPlanTable } from '../plan-format.js';
import { describeIgnored } from '../summary.js';

type PlanArgs = RunArgs & { tasks?: number };

function planOptions(y: Argv): Argv<PlanArgs> {
  const withTasks = warehouseOptions(sourceOptions(y))
    .option('tasks', { type: 'number', describe: `Tasks to split the files over, as a Cloud Run Job would (1–${MAX_TASKS}; default: --task-count, else 1)` })
    .group(['tasks'], 'Plan:');
  return planRunFlags(withTasks)
    .example('$0 plan --source gs://bucket/raw --staging gs://bucket/staging --warehouse bigquery://p/vlille', 'A run command line with run → plan: what that run would do')
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
  const tasks = args.tasks ?? args.taskCount ?? 1;
  if (!Number.isInteger(tasks) || tasks < 1 || tasks > MAX_TASKS) throw new UsageError('BAD_TASK', `--tasks must be a whole number from 1 to ${MAX_TASKS}, got ${tasks}`);
  // The plan is of the whole run, whichever task this command line names.
  const config = buildRunConfig({ ...args, taskIndex: undefined, taskCount: undefined, taskAttempt: undefined }, { ...process.env, CLOUD_RUN_TASK_INDEX: undefined, CLOUD_RUN_TASK_COUNT: undefined }, 'plan');
  const source = await createSource(config);
  const warnings: string[] = [];
  const [listed, manifest] = await Promise.all([source.list({}), readManifest(config, warnings)]);
  const { selectFiles } = await import('../../loader/stages/plan.js');
  const { describePlan } = await import('../../loader/stages/plan-report.js');
  const selection = selectFiles(listed, { window: config.window, timezone: config.timezone, manifest });
  const report = describePlan(selection, { tasks, window: config.window, timezone: config.timezone, shardBytes: config.shardBytes, workers: args.workers ?? Math.max(1, os.availableParallelism()) });
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
