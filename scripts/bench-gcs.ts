/** GCS mode of the benchmark: a private fake-gcs-server (and BigQuery emulator, unused) with the corpus uploaded. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import PQueue from 'p-queue';
import { startEmulators, type Emulators } from '../test/support/gcp.js';

export async function uploadCorpus(dir: string): Promise<{ sourceArg: string; env: NodeJS.ProcessEnv; stop: Emulators['stop'] }> {
  const emu = await startEmulators();
  const bucket = emu.storage.bucket('velo-bench');
  await emu.storage.createBucket('velo-bench');
  const names = readdirSync(dir).filter((name) => name.endsWith('.json'));
  process.stderr.write(`uploading ${names.length} files to the GCS emulator …\n`);
  const queue = new PQueue({ concurrency: 16 });
  await Promise.all(names.map((name) => queue.add(() => bucket.file(`raw/${name}`).save(readFileSync(path.join(dir, name)), { resumable: false }))));
  return { sourceArg: 'gs://velo-bench/raw', env: emu.env, stop: emu.stop };
}
