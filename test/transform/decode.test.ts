import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { decode } from '../../src/transform/decode.js';
import { flattenFileBytes } from '../../src/transform/flatten-file.js';

const doc = { nhits: 1, records: [{ fields: { libelle: 1, nbvelosdispo: 1, nbplacesdispo: 2, nom: 'HÔTEL' }, record_timestamp: '2023-08-24T20:08:00.56+02:00' }] };
const text = JSON.stringify(doc);
const rejectCode = (bytes: Buffer): string | undefined => {
  const result = decode(bytes);
  return result.kind === 'rejected' ? result.code : undefined;
};

test('plain, BOM-prefixed, pretty-printed and gzipped JSON all decode to the same document', () => {
  for (const bytes of [Buffer.from(text), Buffer.from(`\ufeff${text}`), Buffer.from(JSON.stringify(doc, null, 4)), gzipSync(text)]) {
    const result = decode(bytes);
    assert.equal(result.kind, 'document');
    assert.deepEqual(result.kind === 'document' && result.doc, doc);
  }
});

test('whole-file rejects say why', () => {
  assert.equal(rejectCode(Buffer.alloc(0)), 'EMPTY');
  assert.equal(rejectCode(Buffer.from(' \n\t')), 'EMPTY');
  assert.equal(rejectCode(Buffer.from('\ufeff')), 'EMPTY');
  assert.equal(rejectCode(Buffer.from(text.slice(0, 40))), 'TRUNCATED');
  assert.equal(rejectCode(Buffer.from(text.slice(0, -1))), 'TRUNCATED');
  assert.equal(rejectCode(Buffer.from('<html>502</html>')), 'NOT_JSON');
  assert.equal(rejectCode(Buffer.from('{"nom": "H\xf4tel"}', 'latin1')), 'NOT_UTF8');
  assert.equal(rejectCode(gzipSync(text).subarray(0, 20)), 'BAD_GZIP');
});

test('NDJSON of records or of whole responses is read', () => {
  const records = doc.records.map((r) => JSON.stringify({ ...r, fields: { ...r.fields, libelle: 2 } }));
  const asRecords = flattenFileBytes(Buffer.from(`${JSON.stringify(doc.records[0])}\n${records[0]}\n`), { name: 'x.json' });
  assert.equal(asRecords.status === 'loaded' && asRecords.rows, 2);
  const asResponses = flattenFileBytes(Buffer.from(`${text}\n${text}\n`), { name: 'x.json' });
  assert.equal(asResponses.status === 'loaded' && asResponses.rows, 2);
});

const rssMb = (): number => process.memoryUsage.rss() / 2 ** 20;

test('a gzip bomb is rejected after inflating at most the text cap, not 700 MB', () => {
  // 200 MiB of spaces → ~200 KB of gzip (~1000×).
  const gz = gzipSync(Buffer.alloc(200 * 2 ** 20, 0x20), { level: 9 });
  const before = rssMb();
  const outcome = flattenFileBytes(gz, { name: 'bomb.json.gz' });
  assert.equal(outcome.status, 'rejected');
  if (outcome.status !== 'rejected') return;
  assert.equal(outcome.code, 'BAD_GZIP');
  assert.match(outcome.reason, /expands more than 100×.*gzip bomb/);
  assert.ok(rssMb() - before < 100, `RSS grew ${Math.round(rssMb() - before)} MB`);
});

test('gzip that inflates past the text cap at a normal ratio is handed to the streaming path', () => {
  const record = JSON.stringify(doc.records[0]);
  const big = `{"nhits":1,"records":[${Array.from({ length: 4000 }, () => record).join(',')}]}`; // ~0.7 MB of text
  const gz = gzipSync(big);
  const outcome = flattenFileBytes(gz, { name: 'x.json.gz' }, { maxTextBytes: 256 * 1024 });
  assert.deepEqual(outcome, { status: 'stream', reason: 'gzip data expands beyond 0.25 MiB: read it as a stream' });
  // Under the cap it is read whole.
  const whole = flattenFileBytes(gz, { name: 'x.json.gz' }, { maxTextBytes: 2 ** 20 });
  assert.equal(whole.status === 'loaded' && whole.rows, 4000);
  // A bomb is still a bomb with a small cap: the rule looks at the first bytes of the data.
  const bomb = flattenFileBytes(gzipSync(Buffer.alloc(40 * 2 ** 20, 0x20), { level: 9 }), { name: 'b.gz' }, { maxTextBytes: 2 ** 20 });
  assert.equal(bomb.status === 'rejected' && bomb.code, 'BAD_GZIP');
});

test('UTF-16 is named as such; truncated gzip is BAD_GZIP', () => {
  const utf16 = decode(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
  assert.deepEqual(utf16, { kind: 'rejected', code: 'NOT_UTF8', reason: 'file is UTF-16 (byte-order mark FF FE), not UTF-8' });
  const gz = gzipSync(text);
  assert.equal(rejectCode(gz.subarray(0, gz.length - 10)), 'BAD_GZIP');
});

test('NDJSON: a bad line is a rejected record with its line number; the good lines load', () => {
  const line = (id: number): string => JSON.stringify({ ...doc.records[0], fields: { ...doc.records[0]!.fields, libelle: id } });
  const ndjson = [line(1), line(2), '{"fields": {"libelle": 3,', '', line(4), 'not json at all', line(5), '[1,2]'].join('\n');
  const outcome = flattenFileBytes(Buffer.from(ndjson), { name: 'x.ndjson' });
  assert.equal(outcome.status, 'loaded');
  if (outcome.status !== 'loaded') return;
  assert.equal(outcome.rows, 4);
  assert.equal(outcome.rejectedRows, 3);
  assert.deepEqual(outcome.rejects.map((r) => [r.index, r.line]), [[2, 3], [4, 6], [6, 8]]);
  assert.match(outcome.rejects[0]!.reason, /^line 3: not valid JSON \(/);
  assert.match(outcome.rejects[2]!.reason, /^line 8: record is not an object/);
  // Whole responses per line, one of them broken.
  const responses = flattenFileBytes(Buffer.from(`${text}\n${text.slice(0, 30)}\n${text}\n`), { name: 'r.ndjson' });
  assert.equal(responses.status === 'loaded' && responses.rows, 2);
  assert.deepEqual(responses.status === 'loaded' && responses.rejects.map((r) => r.line), [2]);
});

test('a broken single document is not mistaken for NDJSON', () => {
  const pretty = JSON.stringify({ ...doc, records: [...doc.records, ...doc.records] }, null, 2);
  assert.equal(rejectCode(Buffer.from(pretty.slice(0, pretty.length - 40))), 'TRUNCATED');
  assert.equal(rejectCode(Buffer.from(pretty.replace('"nhits": 1', '"nhits": 1 2'))), 'NOT_JSON');
  assert.equal(rejectCode(Buffer.from(`${text.slice(0, -1)}\n`)), 'TRUNCATED');
  // A first line that is a whole value, then more: NDJSON, even when what follows is junk.
  const junk = flattenFileBytes(Buffer.from(`${JSON.stringify(doc.records[0])}\n<html>\n`), { name: 'x.json' });
  assert.equal(junk.status === 'loaded' && junk.rejectedRows, 1);
  // NDJSON whose first line is no V'lille record: unknown shape.
  assert.equal(flattenFileBytes(Buffer.from('1\n2\n'), { name: 'x.json' }).status === 'rejected', true);
});

test('texts over 512 KiB go to the streaming path whatever their shape; smaller ones are parsed whole, even dense ones', () => {
  const record = JSON.stringify(doc.records[0]);
  const large = Buffer.from(JSON.stringify({ nhits: 1, records: Array.from({ length: 10_000 }, () => JSON.parse(record) as unknown) }, null, 2));
  assert.ok(large.length > 1024 * 1024);
  assert.deepEqual(flattenFileBytes(large, { name: 'x.json' }), { status: 'stream', reason: `${(large.length / 2 ** 20).toFixed(2)} MiB of text, more than 0.5 MiB: read it record by record` });
  const dense = flattenFileBytes(Buffer.from(`{"nhits":1,"records":[${Array(150_000).fill('{}').join(',')}]}`), { name: 'x.json' });
  assert.equal(dense.status === 'rejected' && dense.code, 'NO_VALID_RECORDS');
  assert.equal(flattenFileBytes(Buffer.from(`{"nhits":1,"records":[${Array(200_000).fill('{}').join(',')}]}`), { name: 'x.json' }).status, 'stream');
  // With a smaller --stream-threshold-mb, the cap is smaller too.
  assert.equal(flattenFileBytes(Buffer.from(text), { name: 'x.json' }, { maxTextBytes: 100 }).status, 'stream');
});

test('deep nesting: parsed whole under the cap (the record is rejected), streamed above it', () => {
  const deep = (n: number): string => `${'['.repeat(n)}${']'.repeat(n)}`;
  const small = flattenFileBytes(Buffer.from(`{"nhits":1,"records":[{"fields":{"libelle":${deep(100_000)},"nbvelosdispo":1,"nbplacesdispo":1},"record_timestamp":"2023-08-24T20:08:00+02:00"}]}`), { name: 'x.json' });
  assert.equal(small.status === 'rejected' && small.code, 'NO_VALID_RECORDS');
  assert.equal(flattenFileBytes(Buffer.from(deep(300_000)), { name: 'x.json' }).status, 'stream');
});

test('NDJSON of many lines: every bad line is a rejected record, counted, its reason kept for the first ones', () => {
  const record = JSON.stringify(doc.records[0]);
  const outcome = flattenFileBytes(Buffer.from(`${record}\n${'1\n'.repeat(150_000)}${'\n'.repeat(100_000)}${record}\n`), { name: 'x.ndjson' });
  assert.equal(outcome.status === 'loaded' && outcome.rows, 2);
  assert.equal(outcome.status === 'loaded' && outcome.rejectedRows, 150_000);
  assert.deepEqual(outcome.status === 'loaded' && outcome.rejects[0], { index: 1, line: 2, reason: 'line 2: record is not an object' });
});
