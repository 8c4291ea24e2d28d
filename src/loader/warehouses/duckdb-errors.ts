/**
 * The one place that says what a DuckDB failure means: a file another process is writing (busy: retry
 * later, or wait with --wait-lock), a path that is not a DuckDB database or cannot be one (usage: change
 * --warehouse), a full disk or memory (terminal, with the reason), anything else (terminal).
 */
import { TransientError, UsageError, WarehouseError, errorMessage, type VeloError } from '../../errors.js';

const BUSY = /Could not set lock on file|Conflicting lock is held/i;
const NOT_A_DATABASE = /not a valid DuckDB database|Cannot open file|Is a directory|Permission denied|Read-only file system|database file .* version/i;

export function isBusy(error: unknown): boolean {
  return BUSY.test(errorMessage(error));
}

/** Opening `path` failed: why, as a typed error. */
export function duckdbOpenError(path: string, error: unknown): VeloError {
  const detail = errorMessage(error);
  if (isBusy(error)) {
    const holder = /held in (.*?\(PID \d+\))/.exec(detail)?.[1];
    return new TransientError('DUCKDB_BUSY', `${path} is being written by another process${holder ? ` (${holder})` : ''}: run again once it is done (nothing is lost), or pass --wait-lock SECONDS to wait for it`, error);
  }
  if (NOT_A_DATABASE.test(detail)) {
    return new UsageError('DUCKDB_BAD_FILE', `--warehouse duckdb:${path} cannot be used as a DuckDB database (${detail.replace(/^IO Error: /, '')}): name a new file in an existing folder, or an existing DuckDB file`, error);
  }
  return new WarehouseError('DUCKDB_OPEN', `cannot open DuckDB file ${path}: ${detail}`, error);
}

/** A statement failed: SQL errors are bugs or broken data, a full disk or memory says so. */
export function duckdbSqlError(code: 'DUCKDB_LOAD' | 'DUCKDB_SQL', what: string, error: unknown): VeloError {
  const detail = errorMessage(error);
  if (/No space left on device/i.test(detail)) return new WarehouseError('DISK_FULL', `${what}: the disk is full (${detail})`, error);
  return new WarehouseError(code, `${what} failed: ${detail}`, error);
}
