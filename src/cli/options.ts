/** Flags shared by several commands: where the raw files are, the time window, the warehouse. */
import type { Argv } from 'yargs';
import { DEFAULT_DUCKDB_MEMORY } from '../loader/warehouse.js';
import { RAW_FILE_TYPES } from './summary.js';

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

export function taskOptions<T>(y: Argv<T>): Argv<T> {
  return y
    .option('task-index', { type: 'number', describe: 'This task of a fanned-out run (default: env CLOUD_RUN_TASK_INDEX, else 0)' })
    .option('task-count', { type: 'number', describe: 'Tasks of the run, each loading one slice; the last to finish merges (default: env CLOUD_RUN_TASK_COUNT, else 1)' })
    .option('task-attempt', { type: 'number', describe: 'Retry number of this task (default: env CLOUD_RUN_TASK_ATTEMPT)' })
    .group(['task-index', 'task-count', 'task-attempt'], 'Cloud Run fan-out (docs/deploy.md):') as unknown as Argv<T>;
}
