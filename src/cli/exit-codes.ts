/** The one place that maps outcomes and errors to exit codes (README: "Exit codes"). */
import { VeloError } from '../errors.js';

export const EXIT = {
  ok: 0,
  internal: 1,
  usage: 2,
  rejected: 3,
  /** `check`: an error-level check failed (or any check, with --strict). */
  checksFailed: 4,
  temporary: 75,
} as const;

export function exitCodeForError(error: unknown): number {
  if (error instanceof VeloError) {
    if (error.kind === 'usage' || error.kind === 'config') return EXIT.usage;
    if (error.retryable) return EXIT.temporary;
  }
  return EXIT.internal;
}

export function exitCodeForRun(summary: { deadLetter: { entries: number } | null }): number {
  return summary.deadLetter && summary.deadLetter.entries > 0 ? EXIT.rejected : EXIT.ok;
}

export function exitCodeForChecks(outcome: { status: 'pass' | 'fail' }): number {
  return outcome.status === 'fail' ? EXIT.checksFailed : EXIT.ok;
}
