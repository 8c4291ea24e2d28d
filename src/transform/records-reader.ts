/**
 * One JSON document, fed as text chunks → the items of its record array, one at a time, and a skeleton of the rest
 * for format detection. The record array is the first array found at one of the given paths (`records`, `results`,
 * `features`, `data.stations`, or `[]`: the document itself); its items are assembled from stream-json's tokens by
 * its Assembler. The skeleton is what a format's `detect` and `begin` see of the document: its top-level members,
 * small ones whole, and the record array holding only its first item that could be read (a whole document's first
 * item, unless that one is too large to read: the whole-file path never reads such a file).
 *
 * Memory stays bounded whatever the input: an item is assembled only while it stays within MAX_RECORD_BYTES,
 * counted as it is held (the characters of its strings, keys and numbers, and a fixed cost per value, object and
 * array: `[{},{},…]` costs far more than its text), and 64 levels; a larger or deeper one is dropped as it comes and
 * reported. A top-level member is kept within MAX_MEMBER_BYTES (a larger one as DROPPED_MEMBER), at most
 * MAX_MEMBERS of them. Everything else is tokenized (so checked) but never assembled.
 */
import Assembler from 'stream-json/core/assembler.js';
import { MAX_PARSE_BYTES } from './decode.js';
import { DocumentError, JsonTokens, MAX_DEPTH, type JsonEvent } from './json-tokens.js';

export { DocumentError } from './json-tokens.js';

export interface RecordsHandler {
  /** A whole item of the record array. */
  item(value: unknown, index: number): void;
  /** An item that was not kept, and why. */
  skipped(index: number, reason: string): void;
}

/** Keys from the document to an array of records; `[]`: the document is that array. */
export type RecordsPath = readonly string[];

/**
 * Largest record assembled, as held in memory: the bound on text given to JSON.parse. A V'lille record is ~1 KB;
 * a stream holds one record at a time, but a worker may run several streams at once (with 16 MiB, the hostile
 * corpus's run took 272-285 MB of peak RSS instead of 217-238).
 */
export const MAX_RECORD_BYTES = MAX_PARSE_BYTES;
/** Largest top-level member kept (counted as records are), and how many are kept: `parameters`, `crs`, times. */
const MAX_MEMBER_BYTES = 16 * 1024;
const MAX_MEMBERS = 64;
/** What the skeleton holds for a member too large or too deep to keep (no format reads such a value as valid). */
export const DROPPED_MEMBER = '(a value too large or nested too deep, not kept)';
const VALUE_BYTES = 16;
const CONTAINER_BYTES = 64;
/** Longest key read outside records (a longer one is tokenized, its value skipped). */
const MAX_KEY_CHARS = 4096;
/** Strings this long are V8 slices of the tokenizer's input text: copied, a kept one would hold the text alive. */
const MIN_SLICED = 13;

/**
 * A flat copy of `text`, holding no reference to the text it was cut from (60,000 stations' names kept the
 * whole file: heap after GC 51 MB instead of 25; `' ' + text` sliced back copies too, but leaves two objects).
 */
function detached(text: string): string {
  return text.length < MIN_SLICED ? text : (JSON.parse(JSON.stringify(text)) as string);
}

/** A value being assembled, within its bounds, by the reader's Assembler (one for all values: less garbage). */
class Item {
  dropped: string | null = null;

  constructor(
    private budget: number,
    private readonly assembler: Assembler,
  ) {}

  /** Counts `bytes` against the bound; false once the item is dropped. */
  charge(bytes: number): boolean {
    if (this.dropped === null && (this.budget -= bytes) < 0) this.drop(`record is larger than ${MAX_RECORD_BYTES} bytes: not read`);
    return this.dropped === null;
  }

  /** `text`: the key, string or number a token ends. */
  token(event: JsonEvent, text: string): void {
    const a = this.assembler;
    if (this.dropped !== null) return;
    if (event.name === 'tooDeep') this.drop(`record nested deeper than ${MAX_DEPTH} levels: not read`);
    else if (event.name === 'endKey') a.keyValue(text);
    else if (event.name === 'endString') a.stringValue(detached(text));
    else if (event.name === 'endNumber') a.numberValue(text);
    else a.consume(event);
  }

  get value(): unknown {
    return this.assembler.current;
  }

  /** What was assembled so far is let go at once. */
  private drop(reason: string): void {
    this.dropped = reason;
    this.assembler.dropToLevel(0);
  }
}

/** What a value being read becomes: an item of the record array, a top-level member (or the document), or nothing. */
type Role = { kind: 'item'; index: number } | { kind: 'member'; key: string } | { kind: 'top' } | { kind: 'skip' };
const SKIP: Role = { kind: 'skip' };

/** One value being read below the route, with its open containers. */
interface Capture {
  role: Role;
  item: Item | null;
  open: number;
}

/** A container on the way to the record array (the document, `data`), or the record array itself. */
interface Level {
  object: boolean;
  path: readonly string[];
  /** The key whose value comes next (objects), null when it was too long to keep. */
  key: string | null;
  records: boolean;
}

/** Marks a member that is a container on the route: the skeleton fills it in. */
const ROUTE = Symbol('route');

const pathKey = (path: RecordsPath): string => JSON.stringify(path);

function define(object: Record<string, unknown>, key: string, value: unknown): void {
  // Like JSON.parse: an own property, also for `__proto__`.
  Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
}

export class RecordsReader {
  private readonly tokens = new JsonTokens((event) => this.event(event));
  private readonly assembler = new Assembler();
  private readonly paths = new Set<string>();
  private readonly prefixes = new Set<string>();
  private readonly members = new Map<string, unknown>();
  private readonly levels: Level[] = [];
  private capture: Capture | null = null;
  /** The document's own value: an object, an array, or a scalar (`topValue`). */
  private top: 'object' | 'array' | 'scalar' | null = null;
  private topValue: unknown;
  private first: { value: unknown } | null = null;
  /** Items of the record array (or of a top-level array of no known format) seen so far. */
  items = 0;
  /** Where the record array was found, once it was. */
  recordsPath: RecordsPath | null = null;
  /** False: the record array's items are counted, no longer assembled nor handed on (the file is decided). */
  keepItems = true;
  /** Text of the key, string or number being read, when it is wanted. */
  private text = '';
  private collecting = false;

  constructor(
    paths: readonly RecordsPath[],
    private readonly handler: RecordsHandler,
  ) {
    for (const path of paths) {
      this.paths.add(pathKey(path));
      for (let n = 1; n < path.length; n++) this.prefixes.add(pathKey(path.slice(0, n)));
    }
  }

  /** Throws a DocumentError (NOT_JSON, UNKNOWN_SHAPE) as soon as the text is known to be bad. */
  push(text: string): void {
    this.tokens.push(text);
  }

  /** The input ended: returns normally only when the document was whole. */
  end(): void {
    this.tokens.end();
  }

  get isArray(): boolean {
    return this.top === 'array';
  }

  /** Whether the document has a top-level member `key` (so far). */
  has(key: string): boolean {
    return this.members.has(key);
  }

  /** The document as far as it was read, as detection sees it: members, and the record array's first readable item. */
  skeleton(): unknown {
    if (this.top === 'array') return this.first ? [this.first.value] : [];
    if (this.top !== 'object') return this.topValue;
    const doc: Record<string, unknown> = {};
    for (const [key, value] of this.members) define(doc, key, value === ROUTE ? this.route(key) : value);
    return doc;
  }

  /** A member on the route: the record array (first item only), or the objects leading to it. */
  private route(key: string): unknown {
    const path = this.recordsPath;
    if (path === null || path[0] !== key) return {};
    let value: unknown = this.first ? [this.first.value] : [];
    for (let i = path.length - 1; i >= 1; i--) {
      const outer: Record<string, unknown> = {};
      define(outer, path[i]!, value);
      value = outer;
    }
    return value;
  }

  private event(event: JsonEvent): void {
    const name = event.name;
    if (name === 'stringChunk' || name === 'numberChunk') this.collect(event.value);
    else if (this.capture !== null) this.captured(event);
    else if (name === 'startKey') this.startText(true);
    else if (name === 'endKey') this.levels.at(-1)!.key = this.collecting ? this.text : null;
    else if (name === 'endObject' || name === 'endArray') this.levels.pop();
    else this.startValue(event);
  }

  /** Keys, strings and numbers come in pieces: kept only when `wanted`, within their bound. */
  private startText(wanted: boolean): void {
    this.text = '';
    this.collecting = wanted;
  }

  private collect(chunk: string): void {
    if (!this.collecting) return;
    const item = this.capture?.item;
    this.collecting = item ? item.charge(chunk.length) : this.text.length + chunk.length <= MAX_KEY_CHARS;
    this.text = this.collecting ? this.text + chunk : '';
  }

  /** A value starts on the route: the document, an item, a member, the record array or a container leading to it. */
  private startValue(event: JsonEvent): void {
    const level = this.levels.at(-1);
    if (level === undefined) return this.startDocument(event);
    if (!level.object) {
      const index = this.items++;
      return this.begin(event, level.records && this.keepItems ? { kind: 'item', index } : SKIP);
    }
    const key = level.key;
    level.key = null;
    if (key === null) return this.begin(event, SKIP);
    const path = [...level.path, key];
    const top = level.path.length === 0;
    if (event.name === 'startArray' && this.paths.has(pathKey(path))) return this.enter(path, true, top);
    if (event.name === 'startObject' && this.prefixes.has(pathKey(path))) return this.enter(path, false, top);
    this.begin(event, top && (this.members.has(key) || this.members.size < MAX_MEMBERS) ? { kind: 'member', key } : SKIP);
  }

  private startDocument(event: JsonEvent): void {
    if (event.name === 'startObject') {
      this.top = 'object';
      this.levels.push({ object: true, path: [], key: null, records: false });
    } else if (event.name === 'startArray') {
      this.top = 'array';
      const records = this.paths.has(pathKey([]));
      if (records) this.recordsPath = [];
      this.levels.push({ object: false, path: [], key: null, records });
    } else {
      this.top = 'scalar';
      this.begin(event, { kind: 'top' });
    }
  }

  /** Into the record array (`records`) or an object leading to one. */
  private enter(path: readonly string[], records: boolean, top: boolean): void {
    if (records && this.recordsPath !== null) {
      throw new DocumentError('UNKNOWN_SHAPE', `unknown file format: two arrays of records (${[this.recordsPath, path].map((p) => JSON.stringify(p.join('.'))).join(' and ')})`);
    }
    if (records) this.recordsPath = path;
    if (top) this.members.set(path[0]!, ROUTE);
    this.levels.push({ object: !records, path, key: null, records });
  }

  private begin(event: JsonEvent, role: Role): void {
    const budget = role.kind === 'item' ? MAX_RECORD_BYTES : MAX_MEMBER_BYTES;
    this.capture = { role, item: role.kind === 'skip' ? null : new Item(budget, this.assembler), open: 0 };
    this.captured(event);
  }

  /** A token of the value being read; the value ends when its last container closes (or with its only token). */
  private captured(event: JsonEvent): void {
    const capture = this.capture!;
    const item = capture.item;
    const name = event.name;
    if (name === 'startKey' || name === 'startString' || name === 'startNumber') return this.startText(item?.charge(VALUE_BYTES) ?? false);
    if (name === 'startObject' || name === 'startArray') {
      capture.open++;
      item?.charge(CONTAINER_BYTES);
    } else if (name === 'endObject' || name === 'endArray') {
      capture.open--;
    } else if (name === 'trueValue' || name === 'falseValue' || name === 'nullValue') {
      item?.charge(VALUE_BYTES);
    }
    item?.token(event, this.text);
    if (capture.open === 0) this.finish(capture);
  }

  private finish({ role, item }: Capture): void {
    this.capture = null;
    if (item === null) return;
    const value = item.dropped === null ? item.value : undefined;
    if (role.kind === 'item') {
      if (this.first === null && item.dropped === null) this.first = { value };
      if (item.dropped === null) this.handler.item(value, role.index);
      else this.handler.skipped(role.index, item.dropped);
    } else if (role.kind === 'member') {
      this.members.set(role.key, item.dropped === null ? value : DROPPED_MEMBER);
    } else if (role.kind === 'top') {
      this.topValue = item.dropped === null ? value : DROPPED_MEMBER;
    }
  }
}
