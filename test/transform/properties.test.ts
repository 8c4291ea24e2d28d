/**
 * Property tests (fast-check, fixed seed, bounded runs): whatever the bytes, the whole-file path and the
 * streaming path answer with an outcome, never an exception; what they load is valid staged NDJSON; every
 * record seen is a row, a reject or a degraded record; and both paths agree.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { streamFlattenFile } from '../../src/loader/workers/stream-file.js';
import type { FileOutcome } from '../../src/transform/file-flattener.js';
import { flattenFileBytes } from '../../src/transform/flatten-file.js';
import { minuteDocument, pythonJson, stationCatalog } from '../support/vlille-synth.js';

const SEED = Number(process.env.VELO_PROPERTY_SEED ?? 20261129);
/** Runs per property (more with VELO_PROPERTY_RUNS; another seed with VELO_PROPERTY_SEED). */
const RUNS = Number(process.env.VELO_PROPERTY_RUNS ?? 100);
const settings = { seed: SEED, numRuns: RUNS };
/** Small inputs are cheap: three times the runs, in chunks down to one byte. */
const cheap = { seed: SEED, numRuns: 3 * RUNS };
/** Minute-sized inputs streamed in chunks of 16 bytes and more (one-byte chunks: see stream-file.test.ts). */
const chunks = fc.integer({ min: 16, max: 4096 });
const ctx = { name: 'data___2023_08_24_20_09_00.json' };

const CANONICAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/;
const MIN_MS = Date.parse('0001-01-01T00:00:00Z');
const MAX_MS = Date.parse('9999-12-31T23:59:59.999999Z');

function checkTimestamp(value: unknown, nullable: boolean): void {
  if (nullable && value === null) return;
  assert.ok(typeof value === 'string' && CANONICAL.test(value), `timestamp ${JSON.stringify(value)}`);
  const ms = Date.parse(value);
  assert.ok(ms >= MIN_MS && ms <= MAX_MS, `instant of ${value}`);
}

/** The invariants of any outcome; returns the number of records it accounts for. */
function checkOutcome(outcome: FileOutcome, ndjson: string): number {
  assert.ok(['loaded', 'degraded', 'rejected', 'stream'].includes(outcome.status), outcome.status);
  if (outcome.status === 'rejected') {
    assert.ok(outcome.reason.length > 5 && outcome.reason.length < 2000, outcome.reason.slice(0, 100));
    return -1;
  }
  if (outcome.status !== 'loaded') return outcome.status === 'degraded' ? outcome.degradedRecords : -1;
  const lines = ndjson === '' ? [] : ndjson.replace(/\n$/, '').split('\n');
  assert.equal(lines.length, outcome.rows);
  for (const line of lines) {
    assert.ok(/^[\x20-\x7e]*$/.test(line), 'staged NDJSON is ASCII');
    const row = JSON.parse(line) as Record<string, unknown>;
    assert.ok(Number.isSafeInteger(row.station_id) && (row.station_id as number) > 0, `station_id ${String(row.station_id)}`);
    for (const count of [row.nb_velos_dispo, row.nb_places_dispo]) assert.ok(Number.isSafeInteger(count) && (count as number) >= 0, `count ${String(count)}`);
    checkTimestamp(row.record_timestamp, false);
    checkTimestamp(row.derniere_maj, true);
  }
  assert.ok(outcome.rejects.length <= Math.min(100, outcome.rejectedRows));
  return outcome.rows + outcome.rejectedRows + outcome.degradedRecords;
}

async function streamed(bytes: Uint8Array, chunk: number): Promise<{ outcome: FileOutcome; ndjson: string }> {
  const buffer = Buffer.from(bytes);
  const pieces = Array.from({ length: Math.ceil(buffer.length / chunk) }, (_, i) => buffer.subarray(i * chunk, (i + 1) * chunk));
  let ndjson = '';
  const outcome = await streamFlattenFile(Readable.from(pieces), ctx, async (text) => void (ndjson += text));
  return { outcome, ndjson };
}

/** Both paths on the same bytes: invariants, and the same verdict. Returns the records accounted for. */
async function bothPaths(bytes: Uint8Array, chunk: number): Promise<number> {
  const whole = flattenFileBytes(bytes, ctx);
  const seen = checkOutcome(whole, whole.status === 'loaded' ? whole.recordsNdjson : '');
  const stream = await streamed(bytes, chunk);
  const seenStreaming = checkOutcome(stream.outcome, stream.ndjson);
  const verdict = (o: FileOutcome): unknown => (o.status === 'rejected' ? o.code : o.status === 'loaded' ? [o.rows, o.rejectedRows, o.degradedRecords] : o.status);
  if (whole.status !== 'stream') {
    assert.deepEqual(verdict(stream.outcome), verdict(whole), `whole: ${JSON.stringify(verdict(whole))}`);
    assert.equal(seenStreaming, seen);
  }
  return seen;
}

// --- generators ---

const stations = stationCatalog(12, 5);
const at = DateTime.fromISO('2023-08-24T20:08:00', { zone: 'Europe/Paris' });
const base = minuteDocument({ stations, at, seed: 3 }) as { records: { fields: Record<string, unknown>; record_timestamp: unknown }[] };

const FIELD_KEYS = ['libelle', 'nbvelosdispo', 'nbplacesdispo', 'nom', 'etat', 'etatconnexion', 'datemiseajour', 'geo'];
const hostileValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(-0, 2 ** 53, 2 ** 64, 1e308, -1, 0.5, '', '12', ' 7 ', '\u0000', '\ud800', 'É'.repeat(1100)),
  fc.constantFrom('2023-02-30T10:00:00Z', '2023-08-24T24:00:00+02:00', '0000-01-01T00:00:00Z', '2023-08-24T20:08:00+15:00', '0001-01-01T00:00:00+14:00', '2023-08-24 20:08+02', '2023-08-24T20:08:00.1234567Z'),
);

/** A real-shaped minute with some fields (or whole records) replaced by hostile values. */
const mutatedMinute = fc
  .array(fc.record({ record: fc.nat(base.records.length - 1), key: fc.constantFrom(...FIELD_KEYS, 'record_timestamp', 'fields', 'record'), value: hostileValue }), { maxLength: 8 })
  .map((mutations) => {
    const doc = structuredClone(base) as { records: unknown[] };
    for (const { record, key, value } of mutations) {
      const target = doc.records[record] as Record<string, unknown>;
      if (key === 'record') doc.records[record] = value;
      else if (typeof target !== 'object' || target === null || Array.isArray(target)) continue;
      else if (key === 'record_timestamp' || key === 'fields') target[key] = value;
      else if (typeof target.fields === 'object' && target.fields !== null) (target.fields as Record<string, unknown>)[key] = value;
    }
    return doc;
  });

/** Text edits of a minute's bytes: cut, insert, truncate. */
const textEdit = fc.tuple(fc.nat(), fc.nat(40), fc.constantFrom('', '{', '}', ']', '[', '"', ',', '\n', '\\', 'null', '\u0000', 'é', '\ufeff'));
function edit(text: string, [at, length, insert]: [number, number, string]): string {
  const i = at % (text.length + 1);
  return `${text.slice(0, i)}${insert}${text.slice(i + length)}`;
}

const JSONISH = ['{', '}', '[', ']', '"', ',', ':', ' ', '\n', '\\', '1', '-', 'e', '.', 'true', 'null', '"records"', '"fields"', '"libelle"', '"nhits"', 'ÿ', '\ud800'];

test('any bytes: an outcome, never an exception; both paths agree', async () => {
  await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), fc.integer({ min: 1, max: 64 }), async (bytes, chunk) => void (await bothPaths(bytes, chunk))), cheap);
});

test('JSON-ish text: an outcome, never an exception; both paths agree', async () => {
  const text = fc.array(fc.constantFrom(...JSONISH), { maxLength: 120 }).map((parts) => parts.join(''));
  await fc.assert(fc.asyncProperty(text, fc.integer({ min: 1, max: 64 }), async (t, chunk) => void (await bothPaths(Buffer.from(t), chunk))), cheap);
});

test('real-shaped minutes with hostile values: every record is a row, a reject or degraded, in both paths', async () => {
  const shapes = fc.constantFrom<(doc: unknown) => string>(pythonJson, (doc) => JSON.stringify(doc, null, 2), (doc) => `\ufeff${JSON.stringify(doc)}`);
  await fc.assert(
    fc.asyncProperty(mutatedMinute, shapes, fc.boolean(), chunks, async (doc, shape, gzip, chunk) => {
      const text = shape(doc);
      const seen = await bothPaths(gzip ? gzipSync(text) : Buffer.from(text), chunk);
      if (seen >= 0) assert.equal(seen, doc.records.length);
    }),
    settings,
  );
});

test('NDJSON of records with hostile values and broken lines: each line is accounted for, in both paths', async () => {
  const lines = fc.array(fc.oneof(mutatedMinute.map((doc) => JSON.stringify(doc.records[0])), fc.constantFrom('{"fields":', 'garbage', '', '[]', '{}')), { minLength: 2, maxLength: 12 });
  await fc.assert(
    fc.asyncProperty(lines, chunks, async (list, chunk) => {
      const text = [JSON.stringify(base.records[0]), ...list].join('\n');
      const seen = await bothPaths(Buffer.from(text), chunk);
      if (seen >= 0) assert.equal(seen, 1 + list.filter((line) => line !== '').length);
    }),
    settings,
  );
});

test('edited bytes of real-shaped minutes (cut, inserted, truncated, gzipped): an outcome, never an exception; both paths agree', async () => {
  const text = pythonJson(base);
  await fc.assert(
    fc.asyncProperty(fc.array(textEdit, { minLength: 1, maxLength: 3 }), fc.boolean(), chunks, async (edits, gzip, chunk) => {
      const edited = edits.reduce(edit, text);
      await bothPaths(gzip ? gzipSync(edited) : Buffer.from(edited), chunk);
    }),
    settings,
  );
});
