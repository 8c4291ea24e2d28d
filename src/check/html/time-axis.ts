/** Ticks of the chart's time axis, on round wall-clock times of the report's zone (DST-aware, via luxon). */
import { DateTime, type DurationLikeObject } from 'luxon';

export interface TimeTick {
  ms: number;
  /** First line: the time (or the date for day steps). */
  label: string;
  /** Second line: the date, on the first tick and when the day changes (sub-day steps only). */
  date: string | null;
}

interface Step {
  ms: number;
  plus: DurationLikeObject;
  /** Start of the unit the ticks are aligned in, and the multiple within it. */
  align: 'hour' | 'day' | 'week' | 'month' | 'year';
  every: number;
  unit: 'minute' | 'hour' | 'day' | 'month';
}

const M = 60_000;
const H = 60 * M;
const D = 24 * H;
const STEPS: Step[] = [
  ...[1, 2, 5, 10, 15, 30].map((n): Step => ({ ms: n * M, plus: { minutes: n }, align: 'hour', every: n, unit: 'minute' })),
  ...[1, 2, 3, 6, 12].map((n): Step => ({ ms: n * H, plus: { hours: n }, align: 'day', every: n, unit: 'hour' })),
  { ms: D, plus: { days: 1 }, align: 'day', every: 1, unit: 'day' },
  { ms: 2 * D, plus: { days: 2 }, align: 'day', every: 1, unit: 'day' },
  { ms: 7 * D, plus: { weeks: 1 }, align: 'week', every: 1, unit: 'day' },
  ...[1, 3, 6].map((n): Step => ({ ms: n * 30 * D, plus: { months: n }, align: n === 1 ? 'month' : 'year', every: n, unit: 'month' })),
];

/** The smallest step that puts at most `maxTicks` ticks on [fromMs, toMs]. */
function pickStep(fromMs: number, toMs: number, maxTicks: number): Step {
  return STEPS.find((step) => (toMs - fromMs) / step.ms <= maxTicks) ?? STEPS[STEPS.length - 1]!;
}

/**
 * Candidate ticks in wall-clock time, from the unit containing `from`: :00 :15 :30 … of every hour, 00:00
 * 06:00 … of every day (set, not added, so a DST change keeps the labels round), whole days, months.
 */
function* wallClock(from: DateTime, step: Step): Generator<DateTime> {
  if (step.unit === 'minute' || step.unit === 'hour') {
    const outer = step.unit === 'minute' ? 'hour' : 'day';
    for (let base = from.startOf(outer); ; base = base.plus(outer === 'hour' ? { hours: 1 } : { days: 1 })) {
      for (let v = 0; v < (step.unit === 'minute' ? 60 : 24); v += step.every) yield base.set({ [step.unit]: v });
    }
  }
  let t = from.startOf(step.align);
  if (step.unit === 'month' && step.align === 'year') t = t.set({ month: Math.floor((from.month - 1) / step.every) * step.every + 1 });
  for (; ; t = t.plus(step.plus)) yield t;
}

/** Labels: the time, with the date under the first tick and wherever the day changes (the year, for day steps). */
function tick(t: DateTime, step: Step, previous: DateTime | null): TimeTick {
  const ms = t.toMillis();
  if (step.unit === 'month') return { ms, label: t.toFormat('LLL yyyy'), date: null };
  if (step.unit === 'day') return { ms, label: t.toFormat('d LLL'), date: !previous || previous.year !== t.year ? t.toFormat('yyyy') : null };
  return { ms, label: t.toFormat('HH:mm'), date: !previous || !previous.hasSame(t, 'day') ? t.toFormat('d LLL yyyy') : null };
}

export function timeTicks(fromMs: number, toMs: number, zone: string, maxTicks = 8): TimeTick[] {
  const step = pickStep(fromMs, toMs, maxTicks);
  const ticks: TimeTick[] = [];
  let previous: DateTime | null = null;
  for (const t of wallClock(DateTime.fromMillis(fromMs, { zone }), step)) {
    if (t.toMillis() > toMs || ticks.length > maxTicks * 2) break;
    // Before the range, or a wall-clock time a DST change mapped onto the previous tick.
    if (t.toMillis() < fromMs || (previous && t.toMillis() <= previous.toMillis())) continue;
    ticks.push(tick(t, step, previous));
    previous = t;
  }
  return ticks;
}
