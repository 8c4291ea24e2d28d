/**
 * How the tasks of one fanned-out execution agree, with no server of our own: small objects in the
 * staging bucket, under gs://BUCKET/PREFIX/RUN_ID/_coord/, written with GCS preconditions.
 *
 *   planning.lock     who lists the whole window and plans; created once (ifGenerationMatch=0)
 *   plan.json         the slice boundaries; created once (ifGenerationMatch=0), read by every task, which then
 *                     lists only its own key range
 *   done/tNNNNN.json  a task's marker: its slice is staged and loaded (overwritten by a retried attempt)
 *   merge.lock        who merges; created once (ifGenerationMatch=0) by a task that saw every marker
 *   merged.json       the merge committed; later tasks and retries exit 0
 *
 * A create whose answer was lost and that the client retries gets 412: the object is then read back and
 * compared with what we wrote (a nonce), so a task never mistakes its own lock for someone else's.
 */
import { randomUUID } from 'node:crypto';
import type { Bucket } from '@google-cloud/storage';
import PQueue from 'p-queue';
import { callGoogle, classifyGoogleError, gcsError } from '../gcp/errors.js';
import type { SliceBoundaries } from './slices.js';

export interface SlicePlan {
  taskCount: number;
  boundaries: SliceBoundaries;
  /** The run's window as SQL parameters: the merge needs it (also when `velo-backfill merge` runs it). */
  window: { from: string; to: string };
  /** Files and bytes planned when the plan was made (for logs and the summary). */
  files: number;
  bytes: number;
}

/** A task's completed slice. `counts` etc. are the extract stage's, so the merging task can sum them. */
export interface TaskMarker {
  task: number;
  attempt: string;
  taskCount: number;
  /** False when the slice was empty: no staging tables to merge. */
  staged: boolean;
  summary: Record<string, unknown>;
}

/** Who holds a lock object (planning.lock, merge.lock). */
export interface MergeClaim {
  task: number;
  attempt: string;
  nonce: string;
  at: string;
}

export interface Coordinator {
  readonly description: string;
  /** The execution's plan: the first task to ask writes `proposed`; every task gets the one written. */
  agreePlan(proposed: SlicePlan): Promise<SlicePlan>;
  /** The plan, if some task made one. */
  plan(): Promise<SlicePlan | null>;
  /** Try to become the task that lists the whole window and plans; returns the holder afterwards. */
  claimPlanning(task: number, attempt: string): Promise<{ won: boolean; holder: MergeClaim }>;
  marker(task: number): Promise<TaskMarker | null>;
  markDone(marker: TaskMarker): Promise<void>;
  /** How many tasks have finished their slice (names only: cheap). */
  doneCount(): Promise<number>;
  markers(): Promise<TaskMarker[]>;
  /** The merge lock's holder, or null when nobody holds it. */
  lockHolder(): Promise<MergeClaim | null>;
  /** Try to take the merge lock; returns the holder afterwards (ours when we won). */
  claimMerge(task: number, attempt: string): Promise<{ won: boolean; holder: MergeClaim }>;
  merged(): Promise<Record<string, unknown> | null>;
  markMerged(note: Record<string, unknown>): Promise<void>;
}

const READ_CONCURRENCY = 16;

export class GcsCoordinator implements Coordinator {
  readonly description: string;

  constructor(
    private readonly bucket: Bucket,
    /** e.g. `staging/RUN_ID/_coord/` */
    private readonly prefix: string,
  ) {
    this.description = `gs://${bucket.name}/${prefix}`;
  }

  async agreePlan(proposed: SlicePlan): Promise<SlicePlan> {
    await this.createOnce('plan.json', proposed);
    return (await this.read<SlicePlan>('plan.json'))!;
  }

  plan(): Promise<SlicePlan | null> {
    return this.read<SlicePlan>('plan.json');
  }

  marker(task: number): Promise<TaskMarker | null> {
    return this.read<TaskMarker>(markerName(task));
  }

  async markDone(marker: TaskMarker): Promise<void> {
    await this.write(markerName(marker.task), marker);
  }

  async doneCount(): Promise<number> {
    return (await this.doneNames()).length;
  }

  async markers(): Promise<TaskMarker[]> {
    const queue = new PQueue({ concurrency: READ_CONCURRENCY });
    const names = await this.doneNames();
    const markers = await Promise.all(names.map((name) => queue.add(() => this.read<TaskMarker>(name))));
    return markers.filter((marker): marker is TaskMarker => marker !== null).sort((a, b) => a.task - b.task);
  }

  lockHolder(): Promise<MergeClaim | null> {
    return this.read<MergeClaim>('merge.lock');
  }

  claimMerge(task: number, attempt: string): Promise<{ won: boolean; holder: MergeClaim }> {
    return this.claim('merge.lock', task, attempt);
  }

  claimPlanning(task: number, attempt: string): Promise<{ won: boolean; holder: MergeClaim }> {
    return this.claim('planning.lock', task, attempt);
  }

  private async claim(name: string, task: number, attempt: string): Promise<{ won: boolean; holder: MergeClaim }> {
    const claim: MergeClaim = { task, attempt, nonce: randomUUID(), at: new Date().toISOString() };
    await this.createOnce(name, claim);
    const holder = (await this.read<MergeClaim>(name))!;
    return { won: holder.nonce === claim.nonce, holder };
  }

  merged(): Promise<Record<string, unknown> | null> {
    return this.read('merged.json');
  }

  async markMerged(note: Record<string, unknown>): Promise<void> {
    await this.write('merged.json', note);
  }

  private async doneNames(): Promise<string[]> {
    try {
      const [files] = await this.call('list markers', () => this.bucket.getFiles({ prefix: `${this.prefix}done/` }));
      return files.map((file) => file.name.slice(this.prefix.length)).filter((name) => /^done\/t\d+\.json$/.test(name));
    } catch (error) {
      throw gcsError(this.description, 'list markers', error);
    }
  }

  /** An overwrite (a retried attempt's marker replaces the earlier one's). */
  private async write(name: string, value: unknown): Promise<void> {
    try {
      await this.call(`write ${name}`, () => this.bucket.file(this.prefix + name).save(JSON.stringify(value), { resumable: false, contentType: 'application/json' }));
    } catch (error) {
      throw gcsError(this.description, `write ${name}`, error);
    }
  }

  /** Creates the object unless it exists (a lost answer retried by the client also ends here: 412). */
  private async createOnce(name: string, value: unknown): Promise<void> {
    try {
      await this.call(`create ${name}`, () =>
        this.bucket.file(this.prefix + name).save(JSON.stringify(value), { resumable: false, contentType: 'application/json', preconditionOpts: { ifGenerationMatch: 0 } }),
      );
    } catch (error) {
      if (classifyGoogleError(error) !== 'precondition') throw gcsError(this.description, `create ${name}`, error);
    }
  }

  private async read<T>(name: string): Promise<T | null> {
    try {
      const [bytes] = await this.call(`read ${name}`, () => this.bucket.file(this.prefix + name).download());
      return JSON.parse(bytes.toString('utf8')) as T;
    } catch (error) {
      if (classifyGoogleError(error) === 'not-found') return null;
      throw gcsError(this.description, `read ${name}`, error);
    }
  }

  /** Retried while transient; the caller decides what a final failure means (a 412 or a 404 can be an answer). */
  private call<T>(_what: string, fn: () => Promise<T>): Promise<T> {
    return callGoogle(fn);
  }
}

function markerName(task: number): string {
  return `done/t${String(task).padStart(5, '0')}.json`;
}
