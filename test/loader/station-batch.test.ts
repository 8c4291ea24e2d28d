import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { packStations, StationLedger, type PackedStations } from '../../src/loader/workers/station-batch.js';
import { stationAttributes, stationLine } from '../../src/transform/ndjson.js';
import { LatestStations } from '../../src/transform/stations.js';
import type { StationRow } from '../../src/transform/types.js';
import { tempDir } from '../support/cli.js';

const row = (id: number, nom: string): StationRow => ({ id, nom, libelle: String(id), adresse: null, commune: 'LILLE', type: null, latitude: 50.6, longitude: 3.1 });

function batch(minute: number, rows: StationRow[]): LatestStations<StationRow> {
  const latest = new LatestStations<StationRow>();
  const atMs = Date.UTC(2023, 7, 24, 18, minute);
  for (const r of rows) latest.add(r.id, atMs, new Date(atMs).toISOString(), `f${minute}.json`, r);
  return latest;
}

test('attribute texts travel once per thread; batches resolved in any order give the same stations', () => {
  // Thread 7: three minutes, station 2 renamed in the last; thread 8: one older minute with other names.
  const a = packStations(batch(1, [row(1, 'A'), row(2, 'B')]), 'run-x', 7);
  const b = packStations(batch(2, [row(1, 'A'), row(2, 'B')]), 'run-x', 7);
  const c = packStations(batch(3, [row(1, 'A'), row(2, 'B2')]), 'run-x', 7);
  const d = packStations(batch(0, [row(1, 'OLD'), row(3, 'C')]), 'run-x', 8);
  assert.deepEqual([a.newTexts.length, b.newTexts.length, c.newTexts.length], [2, 0, 1], 'unchanged attributes are not sent again');
  const lines = (order: (typeof a)[]): string[] => {
    const ledger = new StationLedger();
    for (const packed of order) ledger.add(packed);
    return [...ledger.lines()];
  };
  const expected = lines([a, b, c, d]);
  for (const order of [[d, c, b, a], [c, a, d, b], [b, d, a, c]]) assert.deepEqual(lines(order), expected);
  assert.deepEqual(expected.map((line) => JSON.parse(line) as { id: number; nom: string; source_file: string }).map(({ id, nom, source_file }) => ({ id, nom, source_file })), [
    { id: 1, nom: 'A', source_file: 'f3.json' },
    { id: 2, nom: 'B2', source_file: 'f3.json' },
    { id: 3, nom: 'C', source_file: 'f0.json' },
  ]);
  // A new run starts its keys again: the first batch sends every text.
  assert.equal(packStations(batch(4, [row(1, 'A')]), 'run-y', 7).newTexts.length, 1);
});

test('a huge batch sends keys only: its texts go to a spool file, read back for the stations that win, in any order', () => {
  const dir = tempDir('velo-station-spool-');
  const many = Array.from({ length: 6_000 }, (_, i) => row(i + 1, `N${i + 1}`));
  // Thread 7: a small minute before and after the huge one (station 2 renamed in the later one); thread 8: the huge minute.
  const before = packStations(batch(1, [row(1, 'OLD'), row(2, 'OLD'), row(7_000, 'ONLY')]), dir, 7);
  const huge = packStations(batch(2, many), dir, 8);
  const after = packStations(batch(3, [row(2, 'NEW')]), dir, 7);
  const again = packStations(batch(2, many.slice(0, 10)), dir, 8);
  assert.equal(huge.newTexts.length, 0);
  assert.equal(huge.newKeys.length, 0);
  assert.ok(huge.spool && existsSync(huge.spool.path) && huge.spool.path.startsWith(dir));
  assert.equal(again.newTexts.length, 10, 'a huge batch is not remembered: its texts are sent again');

  const reference = new LatestStations<StationRow>();
  for (const latest of [batch(1, [row(1, 'OLD'), row(2, 'OLD'), row(7_000, 'ONLY')]), batch(2, many), batch(3, [row(2, 'NEW')]), batch(2, many.slice(0, 10))]) reference.addAll(latest);
  const expected = reference.values().map((o) => stationLine(stationAttributes(o.payload), o.at, o.file));
  const lines = (order: PackedStations[]): string[] => {
    const ledger = new StationLedger();
    for (const packed of order) ledger.add(packed);
    return [...ledger.lines()];
  };
  for (const order of [[before, huge, after, again], [again, after, huge, before], [huge, again, before, after]]) assert.deepEqual(lines(order), expected);
  assert.equal(expected.length, 6_001);
  assert.match(expected[1]!, /"nom":"NEW"/);

  const ledger = new StationLedger();
  ledger.add(huge);
  assert.equal([...ledger.lines()].length, 6_000);
  ledger.removeSpools();
  assert.equal(existsSync(huge.spool.path), false, 'the spool file is deleted once the stations shard is written');
});
