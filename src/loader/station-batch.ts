/**
 * A batch's latest station observations on their way from a worker to the main thread, packed: typed arrays
 * and strings clone ~15× faster than 289 small objects per file (measured: 63 ms against 912 ms for 2,000
 * files), which matters where downloads go to the workers one file at a time. The attributes travel as the
 * start of their staged NDJSON line, so the main thread never parses them.
 */
import { stationAttributes, stationLine } from '../transform/ndjson.js';
import type { Observed, StationObservation } from '../transform/stations.js';

export interface PackedStations {
  ids: Int32Array;
  atMs: Float64Array;
  at: string[];
  files: string[];
  attributes: string[];
}

/** An observation as the main thread keeps it: ordered like any other, its line ready to stage. */
export interface StagedStation extends Observed {
  at: string;
  attributes: string;
}

export function packStations(observations: readonly StationObservation[]): PackedStations {
  return {
    ids: Int32Array.from(observations, (o) => o.id),
    atMs: Float64Array.from(observations, (o) => o.atMs),
    at: observations.map((o) => o.at),
    files: observations.map((o) => o.file),
    attributes: observations.map((o) => stationAttributes(o.row)),
  };
}

export function noStations(): PackedStations {
  return packStations([]);
}

export function unpackStations(packed: PackedStations): StagedStation[] {
  return Array.from(packed.ids, (id, i) => ({ id, atMs: packed.atMs[i]!, at: packed.at[i]!, file: packed.files[i]!, attributes: packed.attributes[i]! }));
}

export function stagedStationLine(station: StagedStation): string {
  return stationLine(station.attributes, station.at, station.file);
}
