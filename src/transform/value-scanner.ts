/**
 * Finds where one JSON value ends in a stream of UTF-8 bytes, keeping its bytes up to a cap. Only strings,
 * escapes and brackets are tracked (a structural scan): the kept text is validated by JSON.parse later, and
 * a value over the cap or nested too deep is skipped in bounded memory (a depth counter, nothing held).
 * Working on bytes is safe: in UTF-8 no byte of a multi-byte character is an ASCII `"`, `\` or bracket.
 */

export class ScanError extends Error {
  constructor(
    readonly code: 'NOT_JSON' | 'TRUNCATED',
    message: string,
  ) {
    super(message);
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;

/** Bytes that end a scalar (number, true, false, null) at the top of a value. */
function endsScalar(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x2c || c === RBRACKET || c === RBRACE || c === 0x3a || c === QUOTE || c === LBRACE || c === LBRACKET;
}

/** First bytes of a JSON value. */
export function startsValue(c: number): boolean {
  return c === LBRACE || c === LBRACKET || c === QUOTE || c === 0x2d || (c >= 0x30 && c <= 0x39) || c === 0x74 || c === 0x66 || c === 0x6e;
}

export interface ScannedValue {
  /** The value's text, or null when it was not kept. */
  text: string | null;
  /** Why it was not kept. */
  skipped: 'too-large' | 'too-deep' | null;
  bytes: number;
}

export class ValueScanner {
  private depth = 0;
  private inString = false;
  private escape = false;
  private scalar = false;
  private fresh = true;
  private tooDeep = false;
  /** Opening bracket of each open level, up to maxDepth (below it only the count is kept). */
  private readonly open: number[] = [];
  private pieces: Buffer[] = [];
  private size = 0;
  private keeping = true;
  private cap = 0;
  private maxDepth = 0;

  /** Start a new value: keep at most `cap` bytes of it, allow `maxDepth` levels. */
  begin(cap: number, maxDepth: number): void {
    this.depth = 0;
    this.inString = this.escape = this.scalar = this.tooDeep = false;
    this.fresh = this.keeping = true;
    this.open.length = 0;
    this.pieces = [];
    this.size = 0;
    this.cap = cap;
    this.maxDepth = maxDepth;
  }

  /** Scan `chunk` from `i`: the index just past the value, or -1 when it goes on in the next chunk. */
  scan(chunk: Buffer, i: number, offset: number): number {
    const from = i;
    const n = chunk.length;
    if (this.fresh && i < n) {
      this.fresh = false;
      const c = chunk[i]!;
      if (!startsValue(c)) throw new ScanError('NOT_JSON', `not valid JSON: unexpected ${describeByte(c)} at byte ${offset + i}`);
      if (c !== QUOTE && c !== LBRACE && c !== LBRACKET) this.scalar = true;
    }
    for (; i < n; i++) {
      const c = chunk[i]!;
      if (this.inString) {
        if (this.escape) this.escape = false;
        else if (c === BACKSLASH) this.escape = true;
        else if (c === QUOTE) {
          this.inString = false;
          if (this.depth === 0) return this.keep(chunk, from, i + 1);
        }
      } else if (this.scalar) {
        if (endsScalar(c)) return this.keep(chunk, from, i);
      } else if (c === QUOTE) {
        this.inString = true;
      } else if (c === LBRACE || c === LBRACKET) {
        if (++this.depth <= this.maxDepth) this.open.push(c);
        else this.drop('too-deep');
      } else if (c === RBRACE || c === RBRACKET) {
        if (this.depth <= this.maxDepth && this.open.pop() !== (c === RBRACE ? LBRACE : LBRACKET)) {
          throw new ScanError('NOT_JSON', `not valid JSON: unexpected '${String.fromCharCode(c)}' at byte ${offset + i}`);
        }
        if (--this.depth === 0) return this.keep(chunk, from, i + 1);
      }
    }
    this.keep(chunk, from, n);
    return -1;
  }

  /** The input ended: a scalar ends with it; anything else open is truncated. */
  end(): boolean {
    return this.scalar && !this.fresh;
  }

  /** The value just scanned. */
  take(): ScannedValue {
    const pieces = this.pieces;
    const kept = !this.keeping ? null : pieces.length === 1 ? pieces[0]!.toString('utf8') : Buffer.concat(pieces, this.size).toString('utf8');
    const result: ScannedValue = { text: kept, skipped: kept !== null ? null : this.tooDeep ? 'too-deep' : 'too-large', bytes: this.size };
    this.pieces = [];
    return result;
  }

  private keep(chunk: Buffer, from: number, to: number): number {
    if (to > from) {
      this.size += to - from;
      if (this.keeping && this.size > this.cap) this.drop('too-large');
      if (this.keeping) this.pieces.push(chunk.subarray(from, to));
    }
    return to;
  }

  private drop(why: 'too-large' | 'too-deep'): void {
    if (why === 'too-deep') this.tooDeep = true;
    this.keeping = false;
    this.pieces = [];
  }
}

export function describeByte(c: number): string {
  return c >= 0x20 && c < 0x7f ? `'${String.fromCharCode(c)}'` : `byte 0x${c.toString(16).padStart(2, '0')}`;
}
