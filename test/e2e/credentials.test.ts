/**
 * A GCS/BigQuery run on a machine with no Google Cloud credentials and no metadata server: exit 2 at once with
 * the gcloud hint, and no Node MetadataLookupWarning. Nothing leaves 127.0.0.1: the metadata server is a local
 * port that resets every connection (what a machine without a network gives gcp-metadata: an error it did not
 * expect, hence its warning) or is not probed at all (METADATA_SERVER_DETECTION=none), and every https request
 * would go to a dead local proxy.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { corpus, runCli, tempDir } from '../support/cli.js';

describe('no Google Cloud credentials', () => {
  const home = tempDir('velo-empty-home-');
  const source = corpus('sample-corpus');
  const args = ['run', '--warehouse', 'bigquery://p/d', '--staging', 'gs://bucket-name/x', '--source', source];
  let resetServer: net.Server;
  let resets = 0;

  before(async () => {
    resetServer = net.createServer((socket) => {
      resets++;
      socket.resetAndDestroy();
    });
    await new Promise<void>((resolve) => resetServer.listen(0, '127.0.0.1', resolve));
  });
  after(() => new Promise<void>((resolve) => resetServer.close(() => resolve())));

  /** The environment of a laptop with no credentials (the test's own GCP variables removed). */
  const bareEnv = (metadata: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({
    HOME: home,
    GOOGLE_APPLICATION_CREDENTIALS: undefined,
    CLOUDSDK_CONFIG: undefined,
    GOOGLE_CLOUD_PROJECT: undefined,
    VELO_GCS_ENDPOINT: undefined,
    VELO_BIGQUERY_ENDPOINT: undefined,
    STORAGE_EMULATOR_HOST: undefined,
    HTTPS_PROXY: 'http://127.0.0.1:1',
    https_proxy: 'http://127.0.0.1:1',
    // Loopback goes direct (the local metadata port); anything else would meet the dead proxy.
    NO_PROXY: '127.0.0.1',
    no_proxy: '127.0.0.1',
    ...metadata,
  });

  async function expectHint(metadata: NodeJS.ProcessEnv): Promise<void> {
    const started = performance.now();
    const result = await runCli(args, { cwd: home, env: bareEnv(metadata) });
    const seconds = (performance.now() - started) / 1000;
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /no Google Cloud credentials/);
    assert.match(result.stderr, /gcloud auth application-default login/);
    assert.doesNotMatch(result.stderr, /MetadataLookupWarning|Warning:/);
    assert.doesNotMatch(result.stderr, /temporary failure|attempts/);
    assert.ok(seconds < 5, `answered in ${seconds.toFixed(1)} s`);
  }

  test('metadata server answering with a reset (gcp-metadata warns on that): exit 2, the hint, no warning, at once', async () => {
    const { port } = resetServer.address() as net.AddressInfo;
    await expectHint({ GCE_METADATA_HOST: `127.0.0.1:${port}` });
    assert.ok(resets > 0, 'the metadata probe reached the local port (the warning case was exercised)');
  });

  test('metadata detection off (METADATA_SERVER_DETECTION=none): exit 2, the hint, at once', async () => {
    await expectHint({ METADATA_SERVER_DETECTION: 'none', GCE_METADATA_HOST: '127.0.0.1:1' });
  });
});
