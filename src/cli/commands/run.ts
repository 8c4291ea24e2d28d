/** `velo-backfill run`: backfill raw files into the warehouse. */
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { claimRunFolder, folderBytes, releaseRunFolder, sweepStaleRuns } from '../../loader/staging/run-folders.js';
import { Interrupts } from '../interrupt.js';
import { DeadLetterWriter } from '../../loader/staging/dead-letter.js';
import { createParsePool } from '../../loader/workers/parse-pool.js';
import type { RunOptions } from '../../loader/run.js';
import type { Warehouse } from '../../loader/warehouses/warehouse.js';
import { buildRunConfig, type RunArgs, type RunConfig } from '../config.js';
import type { CommandContext } from '../context.js';
import { exitCodeForRun } from '../exit-codes.js';
import { createCoordinator, createSource, describeWarehouse, createStaging, createWarehouse, isNewWarehouse } from '../factories.js';
import { runFlags, sourceOptions, warehouseOptions } from '../options.js';
import { describeIgnored, formatSummaryJson, formatSummaryTable } from '../summary.js';

function runOptions(y: Argv): Argv<RunArgs> {
  return runFlags(warehouseOptions(sourceOptions(y)))
    .example('$0 run --source ./raw', 'Backfill a folder into ./velo.duckdb')
    .example('$0 run --source ./raw --from 2023-08-24 --to 2023-08-25', 'Only one Paris day')
    .example('$0 run --source gs://bucket/raw --staging gs://bucket/staging --warehouse bigquery://my-project/vlille', 'GCS to BigQuery')
    .example('$0 run --source gs://… --staging gs://… --warehouse bigquery://… --task-count 8 --task-index 3 --run-id r1', 'Task 3 of 8 (Cloud Run sets these): a slice each, one merge') as unknown as Argv<RunArgs>;
}

/** How to merge a local run that --max-rejected held back (its staging folder keeps what the merge needs). */
function heldBackCommand(config: RunConfig): string | undefined {
  if (config.staging.kind !== 'local' || config.warehouse.kind !== 'duckdb' || config.task.count > 1) return undefined;
  return `velo-backfill merge --staging ${shellQuote(path.resolve(config.staging.dir))} --warehouse ${shellQuote(`duckdb:${path.resolve(config.warehouse.path)}`)}`;
}

function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** What this run staged locally (its spool, DuckDB's spill folder), removed when it is interrupted; the bytes removed. */
function removeStagedNow(config: RunConfig, spoolDir: string): number {
  let bytes = 0;
  const spill = config.warehouse.kind === 'duckdb' ? `${path.resolve(config.warehouse.path)}.tmp` : null;
  for (const dir of [spoolDir, spill]) {
    if (!dir || !existsSync(dir)) continue;
    bytes += folderBytes(dir);
    rmSync(dir, { recursive: true, force: true });
  }
  releaseRunFolder(config.runDir);
  return bytes;
}

/** Claims this run's folder and sweeps what earlier runs that died left staged (said in MB). */
function prepareRunFolder(config: RunConfig, logger: CommandContext['logger']): void {
  claimRunFolder(config.runDir);
  if (config.task.count > 1) return;
  const swept = sweepStaleRuns(path.dirname(config.runDir), config.runDir);
  if (swept.runs > 0) logger.warn({ runs: swept.runs, mb: Number((swept.bytes / 1e6).toFixed(1)) }, `removed ${(swept.bytes / 1e6).toFixed(1)} MB of staging left by ${swept.runs} earlier run(s) that did not finish`);
}

async function runCommand(args: RunArgs, context: CommandContext): Promise<number> {
  const config = buildRunConfig(args);
  const interrupts = new Interrupts();
  try {
    return await runWith(config, context, interrupts);
  } finally {
    interrupts.dispose();
    releaseRunFolder(config.runDir);
  }
}

/** What the loader needs of the config to run. */
function runOptionsOf(config: RunConfig): RunOptions {
  const { runId, window, timezone, network, inputFormat, force, concurrency, workers, shardBytes, streamThresholdBytes, keepStaging, task, maxRejected } = config;
  return { runId, window, timezone, network, inputFormat, force, concurrency, workers, shardBytes, streamThresholdBytes, keepStaging, task, maxRejected };
}

async function runWith(config: RunConfig, { io, logger }: CommandContext, interrupts: Interrupts): Promise<number> {
  // Asked before the warehouse is opened (opening creates the file).
  const newWarehouse = isNewWarehouse(config);
  // After that check: a run folder beside a DuckDB file in a missing folder would create that folder.
  prepareRunFolder(config, logger);
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
    interrupts.install({ removeStaged: () => removeStagedNow(config, staging.spoolDir), say: (line) => io.stderr(`${line}\n`) });
    const { runBackfill } = await import('../../loader/run.js');
    const summary = await runBackfill(
      runOptionsOf(config),
      {
        source,
        openWarehouse,
        newWarehouse,
        staging,
        deadLetter: new DeadLetterWriter(config.deadLetterPath, config.runId),
        logger,
        progress: (await import('../../loader/output/progress.js')).createProgress(logger, { tty: io.isTTY, enabled: true }),
        pool,
        coordinator: config.task.count > 1 ? await createCoordinator(staging) : undefined,
        warehouseName: describeWarehouse(config.warehouse),
        heldBackCommand: heldBackCommand(config),
        critical: (work) => interrupts.critical(work),
      },
    );
    const ignored = source.ignored ?? new Map<string, number>();
    if (ignored.size > 0) logger.warn({ ignored: Object.fromEntries(ignored) }, `files not read: ${describeIgnored(ignored)}`);
    io.stdout(`${config.json ? formatSummaryJson(summary, ignored) : formatSummaryTable(summary, ignored, { verbose: config.verbose })}\n`);
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
