/** A worker_threads pool (piscina) for the CPU-bound part; the main thread keeps only orchestration. */
import { Piscina } from 'piscina';
import { flattenBatch, streamLocalFile } from './flatten-worker.js';
import type { BatchResult, FlattenBatch, StreamTask } from './messages.js';
import { exposeGc } from '../runtime/heap.js';

export interface ParsePool {
  /** One result per file of the batch, in order, and the batch's latest station observations. */
  flatten(batch: FlattenBatch): Promise<BatchResult>;
  /** Stream one huge local file into shards of its own. */
  stream(task: StreamTask): Promise<BatchResult>;
  close(): Promise<void>;
}

function ownsMemory(bytes: Uint8Array): boolean {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
}

/** Downloaded bytes move to the worker instead of being copied (when a buffer owns its memory). */
function transferable(batch: FlattenBatch): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const file of batch.files) if (file.bytes && ownsMemory(file.bytes)) buffers.add(file.bytes.buffer as ArrayBuffer);
  return [...buffers];
}

/** Tasks a worker may hold at once (they run one after the other: parsing is synchronous). */
const MAX_TASKS_PER_WORKER = 64;

/** workers = 0 parses on the main thread (debugging, tiny runs). */
export function createParsePool(workers: number): ParsePool {
  if (workers <= 0) {
    return {
      flatten: async (batch) => flattenBatch(batch, 0),
      stream: streamLocalFile,
      close: async () => undefined,
    };
  }
  // The workers collect a streamed file's garbage before packing its stations (stream-file.ts).
  exposeGc();
  // Same module layout under tsx (src/*.ts) and when built (dist/*.js).
  const extension = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  const pool = new Piscina<FlattenBatch | StreamTask, BatchResult>({
    filename: new URL(`./flatten-worker.${extension}`, import.meta.url).href,
    minThreads: workers,
    maxThreads: workers,
    idleTimeout: 60_000,
    // Every task the run has in flight waits inside a worker, not in the main thread's queue: a worker then never
    // idles waiting for the main thread's next message, even while that thread is busy (downloads, loading DuckDB).
    // The run's own queue (--concurrency) bounds how many there are.
    concurrentTasksPerWorker: MAX_TASKS_PER_WORKER,
    // Small heaps: a batch needs a few MB per file; the default young generation alone is ~48 MB per thread.
    // V8 sizes a semi-space as a third of the young generation rounded up to a power of two: 12 MB gives 4 MiB
    // semi-spaces, what the bin's --max-semi-space-size=4 gives (16 gave 8 MiB ones when node was started without
    // it: +16 MB per worker at the hostile corpus's peak). Same speed (docs/performance.md).
    resourceLimits: { maxYoungGenerationSizeMb: 12, maxOldGenerationSizeMb: 256 },
  });
  let closed: Promise<void> | null = null;
  return {
    flatten: (batch) => {
      const transferList = transferable(batch);
      return pool.run(batch, transferList.length > 0 ? { transferList } : {}) as Promise<BatchResult>;
    },
    stream: (task) => pool.run(task, { name: 'streamLocalFile' }) as Promise<BatchResult>,
    // Idempotent: the run closes the pool when reading is done, the CLI again on its way out.
    close: () => (closed ??= pool.destroy()),
  };
}
