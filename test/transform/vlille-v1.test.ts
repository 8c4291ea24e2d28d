import assert from 'node:assert/strict';
import { test } from 'node:test';
import { flattenDocument } from '../../src/transform/flatten-file.js';
import { recordLine } from '../../src/transform/ndjson.js';
import { vlilleV1 } from '../../src/transform/vlille-v1.js';

const ctx = { name: 'data___2023_08_24_20_09_00.json' };
const fields = {
  nbvelosdispo: 8, nbplacesdispo: 2, libelle: 81, adresse: 'RUE JACQUARD', nom: 'GUINGUETTE', etat: 'EN SERVICE',
  commune: 'LILLE HELLEMMES', etatconnexion: 'CONNECTÉ', type: 'AVEC TPE', geo: [50.63529, 3.115088],
  localisation: [50.63529, 3.115088], datemiseajour: '2023-08-24T20:06:17+02:00',
};
const record = (overrides: Record<string, unknown> = {}, ts = '2023-08-24T20:08:00.56+02:00') => ({
  datasetid: 'vlille-realtime', recordid: 'abc', fields: { ...fields, ...overrides }, record_timestamp: ts,
});

test('a v1 record flattens to the original pipeline columns', () => {
  const outcome = vlilleV1.flattenRecord(record(), ctx);
  assert.equal(outcome.kind, 'row');
  if (outcome.kind !== 'row') return;
  assert.deepEqual(outcome.record, {
    station_id: 81, etat: 'EN SERVICE', nb_velos_dispo: 8, nb_places_dispo: 2, etat_connexion: 'CONNECTÉ',
    derniere_maj: '2023-08-24T20:06:17+02:00', record_timestamp: '2023-08-24T20:08:00.56+02:00',
  });
  assert.deepEqual(outcome.station, {
    id: 81, nom: 'GUINGUETTE', libelle: '81', adresse: 'RUE JACQUARD', commune: 'LILLE HELLEMMES', type: 'AVEC TPE', latitude: 50.63529, longitude: 3.115088,
  });
});

test('a degraded record (only geo) is skipped, not rejected', () => {
  assert.deepEqual(vlilleV1.flattenRecord({ fields: { geo: [50.6, 3.1] }, record_timestamp: '2023-08-24T20:09:00.849+02:00' }, ctx), { kind: 'degraded' });
});

test('bad records are rejected with a reason', () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [record({ libelle: undefined }), /station id/],
    [record({ libelle: 0 }), /station id/],
    [record({ libelle: 'abc' }), /station id/],
    [record({ nbvelosdispo: -1 }), /nbvelosdispo/],
    [record({ nbplacesdispo: 2.5 }), /nbplacesdispo/],
    [record({ nbvelosdispo: '3' }), /nbvelosdispo/],
    [record({}, 'yesterday'), /record_timestamp/],
    [record({ datemiseajour: '2023-02-30T10:00:00+01:00' }), /datemiseajour/],
    [{ record_timestamp: 'x' }, /fields/],
  ];
  for (const [raw, reason] of cases) {
    const outcome = vlilleV1.flattenRecord(raw, ctx);
    assert.equal(outcome.kind, 'reject', JSON.stringify(raw));
    if (outcome.kind === 'reject') assert.match(outcome.reason, reason);
  }
});

test('a quoted numeric station id is accepted', () => {
  const outcome = vlilleV1.flattenRecord(record({ libelle: '81' }), ctx);
  assert.equal(outcome.kind === 'row' && outcome.record.station_id, 81);
});

test('a file mixing good, bad and degraded records keeps the good rows', () => {
  const doc = { nhits: 4, records: [record(), record({ libelle: 82, nbvelosdispo: -2 }), { fields: { geo: [1, 2] } }, record({ libelle: 83 })] };
  const outcome = flattenDocument(doc, ctx);
  assert.equal(outcome.status, 'loaded');
  if (outcome.status !== 'loaded') return;
  assert.equal(outcome.rows, 2);
  assert.equal(outcome.rejectedRows, 1);
  assert.equal(outcome.degradedRecords, 1);
  assert.deepEqual(outcome.rejects, [{ index: 1, reason: 'nbvelosdispo is not a non-negative integer: -2' }]);
  const lines = outcome.recordsNdjson.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
  assert.deepEqual(lines.map((l) => l.station_id), [81, 83]);
  assert.equal(lines[0]?.source_file, ctx.name);
  assert.deepEqual(outcome.stations.values().map((s) => s.id), [81, 83]);
});

test('all-degraded files are degraded; all-invalid files are rejected; other shapes are unknown', () => {
  assert.equal(flattenDocument({ nhits: 1, records: [{ fields: { geo: [1, 2] } }] }, ctx).status, 'degraded');
  assert.equal(flattenDocument({ nhits: 0, records: [] }, ctx).status, 'degraded');
  const invalid = flattenDocument({ nhits: 1, records: [record({ libelle: null })] }, ctx);
  assert.equal(invalid.status === 'rejected' && invalid.code, 'NO_VALID_RECORDS');
  const unknown = flattenDocument({ type: 'FeatureCollection', features: [] }, ctx);
  assert.equal(unknown.status === 'rejected' && unknown.code, 'UNKNOWN_SHAPE');
  assert.equal(flattenDocument([1, 2], ctx).status, 'rejected');
});

test('hostile values: reasons stay short and never throw (deep nesting, huge strings, huge numbers)', () => {
  let deep: unknown = 1;
  for (let i = 0; i < 100_000; i++) deep = [deep];
  const cases: [Record<string, unknown>, RegExp][] = [
    [record({ libelle: deep }), /station id \(libelle=\[\[\[/],
    [record({ libelle: JSON.parse('1e400') }), /Infinity \(out of range\)/],
    [record({ libelle: 2 ** 64 }), /libelle=18446744073709552000/], // a 2^64 id, as JSON.parse reads "18446744073709551616"
    [record({ libelle: -0 }), /station id/],
    [record({ nbvelosdispo: 'x'.repeat(10 * 2 ** 20) }), /\(10485760 characters\)/],
    [record({ nom: 'N'.repeat(10 * 2 ** 20) }), /nom is 10485760 characters long \(at most 1024\)/],
    [record({ etat: 'É'.repeat(2000) }), /etat is 2000 characters long/],
    [record({ [`k${'y'.repeat(1000)}`]: 1, nbplacesdispo: { a: { b: { c: { d: 1 } } } } }), /nbplacesdispo is not a non-negative integer: \{"a":\{"b":\{"c":\{…\}\}\}\}/],
  ];
  for (const [raw, reason] of cases) {
    const outcome = vlilleV1.flattenRecord(raw, ctx);
    assert.equal(outcome.kind, 'reject');
    if (outcome.kind !== 'reject') continue;
    assert.match(outcome.reason, reason);
    assert.ok(outcome.reason.length < 400, `${outcome.reason.length} characters`);
  }
});

test('-0 counts stage as 0; text at the length limit is kept', () => {
  const outcome = vlilleV1.flattenRecord(record({ nbvelosdispo: -0, nom: 'N'.repeat(1024) }), ctx);
  assert.equal(outcome.kind, 'row');
  if (outcome.kind !== 'row') return;
  assert.match(recordLine(outcome.record, '"f"'), /"nb_velos_dispo":0,/);
  assert.equal(outcome.station?.nom?.length, 1024);
});
