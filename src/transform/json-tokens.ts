/**
 * stream-json's tokenizer (`jsonParser`: text chunks → tokens), plus what hostile input needs of it:
 * - Nesting is bounded: the tokenizer keeps one stack entry per open level (100 MB of `[` would hold ~1 GB), so a
 *   value nested deeper than MAX_DEPTH reaches the consumer as one `tooDeep` event; once a chunk ends inside it,
 *   the text is only scanned for strings and brackets (DeepSkip) until it closes, and a fresh tokenizer takes
 *   over there. What is skipped that way is not validated.
 * - The end tells a text that stops early (TRUNCATED) from a broken one (NOT_JSON), as JSON.parse does. The
 *   tokenizer waits for more text after a pending `tru`, `-` or `\u12`, so a valid fragment there is completed
 *   and spaces are fed before flushing: an error while doing so is in the text, one at the flush is its end.
 * Strings, keys and numbers come in pieces (`packValues: false`): the tokenizer never holds a whole value.
 */
import { none } from 'stream-chain/defs.js';
import { jsonParser, type Token } from 'stream-json/core/parser.js';

export type JsonEvent = Token | { name: 'tooDeep' };

/** Why a document cannot be read (the tokenizer's codes, and the shape's: see records-reader.ts). */
export type DocumentCode = 'EMPTY' | 'TRUNCATED' | 'NOT_JSON' | 'UNKNOWN_SHAPE';

export class DocumentError extends Error {
  constructor(
    readonly code: DocumentCode,
    message: string,
  ) {
    super(message);
  }
}

/** Nesting allowed, the document included (V'lille documents nest 5 deep). */
export const MAX_DEPTH = 64;
/** Text fed at once: bounds how far past MAX_DEPTH the tokenizer's stack can grow before DeepSkip takes over. */
const PIECE_CHARS = 64 * 1024;
/**
 * Pieces end after their last comma when it is this close to their end, the rest going with the next piece. A
 * token cut in two sends the tokenizer down paths that V8 has not optimized its ~600-line function for, and each
 * recompilation costs ~10 MB of compiler memory that the allocator then keeps (the 60,000-station minute's run:
 * 9 compilations, ~20 MB more RSS; after commas: 3).
 */
const MAX_CARRY = 4096;
/** Characters kept from the end of the text: the longest pending fragment, with room for its backslashes. */
const TAIL_CHARS = 32;
/** More than the tokenizer looks ahead (16 characters for a literal, 6 for an escape). */
const PADDING = ' '.repeat(17);
/** The tokenizer as a function; `none` flushes it (stream-chain's protocol; its type only names text). */
type Tokenizer = (input: string | typeof none) => ReturnType<ReturnType<typeof jsonParser>>;
const newTokenizer = (): Tokenizer => jsonParser({ packValues: false }) as Tokenizer;
const TOO_DEEP: JsonEvent = { name: 'tooDeep' };

/** A pending escape in a string: an odd run of backslashes, maybe `u` and up to three hex digits. */
const ESCAPE_FRAGMENT = /(?<!\\)(?:\\\\)*\\(u[0-9a-fA-F]{0,3})?$/;
const LITERAL_FRAGMENT = /(?<![A-Za-z])(?:tr?u?|fa?l?s?|nu?l?)$/;
const LITERALS = ['true', 'false', 'null'];
const NUMBER_FRAGMENT = /(?:-|[0-9][.eE]|[eE][-+])$/;

/** True when a string's text so far ends in a backslash that escapes what comes next. */
function pendingBackslash(tail: string): boolean {
  const escape = ESCAPE_FRAGMENT.exec(tail);
  return escape !== null && escape[1] === undefined;
}

/** What completes a valid fragment the text ends with (the tokenizer still waits on it), or ''. */
function completion(tail: string, inString: boolean): string {
  if (inString) {
    const escape = ESCAPE_FRAGMENT.exec(tail);
    return escape === null ? '' : escape[1] === undefined ? 'u0000' : '0'.repeat(5 - escape[1].length);
  }
  const literal = LITERAL_FRAGMENT.exec(tail)?.[0];
  const word = literal === undefined ? undefined : LITERALS.find((candidate) => candidate.startsWith(literal) && candidate !== literal);
  if (word !== undefined) return word.slice(literal!.length);
  return NUMBER_FRAGMENT.test(tail) ? '0' : '';
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** The rest of a value past the depth bound: strings, escapes and brackets only, in constant memory. */
class DeepSkip {
  constructor(
    private depth: number,
    private inString: boolean,
    private escape: boolean,
  ) {}

  /** The index just past the bracket that closes the value, or -1 when it goes on. */
  scan(text: string): number {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (this.inString) {
        if (this.escape) this.escape = false;
        else if (c === BACKSLASH) this.escape = true;
        else if (c === QUOTE) this.inString = false;
      } else if (c === QUOTE) this.inString = true;
      else if (c === 0x5b || c === 0x7b) this.depth++;
      else if ((c === 0x5d || c === 0x7d) && --this.depth === 0) return i + 1;
    }
    return -1;
  }
}

export class JsonTokens {
  private tokenize = newTokenizer();
  private depth = 0;
  /** Whether each open level up to MAX_DEPTH is an object, to set a fresh tokenizer where a skip ends. */
  private readonly objects: boolean[] = [];
  private inString = false;
  private skip: DeepSkip | null = null;
  private tail = '';
  /** Text after the last comma fed, held for the next piece. */
  private carry = '';
  private chars = 0;
  private sawText = false;
  private ending = false;

  constructor(private readonly onEvent: (event: JsonEvent) => void) {}

  push(text: string): void {
    let rest = this.carry + text;
    while (rest.length > MAX_CARRY) {
      let end = Math.min(rest.length, PIECE_CHARS);
      const comma = rest.lastIndexOf(',', end - 1) + 1;
      if (comma > 0 && end - comma <= MAX_CARRY) end = comma;
      this.pushPiece(end === rest.length ? rest : rest.slice(0, end));
      rest = rest.slice(end);
    }
    this.carry = rest;
  }

  /** The text ended: returns when it was one whole JSON value, throws a DocumentError otherwise. */
  end(): void {
    this.pushPiece(this.carry);
    this.carry = '';
    if (!this.sawText) throw new DocumentError('EMPTY', 'file holds only whitespace');
    if (this.skip !== null) throw new DocumentError('TRUNCATED', `JSON ends early, the file looks truncated (inside a value nested deeper than ${MAX_DEPTH} levels)`);
    const rest = completion(this.tail, this.inString);
    // The padding may end a real value (`[1` → 1); what a completion makes up is not passed on.
    this.ending = rest !== '';
    this.feed(rest + PADDING);
    try {
      this.tokenize(none);
    } catch (error) {
      throw new DocumentError('TRUNCATED', `JSON ends early, the file looks truncated (${(error as Error).message})`);
    }
    if (rest !== '') throw new DocumentError('TRUNCATED', 'JSON ends early, the file looks truncated (in the middle of a value)');
  }

  private pushPiece(text: string): void {
    if (!this.sawText) this.sawText = /[^ \t\n\r]/.test(text);
    this.tail = (this.tail + text).slice(-TAIL_CHARS);
    let from = 0;
    if (this.skip !== null) {
      from = this.skip.scan(text);
      if (from >= 0) this.resume();
    }
    if (from >= 0) this.feed(from === 0 ? text : text.slice(from));
    this.chars += text.length;
    if (this.depth > MAX_DEPTH && this.skip === null) {
      this.skip = new DeepSkip(this.depth - MAX_DEPTH, this.inString, this.inString && pendingBackslash(this.tail));
    }
  }

  private feed(text: string): void {
    let out;
    try {
      out = this.tokenize(text);
    } catch (error) {
      throw new DocumentError('NOT_JSON', `not valid JSON in characters ${this.chars}–${this.chars + text.length}: ${(error as Error).message}`);
    }
    if (out !== none) for (const token of out.values) this.token(token);
  }

  /** Passes a token on, unless it is inside a value past the depth bound (that value is one `tooDeep`). */
  private token(token: Token): void {
    const name = token.name;
    if (name === 'startObject' || name === 'startArray') {
      if (++this.depth <= MAX_DEPTH) this.objects[this.depth - 1] = name === 'startObject';
      else if (this.depth === MAX_DEPTH + 1) return this.emit(TOO_DEEP);
    } else if (name === 'endObject' || name === 'endArray') {
      if (this.depth-- > MAX_DEPTH) return;
    } else if (name === 'startString' || name === 'startKey') {
      this.inString = true;
    } else if (name === 'endString' || name === 'endKey') {
      this.inString = false;
    }
    if (this.depth <= MAX_DEPTH) this.emit(token);
  }

  private emit(event: JsonEvent): void {
    if (!this.ending) this.onEvent(event);
  }

  /** A skipped value closed: a fresh tokenizer is set inside the same open containers, after a stand-in value. */
  private resume(): void {
    this.skip = null;
    this.depth = MAX_DEPTH;
    this.inString = false;
    this.tokenize = newTokenizer();
    this.tokenize(`${this.objects.map((object) => (object ? '{"":' : '[')).join('')}{}`);
  }
}
