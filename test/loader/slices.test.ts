import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inKeyRange } from '../../src/loader/sources/source.js';
import { sliceBoundaries, sliceOf, sliceRange, takeSlice } from '../../src/loader/fanout/slices.js';
import { random } from '../support/vlille-synth.js';

/** A corpus of `n` files named in time order with sizes from the seed (degraded minutes are smaller). */
function corpus(n: number, seed: number): { name: string; size: number }[] {
  const rnd = random(seed);
  return Array.from({ length: n }, (_, i) => ({ name: `data___2023_08_24_${String(i).padStart(6, '0')}.json`, size: rnd() < 0.05 ? 73_000 : 150_000 + Math.floor(rnd() * 20_000) }));
}

test('every file lands in exactly one slice, in order, for many task counts and corpora', () => {
  for (const [n, seed] of [[0, 1], [1, 2], [3, 3], [50, 4], [289, 5], [1000, 6]] as const) {
    const files = corpus(n, seed);
    for (const count of [1, 2, 3, 4, 7, 16, 64, 1000]) {
      const boundaries = sliceBoundaries(files, count);
      assert.equal(boundaries.length, count - 1);
      const slices = Array.from({ length: count }, (_, index) => takeSlice(files, boundaries, index));
      // Concatenated in task order, the slices are the planned list: each file once, contiguous ranges.
      assert.deepEqual(slices.flat().map((f) => f.name), files.map((f) => f.name), `n=${n} count=${count}`);
      for (const file of files) assert.equal(slices.filter((slice) => slice.includes(file)).length, 1);
    }
  }
});

test('slices are balanced by bytes: no slice is more than one file off the even share', () => {
  const files = corpus(1000, 7);
  const total = files.reduce((sum, f) => sum + f.size, 0);
  for (const count of [2, 4, 10, 33]) {
    const boundaries = sliceBoundaries(files, count);
    const sizes = Array.from({ length: count }, (_, i) => takeSlice(files, boundaries, i).reduce((sum, f) => sum + f.size, 0));
    for (const size of sizes) assert.ok(Math.abs(size - total / count) <= 170_000, `count=${count}: ${size} vs ${total / count}`);
  }
});

test('slices are stable: the same list gives the same boundaries; a file listed later still falls in one slice', () => {
  const files = corpus(200, 8);
  assert.deepEqual(sliceBoundaries(files, 5), sliceBoundaries([...files], 5));
  const boundaries = sliceBoundaries(files, 5);
  // A name that sorts between planned files (a file written after the plan) belongs to exactly one slice.
  const late = 'data___2023_08_24_000100_late.json';
  const owner = sliceOf(late, boundaries);
  assert.ok(owner >= 0 && owner < 5);
  assert.equal(sliceOf(files[0]!.name, boundaries), 0);
  assert.equal(sliceOf('zzz', boundaries), 4);
});

test('more tasks than files: the extra tasks get empty slices', () => {
  const files = corpus(3, 9);
  const boundaries = sliceBoundaries(files, 6);
  const counts = Array.from({ length: 6 }, (_, i) => takeSlice(files, boundaries, i).length);
  assert.equal(counts.reduce((a, b) => a + b, 0), 3);
  assert.ok(counts.every((c) => c <= 1));
});

test('a slice\'s key range holds exactly the names sliceOf gives it (what a task lists is its slice)', () => {
  const big = { name: 'data___2023_08_24_000002.json', size: 1e9 };
  for (const files of [corpus(0, 1), corpus(3, 9), corpus(289, 5), [...corpus(3, 10).slice(0, 2), big, ...corpus(6, 11).slice(3)]]) {
    // Planned names, names between them, and names before and after them all.
    const names = [...files.map((f) => f.name), ...files.map((f) => `${f.name}~late`), '', 'a', 'data___', 'zzz'];
    for (const count of [1, 2, 3, 6, 16]) {
      const boundaries = sliceBoundaries(files, count);
      for (const name of names) {
        const owners = Array.from({ length: count }, (_, index) => index).filter((index) => {
          const range = sliceRange(boundaries, index);
          return range !== null && inKeyRange(name, range);
        });
        assert.deepEqual(owners, [sliceOf(name, boundaries)], `${name} with ${count} tasks`);
      }
    }
  }
});
