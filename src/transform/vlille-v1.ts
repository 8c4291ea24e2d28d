/**
 * V'lille, Opendatasoft Search API v1 (FORMATS.md §1):
 * `{ nhits, parameters, records: [{ fields: { libelle, nbvelosdispo, … }, record_timestamp }] }`.
 */
import { preview } from './preview.js';
import { canonicalTimestamp } from './timestamps.js';
import type { FormatModule, RecordOutcome, StationRow } from './types.js';

type Json = Record<string, unknown>;

/**
 * Longest text attribute accepted. Real names and addresses are under 100 characters; a 10 MB `nom` is junk,
 * and staged as is it would make one NDJSON line longer than DuckDB's read_json accepts (16 MiB), failing the
 * whole load.
 */
export const MAX_TEXT_LENGTH = 1024;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Station ids are integers (older exports may quote them). */
function stationId(value: unknown): number | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? value : null;
  if (typeof value === 'string' && /^\d{1,15}$/.test(value.trim())) {
    const id = Number(value.trim());
    return id > 0 ? id : null;
  }
  return null;
}

function count(value: unknown): number | null {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : null;
}

function text(value: unknown): string | null {
  // A lone surrogate (`"\ud800"`) is legal JSON text but not Unicode: warehouses refuse the whole load.
  if (typeof value === 'string') return value.isWellFormed() ? value : value.toWellFormed();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}

function longer(a: string | null, b: string | null, c: string | null): boolean {
  return (a !== null && a.length > MAX_TEXT_LENGTH) || (b !== null && b.length > MAX_TEXT_LENGTH) || (c !== null && c.length > MAX_TEXT_LENGTH);
}

function coordinate(point: unknown, index: 0 | 1): number | null {
  if (!Array.isArray(point)) return null;
  const value: unknown = point[index];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** A degraded API minute: the record keeps only `geo`/`localisation`, no station id and no counts. */
function isDegraded(fields: Json): boolean {
  return fields.libelle === undefined && fields.nbvelosdispo === undefined && fields.nbplacesdispo === undefined;
}

const TEXT_KEYS = ['nom', 'adresse', 'commune', 'type', 'etat', 'etatconnexion'] as const;

/** The reason for a record whose text attribute is too long (called only then). */
function tooLongText(fields: Json): string {
  const key = TEXT_KEYS.find((name) => typeof fields[name] === 'string' && (fields[name] as string).length > MAX_TEXT_LENGTH) ?? 'a text field';
  return `${key} is ${(fields[key] as string | undefined)?.length ?? '?'} characters long (at most ${MAX_TEXT_LENGTH}): ${preview(fields[key])}`;
}

function flattenRecord(raw: unknown): RecordOutcome {
  if (!isObject(raw)) return { kind: 'reject', reason: 'record is not an object' };
  const fields = raw.fields;
  if (!isObject(fields)) return { kind: 'reject', reason: 'record has no "fields" object' };
  if (isDegraded(fields)) return { kind: 'degraded' };

  const id = stationId(fields.libelle);
  if (id === null) return { kind: 'reject', reason: `missing or invalid station id (libelle=${preview(fields.libelle)})` };
  const bikes = count(fields.nbvelosdispo);
  if (bikes === null) return { kind: 'reject', reason: `nbvelosdispo is not a non-negative integer: ${preview(fields.nbvelosdispo)}` };
  const docks = count(fields.nbplacesdispo);
  if (docks === null) return { kind: 'reject', reason: `nbplacesdispo is not a non-negative integer: ${preview(fields.nbplacesdispo)}` };
  const recordTimestamp = canonicalTimestamp(raw.record_timestamp);
  if (recordTimestamp === null) return { kind: 'reject', reason: `unparseable record_timestamp: ${preview(raw.record_timestamp)}` };
  // An unreadable update time loses one attribute, not the observation.
  const updated = fields.datemiseajour === undefined || fields.datemiseajour === null ? null : canonicalTimestamp(fields.datemiseajour);
  if (updated === null && fields.datemiseajour != null) {
    return { kind: 'reject', reason: `unparseable datemiseajour: ${preview(fields.datemiseajour)}` };
  }

  const nom = text(fields.nom);
  const adresse = text(fields.adresse);
  const commune = text(fields.commune);
  const type = text(fields.type);
  const etat = text(fields.etat);
  const etatConnexion = text(fields.etatconnexion);
  if (longer(nom, adresse, commune) || longer(type, etat, etatConnexion)) return { kind: 'reject', reason: tooLongText(fields) };
  const station: StationRow = {
    id,
    nom,
    libelle: String(id),
    adresse,
    commune,
    type,
    latitude: coordinate(fields.geo ?? fields.localisation, 0),
    longitude: coordinate(fields.geo ?? fields.localisation, 1),
  };
  return {
    kind: 'row',
    record: {
      station_id: id,
      etat,
      nb_velos_dispo: bikes,
      nb_places_dispo: docks,
      etat_connexion: etatConnexion,
      derniere_maj: updated,
      record_timestamp: recordTimestamp,
    },
    station,
  };
}

export const vlilleV1: FormatModule = {
  id: 'vlille-ods-v1',
  expects: 'ODS Search v1 {nhits, records: [{fields: {libelle, …}, record_timestamp}]}',
  network: 'vlille',
  detect(doc) {
    return isObject(doc) && Array.isArray(doc.records) && (doc.nhits !== undefined || doc.parameters !== undefined || looksLikeV1Records(doc.records));
  },
  records(doc) {
    return isObject(doc) && Array.isArray(doc.records) ? doc.records : [];
  },
  flattenRecord,
};

function looksLikeV1Records(records: unknown[]): boolean {
  const first: unknown = records[0];
  return isObject(first) && isObject(first.fields);
}
