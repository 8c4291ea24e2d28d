/** The production path's parts against the emulators: GCS listing and reading, BigQuery load jobs. */
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { GcsSource } from '../../src/loader/sources/gcs.js';
import { makeWindow } from '../../src/loader/sources/window.js';
import { BigQueryWarehouse, chunk, loadJobId } from '../../src/loader/warehouses/bigquery.js';
import { FIXTURES, REPO, queryDuckDb, runJson, tempDir } from '../support/cli.js';
import { SKIP_WITHOUT_EMULATORS, startEmulators, uniqueName, uploadFolder, type Emulators } from '../support/gcp.js';

test('load batches: at most 10,000 URIs per job, ids stable for the same URIs', () => {
  const uris = Array.from({ length: 25_001 }, (_, i) => `gs://b/s/records-${i}.ndjson`);
  assert.deepEqual(chunk(uris, 10_000).map((c) => c.length), [10_000, 10_000, 5_001]);
  assert.equal(loadJobId('run-1', 'records', 0, uris.slice(0, 3)), loadJobId('run-1', 'records', 0, uris.slice(0, 3)));
  assert.notEqual(loadJobId('run-1', 'records', 0, uris.slice(0, 3)), loadJobId('run-1', 'records', 0, uris.slice(1, 4)));
  assert.match(loadJobId('run-1', 'records', 0, uris), /^[A-Za-z0-9_-]+$/);
});

describe('against fake-gcs-server and bigquery-emulator', { skip: SKIP_WITHOUT_EMULATORS }, () => {
  let emu: Emulators;
  const bucket = uniqueName('velo-gcs').toLowerCase().replace(/_/g, '-');
  before(async () => {
    emu = await startEmulators();
    await uploadFolder(emu.storage, bucket, 'raw/', path.join(FIXTURES, 'vlille', 'minutes'));
  });
  after(() => emu?.stop());

  test('listing paginates, sorts, carries generations and filters by glob and window', async () => {
    const source = new GcsSource({ bucket: emu.storage.bucket(bucket), prefix: 'raw/', pageSize: 2 });
    const all = await source.list();
    assert.equal(all.length, 12);
    assert.deepEqual(all.map((o) => o.name), [...all.map((o) => o.name)].sort());
    assert.ok(all.every((o) => /^\d+$/.test(o.generation) && o.size > 0));

    const globbed = await new GcsSource({ bucket: emu.storage.bucket(bucket), prefix: 'raw/', glob: '*_2023_10_*' }).list();
    assert.deepEqual(globbed.map((o) => o.name), ['data___2023_10_29_02_30_00.json', 'data___2023_10_29_02_30_01.json']);

    // A window lists only the days around it (startOffset/endOffset), not the January or October files.
    const window = makeWindow('2023-08-24', '2023-08-25', 'Europe/Paris');
    const windowed = await new GcsSource({ bucket: emu.storage.bucket(bucket), prefix: 'raw/', window, timezone: 'Europe/Paris', pageSize: 3 }).list();
    assert.equal(windowed.length, 9);
    assert.ok(windowed.every((o) => o.name.startsWith('data___2023_08_24')));
  });

  test('reads whole objects and streams them; gzip objects arrive as stored', async () => {
    const source = new GcsSource({ bucket: emu.storage.bucket(bucket), prefix: 'raw/' });
    const [first] = await source.list();
    const bytes = await source.read(first!);
    assert.equal(bytes.length, first!.size);
    const chunks: Buffer[] = [];
    for await (const chunk of source.open(first!)) chunks.push(chunk as Buffer);
    assert.deepEqual(Buffer.concat(chunks), bytes);
  });

  test('gs:// → BigQuery: many small shards still make one load job per table; huge-file streaming path agrees', async () => {
    const work = tempDir();
    const dataset = uniqueName('gcs_bq');
    const base = ['--source', `gs://${bucket}/raw`, '--staging', `gs://${bucket}/staging`, '--warehouse', `bigquery://${emu.project}/${dataset}`];
    // --shard-mb tiny: every file's rows rotate into a new shard.
    const { code, summary, stderr } = await runJson([...base, '--shard-mb', '0.000001', '--stream-threshold-mb', '0.000001'], { cwd: work, env: emu.env });
    assert.equal(code, 0, stderr);
    assert.equal(summary.rows.merged, 45);
    assert.ok(summary.shards.records >= 11, `one shard per loaded file, got ${summary.shards.records}`);
    assert.deepEqual(summary.loadJobs, { records: 1, stations: 1, files: 1 });
    const [[count]] = await emu.bigquery.query({ query: `SELECT COUNT(*) AS n FROM \`${emu.project}.${dataset}.records\`` });
    assert.equal(Number((count as { n: number }).n), 45);
    const [staged] = await emu.storage.bucket(bucket).getFiles({ prefix: 'staging/' });
    assert.deepEqual(staged.map((f) => f.name), [], 'staging objects removed after the merge');
  });

  test('a load retried with the same job id attaches to the first job instead of loading twice', async () => {
    const dataset = uniqueName('retry');
    const runId = 'retry-test';
    const warehouse = new BigQueryWarehouse(emu.bigquery, emu.project, dataset, runId);
    await warehouse.ensureTables();
    await warehouse.runSql('create_staging', {}, [{ task: 0 }]);
    const uri = `gs://${bucket}/shards/records-1.ndjson`;
    await emu.storage.bucket(bucket).file('shards/records-1.ndjson').save(
      '{"station_id":1,"etat":"EN SERVICE","nb_velos_dispo":1,"nb_places_dispo":2,"etat_connexion":"CONNECTÉ","derniere_maj":null,"record_timestamp":"2023-08-24T20:08:00.56+02:00","source_file":"a.json"}\n',
      { resumable: false },
    );
    const first = await warehouse.loadStaging({ task: 0 }, 'records', [uri]);
    const second = await warehouse.loadStaging({ task: 0 }, 'records', [uri]);
    assert.deepEqual(second.jobIds, first.jobIds);
    const [[count]] = await emu.bigquery.query({ query: `SELECT COUNT(*) AS n FROM \`${emu.project}.${dataset}._velo_stage_records_retry_test_t0\`` });
    assert.equal(Number((count as { n: number }).n), 1);
  });

  const SAMPLES = path.resolve(REPO, '..', 'shared', 'samples', 'raw');
  const V1 = ['data___2023_08_24_20_09_00.json', 'data___2023_08_24_20_10_00.json', 'data___2023_08_24_20_11_01.json'];
  test('real captured minutes: the BigQuery path gives the same tables as the DuckDB path', { skip: V1.every((n) => existsSync(path.join(SAMPLES, n))) ? false : 'no ../shared/samples/raw' }, async () => {
    const work = tempDir();
    const local = path.join(work, 'raw');
    mkdirSync(local);
    for (const name of V1) cpSync(path.join(SAMPLES, name), path.join(local, name));
    const realBucket = uniqueName('velo-real').toLowerCase().replace(/_/g, '-');
    await uploadFolder(emu.storage, realBucket, 'raw/', local);
    const dataset = uniqueName('real');
    const db = path.join(work, 'v.duckdb');
    const duck = await runJson(['--source', local, '--warehouse', `duckdb:${db}`], { cwd: work });
    const bq = await runJson(['--source', `gs://${realBucket}/raw`, '--staging', `gs://${realBucket}/staging`, '--warehouse', `bigquery://${emu.project}/${dataset}`], { cwd: work, env: emu.env });
    assert.equal(duck.code, 0);
    assert.equal(bq.code, 0, bq.stderr);
    assert.deepEqual(bq.summary.rows, duck.summary.rows);
    const cols = 'station_id, etat, nb_velos_dispo, nb_places_dispo, etat_connexion';
    const duckRows = await queryDuckDb(db, `SELECT ${cols}, epoch_ms(derniere_maj) AS maj, epoch_ms(record_timestamp) AS ts FROM records ORDER BY ts, station_id`);
    const [bqRows] = await emu.bigquery.query({ query: `SELECT ${cols}, UNIX_MILLIS(derniere_maj) AS maj, UNIX_MILLIS(record_timestamp) AS ts FROM \`${emu.project}.${dataset}.records\` ORDER BY ts, station_id` });
    assert.equal(duckRows.length, 578);
    assert.deepEqual((bqRows as Record<string, unknown>[]).map((r) => ({ ...r, maj: Number(r.maj), ts: Number(r.ts) })), duckRows);
    const duckStations = await queryDuckDb(db, 'SELECT id, nom, libelle, adresse, commune, type, latitude, longitude FROM stations ORDER BY id');
    const [bqStations] = await emu.bigquery.query({ query: `SELECT id, nom, libelle, adresse, commune, type, latitude, longitude FROM \`${emu.project}.${dataset}.stations\` ORDER BY id` });
    assert.equal(duckStations.length, 289);
    assert.deepEqual(bqStations, duckStations);
  });
});
