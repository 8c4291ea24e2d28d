/**
 * Reads every real captured file in ../shared/samples/raw (when that folder exists; never copied into the repo)
 * and checks its rows against values counted by hand from the files (see that folder's README); streamed, each gives
 * what it gives read whole.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { streamFlattenFile } from '../../src/loader/workers/stream-file.js';
import type { FileOutcome } from '../../src/transform/file-flattener.js';
import { flattenFileBytes } from '../../src/transform/flatten-file.js';
import type { FileContext } from '../../src/transform/types.js';

const dir = path.resolve(import.meta.dirname, '..', '..', '..', 'shared', 'samples', 'raw');
const skip = existsSync(dir) ? false : `no ${dir}`;
const read = (name: string, context: Partial<FileContext> = {}): FileOutcome => flattenFileBytes(readFileSync(path.join(dir, name)), { name, ...context });
const loaded = (o: FileOutcome) => {
  assert.equal(o.status, 'loaded', JSON.stringify(o).slice(0, 300));
  return o as Extract<FileOutcome, { status: 'loaded' }>;
};
const first = (ndjson: string): Record<string, unknown> => JSON.parse(ndjson.slice(0, ndjson.indexOf('\n'))) as Record<string, unknown>;

test('every real sample file is read as its format, with hand-computed rows', { skip }, () => {
  const names = readdirSync(dir).filter((name) => name !== 'README.md').sort();
  assert.equal(names.length, 8);
  const formats = Object.fromEntries(names.map((name) => { const o = read(name); return [name, o.status === 'rejected' ? o.code : o.status === 'stream' ? 'stream' : o.format]; }));
  assert.deepEqual(formats, {
    'data___2023_08_24_20_09_00.json': 'vlille-ods-v1',
    'data___2023_08_24_20_10_00.json': 'vlille-ods-v1',
    'data___2023_08_24_20_11_01.json': 'vlille-ods-v1',
    'gbfs23_vlille_station_information_fixture.json': 'gbfs-station-information',
    'gbfs23_vlille_station_status_fixture.json': 'gbfs-station-status',
    // Its name holds a date but no time of day: rejected, saying how to name it.
    'jcdecaux_v1_toulouse_stations_2020-12-16.json': 'NO_COLLECTION_TIME',
    'mel_ogcapi_vlille_temps_reel_2025-10-24_14-14-19.csv': 'vlille-mel-csv',
    'mel_wfs_vlille_temps_reel_2024-09-09.geojson': 'vlille-mel-wfs',
  });
});

test('real MEL WFS and CSV: wrong-Z times read as Paris, 289 features, 302 located rows', { skip }, () => {
  const wfs = loaded(read('mel_wfs_vlille_temps_reel_2024-09-09.geojson'));
  assert.equal(wfs.rows, 289);
  assert.deepEqual(first(wfs.recordsNdjson), { station_id: 1, etat: 'RÉFORMÉ', nb_velos_dispo: 0, nb_places_dispo: 0, etat_connexion: 'DÉCONNECTÉ', derniere_maj: '2022-11-29T10:47:16.181+01:00', record_timestamp: '2024-09-09T16:28:51.421Z', source_file: 'mel_wfs_vlille_temps_reel_2024-09-09.geojson' });
  const csv = loaded(read('mel_ogcapi_vlille_temps_reel_2025-10-24_14-14-19.csv'));
  assert.deepEqual([csv.rows, csv.locatedRows, csv.rejectedRows], [302, 302, 0]);
  assert.deepEqual(first(csv.locatedNdjson), { longitude: 3.046134, latitude: 50.632233, etat: 'EN SERVICE', nb_velos_dispo: 16, nb_places_dispo: 15, etat_connexion: 'CONNECTÉ', derniere_maj: '2025-10-24T14:13:13.045+02:00', record_timestamp: '2025-10-24T14:14:19+02:00', source_file: 'mel_ogcapi_vlille_temps_reel_2025-10-24_14-14-19.csv', record_index: 0 });
});

test('real GBFS 2.3 and JCDecaux v1 (renamed with a collection time, under --network toulouse)', { skip }, () => {
  const status = loaded(read('gbfs23_vlille_station_status_fixture.json'));
  assert.equal(status.rows, 2);
  assert.deepEqual(first(status.recordsNdjson), { station_id: 2, etat: 'EN SERVICE', nb_velos_dispo: 0, nb_places_dispo: 31, etat_connexion: null, derniere_maj: '2026-10-06T15:10:10.000Z', record_timestamp: '2026-10-06T15:12:02.000Z', source_file: 'gbfs23_vlille_station_status_fixture.json' });
  const info = loaded(read('gbfs23_vlille_station_information_fixture.json'));
  assert.deepEqual(info.stations.values().map((s) => [s.id, s.payload.nom]), [[1, 'Metropole Europeenne de Lille (CB)'], [2, 'Universite Catholique'], [3, 'Jardin Vauban']]);
  const bytes = readFileSync(path.join(dir, 'jcdecaux_v1_toulouse_stations_2020-12-16.json'));
  const jc = loaded(flattenFileBytes(bytes, { name: 'jcdecaux_2020-12-16_10-54-00.json', network: 'toulouse' }));
  assert.deepEqual([jc.rows, jc.rejectedRows, jc.skippedRecords], [287, 0, 0]);
  assert.deepEqual(first(jc.recordsNdjson), { station_id: 55, etat: 'EN SERVICE', nb_velos_dispo: 10, nb_places_dispo: 4, etat_connexion: null, derniere_maj: '2020-12-16T09:52:31.000Z', record_timestamp: '2020-12-16T10:54:00+01:00', source_file: 'jcdecaux_2020-12-16_10-54-00.json' });
  const elsewhere = flattenFileBytes(bytes, { name: 'jcdecaux_2020-12-16_10-54-00.json' });
  assert.deepEqual(elsewhere.status === 'degraded' && elsewhere.skippedRecords, 287, 'under the default network vlille, all of Toulouse is skipped');
});

test('every real sample file streamed gives the whole-file outcome (rows, rejects, stations), JCDecaux also under toulouse', { skip }, async () => {
  const summary = (o: FileOutcome, ndjson: string): unknown => (o.status === 'loaded' ? { ...o, recordsNdjson: ndjson + o.recordsNdjson, stations: o.stations.values() } : o);
  const files: [string, Partial<FileContext>][] = readdirSync(dir).filter((name) => name !== 'README.md').map((name) => [name, {}]);
  // With a collection time in its name, the JCDecaux capture loads (its contract is toulouse).
  files.push(['jcdecaux_v1_toulouse_stations_2020-12-16_12-00-00.json', { network: 'toulouse' }]);
  for (const [name, context] of files) {
    const bytes = readFileSync(path.join(dir, name.replace('_12-00-00', '')));
    const whole = flattenFileBytes(bytes, { name, ...context });
    let ndjson = '';
    const streamed = await streamFlattenFile(Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]), { name, ...context }, async (text) => void (ndjson += text));
    assert.deepEqual(summary(streamed, ndjson), summary(whole, ''), name);
  }
});
