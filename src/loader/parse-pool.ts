/** A worker_threads pool (piscina) for the CPU-bound part; the main thread keeps only I/O. */
import os from 'node:os';
import { Piscina } from 'piscina';
import type { FileOutcome } from '../transform/flatten-file.js';
import { flattenFileBytes } from '../transform/flatten-file.js';
import type { FlattenTask } from './flatten-worker.js';

export function defaultWorkers(): number {
  return Math.max(1, os.availableParallelism());
}

export interface ParsePool {
  flatten(task: FlattenTask): Promise<FileOutcome>;
  close(): Promise<void>;
}

/** workers = 0 parses on the main thread (handy for debugging and tiny runs). */
export function createParsePool(workers: number): ParsePool {
  if (workers <= 0) {
    return {
      flatten: async (task) => flattenFileBytes(task.bytes, { name: task.name }),
      close: async () => undefined,
    };
  }
  // Same module layout under tsx (src/*.ts) and when built (dist/*.js).
  const extension = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  const pool = new Piscina<FlattenTask, FileOutcome>({
    filename: new URL(`./flatten-worker.${extension}`, import.meta.url).href,
    minThreads: workers,
    maxThreads: workers,
    idleTimeout: 60_000,
  });
  return {
    flatten: (task) => pool.run(task),
    close: () => pool.destroy(),
  };
}
