/**
 * Stage 1, plan: which listed files this run reads. Pure: the listing and the manifest come in,
 * the files to read (in name order, i.e. time order for collector names) come out.
 */
import type { SourceObject } from '../sources/source.js';
import type { ManifestEntry, PartialCoverage } from '../warehouses/warehouse.js';
import { nameFilter, type TimeWindow } from '../sources/window.js';

export interface PlanInput {
  window: TimeWindow;
  timezone: string;
  /** Files already loaded (empty with --force, or for a new warehouse). */
  manifest: ReadonlyMap<string, ManifestEntry>;
}

export interface FileSelection {
  listed: number;
  /** Names far outside the window (the exact cut is made in SQL). */
  outOfRange: number;
  /** Loaded before, unchanged (same size and generation); for a file a window cut, its rows in this window are. */
  skipped: number;
  /** Every file near the window, loaded before or not (what `plan` looks for gaps in). */
  inWindow: SourceObject[];
  /** What to read, sorted by name. */
  todo: SourceObject[];
}

export function selectFiles(listed: readonly SourceObject[], input: PlanInput): FileSelection {
  const accept = nameFilter(input.window, input.timezone);
  const inWindow = accept ? listed.filter((object) => accept(object.name)) : listed;
  const todo = inWindow.filter((object) => {
    const entry = input.manifest.get(object.name);
    if (!entry || entry.size !== object.size || entry.generation !== object.generation) return true;
    return entry.partial !== undefined && !coversWindow(entry.partial, input.window);
  });
  todo.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { listed: listed.length, outOfRange: listed.length - inWindow.length, skipped: inWindow.length - todo.length, inWindow: [...inWindow], todo };
}

/**
 * Whether a file's rows inside `window` are merged already: none of its rows is in the window, or the
 * merged range holds every one that is (rows are in [minMs, maxMs], the merged ones in [fromMs, toMs)).
 */
export function coversWindow(partial: PartialCoverage, window: TimeWindow): boolean {
  const { minMs, maxMs, fromMs, toMs } = partial;
  if (Number.isNaN(minMs) || Number.isNaN(maxMs)) return false;
  if (window.toMs <= minMs || window.fromMs > maxMs) return true;
  const coversEnd = window.toMs > maxMs ? toMs > maxMs : toMs >= window.toMs;
  return fromMs <= Math.max(window.fromMs, minMs) && coversEnd;
}

export function totalSize(objects: readonly { size: number }[]): number {
  return objects.reduce((sum, object) => sum + object.size, 0);
}
