/**
 * The bounded-memory path for huge raw files (above --stream-threshold-mb, and files the whole-file path
 * answers with status 'stream'). Bytes are inflated as a stream (a gzip bomb is stopped early: see
 * transform/inflation.ts), checked and decoded as UTF-8, then read record by record: the items of one
 * document's `records` array, assembled from stream-json's tokens (transform/records-reader.ts), or NDJSON lines,
 * each JSON.parse'd alone. Records are flattened by the same code as whole files. Every record, line and key is
 * bounded in size and depth, so memory does not grow with the input. Rows go to shards of their own, which the
 * caller deletes if the file turns out bad, so a truncated huge file never leaves half its rows behind.
 */
import { rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { MAX_PARSE_BYTES } from '../../transform/decode.js';
import { FileFlattener, startFile, type ReadOutcome } from '../../transform/file-flattener.js';
import type { FileContext } from '../../transform/types.js';
import { LineSplitter } from '../../transform/line-splitter.js';
import { LinesFlattener } from '../../transform/ndjson-input.js';
import { previewKey } from '../../transform/preview.js';
import { DocumentError, RecordsReader } from '../../transform/records-reader.js';
import { vlilleV1 } from '../../transform/vlille-v1.js';
import type { BatchResult, ReadContext } from './messages.js';
import { noStations, packStations } from './station-batch.js';
import { ShardWriter } from '../staging/shards.js';
import type { TimeWindow } from '../sources/window.js';
import { StreamReject, detectNdjson, textChunks, type TextChunk } from './stream-bytes.js';
import { peekCsv } from './peek-csv.js';
import { streamCsv } from './stream-csv.js';
import { fullCollection } from '../runtime/heap.js';

/** What the streaming path can answer: it never hands a file on (no 'stream'). */
export type StreamedOutcome = ReadOutcome;

const FLUSH_CHARS = 4 * 1024 * 1024;
/** More stations than a few minutes of a real network hold: their packing is worth a collection first. */
const MANY_STATIONS = 5_000;

type Sink = { push(chunk: TextChunk): void; end(): void; readonly wanted: boolean };
type Flushable = { readonly bufferedLength: number; takeNdjson(): string };

/**
 * Read the rest without using it. The whole-file path checks the whole text (UTF-8, gzip) before its syntax,
 * so a file that is bad in both ways gets the same code from both paths; reading on costs time, not memory.
 */
async function drain(chunks: AsyncIterator<TextChunk>): Promise<void> {
  for (let next = await chunks.next(); !next.done; next = await chunks.next());
}

/** Feed the text to a reader, writing the NDJSON out as it grows. */
async function feed(chunks: AsyncIterator<TextChunk>, sink: Sink, rows: Flushable, write: (ndjson: string) => Promise<void>): Promise<void> {
  for (let next = await chunks.next(); !next.done; next = await chunks.next()) {
    try {
      sink.push(next.value);
    } catch (error) {
      if (error instanceof DocumentError) await drain(chunks);
      throw error;
    }
    if (rows.bufferedLength >= FLUSH_CHARS) await write(rows.takeNdjson());
    if (!sink.wanted) return drain(chunks);
  }
  sink.end();
}

/** NDJSON: lines up to the size JSON.parse is given at once (a longer one is a rejected line). */
async function streamLines(chunks: AsyncIterator<TextChunk>, context: FileContext, write: (ndjson: string) => Promise<void>): Promise<StreamedOutcome> {
  const lines = new LinesFlattener(context, (format, fileContext) => new FileFlattener(format, fileContext));
  const splitter = new LineSplitter(MAX_PARSE_BYTES, (line) => lines.add(line));
  await feed(chunks, { push: (chunk) => splitter.push(chunk.bytes), end: () => splitter.end(), get wanted() { return lines.wanted; } }, lines, write);
  return lines.finish();
}

/** One document: its `records` items, one at a time; the format is checked once the top level is known. */
async function streamDocument(chunks: AsyncIterator<TextChunk>, context: FileContext, write: (ndjson: string) => Promise<void>): Promise<StreamedOutcome> {
  // Only ODS v1 documents are streamed (other JSON shapes are read whole); its network and --input-format hold here too.
  const forced = context.inputFormat !== undefined && context.inputFormat !== 'auto' && context.inputFormat !== vlilleV1.id;
  const flattener = forced ? null : startFile(vlilleV1, null, context);
  if (!(flattener instanceof FileFlattener)) {
    await drain(chunks);
    return flattener ?? { status: 'rejected', code: 'UNKNOWN_SHAPE', reason: `unknown file format (--input-format ${context.inputFormat}): a streamed document is read as ${vlilleV1.id} only`, rejects: [] };
  }
  let first: unknown;
  const reader = new RecordsReader({
    item(record, index) {
      if (index === 0) first = record;
      flattener.add(record, index);
    },
    skipped: (index, reason) => flattener.reject(index, reason),
  });
  await feed(chunks, { push: (chunk) => reader.push(chunk.text), end: () => reader.end(), wanted: true }, flattener, write);
  // What the whole-file path's detect() would see of this document.
  const top = { nhits: reader.keys.has('nhits') ? 0 : undefined, parameters: reader.keys.has('parameters') ? {} : undefined, records: first === undefined ? [] : [first] };
  if (!reader.sawRecords || !vlilleV1.detect(top)) {
    return { status: 'rejected', code: 'UNKNOWN_SHAPE', reason: `unknown file format: no top-level "records" array of V'lille records (keys: ${[...reader.keys].slice(0, 8).map(previewKey).join(', ')})`, rejects: [] };
  }
  return flattener.finish();
}

/**
 * Flatten one file from a stream, handing NDJSON rows to `write` as they come (at most ~4 MiB at a time).
 * On a non-loaded outcome the caller must discard what was written. Gzip is recognised by its bytes.
 */
export async function streamFlattenFile(
  input: Readable,
  context: FileContext,
  write: (ndjson: string) => Promise<void>,
  options: { onBytes?: (bytes: number) => void; writeLocated?: (ndjson: string) => Promise<void> } = {},
): Promise<StreamedOutcome> {
  // Without a writer for them, coordinate-keyed rows stay in the outcome (tests read them there).
  const writeLocated = options.writeLocated;
  const total = { bytes: 0 };
  try {
    const text = textChunks(input, options.onBytes ?? (() => undefined), total);
    const { ndjson, all } = await detectNdjson(text, MAX_PARSE_BYTES);
    const csv = ndjson ? null : await peekCsv(all);
    const outcome = ndjson ? await streamLines(all, context, write) : csv!.csv ? await streamCsv(csv!.all, context, write, writeLocated) : await streamDocument(csv!.all, context, write);
    if (outcome.status === 'loaded' && outcome.recordsNdjson) {
      await write(outcome.recordsNdjson);
      outcome.recordsNdjson = '';
    }
    if (writeLocated && outcome.status === 'loaded' && outcome.locatedNdjson) {
      await writeLocated(outcome.locatedNdjson);
      outcome.locatedNdjson = '';
    }
    return outcome;
  } catch (error) {
    if (error instanceof StreamReject) return { status: 'rejected', code: error.code, reason: `${error.message} (streamed)`, rejects: [] };
    if (!(error instanceof DocumentError)) throw error;
    const code = error.code === 'EMPTY' && total.bytes === 0 ? 'EMPTY' : error.code;
    const reason = code === 'EMPTY' && total.bytes === 0 ? 'file is empty (0 bytes)' : error.message;
    return { status: 'rejected', code, reason: `${reason} (streamed)`, rejects: [] };
  }
}

/**
 * Stream one huge file into shards of their own (`records-stream-ID-*`); they are deleted again when the
 * file turns out bad. `onBytes` sees the raw bytes as they are read (progress).
 */
export async function streamFileToShards(
  input: Readable,
  file: { name: string; id: number; spoolDir: string; shardBytes: number; window: TimeWindow; read: ReadContext },
  onBytes: (bytes: number) => void,
): Promise<BatchResult> {
  const writer = new ShardWriter(file.spoolDir, `records-stream-${file.id}`, file.shardBytes);
  const locatedWriter = new ShardWriter(file.spoolDir, `located-stream-${file.id}`, file.shardBytes);
  let outcome: StreamedOutcome | null = null;
  let shards: string[] = [];
  let locatedShards: string[] = [];
  let bytesRead = 0;
  const counted = (bytes: number): void => {
    bytesRead += bytes;
    onBytes(bytes);
  };
  try {
    const context = { name: file.name, window: file.window, ...file.read };
    outcome = await streamFlattenFile(input, context, (text) => writer.write(text), { onBytes: counted, writeLocated: (text) => locatedWriter.write(text) });
  } finally {
    // Also when reading failed (an exception): no shard of a file that did not load is left behind.
    input.destroy();
    shards = await writer.close();
    locatedShards = await locatedWriter.close();
    if (outcome?.status !== 'loaded') {
      await Promise.all([...shards, ...locatedShards].map((shard) => rm(shard, { force: true })));
      shards = [];
      locatedShards = [];
    }
  }
  if (outcome.status !== 'loaded') return { files: [{ ...outcome, bytesRead }], stations: noStations() };
  const { recordsNdjson: _rest, locatedNdjson: _located, stations, ...rest } = outcome;
  // The stream's garbage (tens of MB after a huge file) goes before the stations are packed on top of it: a
  // 60,000-station minute's worker heap used 53 → 38 MB before packing. Only for such files: no cost elsewhere.
  if (stations.size > MANY_STATIONS) fullCollection();
  return { files: [{ ...rest, shards, locatedShards, bytesRead }], stations: packStations(stations, file.spoolDir) };
}
