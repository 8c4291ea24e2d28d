/** Shared by the check suites: run `check --format json` through the built CLI and read its verdicts. */
import assert from 'node:assert/strict';
import { runCli, type CliResult } from '../support/cli.js';

export interface CheckJson {
  status: 'pass' | 'fail';
  failing: string[];
  summary: Record<string, unknown>;
  checks: { name: string; severity: string; status: string; count: number; examples: Record<string, unknown>[] }[];
  skipped: { name: string; reason: string }[];
}

export async function checkJson(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult & { report: CheckJson }> {
  const result = await runCli(['check', ...args, '--format', 'json'], options);
  try {
    return { ...result, report: JSON.parse(result.stdout) as CheckJson };
  } catch {
    throw new Error(`no JSON report (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
}

/** name → "status count", to compare a whole report at once. */
export function verdicts(report: CheckJson): Record<string, string> {
  return Object.fromEntries(report.checks.map((c) => [c.name, `${c.status} ${c.count}`]));
}

/** Every check passes except `failing` (name → count). */
export function assertOnly(report: CheckJson, failing: Record<string, number>, message = ''): void {
  const expected = Object.fromEntries(report.checks.map((c) => [c.name, c.name in failing ? `fail ${failing[c.name]}` : 'pass 0']));
  assert.deepEqual(verdicts(report), expected, message);
  for (const check of report.checks) {
    assert.ok(check.examples.length <= 10, `${check.name}: at most 10 examples`);
    if (check.status === 'fail') assert.ok(check.examples.length > 0, `${check.name}: a failed check shows examples`);
  }
}
