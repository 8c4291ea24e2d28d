/** The pure parts of `check`: durations, rows → results, the verdict, buckets, axis ticks and the renderings. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CHECKS } from '../../src/check/definitions.js';
import { formatDuration, parseDuration } from '../../src/check/durations.js';
import { evaluateCheck, verdict } from '../../src/check/evaluate.js';
import { formatCheckJson } from '../../src/check/format-json.js';
import { formatCheckTable } from '../../src/check/format-table.js';
import { renderChart } from '../../src/check/html/chart.js';
import { renderReportHtml } from '../../src/check/html/page.js';
import { timeTicks } from '../../src/check/html/time-axis.js';
import type { CheckOptions } from '../../src/check/options.js';
import { alignRange, chooseBucket, MAX_POINTS } from '../../src/check/series.js';
import type { CheckReport, CheckResult } from '../../src/check/types.js';
import { UNBOUNDED } from '../../src/loader/sources/window.js';

const OPTIONS: CheckOptions = { window: UNBOUNDED, timezone: 'Europe/Paris', expectedStations: undefined, maxGapMs: 300_000, maxStalenessMs: 3_600_000, maxAgeMs: undefined, capacitySupportPct: 5 };
const T0 = Date.parse('2023-08-24T18:00:00Z');

function result(name: string, severity: 'error' | 'warn', count: number, examples: CheckResult['examples'] = []): CheckResult {
  return { name, severity, status: count > 0 ? 'fail' : 'pass', count, unit: 'rows', rule: `rule of ${name}`, examples };
}

function report(checks: CheckResult[], points = 20): CheckReport {
  return {
    warehouse: 'duckdb:/tmp/v.duckdb',
    generatedAtMs: T0 + 86_400_000,
    window: UNBOUNDED,
    timezone: 'Europe/Paris',
    summary: { rows: 5491, snapshots: points, firstSnapshotMs: T0, lastSnapshotMs: T0 + (points - 1) * 60_000, typicalStations: 289, expectedStations: 289 },
    checks,
    skipped: [{ name: 'freshness', reason: 'not run: give --max-age' }],
    chart: {
      fromMs: T0,
      toMs: T0 + points * 60_000,
      bucketMs: 60_000,
      points: Array.from({ length: points }, (_, i) => ({ bucketMs: T0 + i * 60_000, snapshots: 1, minStations: i === 4 ? 250 : 289, maxStations: i === 4 ? 250 : 289, incomplete: i === 4 ? 1 : 0 })).filter((_, i) => i < 10 || i > 15),
      gaps: [{ startMs: T0 + 9 * 60_000, endMs: T0 + 16 * 60_000 }],
    },
  };
}

test('durations: a number and a unit, nothing else; shown with their two largest units', () => {
  assert.equal(parseDuration('5m', '--max-gap'), 300_000);
  assert.equal(parseDuration('90s', '--max-gap'), 90_000);
  assert.equal(parseDuration('1.5h', '--max-gap'), 5_400_000);
  assert.equal(parseDuration('2d', '--max-gap'), 172_800_000);
  for (const bad of ['5', 'soon', '-1m', '0m', '5 weeks']) assert.throws(() => parseDuration(bad, '--max-gap'), /--max-gap/);
  assert.deepEqual([0, 45_000, 300_000, 419_000, 5_400_000, 93_784_000].map(formatDuration), ['0s', '45s', '5m', '6m 59s', '1h 30m', '1d 2h']);
});

test('rows → result: the count from check_count, instants as ISO text, at most 10 examples', () => {
  const definition = CHECKS.find((c) => c.name === 'gaps')!;
  const rows = Array.from({ length: 12 }, (_, i) => ({ start_ms: T0 + i * 1000, end_ms: T0 + 700_000, duration_seconds: 700 - i, check_count: 12n }));
  const checked = evaluateCheck(definition, rows, OPTIONS, { expectedStations: 289, nowMs: T0 });
  assert.equal(checked.status, 'fail');
  assert.equal(checked.count, 12);
  assert.equal(checked.examples.length, 10);
  assert.deepEqual(checked.examples[0], { start: '2023-08-24T18:00:00.000Z', end: '2023-08-24T18:11:40.000Z', duration_seconds: 700 });
  assert.equal(checked.rule, 'no snapshot for more than 5m');
  const passed = evaluateCheck(definition, [], OPTIONS, { expectedStations: 289, nowMs: T0 });
  assert.deepEqual([passed.status, passed.count, passed.examples], ['pass', 0, []]);
});

test('the verdict: failed errors fail the run, warnings only with --strict', () => {
  const warnOnly = [result('gaps', 'error', 0), result('capacity', 'warn', 2)];
  assert.equal(verdict(warnOnly, false).status, 'pass');
  assert.deepEqual(verdict(warnOnly, true), { status: 'fail', failing: ['capacity'], failedErrors: 0, failedWarnings: 1 });
  assert.deepEqual(verdict([result('gaps', 'error', 1), result('capacity', 'warn', 2)], false).failing, ['gaps']);
});

test('buckets: a minute each for short windows, never more than MAX_POINTS for a year', () => {
  assert.equal(chooseBucket(T0, T0 + 20 * 60_000), 60_000);
  assert.equal(chooseBucket(T0, T0 + 86_400_000), 2 * 60_000);
  const year = 365 * 86_400_000;
  const bucket = chooseBucket(T0, T0 + year);
  assert.ok(year / bucket <= MAX_POINTS && bucket === 12 * 3_600_000, `year bucket ${bucket}`);
  assert.deepEqual(alignRange({ fromMs: T0 + 944, toMs: T0 + 19 * 60_000 + 120 }, 60_000, UNBOUNDED), { fromMs: T0, toMs: T0 + 20 * 60_000 });
});

test('time ticks: round wall-clock times of the zone, the date under the first and at day changes, across the DST change', () => {
  // 22:00 CEST on the 28th to 09:00 CET on the 29th: 02:00 happens twice, the labels stay round.
  const ticks = timeTicks(Date.parse('2023-10-28T20:00:00Z'), Date.parse('2023-10-29T08:00:00Z'), 'Europe/Paris');
  assert.deepEqual(ticks.map((t) => t.label), ['22:00', '00:00', '02:00', '04:00', '06:00', '08:00']);
  assert.deepEqual(ticks.map((t) => t.date), ['28 Oct 2023', '29 Oct 2023', null, null, null, null]);
  const minutes = timeTicks(T0 + 944, T0 + 20 * 60_000, 'Europe/Paris');
  assert.deepEqual(minutes.map((t) => t.label), ['20:05', '20:10', '20:15', '20:20']);
  const months = timeTicks(Date.parse('2023-01-01T00:00:00Z'), Date.parse('2024-01-01T00:00:00Z'), 'Europe/Paris');
  assert.ok(months.length >= 4 && months.length <= 8 && months.every((t) => /^[A-Z][a-z]{2} 20\d\d$/.test(t.label)), JSON.stringify(months));
});

test('the chart: a line broken at holes, the gap band, a dot per incomplete bucket, escaped titles', () => {
  const svg = renderChart({ chart: report([]).chart, expected: 289, zone: 'Europe/Paris', maxGapMs: 300_000 });
  assert.match(svg, /^<svg id="stations-chart"[^>]*viewBox="0 0 1000 400"/);
  assert.equal(svg.match(/<path class="series" d="M/g)!.length, 2 + 1, 'two runs of buckets, plus the legend');
  assert.equal(svg.match(/<rect class="gap" x=/g)!.length, 2, 'one gap, plus the legend');
  assert.equal(svg.match(/<circle class="incomplete" cx="\d/g)!.length, 2, 'one incomplete bucket, plus the legend');
  assert.match(svg, /<title>gap: no snapshot from 2023-08-24 20:09:00\+02:00 to 2023-08-24 20:16:00\+02:00 \(7m\)<\/title>/);
  const empty = renderChart({ chart: { ...report([]).chart, points: [], gaps: [] }, expected: 0, zone: 'UTC', maxGapMs: 300_000 });
  assert.match(empty, /No snapshot in this window/);
});

test('the HTML page is self-contained and escapes what comes from the warehouse', () => {
  const hostile = result('manifest', 'warn', 1, [{ file_name: '<script>alert(1)</script>.json', problem: 'not in the manifest', manifest_rows: null, rows_present: 3 }]);
  const html = renderReportHtml(report([result('gaps', 'error', 1), hostile]), OPTIONS, false);
  assert.doesNotMatch(html, /<script|<link|\bsrc=|url\(|@import/i);
  assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;\.json/);
  assert.match(html, /<h1>V'lille data-quality report <span class="badge fail">FAIL<\/span><\/h1>/);
  assert.match(html, /<tr class="warn"><td class="name">manifest<\/td>/);
  // A year of 12-hour buckets stays a small page.
  const year = report([], 730);
  year.chart = { ...year.chart, bucketMs: 12 * 3_600_000, points: year.chart.points.map((p, i) => ({ ...p, bucketMs: T0 + i * 12 * 3_600_000, incomplete: i % 3 })) };
  assert.ok(renderReportHtml(year, OPTIONS, false).length < 250_000);
});

test('the table and the JSON: one line per check, the examples of what failed in the zone, the verdict last', () => {
  const failed = result('gaps', 'error', 1, [{ start: '2023-08-24T18:04:00.000Z', end: '2023-08-24T18:11:00.000Z', duration_seconds: 420 }]);
  const text = formatCheckTable(report([failed, result('capacity', 'warn', 0)]), false);
  assert.match(text, /^ {2}gaps +error +✗ FAIL +1 +rule of gaps$/m);
  assert.match(text, /^ {2}freshness +– skip +not run: give --max-age$/m);
  assert.match(text, /^ {4}2023-08-24 20:04:00\+02:00 +2023-08-24 20:11:00\+02:00 +7m$/m);
  assert.match(text, /\nFAIL {2}gaps failed$/);
  const json = JSON.parse(formatCheckJson(report([failed]), true));
  assert.deepEqual(Object.keys(json), ['status', 'strict', 'failing', 'warehouse', 'generatedAt', 'window', 'summary', 'checks', 'skipped']);
  assert.deepEqual(json.window, { from: null, to: null, timezone: 'Europe/Paris' });
  assert.deepEqual(Object.keys(json.checks[0]), ['name', 'severity', 'status', 'count', 'unit', 'rule', 'examples']);
});
