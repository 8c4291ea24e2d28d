/**
 * Reading files for the extract stage: a batch of small files goes to a worker (local files are read by
 * the worker itself, downloads are fetched here first), a huge file is streamed record by record.
 * Returns the workers' results; deciding what they mean is the ledger's job.
 */
import { errorMessage } from '../../../errors.js';
import type { BatchResult, FileResult, FlattenInput, ReadContext } from '../../workers/messages.js';
import type { ParsePool } from '../../workers/parse-pool.js';
import { noStations } from '../../workers/station-batch.js';
import type { Progress } from '../../output/progress.js';
import type { Source, SourceObject } from '../../sources/source.js';
import { streamFileToShards } from '../../workers/stream-file.js';
import type { TimeWindow } from '../../sources/window.js';
import { isUnreadable, type ReadFailure } from './ledger.js';

export interface ReaderOptions {
  spoolDir: string;
  shardBytes: number;
  window: TimeWindow;
  /** Timezone, network and input format every file is read with. */
  read: ReadContext;
  /** Files above this (on disk or once gunzipped) are streamed. */
  streamThresholdBytes: number;
}

const PROGRESS_POLL_MS = 500;

/** A worker ran out of heap (or hit V8's string limit) on a file: it must be streamed instead. */
export function tooLargeToParseWhole(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return code === 'ERR_WORKER_OUT_OF_MEMORY' || code === 'ERR_STRING_TOO_LONG' || /out of memory|string longer than/i.test(errorMessage(error));
}

function readFailure(error: unknown): ReadFailure {
  return { code: (error as { code?: unknown })?.code, message: errorMessage(error) };
}

function unreadableResult(failure: ReadFailure): FileResult {
  return { status: 'unreadable', code: String(failure.code ?? 'READ_FAILED'), message: failure.message, bytesRead: 0 };
}

export class FileReader {
  private streamed = 0;

  constructor(
    private readonly source: Source,
    private readonly pool: ParsePool,
    private readonly progress: Progress,
    private readonly options: ReaderOptions,
  ) {}

  /** One result per file of the batch, in order. */
  async flatten(batch: readonly SourceObject[]): Promise<BatchResult> {
    const inputs = await Promise.all(batch.map((object) => this.input(object)));
    const readable = inputs.filter((input): input is FlattenInput => 'name' in input);
    const { spoolDir, shardBytes, window, read, streamThresholdBytes } = this.options;
    const result = readable.length > 0 ? await this.pool.flatten({ files: readable, read, spoolDir, shardBytes, window, maxTextBytes: streamThresholdBytes }) : { files: [], stations: noStations() };
    let next = 0;
    const files = inputs.map((input) => ('name' in input ? result.files[next++]! : unreadableResult(input)));
    return { files, stations: result.stations };
  }

  /** Local paths are read in the worker; downloads are fetched here (a vanished object is a result, not an error). */
  private async input(object: SourceObject): Promise<FlattenInput | ReadFailure> {
    const local = this.source.localPath?.(object);
    if (local) return { name: object.name, path: local };
    try {
      return { name: object.name, md5: object.md5, bytes: await this.source.read(object) };
    } catch (error) {
      if (!isUnreadable(error)) throw error;
      return readFailure(error);
    }
  }

  /**
   * A huge file, record by record into shards of its own (dropped if the file is bad): a local file in a
   * worker (its heap, not this thread's), a download on this thread (its stream lives here).
   */
  async stream(object: SourceObject): Promise<BatchResult> {
    const file = { name: object.name, id: ++this.streamed, spoolDir: this.options.spoolDir, shardBytes: this.options.shardBytes, window: this.options.window, read: this.options.read };
    const local = this.source.localPath?.(object);
    try {
      if (!local) return await streamFileToShards(this.source.open(object), file, (bytes) => this.progress.advance(bytes, 0));
      return await this.streamInWorker({ ...file, path: local });
    } catch (error) {
      if (!isUnreadable(error)) throw error;
      return { files: [unreadableResult(readFailure(error))], stations: noStations() };
    }
  }

  /** The worker counts the bytes it has read in shared memory, polled twice a second for progress. */
  private async streamInWorker(file: Omit<Parameters<ParsePool['stream']>[0], 'bytesRead'>): Promise<BatchResult> {
    const bytesRead = new SharedArrayBuffer(8);
    const counter = new BigInt64Array(bytesRead);
    let reported = 0;
    const report = (): void => {
      const now = Number(Atomics.load(counter, 0));
      this.progress.advance(now - reported, 0);
      reported = now;
    };
    const timer = setInterval(report, PROGRESS_POLL_MS);
    try {
      return await this.pool.stream({ ...file, bytesRead });
    } finally {
      clearInterval(timer);
      report();
    }
  }
}
