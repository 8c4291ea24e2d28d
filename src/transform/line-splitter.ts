/**
 * Byte chunks → NDJSON lines (1-based numbers), each at most `maxLineBytes`: a longer line is reported
 * and skipped without being held (readline would buffer a 1 GB line whole).
 */
import { parseLine, type NdjsonLine } from './ndjson-lines.js';

export class LineSplitter {
  private pieces: Buffer[] = [];
  private size = 0;
  private tooLong = false;
  private line = 1;
  private blank = true;

  constructor(
    private readonly maxLineBytes: number,
    private readonly onLine: (line: NdjsonLine) => void,
  ) {}

  push(chunk: Buffer): void {
    let from = 0;
    for (let nl = chunk.indexOf(0x0a); nl >= 0; nl = chunk.indexOf(0x0a, from)) {
      this.keep(chunk, from, nl);
      this.emit();
      from = nl + 1;
    }
    this.keep(chunk, from, chunk.length);
  }

  end(): void {
    if (this.size > 0 || this.tooLong) this.emit();
  }

  private keep(chunk: Buffer, from: number, to: number): void {
    if (to <= from) return;
    if (this.blank) this.blank = isBlank(chunk, from, to);
    this.size += to - from;
    if (this.size > this.maxLineBytes) {
      this.tooLong = true;
      this.pieces = [];
    } else {
      this.pieces.push(chunk.subarray(from, to));
    }
  }

  private emit(): void {
    const line = this.line++;
    if (this.tooLong) this.onLine({ line, error: `longer than ${this.maxLineBytes} bytes (${this.size}): not read` });
    else if (!this.blank) this.onLine(parseLine(Buffer.concat(this.pieces, this.size).toString('utf8'), line));
    this.pieces = [];
    this.size = 0;
    this.tooLong = false;
    this.blank = true;
  }
}

function isBlank(chunk: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = chunk[i];
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return false;
  }
  return true;
}
