import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { decode } from '../../src/transform/decode.js';
import { flattenFileBytes } from '../../src/transform/flatten-file.js';

const doc = { nhits: 1, records: [{ fields: { libelle: 1, nbvelosdispo: 1, nbplacesdispo: 2, nom: 'HÔTEL' }, record_timestamp: '2023-08-24T20:08:00.56+02:00' }] };
const text = JSON.stringify(doc);
const rejectCode = (bytes: Buffer): string | undefined => {
  const result = decode(bytes);
  return result.ok ? undefined : result.code;
};

test('plain, BOM-prefixed, pretty-printed and gzipped JSON all decode to the same document', () => {
  for (const bytes of [Buffer.from(text), Buffer.from(`\ufeff${text}`), Buffer.from(JSON.stringify(doc, null, 4)), gzipSync(text)]) {
    const result = decode(bytes);
    assert.ok(result.ok);
    assert.deepEqual(result.ok && result.doc, doc);
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
