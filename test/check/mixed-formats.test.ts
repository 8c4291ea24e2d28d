/**
 * `velo-backfill check` on a warehouse loaded from every raw format (issue 19): 14 consecutive minutes of the same
 * 10 stations, each minute in another format (V'lille ODS v1 and v2, MEL WFS and CSV, GBFS 2.3 station_status with
 * one station_information, JCDecaux v1 and v3), loaded in one run. Every check must pass (no false failure from the
 * mix: GBFS and JCDecaux v1 publish no connection state, GBFS status rows carry no station attributes, JCDecaux and
 * GBFS states are mapped), on DuckDB and on the BigQuery emulator alike, and problems injected into rows of those
 * formats must still be caught.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { DateTime } from 'luxon';
import { collectedName, gbfsInformation, gbfsStatus, jcdecauxV1, jcdecauxV3, melCsv, melWfs, observe, odsV2 } from '../support/formats-synth.js';
import { queryDuckDb, runCli, runJson, tempDir } from '../support/cli.js';
import { SKIP_WITHOUT_EMULATORS, startEmulators, uniqueName, uploadFolder, type Emulators } from '../support/gcp.js';
import { fileName, minuteDocument, pythonJson, random, stationCatalog } from '../support/vlille-synth.js';
import { assertOnly, checkJson, type CheckJson } from './helpers.js';

const FORMATS = ['vlille-ods-v1', 'vlille-ods-v2', 'vlille-mel-wfs', 'vlille-mel-csv', 'gbfs-station-status', 'jcdecaux-v1', 'jcdecaux-v3'] as const;
const MINUTES = 14;
const STATIONS = 10;
const START = DateTime.fromISO('2025-03-01T10:00:00', { zone: 'Europe/Paris' });

/** Minute m in format m % 7, every station in each; station 10 is reformed (frozen, RÉFORMÉ in v1). */
function writeCorpus(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const catalog = stationCatalog(STATIONS, 7);
  const rnd = random(7);
  const put = (name: string, text: string): void => writeFileSync(path.join(dir, name), text);
  const info = gbfsInformation(catalog, START.minus({ minutes: 1 }), '2.3');
  put(collectedName('gbfs_station_information', START.minus({ minutes: 1 }), 'json'), info.text);
  for (let m = 0; m < MINUTES; m++) {
    const at = START.plus({ minutes: m });
    const seen = observe(catalog, at, rnd);
    const format = FORMATS[m % FORMATS.length]!;
    if (format === 'vlille-ods-v1') put(fileName(at.plus({ minutes: 1 })), pythonJson(minuteDocument({ stations: catalog, at, seed: m })));
    else if (format === 'vlille-ods-v2') (({ name, text }) => put(name, text))(odsV2(seen, at));
    else if (format === 'vlille-mel-wfs') (({ name, text }) => put(name, text))(melWfs(seen, at));
    else if (format === 'vlille-mel-csv') (({ name, text }) => put(name, text))(melCsv(seen, at));
    else if (format === 'gbfs-station-status') put(collectedName('gbfs_station_status', at, 'json'), gbfsStatus(seen, at, '2.3').text);
    else if (format === 'jcdecaux-v1') put(collectedName('jcdecaux_v1_stations', at, 'json'), JSON.stringify(jcdecauxV1(seen, at, 'vlille')));
    else put(collectedName('jcdecaux_v3_stations', at, 'json'), JSON.stringify(jcdecauxV3(seen, 'vlille'), null, 2));
  }
}

/** The UTC instant of minute m's snapshot (v1: its record_timestamp carries a fraction, so a range). */
function minute(m: number): { from: string; to: string } {
  const at = START.plus({ minutes: m }).toUTC();
  return { from: at.toISO()!, to: at.plus({ seconds: 59 }).toISO()! };
}

/**
 * Problems in rows of the formats the mix exempts or maps, one per check: a null etat_connexion in a V'lille v1 row
 * (v1 publishes it) and a null etat in a GBFS row (nulls: 2 rows); a GBFS row EN SERVICE whose last_reported is 2 hours
 * old (stale_stations: 1 station); 30 bikes too many in a JCDecaux v3 row (capacity: 1 row).
 */
function injections(records: string, ts: (iso: string) => string, minus2h: (column: string) => string): string[] {
  const inMinute = (m: number): string => `record_timestamp >= ${ts(minute(m).from)} AND record_timestamp < ${ts(minute(m).to)}`;
  return [
    `UPDATE ${records} SET etat_connexion = NULL WHERE ${inMinute(7)} AND station_id = 1`,
    `UPDATE ${records} SET etat = NULL WHERE ${inMinute(4)} AND station_id = 2`,
    `UPDATE ${records} SET derniere_maj = ${minus2h('record_timestamp')} WHERE ${inMinute(11)} AND station_id = 3`,
    `UPDATE ${records} SET nb_velos_dispo = nb_velos_dispo + 30 WHERE ${inMinute(13)} AND station_id = 4`,
  ];
}
const INJECTED = { nulls: 2, stale_stations: 1, capacity: 1 };

/** What must agree between the warehouses: verdicts, counts, examples (but ages) and the summary. */
function comparable(report: CheckJson): unknown {
  const checks = report.checks.map((c) => ({ ...c, examples: c.examples.map(({ age_seconds: _age, ...rest }) => rest) }));
  return { summary: report.summary, checks, skipped: report.skipped };
}

const work = tempDir('velo-check-mixed-');
const source = path.join(work, 'raw');
const db = path.join(work, 'mixed.duckdb');

before(async () => {
  writeCorpus(source);
  const { code, summary, stderr } = await runJson(['--source', source, '--warehouse', `duckdb:${db}`, '--staging', path.join(work, 'staging')], { cwd: work });
  assert.equal(code, 0, stderr);
  assert.equal(summary.rows.merged, MINUTES * STATIONS);
  assert.deepEqual(Object.keys(summary.formats).sort(), [...FORMATS, 'gbfs-station-information'].sort());
});

describe('check on a DuckDB file loaded from every format', () => {
  test('every check passes: terminal table (exit 0) and JSON', async () => {
    const table = await runCli(['check', '--warehouse', `duckdb:${db}`, '--max-age', '36500d']);
    assert.equal(table.code, 0, `${table.stdout}\n${table.stderr}`);
    assert.doesNotMatch(table.stdout, /✗|FAIL/);
    const { code, report, stderr } = await checkJson(['--warehouse', `duckdb:${db}`, '--max-age', '36500d', '--strict']);
    assert.equal(code, 0, stderr);
    assertOnly(report, {});
    assert.equal(report.summary.snapshots, MINUTES);
    assert.equal(report.summary.typicalStations, STATIONS);
  });

  test('the tables the checks read: GBFS/JCDecaux rows mapped, station attributes kept, null connection only where unpublished', async () => {
    const states = await queryDuckDb(db, `SELECT f.format, r.etat, COUNT(*) AS n, COUNT(r.etat_connexion) AS with_connexion FROM records r JOIN _velo_files f ON f.file_name = r.source_file GROUP BY 1, 2 ORDER BY 1, 2`);
    for (const row of states) {
      assert.ok(['EN SERVICE', 'HORS SERVICE', 'IN_MAINTENANCE', 'RÉFORMÉ'].includes(String(row.etat)), `${String(row.format)}: etat ${String(row.etat)}`);
      const published = !['gbfs-station-status', 'jcdecaux-v1'].includes(String(row.format));
      assert.equal(row.with_connexion, published ? row.n : 0, `${String(row.format)}: etat_connexion`);
    }
    const [stations] = await queryDuckDb(db, 'SELECT COUNT(*) AS n, COUNT(nom) AS nom, COUNT(adresse) AS adresse, COUNT(latitude) AS latitude FROM stations');
    assert.deepEqual(stations, { n: STATIONS, nom: STATIONS, adresse: STATIONS, latitude: STATIONS });
  });

  // Known gap (not a check's): within ONE run, a station's attributes come whole from its latest observation (the
  // workers keep only each task's latest, dedupe.sql the latest of those), so the JCDecaux v3 minute that comes last
  // leaves commune NULL although the V'lille minutes of the same run had it; split over two runs, the stations MERGE
  // COALESCEs and keeps it. Fix: merge attributes per column in the workers' station ledger and in latest_stations.
  test('a commune published earlier in the same run is kept when the latest observation has none', { todo: 'attributes are taken whole from the latest observation within a run' }, async () => {
    const [stations] = await queryDuckDb(db, 'SELECT COUNT(commune) AS commune FROM stations');
    assert.deepEqual(stations, { commune: STATIONS });
  });

  test('problems injected into rows of those formats are still caught', async () => {
    const copy = path.join(work, 'injected.duckdb');
    copyFileSync(db, copy);
    const instance = await DuckDBInstance.create(copy);
    const connection = await instance.connect();
    await connection.run(`SET TimeZone = 'UTC'`);
    for (const statement of injections('records', (iso) => `TIMESTAMPTZ '${iso}'`, (c) => `${c} - INTERVAL 2 HOUR`)) await connection.run(statement);
    connection.closeSync();
    instance.closeSync();
    const { code, report, stderr } = await checkJson(['--warehouse', `duckdb:${copy}`]);
    assert.equal(code, 4, stderr);
    assertOnly(report, INJECTED);
    const nulls = report.checks.find((c) => c.name === 'nulls')!;
    assert.deepEqual(nulls.examples.map((e) => [e.station_id, e.null_columns]), [[2, 'etat'], [1, 'etat_connexion']]);
    const table = await runCli(['check', '--warehouse', `duckdb:${copy}`]);
    assert.equal(table.code, 4);
    assert.match(table.stdout, /✗ nulls/);
  });
});

describe('check on the BigQuery emulator loaded from the same folder', { skip: SKIP_WITHOUT_EMULATORS }, () => {
  let emu: Emulators;
  const dataset = uniqueName('mixed_check');
  before(async () => {
    emu = await startEmulators();
    const bucket = uniqueName('velo-mixed-check').toLowerCase().replace(/_/g, '-');
    await uploadFolder(emu.storage, bucket, 'raw/', source);
    const { code, stderr } = await runJson(['--source', `gs://${bucket}/raw`, '--staging', `gs://${bucket}/staging`, '--warehouse', `bigquery://${emu.project}/${dataset}`], { cwd: work, env: emu.env });
    assert.equal(code, 0, stderr);
  });
  after(() => emu?.stop());

  test('every check passes, as on DuckDB; the injected problems are caught, as on DuckDB', async () => {
    const flags = ['--max-age', '36500d'];
    const clean = await checkJson(['--warehouse', `bigquery://${emu.project}/${dataset}`, ...flags], { env: emu.env });
    assert.equal(clean.code, 0, clean.stderr);
    assertOnly(clean.report, {});
    assert.deepEqual(comparable(clean.report), comparable((await checkJson(['--warehouse', `duckdb:${db}`, ...flags])).report));

    const injected = uniqueName('mixed_injected');
    await emu.bigquery.createDataset(injected);
    for (const table of ['records', 'stations', '_velo_files']) {
      await emu.bigquery.query({ query: `CREATE TABLE \`${emu.project}.${injected}.${table}\` AS SELECT * FROM \`${emu.project}.${dataset}.${table}\`` });
    }
    const records = `\`${emu.project}.${injected}.records\``;
    for (const query of injections(records, (iso) => `TIMESTAMP '${iso}'`, (c) => `TIMESTAMP_SUB(${c}, INTERVAL 2 HOUR)`)) await emu.bigquery.query({ query });
    const caught = await checkJson(['--warehouse', `bigquery://${emu.project}/${injected}`], { env: emu.env });
    assert.equal(caught.code, 4, caught.stderr);
    assertOnly(caught.report, INJECTED);
    const copy = path.join(work, 'injected.duckdb');
    assert.deepEqual(comparable(caught.report), comparable((await checkJson(['--warehouse', `duckdb:${copy}`])).report));
  });
});
