/** Row and result types shared by every format module. Pure data, no behaviour. */
import type { LatestStations } from './stations.js';

/** One observation of one station: the `records` table. Timestamps stay ISO-8601 text (validated). */
export interface RecordRow {
  station_id: number;
  etat: string | null;
  nb_velos_dispo: number;
  nb_places_dispo: number;
  etat_connexion: string | null;
  derniere_maj: string | null;
  record_timestamp: string;
}

/** Station attributes: the `stations` table. */
export interface StationRow {
  id: number;
  nom: string | null;
  libelle: string;
  adresse: string | null;
  commune: string | null;
  type: string | null;
  latitude: number | null;
  longitude: number | null;
}

/** A single record of an otherwise good file that could not be used. */
export interface RowReject {
  /** Position of the record in the file (0-based; NDJSON: counted across lines). */
  index: number;
  /** Says what is wrong; for NDJSON it starts with `line N: `. */
  reason: string;
  /** NDJSON: the 1-based line the record came from. */
  line?: number;
}

/** What the file name and source tell a format module (some formats carry no timestamp of their own). */
export interface FileContext {
  name: string;
  /** The run's time window [fromMs, toMs): station attributes come only from rows inside it. */
  window?: { fromMs: number; toMs: number };
  /**
   * Where the file's station observations go (default: a table of the file's own). A worker shares one across a
   * batch, saving a table per file: safe on the whole-file path, whose outcome is known before any row is added.
   */
  stations?: LatestStations<StationRow>;
}

/** Per-record outcome of a format's flatten step. */
export type RecordOutcome =
  | { kind: 'row'; record: RecordRow; station: StationRow }
  | { kind: 'degraded' }
  | { kind: 'reject'; reason: string };

export interface FormatModule {
  /** Short stable id, written to logs and the dead-letter file. */
  readonly id: string;
  /** True when the parsed document has this format's shape. Cheap: looks at the top level only. */
  detect(doc: unknown): boolean;
  /** The document's records, to be flattened one at a time (lets the streaming path reuse the logic). */
  records(doc: unknown): unknown[];
  /** Flatten one raw record. Pure, synchronous. */
  flattenRecord(raw: unknown, context: FileContext): RecordOutcome;
}
