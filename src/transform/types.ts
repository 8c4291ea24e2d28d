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
  /** IANA zone of wall-clock times in file names (--timezone; default Europe/Paris). */
  timezone?: string;
  /** The run's network (--network; default vlille). */
  network?: string;
  /** A format id forced by --input-format: detection tries only that one. */
  inputFormat?: string;
  /** Set by a format's `begin`: the record_timestamp of records that carry none (file name or document time). */
  fileTimestamp?: string;
}

/** A row keyed by coordinates instead of a station id (MEL OGC API CSV): the merge resolves the id. */
export interface LocatedRecord extends Omit<RecordRow, 'station_id'> {
  longitude: number;
  latitude: number;
}

/** Per-record outcome of a format's flatten step. */
export type RecordOutcome =
  /** `station: null`: the format has no station attributes (GBFS station_status); `stations` stays as it was. */
  | { kind: 'row'; record: RecordRow; station: StationRow | null }
  | { kind: 'degraded' }
  | { kind: 'reject'; reason: string }
  /** Station attributes without an observation (GBFS station_information), as of `at`. */
  | { kind: 'station'; station: StationRow; at: string }
  /** A record of another network (JCDecaux all-contracts files): counted, not an error. */
  | { kind: 'skipped' }
  | { kind: 'located'; record: LocatedRecord };

/** What a format finds at a file's top level before its records: the records' context, or why the file is unusable. */
export type FileStart = { context: FileContext } | { reject: string; code: 'NO_COLLECTION_TIME' | 'WRONG_NETWORK' | 'BAD_FILE_VALUE' };

export interface FormatModule {
  /** Short stable id, written to logs and the dead-letter file. */
  readonly id: string;
  /** The shape it reads, in a few words (named in "unknown shape" rejections). */
  readonly expects: string;
  /** Set when the format is one operator's own (the V'lille shapes): it loads only under that --network. */
  readonly network?: string;
  /** True when the parsed document has this format's shape. Cheap: looks at the top level only. */
  detect(doc: unknown): boolean;
  /** The document's records, to be flattened one at a time (lets the streaming path reuse the logic). */
  records(doc: unknown): unknown[];
  /** File-level facts the records need (document time, collection time from the name); absent: the context as is. */
  begin?(doc: unknown, context: FileContext): FileStart;
  /** Flatten one raw record. Pure, synchronous. */
  flattenRecord(raw: unknown, context: FileContext): RecordOutcome;
}
