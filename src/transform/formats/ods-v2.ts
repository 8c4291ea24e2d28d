/**
 * V'lille, Opendatasoft Explore API v2.1 (FORMATS.md §2): `{ total_count, results: [flat records] }`.
 * No record_timestamp: the collection time in the file name stands for it. `datemiseajour` is true UTC.
 */
import { preview } from '../preview.js';
import { canonicalTimestamp } from '../timestamps.js';
import type { FileContext, FileStart, FormatModule, RecordOutcome } from '../types.js';
import { startFromName } from './start.js';
import { coordinate, count, isObject, stationId, text, tooLong } from './values.js';

/** v2.1 geo is `{lon, lat}`; some exports keep v1's `[lat, lon]`. */
function point(value: unknown): { lat: number | null; lon: number | null } {
  if (isObject(value)) return { lat: coordinate(value.lat), lon: coordinate(value.lon) };
  if (Array.isArray(value)) return { lat: coordinate(value[0]), lon: coordinate(value[1]) };
  return { lat: null, lon: null };
}

function flattenRecord(raw: unknown, context: FileContext): RecordOutcome {
  if (!isObject(raw)) return { kind: 'reject', reason: 'record is not an object' };
  // Degraded minutes look as in v1: only the position is left.
  if (raw.libelle === undefined && raw.nbvelosdispo === undefined && raw.nbplacesdispo === undefined) return { kind: 'degraded' };
  const id = stationId(raw.libelle);
  if (id === null) return { kind: 'reject', reason: `missing or invalid station id (libelle=${preview(raw.libelle)})` };
  const bikes = count(raw.nbvelosdispo);
  if (bikes === null) return { kind: 'reject', reason: `nbvelosdispo is not a non-negative integer: ${preview(raw.nbvelosdispo)}` };
  const docks = count(raw.nbplacesdispo);
  if (docks === null) return { kind: 'reject', reason: `nbplacesdispo is not a non-negative integer: ${preview(raw.nbplacesdispo)}` };
  const updated = raw.datemiseajour == null ? null : canonicalTimestamp(raw.datemiseajour);
  if (updated === null && raw.datemiseajour != null) return { kind: 'reject', reason: `unparseable datemiseajour: ${preview(raw.datemiseajour)}` };
  const values = { nom: text(raw.nom), adresse: text(raw.adresse), commune: text(raw.commune), type: text(raw.type), etat: text(raw.etat), etatconnexion: text(raw.etatconnexion) };
  const long = tooLong(values);
  if (long !== null) return { kind: 'reject', reason: long };
  const { lat, lon } = point(raw.geo ?? raw.localisation);
  return {
    kind: 'row',
    record: { station_id: id, etat: values.etat, nb_velos_dispo: bikes, nb_places_dispo: docks, etat_connexion: values.etatconnexion, derniere_maj: updated, record_timestamp: context.fileTimestamp! },
    station: { id, nom: values.nom, libelle: String(id), adresse: values.adresse, commune: values.commune, type: values.type, latitude: lat, longitude: lon },
  };
}

export const odsV2: FormatModule = {
  id: 'vlille-ods-v2',
  expects: 'ODS Explore v2.1 {total_count, results: [{libelle, nbvelosdispo, …}]}',
  network: 'vlille',
  detect(doc) {
    if (!isObject(doc) || !Array.isArray(doc.results) || doc.total_count === undefined) return false;
    const first: unknown = doc.results[0];
    // An empty collection tells nothing about its records: no known shape.
    return isObject(first) && !isObject(first.fields) && ('libelle' in first || 'nbvelosdispo' in first || 'geo' in first);
  },
  records: (doc) => (isObject(doc) && Array.isArray(doc.results) ? doc.results : []),
  begin: (_doc, context): FileStart => startFromName(context),
  flattenRecord,
};
