/** Files and rows per raw format, for the run summary (`formats` in --json). Plain data: it crosses to fan-out markers. */

export type FormatTally = Record<string, { files: number; rows: number }>;

export function tallyFormat(tally: FormatTally, format: string, rows: number): void {
  const entry = (tally[format] ??= { files: 0, rows: 0 });
  entry.files++;
  entry.rows += rows;
}

/** Several tasks' tallies added up (a slice marker written before formats were counted has none). */
export function combineTallies(tallies: readonly (FormatTally | undefined)[]): FormatTally {
  const total: FormatTally = {};
  for (const tally of tallies) {
    for (const [format, { files, rows }] of Object.entries(tally ?? {})) {
      const entry = (total[format] ??= { files: 0, rows: 0 });
      entry.files += files;
      entry.rows += rows;
    }
  }
  return total;
}
