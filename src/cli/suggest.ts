/** "Did you mean …?" for mistyped flags and commands: the closest known name by edit distance. */

/** Edit distance (optimal string alignment): inserting, deleting, replacing or swapping two neighbours costs 1. */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = d[i]!;
      row[j] = Math.min(d[i - 1]![j]! + 1, row[j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** Edits a typo of this length may hold and still be recognised: none for 1–2 letters, where any guess is wild. */
const tolerance = (length: number): number => (length < 3 ? 0 : length <= 5 ? 1 : 2);

/**
 * The known name a typo most likely meant (`souce` → `source`, `rnu` → `run`), or one it is the start of
 * (`stag` → `staging`). Null when nothing is close enough to be a safe guess.
 */
export function closest(name: string, known: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = name.length >= 3 && candidate.startsWith(name) ? 1 : editDistance(name, candidate);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return bestDistance <= tolerance(name.length) ? best : null;
}

const kebab = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * The flags typed on the command line (`--souce x`, `--from=…`, `-v`) that are not among `known` (kebab-case
 * names and aliases), each with the closest known one. Tokens after `--` are not flags.
 */
export function unknownFlags(argv: readonly string[], known: readonly string[]): { flag: string; suggestion: string | null }[] {
  const names = new Set(known.map(kebab));
  const unknown: { flag: string; suggestion: string | null }[] = [];
  for (const token of argv) {
    if (token === '--') break;
    const m = /^(--?)([A-Za-z][^=]*)/.exec(token);
    if (!m) continue;
    const name = kebab(m[2] as string);
    if (names.has(name) || (name.startsWith('no-') && names.has(name.slice(3)))) continue;
    const suggestion = closest(name, [...names].filter((n) => n.length > 1));
    unknown.push({ flag: `${m[1]}${m[2]}`, suggestion: suggestion === null ? null : `--${suggestion}` });
  }
  return unknown;
}
