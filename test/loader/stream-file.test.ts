/** The streaming path against the whole-file path, and its bounds on hostile input. */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { streamFlattenFile } from '../../src/loader/workers/stream-file.js';
import type { FileOutcome } from '../../src/transform/file-flattener.js';
import { flattenFileBytes } from '../../src/transform/flatten-file.js';
import { FIXTURES } from '../support/cli.js';

function* pieces(bytes: Buffer, size: number): Generator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

/** Stream `bytes` in chunks of `size`; returns the outcome, the NDJSON written and the raw bytes read. */
async function stream(bytes: Buffer, size = 65536, name = 'x.json'): Promise<{ outcome: FileOutcome; ndjson: string; read: number }> {
  let ndjson = '';
  let read = 0;
  const outcome = await streamFlattenFile(Readable.from(pieces(bytes, size)), { name }, async (text) => void (ndjson += text), { onBytes: (n) => (read += n) });
  return { outcome, ndjson, read };
}

/** What both paths must agree on. */
function summary(outcome: FileOutcome, ndjson: string): unknown {
  if (outcome.status === 'rejected') return { status: outcome.status, code: outcome.code, rejects: outcome.rejects };
  if (outcome.status !== 'loaded') return outcome.status === 'degraded' ? { status: 'degraded', degraded: outcome.degradedRecords } : outcome;
  return { status: 'loaded', rows: outcome.rows, rejected: outcome.rejectedRows, degraded: outcome.degradedRecords, rejects: outcome.rejects, ndjson, stations: outcome.stations.values() };
}

const fixtureFiles = ['vlille/minutes', 'vlille/hostile'].flatMap((dir) => readdirSync(path.join(FIXTURES, dir)).map((name) => path.join(FIXTURES, dir, name)));

test('every fixture file: the streaming path gives the whole-file outcome, whatever the chunk size', async () => {
  for (const file of fixtureFiles) {
    const bytes = readFileSync(file);
    const whole = flattenFileBytes(bytes, { name: 'x.json' });
    const expected = summary(whole, whole.status === 'loaded' ? whole.recordsNdjson : '');
    for (const size of [1, 7, 4096]) {
      const { outcome, ndjson } = await stream(bytes, size);
      assert.deepEqual(summary(outcome, ndjson), expected, `${path.basename(file)} in chunks of ${size}`);
    }
  }
});

test('a gzip bomb is stopped after reading a small part of it', async () => {
  const bomb = gzipSync(Buffer.alloc(300 * 2 ** 20, 0x20), { level: 9 }); // ~300 KB
  const { outcome, read } = await stream(bomb, 16384, 'bomb.json');
  assert.equal(outcome.status === 'rejected' && outcome.code, 'BAD_GZIP');
  assert.match(outcome.status === 'rejected' ? outcome.reason : '', /expands more than 100×/);
  assert.ok(read < bomb.length / 4, `read ${read} of ${bomb.length} bytes`);
});

test('gzip is recognised by its bytes, not its name; corrupt gzip is BAD_GZIP', async () => {
  const text = readFileSync(path.join(FIXTURES, 'vlille/minutes', readdirSync(path.join(FIXTURES, 'vlille/minutes'))[0]!));
  const gz = gzipSync(text);
  assert.equal((await stream(gz, 1000, 'no-gz-suffix.json')).outcome.status, 'loaded');
  const truncated = await stream(gz.subarray(0, gz.length - 100), 1000, 'x.json.gz');
  assert.equal(truncated.outcome.status === 'rejected' && truncated.outcome.code, 'BAD_GZIP');
});

const record = (id: number, extra = ''): string =>
  `{"fields": {"libelle": ${id}, "nbvelosdispo": 1, "nbplacesdispo": 2, "nom": "N"${extra}}, "record_timestamp": "2023-08-24T20:08:00.56+02:00"}`;

test('records too large or too deep are rejected one by one, in bounded memory; the rest load', async () => {
  const huge = record(2, `, "recordid": "${'x'.repeat(17 * 2 ** 20)}"`);
  const deep = record(3, `, "x": ${'['.repeat(100_000)}${']'.repeat(100_000)}`);
  const doc = Buffer.from(`{"nhits": 4, "records": [${record(1)}, ${huge}, ${deep}, ${record(4)}]}`);
  const { outcome } = await stream(doc);
  assert.equal(outcome.status, 'loaded');
  if (outcome.status !== 'loaded') return;
  assert.equal(outcome.rows, 2);
  assert.deepEqual(outcome.rejects.map((r) => [r.index, r.reason.replace(/\d{5,}/, 'N')]), [
    [1, 'record is larger than N bytes: not read'],
    [2, 'record nested deeper than 64 levels: not read'],
  ]);
});

test('NDJSON: bad lines, a line too long and blank lines, streamed as read whole', async () => {
  const lines = [record(1), '{"fields": ', '', record(2), `{"x": "${'y'.repeat(17 * 2 ** 20)}"}`, record(3), '\r', 'nul\u0000'];
  const bytes = Buffer.from(lines.join('\n'));
  const { outcome } = await stream(bytes);
  assert.equal(outcome.status, 'loaded');
  if (outcome.status !== 'loaded') return;
  assert.equal(outcome.rows, 3);
  assert.deepEqual(outcome.rejects.map((r) => r.line), [2, 5, 8]);
  assert.match(outcome.rejects[1]!.reason, /^line 5: longer than 524288 bytes \(\d+\): not read$/);
  const whole = flattenFileBytes(Buffer.from(lines.filter((_, i) => i !== 4).join('\n')), { name: 'x.json' });
  assert.equal(whole.status === 'loaded' && whole.rows, 3);
});

test('wrong shapes and broken documents get the whole-file codes', async () => {
  const cases: [string, string][] = [
    ['{"nhits": 1, "records": {"a": 1}}', 'UNKNOWN_SHAPE'],
    ['{"nhits": 1, "records": [], "records": []}', 'UNKNOWN_SHAPE'],
    ['"just a string"', 'UNKNOWN_SHAPE'],
    [`${'['.repeat(100_000)}${']'.repeat(100_000)}`, 'UNKNOWN_SHAPE'],
    ['[1, 2]', 'UNKNOWN_SHAPE'],
    [`${'['.repeat(100_000)}`, 'TRUNCATED'],
    [`{"nhits": 1, "records": [${record(1)}`, 'TRUNCATED'],
    [`{"nhits": 1, "records": [${record(1)}]} x`, 'NOT_JSON'],
    ['{"nhits": 2x89, "records": []}', 'NOT_JSON'],
    [`{"nhits": 1, "records": [${record(1).replace('"nom"', '"nom",')}]}`, 'NOT_JSON'],
    ['{"records": [1}', 'NOT_JSON'],
    ['   \n ', 'EMPTY'],
    ['', 'EMPTY'],
  ];
  for (const [text, code] of cases) {
    const { outcome } = await stream(Buffer.from(text), 5);
    assert.equal(outcome.status === 'rejected' && outcome.code, code, text.slice(0, 60));
    // The one difference: JSON.parse keeps the last of two "records" keys; the streaming path has read the first.
    if (text.includes('"records": [], "records"')) continue;
    const whole = flattenFileBytes(Buffer.from(text), { name: 'x.json' });
    assert.equal(whole.status === 'rejected' && whole.code, code, `whole-file: ${text.slice(0, 60)}`);
  }
});

/** `count` chunks of ~64 KiB of `fill` repeated (as a file is read), between `head` and `tail`: a huge input, never held. */
async function* huge(head: string, fill: string, count: number, tail: string): AsyncGenerator<Buffer> {
  yield Buffer.from(head);
  const piece = Buffer.alloc(65536 - (65536 % fill.length), fill);
  for (let i = 0; i < count; i++) yield piece;
  yield Buffer.from(tail);
}

test('a dense file the whole-file path hands on streams in bounded memory', async () => {
  const dense = Buffer.from(`{"nhits":1,"records":[${Array(600_000).fill('{}').join(',')}]}`);
  assert.equal(flattenFileBytes(dense, { name: 'x.json' }).status, 'stream');
  const streamed = (await stream(dense)).outcome;
  assert.equal(streamed.status === 'rejected' && streamed.code, 'NO_VALID_RECORDS');
  // 8 MiB of `{},`: 2.8 million records, ~150 MB if held at once.
  const before = process.memoryUsage.rss();
  const outcome = await streamFlattenFile(Readable.from(huge('{"nhits":1,"records":[', '{},', 128, '{}]}')), { name: 'x.json' }, async () => undefined);
  assert.equal(outcome.status === 'rejected' && outcome.code, 'NO_VALID_RECORDS');
  assert.match(outcome.status === 'rejected' ? outcome.reason : '', /none of its 2796161 record\(s\) is valid/);
assert.ok(process.memoryUsage.rss() - before < 64 * 2 ** 20, `RSS grew ${Math.round((process.memoryUsage.rss() - before) / 2 ** 20)} MB`);
});

test('a streamed record that would take more than 512 KiB to hold is rejected, not assembled; so is a line over 512 KiB', async () => {
  // 10,000 empty objects: 30 KB of text, 640 KB once assembled.
  const dense = `[${Array(10_000).fill('{}').join(',')}]`;
  const doc = await stream(Buffer.from(`{"nhits": 2, "records": [${record(1)}, ${dense}]}`));
  assert.equal(doc.outcome.status === 'loaded' && doc.outcome.rows, 1);
  assert.equal(doc.outcome.status === 'loaded' ? doc.outcome.rejects[0]!.reason : '', 'record is larger than 524288 bytes: not read');
  const long = `[${Array(400_000).fill('{}').join(',')}]`;
  const lines = await stream(Buffer.from(`${record(1)}\n${long}\n${record(2)}\n`));
  assert.equal(lines.outcome.status === 'loaded' && lines.outcome.rows, 2);
  assert.match(lines.outcome.status === 'loaded' ? lines.outcome.rejects[0]!.reason : '', /^line 2: longer than 524288 bytes \(1200001\): not read$/);
});

test('huge nesting and huge strings stream in bounded memory: the record is rejected, the rest loads', async () => {
  const MIB = 16; // chunks of 64 KiB
  const nested = (async function* () {
    yield* huge(`{"nhits": 3, "records": [${record(1)}, {"x": `, '[', 32 * MIB, '');
    yield* huge('', ']', 32 * MIB, `}, ${record(2)}]}`);
  })();
  const strings = (async function* () {
    yield* huge(`{"nhits": 3, "parameters": "`, 'x', 100 * MIB, `", "records": [${record(1)}, {"fields": {"nom": "`);
    yield* huge('', 'y', 100 * MIB, `"}}, ${record(2)}]}`);
  })();
  let ndjson = '';
  const before = process.memoryUsage.rss();
  const outcomes = [
    await streamFlattenFile(Readable.from(nested), { name: 'x.json' }, async (text) => void (ndjson += text)),
    await streamFlattenFile(Readable.from(strings), { name: 'x.json' }, async () => undefined),
  ];
  // Held whole, the 100 MiB string alone would take ~150 MB; the tokenizer's stack, ~8 bytes per open level (~700 MB).
  assert.ok(process.memoryUsage.rss() - before < 96 * 2 ** 20, `RSS grew ${Math.round((process.memoryUsage.rss() - before) / 2 ** 20)} MB`);
  const reasons = outcomes.map((outcome) => (outcome.status === 'loaded' ? [outcome.rows, outcome.rejects.map((r) => [r.index, r.reason])] : outcome.status));
  assert.deepEqual(reasons, [
    [2, [[1, 'record nested deeper than 64 levels: not read']]],
    [2, [[1, 'record is larger than 524288 bytes: not read']]],
  ]);
  assert.equal(ndjson.split('\n').length - 1, 2);
});

test('NDJSON of millions of lines streams in bounded memory', async () => {
  const before = process.memoryUsage.rss();
  const { outcome } = await stream(Buffer.concat([Buffer.from(`${record(1)}\n`), Buffer.from('1\n'.repeat(3 * 2 ** 20)), Buffer.from('\n'.repeat(4 * 2 ** 20)), Buffer.from(`${record(2)}\n`)]));
  assert.equal(outcome.status === 'loaded' && outcome.rows, 2);
  assert.equal(outcome.status === 'loaded' && outcome.rejectedRows, 3 * 2 ** 20);
  assert.deepEqual(outcome.status === 'loaded' && outcome.rejects[0], { index: 1, line: 2, reason: 'line 2: record is not an object' });
  assert.ok(process.memoryUsage.rss() - before < 100 * 2 ** 20, `RSS grew ${Math.round((process.memoryUsage.rss() - before) / 2 ** 20)} MB`);
});

test('past 64 levels strings and escapes are still followed, across chunk boundaries', async () => {
  const tricky = `${'['.repeat(100)}"]]\\"]", "\\\\", {"a]": "[\\u005d"}${']'.repeat(100)}`;
  const doc = Buffer.from(`{"nhits": 3, "records": [${record(1)}, ${record(2, `, "x": ${tricky}`)}, ${record(3)}]}`);
  for (const size of [1, 2, 3, 7, 100, 65536]) {
    const { outcome } = await stream(doc, size);
    assert.equal(outcome.status === 'loaded' && outcome.rows, 2, `chunks of ${size}`);
    assert.deepEqual(outcome.status === 'loaded' && outcome.rejects.map((r) => [r.index, r.reason]), [[1, 'record nested deeper than 64 levels: not read']]);
  }
});

test('a text that stops inside a value is TRUNCATED when it could go on, NOT_JSON when not, as JSON.parse says', async () => {
  // The tokenizer waits for more text after these; the end must still tell them apart.
  const endings = ['[tru', '[tx', '[t x', '[true1', '[fals', '[falsey', '[nulx', 'nul', '-', '[1.', '[1e', '[1e+', '[01', '"\\u12', '"\\uZ', '["\\x\\u1', '["a\\', '["a\\\\', '["a\\\\\\', '["a\u0001', '{"a":tr', '{"a"', '{"records":[{"x":"\\u00'];
  for (const text of endings) {
    const whole = flattenFileBytes(Buffer.from(text), { name: 'x.json' });
    assert.equal(whole.status, 'rejected', text);
    for (const size of [1, 2, 1000]) {
      const { outcome } = await stream(Buffer.from(text), size);
      assert.equal(outcome.status === 'rejected' && outcome.code, whole.status === 'rejected' && whole.code, `${text} in chunks of ${size}`);
    }
  }
});
