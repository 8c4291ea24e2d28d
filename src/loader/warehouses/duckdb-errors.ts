/**
 * The one place that says what a DuckDB failure means: a file another process is writing (busy: retry
 * later, or wait with --wait-lock), a path that is not a DuckDB database or cannot be one (usage: change
 * --warehouse), a full disk or memory (terminal, with the reason), anything else (terminal).
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { TransientError, UsageError, WarehouseError, errorMessage, type VeloError } from '../../errors.js';

const BUSY = /Could not set lock on file|Conflicting lock is held/i;
const NOT_A_DATABASE = /not a valid DuckDB database|Cannot open file|Is a directory|Permission denied|Read-only file system|database file .* version/i;

/**
 * DuckDB opens an existing `*.csv`, `*.tsv`, `*.parquet` (any case, `.gz` too) as an in-memory database that
 * reads the file: a run "merges" into memory and writes nothing. So any existing file must carry DuckDB's
 * header (the magic `DUCK` after an 8-byte checksum) before it is opened; an empty file is not a database either.
 */
const MAGIC = Buffer.from('DUCK');
const MAGIC_OFFSET = 8;

/** Null when `path` is missing (DuckDB creates it) or a DuckDB database file; else why it is not one. */
export function notADatabase(path: string): string | null {
  let fd: number;
  try {
    if (!statSync(path).isFile()) return null; // a directory or device: DuckDB's own error says what it is
    fd = openSync(path, 'r');
  } catch {
    return null; // missing, or unreadable: DuckDB's open reports that
  }
  try {
    const header = Buffer.alloc(MAGIC_OFFSET + MAGIC.length);
    const read = readSync(fd, header, 0, header.length, 0);
    if (read === 0) return 'the file exists but is empty';
    return read < header.length || !header.subarray(MAGIC_OFFSET).equals(MAGIC) ? 'the file exists, but it is not a valid DuckDB database file' : null;
  } finally {
    closeSync(fd);
  }
}

/** The usage error for a path that is not (and cannot become) a DuckDB database. */
export function badFileError(path: string, detail: string, cause?: unknown): VeloError {
  return new UsageError('DUCKDB_BAD_FILE', `--warehouse duckdb:${path} cannot be used as a DuckDB database (${detail}): name a new file in an existing folder, or an existing DuckDB file`, cause);
}

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
    return badFileError(path, detail.replace(/^IO Error: /, ''), error);
  }
  return new WarehouseError('DUCKDB_OPEN', `cannot open DuckDB file ${path}: ${detail}`, error);
}

/** A statement failed: SQL errors are bugs or broken data, a full disk or memory says so. */
export function duckdbSqlError(code: 'DUCKDB_LOAD' | 'DUCKDB_SQL', what: string, error: unknown): VeloError {
  const detail = errorMessage(error);
  if (/No space left on device/i.test(detail)) return new WarehouseError('DISK_FULL', `${what}: the disk is full (${detail})`, error);
  return new WarehouseError(code, `${what} failed: ${detail}`, error);
}
