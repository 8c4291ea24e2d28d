/**
 * The fast path for V'lille v1 minute files (FORMATS.md §1): reads the bytes of a whole file with a strict
 * byte scanner (json-bytes.ts) and writes the staged NDJSON lines as bytes, straight from the input's bytes,
 * with the same station observations as JSON.parse + flattenRecord (vlille-v1.ts). The document is never built:
 * `geo`, `geometry`, `parameters` and every field the rows do not keep are validated and skipped. A value that
 * is already in the form the JSON.parse path would write — digits of a count or an id, a string with no escape
 * or only the escapes asciiJson writes, a timestamp already canonical — is copied as bytes; any other value goes
 * through the same functions as that path (canonicalTimestamp, asciiJson). Station rows are built only when a
 * station's attribute bytes differ from the last row this thread built for it; otherwise that row is reused.
 *
 * vlille-v1.ts stays the definition of correct. This path only answers for files it fully understands:
 * every record a valid row or a degraded one, every value in a form it reads exactly as JSON.parse would.
 * Anything else — a record the rules would reject, an escaped key, a number form it does not read, a
 * duplicate key it cares about, unexpected nesting, invalid JSON, gzip, another --network or --input-format —
 * returns FALLBACK and the caller reads the whole file the usual way (a reject's reason is then written by the
 * rules themselves). Unexpected key order is fine. Pure but for the thread's caches: no I/O; nothing reaches
 * the shared station table or the output before the whole file is known to be good.
 */
import { isUtf8 } from 'node:buffer';
import { isGzip, MAX_PARSE_BYTES, type DecodeOptions } from './decode.js';
import type { DegradedFile, FileOutcome, LoadedFile } from './file-flattener.js';
import { flattenFileBytes } from './flatten-file.js';
import { DEFAULT_NETWORK } from './formats/start.js';
import { BYTE, DOUBT, JsonBytes, type SliceableBuffer } from './json-bytes.js';
import { asciiJson } from './ndjson.js';
import { LatestStations } from './stations.js';
import { canonicalTimestamp, epochMillis } from './timestamps.js';
import type { FileContext, StationRow } from './types.js';
import { MAX_TEXT_LENGTH, vlilleV1 } from './vlille-v1.js';

export const FALLBACK = 'fallback';
/** A loaded file's `recordsNdjson` is empty here: its lines were appended to the sink. */
export type ScanOutcome = LoadedFile | DegradedFile | typeof FALLBACK;

/** A growing byte buffer: the staged NDJSON lines of a batch's files, in file order (one per worker thread). */
export class NdjsonSink {
  bytes: Buffer = Buffer.allocUnsafe(1 << 20);
  length = 0;

  /** Room for `n` more bytes; returns the buffer to write to (it may be a new one). */
  reserve(n: number): Buffer {
    if (this.length + n > this.bytes.length) {
      const bigger = Buffer.allocUnsafe(Math.max(2 * this.bytes.length, this.length + n));
      this.bytes.copy(bigger, 0, 0, this.length);
      this.bytes = bigger;
    }
    return this.bytes;
  }

  writeString(text: string): void {
    this.reserve(3 * text.length);
    this.length += this.bytes.write(text, this.length, 'utf8');
  }

  /** The bytes written so far (a view: valid until the next write). */
  view(): Buffer {
    return this.bytes.subarray(0, this.length);
  }

  /** Empties it; a buffer grown past `keep` bytes is given back. */
  clear(keep = 4 << 20): void {
    this.length = 0;
    if (this.bytes.length > keep) this.bytes = Buffer.allocUnsafe(1 << 20);
  }
}

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
  /** Nom … EtatConnexion are texts: slot `index - FirstText`. */
  FirstText = 3,
  LastText = 8,
  Updated = 9,
  Geo = 10,
  Localisation = 11,
}
const COUNTED = (1 << F.Libelle) | (1 << F.Bikes) | (1 << F.Docks);
/** Text slots (index - F.FirstText). */
const NOM = 0;
const ADRESSE = 1;
const COMMUNE = 2;
const TYPE = 3;
const ETAT = 4;
const ETAT_CONNEXION = 5;

/** How a text value is held: what text() gives and how the NDJSON line spells it. */
const enum T {
  /** Absent or null: null. */
  Null = 0,
  /** A string of printable ASCII without escapes: its bytes are its JSON literal. */
  Plain = 1,
  /** A string whose escapes are all spelled as asciiJson spells them: its bytes are its JSON literal too. */
  Copy = 2,
  /** Any other string (UTF-8 bytes, `\/`, upper-case hex, a surrogate escape): decoded, then re-spelled. */
  Decode = 3,
  True = 4,
  False = 5,
}

/** One record's values as byte ranges of the input; reused from record to record. */
class RecordValues {
  seen = 0;
  hasFields = false;
  libelle = 0;
  /** [start, end) of each count's digits. */
  readonly countStart = new Int32Array(3);
  readonly countEnd = new Int32Array(3);
  /** Each text's kind and its bytes, quotes included: nom, adresse, commune, type, etat, etatconnexion. */
  readonly textKind = new Uint8Array(6);
  readonly textStart = new Int32Array(6);
  readonly textEnd = new Int32Array(6);
  /** datemiseajour: -1 when absent or null, else its string's bytes (quotes included) and whether it has no escape. */
  updatedStart = -1;
  updatedEnd = -1;
  updatedPlain = false;
  /** record_timestamp: the same (-1: absent or not a string, and the row then doubts). */
  tsStart = -1;
  tsEnd = -1;
  tsPlain = false;
  /** `geo` / `localisation` when they hold a pair (absent or null: -1): the pair's bytes. */
  geoStart = -1;
  geoEnd = -1;
  locStart = -1;
  locEnd = -1;

  reset(): void {
    this.seen = 0;
    this.hasFields = false;
    const kinds = this.textKind;
    kinds[0] = kinds[1] = kinds[2] = kinds[3] = kinds[4] = kinds[5] = T.Null;
    this.updatedStart = -1;
    this.tsStart = -1;
    this.geoStart = -1;
    this.locStart = -1;
  }
}

/** Bytes of one whole file → its outcome, or FALLBACK when the JSON.parse path must read it. Rows go to `sink`. */
export function scanVlilleV1(input: Uint8Array, context: FileContext, options: DecodeOptions = {}, sink: NdjsonSink = new NdjsonSink()): ScanOutcome {
  if (isGzip(input)) return FALLBACK;
  // Another --network rejects the file, another --input-format reads it as that format: the usual path's words.
  if ((context.network ?? DEFAULT_NETWORK) !== vlilleV1.network) return FALLBACK;
  if (context.inputFormat !== undefined && context.inputFormat !== 'auto' && context.inputFormat !== vlilleV1.id) return FALLBACK;
  let bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
  // Larger texts are streamed by the usual path: the limits are decode.ts's, for the same answer.
  if (bytes.length > Math.min(options.maxTextBytes ?? MAX_PARSE_BYTES, MAX_PARSE_BYTES) || !isUtf8(bytes)) return FALLBACK;
  const mark = sink.length;
  try {
    return new MinuteScan(bytes as SliceableBuffer, context, sink).read();
  } catch (error) {
    if (error === DOUBT) {
      sink.length = mark;
      return FALLBACK;
    }
    throw error;
  }
}

/** Which path read a file: the scanner, or JSON.parse after the scanner fell back. */
export type ScanPath = 'fast' | 'fallback';

/**
 * The whole-file path with the fast path tried first (flattenFileBytes when it falls back). Every loaded file's
 * record lines end up in `sink` (a fallback's text is written there too), so the caller keeps the files' order.
 */
export function flattenFileBytesFast(bytes: Uint8Array, context: FileContext, options: DecodeOptions, sink: NdjsonSink): { outcome: FileOutcome; scan: ScanPath } {
  const scanned = scanVlilleV1(bytes, context, options, sink);
  if (scanned !== FALLBACK) return { outcome: scanned, scan: 'fast' };
  const outcome = flattenFileBytes(bytes, context, options);
  if (outcome.status === 'loaded') {
    sink.writeString(outcome.recordsNdjson);
    outcome.recordsNdjson = '';
  }
  return { outcome, scan: 'fallback' };
}

const ascii = (text: string): Buffer => Buffer.from(text, 'latin1');
const ID = ascii('{"station_id":');
const DOCKS_KEY = ascii(',"nb_places_dispo":');
const NULL = ascii('null');

/** `n` bytes of `from` at `start` into `to` at `at`; returns the index after them. Short copies: a loop. */
function copy(from: Uint8Array, start: number, end: number, to: Uint8Array, at: number): number {
  for (let i = start; i < end; i++) to[at++] = from[i]!;
  return at;
}

const isHexLower = (c: number | undefined): boolean => c !== undefined && ((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66));
const hexDigit = (c: number): number => (c <= 0x39 ? c - 0x30 : c - 0x61 + 10);

/**
 * The kind of a string whose content `[start, close)` holds an escape or a byte ≥ 0x80 (validated already):
 * Copy when every escape is one asciiJson writes the same way (`\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, and
 * `\u` + four lower-case hex digits for a non-ASCII unit that is not a surrogate), else Decode.
 */
function escapedKind(b: Uint8Array, start: number, close: number): T {
  for (let i = start; i < close; i++) {
    const c = b[i]!;
    if (c >= 0x80) return T.Decode;
    if (c !== BYTE.BACKSLASH) continue;
    const e = b[++i]!;
    if (e === 0x75) {
      if (!isHexLower(b[i + 1]) || !isHexLower(b[i + 2]) || !isHexLower(b[i + 3]) || !isHexLower(b[i + 4])) return T.Decode;
      const unit = (hexDigit(b[i + 1]!) << 12) | (hexDigit(b[i + 2]!) << 8) | (hexDigit(b[i + 3]!) << 4) | hexDigit(b[i + 4]!);
      if (unit < 0x80 || (unit >= 0xd800 && unit <= 0xdfff)) return T.Decode;
      i += 4;
    } else if (e !== 0x22 && e !== 0x5c && e !== 0x62 && e !== 0x66 && e !== 0x6e && e !== 0x72 && e !== 0x74) {
      return T.Decode;
    }
  }
  return T.Copy;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
function daysIn(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
}

/**
 * timestamps.ts's isCanonical on bytes `[s, e)`: `YYYY-MM-DDTHH:MM:SS[.f{1,6}](Z|±HH:MM)` with a valid date,
 * years 2–9998. canonicalTimestamp returns such a text as it is, so its bytes are the staged value.
 */
function isCanonicalBytes(b: Uint8Array, s: number, e: number): boolean {
  const n = e - s;
  if (n < 20 || n > 32 || b[s + 4] !== 45 || b[s + 7] !== 45 || b[s + 10] !== 84 || b[s + 13] !== 58 || b[s + 16] !== 58) return false;
  const year = two(b, s) * 100 + two(b, s + 2);
  const month = two(b, s + 5);
  const day = two(b, s + 8);
  if (year < 2 || year > 9998 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return false;
  if (two(b, s + 11) > 23 || two(b, s + 11) < 0 || two(b, s + 14) > 59 || two(b, s + 14) < 0 || two(b, s + 17) > 59 || two(b, s + 17) < 0) return false;
  let i = 19;
  if (b[s + i] === 46) {
    const start = ++i;
    while (i < n && digitAt(b, s + i) >= 0) i++;
    if (i === start || i - start > 6) return false;
  }
  if (i === n - 1) return b[s + i] === 90;
  if (i !== n - 6) return false;
  const sign = b[s + i];
  return (sign === 43 || sign === 45) && b[s + i + 3] === 58 && two(b, s + i + 1) >= 0 && two(b, s + i + 1) <= 14 && two(b, s + i + 4) >= 0 && two(b, s + i + 4) <= 59;
}

function digitAt(b: Uint8Array, i: number): number {
  const c = b[i]! - 48;
  return c >= 0 && c <= 9 ? c : -1000;
}

function two(b: Uint8Array, i: number): number {
  return digitAt(b, i) * 10 + digitAt(b, i + 1);
}

/** A line's piece around a text, kept for the last text seen in that column (raw: the text's bytes). */
interface Segment {
  kind: number;
  raw: Uint8Array;
  bytes: Buffer;
}
const noSegment = (): Segment => ({ kind: -1, raw: new Uint8Array(0), bytes: NULL });

/**
 * The last station row this thread built for each id and the attribute bytes it was built from (each segment:
 * a kind byte, two length bytes, the bytes). A record with the same bytes gets the same row: texts and numbers
 * are not built again for a station whose attributes did not change since the previous minute.
 */
const builtRows = new Map<number, { sig: Uint8Array; row: StationRow }>();
/** Rows of stations beyond this many are not remembered (a 60,000-station file would keep them all). */
const MAX_BUILT_ROWS = 5_000;
let sigScratch = new Uint8Array(4096);

/** Station observations of the current file: added to the shared table only once the file is known good. */
const pendingIds: number[] = [];
const pendingMs: number[] = [];
const pendingAt: string[] = [];
const pendingRows: StationRow[] = [];

/** Kinds of a record's members (fields members are their FIELD_NAMES index, or -1). */
const OTHER_MEMBER = 0;
const FIELDS_MEMBER = 1;
const TIMESTAMP_MEMBER = 2;
const UNKNOWN = -2;
const MEMO_KEYS = 32;

/** The keys of the last object of one level (records, or their fields), by position: where each lies, and its kind. */
class KeyMemo {
  readonly start = new Int32Array(MEMO_KEYS);
  readonly length = new Int32Array(MEMO_KEYS);
  readonly kind = new Int8Array(MEMO_KEYS);
  count = 0;
}

class MinuteScan {
  private readonly recordKeys = new KeyMemo();
  private readonly fieldKeys = new KeyMemo();
  private readonly json: JsonBytes;
  private readonly bytes: SliceableBuffer;
  private readonly values = new RecordValues();
  /** `,"source_file":"…"}` + newline: the end of every line of this file. */
  private readonly tail: string;
  private rows = 0;
  private degraded = 0;
  /** The last record_timestamp's bytes, canonical text, instant and staged literal. */
  private lastTsStart = -1;
  private lastTsEnd = -1;
  private lastTimestamp = '';
  private lastMs = NaN;
  /** `,"record_timestamp":"…","source_file":"…"}` and a newline: the end of every line with that timestamp. */
  private tsTail: Buffer = NULL;
  private readonly etatSegment = noSegment();
  private readonly connexionSegment = noSegment();
  private minMs = Infinity;
  private maxMs = -Infinity;
  private readonly fromMs: number;
  private readonly toMs: number;

  constructor(
    bytes: SliceableBuffer,
    private readonly context: FileContext,
    private readonly sink: NdjsonSink,
  ) {
    this.bytes = bytes;
    this.json = new JsonBytes(bytes, bytes.length);
    this.tail = `,"source_file":${asciiJson(context.name)}}\n`;
    this.fromMs = context.window?.fromMs ?? -Infinity;
    this.toMs = context.window?.toMs ?? Infinity;
    pendingIds.length = 0;
    pendingMs.length = 0;
    pendingAt.length = 0;
    pendingRows.length = 0;
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
    const memo = this.recordKeys;
    values.reset();
    let timestamps = 0;
    // A record that is not an object is a reject: the rules word it.
    if (json.open(BYTE.OPEN_BRACE, BYTE.CLOSE_BRACE)) json.fail();
    let k = 0;
    do {
      let kind = this.knownKey(memo, k);
      if (kind === UNKNOWN) {
        const close = this.memberKey();
        kind = json.keyIs(close, FIELDS) ? FIELDS_MEMBER : json.keyIs(close, RECORD_TIMESTAMP) ? TIMESTAMP_MEMBER : OTHER_MEMBER;
        this.remember(memo, k, kind);
      }
      k++;
      if (kind === FIELDS_MEMBER) {
        if (values.hasFields) json.fail();
        values.hasFields = true;
        this.readFields();
      } else if (kind === TIMESTAMP_MEMBER) {
        if (timestamps++ > 0) json.fail();
        if (json.ws() === BYTE.QUOTE) {
          values.tsStart = json.pos;
          values.tsPlain = json.scanString() >= 0;
          values.tsEnd = json.pos;
        } else {
          json.skipValue();
        }
      } else {
        json.skipValue();
      }
    } while (json.more(BYTE.CLOSE_BRACE));
    this.settle();
  }

  private readFields(): void {
    const json = this.json;
    const values = this.values;
    const memo = this.fieldKeys;
    if (json.open(BYTE.OPEN_BRACE, BYTE.CLOSE_BRACE)) return;
    let k = 0;
    do {
      let field = this.knownKey(memo, k);
      if (field === UNKNOWN) {
        const close = this.memberKey();
        field = FIELD_BY_START[fieldSlot(close - json.keyStart, json.bytes[json.keyStart] ?? 0)] ?? -1;
        if (field >= 0 && !json.keyIs(close, FIELD_KEYS[field]!)) field = -1;
        this.remember(memo, k, field);
      }
      k++;
      if (field < 0) {
        json.skipValue();
        continue;
      }
      if (values.seen & (1 << field)) json.fail();
      values.seen |= 1 << field;
      this.readField(field);
    } while (json.more(BYTE.CLOSE_BRACE));
  }

  /**
   * The kind of the member key at `pos` when its bytes are those of the key at the same place in the previous
   * object of this level (then consumed, with its colon and the blanks up to the value); UNKNOWN otherwise. The
   * same bytes are the same key: only plain keys (no escape) are remembered, the span holds both quotes and the
   * colon.
   */
  private knownKey(memo: KeyMemo, k: number): number {
    if (k >= memo.count) return UNKNOWN;
    const json = this.json;
    const b = this.bytes;
    if (json.ws() !== BYTE.QUOTE) return UNKNOWN;
    const at = json.pos;
    const start = memo.start[k]!;
    const n = memo.length[k]!;
    for (let i = 1; i < n; i++) if (b[at + i] !== b[start + i]) return UNKNOWN;
    json.pos = at + n;
    return memo.kind[k]!;
  }

  /** The key just read (its colon consumed) as the `k`th of its level: from its opening quote up to its value. */
  private remember(memo: KeyMemo, k: number, kind: number): void {
    if (k >= MEMO_KEYS) return;
    const start = this.json.keyStart - 1;
    this.json.ws();
    memo.start[k] = start;
    memo.length[k] = this.json.pos - start;
    memo.kind[k] = kind;
    if (k >= memo.count) memo.count = k + 1;
  }

  private readField(field: number): void {
    const json = this.json;
    const values = this.values;
    const c = json.ws();
    if (field <= F.Docks) {
      values.countStart[field] = json.pos;
      const n = json.readCount();
      values.countEnd[field] = json.pos;
      if (field === F.Libelle) values.libelle = n;
    } else if (field <= F.LastText) {
      this.readText(field - F.FirstText, c);
    } else if (field === F.Updated) {
      if (json.isNull()) return;
      if (c !== BYTE.QUOTE) json.fail();
      values.updatedStart = json.pos;
      values.updatedPlain = json.scanString() >= 0;
      values.updatedEnd = json.pos;
    } else if (!json.isNull()) {
      const start = json.pos;
      this.skipPair();
      if (field === F.Geo) {
        values.geoStart = start;
        values.geoEnd = json.pos;
      } else {
        values.locStart = start;
        values.locEnd = json.pos;
      }
    }
  }

  /** text() of the rules: a string as is, a boolean as its text, null as null; a number's text is not ours to spell. */
  private readText(slot: number, c: number | undefined): void {
    const json = this.json;
    const values = this.values;
    if (c === BYTE.QUOTE) {
      const start = json.pos;
      const close = json.scanString();
      const end = json.pos;
      // The rules reject a text longer than MAX_TEXT_LENGTH; escapes make the raw bytes longer than the text, so
      // a raw string past it doubts (the JSON.parse path measures it).
      if (end - start - 2 > MAX_TEXT_LENGTH) json.fail();
      values.textKind[slot] = close >= 0 ? T.Plain : escapedKind(this.bytes, start + 1, end - 1);
      values.textStart[slot] = start;
      values.textEnd[slot] = end;
      return;
    }
    if (c === 0x6e) json.literal('null');
    else if (c === 0x74) {
      json.literal('true');
      values.textKind[slot] = T.True;
    } else if (c === 0x66) {
      json.literal('false');
      values.textKind[slot] = T.False;
    } else json.fail();
  }

  /** `[lat, lon]`: exactly two numbers (any other array is the rules' to read); validated here, read only for a new row. */
  private skipPair(): void {
    const json = this.json;
    if (json.ws() !== BYTE.OPEN_BRACKET) json.fail();
    json.pos++;
    json.ws();
    json.readNumber();
    json.expect(BYTE.COMMA);
    json.ws();
    json.readNumber();
    json.expect(BYTE.CLOSE_BRACKET);
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
    if ((values.seen & COUNTED) !== COUNTED || values.libelle === 0 || values.tsStart < 0) this.json.fail();
    this.recordTimestamp();
    this.writeLine();
    if (this.lastMs >= this.fromMs && this.lastMs < this.toMs) {
      pendingIds.push(values.libelle);
      pendingMs.push(this.lastMs);
      pendingAt.push(this.lastTimestamp);
      pendingRows.push(this.stationRow());
    }
    this.rows++;
  }

  /** The record's canonical record_timestamp (the previous record's when the bytes are the same: the usual case). */
  private recordTimestamp(): void {
    const { tsStart, tsEnd } = this.values;
    const b = this.bytes;
    if (tsEnd - tsStart === this.lastTsEnd - this.lastTsStart) {
      let same = true;
      for (let i = tsStart, j = this.lastTsStart; i < tsEnd; i++, j++) {
        if (b[i] !== b[j]) {
          same = false;
          break;
        }
      }
      if (same) return;
    }
    const canonical = canonicalTimestamp(this.stringValue(tsStart, tsEnd, this.values.tsPlain));
    if (canonical === null) this.json.fail();
    this.lastTsStart = tsStart;
    this.lastTsEnd = tsEnd;
    this.lastTimestamp = canonical;
    this.tsTail = ascii(`,"record_timestamp":"${canonical}"${this.tail}`);
    this.lastMs = epochMillis(canonical);
    if (this.lastMs < this.minMs) this.minMs = this.lastMs;
    if (this.lastMs > this.maxMs) this.maxMs = this.lastMs;
  }

  /** The value of the string at `[start, end)` (quotes included). */
  private stringValue(start: number, end: number, plain: boolean): string {
    return plain ? this.bytes.latin1Slice(start + 1, end - 1) : this.json.escapedAt(start + 1, end - 1);
  }

  /**
   * recordLine() of ndjson.ts, as bytes: `{"station_id":` id, the etat segment (`,"etat":…,"nb_velos_dispo":`),
   * bikes, `,"nb_places_dispo":` docks, the etat_connexion segment (`,"etat_connexion":…,"derniere_maj":`), the
   * update time, and the file's tail (`,"record_timestamp":…,"source_file":…}` and a newline). Segments are kept
   * for the last value seen: the same few states repeat in every record. Pieces go in with one native copy each.
   */
  private writeLine(): void {
    const v = this.values;
    const b = this.bytes;
    const sink = this.sink;
    let updated: Buffer | null = null;
    if (v.updatedStart >= 0 && !(v.updatedPlain && isCanonicalBytes(b, v.updatedStart + 1, v.updatedEnd - 1))) {
      const canonical = canonicalTimestamp(this.stringValue(v.updatedStart, v.updatedEnd, v.updatedPlain));
      if (canonical === null) this.json.fail();
      updated = ascii(`"${canonical}"`);
    }
    const etat = this.segment(ETAT, this.etatSegment, ',"etat":', ',"nb_velos_dispo":');
    const connexion = this.segment(ETAT_CONNEXION, this.connexionSegment, ',"etat_connexion":', ',"derniere_maj":');
    const room = ID.length + 48 + etat.length + DOCKS_KEY.length + connexion.length + (updated ? updated.length : v.updatedStart < 0 ? 4 : v.updatedEnd - v.updatedStart) + this.tsTail.length;
    const out = sink.reserve(room);
    let o = copy(ID, 0, ID.length, out, sink.length);
    o = copy(b, v.countStart[F.Libelle]!, v.countEnd[F.Libelle]!, out, o);
    out.set(etat, o);
    o = copy(b, v.countStart[F.Bikes]!, v.countEnd[F.Bikes]!, out, o + etat.length);
    out.set(DOCKS_KEY, o);
    o = copy(b, v.countStart[F.Docks]!, v.countEnd[F.Docks]!, out, o + DOCKS_KEY.length);
    out.set(connexion, o);
    o += connexion.length;
    if (updated) {
      out.set(updated, o);
      o += updated.length;
    } else if (v.updatedStart < 0) {
      o = copy(NULL, 0, 4, out, o);
    } else {
      o = copy(b, v.updatedStart, v.updatedEnd, out, o);
    }
    out.set(this.tsTail, o);
    sink.length = o + this.tsTail.length;
  }

  /** `before` + the text's JSON literal + `after`: the one kept in `last` when the text's bytes are the same. */
  private segment(slot: number, last: Segment, before: string, after: string): Buffer {
    const v = this.values;
    const kind = v.textKind[slot]!;
    const start = v.textStart[slot]!;
    const length = kind === T.Plain || kind === T.Copy || kind === T.Decode ? v.textEnd[slot]! - start : 0;
    if (kind === last.kind && length === last.raw.length) {
      const b = this.bytes;
      const raw = last.raw;
      let i = 0;
      while (i < length && raw[i] === b[start + i]) i++;
      if (i === length) return last.bytes;
    }
    const literal = kind === T.Null ? 'null' : kind === T.True ? '"true"' : kind === T.False ? '"false"' : kind === T.Decode ? this.respell(slot) : this.bytes.latin1Slice(start, start + length);
    last.kind = kind;
    last.raw = Buffer.from(this.bytes.subarray(start, start + length));
    last.bytes = ascii(`${before}${literal}${after}`);
    return last.bytes;
  }

  /** asciiJson of a text that had to be decoded (doubts on a lone surrogate: the rules would replace it). */
  private respell(slot: number): string {
    const v = this.values;
    return asciiJson(this.json.escapedAt(v.textStart[slot]! + 1, v.textEnd[slot]! - 1));
  }

  /** The record's station row: the one built last for this id when its attribute bytes are the same. */
  private stationRow(): StationRow {
    const v = this.values;
    const id = v.libelle;
    const known = builtRows.get(id);
    // The coordinates come from `geo ?? localisation`.
    const pairStart = v.geoStart >= 0 ? v.geoStart : v.locStart;
    const pairEnd = v.geoStart >= 0 ? v.geoEnd : v.locEnd;
    if (known !== undefined && this.sameSignature(known.sig, pairStart, pairEnd)) return known.row;
    const row = this.buildRow(id, pairStart);
    const sig = this.signature(pairStart, pairEnd);
    if (sig !== null) {
      if (builtRows.size >= MAX_BUILT_ROWS && known === undefined) builtRows.clear();
      builtRows.set(id, { sig, row });
    }
    return row;
  }

  /** Segments: the four texts (kind, length, bytes), then the pair's bytes (kind 9 when there is one). */
  private sameSignature(sig: Uint8Array, pairStart: number, pairEnd: number): boolean {
    const v = this.values;
    const b = this.bytes;
    let k = 0;
    for (let slot = NOM; slot <= TYPE; slot++) {
      const kind = v.textKind[slot]!;
      if (sig[k++] !== kind) return false;
      if (kind === T.Plain || kind === T.Copy || kind === T.Decode) {
        const start = v.textStart[slot]!;
        const length = v.textEnd[slot]! - start;
        if (sig[k++] !== length >> 8 || sig[k++] !== (length & 0xff)) return false;
        for (let i = 0; i < length; i++) if (sig[k++] !== b[start + i]) return false;
      }
    }
    if (pairStart < 0) return sig[k++] === 0 && k === sig.length;
    const length = pairEnd - pairStart;
    if (sig[k++] !== 9 || sig[k++] !== length >> 8 || sig[k++] !== (length & 0xff)) return false;
    for (let i = 0; i < length; i++) if (sig[k++] !== b[pairStart + i]) return false;
    return k === sig.length;
  }

  /** A copy of the signature sameSignature() compares, or null when a pair is too long to remember. */
  private signature(pairStart: number, pairEnd: number): Uint8Array | null {
    const v = this.values;
    const b = this.bytes;
    if (pairEnd - pairStart > 0xffff) return null;
    const need = 4 * (3 + MAX_TEXT_LENGTH + 2) + 3 + (pairEnd - pairStart);
    if (sigScratch.length < need) sigScratch = new Uint8Array(need);
    const sig = sigScratch;
    let k = 0;
    for (let slot = NOM; slot <= TYPE; slot++) {
      const kind = v.textKind[slot]!;
      sig[k++] = kind;
      if (kind === T.Plain || kind === T.Copy || kind === T.Decode) {
        const start = v.textStart[slot]!;
        const length = v.textEnd[slot]! - start;
        sig[k++] = length >> 8;
        sig[k++] = length & 0xff;
        k = copy(b, start, start + length, sig, k);
      }
    }
    if (pairStart < 0) {
      sig[k++] = 0;
    } else {
      const length = pairEnd - pairStart;
      sig[k++] = 9;
      sig[k++] = length >> 8;
      sig[k++] = length & 0xff;
      k = copy(b, pairStart, pairEnd, sig, k);
    }
    return sig.slice(0, k);
  }

  private buildRow(id: number, pairStart: number): StationRow {
    let latitude: number | null = null;
    let longitude: number | null = null;
    if (pairStart >= 0) {
      const json = this.json;
      const resume = json.pos;
      json.pos = pairStart + 1;
      json.ws();
      const lat = json.readNumber();
      json.expect(BYTE.COMMA);
      json.ws();
      const lon = json.readNumber();
      json.pos = resume;
      latitude = Number.isFinite(lat) ? lat : null;
      longitude = Number.isFinite(lon) ? lon : null;
    }
    return { id, nom: this.text(NOM), libelle: String(id), adresse: this.text(ADRESSE), commune: this.text(COMMUNE), type: this.text(TYPE), latitude, longitude };
  }

  /** text() of the rules for a text slot (a lone surrogate doubts: the rules would replace it). */
  private text(slot: number): string | null {
    const v = this.values;
    switch (v.textKind[slot]) {
      case T.Null:
        return null;
      case T.True:
        return 'true';
      case T.False:
        return 'false';
      case T.Plain:
        return this.bytes.latin1Slice(v.textStart[slot]! + 1, v.textEnd[slot]! - 1);
      default:
        return this.json.escapedAt(v.textStart[slot]! + 1, v.textEnd[slot]! - 1);
    }
  }

  private finish(): LoadedFile | DegradedFile {
    if (this.rows === 0) return { status: 'degraded', format: vlilleV1.id, degradedRecords: this.degraded, skippedRecords: 0 };
    const stations = this.context.stations ?? new LatestStations<StationRow>();
    for (let i = 0; i < pendingRows.length; i++) stations.add(pendingIds[i]!, pendingMs[i]!, pendingAt[i]!, this.context.name, pendingRows[i]!);
    return {
      status: 'loaded',
      format: vlilleV1.id,
      recordsNdjson: '',
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
