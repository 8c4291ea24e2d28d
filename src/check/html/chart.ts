/**
 * The chart of stations reporting per snapshot, as inline SVG (no script, nothing fetched when viewed):
 * the bucketed series (line: fewest stations per bucket; band: fewest to most), the expected count, gaps as
 * shaded bands and incomplete snapshots as red dots, with time and station axes and a legend.
 */
import { formatDuration } from '../durations.js';
import { formatInstant } from '../display.js';
import type { ChartData, Gap, SeriesPoint } from '../types.js';
import { escapeHtml } from './escape.js';
import { timeTicks } from './time-axis.js';

const WIDTH = 1000;
const HEIGHT = 400;
const MARGIN = { left: 64, right: 28, top: 48, bottom: 62 };
const PLOT_W = WIDTH - MARGIN.left - MARGIN.right;
const PLOT_H = HEIGHT - MARGIN.top - MARGIN.bottom;

export interface ChartInput {
  chart: ChartData;
  expected: number;
  zone: string;
  maxGapMs: number;
}

interface Scales {
  x: (ms: number) => number;
  y: (stations: number) => number;
  yTicks: number[];
}

const round = (n: number): string => n.toFixed(1);

function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(Math.max(raw, 1e-9)));
  const f = raw / power;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * power;
}

/** The station axis hugs the data (a dip from 289 to 286 must show), with round ticks. */
export function scales(chart: ChartData, expected: number): Scales {
  const values = chart.points.flatMap((p) => [p.minStations, p.maxStations]);
  if (expected > 0) values.push(expected);
  const min = values.length > 0 ? Math.min(...values) : 0;
  const max = values.length > 0 ? Math.max(...values) : 10;
  const pad = Math.max(2, (max - min) * 0.08);
  const step = Math.max(1, niceStep((max - min + 2 * pad) / 5));
  const lo = Math.max(0, Math.floor((min - pad) / step) * step);
  const hi = Math.ceil((max + pad) / step) * step;
  const yTicks: number[] = [];
  for (let v = lo; v <= hi + step / 2; v += step) yTicks.push(v);
  const span = Math.max(1, chart.toMs - chart.fromMs);
  return {
    x: (ms) => MARGIN.left + (Math.min(Math.max(ms, chart.fromMs), chart.toMs) - chart.fromMs) / span * PLOT_W,
    y: (stations) => MARGIN.top + PLOT_H - (stations - lo) / Math.max(1, hi - lo) * PLOT_H,
    yTicks,
  };
}

/** Points in runs of adjacent buckets: a missing bucket breaks the line instead of bridging a hole. */
export function runs(points: readonly SeriesPoint[], bucketMs: number): SeriesPoint[][] {
  const out: SeriesPoint[][] = [];
  for (const point of points) {
    const run = out[out.length - 1];
    const last = run?.[run.length - 1];
    if (run && last && point.bucketMs - last.bucketMs <= bucketMs) run.push(point);
    else out.push([point]);
  }
  return out;
}

/** Where a bucket is drawn: one-minute buckets hold one snapshot, taken at the minute's start; wider ones at their middle. */
function bucketX(chart: ChartData, s: Scales, bucketMs: number): number {
  return s.x(bucketMs + (chart.bucketMs <= 60_000 ? 0 : chart.bucketMs / 2));
}

function seriesPaths(chart: ChartData, s: Scales): string {
  const at = (p: SeriesPoint): number => bucketX(chart, s, p.bucketMs);
  const parts: string[] = [];
  for (const run of runs(chart.points, chart.bucketMs)) {
    if (run.length === 1) {
      // A lone bucket between holes: a dot, or the line would be invisible.
      parts.push(`<circle class="series-point" cx="${round(at(run[0]!))}" cy="${round(s.y(run[0]!.minStations))}" r="2.5"/>`);
      continue;
    }
    if (run.some((p) => p.maxStations !== p.minStations)) {
      const top = run.map((p) => `${round(at(p))},${round(s.y(p.maxStations))}`);
      const bottom = [...run].reverse().map((p) => `${round(at(p))},${round(s.y(p.minStations))}`);
      parts.push(`<path class="band" d="M${top.join('L')}L${bottom.join('L')}Z"/>`);
    }
    parts.push(`<path class="series" d="${run.map((p, i) => `${i === 0 ? 'M' : 'L'}${round(at(p))},${round(s.y(p.minStations))}`).join('')}"/>`);
  }
  return parts.join('');
}

function gapRects(gaps: readonly Gap[], s: Scales, zone: string): string {
  return gaps
    .map((gap) => {
      const x1 = s.x(gap.startMs);
      const width = Math.max(3, s.x(gap.endMs) - x1);
      const title = `gap: no snapshot from ${formatInstant(gap.startMs, zone)} to ${formatInstant(gap.endMs, zone)} (${formatDuration(gap.endMs - gap.startMs)})`;
      return `<rect class="gap" x="${round(x1)}" y="${MARGIN.top}" width="${round(width)}" height="${PLOT_H}"><title>${escapeHtml(title)}</title></rect>`;
    })
    .join('');
}

/** A hole in the series: buckets with no snapshot between two that have one. */
export interface Hole {
  afterMs: number;
  beforeMs: number;
  missing: number;
}

/** The holes between runs of the series that no gap band already shows (those are under --max-gap). */
export function holes(chart: ChartData): Hole[] {
  const all = runs(chart.points, chart.bucketMs);
  const found: Hole[] = [];
  for (let i = 1; i < all.length; i++) {
    const afterMs = all[i - 1]!.at(-1)!.bucketMs;
    const beforeMs = all[i]![0]!.bucketMs;
    if (chart.gaps.some((gap) => gap.startMs < beforeMs + chart.bucketMs && gap.endMs > afterMs + chart.bucketMs)) continue;
    found.push({ afterMs, beforeMs, missing: Math.round((beforeMs - afterMs) / chart.bucketMs) - 1 });
  }
  return found;
}

/**
 * Holes drawn over the dashed expected line, as amber columns: otherwise the series' break for a missing minute
 * reads as one more dash of that line and is seen by no one.
 */
function holeColumns(chart: ChartData, s: Scales, zone: string): string {
  const unit = chart.bucketMs <= 60_000 ? 'minute' : formatDuration(chart.bucketMs);
  return holes(chart)
    .map((hole) => {
      // From just after the last bucket drawn to just before the next one: at least 4 px, centred.
      const x1 = bucketX(chart, s, hole.afterMs) + 2;
      const x2 = bucketX(chart, s, hole.beforeMs) - 2;
      const width = Math.max(4, x2 - x1);
      const x = (x1 + x2) / 2 - width / 2;
      const title = `no snapshot between ${formatInstant(hole.afterMs, zone)} and ${formatInstant(hole.beforeMs, zone)} (${hole.missing} ${unit}${hole.missing > 1 && unit === 'minute' ? 's' : ''} missing)`;
      return `<rect class="missing" x="${round(x)}" y="${MARGIN.top}" width="${round(width)}" height="${PLOT_H}"><title>${escapeHtml(title)}</title></rect>`;
    })
    .join('');
}

function incompleteDots(chart: ChartData, expected: number, s: Scales, zone: string): string {
  return chart.points
    .filter((p) => p.incomplete > 0)
    .map((p) => {
      const title = `${formatInstant(p.bucketMs, zone)}: ${p.incomplete} incomplete snapshot${p.incomplete > 1 ? 's' : ''}, as few as ${p.minStations} of ${expected} stations`;
      return `<circle class="incomplete" cx="${round(bucketX(chart, s, p.bucketMs))}" cy="${round(s.y(p.minStations))}" r="4.5"><title>${escapeHtml(title)}</title></circle>`;
    })
    .join('');
}

function axes(chart: ChartData, s: Scales, zone: string): string {
  const bottom = MARGIN.top + PLOT_H;
  const y = s.yTicks
    .map((v) => `<line class="grid" x1="${MARGIN.left}" x2="${MARGIN.left + PLOT_W}" y1="${round(s.y(v))}" y2="${round(s.y(v))}"/><text x="${MARGIN.left - 8}" y="${round(s.y(v) + 4)}" text-anchor="end">${v}</text>`)
    .join('');
  const x = timeTicks(chart.fromMs, chart.toMs, zone)
    .map((t) => {
      const px = round(s.x(t.ms));
      const date = t.date ? `<tspan x="${px}" dy="15" class="date">${escapeHtml(t.date)}</tspan>` : '';
      return `<line class="tick" x1="${px}" x2="${px}" y1="${bottom}" y2="${bottom + 5}"/><text x="${px}" y="${bottom + 19}" text-anchor="middle">${escapeHtml(t.label)}${date}</text>`;
    })
    .join('');
  const titles =
    `<text class="axis-title" transform="translate(16 ${MARGIN.top + PLOT_H / 2}) rotate(-90)" text-anchor="middle">stations per snapshot</text>` +
    `<text class="axis-title" x="${MARGIN.left + PLOT_W / 2}" y="${HEIGHT - 8}" text-anchor="middle">time (${escapeHtml(zone)})</text>`;
  return `<g class="y-axis">${y}</g><g class="x-axis">${x}</g>${titles}<rect class="frame" x="${MARGIN.left}" y="${MARGIN.top}" width="${PLOT_W}" height="${PLOT_H}"/>`;
}

/** Legend items: a 22 px swatch, then the label; left to right by the labels' approximate width, in two rows if need be. */
function legend(input: ChartInput): string {
  const items: [string, string][] = [
    ['<path class="series" d="M0,0h22"/>', input.chart.bucketMs > 60_000 ? `fewest stations per ${formatDuration(input.chart.bucketMs)}` : 'stations reporting'],
    ...(input.chart.bucketMs > 60_000 ? [['<rect class="band" x="0" y="-6" width="22" height="12"/>', 'fewest to most'] as [string, string]] : []),
    ['<line class="expected" x1="0" x2="22" y1="0" y2="0"/>', `expected (${input.expected})`],
    ['<rect class="gap" x="0" y="-7" width="22" height="14"/>', `gap over ${formatDuration(input.maxGapMs)}`],
    ['<circle class="incomplete" cx="11" cy="0" r="4.5"/>', 'incomplete snapshot'],
    ...(holes(input.chart).length > 0 ? [['<rect class="missing" x="7" y="-7" width="8" height="14"/>', input.chart.bucketMs > 60_000 ? 'no snapshot' : 'missing minute'] as [string, string]] : []),
  ];
  let x = MARGIN.left;
  let y = 22;
  const placed = items.map(([swatch, label]) => {
    const width = 30 + Math.ceil(label.length * 7.6) + 26;
    if (x + width > WIDTH - MARGIN.right + 26) [x, y] = [MARGIN.left, 40];
    const g = `<g transform="translate(${x} ${y})">${swatch}<text x="30" y="4">${escapeHtml(label)}</text></g>`;
    x += width;
    return g;
  });
  return `<g class="legend">${placed.join('')}</g>`;
}

export function renderChart(input: ChartInput): string {
  const { chart, expected, zone } = input;
  const s = scales(chart, expected);
  const empty = chart.points.length === 0 ? `<text class="empty" x="${MARGIN.left + PLOT_W / 2}" y="${MARGIN.top + PLOT_H / 2}" text-anchor="middle">No snapshot in this window</text>` : '';
  const expectedLine = expected > 0 ? `<line class="expected" x1="${MARGIN.left}" x2="${MARGIN.left + PLOT_W}" y1="${round(s.y(expected))}" y2="${round(s.y(expected))}"/>` : '';
  return (
    `<svg id="stations-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="Stations reporting per snapshot over time">` +
    axes(chart, s, zone) +
    gapRects(chart.gaps, s, zone) +
    expectedLine +
    holeColumns(chart, s, zone) +
    seriesPaths(chart, s) +
    incompleteDots(chart, expected, s, zone) +
    empty +
    legend(input) +
    '</svg>'
  );
}
