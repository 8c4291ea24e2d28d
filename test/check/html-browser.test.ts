/**
 * The HTML report in a real browser: headless Chromium opens a report with injected gaps and incomplete
 * snapshots; the chart's elements are laid out with real sizes (measured in the page), and a screenshot
 * shows the blue series and the red highlights.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { before, describe, test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { corpus, runCli, runJson, tempDir } from '../support/cli.js';
import { chromium, SKIP_WITHOUT_BROWSER } from './browser.js';
import { countPixels, decodePng } from './png.js';

const minute = (m: number): string =>
  `record_timestamp >= TIMESTAMPTZ '2023-08-24 18:${String(m).padStart(2, '0')}:00+00' AND record_timestamp < TIMESTAMPTZ '2023-08-24 18:${String(m + 1).padStart(2, '0')}:00+00'`;

/** Two incomplete snapshots (20:04 Paris: 40 stations missing; 20:07: 6) and a 6-minute gap (20:12 → 20:18). */
const PROBLEMS = [
  `DELETE FROM records WHERE ${minute(4)} AND station_id <= 40`,
  `DELETE FROM records WHERE ${minute(7)} AND station_id <= 6`,
  `DELETE FROM records WHERE record_timestamp >= TIMESTAMPTZ '2023-08-24 18:13:00+00' AND record_timestamp < TIMESTAMPTZ '2023-08-24 18:18:00+00'`,
  `DELETE FROM _velo_files WHERE min_record_timestamp >= TIMESTAMPTZ '2023-08-24 18:13:00+00' AND min_record_timestamp < TIMESTAMPTZ '2023-08-24 18:18:00+00'`,
];

/** Appended to a copy of the report: measures the chart's own elements (not the legend's) as laid out. */
const MEASURE = `<script>
const boxes = (selector) => [...document.querySelectorAll(selector)].map((el) => { const r = el.getBoundingClientRect(); return { w: Math.round(r.width), h: Math.round(r.height) }; });
const found = {
  svg: boxes('svg#stations-chart'),
  series: boxes('svg#stations-chart > path.series'),
  gaps: boxes('svg#stations-chart > rect.gap'),
  incomplete: boxes('svg#stations-chart > circle.incomplete'),
  expected: boxes('svg#stations-chart > line.expected'),
  xTicks: [...document.querySelectorAll('svg#stations-chart .x-axis text')].map((t) => t.firstChild.textContent),
  legend: [...document.querySelectorAll('svg#stations-chart .legend text')].map((t) => t.textContent),
};
const pre = document.createElement('pre');
pre.id = 'measured';
pre.textContent = JSON.stringify(found);
document.body.append(pre);
</script>`;

describe('the HTML report in headless Chromium', { skip: SKIP_WITHOUT_BROWSER }, () => {
  const work = tempDir('velo-check-html-');
  const report = path.join(work, 'report.html');

  before(async () => {
    const db = path.join(work, 'v.duckdb');
    const run = await runJson(['--source', corpus('sample-corpus'), '--warehouse', `duckdb:${db}`, '--staging', path.join(work, 'staging')], { cwd: work });
    assert.equal(run.code, 0, run.stderr);
    const instance = await DuckDBInstance.create(db);
    const connection = await instance.connect();
    for (const statement of PROBLEMS) await connection.run(statement);
    connection.closeSync();
    instance.closeSync();
    const check = await runCli(['check', '--warehouse', `duckdb:${db}`, '--format', 'html', '--output', report]);
    assert.equal(check.code, 4, check.stderr);
  });

  test('the chart is drawn: series, expected line, one gap band and two incomplete dots, with real sizes', async () => {
    const page = path.join(work, 'measure.html');
    writeFileSync(page, readFileSync(report, 'utf8').replace('</body>', `${MEASURE}</body>`));
    const { code, stdout, stderr } = await chromium(['--dump-dom', '--window-size=1200,1000'], pathToFileURL(page).href);
    assert.equal(code, 0, stderr);
    const json = /<pre id="measured">(.*?)<\/pre>/s.exec(stdout)?.[1];
    assert.ok(json, `no measurement in the dumped DOM:\n${stdout.slice(0, 500)}`);
    const found = JSON.parse(json.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'));
    assert.ok(found.svg[0].w > 900 && found.svg[0].h > 300, `chart size ${JSON.stringify(found.svg)}`);
    assert.ok(found.series.length >= 2 && found.series.every((b: { w: number }) => b.w > 20), `series ${JSON.stringify(found.series)}`);
    assert.equal(found.gaps.length, 1);
    assert.ok(found.gaps[0].w > 150 && found.gaps[0].h > 250, `gap band ${JSON.stringify(found.gaps)}`);
    assert.equal(found.incomplete.length, 2);
    assert.ok(found.incomplete.every((b: { w: number; h: number }) => b.w >= 8 && b.h >= 8), `dots ${JSON.stringify(found.incomplete)}`);
    assert.ok(found.expected[0].w > 800);
    assert.deepEqual(found.xTicks, ['20:00', '20:05', '20:10', '20:15', '20:20']);
    assert.deepEqual(found.legend, ['stations reporting', 'expected (289)', 'gap over 5m', 'incomplete snapshot']);
  });

  test('a screenshot is not blank: the blue series and the red gap band and dots are on it', async () => {
    const png = path.join(work, 'report.png');
    const { code, stderr } = await chromium([`--screenshot=${png}`, '--window-size=1200,900'], pathToFileURL(report).href);
    assert.equal(code, 0, stderr);
    const image = decodePng(readFileSync(png));
    assert.deepEqual([image.width, image.height], [1200, 900]);
    const total = image.width * image.height;
    const background = countPixels(image, (r, g, b) => r > 245 && g > 245 && b > 245);
    assert.ok(total - background > total * 0.05, `only ${total - background} non-white pixels`);
    const blue = countPixels(image, (r, g, b) => b > 180 && r < 90 && g > 70 && g < 150); // the series, #2563eb
    const gapBand = countPixels(image, (r, g, b) => r > 245 && g > 215 && g < 240 && b > 215 && b < 240); // #ef4444 at 16 %
    const dots = countPixels(image, (r, g, b) => r > 190 && g < 80 && b < 80); // #dc2626
    assert.ok(blue > 400, `blue series pixels: ${blue}`);
    assert.ok(gapBand > 20_000, `gap band pixels: ${gapBand}`);
    assert.ok(dots > 100, `red dot pixels: ${dots} (the legend's dot alone is ~40)`);
  });
});
