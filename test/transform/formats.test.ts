/**
 * The format modules: literal documents with hand-computed rows, each real quirk, detection by shape, and the
 * generated fixtures (test/fixtures/formats, scripts/make-fixtures.ts) read whole and streamed.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { streamFlattenFile } from '../../src/loader/workers/stream-file.js';
import type { FileOutcome } from '../../src/transform/file-flattener.js';
import { flattenDocument, flattenFileBytes } from '../../src/transform/flatten-file.js';
import { collectionTime, parisWallClock } from '../../src/transform/formats/times.js';

const loaded = (outcome: FileOutcome) => {
  assert.equal(outcome.status, 'loaded', JSON.stringify(outcome).slice(0, 400));
  return outcome as Extract<FileOutcome, { status: 'loaded' }>;
};
const rows = (ndjson: string): Record<string, unknown>[] => ndjson.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);

test('collection time: both name spellings, in --timezone, or as the Z/offset says; none → null', () => {
  assert.equal(collectionTime('data___2023_08_24_20_09_00.json', 'Europe/Paris'), '2023-08-24T20:09:00+02:00');
  assert.equal(collectionTime('2024/01/data___2024_01_15_08_30_00.json', 'Europe/Paris'), '2024-01-15T08:30:00+01:00');
  assert.equal(collectionTime('mel_ogcapi_2025-10-24_14-14-19.csv', 'Europe/Paris'), '2025-10-24T14:14:19+02:00');
  assert.equal(collectionTime('mel_ogcapi_2025-10-24_14-14-19.csv', 'UTC'), '2025-10-24T14:14:19Z');
  assert.equal(collectionTime('x_2025-10-24_14-14-19Z.csv', 'Europe/Paris'), '2025-10-24T14:14:19Z');
  assert.equal(collectionTime('x_2025-01-24_14-14-19+0100.csv', 'UTC'), '2025-01-24T14:14:19+01:00');
  assert.equal(collectionTime('jcdecaux_v1_toulouse_stations_2020-12-16.json', 'Europe/Paris'), null);
  assert.equal(collectionTime('data___2023_02_30_10_00_00.json', 'Europe/Paris'), null);
});

test('MEL date_modification: Paris wall clock behind a wrong Z, winter and summer; a true offset is kept', () => {
  assert.equal(parisWallClock('2024-01-15T08:27:00.000Z'), '2024-01-15T08:27:00.000+01:00');
  assert.equal(parisWallClock('2024-09-09T18:27:23.041Z'), '2024-09-09T18:27:23.041+02:00');
  assert.equal(parisWallClock('2022-11-29T10:47:16.181Z'), '2022-11-29T10:47:16.181+01:00');
  assert.equal(parisWallClock('2024-09-09T18:27:23+02:00'), '2024-09-09T18:27:23+02:00');
  assert.equal(parisWallClock('yesterday'), null);
});

const wfsFeature = (objectid: unknown, extra: Record<string, unknown> = {}) => ({
  type: 'Feature', id: `vlille_temps_reel.${String(objectid)}`, geometry: { type: 'Point', coordinates: [3.075992, 50.641926] },
  properties: { objectid, nom: 'VERDUN', adresse: '69 AVENUE DE VERDUN', code_insee: null, commune: 'MONS EN BAROEUL', etat: 'EN SERVICE', type: 'AVEC TPE', nb_places_dispo: 12, nb_velos_dispo: 4, etat_connexion: 'CONNECTÉ', x: 3.075992, y: 50.641926, date_modification: '2024-09-09T18:27:23.041Z', ...extra },
});

test('MEL WFS: objectid is the station, timeStamp the snapshot (true UTC), date_modification Paris time', () => {
  const doc = { type: 'FeatureCollection', features: [wfsFeature(105), wfsFeature('x')], timeStamp: '2024-09-09T16:28:51.421Z' };
  const outcome = loaded(flattenDocument(doc, { name: 'mel_wfs_vlille_temps_reel_2024-09-09.geojson' }));
  assert.equal(outcome.format, 'vlille-mel-wfs');
  assert.deepEqual(rows(outcome.recordsNdjson), [{
    station_id: 105, etat: 'EN SERVICE', nb_velos_dispo: 4, nb_places_dispo: 12, etat_connexion: 'CONNECTÉ',
    derniere_maj: '2024-09-09T18:27:23.041+02:00', record_timestamp: '2024-09-09T16:28:51.421Z', source_file: 'mel_wfs_vlille_temps_reel_2024-09-09.geojson',
  }]);
  assert.match(outcome.rejects[0]!.reason, /objectid="x"/);
  assert.deepEqual(outcome.stations.values()[0]!.payload, { id: 105, nom: 'VERDUN', libelle: '105', adresse: '69 AVENUE DE VERDUN', commune: 'MONS EN BAROEUL', type: 'AVEC TPE', latitude: 50.641926, longitude: 3.075992 });
});

test('ODS v2.1: flat records at the collection time of the name; a name without a time rejects the file, saying how to name it', () => {
  const record = { libelle: 81, nom: 'GUINGUETTE', adresse: 'RUE JACQUARD', commune: 'LILLE', etat: 'EN SERVICE', type: 'SANS TPE', nbplacesdispo: 2, nbvelosdispo: 8, etatconnexion: 'CONNECTÉ', geo: { lon: 3.1, lat: 50.6 }, datemiseajour: '2023-08-24T18:06:17+00:00' };
  const outcome = loaded(flattenDocument({ total_count: 1, results: [record] }, { name: 'data___2023_08_24_20_09_00.json' }));
  assert.equal(outcome.format, 'vlille-ods-v2');
  const [row] = rows(outcome.recordsNdjson);
  assert.equal(row!.record_timestamp, '2023-08-24T20:09:00+02:00');
  assert.equal(row!.derniere_maj, '2023-08-24T18:06:17+00:00');
  assert.equal(outcome.stations.values()[0]!.payload.latitude, 50.6);
  const nameless = flattenDocument({ total_count: 1, results: [record] }, { name: 'export.json' });
  assert.equal(nameless.status === 'rejected' && nameless.code, 'NO_COLLECTION_TIME');
  assert.match((nameless as { reason: string }).reason, /data___2023_08_24_20_09_00\.json/);
});

test('JCDecaux v1: other contracts skipped and counted, null last_update rejected, OPEN/CLOSED and banking mapped', () => {
  const station = (number: number, contract: string, last_update: number | null, status = 'OPEN') => ({
    number, contract_name: contract, name: `0000${number} - X`, address: 'RUE', position: { lat: 43.6, lng: 1.44 }, banking: number % 2 === 0, bonus: false,
    bike_stands: 15, available_bike_stands: 4, available_bikes: 10, status, last_update,
  });
  const doc = [station(55, 'toulouse', 1608112351000), station(56, 'toulouse', null), station(57, 'Toulouse', 1608112153000, 'CLOSED'), station(1, 'lyon', 1608112153000)];
  const outcome = loaded(flattenDocument(doc, { name: 'stations_2020-12-16_10-54-00.json', network: 'toulouse' }));
  assert.deepEqual([outcome.rows, outcome.rejectedRows, outcome.skippedRecords], [2, 1, 1]);
  assert.match(outcome.rejects[0]!.reason, /last_update is null/);
  const [a, b] = rows(outcome.recordsNdjson);
  assert.deepEqual(a, { station_id: 55, etat: 'EN SERVICE', nb_velos_dispo: 10, nb_places_dispo: 4, etat_connexion: null, derniere_maj: '2020-12-16T09:52:31.000Z', record_timestamp: '2020-12-16T10:54:00+01:00', source_file: 'stations_2020-12-16_10-54-00.json' });
  assert.equal(b!.etat, 'HORS SERVICE');
  assert.deepEqual(outcome.stations.values().map((s) => [s.id, s.payload.type, s.payload.commune]), [[55, 'SANS TPE', null], [57, 'SANS TPE', null]]);
  // All of another city: nothing to load, and not an error.
  const other = flattenDocument(doc, { name: 'stations_2020-12-16_10-54-00.json', network: 'paris' });
  assert.deepEqual(other.status === 'degraded' && [other.degradedRecords, other.skippedRecords], [0, 4]);
});

test('GBFS: 2.3 POSIX and 3.0 RFC 3339 times, vehicles renamed, flags mapped; a non-integer id rejects the file', () => {
  const status23 = { last_updated: 1791299522, ttl: 0, version: '2.3', data: { stations: [{ station_id: '2', num_bikes_available: 0, num_docks_available: 31, is_installed: true, is_renting: true, is_returning: true, last_reported: 1791299410 }, { station_id: '3', num_bikes_available: 1, num_docks_available: 17, is_installed: true, is_renting: false, is_returning: true, last_reported: 1791299297 }] } };
  const outcome = loaded(flattenDocument(status23, { name: 'station_status.json' }));
  assert.equal(outcome.format, 'gbfs-station-status');
  assert.deepEqual(rows(outcome.recordsNdjson).map((r) => [r.station_id, r.etat, r.nb_velos_dispo, r.derniere_maj, r.record_timestamp]), [
    [2, 'EN SERVICE', 0, '2026-10-06T15:10:10.000Z', '2026-10-06T15:12:02.000Z'],
    [3, 'IN_MAINTENANCE', 1, '2026-10-06T15:08:17.000Z', '2026-10-06T15:12:02.000Z'],
  ]);
  assert.equal(outcome.stations.size, 0, 'station_status leaves stations as they are');
  const status30 = { last_updated: '2025-03-01T09:00:00Z', ttl: 0, version: '3.0', data: { stations: [{ station_id: '7', num_vehicles_available: 5, num_docks_available: 3, is_installed: false, is_renting: false, is_returning: false, last_reported: '2025-03-01T08:59:00+01:00' }] } };
  const [row30] = rows(loaded(flattenDocument(status30, { name: 's.json' })).recordsNdjson);
  assert.deepEqual([row30!.nb_velos_dispo, row30!.etat, row30!.derniere_maj], [5, 'HORS SERVICE', '2025-03-01T08:59:00+01:00']);
  const bad = flattenDocument({ ...status23, data: { stations: [{ ...status23.data.stations[0], station_id: 'lil:2' }] } }, { name: 's.json' });
  assert.equal(bad.status === 'rejected' && bad.code, 'BAD_FILE_VALUE');
  assert.match((bad as { reason: string }).reason, /"lil:2"/);
});

test('GBFS station_information: stations only, as of last_updated; 3.0 names in French', () => {
  const info = { last_updated: '2025-03-01T09:00:00Z', ttl: 0, version: '3.0', data: { stations: [{ station_id: '1', name: [{ text: 'Town hall', language: 'en' }, { text: 'Hôtel de ville', language: 'fr' }], lat: 50.6, lon: 3.07, capacity: 36 }] } };
  const outcome = loaded(flattenDocument(info, { name: 'station_information.json' }));
  assert.deepEqual([outcome.rows, outcome.stationRows, outcome.format], [0, 1, 'gbfs-station-information']);
  const [station] = outcome.stations.values();
  assert.equal(station!.at, '2025-03-01T09:00:00Z');
  assert.deepEqual(station!.payload, { id: 1, nom: 'Hôtel de ville', libelle: '1', adresse: null, commune: null, type: null, latitude: 50.6, longitude: 3.07 });
});

test('detection by shape: an unknown shape names what was expected; --input-format tries only that format; V\'lille shapes need --network vlille', () => {
  const unknown = flattenDocument({ stations: [] }, { name: 'x.json' });
  assert.equal(unknown.status === 'rejected' && unknown.code, 'UNKNOWN_SHAPE');
  for (const id of ['vlille-ods-v1', 'vlille-ods-v2', 'vlille-mel-wfs', 'vlille-mel-csv', 'gbfs-station-status', 'gbfs-station-information', 'jcdecaux-v1', 'jcdecaux-v3']) {
    assert.ok((unknown as { reason: string }).reason.includes(id), id);
  }
  const wfs = { type: 'FeatureCollection', features: [wfsFeature(1)], timeStamp: '2024-09-09T16:28:51.421Z' };
  const forced = flattenDocument(wfs, { name: 'a.json', inputFormat: 'jcdecaux-v1' });
  assert.match(forced.status === 'rejected' ? forced.reason : '', /--input-format jcdecaux-v1.*expected jcdecaux-v1: JCDecaux/);
  assert.equal(flattenDocument(wfs, { name: 'a.json', inputFormat: 'vlille-mel-wfs' }).status, 'loaded');
  const wrong = flattenDocument(wfs, { name: 'a.json', network: 'toulouse' });
  assert.equal(wrong.status === 'rejected' && wrong.code, 'WRONG_NETWORK');
});

// --- generated fixtures (scripts/make-fixtures.ts) ---

const dir = path.resolve(import.meta.dirname, '..', 'fixtures', 'formats');
/** Hand-counted from test/support/format-fixtures.ts: [format, rows, located rows, station-only rows, rejected, skipped]. */
const EXPECTED: Record<string, [string, number, number, number, number, number]> = {
  'vlille_ods_v2_2023-08-24_20-10-00.json': ['vlille-ods-v2', 6, 0, 0, 0, 0],
  'mel_wfs_vlille_temps_reel_2024-01-15_08-30-00.geojson': ['vlille-mel-wfs', 6, 0, 0, 0, 0],
  'mel_wfs_vlille_temps_reel_2024-09-09_18-28-00.geojson': ['vlille-mel-wfs', 6, 0, 0, 0, 0],
  'mel_ogcapi_vlille_temps_reel_2025-10-24_14-14-19.csv': ['vlille-mel-csv', 7, 7, 0, 0, 0],
  'mel_ogcapi_vlille_temps_reel_2025-10-24_14-15-19.csv.gz': ['vlille-mel-csv', 6, 6, 0, 0, 0],
  'gbfs23_station_status.json': ['gbfs-station-status', 4, 0, 0, 0, 0],
  'gbfs23_station_information.json': ['gbfs-station-information', 0, 0, 4, 0, 0],
  'gbfs30_station_status.json': ['gbfs-station-status', 4, 0, 0, 0, 0],
  'gbfs30_station_information.json': ['gbfs-station-information', 0, 0, 4, 0, 0],
  'jcdecaux_v1_stations_2025-05-02_09-00-00.json': ['jcdecaux-v1', 2, 0, 0, 1, 2],
  'jcdecaux_v3_stations_2025-05-02_09-01-00.json': ['jcdecaux-v3', 3, 0, 0, 0, 2],
};

const counts = (o: FileOutcome) => {
  const l = loaded(o);
  return [l.format, l.rows, l.locatedRows, l.stationRows, l.rejectedRows, l.skippedRecords];
};

test('every generated fixture is read as its format, with the expected counts (CSV streamed too)', async () => {
  assert.deepEqual(readdirSync(dir).sort(), Object.keys(EXPECTED).sort());
  for (const [name, expected] of Object.entries(EXPECTED)) {
    const bytes = readFileSync(path.join(dir, name));
    assert.deepEqual(counts(flattenFileBytes(bytes, { name })), expected, name);
    // The streaming path reads CSV row by row; JSON documents other than ODS v1 are read whole only (for now).
    if (!/\.csv(\.gz)?$/.test(name)) continue;
    let written = '';
    const streamed = await streamFlattenFile(Readable.from([bytes.subarray(0, 100), bytes.subarray(100)]), { name }, async (text) => void (written += text));
    assert.deepEqual(counts(streamed as FileOutcome), expected, `${name} streamed`);
    assert.equal(written, '', 'located rows are not records');
  }
});

test('fixture quirks: wrong-Z winter/summer times, the CSV unmatched row and duplicate nom, quoted commas', () => {
  const winter = loaded(flattenFileBytes(readFileSync(path.join(dir, 'mel_wfs_vlille_temps_reel_2024-01-15_08-30-00.geojson')), { name: 'w' }));
  const summer = loaded(flattenFileBytes(readFileSync(path.join(dir, 'mel_wfs_vlille_temps_reel_2024-09-09_18-28-00.geojson')), { name: 's' }));
  assert.ok(rows(winter.recordsNdjson).every((r) => String(r.derniere_maj).endsWith('+01:00') && r.record_timestamp === '2024-01-15T07:30:00.000Z'));
  assert.ok(rows(summer.recordsNdjson).every((r) => String(r.derniere_maj).endsWith('+02:00') && r.record_timestamp === '2024-09-09T16:28:00.000Z'));
  const name = 'mel_ogcapi_vlille_temps_reel_2025-10-24_14-14-19.csv';
  const csv = loaded(flattenFileBytes(readFileSync(path.join(dir, name)), { name }));
  const located = rows(csv.locatedNdjson);
  assert.equal(located.length, 7);
  assert.ok(located.every((r) => r.record_timestamp === '2025-10-24T14:14:19+02:00' && String(r.derniere_maj).endsWith('+02:00')));
  assert.deepEqual(located.at(-1)!.longitude, 3.2, 'the unmatched row keeps its position for the merge');
  assert.equal(new Set(located.map((r) => `${String(r.longitude)},${String(r.latitude)}`)).size, 7, 'duplicate nom, distinct positions');
  assert.match(readFileSync(path.join(dir, name), 'utf8'), /"12, RUE DU MOLINEL, BÂTIMENT ""B"""/);
});
