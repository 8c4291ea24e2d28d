/**
 * One JSON document, fed as text chunks → the items of its top-level `records` array, one at a time, each
 * assembled from stream-json's tokens by its Assembler, and the top-level keys (for format detection). Memory
 * stays bounded whatever the input: an item is assembled only while it stays within MAX_RECORD_BYTES, counted
 * as it is held (the characters of its strings, keys and numbers, and a fixed cost per value, object and array:
 * `[{},{},…]` costs far more than its text), and 64 levels; a larger or deeper one is dropped as it comes and
 * reported. Other top-level members are tokenized (so checked) but never assembled.
 */
import Assembler from 'stream-json/core/assembler.js';
import { MAX_PARSE_BYTES } from './decode.js';
import { DocumentError, JsonTokens, MAX_DEPTH, type JsonEvent } from './json-tokens.js';

export { DocumentError } from './json-tokens.js';

export interface RecordsHandler {
  /** A whole item of the top-level `records` array. */
  item(value: unknown, index: number): void;
  /** An item that was not kept, and why. */
  skipped(index: number, reason: string): void;
}

/**
 * Largest record assembled, as held in memory: the bound on text given to JSON.parse. A V'lille record is ~1 KB;
 * a stream holds one record at a time, but a worker may run several streams at once (with 16 MiB, the hostile
 * corpus's run took 272-285 MB of peak RSS instead of 217-238).
 */
export const MAX_RECORD_BYTES = MAX_PARSE_BYTES;
const VALUE_BYTES = 16;
const CONTAINER_BYTES = 64;
/** Longest top-level key kept; at most MAX_KEYS keys of up to MAX_KEY_SHOWN characters are listed. */
const MAX_KEY_CHARS = 4096;
const MAX_KEYS = 64;
const MAX_KEY_SHOWN = 64;
/** Strings this long are V8 slices of the tokenizer's input text: copied, a kept one would hold the text alive. */
const MIN_SLICED = 13;

/**
 * A flat copy of `text`, holding no reference to the text it was cut from (60,000 stations' names kept the
 * whole file: heap after GC 51 MB instead of 25; `' ' + text` sliced back copies too, but leaves two objects).
 */
function detached(text: string): string {
  return text.length < MIN_SLICED ? text : (JSON.parse(JSON.stringify(text)) as string);
}

/** The item being read, within its bounds, by the reader's Assembler (one for all items: less garbage). */
class Item {
  private budget = MAX_RECORD_BYTES;
  dropped: string | null = null;

  constructor(
    readonly index: number,
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

const SCALARS: Partial<Record<JsonEvent['name'], string>> = { endString: 'string', endNumber: 'number', trueValue: 'boolean', falseValue: 'boolean', nullValue: 'null' };

export class RecordsReader {
  private readonly tokens = new JsonTokens((event) => this.event(event));
  private readonly assembler = new Assembler();
  /** Top-level keys seen (short ones), for format detection. */
  readonly keys = new Set<string>();
  /** True once the top-level `records` array was found. */
  sawRecords = false;
  /** Open objects and arrays (the document's own is 1: items of `records` start at depth 2). */
  private depth = 0;
  /** The document's first value token, and the items of a top-level array (for the reason). */
  private top: JsonEvent['name'] | null = null;
  private topItems = 0;
  private key: string | null = null;
  private inRecords = false;
  private items = 0;
  private item: Item | null = null;
  /** Text of the key, string or number being read, when it is wanted. */
  private text = '';
  private collecting = false;

  constructor(private readonly handler: RecordsHandler) {}

  /** Throws a DocumentError (NOT_JSON, UNKNOWN_SHAPE) as soon as the text is known to be bad. */
  push(text: string): void {
    this.tokens.push(text);
  }

  /** The input ended: returns normally only when the document was whole and an object. */
  end(): void {
    this.tokens.end();
    if (this.top !== 'startObject') {
      const shape = this.top === 'startArray' ? `a JSON array of ${this.topItems} item(s)` : `a JSON ${SCALARS[this.top!] ?? 'value'}`;
      throw new DocumentError('UNKNOWN_SHAPE', `unknown file format: ${shape} matches no known format`);
    }
  }

  private event(event: JsonEvent): void {
    const name = event.name;
    if (name === 'stringChunk' || name === 'numberChunk') {
      if (this.collecting) this.collect(event.value);
    } else if (name === 'startObject' || name === 'startArray') {
      this.open(event);
      this.depth++;
    } else if (name === 'endObject' || name === 'endArray') {
      this.depth--;
      this.close(event);
    } else if (name === 'startKey' || name === 'startString' || name === 'startNumber') {
      this.startText(name === 'startKey');
    } else if (name === 'endKey' && this.item === null) {
      if (this.depth === 1) this.topKey();
    } else {
      this.value(event);
    }
  }

  /** Keys, strings and numbers come in pieces: kept only for an item or a top-level key. */
  private startText(key: boolean): void {
    this.text = '';
    if (!key) this.startItem();
    this.collecting = this.item !== null ? this.item.charge(VALUE_BYTES) : key && this.depth === 1;
  }

  private collect(chunk: string): void {
    this.collecting = this.item !== null ? this.item.charge(chunk.length) : this.text.length + chunk.length <= MAX_KEY_CHARS;
    this.text = this.collecting ? this.text + chunk : '';
  }

  private topKey(): void {
    this.key = this.collecting ? this.text : null;
    if (this.key !== null && this.key.length <= MAX_KEY_SHOWN && this.keys.size < MAX_KEYS) this.keys.add(this.key);
  }

  /** An item of `records` starts here (depth 2: inside the array). */
  private startItem(): void {
    if (this.depth === 2 && this.inRecords && this.item === null) this.item = new Item(this.items++, this.assembler);
  }

  /** A value's last token: a key inside an item, a string, a number, a literal, or a value nested too deep. */
  private value(event: JsonEvent): void {
    if (event.name === 'trueValue' || event.name === 'falseValue' || event.name === 'nullValue') {
      this.startItem();
      this.item?.charge(VALUE_BYTES);
    }
    if (this.item !== null) {
      this.item.token(event, this.text);
      if (this.depth === 2) this.finishItem();
    } else if (this.depth === 0) {
      this.top = event.name;
    } else if (this.depth === 1 && this.top === 'startArray') {
      this.topItems++;
    }
  }

  private open(event: JsonEvent): void {
    if (this.depth === 0) {
      this.top = event.name;
    } else if (this.depth === 1 && this.top === 'startArray') {
      this.topItems++;
    } else if (this.depth === 1 && this.key === 'records' && event.name === 'startArray') {
      if (this.sawRecords) throw new DocumentError('UNKNOWN_SHAPE', 'unknown file format: two top-level "records" arrays');
      this.sawRecords = this.inRecords = true;
    }
    this.startItem();
    if (this.item?.charge(CONTAINER_BYTES)) this.item.token(event, '');
  }

  private close(event: JsonEvent): void {
    if (this.item !== null) {
      this.item.token(event, '');
      if (this.depth === 2) this.finishItem();
    } else if (this.depth === 1) {
      this.inRecords = false;
    }
  }

  private finishItem(): void {
    const item = this.item!;
    this.item = null;
    if (item.dropped === null) this.handler.item(item.value, item.index);
    else this.handler.skipped(item.index, item.dropped);
  }
}
