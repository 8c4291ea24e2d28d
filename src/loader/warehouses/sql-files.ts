/**
 * SQL lives in sql/<dialect>/*.sql, one concern per file. Templates name identifiers as {{name}}
 * (filled only from validated identifiers and schema-generated column lists) and values as
 * parameters ($name in DuckDB, @name in BigQuery), never spliced into the text.
 */
import { readFileSync } from 'node:fs';
import { VeloError } from '../../errors.js';
import { packagePath } from './package-files.js';

export type Dialect = 'duckdb' | 'bigquery';
/** The pipeline's SQL files, and the data-quality checks under sql/<dialect>/checks/. */
export type SqlName = 'create_tables' | 'create_staging' | 'clean' | 'dedupe' | 'stats' | 'merge' | 'drop_staging' | 'drop_scratch' | 'loaded_files' | 'network' | 'claim_network' | `checks/${string}`;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const PROJECT = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$|^[a-z][a-z0-9-]{0,62}$/;

/** Throws unless `name` is a plain identifier (table, dataset, run-scoped suffix). */
export function checkIdentifier(name: string, what = 'identifier'): string {
  if (!IDENTIFIER.test(name)) {
    throw new VeloError('BAD_IDENTIFIER', `invalid ${what} "${name}": use letters, digits and _ (max 128, not starting with a digit)`, { kind: 'usage' });
  }
  return name;
}

export function checkProjectId(name: string): string {
  if (!PROJECT.test(name)) {
    throw new VeloError('BAD_IDENTIFIER', `invalid project id "${name}": lowercase letters, digits and hyphens`, { kind: 'usage' });
  }
  return name;
}

/** Trusted substitutions: already-quoted identifiers and generated column lists. */
export type SqlTemplateValues = Readonly<Record<string, string>>;

const cache = new Map<string, string>();

function readTemplate(dialect: Dialect, name: SqlName): string {
  const key = `${dialect}/${name}`;
  let text = cache.get(key);
  if (text === undefined) {
    text = readFileSync(packagePath('sql', dialect, `${name}.sql`), 'utf8');
    cache.set(key, text);
  }
  return text;
}

export function renderSql(dialect: Dialect, name: SqlName, values: SqlTemplateValues): string {
  return readTemplate(dialect, name).replace(/\{\{(\w+)\}\}/g, (_match, key: string) => {
    const value = values[key];
    if (value === undefined) throw new VeloError('SQL_TEMPLATE', `sql/${dialect}/${name}.sql uses {{${key}}}, which is not defined`);
    return value;
  });
}

/**
 * Whole-line `--` comments removed: they are for readers. (The BigQuery emulator's parser pairs apostrophes
 * across comment lines, so "the run's … a task's" in a comment broke the statement after it.)
 */
export function stripLineComments(sql: string): string {
  return sql.replace(/^\s*--.*$/gm, '');
}

/** Split a rendered file into statements (our files end statements with `;` at a line end). */
export function splitStatements(sql: string): string[] {
  return stripLineComments(sql)
    .split(/;\s*(?:\n|$)/)
    .map((statement) => statement.trim())
    .filter((statement) => statement.length > 0);
}

/** Parameter names a statement refers to (`$from` or `@from`). */
export function parameterNames(statement: string, dialect: Dialect): string[] {
  const pattern = dialect === 'duckdb' ? /\$([A-Za-z_]\w*)/g : /@([A-Za-z_]\w*)/g;
  return [...new Set([...statement.matchAll(pattern)].map((m) => m[1] as string))];
}
