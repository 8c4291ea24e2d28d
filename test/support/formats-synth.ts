/**
 * Deterministic files in every raw format the loader reads, from the same observations, shaped like the real
 * captures in ../shared/samples/raw (never copied from them). Used by the fixture generator, the format tests
 * and the cross-format property test: one observation, written in each format that can express it.
 */
import { DateTime } from 'luxon';
import type { Station } from './vlille-synth.js';

/** One station at one time, in V'lille's vocabulary (what the loader should read back). */
export interface Observation {
  station: Station;
  bikes: number;
  docks: number;
  etat: string;
  /** null: the format has no connection state (JCDecaux v1, GBFS). */
  connexion: string | null;
  /** The station's own update time (derniere_maj), whole seconds. */
  updated: DateTime;
}

export interface RawFile {
  name: string;
  text: string;
}

const paris = (t: DateTime): DateTime => t.setZone('Europe/Paris');
const utcIso = (t: DateTime): string => t.toUTC().toISO({ suppressMilliseconds: true })!;

/** The collector's name for a file collected at `at`: Paris wall clock, or UTC with a Z when `utc`. */
export function collectedName(prefix: string, at: DateTime, ext: string, utc = false): string {
  const t = utc ? at.toUTC() : paris(at);
  return `${prefix}_${t.toFormat('yyyy-MM-dd_HH-mm-ss')}${utc ? 'Z' : ''}.${ext}`;
}

export function odsV2(observations: Observation[], at: DateTime, utcName = false): RawFile {
  const results = observations.map((o) => ({
    libelle: o.station.libelle, nom: o.station.nom, adresse: o.station.adresse, commune: o.station.commune, etat: o.etat,
    type: o.station.type, nbplacesdispo: o.docks, nbvelosdispo: o.bikes, etatconnexion: o.connexion,
    geo: { lon: o.station.lon, lat: o.station.lat }, localisation: { lon: o.station.lon, lat: o.station.lat },
    datemiseajour: `${o.updated.toUTC().toFormat("yyyy-MM-dd'T'HH:mm:ss")}+00:00`,
  }));
  return { name: collectedName('vlille_ods_v2', at, 'json', utcName), text: JSON.stringify({ total_count: results.length, results }) };
}

/** MEL's quirk: Paris wall-clock time written with a Z (FORMATS.md §2). */
export function wrongZ(t: DateTime): string {
  return `${paris(t).toFormat("yyyy-MM-dd'T'HH:mm:ss.SSS")}Z`;
}

function melProperties(o: Observation): Record<string, unknown> {
  return {
    nom: o.station.nom, adresse: o.station.adresse, code_insee: null, commune: o.station.commune, etat: o.etat, type: o.station.type,
    nb_places_dispo: o.docks, nb_velos_dispo: o.bikes, etat_connexion: o.connexion, x: o.station.lon, y: o.station.lat, date_modification: wrongZ(o.updated),
  };
}

/** The WFS document, re-serialised with indent 4 as the real collector did; `timeStamp` is true UTC. */
export function melWfs(observations: Observation[], at: DateTime): RawFile {
  const features = observations.map((o) => ({
    type: 'Feature', id: `vlille_temps_reel.${o.station.libelle}`, geometry: { type: 'Point', coordinates: [o.station.lon, o.station.lat] },
    geometry_name: 'geom', properties: { objectid: o.station.libelle, ...melProperties(o) },
  }));
  const doc = { type: 'FeatureCollection', features, totalFeatures: features.length, numberMatched: features.length, numberReturned: features.length, timeStamp: at.toUTC().toISO(), crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::4326' } } };
  return { name: collectedName('mel_wfs_vlille_temps_reel', at, 'geojson'), text: JSON.stringify(doc, null, 4) };
}

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const CSV_COLUMNS = ['nom', 'adresse', 'code_insee', 'commune', 'etat', 'type', 'nb_places_dispo', 'nb_velos_dispo', 'etat_connexion', 'x', 'y', 'date_modification', 'geom'];

/** The OGC API CSV: quoted header, UTF-8, no station id; `extra` rows go in as given (e.g. unmatched positions). */
export function melCsv(observations: Observation[], at: DateTime, options: { bom?: boolean; utcName?: boolean } = {}): RawFile {
  const lines = [CSV_COLUMNS.map((c) => `"${c}"`).join(',')];
  for (const o of observations) {
    const p = { ...melProperties(o), geom: `POINT (${o.station.lon} ${o.station.lat})` } as Record<string, unknown>;
    lines.push(CSV_COLUMNS.map((c) => csvCell(p[c])).join(','));
  }
  return { name: collectedName('mel_ogcapi_vlille_temps_reel', at, 'csv', options.utcName), text: `${options.bom ? '\ufeff' : ''}${lines.join('\n')}\n` };
}

/** V'lille etat → GBFS flags (the inverse of the loader's mapping). */
function gbfsFlags(etat: string): { is_installed: boolean; is_renting: boolean; is_returning: boolean } {
  if (etat === 'HORS SERVICE') return { is_installed: false, is_renting: false, is_returning: false };
  if (etat === 'IN_MAINTENANCE') return { is_installed: true, is_renting: false, is_returning: true };
  return { is_installed: true, is_renting: true, is_returning: true };
}

const gbfsTime = (t: DateTime, version: '2.3' | '3.0'): number | string => (version === '2.3' ? Math.floor(t.toSeconds()) : utcIso(t));

export function gbfsStatus(observations: Observation[], at: DateTime, version: '2.3' | '3.0'): RawFile {
  const stations = observations.map((o) => ({
    station_id: String(o.station.libelle),
    [version === '2.3' ? 'num_bikes_available' : 'num_vehicles_available']: o.bikes,
    num_docks_available: o.docks,
    ...gbfsFlags(o.etat),
    last_reported: gbfsTime(o.updated, version),
  }));
  return { name: `gbfs${version.replace('.', '')}_station_status.json`, text: JSON.stringify({ last_updated: gbfsTime(at, version), ttl: 0, version, data: { stations } }, null, 2) };
}

export function gbfsInformation(stations: Station[], at: DateTime, version: '2.3' | '3.0'): RawFile {
  const list = stations.map((s) => ({
    station_id: String(s.libelle),
    // 3.0 localizes names: an English entry first, the French one is the one kept.
    name: version === '2.3' ? s.nom : [{ text: `${s.nom} (EN)`, language: 'en' }, { text: s.nom, language: 'fr' }],
    lat: s.lat, lon: s.lon, capacity: s.capacity,
  }));
  return { name: `gbfs${version.replace('.', '')}_station_information.json`, text: JSON.stringify({ last_updated: gbfsTime(at, version), ttl: 0, version, data: { stations: list } }, null, 2) };
}

const jcdecauxStatus = (etat: string): string => (etat === 'HORS SERVICE' ? 'CLOSED' : 'OPEN');

/** JCDecaux v1; `lastUpdateNull`: stations whose last_update is null (never reported). */
export function jcdecauxV1(observations: Observation[], at: DateTime, contract: string, lastUpdateNull: number[] = []): unknown[] {
  return observations.map((o) => ({
    number: o.station.libelle, contract_name: contract, name: `${String(o.station.libelle).padStart(5, '0')} - ${o.station.nom}`, address: o.station.adresse,
    position: { lat: o.station.lat, lng: o.station.lon }, banking: o.station.type === 'AVEC TPE', bonus: false,
    bike_stands: o.station.capacity, available_bike_stands: o.docks, available_bikes: o.bikes, status: jcdecauxStatus(o.etat),
    last_update: lastUpdateNull.includes(o.station.libelle) ? null : o.updated.toMillis(),
  }));
}

export function jcdecauxV3(observations: Observation[], contract: string): unknown[] {
  return observations.map((o) => ({
    number: o.station.libelle, contractName: contract, name: o.station.nom, address: o.station.adresse,
    position: { latitude: o.station.lat, longitude: o.station.lon }, banking: o.station.type === 'AVEC TPE', bonus: false,
    status: jcdecauxStatus(o.etat), lastUpdate: utcIso(o.updated), connected: o.connexion === 'CONNECTÉ', overflow: false, shape: null,
    totalStands: { availabilities: { bikes: o.bikes, stands: o.docks, mechanicalBikes: o.bikes, electricalBikes: 0 }, capacity: o.station.capacity },
    mainStands: { availabilities: { bikes: o.bikes, stands: o.docks }, capacity: o.station.capacity },
  }));
}

/** Observations of `stations` at `at`, seeded: counts within capacity, update a few minutes before. */
export function observe(stations: Station[], at: DateTime, rnd: () => number): Observation[] {
  return stations.map((station) => {
    const bikes = Math.floor(rnd() * (station.capacity + 1));
    return {
      station, bikes, docks: station.capacity - bikes,
      etat: station.reformed ? 'HORS SERVICE' : 'EN SERVICE',
      connexion: station.reformed ? 'DÉCONNECTÉ' : 'CONNECTÉ',
      updated: at.minus({ seconds: Math.floor(rnd() * 300) }).startOf('second'),
    };
  });
}
