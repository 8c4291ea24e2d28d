/**
 * A streamed JSON document → its file's outcome, with the whole-file path's detection, `begin` and flattening
 * (flatten-file.ts), one record at a time (records-reader.ts), whichever format it is. The format is decided on the
 * document's skeleton (its top-level members and the record array's first item) as soon as that first item is read
 * (records too large to read before it wait in memory, their reasons at most MAX_REJECTS_PER_FILE of them),
 * when no member still to come can change the decision (formats' `members`: MEL's `timeStamp` comes after the
 * features). Otherwise the records go to `pending` (a spool on disk) and are flattened once the document has ended.
 * At the end the format is decided again, on the whole skeleton: an early decision stands only when this one agrees
 * (a member repeated after the records could change it; JSON.parse keeps the last).
 */
import { FileFlattener, MAX_REJECTS_PER_FILE, startFile, type RejectedFile } from './file-flattener.js';
import { unknownShape } from './flatten-file.js';
import { describeShape, detectFormat, formatsFor } from './formats.js';
import { RecordsReader, type RecordsPath } from './records-reader.js';
import type { FileContext, FormatModule } from './types.js';
import { VettedFlattener } from './vetted-flattener.js';

/** Where the records go while the decision waits for the document's end, in order. */
export interface PendingRecords {
  add(record: unknown, index: number): void;
  reject(index: number, reason: string): void;
}

/** How the records read, with a key that tells two decisions apart. */
interface Start {
  key: string;
  target: VettedFlattener | RejectedFile;
}

const UNKNOWN = 'unknown';

const samePath = (a: RecordsPath, b: RecordsPath): boolean => a.length === b.length && a.every((key, i) => key === b[i]);

export class StreamedDocument {
  private readonly reader: RecordsReader;
  private readonly formats: readonly FormatModule[];
  /** The decision taken at the first record, if it was. */
  private early: Start | null = null;
  private decided = false;
  private waiting = false;
  /** Records that could not be read, before the first that could (`unreadMore`: those past the kept reasons). */
  private readonly unread: { index: number; reason: string }[] = [];
  private unreadMore = 0;

  constructor(
    private readonly context: FileContext,
    private readonly pending: PendingRecords,
  ) {
    this.formats = formatsFor(context.inputFormat);
    this.reader = new RecordsReader(
      this.formats.map((format) => format.recordsPath),
      { item: (record, index) => this.record(index, record, null), skipped: (index, reason) => this.record(index, undefined, reason) },
    );
  }

  /** Throws a DocumentError as soon as the text is known to be bad. */
  push(text: string): void {
    this.reader.push(text);
  }

  /** The input ended: throws a DocumentError unless the document was whole. */
  end(): void {
    this.reader.end();
  }

  get bufferedLength(): number {
    return this.flattener?.bufferedLength ?? 0;
  }

  takeNdjson(): string {
    return this.flattener?.takeNdjson() ?? '';
  }

  /**
   * After `end`: why the file is rejected, or the flattener of its records. Records held in `pending` (if any) go
   * to it, in order, before its `finish` gives the outcome.
   */
  settle(): VettedFlattener | RejectedFile {
    const final = this.start();
    if (!this.decided && final.target instanceof VettedFlattener) this.takeUnread(final.target);
    if (this.early === null || (this.early.key === UNKNOWN && final.key === UNKNOWN)) return final.target;
    if (final.key !== this.early.key) {
      const reason = 'unknown file format: a top-level member repeated after the records changes how they read (JSON.parse keeps the last); a streamed document is read once';
      return { status: 'rejected', code: 'UNKNOWN_SHAPE', reason, rejects: [] };
    }
    return this.early.target;
  }

  private get flattener(): VettedFlattener | null {
    return this.early?.target instanceof VettedFlattener ? this.early.target : null;
  }

  /** An item of the record array (`reason`: one too large or deep to read). */
  private record(index: number, record: unknown, reason: string | null): void {
    if (!this.decided && reason !== null) return this.hold(index, reason);
    if (!this.decided) this.decideEarly();
    const target = this.waiting ? this.pending : this.flattener;
    if (target === null) return;
    if (reason === null) target.add(record, index);
    else target.reject(index, reason);
    if (this.flattener?.wanted === false) this.reader.keepItems = false;
  }

  private hold(index: number, reason: string): void {
    if (this.unread.length < MAX_REJECTS_PER_FILE) this.unread.push({ index, reason });
    else this.unreadMore++;
  }

  /** The records that could not be read before the first that could, in order (the reasons past the kept ones are not kept by the flattener either). */
  private takeUnread(target: PendingRecords): void {
    for (const { index, reason } of this.unread.splice(0)) target.reject(index, reason);
    for (; this.unreadMore > 0; this.unreadMore--) target.reject(-1, 'not read');
  }

  private decideEarly(): void {
    this.decided = true;
    this.waiting = !this.settled();
    if (!this.waiting) this.early = this.start();
    const target = this.waiting ? this.pending : this.flattener;
    if (target !== null) this.takeUnread(target);
    // A file rejected whole: its records need not be assembled.
    if (target === null) this.reader.keepItems = false;
  }

  /**
   * True when no member still to come can change the decision: the first format that matches (among those reading
   * this record array) and those before it have seen their members. A top-level array has no members to wait for.
   */
  private settled(): boolean {
    const skeleton = this.reader.skeleton();
    const candidates = this.formats.filter((format) => samePath(format.recordsPath, this.reader.recordsPath!));
    const matched = candidates.findIndex((format) => format.detect(skeleton));
    if (matched < 0) return this.reader.isArray;
    return candidates.slice(0, matched + 1).every((format) => (format.members ?? []).every((member) => this.reader.has(member)));
  }

  /** The decision on the skeleton read so far, as flatten-file.ts decides on a whole document. */
  private start(): Start {
    const skeleton = this.reader.skeleton();
    const detected = detectFormat(skeleton, this.context.inputFormat);
    const path = this.reader.recordsPath;
    if (!detected || path === null || !samePath(detected.format.recordsPath, path)) {
      const shape = this.reader.isArray ? `a JSON array of ${this.reader.items} item(s)` : describeShape(skeleton);
      return { key: UNKNOWN, target: unknownShape(shape, this.context) };
    }
    const flattener = startFile(detected.format, skeleton, this.context);
    if (!(flattener instanceof FileFlattener)) return { key: `${flattener.code} ${flattener.reason}`, target: flattener };
    return { key: `${detected.format.id} ${flattener.context.fileTimestamp ?? ''}`, target: new VettedFlattener(detected.format, flattener) };
  }
}
