/**
 * Splits one JSON document, fed as byte chunks, into the items of its top-level `records` array, each handed
 * over whole as text, for JSON.parse. That is ~10× faster than a token-level streaming parser, and the parsed
 * strings are fresh, not slices that keep whole input chunks alive (60,000 stations' names used to keep the
 * whole file in memory). Memory stays bounded whatever the input: an item over `maxItemBytes` or nested too
 * deep is skipped and reported; other top-level values are kept only up to `maxMemberBytes` to be validated.
 */
import { describeSyntaxError } from './decode.js';
import { describeShape } from './formats.js';
import { ScanError, ValueScanner, describeByte, startsValue, type ScannedValue } from './value-scanner.js';

export type SplitCode = 'EMPTY' | 'TRUNCATED' | 'NOT_JSON' | 'UNKNOWN_SHAPE';

export class SplitError extends Error {
  constructor(
    readonly code: SplitCode,
    message: string,
  ) {
    super(message);
  }
}

export interface SplitLimits {
  maxItemBytes: number;
  maxMemberBytes: number;
  /** Of the whole document (items get two levels less: the document and the records array). */
  maxDepth: number;
}

export interface SplitHandler {
  /** A whole item of the top-level `records` array. */
  item(text: string, index: number): void;
  /** An item that was not kept, and why. */
  skipped(index: number, reason: string): void;
}

const MAX_KEY_BYTES = 4096;

// States of the document grammar around the values the scanner reads.
const DOC_START = 0, TOP_VALUE = 1, KEY_OR_END = 2, KEY = 3, KEY_TEXT = 4, COLON = 5, MEMBER_START = 6;
const MEMBER = 7, ITEM_OR_END = 8, ITEM_START = 9, ITEM = 10, AFTER_ITEM = 11, AFTER_MEMBER = 12, DOC_END = 13;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

export class RecordsSplitter {
  private state = DOC_START;
  private readonly scanner = new ValueScanner();
  private offset = 0;
  private key: string | null = null;
  private items = 0;
  private topShape = '';
  /** Top-level keys seen (short ones), for format detection. */
  readonly keys = new Set<string>();
  /** True once the top-level `records` array was found. */
  sawRecords = false;

  constructor(
    private readonly limits: SplitLimits,
    private readonly handler: SplitHandler,
  ) {}

  push(chunk: Buffer): void {
    try {
      this.walk(chunk);
    } catch (error) {
      if (error instanceof ScanError) throw new SplitError(error.code, error.message);
      throw error;
    }
    this.offset += chunk.length;
  }

  /** The input ended: returns normally only when the document was whole. */
  end(): void {
    const s = this.state;
    if (s === TOP_VALUE || s === MEMBER || s === ITEM || s === KEY_TEXT) {
      // A scalar ends with the input (`42`); then it is whole if it parses (`-` is a number cut short).
      const scalar = (s === TOP_VALUE || s === MEMBER) && this.scanner.end();
      const value = this.scanner.take();
      if (!this.unfinished(value) && scalar) this.completed(value);
    }
    if (this.state === DOC_START) throw new SplitError('EMPTY', 'file holds only whitespace');
    if (this.state !== DOC_END) throw new SplitError('TRUNCATED', `JSON ends early, the file looks truncated (after ${this.offset} bytes, ${this.items} record(s))`);
    if (this.topShape) throw new SplitError('UNKNOWN_SHAPE', `unknown file format: ${this.topShape} matches no known format`);
  }

  private walk(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length) {
      const s = this.state;
      if (s === TOP_VALUE || s === KEY_TEXT || s === MEMBER || s === ITEM) {
        i = this.scanner.scan(chunk, i, this.offset);
        if (i < 0) return;
        this.completed(this.scanner.take());
        continue;
      }
      const c = chunk[i]!;
      if (isSpace(c)) {
        i++;
        continue;
      }
      this.expect(c, i);
      if (this.state !== TOP_VALUE && this.state !== MEMBER && this.state !== ITEM && this.state !== KEY_TEXT) i++;
    }
  }

  /** One significant byte outside values. */
  private expect(c: number, i: number): void {
    const s = this.state;
    if (s === DOC_START) {
      if (c === 0x7b) this.state = KEY_OR_END;
      else this.startValue(TOP_VALUE, c, i, this.limits.maxMemberBytes, this.limits.maxDepth);
    } else if ((s === KEY_OR_END || s === KEY) && c === 0x22) this.startValue(KEY_TEXT, c, i, MAX_KEY_BYTES, 0);
    else if (s === KEY_OR_END && c === 0x7d) this.state = DOC_END;
    else if (s === COLON && c === 0x3a) this.state = MEMBER_START;
    else if (s === MEMBER_START) this.startMember(c, i);
    else if ((s === ITEM_OR_END || s === ITEM_START) && startsValue(c)) this.startValue(ITEM, c, i, this.limits.maxItemBytes, this.limits.maxDepth - 2);
    else if ((s === ITEM_OR_END || s === AFTER_ITEM) && c === 0x5d) this.state = AFTER_MEMBER;
    else if (s === AFTER_ITEM && c === 0x2c) this.state = ITEM_START;
    else if (s === AFTER_MEMBER && c === 0x2c) this.state = KEY;
    else if (s === AFTER_MEMBER && c === 0x7d) this.state = DOC_END;
    else throw new SplitError('NOT_JSON', `not valid JSON: unexpected ${describeByte(c)} at byte ${this.offset + i}${s === DOC_END ? ' after the end of the document' : ''}`);
  }

  private startMember(c: number, i: number): void {
    if (this.key === 'records' && c === 0x5b) {
      if (this.sawRecords) throw new SplitError('UNKNOWN_SHAPE', 'unknown file format: two top-level "records" arrays');
      this.sawRecords = true;
      this.state = ITEM_OR_END;
    } else {
      this.startValue(MEMBER, c, i, this.limits.maxMemberBytes, this.limits.maxDepth - 1);
    }
  }

  private startValue(state: number, c: number, i: number, cap: number, maxDepth: number): void {
    if (!startsValue(c)) throw new SplitError('NOT_JSON', `not valid JSON: unexpected ${describeByte(c)} at byte ${this.offset + i}`);
    this.scanner.begin(cap, Math.max(0, maxDepth));
    this.state = state;
  }

  /**
   * The value the input ended in: NOT_JSON when its kept text is wrong before its end (a lost bracket swallows
   * the rest of the file into one value), as JSON.parse of the whole text would say. True when it stops short.
   */
  private unfinished(value: ScannedValue): boolean {
    if (value.text === null) return false;
    try {
      JSON.parse(value.text);
      return false;
    } catch (error) {
      const verdict = describeSyntaxError(error as Error, value.text.length);
      if (verdict.code === 'NOT_JSON') throw new SplitError('NOT_JSON', `not valid JSON near byte ${this.offset}: ${(error as Error).message.slice(0, 200)}`);
      return true;
    }
  }

  /** A value the scanner finished. */
  private completed(value: ScannedValue): void {
    const s = this.state;
    if (s === ITEM) {
      const index = this.items++;
      if (value.text !== null) this.handler.item(value.text, index);
      else this.handler.skipped(index, value.skipped === 'too-deep' ? `record nested deeper than ${this.limits.maxDepth} levels: not read` : `record is larger than ${this.limits.maxItemBytes} bytes: not read`);
      this.state = AFTER_ITEM;
    } else if (s === KEY_TEXT) {
      this.key = value.text === null ? null : (parse(value.text, this.offset) as string);
      if (this.key !== null && this.key.length <= 64 && this.keys.size < 64) this.keys.add(this.key);
      this.state = COLON;
    } else if (s === MEMBER) {
      // Validated when small enough to keep; a larger one is checked for structure only (its content is unused).
      if (value.text !== null) parse(value.text, this.offset);
      this.state = AFTER_MEMBER;
    } else {
      this.topShape = value.text === null ? 'a large JSON value' : describeShape(parse(value.text, this.offset));
      this.state = DOC_END;
    }
  }
}

function parse(text: string, offset: number): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new SplitError('NOT_JSON', `not valid JSON near byte ${offset}: ${(error as Error).message.slice(0, 200)}`);
  }
}
