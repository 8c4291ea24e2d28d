import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LatestStations, supersedes, type StationObservation } from '../../src/transform/stations.js';
import { random } from '../support/vlille-synth.js';

const observation = (id: number, atMs: number, file: string, nom = `S${id}@${atMs}/${file}`): StationObservation => ({
  id,
  row: { id, nom, libelle: String(id), adresse: null, commune: null, type: null, latitude: null, longitude: null },
  at: new Date(atMs).toISOString(),
  atMs,
  file,
});

test('the latest observation wins; on a tie, the earliest file name', () => {
  assert.ok(supersedes(observation(1, 2, 'b'), observation(1, 1, 'a')));
  assert.ok(!supersedes(observation(1, 1, 'a'), observation(1, 2, 'b')));
  assert.ok(supersedes(observation(1, 5, 'a'), observation(1, 5, 'b')));
  assert.ok(!supersedes(observation(1, 5, 'b'), observation(1, 5, 'a')));
  assert.ok(!supersedes(observation(1, 5, 'a'), observation(1, 5, 'a')), 'the same observation twice changes nothing');
});

test('property: any order and any grouping of the same observations gives the same stations', () => {
  const rnd = random(15);
  for (let round = 0; round < 200; round++) {
    // Stations appear and disappear, times repeat (stale minutes), files repeat (duplicated minutes).
    const all = Array.from({ length: 1 + Math.floor(rnd() * 60) }, () => observation(1 + Math.floor(rnd() * 6), Math.floor(rnd() * 5) * 60_000, `f${Math.floor(rnd() * 4)}`));
    const reference = new LatestStations();
    reference.addAll(all);
    const shuffled = [...all].sort(() => rnd() - 0.5);
    // Batches reduced apart, then together, as workers and the main thread do.
    const merged = new LatestStations();
    for (let i = 0; i < shuffled.length; ) {
      const size = 1 + Math.floor(rnd() * 5);
      const batch = new LatestStations();
      batch.addAll(shuffled.slice(i, i + size));
      merged.addAll(batch.values());
      i += size;
    }
    assert.deepEqual(merged.values(), reference.values());
    for (const station of reference.values()) {
      const mine = all.filter((o) => o.row.id === station.row.id);
      assert.equal(station.atMs, Math.max(...mine.map((o) => o.atMs)), 'updated_at is the latest observation');
      assert.equal(station.file, mine.filter((o) => o.atMs === station.atMs).map((o) => o.file).sort()[0], 'earliest file among the latest');
    }
  }
});
