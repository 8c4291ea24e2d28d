/**
 * Which observation a station's attributes come from: its latest valid observation (largest
 * record_timestamp); on a tie (a stale or byte-identical minute) the earliest file name, the same
 * rule that picks a record's `source_file`. A total order on (time, file), so the result never
 * depends on the order files are read in, batch boundaries or which thread read what.
 */

/** A station's attributes (`payload`: a StationRow in the workers, its NDJSON text on the main thread) as seen at one time in one file. */
export interface StationObservation<P> {
  id: number;
  /** The observation's `record_timestamp` in epoch milliseconds, for ordering… */
  atMs: number;
  /** …and as canonical text (becomes `stations.updated_at`). */
  at: string;
  /** The file (relative to the source) that holds the observation (becomes `stations.source_file`). */
  file: string;
  payload: P;
}

/** True when an observation at (`atMs`, `file`) should replace the current one. */
export function supersedes(candidate: { atMs: number; file: string }, current: { atMs: number; file: string } | undefined): boolean {
  if (current === undefined) return true;
  if (candidate.atMs !== current.atMs) return candidate.atMs > current.atMs;
  return candidate.file < current.file;
}

/**
 * Latest observation per station id; add them in any order, the outcome is the same. One entry per station,
 * updated in place: `add` runs once per record, and allocates only for a station not seen yet.
 */
export class LatestStations<P> {
  private readonly byId = new Map<number, StationObservation<P>>();

  add(id: number, atMs: number, at: string, file: string, payload: P): void {
    const entry = this.byId.get(id);
    if (entry === undefined) {
      this.byId.set(id, { id, atMs, at, file, payload });
    } else if (atMs > entry.atMs || (atMs === entry.atMs && file < entry.file)) {
      // The order of supersedes(), inlined: this is the hot path.
      entry.atMs = atMs;
      entry.at = at;
      entry.file = file;
      entry.payload = payload;
    }
  }

  addAll(other: LatestStations<P>): void {
    for (const o of other.byId.values()) this.add(o.id, o.atMs, o.at, o.file, o.payload);
  }

  get size(): number {
    return this.byId.size;
  }

  /** By station id: a deterministic order for the staged shard too. Copies: later adds do not change them. */
  values(): StationObservation<P>[] {
    return [...this.byId.values()].sort((a, b) => a.id - b.id).map((o) => ({ ...o }));
  }
}
