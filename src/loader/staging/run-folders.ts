/**
 * Run folders (`WORK_DIR/runs/RUN_ID`: staging shards, the dead-letter report). A run claims its folder with its
 * pid; folders whose run is no longer running (killed, interrupted, crashed) are swept by the next run, except a
 * run that --max-rejected held back (its `held-back.json` keeps it for `velo-backfill merge`). No empty folder stays.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const OWNER_FILE = 'owner.json';
/**
 * A folder with no owner yet may be a run between creating its folder and writing its claim: not swept until it is
 * this old (two runs started at once in one work dir swept each other's new folder: ENOENT writing owner.json).
 */
const CLAIM_GRACE_MS = 60_000;
/** Kept beside a held-back run's shards (stages/held-back.ts): such a folder is never swept. */
export const HELD_BACK_FILE = 'held-back.json';

export function claimRunFolder(runDir: string): void {
  mkdirSync(runDir, { recursive: true });
  writeFileSync(path.join(runDir, OWNER_FILE), `${JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString() })}\n`);
}

/** The run is over: its claim goes, and so does its folder, and the folders above it, when nothing is left in them. */
export function releaseRunFolder(runDir: string): void {
  rmSync(path.join(runDir, OWNER_FILE), { force: true });
  for (let dir = runDir, up = 0; up < 3; dir = path.dirname(dir), up++) {
    try {
      rmdirSync(dir); // only succeeds when empty
    } catch {
      return;
    }
  }
}

function isRunning(pid: unknown): boolean {
  if (typeof pid !== 'number') return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True for a folder that has no owner file yet and was made within CLAIM_GRACE_MS. */
function beingClaimed(dir: string): boolean {
  if (existsSync(path.join(dir, OWNER_FILE))) return false;
  const made = statSync(dir, { throwIfNoEntry: false })?.mtimeMs;
  return made !== undefined && Date.now() - made < CLAIM_GRACE_MS;
}

function ownerPid(dir: string): unknown {
  try {
    return (JSON.parse(readFileSync(path.join(dir, OWNER_FILE), 'utf8')) as { pid?: unknown }).pid;
  } catch {
    return undefined;
  }
}

export function folderBytes(dir: string): number {
  let bytes = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) bytes += folderBytes(full);
    else bytes += statSync(full, { throwIfNoEntry: false })?.size ?? 0;
  }
  return bytes;
}

/** Removes the folders of earlier runs that are no longer running (not held-back ones); what was removed. */
export function sweepStaleRuns(runsDir: string, own: string): { runs: number; bytes: number } {
  const swept = { runs: 0, bytes: 0 };
  if (!existsSync(runsDir)) return swept;
  for (const entry of readdirSync(runsDir, { withFileTypes: true })) {
    const dir = path.join(runsDir, entry.name);
    if (!entry.isDirectory() || dir === own || isRunning(ownerPid(dir)) || beingClaimed(dir)) continue;
    if (existsSync(path.join(dir, 'staging', HELD_BACK_FILE)) || existsSync(path.join(dir, HELD_BACK_FILE))) continue;
    // The dead-letter report of a finished run is the user's to read: only what a dead run staged goes.
    const staging = path.join(dir, 'staging');
    const target = existsSync(path.join(dir, 'dead-letter.ndjson')) ? staging : dir;
    if (!existsSync(target)) continue;
    swept.bytes += folderBytes(target);
    swept.runs++;
    rmSync(target, { recursive: true, force: true });
    rmSync(path.join(dir, OWNER_FILE), { force: true });
  }
  return swept;
}
