/**
 * Staging on GCS for BigQuery load jobs: shards are written to a local spool folder, then uploaded
 * under gs://BUCKET/PREFIX/RUN_ID/ (uncompressed: BigQuery reads gzip without parallelism).
 */
import { mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Bucket } from '@google-cloud/storage';
import PQueue from 'p-queue';
import { TransientError, errorMessage } from '../../errors.js';
import { withRetry } from '../retry.js';
import type { StagingStore } from '../staging.js';
import { isTransient } from './clients.js';

const UPLOAD_CONCURRENCY = 4;

export class GcsStagingStore implements StagingStore {
  readonly description: string;
  readonly spoolDir: string;
  private readonly runPrefix: string;

  constructor(
    private readonly bucket: Bucket,
    prefix: string,
    runPath: string,
    spoolRoot = path.join(os.tmpdir(), 'velo-spool'),
  ) {
    this.runPrefix = `${prefix}${runPath}/`;
    this.description = `gs://${bucket.name}/${this.runPrefix}`;
    this.spoolDir = path.join(spoolRoot, runPath);
    mkdirSync(this.spoolDir, { recursive: true });
  }

  async publish(localPaths: readonly string[]): Promise<string[]> {
    const queue = new PQueue({ concurrency: UPLOAD_CONCURRENCY });
    return Promise.all(
      localPaths.map((local) =>
        queue.add(async () => {
          const destination = `${this.runPrefix}${path.basename(local)}`;
          try {
            // Single-request upload: a retry re-sends the whole shard, and the object name makes it idempotent.
            await withRetry(() => this.bucket.upload(local, { destination, resumable: false, contentType: 'application/x-ndjson' }), { isRetryable: isTransient });
          } catch (error) {
            throw new TransientError('GCS_UPLOAD', `uploading ${local} to gs://${this.bucket.name}/${destination} failed: ${errorMessage(error)}`, error);
          }
          await rm(local, { force: true });
          return `gs://${this.bucket.name}/${destination}`;
        }),
      ),
    );
  }

  async removeAll(): Promise<void> {
    await rm(this.spoolDir, { recursive: true, force: true });
    await withRetry(() => this.bucket.deleteFiles({ prefix: this.runPrefix, force: true }), { isRetryable: isTransient });
  }
}
