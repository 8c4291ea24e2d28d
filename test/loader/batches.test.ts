import assert from 'node:assert/strict';
import { test } from 'node:test';
import { batchFiles } from '../../src/loader/stages/extract/batches.js';

test('small files are batched in order; a file to stream, and each of the last few, is a batch of its own', () => {
  const files = [10, 10, 10, 10, 10, 500, 10, 60, 10].map((size, i) => ({ name: `f${i}`, size }));
  const names = batchFiles(files, { files: 3, bytes: 70, streamAbove: 100 }).map((batch) => batch.map((f) => f.name));
  assert.deepEqual(names, [['f0', 'f1', 'f2'], ['f3', 'f4'], ['f5'], ['f6', 'f7'], ['f8']]);
  assert.deepEqual(batchFiles([], { files: 3, bytes: 70, streamAbove: 100 }), []);
  const tail = batchFiles(files, { files: 3, bytes: 70, streamAbove: 100, singleTail: 3 }).map((batch) => batch.map((f) => f.name));
  assert.deepEqual(tail, [['f0', 'f1', 'f2'], ['f3', 'f4'], ['f5'], ['f6'], ['f7'], ['f8']]);
  assert.equal(batchFiles(files, { files: 3, bytes: 70, streamAbove: 100, singleTail: 99 }).length, files.length);
});
