/**
 * One task's part in a fanned-out execution (every task runs the same command line):
 *
 *   1. merged.json exists            → nothing to do (exit 0)
 *   2. the merge lock is ours         → we are a retry of the merging task: merge again (idempotent)
 *      the merge lock is another's    → our slice is in already (the lock is only taken once every slice is): exit 0
 *   3. our marker exists              → an earlier attempt staged our slice: skip to 5
 *   4. plan (boundaries agreed through plan.json), stage and load our slice into our own staging tables, mark done
 *   5. every task's marker exists     → claim the lock (a conditional create: exactly one task wins) and merge
 *      otherwise                      → exit 0: the last task to finish will see every marker
 *
 * A task writes its marker before it counts the markers, so the last one to finish always sees them all;
 * two that finish together both try the lock and one wins. A retried attempt replaces only its own staging
 * tables, and only while its marker is missing, which is also while nobody can hold the lock.
 */
import { TransientError, UsageError } from '../../errors.js';
import type { Logger } from '../output/log.js';
import type { SourceObject } from '../sources/source.js';
import type { SliceReport } from '../stages/report.js';
import type { StageScope } from '../warehouses/warehouse.js';
import type { Coordinator, SlicePlan } from './coordinator.js';
import { sliceBoundaries, takeSlice } from './slices.js';
import type { TaskIdentity } from './task.js';

export type TaskStart =
  | { next: 'work' }
  | { next: 'claim' }
  | { next: 'merge' }
  | { next: 'exit'; status: 'already-merged' | 'left-to-last-task'; note: string };

export interface MergeSources {
  scopes: StageScope[];
  slices: SliceReport[];
}

export class FanOutTask {
  constructor(
    private readonly coordinator: Coordinator,
    private readonly task: TaskIdentity,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<TaskStart> {
    const merged = await this.coordinator.merged();
    if (merged) return { next: 'exit', status: 'already-merged', note: `the execution was merged at ${String(merged.at)} by task ${String(merged.by)}` };
    const holder = await this.coordinator.lockHolder();
    if (holder?.task === this.task.index) return { next: 'merge' };
    if (holder) return { next: 'exit', status: 'left-to-last-task', note: `task ${holder.task} is merging the execution` };
    return (await this.coordinator.marker(this.task.index)) ? { next: 'claim' } : { next: 'work' };
  }

  /** This task's files: the plan's boundaries (agreed by every task) cut the planned list. */
  async slice(todo: readonly SourceObject[], window: SlicePlan['window']): Promise<SourceObject[]> {
    const bytes = todo.reduce((sum, object) => sum + object.size, 0);
    const plan = await this.coordinator.agreePlan({ taskCount: this.task.count, boundaries: sliceBoundaries(todo, this.task.count), window, files: todo.length, bytes });
    if (plan.taskCount !== this.task.count || plan.window.from !== window.from || plan.window.to !== window.to) {
      throw new UsageError(
        'PLAN_MISMATCH',
        `this execution was planned for ${plan.taskCount} tasks and the window [${plan.window.from}, ${plan.window.to}) (${this.coordinator.description}plan.json): every task must run the same command line, or use another run id`,
      );
    }
    const mine = takeSlice(todo, plan.boundaries, this.task.index);
    this.logger.info({ files: mine.length, bytes: mine.reduce((sum, object) => sum + object.size, 0), planned: plan.files }, 'slice planned');
    return mine;
  }

  async markDone(slice: SliceReport, staged: boolean): Promise<void> {
    await this.coordinator.markDone({ task: this.task.index, attempt: this.task.tag, taskCount: this.task.count, staged, summary: slice as unknown as Record<string, unknown> });
  }

  /** After our slice is in: merge if every slice is in and we win the lock. */
  async claim(): Promise<TaskStart> {
    const done = await this.coordinator.doneCount();
    if (done < this.task.count) {
      return { next: 'exit', status: 'left-to-last-task', note: `${done} of ${this.task.count} tasks done; the last one to finish merges` };
    }
    const { won, holder } = await this.coordinator.claimMerge(this.task.index, this.task.tag);
    return won ? { next: 'merge' } : { next: 'exit', status: 'left-to-last-task', note: `task ${holder.task} merges the execution` };
  }

  async markMerged(note: Record<string, unknown>): Promise<void> {
    await this.coordinator.markMerged({ ...note, by: this.task.index, attempt: this.task.tag, at: new Date().toISOString() });
  }
}

/** Every task's staging tables and slice report; fails (retryably) while a task has not finished. */
export async function mergeSources(coordinator: Coordinator, taskCount: number): Promise<MergeSources> {
  const markers = await coordinator.markers();
  const present = new Set(markers.map((marker) => marker.task));
  const missing = Array.from({ length: taskCount }, (_, task) => task).filter((task) => !present.has(task));
  if (missing.length > 0) {
    throw new TransientError('TASKS_UNFINISHED', `${missing.length} task(s) have not finished their slice (${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', …' : ''}): re-run them first`);
  }
  const strays = markers.filter((marker) => marker.taskCount !== taskCount || marker.task >= taskCount);
  if (strays.length > 0) throw new UsageError('TASK_COUNT_MISMATCH', `markers of another task count in ${coordinator.description}: use another run id`);
  return {
    scopes: markers.filter((marker) => marker.staged).map((marker) => ({ task: marker.task })),
    slices: markers.map((marker) => marker.summary as unknown as SliceReport),
  };
}
