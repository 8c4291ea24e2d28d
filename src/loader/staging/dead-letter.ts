/** The dead-letter report: one NDJSON line per rejected file or record, with the reason. */
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

export interface DeadLetterEntry {
  file: string;
  code: string;
  reason: string;
  /** Index of the record in the file's records array, for row rejects. */
  record_index?: number;
}

export class DeadLetterWriter {
  private stream: WriteStream | null = null;
  private files = new Set<string>();
  entries = 0;

  constructor(
    readonly path: string,
    private readonly runId: string,
  ) {}

  write(entry: DeadLetterEntry): void {
    if (!this.stream) {
      // Created on first use: a clean run leaves no empty report behind.
      mkdirSync(path.dirname(this.path), { recursive: true });
      this.stream = createWriteStream(this.path, { flags: 'a' });
    }
    this.entries++;
    this.files.add(entry.file);
    this.stream.write(`${JSON.stringify({ ...entry, run_id: this.runId, at: new Date().toISOString() })}\n`);
  }

  get fileCount(): number {
    return this.files.size;
  }

  /** Idempotent: the run closes it before keeping a copy, and again on its way out. */
  async close(): Promise<void> {
    const stream = this.stream;
    if (!stream || stream.writableFinished) return;
    const done = once(stream, 'finish');
    if (!stream.writableEnded) stream.end();
    await done;
  }
}
