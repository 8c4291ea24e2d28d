/** `--format html`: one self-contained page (inline CSS and SVG, no script, nothing fetched when viewed). */
import { formatDuration } from '../durations.js';
import { columnTitle, describeWindow, exampleColumns, formatCell, formatInstant, formatInstantShort, noRowsLine, plural, thousands } from '../display.js';
import { hasNoRows, verdict, type Verdict } from '../evaluate.js';
import type { CheckOptions } from '../options.js';
import type { CheckReport, CheckResult } from '../types.js';
import { renderChart } from './chart.js';
import { escapeHtml as e } from './escape.js';
import { STYLES } from './styles.js';

function badge(check: CheckResult): string {
  if (check.status === 'pass') return '<span class="badge pass">PASS</span>';
  return check.severity === 'error' ? '<span class="badge fail">FAIL</span>' : '<span class="badge warn">WARN</span>';
}

function tiles(report: CheckReport, outcome: Verdict): string {
  const { summary, timezone } = report;
  const span =
    summary.firstSnapshotMs === null || summary.lastSnapshotMs === null
      ? '—'
      : `${formatInstant(summary.firstSnapshotMs, timezone)} → ${formatInstantShort(summary.lastSnapshotMs, timezone, summary.firstSnapshotMs)}`;
  const items: [string, string][] = [
    [thousands(summary.rows), 'rows'],
    [thousands(summary.snapshots), 'snapshots'],
    [summary.typicalStations === null ? '—' : String(summary.typicalStations), 'stations per snapshot (typical)'],
    [`${outcome.failedErrors} · ${outcome.failedWarnings}`, 'checks failed: errors · warnings'],
  ];
  const bad = outcome.failedErrors + outcome.failedWarnings > 0;
  return `<section class="tiles">${items
    .map(([value, label], i) => `<div class="tile${i === 3 && bad ? ' bad' : ''}"><div class="value">${e(value)}</div><div class="label">${e(label)}</div></div>`)
    .join('')}</section>
<p class="note">First → last snapshot: ${e(span)}</p>`;
}

function checksTable(report: CheckReport): string {
  const rows = report.checks.map(
    (c) => `<tr class="${c.status === 'pass' ? 'pass' : c.severity}"><td class="name">${e(c.name)}</td><td>${e(c.severity)}</td><td>${badge(c)}</td><td class="num">${e(thousands(c.count))}<div class="unit">${e(c.unit)}</div></td><td class="rule">${e(c.rule)}</td></tr>`,
  );
  const skipped = report.skipped.map((s) => `<tr class="skip"><td class="name">${e(s.name)}</td><td></td><td><span class="badge skip">SKIP</span></td><td class="num"></td><td class="rule">${e(s.reason)}</td></tr>`);
  return `<table class="checks"><thead><tr><th>check</th><th>severity</th><th>status</th><th class="num">count</th><th>rule</th></tr></thead><tbody>${[...rows, ...skipped].join('')}</tbody></table>`;
}

function examplesSection(check: CheckResult, zone: string): string {
  const columns = exampleColumns(check.examples);
  const head = columns.map((c) => `<th>${e(columnTitle(c))}</th>`).join('');
  const body = check.examples.map((x) => `<tr>${columns.map((c) => `<td>${e(formatCell(c, x[c] ?? null, zone))}</td>`).join('')}</tr>`).join('');
  const shown = check.examples.length < check.count ? ` — showing ${check.examples.length}` : '';
  return `<h3 id="${e(check.name)}">${badge(check)} ${e(check.name)}: ${e(plural(check.count, check.unit))}${e(shown)}</h3>
<p class="note">${e(check.rule)}</p>
<table class="examples"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

export function renderReportHtml(report: CheckReport, options: Pick<CheckOptions, 'maxGapMs'>, strict: boolean): string {
  const outcome = verdict(report.checks, strict);
  const failed = report.checks.filter((c) => c.status === 'fail');
  const empty = hasNoRows(report);
  const status = empty ? '<span class="badge skip">EMPTY</span>' : outcome.status === 'pass' ? '<span class="badge pass">PASS</span>' : '<span class="badge fail">FAIL</span>';
  const points =
    report.chart.bucketMs > 60_000
      ? `Snapshots (<code>record_timestamp</code>) are grouped by ${e(formatDuration(report.chart.bucketMs))}: the line is the fewest stations in each group, the band spans fewest to most.`
      : 'Each point is a snapshot (<code>record_timestamp</code>).';
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Data-quality report: ${empty ? 'EMPTY' : outcome.status.toUpperCase()} · ${e(report.warehouse)}</title>
<style>${STYLES}</style></head>
<body><main>
<h1>V'lille data-quality report ${status}</h1>
<p class="meta"><b>${e(report.warehouse)}</b> · window: ${e(describeWindow(report.window, report.timezone))} · times in ${e(report.timezone)} · generated ${e(formatInstant(report.generatedAtMs, report.timezone))}${strict ? ' · --strict' : ''}</p>
${empty ? `<p class="empty">${e(noRowsLine(report.window, report.timezone))}</p>\n` : ''}${tiles(report, outcome)}
<h2>Stations reporting per snapshot</h2>
<div class="card">${renderChart({ chart: report.chart, expected: report.summary.expectedStations, zone: report.timezone, maxGapMs: options.maxGapMs })}
<p class="note">${points} The line breaks where ${report.chart.bucketMs > 60_000 ? 'a group' : 'a minute'} has no snapshot (amber columns). Red bands: no snapshot for longer than ${e(formatDuration(options.maxGapMs))}; red dots: snapshots with fewer than ${report.summary.expectedStations} stations.</p></div>
<h2>Checks</h2>
${checksTable(report)}
${failed.length > 0 ? `<h2>What failed</h2>\n${failed.map((c) => examplesSection(c, report.timezone)).join('\n')}` : ''}
<footer>velo-backfill check · each check's exact rule: docs/check.md</footer>
</main></body></html>
`;
}
