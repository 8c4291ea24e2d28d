/**
 * node --import tsx scripts/bench-tail.ts STAGING_RUN_DIR [--repeat N] [--memory 128MB] [--into-existing]
 *
 * The tail of a run alone (issue 21): a staging run folder kept from a CLI run (records-*, stations-*, files-*,
 * located-* shards) loaded into a fresh DuckDB file and merged the way the CLI does (load, clean, dedupe, merge,
 * stats), each step timed (wall and this process's CPU, every thread). --into-existing merges a second time into
 * the same file (the target then holds the window's rows: the MERGE's case). Prints one line per step and round.
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { UNBOUNDED, windowParams } from '../src/loader/sources/window.js';
import { DuckDbWarehouse } from '../src/loader/warehouses/duckdb.js';
import { TABLE_KINDS } from '../src/loader/warehouses/schemas.js';

const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: { repeat: { type: 'string', default: '3' }, memory: { type: 'string', default: '128MB' }, 'into-existing': { type: 'boolean', default: false } },
});
if (!positionals[0]) throw new Error('usage: bench-tail.ts STAGING_RUN_DIR');
const dir: string = positionals[0];
const shards = readdirSync(dir).filter((name) => name.endsWith('.ndjson'));

const cpu = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

async function timed<T>(label: string, times: Record<string, [number, number]>, work: () => Promise<T>): Promise<T> {
  const [wall, cpu0] = [performance.now(), cpu()];
  const result = await work();
  times[label] = [(performance.now() - wall) / 1000, cpu() - cpu0];
  return result;
}

async function round(n: number): Promise<Record<string, [number, number]>> {
  const work = path.join(os.tmpdir(), `velo-bench-tail-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const times: Record<string, [number, number]> = {};
  const passes = opts['into-existing'] ? 2 : 1;
  try {
    for (let pass = 1; pass <= passes; pass++) {
      const runId = `20261204T000000Z_bench${n}${pass}`;
      const warehouse = await DuckDbWarehouse.open(path.join(work, 'tail.duckdb'), runId, { memoryLimit: opts.memory });
      const scope = { task: 0 };
      const params = { ...windowParams(UNBOUNDED), run_id: runId };
      const prefix = passes > 1 ? `pass ${pass} ` : '';
      await warehouse.ensureTables();
      await timed(`${prefix}load`, times, async () => {
        await warehouse.runSql('create_staging', {}, [scope]);
        for (const kind of TABLE_KINDS) await warehouse.loadStaging(scope, kind, shards.filter((name) => name.startsWith(`${kind}-`)).map((name) => path.join(dir, name)));
      });
      await timed(`${prefix}clean`, times, () => warehouse.runSql('clean', params, [scope]));
      await timed(`${prefix}dedupe`, times, () => warehouse.runSql('dedupe', params, [scope]));
      await timed(`${prefix}merge`, times, () => warehouse.runSql('merge', params, [scope]));
      const [stats] = await timed(`${prefix}stats`, times, () => warehouse.runSql('stats', params, [scope]));
      await timed(`${prefix}drop+close`, times, async () => {
        await warehouse.runSql('drop_scratch');
        await warehouse.runSql('drop_staging', {}, [scope]);
        await warehouse.close();
      });
      process.stderr.write(`round ${n}${prefix ? `, ${prefix.trim()}` : ''}: new rows ${String(stats?.new_rows)}, in range ${String(stats?.in_range_rows)}\n`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return times;
}

const rounds: Record<string, [number, number]>[] = [];
for (let n = 1; n <= Number(opts.repeat); n++) rounds.push(await round(n));
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
console.log(`load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; ${rounds.length} round(s), medians (wall s / CPU s)`);
for (const step of Object.keys(rounds[0]!)) {
  console.log(`${step.padEnd(20)} ${median(rounds.map((r) => r[step]![0])).toFixed(3).padStart(7)} s wall ${median(rounds.map((r) => r[step]![1])).toFixed(3).padStart(7)} s CPU`);
}
console.log(`peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
