/** `velo-backfill check`: the data-quality report over the loaded tables (src/check/). */
import { renameSync, writeFileSync } from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import { hasNoRows, verdict } from '../../check/evaluate.js';
import { formatCheckJson } from '../../check/format-json.js';
import { formatCheckTable } from '../../check/format-table.js';
import { renderReportHtml } from '../../check/html/page.js';
import { CHECK_DEFAULTS } from '../../check/options.js';
import { runChecks } from '../../check/run.js';
import type { CheckReport } from '../../check/types.js';
import { DEFAULT_DUCKDB_MEMORY, type Warehouse } from '../../loader/warehouses/warehouse.js';
import { buildCheckConfig, CHECK_FORMATS, type CheckArgs, type CheckConfig } from '../check-config.js';
import type { CommandContext } from '../context.js';
import { exitCodeForChecks } from '../exit-codes.js';
import { createWarehouse, describeWarehouse } from '../factories.js';

function checkOptions(y: Argv): Argv<CheckArgs> {
  return y
    .option('warehouse', { type: 'string', default: 'duckdb:./velo.duckdb', describe: 'Warehouse to check: duckdb:FILE (must exist) or bigquery://PROJECT/DATASET' })
    .option('from', { type: 'string', describe: 'Start of the window (inclusive): 2023-08-24, 2023-08-24T20:00, or with an offset/Z. Read in --timezone' })
    .option('to', { type: 'string', describe: 'End of the window (exclusive), same forms as --from' })
    .option('timezone', { type: 'string', default: 'Europe/Paris', describe: 'Zone of --from/--to without an offset, and of the times shown in the table and HTML' })
    .option('format', { type: 'string', choices: CHECK_FORMATS, default: 'table', describe: 'table: a summary for the terminal; json: for programs; html: a page with a chart' })
    .option('output', { type: 'string', describe: 'Write the report to this file instead of stdout (with json or html, the table is still printed)' })
    .option('strict', { type: 'boolean', default: false, describe: 'Failed warnings (warn checks) fail the run too (exit 4)' })
    .option('allow-empty', { type: 'boolean', default: false, describe: 'No rows in the window exits 0 (default: exit 4, every check skipped: nothing to vouch for)' })
    .option('expected-stations', { type: 'number', describe: 'Stations a complete snapshot has (default: the most frequent count in the window)' })
    .option('max-gap', { type: 'string', default: CHECK_DEFAULTS.maxGap, describe: 'Longest acceptable time without a snapshot (gaps): 90s, 5m, 1h' })
    .option('max-staleness', { type: 'string', default: CHECK_DEFAULTS.maxStaleness, describe: 'Longest acceptable lag of derniere_maj behind the snapshot for a station EN SERVICE' })
    .option('max-age', { type: 'string', describe: 'Fail when the newest snapshot is older than this (freshness; not checked without it): 2h, 1d' })
    .option('capacity-support', { type: 'number', default: CHECK_DEFAULTS.capacitySupportPct, describe: "Percent of a station's rows that must report a total (bikes + docks) for it to count as its capacity" })
    .option('duckdb-memory', { type: 'string', default: DEFAULT_DUCKDB_MEMORY, describe: 'Memory cap of the embedded DuckDB (it spills to disk beyond it)' })
    .option('wait-lock', { type: 'number', describe: 'DuckDB: wait up to SECONDS for a file a run is writing (default: stop at once, exit 75)' })
    .option('location', { type: 'string', describe: 'BigQuery location of the dataset (e.g. EU)' })
    .option('bigquery-endpoint', { type: 'string', describe: 'BigQuery API endpoint (emulators; env VELO_BIGQUERY_ENDPOINT)' })
    .example('$0 check', 'Check ./velo.duckdb: a table; exit 4 when an error-level check fails')
    .example('$0 check --from 2023-08-24 --to 2023-08-25 --format json', 'One Paris day, for a scheduler')
    .example('$0 check --format html --output report.html', 'A page with the chart, to read')
    .example('$0 check --warehouse bigquery://my-project/vlille --max-age 2h', 'BigQuery; fail if the newest data is over 2 h old') as unknown as Argv<CheckArgs>;
}

/** Read-only; a DuckDB file a run is writing is a temporary failure (exit 75), or waited for with --wait-lock. */
function openWarehouse(config: CheckConfig): Promise<Warehouse> {
  return createWarehouse(config, { readOnly: true });
}

function render(report: CheckReport, config: CheckConfig): string {
  if (config.format === 'json') return formatCheckJson(report, config.strict);
  if (config.format === 'html') return renderReportHtml(report, config.options, config.strict);
  return formatCheckTable(report, config.strict);
}

/** Written beside the target, then renamed: a scheduler never publishes half a report. */
function writeReport(file: string, text: string): void {
  const partial = `${file}.partial`;
  writeFileSync(partial, text);
  renameSync(partial, file);
}

async function checkCommand(args: CheckArgs, { io, logger }: CommandContext): Promise<number> {
  const config = buildCheckConfig(args);
  const warehouse = await openWarehouse(config);
  try {
    const started = Date.now();
    // Named as the run's summary names it: the resolved file, whatever folder the check runs in.
    const report = { ...(await runChecks(warehouse, config.options)), warehouse: describeWarehouse(config.warehouse) };
    const outcome = verdict(report.checks, config.strict);
    const text = render(report, config);
    if (config.output) {
      writeReport(config.output, text.endsWith('\n') ? text : `${text}\n`);
      if (config.format !== 'table') io.stdout(`${formatCheckTable(report, config.strict)}\n`);
      logger.info({ output: config.output, format: config.format, status: outcome.status, failing: outcome.failing }, `report written to ${config.output}`);
    } else {
      io.stdout(text.endsWith('\n') ? text : `${text}\n`);
    }
    logger.debug({ ms: Date.now() - started }, 'checks done');
    return exitCodeForChecks(outcome, { none: hasNoRows(report), allowEmpty: config.allowEmpty });
  } finally {
    await warehouse.close();
  }
}

export function checkCommandModule(context: CommandContext): CommandModule {
  return {
    command: 'check',
    describe: 'Data-quality report over the loaded tables (exit 4 when a check fails)',
    builder: (y) => checkOptions(y) as unknown as Argv,
    handler: async (args) => context.setExitCode(await checkCommand(args as unknown as CheckArgs, context)),
  };
}
