/** `--format json`: the report for schedulers and other programs. Instants are ISO-8601 UTC. */
import { hasNoRows, verdict } from './evaluate.js';
import type { CheckReport } from './types.js';

const iso = (ms: number | null): string | null => (ms === null || !Number.isFinite(ms) ? null : new Date(ms).toISOString());

export function checkReportJson(report: CheckReport, strict: boolean): Record<string, unknown> {
  const outcome = verdict(report.checks, strict);
  return {
    // "empty": no rows, every check skipped; a scheduler must not read it as "pass".
    status: hasNoRows(report) ? 'empty' : outcome.status,
    strict,
    failing: outcome.failing,
    warehouse: report.warehouse,
    generatedAt: iso(report.generatedAtMs),
    window: { from: iso(report.window.fromMs), to: iso(report.window.toMs), timezone: report.timezone },
    summary: {
      rows: report.summary.rows,
      snapshots: report.summary.snapshots,
      firstSnapshot: iso(report.summary.firstSnapshotMs),
      lastSnapshot: iso(report.summary.lastSnapshotMs),
      typicalStations: report.summary.typicalStations,
      expectedStations: report.summary.expectedStations,
    },
    checks: report.checks.map(({ name, severity, status, count, unit, rule, examples }) => ({ name, severity, status, count, unit, rule, examples })),
    skipped: report.skipped,
  };
}

export function formatCheckJson(report: CheckReport, strict: boolean): string {
  return JSON.stringify(checkReportJson(report, strict), null, 2);
}
