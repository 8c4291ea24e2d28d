/**
 * Which staged records can be merged while the reading goes on. Files are read in listing order by several
 * threads, each appending to its own size-rotated shard; a file's records may be merged once every file
 * listed before it has been read and the shards holding their rows are finished (loadable). Then, for each
 * key, the earliest file that holds it is among the merged ones, as the end-of-run merge would choose.
 * Pure bookkeeping: the run feeds it outcomes and asks for ready work.
 */

interface OpenShard {
  path: string;
  /** Listing position of its first file (a thread's files come in listing order). */
  firstIndex: number;
}

export interface EarlyWork {
  /** Finished shards, not loaded yet. */
  shards: string[];
  /** Files whose staged records can merge now. */
  files: string[];
}

export class EarlyMergePlan {
  private readonly settledFlags: boolean[];
  private readonly loadedNames: (string | null)[];
  private firstUnsettled = 0;
  /** Files before this position were handed out already. */
  private frontier = 0;
  private readonly open = new Map<number, OpenShard>();
  private finished: string[] = [];

  constructor(fileCount: number) {
    this.settledFlags = new Array<boolean>(fileCount).fill(false);
    this.loadedNames = new Array<string | null>(fileCount).fill(null);
  }

  /** A file read by a worker thread (batch path): its rows went to `shard`, the thread's current one. */
  settledInShard(index: number, name: string, thread: number, shard: string): void {
    const current = this.open.get(thread);
    if (current?.path === shard) {
      // (A file read again after a checksum mismatch comes later than the files after it.)
      current.firstIndex = Math.min(current.firstIndex, index);
    } else {
      // The thread moved on to a new shard: the previous one is complete.
      if (current) this.finished.push(current.path);
      this.open.set(thread, { path: shard, firstIndex: index });
    }
    this.loadedNames[index] = name;
    this.settle(index);
  }

  /** A file read whole into shards of its own (streamed), all finished. */
  settledInOwnShards(index: number, name: string, shards: readonly string[]): void {
    this.finished.push(...shards);
    this.loadedNames[index] = name;
    this.settle(index);
  }

  /** A file that staged no rows (degraded, rejected, unreadable). */
  settledWithoutRows(index: number): void {
    this.settle(index);
  }

  private settle(index: number): void {
    this.settledFlags[index] = true;
    while (this.firstUnsettled < this.settledFlags.length && this.settledFlags[this.firstUnsettled]) this.firstUnsettled++;
  }

  /** Work that can be done now, or null. The shards handed out must be loaded before the files merge. */
  take(): EarlyWork | null {
    let limit = this.firstUnsettled;
    for (const shard of this.open.values()) limit = Math.min(limit, shard.firstIndex);
    const files: string[] = [];
    for (let i = this.frontier; i < limit; i++) {
      const name = this.loadedNames[i];
      if (name !== null && name !== undefined) files.push(name);
    }
    this.frontier = Math.max(this.frontier, limit);
    const shards = this.finished;
    this.finished = [];
    return shards.length > 0 || files.length > 0 ? { shards, files } : null;
  }
}
