/**
 * A streamed document's records, held on disk while its format waits for the document's end (a MEL WFS
 * `timeStamp` after the features, a GBFS `last_updated` after `data`): each record in V8's serialization (exact:
 * Infinity, -0, lone surrogates come back as they were assembled), or the reason it was not read, in order. The file
 * is created at the first record, in the run's spool folder, and removed by `close`. Memory: a 1 MiB buffer each way
 * and one record.
 */
import { randomUUID } from 'node:crypto';
import { closeSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { deserialize, serialize } from 'node:v8';
import type { PendingRecords } from '../../transform/streamed-document.js';

/** A record back from the spool: the record, or why it was not read. */
export type HeldRecord = { index: number; record: unknown } | { index: number; reason: string };

const RECORD = 0;
const REJECT = 1;
/** A frame: its kind (1 byte), its payload's length (4 bytes), its payload. */
const HEADER_BYTES = 5;
const BUFFER_BYTES = 1024 * 1024;

export class RecordSpool implements PendingRecords {
  private readonly file: string;
  private fd: number | null = null;
  private readonly out = Buffer.allocUnsafe(BUFFER_BYTES);
  private used = 0;

  constructor(dir: string) {
    this.file = path.join(dir, `held-records-${randomUUID()}.v8`);
  }

  add(record: unknown): void {
    this.frame(RECORD, serialize(record));
  }

  reject(_index: number, reason: string): void {
    this.frame(REJECT, Buffer.from(reason));
  }

  /** The records in the order they came, numbered from 0. */
  *replay(): Generator<HeldRecord> {
    if (this.fd === null) return;
    this.flush();
    const frames = new FrameReader(this.fd);
    for (let index = 0; ; index++) {
      const frame = frames.next();
      if (frame === null) return;
      yield frame.kind === RECORD ? { index, record: deserialize(frame.payload) } : { index, reason: frame.payload.toString() };
    }
  }

  close(): void {
    if (this.fd === null) return;
    closeSync(this.fd);
    this.fd = null;
    rmSync(this.file, { force: true });
  }

  private frame(kind: number, payload: Buffer): void {
    this.fd ??= openSync(this.file, 'w+');
    if (this.used + HEADER_BYTES + payload.length > this.out.length) this.flush();
    this.out[this.used] = kind;
    this.out.writeUInt32LE(payload.length, this.used + 1);
    this.used += HEADER_BYTES;
    if (payload.length > this.out.length - this.used) {
      this.flush();
      writeSync(this.fd, payload);
      return;
    }
    payload.copy(this.out, this.used);
    this.used += payload.length;
  }

  private flush(): void {
    if (this.used > 0) writeSync(this.fd!, this.out, 0, this.used);
    this.used = 0;
  }
}

/** Frames read back from the start of the file, through one buffer (grown for a frame larger than it). */
class FrameReader {
  private buffer = Buffer.allocUnsafe(BUFFER_BYTES);
  private start = 0;
  private end = 0;
  private position = 0;

  constructor(private readonly fd: number) {}

  next(): { kind: number; payload: Buffer } | null {
    if (!this.fill(HEADER_BYTES)) return null;
    const kind = this.buffer[this.start]!;
    const length = this.buffer.readUInt32LE(this.start + 1);
    if (!this.fill(HEADER_BYTES + length)) throw new Error('the spooled records end inside a record');
    const payload = this.buffer.subarray(this.start + HEADER_BYTES, this.start + HEADER_BYTES + length);
    this.start += HEADER_BYTES + length;
    return { kind, payload };
  }

  /** At least `bytes` unread bytes in the buffer; false at the end of the file. */
  private fill(bytes: number): boolean {
    if (this.end - this.start >= bytes) return true;
    const bigger = bytes > this.buffer.length ? Buffer.allocUnsafe(bytes) : this.buffer;
    this.buffer.copy(bigger, 0, this.start, this.end);
    this.buffer = bigger;
    this.end -= this.start;
    this.start = 0;
    while (this.end < bytes) {
      const read = readSync(this.fd, this.buffer, this.end, this.buffer.length - this.end, this.position);
      if (read === 0) return false;
      this.end += read;
      this.position += read;
    }
    return true;
  }
}
