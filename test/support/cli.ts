/** Helpers for end-to-end tests: the built CLI as a child process, a DuckDB file as rows. */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

export const REPO = path.resolve(import.meta.dirname, '..', '..');
export const CLI = path.join(REPO, 'dist', 'cli', 'main.js');
export const FIXTURES = path.join(REPO, 'test', 'fixtures');

/** The node flags of the CLI's `#!/usr/bin/env -S node …` line: the tests start it as its bin would. */
export const NODE_FLAGS: string[] = (() => {
  const first = readFileSync(CLI, 'utf8').split('\n', 1)[0] ?? '';
  return /^#!\/usr\/bin\/env -S node(.*)$/.exec(first)?.[1]?.trim().split(/\s+/).filter(Boolean) ?? [];
})();

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** SIGKILL the process as soon as its JSON log prints this message (`killed` says whether it happened). */
  killAt?: string;
  /** The signal `killAt` sends (default SIGKILL). */
  signal?: NodeJS.Signals;
  /** Node flags before the CLI's path (default NODE_FLAGS, as its bin starts it; [] = plain `node dist/cli/main.js`). */
  nodeFlags?: readonly string[];
}

export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult & { killed: boolean }> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, ...(options.killAt ? { VELO_LOG_LEVEL: 'info' } : {}), ...options.env };
    const child = spawn(process.execPath, [...(options.nodeFlags ?? NODE_FLAGS), CLI, ...args], { cwd: options.cwd ?? REPO, env });
    let stdout = '';
    let stderr = '';
    let killed = false;
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (options.killAt && !killed && stderr.includes(`"message":"${options.killAt}"`)) {
        killed = true;
        child.kill(options.signal ?? 'SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr, killed }));
  });
}

/** Runs `run … --json` and parses the summary. */
export async function runJson(args: string[], options: CliOptions = {}): Promise<CliResult & { summary: Record<string, any> }> {
  const result = await runCli(['run', ...args, '--json'], options);
  let summary: Record<string, any> = {};
  try {
    summary = JSON.parse(result.stdout) as Record<string, any>;
  } catch {
    throw new Error(`no JSON summary (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
  return { ...result, summary };
}

export function tempDir(prefix = 'velo-test-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A temp folder holding the files of the given fixture folders. */
export function corpus(...sources: string[]): string {
  const dir = tempDir('velo-corpus-');
  for (const source of sources) corpus.into(dir, source);
  return dir;
}

/** Copy a fixture folder's files (keeping mtimes) into `dir`. */
corpus.into = (dir: string, source: string): void => {
  const from = path.isAbsolute(source) ? source : path.join(FIXTURES, source);
  for (const name of readdirSync(from)) cpSync(path.join(from, name), path.join(dir, name), { preserveTimestamps: true });
};

/** Query a DuckDB file; BIGINTs as numbers, timestamps as UTC ISO text. */
export async function queryDuckDb(file: string, sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  try {
    await connection.run(`SET TimeZone = 'UTC'`);
    const rows = (await connection.runAndReadAll(sql)).getRowObjectsJson();
    return rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'string' && /^-?\d+$/.test(v) && k !== 'libelle' ? Number(v) : v])));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
