/** A worker_threads pool (piscina) for the CPU-bound part; the main thread keeps only orchestration. */
import { Piscina } from 'piscina';
import { flattenTask, type FlattenResult, type FlattenTask } from './flatten-worker.js';

export interface ParsePool {
  flatten(task: FlattenTask): Promise<FlattenResult>;
  close(): Promise<void>;
}

function ownsMemory(bytes: Uint8Array): boolean {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
}

/** workers = 0 parses on the main thread (debugging, tiny runs). */
export function createParsePool(workers: number): ParsePool {
  if (workers <= 0) {
    return {
      flatten: async (task) => flattenTask(task, 0),
      close: async () => undefined,
    };
  }
  // Same module layout under tsx (src/*.ts) and when built (dist/*.js).
  const extension = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  const pool = new Piscina<FlattenTask, FlattenResult>({
    filename: new URL(`./flatten-worker.${extension}`, import.meta.url).href,
    minThreads: workers,
    maxThreads: workers,
    idleTimeout: 60_000,
    // Queue a few tasks inside each worker so it never idles waiting for the main thread's next message.
    concurrentTasksPerWorker: 4,
    // Small heaps: a task needs a few MB (one parsed file); the default young generation alone is ~48 MB per thread.
    resourceLimits: { maxYoungGenerationSizeMb: 16, maxOldGenerationSizeMb: 256 },
  });
  return {
    // Downloaded bytes move to the worker instead of being copied (when the buffer owns its memory).
    flatten: (task) => pool.run(task, task.bytes && ownsMemory(task.bytes) ? { transferList: [task.bytes.buffer as ArrayBuffer] } : {}),
    close: () => pool.destroy(),
  };
}
