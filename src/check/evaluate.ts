/**
 * Rows of a check's SQL → its result. Every check file returns one row per finding (the worst first, capped)
 * with `check_count`, the check's count over all findings; no row means the check passed. Columns named
 * `…_ms` are instants (epoch milliseconds, the one form both warehouses return alike) and become ISO text.
 */
import type { CheckContext, CheckDefinition } from './definitions.js';
import type { CheckOptions } from './options.js';
import { MAX_EXAMPLES, type CheckResult, type Example, type Gap } from './types.js';

type Row = Record<string, unknown>;

function plainValue(value: unknown): string | number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'string') return value;
  if (typeof value === 'bigint') return Number(value);
  return String(value);
}

/** A number from a warehouse cell (BigQuery may hand INT64 over as text). */
export function numberOf(value: unknown): number | null {
  if (value === null || value === undefined || value === '') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

export function toExample(row: Row): Example {
  const example: Example = {};
  for (const [key, value] of Object.entries(row)) {
    if (key === 'check_count') continue;
    if (key.endsWith('_ms')) {
      const ms = numberOf(value);
      example[key.slice(0, -3)] = ms === null ? null : new Date(ms).toISOString();
    } else {
      example[key] = plainValue(value);
    }
  }
  return example;
}

export function evaluateCheck(definition: CheckDefinition, rows: Row[], options: CheckOptions, context: CheckContext): CheckResult {
  const count = rows.length === 0 ? 0 : (numberOf(rows[0]!.check_count) ?? rows.length);
  return {
    name: definition.name,
    severity: definition.severity,
    status: count > 0 ? 'fail' : 'pass',
    count,
    unit: definition.unit,
    rule: definition.rule(options, context),
    examples: rows.slice(0, MAX_EXAMPLES).map(toExample),
  };
}

/** The gaps check's rows (all it returned, not only the examples) for the chart. */
export function gapsFromRows(rows: Row[]): Gap[] {
  return rows
    .map((row) => ({ startMs: numberOf(row.start_ms), endMs: numberOf(row.end_ms) }))
    .filter((gap): gap is Gap => gap.startMs !== null && gap.endMs !== null)
    .sort((a, b) => a.startMs - b.startMs);
}

export interface Verdict {
  status: 'pass' | 'fail';
  /** Names of failed checks that fail the run (errors; warnings too under --strict). */
  failing: string[];
  failedErrors: number;
  failedWarnings: number;
}

/** No rows in the window (or in the warehouse): every check was skipped, and nothing is vouched for. */
export function hasNoRows(report: { summary: { rows: number } }): boolean {
  return report.summary.rows === 0;
}

/** Errors fail the run; warnings only with --strict. */
export function verdict(checks: readonly CheckResult[], strict: boolean): Verdict {
  const failed = checks.filter((c) => c.status === 'fail');
  const failing = failed.filter((c) => c.severity === 'error' || strict).map((c) => c.name);
  return {
    status: failing.length > 0 ? 'fail' : 'pass',
    failing,
    failedErrors: failed.filter((c) => c.severity === 'error').length,
    failedWarnings: failed.filter((c) => c.severity === 'warn').length,
  };
}
