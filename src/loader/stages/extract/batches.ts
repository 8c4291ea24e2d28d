/** How the files of a slice are grouped into worker tasks. */

/**
 * Worker tasks: small files grouped in order into batches of at most `files` files and `bytes` bytes
 * (fewer messages between threads); a file above `streamAbove` is a batch of its own (it is streamed), and
 * so is each of the last `singleTail` files (the workers then finish together).
 */
export function batchFiles<T extends { size: number }>(
  objects: readonly T[],
  limits: { files: number; bytes: number; streamAbove: number; singleTail?: number },
): T[][] {
  const tailStart = objects.length - (limits.singleTail ?? 0);
  const batches: T[][] = [];
  let current: T[] = [];
  let currentBytes = 0;
  const close = (): void => {
    if (current.length > 0) batches.push(current);
    current = [];
    currentBytes = 0;
  };
  for (const [index, object] of objects.entries()) {
    if (object.size > limits.streamAbove || index >= tailStart) {
      close();
      batches.push([object]);
      continue;
    }
    if (current.length >= limits.files || currentBytes + object.size > limits.bytes) close();
    current.push(object);
    currentBytes += object.size;
  }
  close();
  return batches;
}
