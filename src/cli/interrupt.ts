/**
 * Ctrl-C (SIGINT) and SIGTERM (Cloud Run sends it before killing a task): stop at once, remove what this run
 * staged, say in one line what state the tables are in, exit 130 / 143. A merge that is committing is let finish
 * first (the tables then hold the run's rows). Either way a re-run is safe: the manifest decides what is left.
 */
import { EXIT } from './exit-codes.js';

type Signal = 'SIGINT' | 'SIGTERM';

export interface InterruptHooks {
  /** Synchronous clean-up of what this run staged locally; returns the bytes removed. */
  removeStaged(): number;
  /** Writes the one line a person reads. */
  say(line: string): void;
}

export class Interrupts {
  private hooks: InterruptHooks | null = null;
  private committing = 0;
  private pending: Signal | null = null;
  private merged = false;
  private readonly handler = (signal: Signal): void => this.received(signal);

  /** Listens until `dispose`; a second signal while a merge commits is ignored, as the line says. */
  install(hooks: InterruptHooks): void {
    this.hooks = hooks;
    process.on('SIGINT', this.handler);
    process.on('SIGTERM', this.handler);
  }

  dispose(): void {
    process.off('SIGINT', this.handler);
    process.off('SIGTERM', this.handler);
  }

  /** Runs `work` (the merge's commit) with interrupts held until it ends. */
  async critical<T>(work: () => Promise<T>): Promise<T> {
    this.committing++;
    try {
      const result = await work();
      this.merged = true;
      return result;
    } finally {
      this.committing--;
      if (this.committing === 0 && this.pending) this.stop(this.pending);
    }
  }

  private received(signal: Signal): void {
    if (this.committing > 0) {
      if (!this.pending) this.hooks?.say(`velo-backfill: ${signal} received while the merge commits: letting it finish first`);
      this.pending = signal;
      return;
    }
    this.stop(signal);
  }

  /**
   * Synchronous to the end: no more of this thread's work runs, and worker threads cannot re-create the staging
   * folder once it is gone (writers never create it). Terminating workers first is no option: one still loading
   * its module crashes node (v8 IsGraphAsync).
   */
  private stop(signal: Signal): never {
    const removed = this.hooks?.removeStaged() ?? 0;
    const staged = removed > 0 ? `; removed this run's staging (${(removed / 1e6).toFixed(1)} MB)` : '';
    const state = this.merged
      ? 'after the merge committed: the tables hold this run\'s rows'
      : 'before anything was merged: the tables are as they were before this run';
    this.hooks?.say(`velo-backfill: interrupted (${signal}) ${state}${staged}. Running the same command again is safe.`);
    process.exit(signal === 'SIGINT' ? EXIT.interruptedInt : EXIT.interruptedTerm);
  }
}
