/**
 * `npm run test:gcp`: the end-to-end scenario against a real Google Cloud project (never in CI).
 * Needs GOOGLE_CLOUD_PROJECT, VELO_GCP_BUCKET (a bucket you own) and Application Default Credentials
 * (`gcloud auth application-default login`). Creates and deletes a dataset and a prefix of its own.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { createBigQuery, createStorage } from '../../src/loader/gcp/clients.js';
import { FIXTURES, runJson, tempDir } from '../support/cli.js';
import { uniqueName, uploadFolder } from '../support/gcp.js';

const project = process.env.GOOGLE_CLOUD_PROJECT;
const bucket = process.env.VELO_GCP_BUCKET;
const skip = process.env.VELO_GCP_E2E && project && bucket ? false : 'set VELO_GCP_E2E=1 GOOGLE_CLOUD_PROJECT and VELO_GCP_BUCKET (npm run test:gcp)';

describe('real GCS + BigQuery', { skip }, () => {
  const prefix = `${uniqueName('velo-e2e')}/`;
  const dataset = uniqueName('velo_e2e');
  const storage = createStorage({ projectId: project });
  const bigquery = createBigQuery({ projectId: project! });
  const args = () => ['--source', `gs://${bucket}/${prefix}raw`, '--staging', `gs://${bucket}/${prefix}staging`, '--warehouse', `bigquery://${project}/${dataset}`];
  after(async () => {
    await bigquery.dataset(dataset).delete({ force: true }).catch(() => undefined);
    await storage.bucket(bucket!).deleteFiles({ prefix, force: true }).catch(() => undefined);
  });

  test('first run loads the fixture minutes exactly once; a re-run adds nothing', async () => {
    await uploadFolder(storage, bucket!, `${prefix}raw/`, path.join(FIXTURES, 'vlille', 'minutes'));
    const work = tempDir();
    const first = await runJson(args(), { cwd: work });
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.summary.rows.merged, 45);
    assert.deepEqual(first.summary.loadJobs, { records: 1, stations: 1, files: 1 });
    const second = await runJson(args(), { cwd: work });
    assert.equal(second.summary.files.skipped, 12);
    const [[row]] = await bigquery.query({ query: `SELECT COUNT(*) AS n FROM \`${project}.${dataset}.records\`` });
    assert.equal(Number((row as { n: number }).n), 45);
  });
});
