/**
 * JCDecaux API v3 (FORMATS.md §3): `[{number, contractName, name, address, position{latitude,longitude}, banking,
 * status, connected, lastUpdate (ISO), totalStands{availabilities{bikes, stands}, capacity}}]`.
 */
import { preview } from '../preview.js';
import { canonicalTimestamp } from '../timestamps.js';
import type { FileContext, FileStart, FormatModule, RecordOutcome } from '../types.js';
import { firstItemHas, jcdecauxRow, otherContract } from './jcdecaux-common.js';
import { startFromName } from './start.js';
import { isObject } from './values.js';
import { connexion } from './vocabulary.js';

function flattenRecord(raw: unknown, context: FileContext): RecordOutcome {
  if (!isObject(raw)) return { kind: 'reject', reason: 'station is not an object' };
  if (otherContract(raw.contractName, context)) return { kind: 'skipped' };
  if (raw.lastUpdate == null) return { kind: 'reject', reason: 'lastUpdate is null (the station has never reported)' };
  const updated = canonicalTimestamp(raw.lastUpdate);
  if (updated === null) return { kind: 'reject', reason: `unparseable lastUpdate: ${preview(raw.lastUpdate)}` };
  const position = isObject(raw.position) ? raw.position : {};
  const total = isObject(raw.totalStands) ? raw.totalStands : {};
  const available = isObject(total.availabilities) ? total.availabilities : {};
  return jcdecauxRow(
    {
      number: raw.number,
      bikes: available.bikes,
      stands: available.stands,
      status: raw.status,
      connexion: connexion(raw.connected),
      banking: raw.banking,
      name: raw.name,
      address: raw.address,
      lat: position.latitude,
      lng: position.longitude,
    },
    updated,
    context,
  );
}

export const jcdecauxV3: FormatModule = {
  id: 'jcdecaux-v3',
  expects: 'JCDecaux v3 [{number, contractName, totalStands: {availabilities}, lastUpdate}]',
  detect: (doc) => firstItemHas(doc, ['number', 'contractName', 'totalStands']),
  records: (doc) => (Array.isArray(doc) ? doc : []),
  begin: (_doc, context): FileStart => startFromName(context),
  flattenRecord,
};
