/**
 * NDJSON input: one API response or one raw record per line. A bad line is a rejected record with its
 * line number; the file's good lines still load. The whole-file path (decode.ts) and the streaming path
 * (stream-file.ts) feed lines to the same `LinesFlattener`, so they agree line for line.
 */
import { MAX_REJECTS_PER_FILE, type FileFlattener, type ReadOutcome } from './file-flattener.js';
import { FORMATS, describeShape } from './formats.js';
import type { NdjsonLine } from './ndjson-lines.js';
import { preview } from './preview.js';
import type { FileContext, FormatModule } from './types.js';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A line holding a whole response contributes its records; any other line is one record. */
function lineRecords(value: unknown): unknown[] {
  return isObject(value) && Array.isArray(value.records) ? value.records : [value];
}

/** The format of a line: a response, or a single record seen as a one-record response (`forced`: only that one). */
function lineFormat(value: unknown, forced: string | undefined): FormatModule | null {
  const doc = isObject(value) && Array.isArray(value.records) ? value : { records: [value] };
  return FORMATS.find((format) => (forced === undefined || forced === 'auto' || format.id === forced) && format.detect(doc)) ?? null;
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
      else if (this.early.length < MAX_REJECTS_PER_FILE) this.early.push(reject);
      else this.earlyDropped++;
      return;
    }
    if (!this.flattener) {
      const format = lineFormat(entry.value, this.context.inputFormat);
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
