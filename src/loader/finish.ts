/**
 * The end of a run: merge every task's staging tables once (or hold back when too many files were
 * rejected), mark the execution merged, clean up. Used by the task that merges and by `velo-backfill merge`,
 * which finishes a fanned-out execution whose merging task died.
 */
import { UsageError, errorMessage } from '../errors.js';
import type { Coordinator } from './fanout/coordinator.js';
import { mergeSources, type MergeSources } from './fanout/protocol.js';
import type { Logger } from './output/log.js';
import { heldBackShards, type HeldBackRun } from './stages/held-back.js';
import { loadPackage } from './stages/load.js';
import { dropStaging, mergeStaged, type MergeResult } from './stages/merge.js';
import { combineSlices, emptySlice, type MergeStatus, type RunSummary, type SliceReport } from './stages/report.js';
import type { StagingStore } from './staging/shards.js';
import type { Warehouse } from './warehouses/warehouse.js';

/** Rejected files above which nothing is merged (staging is kept for inspection). */
export type RejectLimit = { files: number } | { percent: number };

export interface FinishContext {
  runId: string;
  window: { from: string; to: string };
  keepStaging: boolean;
  maxRejected: RejectLimit | null;
  warehouse: () => Promise<Warehouse>;
  staging: StagingStore;
  logger: Logger;
  /** Fan-out: record that the execution is merged (later tasks and retries then exit 0). */
  markMerged?: (note: Record<string, unknown>) => Promise<void>;
  summary: (slice: SliceReport, merged: MergeResult | null, status: MergeStatus, note?: string) => RunSummary;
  /**
   * A single-task run with local staging keeps a record of itself beside the shards when held back, so that
   * `velo-backfill merge` can finish it: this writes it and returns the command that does.
   */
  keepHeldBack?: (held: HeldBackRun) => string;
  /** Runs the merge's commit with interrupts (Ctrl-C, SIGTERM) held until it ends. */
  critical?: <T>(work: () => Promise<T>) => Promise<T>;
}

export function overLimit(slice: SliceReport, limit: RejectLimit | null): string | null {
  if (!limit) return null;
  const rejected = slice.counts.rejected;
  if ('files' in limit) return rejected > limit.files ? `${rejected} rejected file(s), more than --max-rejected ${limit.files}` : null;
  const percent = slice.processed > 0 ? (100 * rejected) / slice.processed : 0;
  return percent > limit.percent ? `${percent.toFixed(1)}% of the files rejected, more than --max-rejected ${limit.percent}%` : null;
}

/** Merge every slice of the run (or hold back), then clean up; the summary covers the whole run. */
export async function finishRun(context: FinishContext, sources: MergeSources): Promise<RunSummary> {
  const { logger } = context;
  const total = combineSlices(sources.slices);
  const tooMany = overLimit(total, context.maxRejected);
  if (tooMany) {
    logger.warn({ reason: tooMany }, 'too many rejected files: nothing merged, staging kept for inspection');
    const finish = context.keepHeldBack?.({ runId: context.runId, window: context.window, slice: total });
    const then = finish ? `; to merge it anyway: ${finish}` : '';
    return context.summary(total, null, 'held-back', `${tooMany}: nothing merged; staging kept (${context.staging.description})${then}`);
  }
  const warehouse = await context.warehouse();
  const critical = context.critical ?? ((work) => work());
  const merged = await critical(async () => {
    const result = await mergeStaged({ runId: context.runId, window: context.window, scopes: sources.scopes }, warehouse, logger);
    await context.markMerged?.({ rows: result.newRows });
    return result;
  });
  await cleanUp(context, warehouse, sources);
  return context.summary(total, merged, sources.scopes.length > 0 ? 'merged' : 'nothing-to-merge');
}

/** After a successful merge: scratch tables and staged shards go. Best effort: a failure is a warning. */
async function cleanUp(context: FinishContext, warehouse: Warehouse, sources: MergeSources): Promise<void> {
  await dropStaging(warehouse, sources.scopes, context.logger);
  if (context.keepStaging) return;
  await context.staging.removeRunShards().catch((error: unknown) => context.logger.warn({ err: errorMessage(error) }, 'could not delete the staged shards (left for a later clean-up)'));
}

/**
 * `velo-backfill merge --run-id ID`: merges a fanned-out execution whose merging task died (or was never
 * retried). Idempotent: an execution merged already is left as it is.
 */
export async function finishExecution(context: Omit<FinishContext, 'window' | 'markMerged'>, coordinator: Coordinator): Promise<RunSummary> {
  const done = await coordinator.merged();
  if (done) return context.summary(emptySlice(), null, 'already-merged', `merged at ${String(done.at)} by ${String(done.by)}`);
  const plan = await coordinator.plan();
  if (!plan) throw new UsageError('NO_SUCH_RUN', `no fanned-out run under ${coordinator.description}: check --run-id and --staging`);
  const holder = await coordinator.lockHolder();
  if (holder) context.logger.warn({ holder: holder.task, since: holder.at }, 'taking over the merge from the task that holds the lock');
  const sources = await mergeSources(coordinator, plan.taskCount);
  return finishRun({ ...context, window: plan.window, markMerged: (note) => coordinator.markMerged({ ...note, by: 'velo-backfill merge', at: new Date().toISOString() }) }, sources);
}

/**
 * `velo-backfill merge --staging DIR`: finishes a local run that --max-rejected held back. Its shards are loaded
 * into staging tables again (a later run drops leftover ones) and merged as the run would have: exactly once.
 */
export async function finishHeldBack(context: Omit<FinishContext, 'window' | 'runId' | 'markMerged' | 'keepHeldBack'>, dir: string, held: HeldBackRun): Promise<RunSummary> {
  const scope = { task: 0 };
  const window = { fromMs: Date.parse(held.window.from), toMs: Date.parse(held.window.to) };
  await loadPackage({ shards: heldBackShards(dir) }, scope, window, { staging: context.staging, warehouse: await context.warehouse(), logger: context.logger });
  return finishRun({ ...context, runId: held.runId, window: held.window }, { scopes: [scope], slices: [held.slice] });
}
