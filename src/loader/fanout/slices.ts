/**
 * Cutting the planned files into one slice per task: contiguous name ranges (collector names sort by
 * time, so a slice is a time range) balanced by bytes. A slice is given by its boundaries, the first
 * name of each slice but the first: every possible name falls in exactly one slice, even a file that
 * appears after the plan was made.
 */

/** Boundary i is the first name of slice i + 1; null means that slice (and the ones after it) is empty. */
export type SliceBoundaries = (string | null)[];

/**
 * `count - 1` boundaries such that the byte sizes of the slices are as even as contiguous ranges allow:
 * boundary i sits where the running total of sizes comes closest to i/count of the whole.
 */
export function sliceBoundaries(files: readonly { name: string; size: number }[], count: number): SliceBoundaries {
  const total = files.reduce((sum, file) => sum + file.size, 0);
  const boundaries: SliceBoundaries = [];
  let index = 0;
  let before = 0; // bytes of files[0 .. index)
  for (let slice = 1; slice < count; slice++) {
    const target = (total * slice) / count;
    // Move the cut forward while that brings the bytes before it closer to the target (never backwards).
    while (index < files.length && Math.abs(before + files[index]!.size - target) <= Math.abs(before - target)) {
      before += files[index]!.size;
      index++;
    }
    // An all-empty corpus (sizes 0) still spreads files by count.
    if (total === 0) index = Math.max(index, Math.round((files.length * slice) / count));
    boundaries.push(index < files.length ? files[index]!.name : null);
  }
  return boundaries;
}

/** Which slice a name belongs to: how many boundaries are ≤ it (they never decrease; nulls come last). */
export function sliceOf(name: string, boundaries: SliceBoundaries): number {
  let lo = 0;
  let hi = boundaries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const boundary = boundaries[mid];
    if (boundary !== null && boundary !== undefined && boundary <= name) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The files of one slice, in their order. */
export function takeSlice<T extends { name: string }>(files: readonly T[], boundaries: SliceBoundaries, index: number): T[] {
  return files.filter((file) => sliceOf(file.name, boundaries) === index);
}

/**
 * The names of slice `index` as a key range: from the boundary before it (included) to its own (excluded); null
 * when the slice is empty (its lower boundary is null). A task lists only this range: sliceOf agrees with it.
 */
export function sliceRange(boundaries: SliceBoundaries, index: number): { start?: string; end?: string } | null {
  const start = index === 0 ? undefined : boundaries[index - 1];
  if (start === null) return null;
  const end = boundaries[index] ?? undefined;
  return { ...(start === undefined ? {} : { start }), ...(end === undefined ? {} : { end }) };
}
