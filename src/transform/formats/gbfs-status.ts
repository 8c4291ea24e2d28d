/**
 * GBFS 2.3 / 3.0 `station_status` (FORMATS.md §3). station_id → its integer value; record_timestamp: the feed's
 * last_updated; derniere_maj: last_reported. etat from is_installed/is_renting/is_returning (vocabulary.ts).
 * No station attributes: a status row leaves `stations` as it is (station_information fills it).
 */
import { preview } from '../preview.js';
import type { FileContext, FormatModule, RecordOutcome } from '../types.js';
import { firstStationHas, gbfsStart, gbfsStations } from './gbfs-common.js';
import { gbfsTime } from './times.js';
import { count, isObject, stationId } from './values.js';
import { gbfsEtat } from './vocabulary.js';

const STATUS_KEYS = ['num_bikes_available', 'num_vehicles_available', 'num_docks_available'] as const;

function flattenRecord(raw: unknown, context: FileContext): RecordOutcome {
  if (!isObject(raw)) return { kind: 'reject', reason: 'station is not an object' };
  const id = stationId(raw.station_id);
  if (id === null) return { kind: 'reject', reason: `missing or invalid station_id: ${preview(raw.station_id)}` };
  // 3.0 renamed bikes to vehicles.
  const rawBikes = raw.num_bikes_available ?? raw.num_vehicles_available;
  const bikes = count(rawBikes);
  if (bikes === null) return { kind: 'reject', reason: `num_bikes_available is not a non-negative integer: ${preview(rawBikes)}` };
  const docks = count(raw.num_docks_available);
  if (docks === null) return { kind: 'reject', reason: `num_docks_available is not a non-negative integer: ${preview(raw.num_docks_available)}` };
  const reported = raw.last_reported == null ? null : gbfsTime(raw.last_reported);
  if (reported === null && raw.last_reported != null) return { kind: 'reject', reason: `unparseable last_reported: ${preview(raw.last_reported)}` };
  return {
    kind: 'row',
    record: {
      station_id: id,
      etat: gbfsEtat(raw.is_installed, raw.is_renting, raw.is_returning),
      nb_velos_dispo: bikes,
      nb_places_dispo: docks,
      etat_connexion: null,
      derniere_maj: reported,
      record_timestamp: context.fileTimestamp!,
    },
    station: null,
  };
}

export const gbfsStatus: FormatModule = {
  id: 'gbfs-station-status',
  expects: 'GBFS 2.3/3.0 station_status {last_updated, data: {stations: [{station_id, num_bikes_available, …}]}}',
  detect: (doc) => firstStationHas(doc, STATUS_KEYS),
  records: (doc) => gbfsStations(doc) ?? [],
  begin: gbfsStart,
  flattenRecord,
};
