/**
 * `velo-backfill merge`: finish a run that did not merge: a fanned-out execution whose merging task died
 * (`--run-id ID --staging gs://…`), or a local run that --max-rejected held back (`--staging DIR`).
 */
import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import type { MergeResult } from '../../loader/stages/merge.js';
import type { MergeStatus, SliceReport } from '../../loader/stages/report.js';
import { UsageError } from '../../errors.js';
import { singleTask } from '../../loader/fanout/task.js';
import { checkRunId } from '../../loader/warehouses/warehouse.js';
import { parseGcsUri, parseWarehouse, type RunConfig } from '../config.js';
import { parseRejectLimit } from '../run-identity.js';
import type { CommandContext } from '../context.js';
import { exitCodeForRun } from '../exit-codes.js';
import { createCoordinator, createStaging, createWarehouse, describeWarehouse, type StagingConfig, type WarehouseConfig } from '../factories.js';
import { warehouseOptions } from '../options.js';
import { formatSummaryJson, formatSummaryTable } from '../summary.js';

interface MergeArgs {
  runId?: string;
  staging: string;
  warehouse: string;
  location?: string;
  duckdbMemory: string;
  bigqueryEndpoint?: string;
  gcsEndpoint?: string;
  waitLock?: number;
  keepStaging: boolean;
  maxRejected?: string;
  json: boolean;
}

function mergeOptions(y: Argv): Argv<MergeArgs> {
  return warehouseOptions(y)
    .option('run-id', { type: 'string', describe: 'gs:// staging: the execution to finish (its CLOUD_RUN_EXECUTION, or the --run-id its tasks ran with)' })
    .option('staging', { type: 'string', demandOption: true, describe: 'The gs://BUCKET/PREFIX the tasks staged under, or the local staging folder a held-back run printed' })
    .option('gcs-endpoint', { type: 'string', describe: 'GCS API endpoint (emulators; env VELO_GCS_ENDPOINT)' })
    .option('keep-staging', { type: 'boolean', default: false, describe: 'Keep the staged shards after the merge' })
    .option('max-rejected', { type: 'string', describe: 'Merge nothing when more files than this were rejected: a count (10) or a share (5%)' })
    .option('json', { type: 'boolean', default: false, describe: 'Print the summary as JSON on stdout' })
    .example('$0 merge --run-id velo-backfill-x7k2p --staging gs://bucket/staging --warehouse bigquery://my-project/vlille', 'Merge what every task staged')
    .example('$0 merge --staging .velo/runs/RUN_ID/staging --warehouse duckdb:./velo.duckdb', 'Merge a local run that --max-rejected held back') as unknown as Argv<MergeArgs>;
}

type MergeConfig = WarehouseConfig & StagingConfig & Pick<RunConfig, 'keepStaging' | 'maxRejected'>;

/** Where the run to finish staged: a fanned-out execution's gs:// prefix, or a held-back local run's folder. */
function mergeStaging(args: MergeArgs, warehouse: RunConfig['warehouse']): { runId: string; staging: RunConfig['staging'] } {
  if (args.staging.startsWith('gs://')) {
    if (!args.runId) throw new UsageError('BAD_USAGE', '--staging gs://… needs --run-id: the execution to finish');
    return { runId: checkRunId(args.runId), staging: { kind: 'gcs', ...parseGcsUri(args.staging, '--staging') } };
  }
  if (warehouse.kind !== 'duckdb') throw new UsageError('BAD_STAGING', '--warehouse bigquery://… merges a fanned-out execution: --staging must be the gs://BUCKET/PREFIX its tasks staged under');
  // The run id is in the folder's held-back record.
  return { runId: checkRunId(args.runId ?? 'held-back'), staging: { kind: 'local', dir: args.staging } };
}

/** What a merge needs: the same warehouse and staging as the run's tasks. */
function mergeConfig(args: MergeArgs, env: NodeJS.ProcessEnv = process.env): MergeConfig {
  const warehouse = parseWarehouse(args.warehouse);
  const { runId, staging } = mergeStaging(args, warehouse);
  // Its own tag: query job ids never collide with the tasks' or an earlier merge's.
  const task = { ...singleTask(), tag: `merge-${Math.random().toString(36).slice(2, 8)}` };
  return {
    runId,
    staging,
    warehouse,
    task,
    location: args.location,
    duckdbMemory: args.duckdbMemory,
    bigqueryEndpoint: args.bigqueryEndpoint ?? env.VELO_BIGQUERY_ENDPOINT,
    gcsEndpoint: args.gcsEndpoint ?? env.VELO_GCS_ENDPOINT,
    keepStaging: args.keepStaging,
    maxRejected: parseRejectLimit(args.maxRejected),
  };
}

async function mergeCommand(args: MergeArgs, { io, logger }: CommandContext): Promise<number> {
  const config = mergeConfig(args);
  const local = config.staging.kind === 'local';
  const { readHeldBack } = await import('../../loader/stages/held-back.js');
  const held = config.staging.kind === 'local' ? readHeldBack(path.resolve(config.staging.dir)) : null;
  const runId = held?.runId ?? config.runId;
  const staging = await createStaging(config);
  const coordinator = local ? null : await createCoordinator(staging);
  const { finishExecution, finishHeldBack } = await import('../../loader/finish.js');
  const { buildSummary } = await import('../../loader/stages/report.js');
  let opened: Promise<Awaited<ReturnType<typeof createWarehouse>>> | null = null;
  const log = logger.child({ runId, command: 'merge' });
  const startedAt = performance.now();
  const context = {
    runId,
    keepStaging: config.keepStaging,
    maxRejected: config.maxRejected,
    warehouse: async () => {
      opened ??= createWarehouse({ ...config, runId }).then(async (warehouse) => (await warehouse.ensureTables(), warehouse));
      return opened;
    },
    staging,
    logger: log,
    summary: (slice: SliceReport, merged: MergeResult | null, status: MergeStatus, note?: string) =>
      buildSummary({ runId, source: coordinator?.description ?? staging.description, warehouse: describeWarehouse(config.warehouse), task: config.task, slice, merged, merge: note ? { status, note } : { status }, wallSeconds: (performance.now() - startedAt) / 1000 }),
  };
  try {
    const summary = coordinator ? await finishExecution(context, coordinator) : await finishHeldBack(context, staging.spoolDir, held!);
    io.stdout(`${args.json ? formatSummaryJson(summary) : formatSummaryTable(summary)}\n`);
    return exitCodeForRun(summary);
  } finally {
    // A held-back folder stays until its merge succeeds (the merge's clean-up removes it then).
    if (!local) await staging.removeSpool();
    await (await (opened as Promise<{ close(): Promise<void> }> | null)?.catch(() => undefined))?.close();
  }
}

export function mergeCommandModule(context: CommandContext): CommandModule {
  return {
    command: 'merge',
    describe: 'Finish a run that did not merge: a fanned-out execution whose merging task died, or a local run --max-rejected held back (idempotent)',
    builder: (y) => mergeOptions(y) as unknown as Argv,
    handler: async (args) => context.setExitCode(await mergeCommand(args as unknown as MergeArgs, context)),
  };
}
