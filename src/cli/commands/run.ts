/** `velo-backfill run`: backfill raw files into the warehouse. */
import type { Argv, CommandModule } from 'yargs';
import { DeadLetterWriter } from '../../loader/dead-letter.js';
import { createParsePool } from '../../loader/parse-pool.js';
import type { Warehouse } from '../../loader/warehouse.js';
import { buildRunConfig, type RunArgs } from '../config.js';
import type { CommandContext } from '../context.js';
import { exitCodeForRun } from '../exit-codes.js';
import { createCoordinator, createSource, describeWarehouse, createStaging, createWarehouse, isNewWarehouse } from '../factories.js';
import { sourceOptions, taskOptions, warehouseOptions } from '../options.js';
import { formatSummaryJson, formatSummaryTable } from '../summary.js';

function runOptions(y: Argv): Argv<RunArgs> {
  return taskOptions(warehouseOptions(sourceOptions(y)))
    .option('run-id', { type: 'string', describe: 'Id of this run (letters, digits, _ and -); default: the Cloud Run execution, else UTC time + random suffix' })
    .option('staging', { type: 'string', describe: 'Where NDJSON shards are staged: a folder (default .velo/runs/RUN_ID/staging) or gs://BUCKET/PREFIX (needed for BigQuery)' })
    .option('dead-letter', { type: 'string', describe: 'NDJSON report of rejected files and records (default .velo/runs/RUN_ID/dead-letter.ndjson)' })
    .option('max-rejected', { type: 'string', describe: 'Merge nothing when more files than this are rejected: a count (10) or a share of the files read (5%); staging is kept (exit 3)' })
    .option('force', { type: 'boolean', default: false, describe: 'Reprocess files the manifest says are loaded (still adds no duplicate rows)' })
    .option('json', { type: 'boolean', default: false, describe: 'Print the run summary as JSON on stdout' })
    .option('concurrency', { type: 'number', describe: 'Files in flight: downloads held at once from gs:// (default: 32 per worker, at least 16); local files queued for the workers (default: 128 per worker)' })
    .option('workers', { type: 'number', describe: 'Parse/flatten worker threads (default: CPU cores; 0 = main thread)' })
    .option('shard-mb', { type: 'number', describe: 'Rotate staged NDJSON shards at this size (MiB, uncompressed; default 256 in a folder, 32 on gs://, uploaded as each fills)' })
    .option('stream-threshold-mb', { type: 'number', default: 0.5, describe: 'Files above this size (MiB) are streamed record by record instead of parsed whole (JSON.parse holds up to ~90× a text\'s size: bounded memory); a minute is ~0.16' })
    .option('keep-staging', { type: 'boolean', default: false, describe: 'Keep the staged shards after a successful merge' })
    .group(['run-id', 'staging', 'keep-staging', 'dead-letter', 'max-rejected', 'force', 'json'], 'Run:')
    .group(['workers', 'concurrency', 'shard-mb', 'stream-threshold-mb'], 'Tuning:')
    .example('$0 run --source ./raw', 'Backfill a folder into ./velo.duckdb')
    .example('$0 run --source ./raw --from 2023-08-24 --to 2023-08-25', 'Only one Paris day')
    .example('$0 run --source gs://bucket/raw --staging gs://bucket/staging --warehouse bigquery://my-project/vlille', 'GCS to BigQuery')
    .example('$0 run --source gs://… --staging gs://… --warehouse bigquery://… --task-count 8 --task-index 3 --run-id r1', 'Task 3 of 8 (Cloud Run sets these): a slice each, one merge') as unknown as Argv<RunArgs>;
}

async function runCommand(args: RunArgs, { io, logger }: CommandContext): Promise<number> {
  const config = buildRunConfig(args);
  // Asked before the warehouse is opened (opening creates the file).
  const newWarehouse = isNewWarehouse(config);
  // Started before anything is awaited: the worker threads boot on the other cores while this thread opens the
  // source and loads the warehouse (DuckDB's native module takes ~0.2 s).
  const pool = createParsePool(config.workers);
  // Opened by the run while it lists (and, into a new warehouse, reads) the source; it awaits it when it needs it.
  let warehouse = null as Promise<Warehouse> | null;
  const openWarehouse = (): Promise<Warehouse> => {
    if (!warehouse) {
      warehouse = createWarehouse(config);
      // The run awaits it and reports a failure; this only keeps it from counting as unhandled meanwhile.
      warehouse.catch(() => undefined);
    }
    return warehouse;
  };
  try {
    const source = await createSource(config);
    const staging = await createStaging(config);
    const { runBackfill } = await import('../../loader/run.js');
    const summary = await runBackfill(
      {
        runId: config.runId,
        window: config.window,
        timezone: config.timezone,
        force: config.force,
        concurrency: config.concurrency,
        workers: config.workers,
        shardBytes: config.shardBytes,
        streamThresholdBytes: config.streamThresholdBytes,
        keepStaging: config.keepStaging,
        task: config.task,
        maxRejected: config.maxRejected,
      },
      {
        source,
        openWarehouse,
        newWarehouse,
        staging,
        deadLetter: new DeadLetterWriter(config.deadLetterPath, config.runId),
        logger,
        progress: (await import('../../loader/progress.js')).createProgress(logger, { tty: io.isTTY, enabled: true }),
        pool,
        coordinator: config.task.count > 1 ? await createCoordinator(staging) : undefined,
        warehouseName: describeWarehouse(config.warehouse),
      },
    );
    io.stdout(`${config.json ? formatSummaryJson(summary) : formatSummaryTable(summary, { verbose: config.verbose })}\n`);
    return exitCodeForRun(summary);
  } finally {
    await pool.close();
    await (await warehouse?.catch(() => undefined))?.close();
  }
}

export function runCommandModule(context: CommandContext): CommandModule {
  return {
    command: 'run',
    describe: 'Backfill raw files into the warehouse (idempotent: re-runs skip loaded files)',
    builder: (y) => runOptions(y) as unknown as Argv,
    handler: async (args) => context.setExitCode(await runCommand(args as unknown as RunArgs, context)),
  };
}
