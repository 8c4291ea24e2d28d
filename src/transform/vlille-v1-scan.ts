/**
 * The fast path for V'lille v1 minute files (FORMATS.md §1): reads the bytes of a whole file with a strict
 * byte scanner (json-bytes.ts) and writes the same staged NDJSON and station observations as
 * JSON.parse + flattenRecord (vlille-v1.ts), without building the document: `geo`, `geometry`,
 * `parameters` and every field the rows do not keep are validated and skipped, never materialised.
 *
 * vlille-v1.ts stays the definition of correct. This path only answers for files it fully understands:
 * every record a valid row or a degraded one, every value in a form it reads exactly as JSON.parse would.
 * Anything else — a record the rules would reject, an escaped key, a number form it does not read, a
 * duplicate key it cares about, unexpected nesting, invalid JSON, gzip — returns FALLBACK and the caller
 * reads the whole file the usual way (a reject's reason is then written by the rules themselves).
 * Unexpected key order is fine. Pure: no I/O; nothing reaches the shared station table before the
 * whole file is known to be good.
 */
import { isUtf8 } from 'node:buffer';
import { isGzip, MAX_PARSE_BYTES, type DecodeOptions } from './decode.js';
import type { DegradedFile, FileOutcome, LoadedFile } from './file-flattener.js';
import { flattenFileBytes } from './flatten-file.js';
import { DEFAULT_NETWORK } from './formats/start.js';
import { BYTE, DOUBT, JsonBytes, type SliceableBuffer } from './json-bytes.js';
import { asciiJson, recordLine } from './ndjson.js';
import { LatestStations } from './stations.js';
import { canonicalTimestamp, epochMillis } from './timestamps.js';
import type { FileContext, StationRow } from './types.js';
import { MAX_TEXT_LENGTH, vlilleV1 } from './vlille-v1.js';

export const FALLBACK = 'fallback';
export type ScanOutcome = LoadedFile | DegradedFile | typeof FALLBACK;

const key = (name: string): Uint8Array => Buffer.from(name, 'latin1');
const NHITS = key('nhits');
const PARAMETERS = key('parameters');
const RECORDS = key('records');
const FIELDS = key('fields');
const RECORD_TIMESTAMP = key('record_timestamp');

/** The `fields` members the rows keep, by index (a bit each in RecordValues.seen). */
const FIELD_NAMES = ['libelle', 'nbvelosdispo', 'nbplacesdispo', 'nom', 'adresse', 'commune', 'type', 'etat', 'etatconnexion', 'datemiseajour', 'geo', 'localisation'] as const;
const FIELD_KEYS = FIELD_NAMES.map(key);
/**
 * (length, first byte) → index in FIELD_NAMES, -1 for none: the names differ in that pair (checked at load), and
 * a table lookup is cheaper than hashing the key. keyIs() confirms the whole spelling.
 */
const FIELD_BY_START = new Int8Array(32 * 128).fill(-1);
const fieldSlot = (length: number, first: number): number => (length < 32 && first < 128 ? (length << 7) | first : 0);
FIELD_NAMES.forEach((name, i) => {
  const slot = fieldSlot(name.length, name.charCodeAt(0));
  if (FIELD_BY_START[slot] !== -1) throw new Error(`vlille-v1-scan: ${name} shares its length and first letter with another field`);
  FIELD_BY_START[slot] = i;
});
const enum F {
  Libelle = 0,
  Bikes = 1,
  Docks = 2,
  /** Nom … EtatConnexion are texts: `texts[index - FirstText]`. */
  FirstText = 3,
  LastText = 8,
  Updated = 9,
  Geo = 10,
  Localisation = 11,
}
const COUNTED = (1 << F.Libelle) | (1 << F.Bikes) | (1 << F.Docks);

/** One record's values as read; reused from record to record. */
class RecordValues {
  seen = 0;
  hasFields = false;
  libelle = 0;
  bikes = 0;
  docks = 0;
  /** nom, adresse, commune, type, etat, etatconnexion (absent: null, as text() makes it). */
  readonly texts: (string | null)[] = [null, null, null, null, null, null];
  updated: string | null = null;
  /** A string record_timestamp, or null when absent or not a string (a row then doubts). */
  timestamp: string | null = null;
  /** Whether `geo` / `localisation` hold a pair (absent or null: not), and the pairs (`geo ?? localisation`). */
  hasGeo = false;
  hasLocalisation = false;
  geoLat: number | null = null;
  geoLon: number | null = null;
  locLat: number | null = null;
  locLon: number | null = null;

  reset(): void {
    this.seen = 0;
    this.hasFields = false;
    this.texts.fill(null);
    this.updated = null;
    this.timestamp = null;
    this.hasGeo = false;
    this.hasLocalisation = false;
  }
}

/** Bytes of one whole file → its outcome, or FALLBACK when the JSON.parse path must read it. */
export function scanVlilleV1(input: Uint8Array, context: FileContext, options: DecodeOptions = {}): ScanOutcome {
  if (isGzip(input)) return FALLBACK;
  // Another --network rejects the file, another --input-format reads it as that format: the usual path's words.
  if ((context.network ?? DEFAULT_NETWORK) !== vlilleV1.network) return FALLBACK;
  if (context.inputFormat !== undefined && context.inputFormat !== 'auto' && context.inputFormat !== vlilleV1.id) return FALLBACK;
  let bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
  // Larger texts are streamed by the usual path: the limits are decode.ts's, for the same answer.
  if (bytes.length > Math.min(options.maxTextBytes ?? MAX_PARSE_BYTES, MAX_PARSE_BYTES) || !isUtf8(bytes)) return FALLBACK;
  try {
    return new MinuteScan(bytes as SliceableBuffer, context).read();
  } catch (error) {
    if (error === DOUBT) return FALLBACK;
    throw error;
  }
}

/** Which path read a file: the scanner, or JSON.parse after the scanner fell back. */
export type ScanPath = 'fast' | 'fallback';

/** The whole-file path with the fast path tried first (flattenFileBytes when it falls back). */
export function flattenFileBytesFast(bytes: Uint8Array, context: FileContext, options: DecodeOptions = {}): { outcome: FileOutcome; scan: ScanPath } {
  const scanned = scanVlilleV1(bytes, context, options);
  if (scanned !== FALLBACK) return { outcome: scanned, scan: 'fast' };
  return { outcome: flattenFileBytes(bytes, context, options), scan: 'fallback' };
}

class MinuteScan {
  private readonly json: JsonBytes;
  private readonly values = new RecordValues();
  private readonly sourceLiteral: string;
  private ndjson = '';
  private rows = 0;
  private degraded = 0;
  private lastTimestamp = '';
  private lastMs = NaN;
  private minMs = Infinity;
  private maxMs = -Infinity;
  private readonly fromMs: number;
  private readonly toMs: number;
  /** Station observations inside the window, added to the shared table only once the file is known good. */
  private readonly pendingMs: number[] = [];
  private readonly pendingAt: string[] = [];
  private readonly pendingRows: StationRow[] = [];

  constructor(
    bytes: SliceableBuffer,
    private readonly context: FileContext,
  ) {
    this.json = new JsonBytes(bytes, bytes.length);
    this.sourceLiteral = asciiJson(context.name);
    this.fromMs = context.window?.fromMs ?? -Infinity;
    this.toMs = context.window?.toMs ?? Infinity;
  }

  /** The top level: `{ nhits, parameters, records: [...] }`, members in any order. */
  read(): LoadedFile | DegradedFile {
    const json = this.json;
    let records = 0;
    let described = false;
    if (json.open(BYTE.OPEN_BRACE, BYTE.CLOSE_BRACE)) json.fail();
    do {
      const close = this.memberKey();
      if (json.keyIs(close, RECORDS)) {
        // A second `records` would win in JSON.parse: not worth following.
        if (records++ > 0) json.fail();
        this.readRecords();
      } else {
        described ||= json.keyIs(close, NHITS) || json.keyIs(close, PARAMETERS);
        json.skipValue();
      }
    } while (json.more(BYTE.CLOSE_BRACE));
    if (json.ws() !== undefined) json.fail();
    // detect(): `records` and either nhits/parameters or a first record with `fields` (every row has them here).
    if (records === 0 || (!described && this.rows + this.degraded === 0)) json.fail();
    return this.finish();
  }

  /** A member's key whose spelling matters: escaped or non-ASCII keys could spell a known one, so doubt. */
  private memberKey(): number {
    const close = this.json.readKey();
    if (close < 0) this.json.fail();
    return close;
  }

  private readRecords(): void {
    const json = this.json;
    if (json.open(BYTE.OPEN_BRACKET, BYTE.CLOSE_BRACKET)) return;
    do this.readRecord();
    while (json.more(BYTE.CLOSE_BRACKET));
  }

  private readRecord(): void {
    const json = this.json;
    const values = this.values;
    values.reset();
    let timestamps = 0;
    // A record that is not an object is a reject: the rules word it.
    if (json.open(BYTE.OPEN_BRACE, BYTE.CLOSE_BRACE)) json.fail();
    do {
      const close = this.memberKey();
      if (json.keyIs(close, FIELDS)) {
        if (values.hasFields) json.fail();
        values.hasFields = true;
        this.readFields();
      } else if (json.keyIs(close, RECORD_TIMESTAMP)) {
        if (timestamps++ > 0) json.fail();
        if (json.ws() === BYTE.QUOTE) values.timestamp = json.readString();
        else json.skipValue();
      } else {
        json.skipValue();
      }
    } while (json.more(BYTE.CLOSE_BRACE));
    this.settle();
  }

  private readFields(): void {
    const json = this.json;
    const values = this.values;
    if (json.open(BYTE.OPEN_BRACE, BYTE.CLOSE_BRACE)) return;
    do {
      const close = this.memberKey();
      const field = FIELD_BY_START[fieldSlot(close - json.keyStart, json.bytes[json.keyStart] ?? 0)] ?? -1;
      if (field < 0 || !json.keyIs(close, FIELD_KEYS[field]!)) {
        json.skipValue();
        continue;
      }
      if (values.seen & (1 << field)) json.fail();
      values.seen |= 1 << field;
      this.readField(field);
    } while (json.more(BYTE.CLOSE_BRACE));
  }

  private readField(field: number): void {
    const json = this.json;
    const values = this.values;
    const c = json.ws();
    if (field <= F.Docks) {
      const n = json.readCount();
      if (field === F.Libelle) values.libelle = n;
      else if (field === F.Bikes) values.bikes = n;
      else values.docks = n;
    } else if (field <= F.LastText) {
      values.texts[field - F.FirstText] = this.readText(c);
    } else if (field === F.Updated) {
      values.updated = json.isNull() ? null : json.readString();
    } else {
      if (!json.isNull()) this.readPair(field === F.Geo);
    }
  }

  /** text() of the rules: a string as is, a boolean as its text, null as null; a number's text is not ours to spell. */
  private readText(c: number | undefined): string | null {
    const json = this.json;
    if (c === BYTE.QUOTE) return json.readString();
    const word = c === 0x6e ? 'null' : c === 0x74 ? 'true' : c === 0x66 ? 'false' : json.fail();
    json.literal(word);
    return word === 'null' ? null : word;
  }

  /** `[lat, lon]`: exactly two numbers (any other array is the rules' to read); coordinate() keeps finite ones. */
  private readPair(geo: boolean): void {
    const json = this.json;
    const values = this.values;
    if (json.ws() !== BYTE.OPEN_BRACKET) json.fail();
    json.pos++;
    json.ws();
    const lat = json.readNumber();
    json.expect(BYTE.COMMA);
    json.ws();
    const lon = json.readNumber();
    json.expect(BYTE.CLOSE_BRACKET);
    if (geo) {
      values.hasGeo = true;
      values.geoLat = Number.isFinite(lat) ? lat : null;
      values.geoLon = Number.isFinite(lon) ? lon : null;
    } else {
      values.hasLocalisation = true;
      values.locLat = Number.isFinite(lat) ? lat : null;
      values.locLon = Number.isFinite(lon) ? lon : null;
    }
  }

  /** The record as flattenRecord would take it: a row, degraded, or (a reject) doubt. */
  private settle(): void {
    const values = this.values;
    if (!values.hasFields) this.json.fail();
    if ((values.seen & COUNTED) === 0) {
      this.degraded++;
      return;
    }
    // stationId() wants an id > 0; count() wants both counts (readCount read them as plain digits).
    if ((values.seen & COUNTED) !== COUNTED || values.libelle === 0 || values.timestamp === null) this.json.fail();
    const recordTimestamp = canonicalTimestamp(values.timestamp);
    const updated = values.updated === null ? null : canonicalTimestamp(values.updated);
    if (recordTimestamp === null || (updated === null && values.updated !== null)) this.json.fail();
    for (const text of values.texts) if (text !== null && text.length > MAX_TEXT_LENGTH) this.json.fail();
    this.addRow(recordTimestamp, updated);
  }

  private addRow(recordTimestamp: string, updated: string | null): void {
    const { libelle: id, texts } = this.values;
    const [nom = null, adresse = null, commune = null, type = null, etat = null, etatConnexion = null] = texts;
    this.rows++;
    this.ndjson += recordLine({ station_id: id, etat, nb_velos_dispo: this.values.bikes, nb_places_dispo: this.values.docks, etat_connexion: etatConnexion, derniere_maj: updated, record_timestamp: recordTimestamp }, this.sourceLiteral);
    if (recordTimestamp !== this.lastTimestamp) {
      this.lastTimestamp = recordTimestamp;
      this.lastMs = epochMillis(recordTimestamp);
      if (this.lastMs < this.minMs) this.minMs = this.lastMs;
      if (this.lastMs > this.maxMs) this.maxMs = this.lastMs;
    }
    if (!(this.lastMs >= this.fromMs && this.lastMs < this.toMs)) return;
    const v = this.values;
    const latitude = v.hasGeo ? v.geoLat : v.hasLocalisation ? v.locLat : null;
    const longitude = v.hasGeo ? v.geoLon : v.hasLocalisation ? v.locLon : null;
    this.pendingMs.push(this.lastMs);
    this.pendingAt.push(recordTimestamp);
    this.pendingRows.push({ id, nom, libelle: String(id), adresse, commune, type, latitude, longitude });
  }

  private finish(): LoadedFile | DegradedFile {
    if (this.rows === 0) return { status: 'degraded', format: vlilleV1.id, degradedRecords: this.degraded, skippedRecords: 0 };
    const stations = this.context.stations ?? new LatestStations<StationRow>();
    for (let i = 0; i < this.pendingRows.length; i++) {
      const row = this.pendingRows[i]!;
      stations.add(row.id, this.pendingMs[i]!, this.pendingAt[i]!, this.context.name, row);
    }
    return {
      status: 'loaded',
      format: vlilleV1.id,
      recordsNdjson: this.ndjson,
      rows: this.rows,
      degradedRecords: this.degraded,
      rejectedRows: 0,
      rejects: [],
      skippedRecords: 0,
      stationRows: 0,
      locatedNdjson: '',
      locatedRows: 0,
      stations,
      minTimestampMs: this.minMs,
      maxTimestampMs: this.maxMs,
    };
  }
}
