/**
 * JCDecaux VLS API v1 `/vls/v1/stations` (FORMATS.md §3): `[{number, contract_name, name, address,
 * position{lat,lng}, banking, bike_stands, available_bike_stands, available_bikes, status, last_update}]`.
 * `last_update` is epoch ms and may be null: such a record is rejected (no update time, no observation time).
 */
import { preview } from '../preview.js';
import type { FileContext, FileStart, FormatModule, RecordOutcome } from '../types.js';
import { firstItemHas, jcdecauxRow, otherContract } from './jcdecaux-common.js';
import { startFromName } from './start.js';
import { fromEpochMillis } from './times.js';
import { isObject } from './values.js';

function flattenRecord(raw: unknown, context: FileContext): RecordOutcome {
  if (!isObject(raw)) return { kind: 'reject', reason: 'station is not an object' };
  if (otherContract(raw.contract_name, context)) return { kind: 'skipped' };
  if (raw.last_update == null) return { kind: 'reject', reason: 'last_update is null (the station has never reported)' };
  const updated = fromEpochMillis(raw.last_update);
  if (updated === null) return { kind: 'reject', reason: `last_update is not epoch milliseconds: ${preview(raw.last_update)}` };
  const position = isObject(raw.position) ? raw.position : {};
  return jcdecauxRow(
    {
      number: raw.number,
      bikes: raw.available_bikes,
      stands: raw.available_bike_stands,
      status: raw.status,
      connexion: null,
      banking: raw.banking,
      name: raw.name,
      address: raw.address,
      lat: position.lat,
      lng: position.lng,
    },
    updated,
    context,
  );
}

export const jcdecauxV1: FormatModule = {
  id: 'jcdecaux-v1',
  expects: 'JCDecaux VLS v1 [{number, contract_name, available_bikes, available_bike_stands, last_update}]',
  detect: (doc) => firstItemHas(doc, ['number', 'contract_name', 'available_bikes']),
  records: (doc) => (Array.isArray(doc) ? doc : []),
  begin: (_doc, context): FileStart => startFromName(context),
  flattenRecord,
};
