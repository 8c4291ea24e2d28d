/**
 * The backfill, as stages: plan → extract → load → merge → report (src/loader/stages/). This file only
 * sequences them and owns the lifetimes of the warehouse and the worker pool. With fan-out (several Cloud
 * Run tasks), each task stages its own slice and the last one to finish merges every slice (fanout/).
 */
import type { DeadLetterWriter } from './staging/dead-letter.js';
import type { Coordinator } from './fanout/coordinator.js';
import { FanOutTask, mergeSources, type MergeSources, type TaskStart } from './fanout/protocol.js';
import { isFanOut, type TaskIdentity } from './fanout/task.js';
import type { Logger } from './output/log.js';
import { WarehouseOpener } from './warehouses/opener.js';
import { createParsePool, type ParsePool } from './workers/parse-pool.js';
import type { Progress } from './output/progress.js';
import type { KeyRange, Source, SourceObject } from './sources/source.js';
import { extractFiles } from './stages/extract.js';
import { fullCollection } from './runtime/heap.js';
import { loadPackage } from './stages/load.js';
import { finishRun, type FinishContext, type RejectLimit } from './finish.js';
import { saveHeldBack } from './stages/held-back.js';
import type { MergeResult } from './stages/merge.js';
import { selectFiles, type FileSelection } from './stages/plan.js';
import { claimNetwork } from './stages/network.js';
import { buildSummary, emptyPackage, emptySlice, sliceReport, type MergeStatus, type RunSummary, type SliceReport } from './stages/report.js';
import type { StagingStore } from './staging/shards.js';
import type { ManifestEntry, Warehouse } from './warehouses/warehouse.js';
import { windowParams, type TimeWindow } from './sources/window.js';

export type { RejectLimit, RunSummary };

export interface RunOptions {
  runId: string;
  window: TimeWindow;
  timezone: string;
  /** The dataset's network (--network): recorded in the warehouse, checked before reading. */
  network: string;
  /** `auto` or one format id (--input-format). */
  inputFormat: string;
  force: boolean;
  /** Files in flight at once (I/O). */
  concurrency: number;
  /** Worker threads for parse + flatten (0 = main thread). */
  workers: number;
  shardBytes: number;
  /** Files larger than this are streamed record by record instead of parsed whole. */
  streamThresholdBytes: number;
  keepStaging: boolean;
  /** Which task of an execution this is (count 1: a plain run). */
  task: TaskIdentity;
  maxRejected: RejectLimit | null;
}

export interface RunDeps {
  source: Source;
  /** Opens the warehouse (called once): the run lists the source (and for a new warehouse, reads it) meanwhile. */
  openWarehouse: () => Promise<Warehouse>;
  /**
   * The warehouse is created by this run (a new DuckDB file): its manifest is empty for sure, so files are
   * read while it opens and prepares its tables instead of after, and it is opened once the first files are
   * queued: loading DuckDB blocks this thread for ~0.25 s, which the workers then spend on queued files (a
   * downloading run opens it after the reading: openNewWarehouseEarly).
   */
  newWarehouse?: boolean;
  staging: StagingStore;
  deadLetter: DeadLetterWriter;
  logger: Logger;
  progress: Progress;
  /** A pool started early (its threads boot while the warehouse opens); the run closes it. Default: created here. */
  pool?: ParsePool;
  /** How the tasks of a fanned-out execution agree (required when task.count > 1). */
  coordinator?: Coordinator;
  /** The warehouse as the summary names it. */
  warehouseName: string;
  /** Local staging: the command that merges this run if --max-rejected holds it back (its record is kept for it). */
  heldBackCommand?: string;
  /** Holds interrupts while the merge commits (see FinishContext.critical). */
  critical?: <T>(work: () => Promise<T>) => Promise<T>;
}

/** One run in progress: the stages' shared inputs, and the resources this file owns. */
class Run {
  readonly logger: Logger;
  readonly warehouse: WarehouseOpener;
  readonly fanOut: FanOutTask | null;
  private readonly startedAt = performance.now();
  private loaded: Promise<ReadonlyMap<string, ManifestEntry>> | null = null;
  private networkChecked: Promise<void> | null = null;

  constructor(
    readonly options: RunOptions,
    readonly deps: RunDeps,
    readonly pool: ParsePool,
  ) {
    // Every log line names the run, the task and the attempt (Cloud Logging filters on them).
    this.logger = deps.logger.child({ runId: options.runId, task: options.task.index, attempt: options.task.attempt });
    this.warehouse = new WarehouseOpener(deps.openWarehouse);
    this.fanOut = isFanOut(options.task) ? new FanOutTask(deps.coordinator!, options.task, this.logger) : null;
  }

  /** Files already loaded (read once: a fan-out planner selects twice). */
  manifest(): Promise<ReadonlyMap<string, ManifestEntry>> {
    this.loaded ??= this.warehouse.get().then((warehouse) => warehouse.loadedFiles());
    return this.loaded;
  }

  /** One network per dataset: checked (and recorded) once, before reading when the warehouse exists already. */
  checkNetwork(): Promise<void> {
    this.networkChecked ??= this.warehouse.get().then((warehouse) => claimNetwork(warehouse, this.options.network));
    return this.networkChecked;
  }

  get seconds(): number {
    return (performance.now() - this.startedAt) / 1000;
  }

  finishContext(): FinishContext {
    const { options, deps } = this;
    return {
      runId: options.runId,
      window: windowParams(options.window),
      keepStaging: options.keepStaging,
      maxRejected: options.maxRejected,
      warehouse: () => this.warehouse.get(),
      staging: deps.staging,
      logger: this.logger,
      markMerged: this.fanOut ? (note) => this.fanOut!.markMerged(note) : undefined,
      summary: (slice, merged, status, note) => this.summary(slice, merged, status, note),
      critical: deps.critical,
      keepHeldBack: deps.heldBackCommand && !this.fanOut ? (held) => (saveHeldBack(deps.staging.spoolDir, held), deps.heldBackCommand!) : undefined,
    };
  }

  summary(slice: SliceReport, merged: MergeResult | null, status: MergeStatus, note?: string): RunSummary {
    const { runId, task } = this.options;
    const merge = note ? { status, note } : { status };
    return buildSummary({ runId, task, slice, merged, merge, source: this.deps.source.description, warehouse: this.deps.warehouseName, wallSeconds: this.seconds });
  }
}

export async function runBackfill(options: RunOptions, deps: RunDeps): Promise<RunSummary> {
  const run = new Run(options, deps, deps.pool ?? createParsePool(options.workers));
  try {
    const start: TaskStart = run.fanOut ? await run.fanOut.start() : { next: 'work' };
    if (start.next === 'exit') return run.summary(emptySlice(), null, start.status, start.note);
    const slice = start.next === 'work' ? await stageSlice(run) : null;
    const next = run.fanOut && start.next !== 'merge' ? await run.fanOut.claim() : { next: 'merge' as const };
    if (next.next === 'exit') return run.summary(slice ?? emptySlice(), null, next.status, next.note);
    const sources: MergeSources = run.fanOut ? await mergeSources(deps.coordinator!, options.task.count) : { scopes: slice!.processed > 0 ? [{ task: 0 }] : [], slices: [slice!] };
    return await finishRun(run.finishContext(), sources);
  } finally {
    await run.pool.close();
    await deps.deadLetter.close();
  }
}

/** Plan: list the source (or a key range of it) while the warehouse opens, then drop what the manifest says is loaded. */
async function list(run: Run, range?: KeyRange): Promise<SourceObject[]> {
  if (!run.deps.newWarehouse) run.warehouse.start();
  return run.deps.source.list(range ? { range } : {});
}

async function select(run: Run, listed: readonly SourceObject[]): Promise<FileSelection> {
  const { options, deps } = run;
  // A new warehouse holds no network yet: its run reads while it opens, and records the network before loading.
  if (!deps.newWarehouse) await run.checkNetwork();
  const manifest: ReadonlyMap<string, ManifestEntry> = options.force || deps.newWarehouse ? new Map() : await run.manifest();
  const selection = selectFiles(listed, { window: options.window, timezone: options.timezone, manifest });
  run.logger.info({ listed: selection.listed, outOfRange: selection.outOfRange, skipped: selection.skipped, todo: selection.todo.length }, 'planned');
  return selection;
}

/** The files this task reads: all of them, or with fan-out its slice (fanout/protocol.ts). */
function plan(run: Run): Promise<FileSelection> {
  const inputs = { list: (range?: KeyRange) => list(run, range), select: (listed: readonly SourceObject[]) => select(run, listed) };
  return run.fanOut ? run.fanOut.planSlice(windowParams(run.options.window), inputs) : list(run).then((listed) => select(run, listed));
}

/** Plan, extract and load this task's slice; with fan-out, mark it done. */
async function stageSlice(run: Run): Promise<SliceReport> {
  const { options, deps, logger } = run;
  const selection = await plan(run);
  const files = selection.todo;
  const staged =
    files.length === 0
      ? emptyPackage()
      : await extractFiles(
          files,
          { window: options.window, read: { timezone: options.timezone, network: options.network, inputFormat: options.inputFormat }, concurrency: options.concurrency, workers: options.workers, shardBytes: options.shardBytes, streamThresholdBytes: options.streamThresholdBytes, spoolDir: deps.staging.spoolDir },
          {
            source: deps.source,
            pool: run.pool,
            deadLetter: deps.deadLetter,
            logger,
            progress: deps.progress,
            onWorkersBusy: () => openNewWarehouseEarly(run),
            failedElsewhere: () => run.warehouse.failed,
            onShardComplete: (shard) => deps.staging.prepublish(shard),
          },
        );
  await run.pool.close();
  collectReadGarbage();
  logger.info({ files: files.length, rows: staged.counts.stagedRows, stagedMb: Math.round(staged.stagedBytes / 1e6), peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024), seconds: Number(run.seconds.toFixed(2)) }, 'read and staged');
  await run.checkNetwork();
  const loaded = files.length === 0 ? null : await loadPackage(staged, { task: options.task.index }, options.window, { staging: deps.staging, warehouse: await run.warehouse.get(), logger });
  const deadLetter = await keepDeadLetter(run);
  const slice = sliceReport(selection, files.length, staged, loaded, deadLetter);
  await run.fanOut?.markDone(slice, files.length > 0);
  return slice;
}

/**
 * A new DuckDB file opens while the workers read local files (its ~0.25 s of loading overlaps their work). While
 * this thread downloads, it opens after the reading instead: its ~40 MB would add to the downloads' buffers at the
 * run's peak (GCS → DuckDB read phase 281–301 → 246–250 MB, same wall time).
 */
function openNewWarehouseEarly(run: Run): void {
  if (run.deps.source.localPath) run.warehouse.start();
}

/**
 * Downloads leave tens of MB of garbage that V8 collects lazily; collected now, the warehouse's load reuses that
 * memory instead of stacking on it (GCS → DuckDB peak RSS 344–348 → 284–286 MB; the 60,000-station minute started
 * as plain `node dist/cli/main.js`: merge 291 → ~230 MB). Works however node was started (runtime/heap.ts).
 */
function collectReadGarbage(): void {
  fullCollection();
}

/** The dead-letter report of this task; with fan-out it is copied beside the run's staging (a container's disk is gone after it). */
async function keepDeadLetter(run: Run): Promise<SliceReport['deadLetter']> {
  const { deadLetter, staging } = run.deps;
  await deadLetter.close();
  if (deadLetter.entries === 0) return null;
  const path = run.fanOut ? await staging.keepReport(deadLetter.path, 'dead-letter.ndjson') : deadLetter.path;
  return { path, entries: deadLetter.entries, files: deadLetter.fileCount };
}
