/**
 * The streaming path for CSV (MEL OGC API): text chunks → csv-parse's stream parser → the same format module as
 * the whole-file path (transform/csv-input.ts), one row at a time, so a 100 MB CSV never sits in memory.
 * The header decides the format; rows are flushed to `write` as they grow.
 */
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { expectedShapes, detectFormat } from '../../transform/formats.js';
import { FileFlattener, startFile, type ReadOutcome } from '../../transform/file-flattener.js';
import type { FileContext } from '../../transform/types.js';
import { StreamReject, type TextChunk } from './stream-bytes.js';

const FLUSH_CHARS = 4 * 1024 * 1024;

async function* texts(chunks: AsyncIterator<TextChunk>): AsyncGenerator<string> {
  for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield next.value.text;
}

function rejected(code: 'NOT_CSV' | 'UNKNOWN_SHAPE', reason: string): ReadOutcome {
  return { status: 'rejected', code, reason, rejects: [] };
}

export async function streamCsv(
  chunks: AsyncIterator<TextChunk>,
  context: FileContext,
  write: (ndjson: string) => Promise<void>,
  writeLocated?: (ndjson: string) => Promise<void>,
): Promise<ReadOutcome> {
  let header: string[] = [];
  const parser = parse({ bom: true, skip_empty_lines: true, relax_column_count: true, columns: (names: string[]) => (header = names.map((name) => name.trim())) });
  const source = Readable.from(texts(chunks));
  source.on('error', (error) => parser.destroy(error));
  source.pipe(parser);
  let flattener: FileFlattener | ReadOutcome | null = null;
  let index = 0;
  try {
    for await (const row of parser as AsyncIterable<Record<string, string>>) {
      flattener ??= start(header, context);
      if (!(flattener instanceof FileFlattener)) break;
      flattener.add(row, index++);
      if (flattener.bufferedLength >= FLUSH_CHARS) {
        await write(flattener.takeNdjson());
        if (writeLocated) await writeLocated(flattener.takeLocatedNdjson());
      }
    }
  } catch (error) {
    if (error instanceof StreamReject) throw error;
    return rejected('NOT_CSV', `not valid CSV: ${(error as Error).message.slice(0, 200)}`);
  } finally {
    source.destroy();
  }
  flattener ??= start(header, context);
  return flattener instanceof FileFlattener ? flattener.finish() : flattener;
}

function start(header: string[], context: FileContext): FileFlattener | ReadOutcome {
  const doc = { csvColumns: header, rows: [] };
  const detected = detectFormat(doc, context.inputFormat);
  if (!detected) return rejected('UNKNOWN_SHAPE', `unknown file format: CSV with columns [${header.slice(0, 16).join(', ')}]; expected ${expectedShapes(context.inputFormat)}`);
  return startFile(detected.format, doc, context);
}
