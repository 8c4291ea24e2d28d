/** `velo-backfill merge --run-id ID`: finish a fanned-out execution whose merging task died. */
import type { Argv, CommandModule } from 'yargs';
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
  runId: string;
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
    .option('run-id', { type: 'string', demandOption: true, describe: 'The execution to finish (its CLOUD_RUN_EXECUTION, or the --run-id its tasks ran with)' })
    .option('staging', { type: 'string', demandOption: true, describe: 'The gs://BUCKET/PREFIX its tasks staged under' })
    .option('gcs-endpoint', { type: 'string', describe: 'GCS API endpoint (emulators; env VELO_GCS_ENDPOINT)' })
    .option('keep-staging', { type: 'boolean', default: false, describe: 'Keep the staged shards after the merge' })
    .option('max-rejected', { type: 'string', describe: 'Merge nothing when more files than this were rejected: a count (10) or a share (5%)' })
    .option('json', { type: 'boolean', default: false, describe: 'Print the summary as JSON on stdout' })
    .example('$0 merge --run-id velo-backfill-x7k2p --staging gs://bucket/staging --warehouse bigquery://my-project/vlille', 'Merge what every task staged') as unknown as Argv<MergeArgs>;
}

type MergeConfig = WarehouseConfig & StagingConfig & Pick<RunConfig, 'keepStaging' | 'maxRejected'>;

/** What a merge needs: the same warehouse and staging as the execution's tasks. */
function mergeConfig(args: MergeArgs, env: NodeJS.ProcessEnv = process.env): MergeConfig {
  const runId = checkRunId(args.runId);
  if (!args.staging.startsWith('gs://')) throw new UsageError('BAD_STAGING', '--staging must be the gs://BUCKET/PREFIX the tasks staged under');
  const staging = { kind: 'gcs' as const, ...parseGcsUri(args.staging, '--staging') };
  const warehouse = parseWarehouse(args.warehouse);
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
  const staging = await createStaging(config);
  const coordinator = await createCoordinator(staging);
  const { finishExecution } = await import('../../loader/finish.js');
  const { buildSummary } = await import('../../loader/stages/report.js');
  let opened: Promise<Awaited<ReturnType<typeof createWarehouse>>> | null = null;
  const log = logger.child({ runId: config.runId, command: 'merge' });
  const startedAt = performance.now();
  try {
    const summary = await finishExecution(
      {
        runId: config.runId,
        keepStaging: config.keepStaging,
        maxRejected: config.maxRejected,
        warehouse: async () => {
          opened ??= createWarehouse(config).then(async (warehouse) => (await warehouse.ensureTables(), warehouse));
          return opened;
        },
        staging,
        logger: log,
        summary: (slice, merged, status, note) =>
          buildSummary({ runId: config.runId, source: coordinator.description, warehouse: describeWarehouse(config.warehouse), task: config.task, slice, merged, merge: note ? { status, note } : { status }, wallSeconds: (performance.now() - startedAt) / 1000 }),
      },
      coordinator,
    );
    io.stdout(`${args.json ? formatSummaryJson(summary) : formatSummaryTable(summary)}\n`);
    return exitCodeForRun(summary);
  } finally {
    await staging.removeSpool();
    await (await (opened as Promise<{ close(): Promise<void> }> | null)?.catch(() => undefined))?.close();
  }
}

export function mergeCommandModule(context: CommandContext): CommandModule {
  return {
    command: 'merge',
    describe: 'Finish a fanned-out run whose merging task died: merge what every task staged (idempotent)',
    builder: (y) => mergeOptions(y) as unknown as Argv,
    handler: async (args) => context.setExitCode(await mergeCommand(args as unknown as MergeArgs, context)),
  };
}
