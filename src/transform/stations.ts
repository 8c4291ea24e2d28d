/**
 * Which observation a station's attributes come from: its latest valid observation (largest
 * record_timestamp); on a tie (a stale or byte-identical minute) the earliest file name, the same
 * rule that picks a record's `source_file`. A total order on (time, file), so the result never
 * depends on the order files are read in, batch boundaries or which thread read what.
 */
import type { StationRow } from './types.js';

/** What orders observations of one station: when, and in which file. */
export interface Observed {
  /** The station id. */
  id: number;
  /** The observation's `record_timestamp` in epoch milliseconds. */
  atMs: number;
  /** The file (relative to the source) that holds the observation (becomes `stations.source_file`). */
  file: string;
}

/** A station's attributes as seen at one `record_timestamp` in one file. */
export interface StationObservation extends Observed {
  row: StationRow;
  /** Canonical `record_timestamp` text of the observation (becomes `stations.updated_at`). */
  at: string;
}

/** True when `candidate` should replace `current` as the station's latest observation. */
export function supersedes(candidate: Observed, current: Observed | undefined): boolean {
  if (current === undefined) return true;
  if (candidate.atMs !== current.atMs) return candidate.atMs > current.atMs;
  return candidate.file < current.file;
}

/** Latest observation per station id; add them in any order, the outcome is the same. */
export class LatestStations<T extends Observed = StationObservation> {
  private readonly byId = new Map<number, T>();

  add(observation: T): void {
    if (supersedes(observation, this.byId.get(observation.id))) this.byId.set(observation.id, observation);
  }

  addAll(observations: Iterable<T>): void {
    for (const observation of observations) this.add(observation);
  }

  get size(): number {
    return this.byId.size;
  }

  /** By station id: a deterministic order for the staged shard too. */
  values(): T[] {
    return [...this.byId.values()].sort((a, b) => a.id - b.id);
  }
}
