import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LatestStations, supersedes } from '../../src/transform/stations.js';
import { random } from '../support/vlille-synth.js';

interface Seen {
  id: number;
  atMs: number;
  file: string;
}

const add = (latest: LatestStations<string>, o: Seen): void => latest.add(o.id, o.atMs, new Date(o.atMs).toISOString(), o.file, `S${o.id}@${o.atMs}/${o.file}`);

test('the latest observation wins; on a tie, the earliest file name', () => {
  assert.ok(supersedes({ atMs: 2, file: 'b' }, { atMs: 1, file: 'a' }));
  assert.ok(!supersedes({ atMs: 1, file: 'a' }, { atMs: 2, file: 'b' }));
  assert.ok(supersedes({ atMs: 5, file: 'a' }, { atMs: 5, file: 'b' }));
  assert.ok(!supersedes({ atMs: 5, file: 'b' }, { atMs: 5, file: 'a' }));
  assert.ok(!supersedes({ atMs: 5, file: 'a' }, { atMs: 5, file: 'a' }), 'the same observation twice changes nothing');
});

test('property: any order and any grouping of the same observations gives the same stations', () => {
  const rnd = random(15);
  for (let round = 0; round < 200; round++) {
    // Stations appear and disappear, times repeat (stale minutes), files repeat (duplicated minutes).
    const all: Seen[] = Array.from({ length: 1 + Math.floor(rnd() * 60) }, () => ({ id: 1 + Math.floor(rnd() * 6), atMs: Math.floor(rnd() * 5) * 60_000, file: `f${Math.floor(rnd() * 4)}` }));
    const reference = new LatestStations<string>();
    for (const o of all) add(reference, o);
    const shuffled = [...all].sort(() => rnd() - 0.5);
    // Batches reduced apart, then together, as workers and the main thread do.
    const merged = new LatestStations<string>();
    for (let i = 0; i < shuffled.length; ) {
      const size = 1 + Math.floor(rnd() * 5);
      const batch = new LatestStations<string>();
      for (const o of shuffled.slice(i, i + size)) add(batch, o);
      merged.addAll(batch);
      i += size;
    }
    assert.deepEqual(merged.values(), reference.values());
    for (const station of reference.values()) {
      const mine = all.filter((o) => o.id === station.id);
      assert.equal(station.atMs, Math.max(...mine.map((o) => o.atMs)), 'updated_at is the latest observation');
      assert.equal(station.file, mine.filter((o) => o.atMs === station.atMs).map((o) => o.file).sort()[0], 'earliest file among the latest');
      assert.equal(station.payload, `S${station.id}@${station.atMs}/${station.file}`, 'the attributes of that observation');
    }
  }
});
