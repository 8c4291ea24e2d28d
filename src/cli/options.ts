/** Flags shared by several commands: where the raw files are, the time window, the warehouse, a run's flags. */
import type { Argv, Options } from 'yargs';
import { DEFAULT_DUCKDB_MEMORY } from '../loader/warehouses/warehouse.js';
import { RAW_FILE_TYPES } from './summary.js';
import { FORMAT_IDS } from '../transform/formats.js';

export function sourceOptions<T>(y: Argv<T>): Argv<T> {
  return y
    .option('source', { type: 'string', demandOption: true, describe: `Raw files: a folder (recursive: ${RAW_FILE_TYPES}; other files are counted in the summary, not read) or gs://BUCKET/PREFIX` })
    .option('from', { type: 'string', describe: 'Start of the window (inclusive): 2023-08-24, 2023-08-24T20:00, or with an offset/Z. Read in --timezone' })
    .option('to', { type: 'string', describe: 'End of the window (exclusive), same forms as --from' })
    .option('timezone', { type: 'string', default: 'Europe/Paris', describe: 'Zone of --from/--to without an offset, and of the wall-clock times in file names' })
    .option('glob', { type: 'string', describe: 'Only object names matching this glob (gs:// sources; e.g. "**/data___2023_*.json")' })
    .option('gcs-endpoint', { type: 'string', describe: 'GCS API endpoint (emulators; env VELO_GCS_ENDPOINT)' })
    .group(['source', 'from', 'to', 'timezone', 'glob', 'gcs-endpoint'], 'Raw files and time window:') as unknown as Argv<T>;
}

export function warehouseOptions<T>(y: Argv<T>): Argv<T> {
  return y
    .option('warehouse', { type: 'string', default: 'duckdb:./velo.duckdb', describe: 'Target: duckdb:FILE (embedded) or bigquery://PROJECT/DATASET' })
    .option('location', { type: 'string', describe: 'BigQuery location for the dataset and jobs (e.g. EU)' })
    .option('duckdb-memory', { type: 'string', default: DEFAULT_DUCKDB_MEMORY, describe: 'Memory cap of the embedded DuckDB (it spills to disk beyond it); keeps a run inside a 512 MiB container' })
    .option('wait-lock', { type: 'number', describe: 'DuckDB: wait up to SECONDS for a file another run is writing (default: stop at once, exit 75)' })
    .option('bigquery-endpoint', { type: 'string', describe: 'BigQuery API endpoint (emulators; env VELO_BIGQUERY_ENDPOINT)' })
    .group(['warehouse', 'location', 'duckdb-memory', 'wait-lock', 'bigquery-endpoint'], 'Warehouse:') as unknown as Argv<T>;
}

const TASK_FLAGS: Record<string, Options> = {
  'task-index': { type: 'number', describe: 'This task of a fanned-out run (default: env CLOUD_RUN_TASK_INDEX, else 0)' },
  'task-count': { type: 'number', describe: 'Tasks of the run, each loading one slice; the last to finish merges (default: env CLOUD_RUN_TASK_COUNT, else 1)' },
  'task-attempt': { type: 'number', describe: 'Retry number of this task (default: env CLOUD_RUN_TASK_ATTEMPT)' },
};

/** Flags of `run` beyond source, window and warehouse; `plan` accepts them all, so `run` → `plan` in a command works. */
const RUN_FLAGS: Record<string, Options> = {
  'run-id': { type: 'string', describe: 'Id of this run (letters, digits, _ and -); default: the Cloud Run execution, else UTC time + random suffix' },
  staging: { type: 'string', describe: 'Where NDJSON shards are staged: a folder (default .velo/runs/RUN_ID/staging) or gs://BUCKET/PREFIX (needed for BigQuery)' },
  'keep-staging': { type: 'boolean', default: false, describe: 'Keep the staged shards after a successful merge' },
  'work-dir': { type: 'string', describe: "Folder for run folders (staging, dead-letter report): default .velo/ beside the DuckDB file, ./.velo for BigQuery" },
  'dead-letter': { type: 'string', describe: 'NDJSON report of rejected files and records (default .velo/runs/RUN_ID/dead-letter.ndjson)' },
  'max-rejected': { type: 'string', describe: 'Merge nothing when more files than this are rejected: a count (10) or a share of the files read (5%); staging is kept (exit 3)' },
  'input-format': { type: 'string', default: 'auto', describe: `Raw format: auto (found per file from its shape) or one of ${FORMAT_IDS.join(', ')}` },
  network: { type: 'string', default: 'vlille', describe: "The dataset's network: the V'lille shapes load only under vlille, JCDecaux records of other contracts are skipped; a dataset holds one network (another one: exit 2)" },
  force: { type: 'boolean', default: false, describe: 'Reprocess files the manifest says are loaded (still adds no duplicate rows)' },
  json: { type: 'boolean', default: false, describe: 'Print the summary as JSON on stdout' },
  workers: { type: 'number', describe: 'Parse/flatten worker threads (default: CPU cores; 0 = main thread)' },
  concurrency: { type: 'number', describe: 'Files in flight: downloads held at once from gs:// (default: 32 per worker, at least 16); local files queued for the workers (default: 128 per worker)' },
  'shard-mb': { type: 'number', describe: 'Rotate staged NDJSON shards at this size (MiB, uncompressed; default 256 in a folder, 32 on gs://, uploaded as each fills)' },
  'stream-threshold-mb': { type: 'number', default: 0.5, describe: "Files above this size (MiB) are streamed record by record instead of parsed whole (JSON.parse holds up to ~90× a text's size: bounded memory); a minute is ~0.16" },
};

const RUN_GROUP = ['input-format', 'network', 'run-id', 'staging', 'keep-staging', 'work-dir', 'dead-letter', 'max-rejected', 'force', 'json'];
const TUNING_GROUP = ['workers', 'concurrency', 'shard-mb', 'stream-threshold-mb'];
/** What a plan uses of a run's command line (the rest changes nothing in a plan). */
const USED_BY_PLAN = new Set(['force', 'json', 'workers', 'shard-mb', 'staging', 'task-count']);

/** `run`'s own flags, grouped as in its --help. */
export function runFlags<T>(y: Argv<T>): Argv<T> {
  return y
    .options({ ...TASK_FLAGS, ...RUN_FLAGS })
    .group(Object.keys(TASK_FLAGS), 'Cloud Run fan-out (docs/deploy.md):')
    .group(RUN_GROUP, 'Run:')
    .group(TUNING_GROUP, 'Tuning:') as unknown as Argv<T>;
}

/** The same flags for `plan`: those a plan does not use are listed as ignored in its --help. */
export function planRunFlags<T>(y: Argv<T>): Argv<T> {
  const all = [...Object.keys(TASK_FLAGS), ...RUN_GROUP, ...TUNING_GROUP];
  return y
    .options({ ...TASK_FLAGS, ...RUN_FLAGS })
    .group(all.filter((flag) => USED_BY_PLAN.has(flag)), 'As for run:')
    .group(all.filter((flag) => !USED_BY_PLAN.has(flag)), 'Accepted so that a run command line works; ignored by plan:') as unknown as Argv<T>;
}
