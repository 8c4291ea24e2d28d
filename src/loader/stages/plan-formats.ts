/**
 * Files and bytes per raw format, for `plan`: the head of every file to read (HEAD_BYTES, a range read on GCS),
 * inflated and decoded as the run does, and detected by transform/sniff.ts. A head that tells nothing (a record
 * larger than the head, a file that is not text) counts as `unknown`: the run itself decides those files.
 */
import PQueue from 'p-queue';
import { sniffFormat, UNKNOWN_FORMAT } from '../../transform/sniff.js';
import type { Source, SourceObject } from '../sources/source.js';
import { textChunks } from '../workers/stream-bytes.js';

/** Enough for any format's members and first record (a V'lille v1 record is ~1 KB, a WFS feature ~0.6 KB). */
export const HEAD_BYTES = 64 * 1024;
/** Of gzipped files, the inflated text read at most. */
const MAX_HEAD_TEXT = 256 * 1024;

export type FormatCounts = Record<string, { files: number; bytes: number }>;

/** The text at the start of a file; a gzip stream cut by the range read ends the text there. */
async function headText(source: Source, object: SourceObject): Promise<string> {
  let text = '';
  try {
    for await (const chunk of textChunks(source.open(object, HEAD_BYTES), () => undefined, { bytes: 0 })) {
      text += chunk.text;
      if (text.length >= MAX_HEAD_TEXT) break;
    }
  } catch {
    // Truncated gzip (the range read cut it) or text cut inside a character: what was decoded is the head.
  }
  return text;
}

export async function countFormats(source: Source, files: readonly SourceObject[], options: { inputFormat?: string; concurrency: number; onFile?: () => void }): Promise<FormatCounts> {
  const counts: FormatCounts = {};
  const queue = new PQueue({ concurrency: options.concurrency });
  await Promise.all(
    files.map((file) =>
      queue.add(async () => {
        const text = await headText(source, file).catch(() => '');
        const id = text === '' ? UNKNOWN_FORMAT : sniffFormat(text, options.inputFormat);
        const entry = (counts[id] ??= { files: 0, bytes: 0 });
        entry.files += 1;
        entry.bytes += file.size;
        options.onFile?.();
      }),
    ),
  );
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}
