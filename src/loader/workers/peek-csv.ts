/** Is a streamed text CSV? Reads ahead to the end of its first non-blank line (at most 4 KiB past it: no header is longer). */
import { isCsvHeader } from '../../transform/decode.js';
import type { TextChunk } from './stream-bytes.js';

const MAX_HEADER_CHARS = 8192;

export async function peekCsv(chunks: AsyncGenerator<TextChunk>): Promise<{ csv: boolean; all: AsyncGenerator<TextChunk> }> {
  const seen: TextChunk[] = [];
  let text = '';
  for (let next = await chunks.next(); !next.done; next = await chunks.next()) {
    seen.push(next.value);
    text += next.value.text;
    const start = text.replace(/^[ \t\r\n]+/, '');
    if ((start.length > 0 && start.includes('\n')) || text.length > MAX_HEADER_CHARS) break;
  }
  const start = text.replace(/^[ \t\r\n]+/, '');
  const newline = start.indexOf('\n');
  const csv = isCsvHeader(newline < 0 ? start : start.slice(0, newline));
  async function* all(): AsyncGenerator<TextChunk> {
    yield* seen.splice(0);
    yield* chunks;
  }
  return { csv, all: all() };
}
