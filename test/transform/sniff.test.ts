/**
 * plan's format count (transform/sniff.ts): the format of a file from its first 64 KiB, as the run detects it.
 * Every format, as whole small files and as heads cut from 600-station files (the cut falls inside a record), NDJSON,
 * a CSV with a BOM-less and quoted header, and heads that tell nothing.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DateTime } from 'luxon';
import { HEAD_BYTES } from '../../src/loader/stages/plan-formats.js';
import { sniffFormat, UNKNOWN_FORMAT } from '../../src/transform/sniff.js';
import { gbfsInformation, gbfsStatus, jcdecauxV1, jcdecauxV3, melCsv, melWfs, observe, odsV2 } from '../support/formats-synth.js';
import { minuteDocument, pythonJson, random, stationCatalog } from '../support/vlille-synth.js';

const at = DateTime.fromISO('2024-09-09T18:28:00', { zone: 'Europe/Paris' });
const stations = stationCatalog(600, 7);
const observations = observe(stations, at, random(3));

/** Each format's text for 600 stations (every one is longer than the head plan reads). */
const TEXTS: Record<string, string> = {
  'vlille-ods-v1': pythonJson(minuteDocument({ stations, at, seed: 1 })),
  'vlille-ods-v2': odsV2(observations, at).text,
  'vlille-mel-wfs': melWfs(observations, at, { timeStamp: 'last' }).text,
  'vlille-mel-csv': melCsv(observations, at).text,
  'gbfs-station-status': gbfsStatus(observations, at, '3.0', { lastUpdatedLast: true }).text,
  'gbfs-station-information': gbfsInformation(stations, at, '2.3').text,
  'jcdecaux-v1': JSON.stringify(jcdecauxV1(observations, at, 'lille')),
  'jcdecaux-v3': JSON.stringify(jcdecauxV3(observations, 'lille')),
};

describe('sniffFormat: the format from the head of a file', () => {
  for (const [id, text] of Object.entries(TEXTS)) {
    test(`${id}: the whole file, and its first ${HEAD_BYTES / 1024} KiB`, () => {
      assert.ok(text.length > HEAD_BYTES, `${id} is ${text.length} characters`);
      assert.equal(sniffFormat(text), id);
      assert.equal(sniffFormat(text.slice(0, HEAD_BYTES)), id);
      assert.equal(sniffFormat(text.slice(0, HEAD_BYTES), id), id, 'forced to itself');
      assert.equal(sniffFormat(text.slice(0, HEAD_BYTES), id === 'jcdecaux-v1' ? 'jcdecaux-v3' : 'jcdecaux-v1'), UNKNOWN_FORMAT, 'forced to another');
    });
  }

  test('NDJSON: a response per line, or a V\'lille record per line', () => {
    const doc = minuteDocument({ stations: stations.slice(0, 3), at, seed: 2 }) as { records: unknown[] };
    assert.equal(sniffFormat(`${JSON.stringify(doc)}\n${JSON.stringify(doc)}\n`), 'vlille-ods-v1');
    assert.equal(sniffFormat(doc.records.map((record) => JSON.stringify(record)).join('\n')), 'vlille-ods-v1');
  });

  test('heads that tell nothing: no record read yet, another shape, not JSON, a CSV of other columns', () => {
    assert.equal(sniffFormat(TEXTS['vlille-ods-v1']!.slice(0, 50)), UNKNOWN_FORMAT);
    assert.equal(sniffFormat('{"type":"FeatureCollection","features":[]}'), UNKNOWN_FORMAT);
    assert.equal(sniffFormat('{"hello":[{"a":1}]}'), UNKNOWN_FORMAT);
    assert.equal(sniffFormat('<html><body>503</body></html>'), UNKNOWN_FORMAT);
    assert.equal(sniffFormat('a,b,c\n1,2,3\n'), UNKNOWN_FORMAT);
    assert.equal(sniffFormat('"nom,x\n1,2\n'), UNKNOWN_FORMAT, 'a header csv-parse cannot read');
    // A whole GBFS feed without last_updated is rejected by the run: not counted as GBFS.
    const { last_updated: _time, ...timeless } = JSON.parse(TEXTS['gbfs-station-status']!) as Record<string, unknown>;
    assert.equal(sniffFormat(JSON.stringify(timeless)), UNKNOWN_FORMAT);
    assert.equal(sniffFormat(''), UNKNOWN_FORMAT);
  });

  test('a CSV header with quoted names and spaces is read as csv-parse reads it', () => {
    const [header, ...rows] = TEXTS['vlille-mel-csv']!.split('\n');
    const quoted = header!.replace(/"/g, '').split(',').map((name) => `"${name}"`).join(',');
    assert.equal(sniffFormat([quoted, ...rows].join('\n')), 'vlille-mel-csv');
  });
});
