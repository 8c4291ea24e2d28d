/**
 * Nothing left behind for good by a crashed run: its BigQuery staging and scratch tables carry a 7-day expiration
 * (read back from the emulator's table metadata), and its staged shards match the GCS lifecycle rule that
 * docs/deploy.md tells users to install (the JSON is read from the guide itself).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BigQueryWarehouse, SCRATCH_TABLE_TTL_MS } from '../../src/loader/warehouses/bigquery.js';
import { stageTableNames, tableNames } from '../../src/loader/warehouses/warehouse.js';
import { UNBOUNDED, windowParams } from '../../src/loader/sources/window.js';
import { FIXTURES, REPO, runCli, tempDir } from '../support/cli.js';
import { SKIP_WITHOUT_EMULATORS, startEmulators, uniqueName, uploadFolder, type Emulators } from '../support/gcp.js';

interface LifecycleRule {
  action: { type: string };
  condition: { age?: number; matchesPrefix?: string[]; matchesSuffix?: string[] };
}

/** The lifecycle config shown in docs/deploy.md (the first ```json block that has a "rule"). */
function documentedLifecycle(): LifecycleRule[] {
  const guide = readFileSync(path.join(REPO, 'docs', 'deploy.md'), 'utf8');
  const block = [...guide.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1]!).find((text) => text.includes('"rule"'));
  assert.ok(block, 'docs/deploy.md shows a lifecycle JSON');
  return (JSON.parse(block) as { rule: LifecycleRule[] }).rule;
}

/** Whether a Delete rule's name conditions (GCS semantics: any prefix and any suffix listed) match an object. */
function deletedByRule(name: string, rules: readonly LifecycleRule[]): boolean {
  return rules.some(
    ({ action, condition }) =>
      action.type === 'Delete' &&
      (!condition.matchesPrefix || condition.matchesPrefix.some((prefix) => name.startsWith(prefix))) &&
      (!condition.matchesSuffix || condition.matchesSuffix.some((suffix) => name.endsWith(suffix))),
  );
}

describe('a crashed run leaves nothing behind for good', { skip: SKIP_WITHOUT_EMULATORS }, () => {
  let emu: Emulators;
  const bucket = uniqueName('velo-expire').toLowerCase().replace(/_/g, '-');
  const dataset = 'expiring';
  const runId = 'crashed-1';
  let startedAt = 0;
  let killedAt = 0;

  before(async () => {
    emu = await startEmulators();
    await uploadFolder(emu.storage, bucket, 'raw/', path.join(FIXTURES, 'sample-corpus'));
    startedAt = Date.now();
    // The documented staging prefix (`velo/`), so the guide's rule applies as written.
    const args = ['run', '--source', `gs://${bucket}/raw`, '--staging', `gs://${bucket}/velo`, '--warehouse', `bigquery://test/${dataset}`, '--run-id', runId];
    const crash = await runCli(args, { cwd: tempDir(), env: emu.env, killAt: 'staging loaded' });
    killedAt = Date.now();
    assert.ok(crash.killed, `the run was killed after its first staging load:\n${crash.stderr}`);
  });
  after(() => emu?.stop());

  const expirationOf = async (table: string): Promise<number | undefined> => {
    const [metadata] = await emu.bigquery.dataset(dataset).table(table).getMetadata();
    return metadata.expirationTime === undefined ? undefined : Number(metadata.expirationTime);
  };
  const assertExpires = async (table: string, from: number, to: number): Promise<void> => {
    const expiration = await expirationOf(table);
    assert.ok(expiration !== undefined, `${table} has no expiration`);
    assert.ok(expiration >= from + SCRATCH_TABLE_TTL_MS && expiration <= to + SCRATCH_TABLE_TTL_MS, `${table} expires at ${new Date(expiration).toISOString()}`);
  };

  test('its staging tables expire 7 days after they were created; the target tables never do', async () => {
    assert.equal(SCRATCH_TABLE_TTL_MS, 7 * 24 * 3600 * 1000);
    for (const table of Object.values(stageTableNames(runId, { task: 0 }))) await assertExpires(table, startedAt, killedAt);
    for (const table of ['records', 'stations', '_velo_files']) assert.equal(await expirationOf(table), undefined, table);
  });

  test('the merge\'s scratch tables expire too (a merge that dies midway leaves them)', async () => {
    const warehouse = new BigQueryWarehouse(emu.bigquery, 'test', dataset, runId);
    const before = Date.now();
    await warehouse.runSql('dedupe', { ...windowParams(UNBOUNDED), run_id: runId }, [{ task: 0 }]);
    const { unique_records, latest_stations, ready_files } = tableNames(runId);
    for (const table of [unique_records, latest_stations, ready_files]) await assertExpires(table, before, Date.now());
  });

  test('its staged shards match the lifecycle rule of docs/deploy.md; dead letters and coordination objects do not', async () => {
    const rules = documentedLifecycle();
    assert.ok(rules.every((rule) => rule.condition.age === 7), 'deleted 7 days after upload');
    const [objects] = await emu.storage.bucket(bucket).getFiles({ prefix: `velo/${runId}/` });
    const shards = objects.map((object) => object.name).filter((name) => name.startsWith(`velo/${runId}/t0/`));
    assert.ok(shards.length > 0, 'the crashed run left staged shards');
    for (const name of shards) assert.ok(deletedByRule(name, rules), `${name} is not matched by the documented rule`);
    for (const kept of [`velo/${runId}/dead-letter/t0-a0-dead-letter.ndjson`, `velo/${runId}/_coord/plan.json`, `raw/data___2023_08_24_20_01_00.json`]) {
      assert.ok(!deletedByRule(kept, rules), `${kept} would be deleted`);
    }
  });
});
