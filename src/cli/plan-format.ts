/** The plan as a person reads it on a terminal: times in --timezone, with their offset (the JSON keeps UTC). */
import { DateTime } from 'luxon';
import type { PlanReport } from '../loader/stages/plan-report.js';
import type { TimeWindow } from '../loader/sources/window.js';

const int = (n: number): string => n.toLocaleString('en-US');
const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

/** `2023-08-24T18:09:00.000Z` in Europe/Paris → `2023-08-24 20:09+02:00` */
function minuteIn(zone: string) {
  return (time: string | number | null): string =>
    time === null ? '–' : DateTime.fromMillis(typeof time === 'number' ? time : Date.parse(time), { zone }).toFormat('yyyy-MM-dd HH:mmZZ');
}

function windowLine(window: TimeWindow, zone: string): string {
  const minute = minuteIn(zone);
  if (!Number.isFinite(window.fromMs) && !Number.isFinite(window.toMs)) return `all files (times in ${zone})`;
  const from = Number.isFinite(window.fromMs) ? minute(window.fromMs) : 'the first file';
  const to = Number.isFinite(window.toMs) ? `${minute(window.toMs)} (exclusive)` : 'the last file';
  return `${from} → ${to}, times in ${zone}`;
}
/** `± 2 h: files named 18:09+02:00 → 22:16+02:00 are read; rows are cut to the window exactly` */
function marginLine(margin: PlanReport['nameMargin'], zone: string): string {
  if (!margin) return 'none (no window: every file is read)';
  const minute = minuteIn(zone);
  const hours = margin.minutes % 60 === 0 ? `${margin.minutes / 60} h` : `${margin.minutes} min`;
  const from = margin.from ?? 'the first file';
  const to = margin.to ?? 'the last file';
  return `± ${hours}: files named ${margin.from ? minute(from) : from} → ${margin.to ? `${minute(to)} (exclusive)` : to} are read; their rows are cut to the window exactly`;
}

const SHOWN_GAPS = 10;
const SHOWN_TASKS = 20;

export function formatPlanTable(source: string, plan: PlanReport, scope: { window: TimeWindow; timezone: string; shardMb: number }): string {
  const minute = minuteIn(scope.timezone);
  const rows: [string, string][] = [
    ['source', source],
    ['window', windowLine(scope.window, scope.timezone)],
    ['name margin', marginLine(plan.nameMargin, scope.timezone)],
    ['files listed', `${int(plan.listed)} (${int(plan.outOfRange)} named outside the margin, ${int(plan.skipped)} loaded before)`],
    ['to read', `${int(plan.files)} files, ${mb(plan.bytes)}`],
    ['minutes', `${minute(plan.first)} → ${minute(plan.last)}`],
    ['gaps', plan.gapCount === 0 ? 'none' : `${int(plan.gapCount)} (${int(plan.gaps.reduce((n, g) => n + g.missingMinutes, 0))}${plan.gapCount > plan.gaps.length ? '+' : ''} minutes missing)`],
    ...plan.gaps.slice(0, SHOWN_GAPS).map((gap): [string, string] => ['', `${minute(gap.after)} → ${minute(gap.before)}: ${int(gap.missingMinutes)} missing`]),
    ...(plan.gapCount > SHOWN_GAPS ? [['', `… ${int(plan.gapCount - SHOWN_GAPS)} more (--json lists them)`] as [string, string]] : []),
    ['tasks', String(plan.tasks.length)],
    ...plan.tasks.slice(0, SHOWN_TASKS).map((task): [string, string] => [`  task ${task.index}`, `${int(task.files)} files, ${mb(task.bytes)}${task.first ? `, ${minute(task.first)} → ${minute(task.last)}` : ''}`]),
    ...(plan.tasks.length > SHOWN_TASKS ? [['', `… ${plan.tasks.length - SHOWN_TASKS} more tasks (--json lists them)`] as [string, string]] : []),
    ['staged shards', `records ${int(plan.stagedShards.records)}, stations ${int(plan.stagedShards.stations)}, files ${int(plan.stagedShards.files)} (estimate, ${int(scope.shardMb)} MiB each at most)`],
    ['load jobs', `records ${plan.loadJobsPerTable.records}, stations ${plan.loadJobsPerTable.stations}, files ${plan.loadJobsPerTable.files} per staging table (budget ${int(plan.loadJobsPerTablePerDay)} per table per day); target tables: one MERGE each`],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  const table = rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n');
  return plan.warnings.length === 0 ? table : `${table}\n\nwarnings:\n${plan.warnings.map((w) => `  - ${w}`).join('\n')}`;
}
