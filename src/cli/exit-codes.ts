/** The one place that maps outcomes and errors to exit codes (README: "Exit codes"). */
import { VeloError } from '../errors.js';

export const EXIT = {
  ok: 0,
  internal: 1,
  usage: 2,
  rejected: 3,
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
