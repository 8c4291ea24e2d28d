/**
 * The per-format fixture set (test/fixtures/formats/), written by scripts/make-fixtures.ts. Six V'lille stations
 * (station 6 is reformed) observed in each format, with each real quirk: MEL wrong-Z times in winter and summer,
 * a duplicate `nom` and an unmatched row in the CSV (quoted addresses with commas, a BOM), JCDecaux with two
 * contracts and a null last_update, GBFS 2.3 and 3.0 (localized names).
 */
import { gzipSync } from 'node:zlib';
import { DateTime } from 'luxon';
import { gbfsInformation, gbfsStatus, jcdecauxV1, jcdecauxV3, melCsv, melWfs, observe, odsV2, collectedName, type Observation } from './formats-synth.js';
import { random, stationCatalog, type Station } from './vlille-synth.js';

export const paris = (iso: string): DateTime => DateTime.fromISO(iso, { zone: 'Europe/Paris' });

/** Stations 1–6; 5 and 6 share a name (as BLANCHEMAILLE does), 6 is reformed; 2's address has commas. */
export function fixtureStations(): Station[] {
  const stations = stationCatalog(6, 11).map((s) => ({ ...s, reformed: s.libelle === 6 }));
  stations[1]!.adresse = '12, RUE DU MOLINEL, BÂTIMENT "B"';
  stations[5]!.nom = stations[4]!.nom;
  return stations;
}

export function formatFixtures(): Record<string, string | Buffer> {
  const stations = fixtureStations();
  const rnd = random(42);
  const files: Record<string, string | Buffer> = {};
  const put = (file: { name: string; text: string }): void => void (files[file.name] = file.text);

  put(odsV2(observe(stations, paris('2023-08-24T20:10:00'), rnd), paris('2023-08-24T20:10:00')));
  put(melWfs(observe(stations, paris('2024-01-15T08:30:00'), rnd), paris('2024-01-15T08:30:00'))); // winter: +01:00
  put(melWfs(observe(stations, paris('2024-09-09T18:28:00'), rnd), paris('2024-09-09T18:28:00'))); // summer: +02:00

  // CSV: an extra row at a position no station has.
  const csvAt = paris('2025-10-24T14:14:19');
  const unmatched: Observation = { ...observe(stations.slice(0, 1), csvAt, rnd)[0]!, station: { ...stations[0]!, nom: 'NOUVELLE STATION', lat: 50.7, lon: 3.2 } };
  const csv = melCsv([...observe(stations, csvAt, rnd), unmatched], csvAt, { bom: true });
  files[csv.name] = csv.text;
  const gz = melCsv(observe(stations, paris('2025-10-24T14:15:19'), rnd), paris('2025-10-24T14:15:19'));
  files[`${gz.name}.gz`] = gzipSync(gz.text, { mtime: 0 } as never);

  for (const version of ['2.3', '3.0'] as const) {
    const at = version === '2.3' ? paris('2025-03-01T10:00:00') : paris('2025-03-01T10:05:00');
    put(gbfsStatus(observe(stations.slice(0, 4), at, rnd), at, version));
    put(gbfsInformation(stations.slice(0, 4), at, version));
  }

  // JCDecaux all-contracts: three vlille stations (station 3 never reported), two of Toulouse.
  const jcAt = paris('2025-05-02T09:00:00');
  const toulouse = stationCatalog(2, 99).map((s) => ({ ...s, libelle: 100 + s.libelle }));
  const v1 = [...jcdecauxV1(observe(stations.slice(0, 3), jcAt, rnd), jcAt, 'vlille', [3]), ...jcdecauxV1(observe(toulouse, jcAt, rnd), jcAt, 'toulouse')];
  files[collectedName('jcdecaux_v1_stations', jcAt, 'json')] = JSON.stringify(v1);
  const v3At = paris('2025-05-02T09:01:00');
  const v3 = [...jcdecauxV3(observe(stations.slice(0, 3), v3At, rnd), 'vlille'), ...jcdecauxV3(observe(toulouse, v3At, rnd), 'toulouse')];
  files[collectedName('jcdecaux_v3_stations', v3At, 'json')] = JSON.stringify(v3, null, 2);
  return files;
}
