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

/** First tick at or after `from`: the aligned unit's start, then whole steps (e.g. :00 :15 :30 …). */
function firstTick(from: DateTime, step: Step): DateTime {
  let t = from.startOf(step.align);
  if (step.unit === 'minute' || step.unit === 'hour') {
    const value = step.unit === 'minute' ? from.minute : from.hour;
    t = t.set({ [step.unit]: Math.floor(value / step.every) * step.every });
  } else if (step.unit === 'month' && step.align === 'year') {
    t = t.set({ month: Math.floor((from.month - 1) / step.every) * step.every + 1 });
  }
  while (t.toMillis() < from.toMillis()) t = t.plus(step.plus);
  return t;
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
  for (let t = firstTick(DateTime.fromMillis(fromMs, { zone }), step); t.toMillis() <= toMs && ticks.length <= maxTicks * 2; t = t.plus(step.plus)) {
    ticks.push(tick(t, step, previous));
    previous = t;
  }
  return ticks;
}
