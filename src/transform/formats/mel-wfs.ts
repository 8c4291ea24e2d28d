/**
 * V'lille, MEL GeoServer WFS GeoJSON (`dsp_ilevia:vlille_temps_reel`, FORMATS.md §2): a FeatureCollection whose
 * features' `properties.objectid` is the station id. record_timestamp: the document's `timeStamp` (true UTC);
 * a document without one falls back to the collection time in its name.
 */
import { preview } from '../preview.js';
import { canonicalTimestamp } from '../timestamps.js';
import type { FileContext, FileStart, FormatModule, RecordOutcome } from '../types.js';
import { isDegradedMel, melValues } from './mel-properties.js';
import { startFromName } from './start.js';
import { isObject, stationId } from './values.js';

function geometryPoint(feature: Record<string, unknown>): { x: unknown; y: unknown } | undefined {
  const geometry = feature.geometry;
  if (!isObject(geometry) || !Array.isArray(geometry.coordinates)) return undefined;
  return { x: geometry.coordinates[0], y: geometry.coordinates[1] };
}

function flattenRecord(raw: unknown, context: FileContext): RecordOutcome {
  if (!isObject(raw)) return { kind: 'reject', reason: 'feature is not an object' };
  const props = raw.properties;
  if (!isObject(props)) return { kind: 'reject', reason: 'feature has no "properties" object' };
  if (props.objectid === undefined && isDegradedMel(props)) return { kind: 'degraded' };
  const id = stationId(props.objectid);
  if (id === null) return { kind: 'reject', reason: `missing or invalid station id (objectid=${preview(props.objectid)})` };
  const values = melValues(props, false, geometryPoint(raw));
  if (typeof values === 'string') return { kind: 'reject', reason: values };
  const { longitude, latitude, ...observed } = values.record;
  return {
    kind: 'row',
    record: { station_id: id, ...observed, record_timestamp: context.fileTimestamp! },
    station: { id, nom: values.nom, libelle: String(id), adresse: values.adresse, commune: values.commune, type: values.type, latitude, longitude },
  };
}

function begin(doc: unknown, context: FileContext): FileStart {
  const at = isObject(doc) ? canonicalTimestamp(doc.timeStamp) : null;
  return at === null ? startFromName(context) : { context: { ...context, fileTimestamp: at } };
}

export const melWfs: FormatModule = {
  id: 'vlille-mel-wfs',
  expects: 'MEL WFS GeoJSON {type: "FeatureCollection", features: [{properties: {objectid, nb_velos_dispo, …}}]}',
  network: 'vlille',
  detect(doc) {
    if (!isObject(doc) || doc.type !== 'FeatureCollection' || !Array.isArray(doc.features)) return false;
    const first: unknown = doc.features[0];
    // An empty collection tells nothing about its records: no known shape.
    return isObject(first) && isObject(first.properties) && ('objectid' in first.properties || 'nb_velos_dispo' in first.properties);
  },
  records: (doc) => (isObject(doc) && Array.isArray(doc.features) ? doc.features : []),
  begin,
  flattenRecord,
};
