/**
 * Deterministic synthetic V'lille v1 minutes, byte-shaped like the real captures
 * (../shared/samples/raw): Python json.dumps separators, \u escapes, shuffled records,
 * varying fraction digits. Used by the fixture generator and the benchmark.
 */
import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';

export interface Station {
  libelle: number;
  nom: string;
  adresse: string;
  commune: string;
  type: 'AVEC TPE' | 'SANS TPE';
  lat: number;
  lon: number;
  reformed: boolean;
  /** Docks at the station: bikes + free docks never exceed it, as in the real feed. */
  capacity: number;
  recordid: string;
}

/** Small seeded PRNG (mulberry32): same seed, same corpus. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Dock counts of real V'lille stations, most common first (measured on the captured minutes). */
const CAPACITIES = [20, 18, 16, 12, 24, 20, 14, 30, 18, 40];

const COMMUNES = ['LILLE', 'ROUBAIX', 'TOURCOING', "VILLENEUVE D'ASCQ", 'MONS EN BAROEUL', 'LA MADELEINE', 'LAMBERSART', 'LILLE HELLEMMES', 'SAINT-ANDRÉ-LEZ-LILLE', 'MARCQ EN BAROEUL'];
const NAMES = ['GARE LILLE FLANDRES', 'RÉPUBLIQUE BEAUX-ARTS', 'GUINGUETTE', 'BEL AIR', 'QUAI DU WAULT', 'RUE DE GAND', 'LECLERC', 'HÔTEL DE VILLE', 'PONT DE NEUILLY', 'MÉTRO GAMBETTA'];

export function stationCatalog(count: number, seed = 1): Station[] {
  const rnd = random(seed);
  return Array.from({ length: count }, (_, i) => {
    const libelle = i + 1;
    return {
      libelle,
      nom: `${NAMES[i % NAMES.length]}${i >= NAMES.length ? ` ${libelle}` : ''}`,
      adresse: `${1 + Math.floor(rnd() * 250)} RUE DU ${['GÉNÉRAL DE GAULLE', 'MOLINEL', 'FAIDHERBE', 'PAS'][i % 4]}`,
      commune: COMMUNES[i % COMMUNES.length] as string,
      type: rnd() < 0.94 ? 'AVEC TPE' : 'SANS TPE',
      lat: Number((50.6 + rnd() * 0.1).toFixed(6)),
      lon: Number((3.0 + rnd() * 0.2).toFixed(6)),
      reformed: i % 10 === 9,
      // Derived from the id, not drawn from rnd, so the rest of the catalog stays as it was.
      capacity: CAPACITIES[(libelle * 7) % CAPACITIES.length] as number,
      recordid: createHash('sha1').update(`station-${libelle}`).digest('hex'),
    };
  });
}

const FRACTIONS = ['.56', '.849', '.7', '.457000', '.944', '.12'];

export interface MinuteOptions {
  stations: Station[];
  /** The API's snapshot time, in Paris. */
  at: DateTime;
  seed: number;
  degraded?: boolean;
  shuffle?: boolean;
  /** Per-station overrides of fields (e.g. a renamed station). */
  override?: (station: Station) => Record<string, unknown> | undefined;
}

export function recordTimestamp(at: DateTime, seed: number): string {
  const paris = at.setZone('Europe/Paris');
  return `${paris.toFormat("yyyy-MM-dd'T'HH:mm:ss")}${FRACTIONS[seed % FRACTIONS.length]}${paris.toFormat('ZZ')}`;
}

export function minuteDocument(options: MinuteOptions): Record<string, unknown> {
  const rnd = random(options.seed);
  const ts = recordTimestamp(options.at, options.seed);
  const records = options.stations.map((s) => {
    const geo = [s.lat, s.lon];
    // Bikes + free docks = the station's capacity, less a dock out of service now and then (like the real feed).
    const bikes = options.degraded || s.reformed ? 0 : Math.floor(rnd() * (s.capacity + 1));
    const outOfService = options.degraded || s.reformed ? 0 : rnd() < 0.1 ? 1 : 0;
    const fields: Record<string, unknown> = options.degraded
      ? { geo }
      : {
          nbvelosdispo: bikes,
          nbplacesdispo: s.reformed ? 0 : Math.max(0, s.capacity - bikes - outOfService),
          libelle: s.libelle,
          adresse: s.adresse,
          nom: s.nom,
          etat: s.reformed ? 'RÉFORMÉ' : rnd() < 0.02 ? 'IN_MAINTENANCE' : 'EN SERVICE',
          commune: s.commune,
          etatconnexion: s.reformed ? 'DÉCONNECTÉ' : 'CONNECTÉ',
          type: s.type,
          geo,
          localisation: geo,
          datemiseajour: s.reformed ? '2022-11-29T10:47:16+01:00' : options.at.minus({ seconds: Math.floor(rnd() * 300) }).setZone('Europe/Paris').toFormat("yyyy-MM-dd'T'HH:mm:ssZZ"),
          ...options.override?.(s),
        };
    return { datasetid: 'vlille-realtime', recordid: s.recordid, fields, geometry: { type: 'Point', coordinates: [s.lon, s.lat] }, record_timestamp: ts };
  });
  if (options.shuffle ?? true) {
    for (let i = records.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [records[i], records[j]] = [records[j]!, records[i]!];
    }
  }
  return {
    nhits: records.length,
    parameters: { dataset: 'vlille-realtime', rows: 300, start: 0, format: 'json', timezone: 'Europe/Paris' },
    records,
  };
}

/** Python's json.dumps default output: ", " and ": " separators, non-ASCII as \uXXXX. */
export function pythonJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${pythonJson(k)}: ${pythonJson(v)}`)
      .join(', ')}}`;
  }
  if (typeof value === 'string') return JSON.stringify(value).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return JSON.stringify(value);
}

/** The collector's file name: Paris wall-clock time of collection (a minute after the snapshot). */
export function fileName(collectedAt: DateTime): string {
  return `data___${collectedAt.setZone('Europe/Paris').toFormat('yyyy_MM_dd_HH_mm_ss')}.json`;
}
