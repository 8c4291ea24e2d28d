/**
 * NDJSON input: one API response or one raw record per line. A bad line is a rejected record with its
 * line number; the file's good lines still load. The whole-file path (decode.ts) and the streaming path
 * (stream-file.ts) feed lines to the same `LinesFlattener`, so they agree line for line.
 *
 * NDJSON or a broken single document? A text is NDJSON when its first non-blank line is a whole JSON value
 * on its own and non-blank text follows it. A pretty-printed document's first line (`{`) is no value by
 * itself, and a compact document is one line, so a truncated or broken document stays TRUNCATED or NOT_JSON
 * instead of turning into "NDJSON whose lines are all bad". (A valid document never has text after a whole
 * first line, so the rule only matters once the text as a whole failed to parse.)
 */
import type { FileFlattener, ReadOutcome } from './flatten-file.js';
import { FORMATS, describeShape } from './formats.js';
import { preview } from './preview.js';
import type { FileContext, FormatModule } from './types.js';

/** One non-blank line (1-based number): its value, or why it is not one. */
export type NdjsonLine = { line: number; value: unknown } | { line: number; error: string };

/** One line, at most MAX_PARSE_BYTES (decode.ts): the whole-file path's texts are no longer, the streaming path cuts longer lines. */
export function parseLine(text: string, line: number): NdjsonLine {
  try {
    return { line, value: JSON.parse(text) };
  } catch (error) {
    return { line, error: `not valid JSON (${(error as Error).message.slice(0, 200)})` };
  }
}

/** True when `line` (the first non-blank line) is a whole JSON value by itself. */
export function isWholeValue(line: string): boolean {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}

/** Blank: JSON whitespace only (as line-splitter.ts sees it). */
const BLANK = /^[ \t\r]*$/;
const NOT_BLANK = /[^ \t\r\n]/;

/** Each line of the text with its 1-based number, without splitting the text into an array up front. */
function* textLines(text: string): Generator<[string, number]> {
  let line = 1;
  for (let start = 0; start <= text.length; line++) {
    const newline = text.indexOf('\n', start);
    const end = newline < 0 ? text.length : newline;
    yield [text.slice(start, end), line];
    start = end + 1;
  }
}

/**
 * The text's non-blank lines, parsed one at a time as they are consumed (a text of millions of lines is never
 * held as an array of lines or of values), or null when the text is not NDJSON (see the rule above).
 */
export function splitNdjson(text: string): Iterable<NdjsonLine> | null {
  let first: string | null = null;
  let rest = 0;
  for (const [content] of textLines(text)) {
    rest += content.length + 1;
    if (!BLANK.test(content)) {
      first = content;
      break;
    }
  }
  if (first === null || !isWholeValue(first) || !NOT_BLANK.test(text.slice(rest))) return null;
  return (function* () {
    for (const [content, line] of textLines(text)) if (!BLANK.test(content)) yield parseLine(content, line);
  })();
}

/** As MAX_REJECTS_PER_FILE (flatten-file.ts, not imported: that module imports this one). */
const EARLY_KEPT = 100;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A line holding a whole response contributes its records; any other line is one record. */
function lineRecords(value: unknown): unknown[] {
  return isObject(value) && Array.isArray(value.records) ? value.records : [value];
}

/** The format of a line: a response, or a single record seen as a one-record response. */
function lineFormat(value: unknown): FormatModule | null {
  const doc = isObject(value) && Array.isArray(value.records) ? value : { records: [value] };
  return FORMATS.find((format) => format.detect(doc)) ?? null;
}

/**
 * Flattens NDJSON line by line. The format is decided by the first good line (a file whose first good line is
 * no known response or record is UNKNOWN_SHAPE); later lines that are not records are rejected records.
 */
export class LinesFlattener {
  private flattener: FileFlattener | null = null;
  private unknownShape: string | null = null;
  private index = 0;
  private earlyDropped = 0;
  /**
   * Bad lines before the first good one, replayed once the format is known. (None when the NDJSON rule chose
   * the mode: it needs the first line to be good.) Reasons beyond the per-file limit would not be kept anyway.
   */
  private readonly early: { index: number; line: number; reason: string }[] = [];

  constructor(
    private readonly context: FileContext,
    private readonly create: (format: FormatModule, context: FileContext) => FileFlattener,
  ) {}

  /** False once the file is known to be of no known shape (the rest need not be read). */
  get wanted(): boolean {
    return this.unknownShape === null;
  }

  add(entry: NdjsonLine): void {
    if (this.unknownShape !== null) return;
    if ('error' in entry) {
      const reject = { index: this.index++, line: entry.line, reason: entry.error };
      if (this.flattener) this.flattener.reject(reject.index, reject.reason, reject.line);
      else if (this.early.length < EARLY_KEPT) this.early.push(reject);
      else this.earlyDropped++;
      return;
    }
    if (!this.flattener) {
      const format = lineFormat(entry.value);
      if (!format) {
        this.unknownShape = `NDJSON whose first valid line (line ${entry.line}) is ${describeShape(entry.value)}, not a known response or record: ${preview(entry.value)}`;
        return;
      }
      this.flattener = this.create(format, this.context);
      for (const early of this.early.splice(0)) this.flattener.reject(early.index, early.reason, early.line);
      for (; this.earlyDropped > 0; this.earlyDropped--) this.flattener.reject(-1, 'not valid JSON');
    }
    for (const record of lineRecords(entry.value)) this.flattener.add(record, this.index++, entry.line);
  }

  get bufferedLength(): number {
    return this.flattener?.bufferedLength ?? 0;
  }

  takeNdjson(): string {
    return this.flattener?.takeNdjson() ?? '';
  }

  finish(): ReadOutcome {
    if (this.unknownShape !== null || !this.flattener) {
      return { status: 'rejected', code: 'UNKNOWN_SHAPE', reason: `unknown file format: ${this.unknownShape ?? 'NDJSON with no valid line'}`, rejects: [] };
    }
    return this.flattener.finish();
  }
}
