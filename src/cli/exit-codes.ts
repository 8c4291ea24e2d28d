/** The one place that maps outcomes and errors to exit codes (README: "Exit codes"). */
import { VeloError } from '../errors.js';

export const EXIT = {
  ok: 0,
  internal: 1,
  usage: 2,
  rejected: 3,
  /** `check`: an error-level check failed (or any check, with --strict), or there were no rows to check. */
  checksFailed: 4,
  temporary: 75,
  /** Interrupted by Ctrl-C (128 + SIGINT) or by SIGTERM (128 + 15): nothing half-merged, a re-run is safe. */
  interruptedInt: 130,
  interruptedTerm: 143,
} as const;

export function exitCodeForError(error: unknown): number {
  if (error instanceof VeloError) {
    if (error.kind === 'usage' || error.kind === 'config') return EXIT.usage;
    if (error.retryable) return EXIT.temporary;
  }
  return EXIT.internal;
}

/**
 * 3 when inputs were rejected, or too many were (nothing merged). A task of a fanned-out Cloud Run execution
 * exits 0 for rejects below --max-rejected: Cloud Run would retry a task that exits 3, for nothing (its
 * dead-letter report is kept under the run's gs:// staging folder and named in its log).
 */
export function exitCodeForRun(summary: { deadLetter: { entries: number } | null; task: { count: number }; merge: { status: string }; unlocatedRows?: number }): number {
  if (summary.merge.status === 'held-back') return EXIT.rejected;
  if (summary.task.count > 1) return EXIT.ok;
  // Located rows (MEL CSV) at no station's coordinates are rejected by the merge, after the dead-letter report.
  if ((summary.unlocatedRows ?? 0) > 0) return EXIT.rejected;
  return summary.deadLetter && summary.deadLetter.entries > 0 ? EXIT.rejected : EXIT.ok;
}

/** No rows is 4 too: a scheduler must not take "nothing checked" for "all good", unless --allow-empty says so. */
export function exitCodeForChecks(outcome: { status: 'pass' | 'fail' }, rows: { none: boolean; allowEmpty: boolean }): number {
  if (rows.none) return rows.allowEmpty ? EXIT.ok : EXIT.checksFailed;
  return outcome.status === 'fail' ? EXIT.checksFailed : EXIT.ok;
}
