/**
 * A file's FileFlattener with its format's per-record file check (`fileVeto`): the streaming path's view of what
 * `begin` does for a whole document (a GBFS station id that is no integer rejects the file, with the first such id).
 */
import type { FileFlattener, ReadOutcome, RejectedFile } from './file-flattener.js';
import type { FormatModule } from './types.js';

export class VettedFlattener {
  private vetoed: RejectedFile | null = null;

  constructor(
    private readonly format: FormatModule,
    private readonly flattener: FileFlattener,
  ) {}

  /** False once a record rejected the file: the rest need not be read. */
  get wanted(): boolean {
    return this.vetoed === null;
  }

  add(record: unknown, index: number): void {
    if (this.vetoed !== null) return;
    const veto = this.format.fileVeto?.(record) ?? null;
    if (veto !== null) this.vetoed = { status: 'rejected', code: veto.code, reason: veto.reject, rejects: [] };
    else this.flattener.add(record, index);
  }

  /** A record that could not be read (too large or too deep to stream). */
  reject(index: number, reason: string): void {
    if (this.vetoed === null) this.flattener.reject(index, reason);
  }

  get bufferedLength(): number {
    return this.flattener.bufferedLength;
  }

  takeNdjson(): string {
    return this.flattener.takeNdjson();
  }

  finish(): ReadOutcome {
    return this.vetoed ?? this.flattener.finish();
  }
}
