import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalTimestamp, epochMillis } from '../../src/transform/timestamps.js';

test('canonical timestamps pass through unchanged, whatever their fraction digits', () => {
  for (const text of ['2023-08-24T20:08:00.56+02:00', '2023-08-24T20:09:00.849+02:00', '2023-08-24T20:08:00.7+02:00', '2023-08-24T20:08:00.457000+02:00', '2023-08-24T18:08:00Z']) {
    assert.equal(canonicalTimestamp(text), text);
  }
});

test('other ISO-8601 spellings are normalised to what both warehouses read', () => {
  assert.equal(canonicalTimestamp('2023-08-24 20:08+02'), '2023-08-24T20:08:00+02:00');
  assert.equal(canonicalTimestamp('2023-08-24T20:08:00.123456789+0200'), '2023-08-24T20:08:00.123456+02:00');
  assert.equal(canonicalTimestamp('2023-08-24T18:08:00,5z'), '2023-08-24T18:08:00.5Z');
  assert.equal(epochMillis(canonicalTimestamp('2023-08-24T20:08:00.56+02:00')!), Date.UTC(2023, 7, 24, 18, 8, 0, 560));
});

test('impossible or offset-less timestamps are rejected', () => {
  for (const text of ['2023-02-30T10:00:00+01:00', '2023-13-01T10:00:00Z', '2023-08-24T24:00:00Z', '2023-08-24T20:08:00', '24/08/2023 20:19', '', 'now']) {
    assert.equal(canonicalTimestamp(text), null, text);
  }
  assert.equal(canonicalTimestamp(1692900480), null);
  assert.equal(canonicalTimestamp('2024-02-29T10:00:00Z'), '2024-02-29T10:00:00Z');
});

test('repeated and interleaved values keep their own results (the recent-values memo)', () => {
  const values = ['2023-08-24T20:08:00.56+02:00', '2023-02-30T10:00:00+01:00', '2023-08-24 20:08+02', 'now', '2023-08-24T18:08:00Z'];
  const expected = values.map((value) => canonicalTimestamp(value));
  // Pairs repeated back to back, as a file's record_timestamp and its stations' update times come.
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < values.length; i++) {
      for (const j of [i, (i + 1) % values.length, i, (i + 2) % values.length, i]) {
        assert.equal(canonicalTimestamp(values[j]), expected[j], values[j]);
      }
    }
  }
  assert.deepEqual(expected, ['2023-08-24T20:08:00.56+02:00', null, '2023-08-24T20:08:00+02:00', null, '2023-08-24T18:08:00Z']);
});

test('hostile timestamps: impossible dates, offsets past ±14:00, year 0 and instants outside years 1–9999 in UTC', () => {
  for (const text of ['2023-02-30T10:00:00Z', '2023-08-24T24:00:00+02:00', '0000-01-01T00:00:00Z', '2023-08-24T20:08:00+15:00', '2023-08-24T20:08:00-14:60',
    '0001-01-01T00:00:00+14:00', '0001-01-01T13:59:59.999+14:00', '9999-12-31T23:59:59-00:01', '9999-12-31T10:00:00.5-14:00', '2023-08-24T20:08:00\u0000+02:00', '2023-08-24T20:08:00.56+02:00\ud800']) {
    assert.equal(canonicalTimestamp(text), null, JSON.stringify(text));
  }
  // The edges themselves are instants both warehouses hold.
  for (const text of ['0001-01-01T00:00:00Z', '0001-01-01T14:00:00+14:00', '9999-12-31T23:59:59.999999Z', '9999-12-31T09:59:59-14:00']) {
    assert.equal(canonicalTimestamp(text), text);
  }
});

test('a 10 MB string that starts like a timestamp is none', () => {
  const huge = `2023-08-24T20:08:00.56+02:00${' '.repeat(10 * 2 ** 20)}`;
  assert.equal(canonicalTimestamp(huge), null);
  assert.equal(canonicalTimestamp('2023-08-24T20:08:00.56+02:00'), '2023-08-24T20:08:00.56+02:00');
});
