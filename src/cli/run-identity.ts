/** Which run, which task of it, and how many rejects it tolerates: from flags and Cloud Run's environment. */
import { UsageError } from '../errors.js';
import type { TaskIdentity } from '../loader/fanout/task.js';
import type { RejectLimit } from '../loader/run.js';

/** A BigQuery query reads at most 1,000 tables, and the merge reads every task's staging tables at once. */
export const MAX_TASKS = 1000;

/** The Cloud Run execution (the same for every task of it), or UTC time + a random suffix. */
export function defaultRunId(env: NodeJS.ProcessEnv = process.env, now = new Date()): string {
  if (env.CLOUD_RUN_EXECUTION) return env.CLOUD_RUN_EXECUTION.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64);
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}_${Math.random().toString(36).slice(2, 8)}`;
}

function envInt(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError('BAD_TASK', `${name}="${value}" is not a whole number`);
  return Number(value);
}

/** --task-index/--task-count/--task-attempt, or Cloud Run's CLOUD_RUN_TASK_* variables. */
export function taskIdentity(args: { taskIndex?: number; taskCount?: number; taskAttempt?: number }, env: NodeJS.ProcessEnv = process.env): TaskIdentity {
  const index = args.taskIndex ?? envInt(env.CLOUD_RUN_TASK_INDEX, 'CLOUD_RUN_TASK_INDEX') ?? 0;
  const count = args.taskCount ?? envInt(env.CLOUD_RUN_TASK_COUNT, 'CLOUD_RUN_TASK_COUNT') ?? 1;
  const attemptGiven = args.taskAttempt ?? envInt(env.CLOUD_RUN_TASK_ATTEMPT, 'CLOUD_RUN_TASK_ATTEMPT');
  for (const [name, value] of [['--task-index', index], ['--task-count', count], ['--task-attempt', attemptGiven ?? 0]] as const) {
    if (!Number.isInteger(value) || value < 0) throw new UsageError('BAD_TASK', `${name} must be a whole number ≥ 0, got ${value}`);
  }
  if (count < 1 || count > MAX_TASKS) throw new UsageError('BAD_TASK', `--task-count must be between 1 and ${MAX_TASKS} (the merge reads every task's staging tables in one BigQuery query), got ${count}`);
  if (index >= count) throw new UsageError('BAD_TASK', `--task-index ${index} is not below --task-count ${count}`);
  const attempt = attemptGiven ?? 0;
  // A given attempt number names this attempt's staged objects; without one, a random suffix keeps a re-start apart.
  const tag = attemptGiven === undefined ? `a0-${Math.random().toString(36).slice(2, 8)}` : `a${attempt}`;
  return { index, count, attempt, tag };
}

/** `--max-rejected 10` (files) or `--max-rejected 5%` (of the files read). */
export function parseRejectLimit(text: string | undefined): RejectLimit | null {
  if (text === undefined) return null;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(text);
  if (!m || (m[2] === '' && !Number.isInteger(Number(m[1]))) || (m[2] === '%' && Number(m[1]) > 100)) {
    throw new UsageError('BAD_MAX_REJECTED', `--max-rejected "${text}": use a number of files (e.g. 10) or a percentage of the files read (e.g. 5%)`);
  }
  return m[2] === '%' ? { percent: Number(m[1]) } : { files: Number(m[1]) };
}

