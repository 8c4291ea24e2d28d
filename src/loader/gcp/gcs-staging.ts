/**
 * Staging on GCS for BigQuery load jobs: shards are written to a local spool folder, then uploaded
 * (uncompressed: BigQuery reads gzip without parallelism) under the run's folder:
 *
 *   gs://BUCKET/PREFIX/RUN_ID/tTASK/TAG/….velo-stage.ndjson   one folder per task and attempt (load job ids
 *                                                   derive from them); the suffix lets a bucket lifecycle rule
 *                                                   delete what a crashed execution left (docs/deploy.md)
 *   gs://BUCKET/PREFIX/RUN_ID/dead-letter/…        each task's dead-letter report, kept
 *   gs://BUCKET/PREFIX/RUN_ID/_coord/…             the fan-out coordination objects (fanout/coordinator.ts)
 */
import { mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Bucket } from '@google-cloud/storage';
import PQueue from 'p-queue';
import type { TaskIdentity } from '../fanout/task.js';
import type { StagingStore } from '../staging/shards.js';
import { callGoogle, gcsError } from './errors.js';

const UPLOAD_CONCURRENCY = 4;
/** Every staged shard's object name ends so: the lifecycle rule of docs/deploy.md matches on it. */
export const STAGED_SHARD_SUFFIX = '.velo-stage.ndjson';

export class GcsStagingStore implements StagingStore {
  readonly description: string;
  readonly spoolDir: string;
  /** gs:// folder of the whole run (every task). */
  readonly runPrefix: string;
  private readonly taskPrefix: string;

  constructor(
    readonly bucket: Bucket,
    prefix: string,
    runId: string,
    private readonly task: TaskIdentity,
    spoolRoot = path.join(os.tmpdir(), 'velo-spool'),
  ) {
    this.runPrefix = `${prefix}${runId}/`;
    this.taskPrefix = `${this.runPrefix}t${task.index}/${task.tag}/`;
    this.description = `gs://${bucket.name}/${this.taskPrefix}`;
    this.spoolDir = path.join(spoolRoot, runId, `t${task.index}`, task.tag);
    mkdirSync(this.spoolDir, { recursive: true });
  }

  /** Where the fan-out coordination objects of this run live. */
  get coordinationPrefix(): string {
    return `${this.runPrefix}_coord/`;
  }

  private readonly queue = new PQueue({ concurrency: UPLOAD_CONCURRENCY });
  /** Shards uploaded or being uploaded, by local path: each is uploaded once. */
  private readonly uploads = new Map<string, Promise<string>>();

  async publish(localPaths: readonly string[]): Promise<string[]> {
    return Promise.all(localPaths.map((local) => this.uploadShard(local)));
  }

  /**
   * Uploads a finished shard while the reading goes on, then deletes the local copy: on Cloud Run the local
   * disk is memory, so a task's staged rows must not pile up there. A failure surfaces in `publish`.
   */
  prepublish(localPath: string): void {
    this.uploadShard(localPath).catch(() => undefined);
  }

  private uploadShard(local: string): Promise<string> {
    let upload = this.uploads.get(local);
    if (!upload) {
      upload = this.queue.add(async () => {
        const uri = await this.upload(local, `${this.taskPrefix}${path.basename(local, '.ndjson')}${STAGED_SHARD_SUFFIX}`);
        await rm(local, { force: true });
        return uri;
      });
      this.uploads.set(local, upload);
    }
    return upload;
  }

  keepReport(localPath: string, name: string): Promise<string> {
    return this.upload(localPath, `${this.runPrefix}dead-letter/t${this.task.index}-${this.task.tag}-${name}`);
  }

  async removeSpool(): Promise<void> {
    await rm(this.spoolDir, { recursive: true, force: true });
  }

  async removeRunShards(): Promise<void> {
    await this.removeSpool();
    try {
      await callGoogle(() => this.bucket.deleteFiles({ prefix: `${this.runPrefix}t`, force: true }));
    } catch (error) {
      throw gcsError(`gs://${this.bucket.name}/${this.runPrefix}`, 'delete the staged shards', error);
    }
  }

  private async upload(local: string, destination: string): Promise<string> {
    try {
      // Single-request upload: a retry re-sends the whole shard, and the object name makes it idempotent.
      await callGoogle(() => this.bucket.upload(local, { destination, resumable: false, contentType: 'application/x-ndjson' }));
    } catch (error) {
      throw gcsError(`gs://${this.bucket.name}/${destination}`, `upload ${path.basename(local)}`, error);
    }
    return `gs://${this.bucket.name}/${destination}`;
  }
}
