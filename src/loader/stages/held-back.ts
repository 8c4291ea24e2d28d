/**
 * A run held back by --max-rejected keeps its staged shards; with local staging it also keeps this record
 * beside them (`held-back.json`: the run id, its window and what it read), so `velo-backfill merge --staging DIR`
 * can finish it later: reload the shards into staging tables and merge, exactly as the run would have.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError, errorMessage } from '../../errors.js';
import { HELD_BACK_FILE } from '../staging/run-folders.js';
import { TABLE_KINDS, type TableKind } from '../warehouses/schemas.js';
import type { SliceReport } from './report.js';


export interface HeldBackRun {
  runId: string;
  /** The run's window as SQL parameters (windowParams). */
  window: { from: string; to: string };
  slice: SliceReport;
}

export function saveHeldBack(dir: string, run: HeldBackRun): void {
  writeFileSync(path.join(dir, HELD_BACK_FILE), `${JSON.stringify(run)}\n`);
}

export function readHeldBack(dir: string): HeldBackRun {
  const file = path.join(dir, HELD_BACK_FILE);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as HeldBackRun;
  } catch (error) {
    throw new UsageError('NO_HELD_BACK_RUN', `no held-back run in ${dir} (${errorMessage(error).split('\n')[0]}): --staging names the staging folder a held-back run printed, or gs://BUCKET/PREFIX for a fanned-out one`);
  }
}

/** The run's staged shards per table, as the workers and the extract stage named them (`records-t1-00001.ndjson`). */
export function heldBackShards(dir: string): Record<TableKind, string[]> {
  const names = readdirSync(dir).filter((name) => name.endsWith('.ndjson')).sort();
  const shards = {} as Record<TableKind, string[]>;
  for (const kind of TABLE_KINDS) shards[kind] = names.filter((name) => name.startsWith(`${kind}-`)).map((name) => path.join(dir, name));
  return shards;
}
