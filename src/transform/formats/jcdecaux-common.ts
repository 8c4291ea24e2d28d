/**
 * What JCDecaux VLS v1 and v3 share (FORMATS.md §3): a top-level array of stations keyed by `number`, every city
 * in one file from the all-contracts endpoint. A station of another contract than --network is skipped and
 * counted, not an error. record_timestamp: the collection time in the file name.
 */
import { preview } from '../preview.js';
import type { FileContext, RecordOutcome, StationRow } from '../types.js';
import { DEFAULT_NETWORK } from './start.js';
import { count, isObject, stationId, text, tooLong } from './values.js';
import { jcdecauxEtat, jcdecauxType } from './vocabulary.js';

/** The first item of a top-level array, when it is an object with all of `keys`. */
export function firstItemHas(doc: unknown, keys: readonly string[]): boolean {
  const first: unknown = Array.isArray(doc) ? doc[0] : undefined;
  return isObject(first) && keys.every((key) => key in first);
}

export function otherContract(contract: unknown, context: FileContext): boolean {
  return typeof contract === 'string' && contract.toLowerCase() !== (context.network ?? DEFAULT_NETWORK).toLowerCase();
}

export interface JcdecauxFields {
  number: unknown;
  bikes: unknown;
  stands: unknown;
  status: unknown;
  connexion: string | null;
  banking: unknown;
  name: unknown;
  address: unknown;
  lat: unknown;
  lng: unknown;
}

/** One station's observation, once the version-specific fields are picked out; `updated` already parsed. */
export function jcdecauxRow(f: JcdecauxFields, updated: string, context: FileContext): RecordOutcome {
  const id = stationId(f.number);
  if (id === null) return { kind: 'reject', reason: `missing or invalid station number: ${preview(f.number)}` };
  const bikes = count(f.bikes);
  if (bikes === null) return { kind: 'reject', reason: `available bikes is not a non-negative integer: ${preview(f.bikes)}` };
  const stands = count(f.stands);
  if (stands === null) return { kind: 'reject', reason: `available stands is not a non-negative integer: ${preview(f.stands)}` };
  const values = { nom: text(f.name), adresse: text(f.address), etat: jcdecauxEtat(f.status) };
  const long = tooLong(values);
  if (long !== null) return { kind: 'reject', reason: long };
  const station: StationRow = {
    id,
    nom: values.nom,
    libelle: String(id),
    adresse: values.adresse,
    commune: null,
    type: jcdecauxType(f.banking),
    latitude: typeof f.lat === 'number' && Number.isFinite(f.lat) ? f.lat : null,
    longitude: typeof f.lng === 'number' && Number.isFinite(f.lng) ? f.lng : null,
  };
  return {
    kind: 'row',
    record: { station_id: id, etat: values.etat, nb_velos_dispo: bikes, nb_places_dispo: stands, etat_connexion: f.connexion, derniere_maj: updated, record_timestamp: context.fileTimestamp! },
    station,
  };
}
