/**
 * A strict JSON reader over bytes (RFC 8259, the grammar JSON.parse accepts), for the V'lille v1 fast path
 * (vlille-v1-scan.ts). It never builds the document: values are either skipped (validated, nothing kept)
 * or read one at a time as the JS value JSON.parse would give. Whatever it is not sure to read exactly
 * as JSON.parse would — invalid JSON, a lone surrogate, nesting deeper than it expects — throws `DOUBT`,
 * and the caller hands the whole file to the JSON.parse path. Pure: no I/O.
 *
 * The input must be valid UTF-8 (checked once per file by the caller): string bytes ≥ 0x80 are then
 * decoded as UTF-8 slices, and a quote or backslash byte can never be part of a multi-byte character.
 */

/** Thrown (one preallocated instance, no stack captured per throw) when the fast path is not sure. */
export const DOUBT = new Error('the fast path is not sure: read this file with JSON.parse');

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

/** Deeper than any real minute (records → record → fields → geo is 4): such a file is not ours to skim. */
const MAX_DEPTH = 32;
/** m / 10^k is correctly rounded when m < 2^53 and 10^k is exact (k ≤ 22): Clinger's fast path. */
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);
const MAX_FAST_DIGITS = 15;

const isDigit = (c: number | undefined): boolean => c !== undefined && c >= ZERO && c <= NINE;

function hexValue(c: number | undefined): number {
  if (c === undefined) return -1;
  if (c >= ZERO && c <= NINE) return c - ZERO;
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

/** 1 for the bytes a string holds as they are (not a quote, a backslash or a control character; UTF-8 included). */
const STRING_PLAIN = new Uint8Array(256).map((_, c) => (c >= 0x20 && c !== QUOTE && c !== BACKSLASH ? 1 : 0));

/** 1 for printable ASCII other than the quote and the backslash. */
const ASCII_PLAIN = STRING_PLAIN.map((flag, c) => (c < 0x80 ? flag : 0));

/** The index of the first non-whitespace byte at or after `i`. */
function blank(b: Uint8Array, i: number): number {
  for (;;) {
    const c = b[i];
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return i;
    i++;
  }
}

const SIMPLE_ESCAPES: Record<number, string> = { 0x22: '"', 0x5c: '\\', 0x2f: '/', 0x62: '\b', 0x66: '\f', 0x6e: '\n', 0x72: '\r', 0x74: '\t' };

/**
 * Buffer's own slice bindings: `toString(encoding, start, end)` checks and normalises its arguments on every
 * call, which cost as much as the scan of the bytes themselves (two strings per field on this path).
 */
export type SliceableBuffer = Buffer & { latin1Slice(start: number, end: number): string; utf8Slice(start: number, end: number): string };

/** Escaped strings seen (raw bytes as latin1 → value): the same few `CONNECT\u00c9` repeat in every record. */
const decoded = new Map<string, string>();
const MAX_DECODED = 10_000;

export class JsonBytes {
  /** Position of the next byte to read. */
  pos = 0;
  /** Where the last key read starts (after its quote). */
  keyStart = 0;
  /** skipValue's open containers (their opening bytes). */
  private readonly stack = new Uint8Array(MAX_DEPTH + 1);

  constructor(
    readonly bytes: SliceableBuffer,
    readonly end: number,
  ) {}

  fail(): never {
    throw DOUBT;
  }

  /** Skips JSON whitespace; returns the next byte (undefined at the end). */
  ws(): number | undefined {
    const b = this.bytes;
    let i = this.pos;
    for (;;) {
      const c = b[i];
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      i++;
    }
    this.pos = i;
    return i < this.end ? b[i] : undefined;
  }

  /** Consumes `byte` after optional whitespace, or doubts. */
  expect(byte: number): void {
    if (this.ws() !== byte) this.fail();
    this.pos++;
  }

  /**
   * After a member or an element: true when another follows (consumes the comma), false at `close`
   * (consumes it). Anything else is invalid JSON.
   */
  more(close: number): boolean {
    const c = this.ws();
    this.pos++;
    if (c === COMMA) return true;
    if (c !== close) this.fail();
    return false;
  }

  /** At an opening brace or bracket (after whitespace): consumes it and says whether the container is empty. */
  open(opening: number, close: number): boolean {
    this.expect(opening);
    if (this.ws() === close) {
      this.pos++;
      return true;
    }
    return false;
  }

  /**
   * Scans a string whose opening quote is at `pos`; leaves `pos` after the closing quote. Returns the index
   * of the closing quote when the content is plain printable ASCII without escapes (the common case:
   * a latin1 slice is then its value), or -1 when it holds escapes or UTF-8 (validated here all the same).
   */
  scanString(): number {
    const b = this.bytes;
    const end = this.end;
    let i = this.pos + 1;
    let plain = true;
    for (;;) {
      // Printable ASCII runs are most of every string.
      while (ASCII_PLAIN[b[i]!] === 1) i++;
      if (i >= end) this.fail();
      const c = b[i]!;
      if (c === QUOTE) break;
      if (c < 0x20) this.fail();
      if (c === BACKSLASH) {
        plain = false;
        i = this.skipEscape(i);
        continue;
      }
      if (c >= 0x80) plain = false;
      i++;
    }
    this.pos = i + 1;
    return plain ? i : -1;
  }

  /** Validates the escape at `i` (a backslash); returns the index after it. */
  private skipEscape(i: number): number {
    const c = this.bytes[i + 1];
    if (c === 0x75) {
      for (let k = 2; k < 6; k++) if (hexValue(this.bytes[i + k]) < 0) this.fail();
      return i + 6;
    }
    if (c === undefined || SIMPLE_ESCAPES[c] === undefined) this.fail();
    return i + 2;
  }

  /** Reads a string value (opening quote at `pos`, after whitespace) as JSON.parse would give it. */
  readString(): string {
    if (this.ws() !== QUOTE) this.fail();
    const start = this.pos + 1;
    const close = this.scanString();
    if (close >= 0) return this.bytes.latin1Slice(start, close);
    return this.escapedAt(start, this.pos - 1);
  }

  /**
   * The value of a string already validated by scanString whose content is `[start, close)` and holds escapes
   * or UTF-8, as JSON.parse gives it (cached by its raw bytes; doubts on a lone surrogate).
   */
  escapedAt(start: number, close: number): string {
    const raw = this.bytes.latin1Slice(start, close);
    let value = decoded.get(raw);
    if (value === undefined) {
      value = this.decode(start, close);
      if (decoded.size >= MAX_DECODED) decoded.clear();
      decoded.set(raw, value);
    }
    return value;
  }

  /** Content with escapes or UTF-8 between `start` and the closing quote at `close` (already validated). */
  private decode(start: number, close: number): string {
    const b = this.bytes;
    let out = '';
    let run = start;
    let i = start;
    while (i < close) {
      if (b[i] !== BACKSLASH) {
        i++;
        continue;
      }
      if (i > run) out += b.utf8Slice(run, i);
      const c = b[i + 1]!;
      if (c === 0x75) {
        out += String.fromCharCode(this.hex4(i + 2));
        i += 6;
      } else {
        out += SIMPLE_ESCAPES[c]!;
        i += 2;
      }
      run = i;
    }
    if (close > run) out += b.utf8Slice(run, close);
    // JSON.parse keeps a lone surrogate (`"\ud800"`); the rules then replace it (text()): not ours to mimic.
    if (!out.isWellFormed()) this.fail();
    return out;
  }

  private hex4(i: number): number {
    const b = this.bytes;
    return (hexValue(b[i]) << 12) | (hexValue(b[i + 1]) << 8) | (hexValue(b[i + 2]) << 4) | hexValue(b[i + 3]);
  }

  /**
   * A key (after whitespace) and its colon. Returns the index of the key's closing quote; the key's bytes are
   * `[start, close)` with `start = close - length`. Keys with escapes or UTF-8 return -1: `"f\u0069elds"` is
   * `fields` to JSON.parse, so an object whose keys matter doubts on them (objects skipped whole do not).
   */
  readKey(): number {
    if (this.ws() !== QUOTE) this.fail();
    this.keyStart = this.pos + 1;
    const close = this.scanString();
    this.expect(COLON);
    return close;
  }

  /** True when the key whose closing quote is at `close` spells `name` (ASCII bytes). */
  keyIs(close: number, name: Uint8Array): boolean {
    const start = close - name.length;
    const b = this.bytes;
    if (b[start - 1] !== QUOTE || start - 1 < 0) return false;
    for (let k = 0; k < name.length; k++) if (b[start + k] !== name[k]) return false;
    return true;
  }

  /** The literal `null`, `true` or `false` at `pos`, or doubt. */
  literal(text: 'null' | 'true' | 'false'): void {
    const b = this.bytes;
    for (let k = 0; k < text.length; k++) if (b[this.pos + k] !== text.charCodeAt(k)) this.fail();
    this.pos += text.length;
  }

  /** True (and consumed) when the next value is `null`. */
  isNull(): boolean {
    if (this.ws() !== 0x6e) return false;
    this.literal('null');
    return true;
  }

  /**
   * A non-negative integer written as plain digits (`0`, `17`), up to 15 digits (a safe integer). A fraction,
   * an exponent or a sign (`1.0`, `1e2`, `-0`: all numbers to JSON.parse) is a form this path does not read.
   */
  readCount(): number {
    const b = this.bytes;
    let i = this.pos;
    let value = 0;
    while (isDigit(b[i])) value = value * 10 + (b[i++]! - ZERO);
    const digits = i - this.pos;
    if (digits === 0 || digits > MAX_FAST_DIGITS || (digits > 1 && b[this.pos] === ZERO)) this.fail();
    const c = b[i];
    if (c === DOT || c === 0x65 || c === 0x45) this.fail();
    this.pos = i;
    return value;
  }

  /** Any JSON number, as the double JSON.parse gives (validated to the grammar). */
  readNumber(): number {
    const b = this.bytes;
    const start = this.pos;
    let i = start;
    const negative = b[i] === MINUS;
    if (negative) i++;
    if (!isDigit(b[i]) || (b[i] === ZERO && isDigit(b[i + 1]))) this.fail();
    let mantissa = 0;
    let digits = 0;
    for (; isDigit(b[i]); i++, digits++) mantissa = mantissa * 10 + (b[i]! - ZERO);
    let fraction = 0;
    if (b[i] === DOT) {
      i++;
      if (!isDigit(b[i])) this.fail();
      for (; isDigit(b[i]); i++, fraction++) mantissa = mantissa * 10 + (b[i]! - ZERO);
    }
    const c = b[i];
    this.pos = i;
    if (c === 0x65 || c === 0x45) return this.exponentNumber(start);
    if (digits + fraction > MAX_FAST_DIGITS || fraction >= POWERS_OF_TEN.length) return Number(b.latin1Slice(start, i));
    const value = fraction === 0 ? mantissa : mantissa / POWERS_OF_TEN[fraction]!;
    return negative ? -value : value;
  }

  /** The rare exponent form: validated here, converted by the engine. */
  private exponentNumber(start: number): number {
    const b = this.bytes;
    let i = this.pos + 1;
    if (b[i] === 0x2b || b[i] === MINUS) i++;
    if (!isDigit(b[i])) this.fail();
    while (isDigit(b[i])) i++;
    this.pos = i;
    return Number(b.latin1Slice(start, i));
  }

  /**
   * Skips any value (after whitespace), checking it is valid JSON. One loop with its own stack instead of a
   * call per token: `geo`, `geometry` and the record ids are most of a minute's bytes, all skipped here.
   */
  skipValue(): void {
    const b = this.bytes;
    const stack = this.stack;
    let depth = 0;
    let i = this.pos;
    for (;;) {
      i = this.skipScalarOrOpen(blank(b, i), depth);
      if (i < 0) {
        // An opened container: i is ~(index after its first token, the key's colon when an object).
        i = ~i;
        stack[depth++] = b[this.pos]!;
        continue;
      }
      // After a value: close containers, or step to the next member/element.
      for (;;) {
        if (depth === 0) {
          this.pos = i;
          return;
        }
        i = blank(b, i);
        const c = b[i++];
        const open = stack[depth - 1];
        if (c === COMMA) {
          if (open === OPEN_BRACE) i = this.skipKey(blank(b, i));
          break;
        }
        if (c !== (open === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET)) this.fail();
        depth--;
      }
    }
  }

  /**
   * At a value's first byte `i`: skips a scalar or an empty container and returns the index after it; for a
   * non-empty container, returns ~(index of its first value) and leaves its opening byte's index in `pos`.
   */
  private skipScalarOrOpen(i: number, depth: number): number {
    const b = this.bytes;
    const c = b[i];
    if (c === QUOTE) return this.stringEnd(i);
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (depth >= MAX_DEPTH) this.fail();
      const close = c === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET;
      const first = blank(b, i + 1);
      if (b[first] === close) return first + 1;
      this.pos = i;
      return ~(c === OPEN_BRACE ? this.skipKey(first) : first);
    }
    this.pos = i;
    if (c === 0x74) this.literal('true');
    else if (c === 0x66) this.literal('false');
    else if (c === 0x6e) this.literal('null');
    else this.readNumber();
    return this.pos;
  }

  /** A key at `i` and its colon: returns the index after the colon. */
  private skipKey(i: number): number {
    if (this.bytes[i] !== QUOTE) this.fail();
    i = blank(this.bytes, this.stringEnd(i));
    if (this.bytes[i] !== COLON) this.fail();
    return i + 1;
  }

  /** The index after the string whose opening quote is at `i` (validated). */
  private stringEnd(i: number): number {
    const b = this.bytes;
    const end = this.end;
    i++;
    for (;;) {
      while (STRING_PLAIN[b[i]!] === 1) i++;
      if (i >= end) this.fail();
      const c = b[i]!;
      if (c === QUOTE) return i + 1;
      if (c !== BACKSLASH) this.fail();
      i = this.skipEscape(i);
    }
  }
}

export const BYTE = { QUOTE, BACKSLASH, COLON, OPEN_BRACE, CLOSE_BRACE, OPEN_BRACKET, CLOSE_BRACKET, COMMA } as const;
