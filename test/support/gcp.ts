/**
 * Real emulators for tests, one private pair per test file: fake-gcs-server and goccy/bigquery-emulator
 * (built by `scripts/emulators.sh install`), on free 127.0.0.1 ports, reached through the official clients.
 * A pair per file because the BigQuery emulator's memory grows with every query (see docs/emulators.md).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BigQuery } from '@google-cloud/bigquery';
import type { Storage } from '@google-cloud/storage';
import { createBigQuery, createStorage } from '../../src/loader/gcp/clients.js';

const BIN = path.join(process.env.VELO_EMULATORS_HOME ?? path.join(os.homedir(), '.cache', 'velo-emulators'), 'bin');
const PROJECT = 'test';

export interface Emulators {
  project: string;
  storage: Storage;
  bigquery: BigQuery;
  /** Environment for the CLI child process. */
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

/** Skip reason when the emulators are not installed; under `npm test` (VELO_REQUIRE_EMULATORS) they must be. */
export const SKIP_WITHOUT_EMULATORS: string | false = (() => {
  const installed = existsSync(path.join(BIN, 'fake-gcs-server')) && existsSync(path.join(BIN, 'bigquery-emulator'));
  if (installed) return false;
  if (process.env.VELO_REQUIRE_EMULATORS) throw new Error(`emulators are required but not installed in ${BIN}: run scripts/emulators.sh install`);
  return `emulators not installed in ${BIN} (scripts/emulators.sh install)`;
})();

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function waitFor(url: string, child: ChildProcess, name: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`${name} did not answer on ${url}`);
}

/**
 * A fresh emulator pair on free ports. A port found free can be taken by another test file's emulator before ours
 * binds it (`bind: address already in use`, exit 1): the pair is then started again on other ports.
 */
export async function startEmulators(): Promise<Emulators> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startEmulatorsOnce();
    } catch (error) {
      if (attempt >= 3 || !/exited with code/.test(String(error))) throw error;
    }
  }
}

async function startEmulatorsOnce(): Promise<Emulators> {
  const [gcsPort, bqPort, grpcPort] = [await freePort(), await freePort(), await freePort()];
  const logDir = os.tmpdir();
  const gcsEndpoint = `http://127.0.0.1:${gcsPort}`;
  const bigqueryEndpoint = `http://127.0.0.1:${bqPort}`;
  const gcs = spawn(path.join(BIN, 'fake-gcs-server'), ['-scheme', 'http', '-host', '127.0.0.1', '-port', String(gcsPort), '-backend', 'memory', '-external-url', gcsEndpoint, '-public-host', `127.0.0.1:${gcsPort}`], {
    stdio: ['ignore', 'ignore', openSync(path.join(logDir, `velo-gcs-${gcsPort}.log`), 'w')],
  });
  const bq = spawn(path.join(BIN, 'bigquery-emulator'), [`--project=${PROJECT}`, '--host=127.0.0.1', `--port=${bqPort}`, `--grpc-port=${grpcPort}`, `--log-level=${process.env.VELO_BQ_LOG_LEVEL ?? 'error'}`, ...(process.env.VELO_BQ_DB ? [`--database=${process.env.VELO_BQ_DB}`] : [])], {
    env: { ...process.env, STORAGE_EMULATOR_HOST: gcsEndpoint },
    stdio: ['ignore', openSync(path.join(logDir, `velo-bigquery-${bqPort}.log`), 'w'), openSync(path.join(logDir, `velo-bigquery-${bqPort}.err`), 'w')],
  });
  const stop = async (): Promise<void> => {
    process.off('exit', stop);
    for (const child of [gcs, bq]) if (child.exitCode === null) child.kill('SIGTERM');
  };
  // Never leave emulators behind, even when the test process ends abruptly.
  process.on('exit', stop);
  try {
    await waitFor(`${gcsEndpoint}/storage/v1/b`, gcs, 'fake-gcs-server');
    await waitFor(`${bigqueryEndpoint}/bigquery/v2/projects/${PROJECT}/datasets`, bq, 'bigquery-emulator');
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    project: PROJECT,
    storage: createStorage({ projectId: PROJECT, gcsEndpoint }),
    bigquery: createBigQuery({ projectId: PROJECT, bigqueryEndpoint }),
    env: { VELO_GCS_ENDPOINT: gcsEndpoint, VELO_BIGQUERY_ENDPOINT: bigqueryEndpoint },
    stop,
  };
}

export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;
}

/** Upload the files of a local folder (every one, or those named) under gs://bucket/prefix (creating the bucket). */
export async function uploadFolder(storage: Storage, bucket: string, prefix: string, dir: string, names: readonly string[] = readdirSync(dir)): Promise<void> {
  const [exists] = await storage.bucket(bucket).exists();
  if (!exists) await storage.createBucket(bucket);
  for (const name of names) {
    await storage.bucket(bucket).file(`${prefix}${name}`).save(readFileSync(path.join(dir, name)), { resumable: false });
  }
}
