/** The terminal report (`--format table`, the default): a summary table, then the examples of what failed. */
import { columnTitle, describeWindow, exampleColumns, formatCell, formatInstant, formatInstantShort, noRowsLine, plural, thousands } from './display.js';
import { hasNoRows, verdict } from './evaluate.js';
import type { CheckReport, CheckResult } from './types.js';

/** Left-aligned columns; `right` columns are right-aligned (numbers). */
function layout(rows: string[][], right: ReadonlySet<number> = new Set()): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => [...(row[i] ?? '')].length)));
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : right.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

function statusCell(check: CheckResult): string {
  if (check.status === 'pass') return '✓ pass';
  return check.severity === 'error' ? '✗ FAIL' : '! warn';
}

function dataLine(report: CheckReport): string {
  const { summary, timezone } = report;
  if (summary.snapshots === 0 || summary.firstSnapshotMs === null || summary.lastSnapshotMs === null) return 'no rows in the window';
  const span = `${formatInstant(summary.firstSnapshotMs, timezone)} → ${formatInstantShort(summary.lastSnapshotMs, timezone, summary.firstSnapshotMs)}`;
  return `${plural(summary.rows, 'rows')} in ${plural(summary.snapshots, 'snapshots')}, ${span} · ${summary.typicalStations} stations per snapshot (typical)`;
}

function examplesBlock(check: CheckResult, zone: string): string[] {
  const columns = exampleColumns(check.examples);
  const rows = [columns.map(columnTitle), ...check.examples.map((example) => columns.map((key) => formatCell(key, example[key] ?? null, zone)))];
  // Examples may group rows (one per station, per key): say how many are shown when they are fewer.
  const more = check.examples.length < check.count ? ` (showing ${check.examples.length})` : '';
  return [
    '',
    `${check.severity === 'error' ? '✗' : '!'} ${check.name}: ${plural(check.count, check.unit)} — ${check.rule}${more}`,
    ...layout(rows).map((line) => `    ${line}`),
  ];
}

export function formatCheckTable(report: CheckReport, strict: boolean): string {
  const outcome = verdict(report.checks, strict);
  const header = [
    `velo-backfill check · ${report.warehouse}`,
    `window  ${describeWindow(report.window, report.timezone)} · times in ${report.timezone}`,
    `data    ${dataLine(report)}`,
    '',
  ];
  const rows = [
    ['CHECK', 'SEVERITY', 'STATUS', 'COUNT', 'RULE'],
    ...report.checks.map((c) => [c.name, c.severity, statusCell(c), thousands(c.count), c.rule]),
    ...report.skipped.map((s) => [s.name, '', '– skip', '', s.reason]),
  ];
  const details = report.checks.filter((c) => c.status === 'fail').flatMap((c) => examplesBlock(c, report.timezone));
  const warnings = outcome.failedWarnings > 0 ? ` (${plural(outcome.failedWarnings, 'warnings')}${strict ? ', --strict' : ''})` : '';
  const result = hasNoRows(report)
    ? `EMPTY  ${noRowsLine(report.window, report.timezone)}`
    : outcome.status === 'pass'
      ? `PASS  no ${strict ? 'check' : 'error-level check'} failed${warnings}`
      : `FAIL  ${outcome.failing.join(', ')} failed${outcome.failedWarnings > 0 && !strict ? warnings : ''}`;
  return [...header, ...layout(rows, new Set([3])).map((line) => `  ${line}`), ...details, '', result].join('\n');
}
