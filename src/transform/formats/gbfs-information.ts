/**
 * GBFS 2.3 / 3.0 `station_information` (FORMATS.md §3): station attributes only, as of the feed's last_updated.
 * GBFS has no commune nor type: those `stations` columns keep what other formats gave them (the merge's COALESCE).
 */
import { preview } from '../preview.js';
import type { FileContext, FormatModule, RecordOutcome } from '../types.js';
import { firstStationHas, gbfsStart, gbfsStations, localized } from './gbfs-common.js';
import { coordinate, isObject, stationId, text, tooLong } from './values.js';

const STATUS_KEYS = ['num_bikes_available', 'num_vehicles_available', 'num_docks_available'];

function flattenRecord(raw: unknown, context: FileContext): RecordOutcome {
  if (!isObject(raw)) return { kind: 'reject', reason: 'station is not an object' };
  const id = stationId(raw.station_id);
  if (id === null) return { kind: 'reject', reason: `missing or invalid station_id: ${preview(raw.station_id)}` };
  const values = { nom: localized(raw.name), adresse: text(raw.address ?? null) };
  const long = tooLong(values);
  if (long !== null) return { kind: 'reject', reason: long };
  return {
    kind: 'station',
    station: { id, nom: values.nom, libelle: String(id), adresse: values.adresse, commune: null, type: null, latitude: coordinate(raw.lat), longitude: coordinate(raw.lon) },
    at: context.fileTimestamp!,
  };
}

export const gbfsInformation: FormatModule = {
  id: 'gbfs-station-information',
  expects: 'GBFS 2.3/3.0 station_information {last_updated, data: {stations: [{station_id, name, lat, lon}]}}',
  detect: (doc) => firstStationHas(doc, ['lat', 'lon', 'name']) && !firstStationHas(doc, STATUS_KEYS),
  records: (doc) => gbfsStations(doc) ?? [],
  begin: gbfsStart,
  flattenRecord,
};
