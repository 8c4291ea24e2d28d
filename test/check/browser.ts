/**
 * Headless Chromium (Debian's `chromium`, installed by scripts/browser.sh, which npm test runs) driven as a
 * plain child process: --screenshot and --dump-dom, no driver library.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const CHROMIUM = process.env.VELO_CHROMIUM ?? '/usr/bin/chromium';

/** Skip reason without a browser; under `npm test` (VELO_REQUIRE_EMULATORS) the browser test must run. */
export const SKIP_WITHOUT_BROWSER: string | false = (() => {
  if (existsSync(CHROMIUM)) return false;
  if (process.env.VELO_REQUIRE_EMULATORS) throw new Error(`headless Chromium is required but ${CHROMIUM} is missing: run scripts/browser.sh install`);
  return `no ${CHROMIUM} here (scripts/browser.sh install)`;
})();

/** Runs Chromium headless on `url` with extra flags; a private profile, killed after `timeoutMs`. */
export function chromium(flags: string[], url: string, timeoutMs = 90_000): Promise<{ code: number; stdout: string; stderr: string }> {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'velo-chromium-'));
  const args = ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--no-first-run', '--no-default-browser-check', '--disable-dev-shm-usage', `--user-data-dir=${profile}`, ...flags, url];
  return new Promise((resolve, reject) => {
    const child = spawn(CHROMIUM, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      rmSync(profile, { recursive: true, force: true });
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}
