import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describePlan, minuteGaps } from '../../src/loader/stages/plan-report.js';
import { coversWindow, selectFiles } from '../../src/loader/stages/plan.js';
import { makeWindow, UNBOUNDED } from '../../src/loader/sources/window.js';

const file = (name: string, size = 100, generation = '1') => ({ name, size, generation });

test('selectFiles: the name window with its margin, then the manifest (changed files are read again)', () => {
  const listed = [
    file('data___2023_08_24_20_09_00.json'),
    file('data___2023_08_24_20_10_00.json'),
    file('data___2023_08_24_20_11_00.json', 100, '2'),
    file('data___2023_08_25_09_00_00.json'),
    file('notes/stations.json'),
  ];
  const manifest = new Map([
    ['data___2023_08_24_20_10_00.json', { size: 100, generation: '1' }],
    ['data___2023_08_24_20_11_00.json', { size: 100, generation: '1' }],
  ]);
  const selection = selectFiles(listed, { window: makeWindow('2023-08-24T20:00', '2023-08-24T21:00', 'Europe/Paris'), timezone: 'Europe/Paris', manifest });
  assert.equal(selection.outOfRange, 1);
  assert.equal(selection.skipped, 1);
  assert.deepEqual(selection.todo.map((f) => f.name), ['data___2023_08_24_20_09_00.json', 'data___2023_08_24_20_11_00.json', 'notes/stations.json']);
});

test('selectFiles: a file a window cut is skipped only when its rows in the window are merged already', () => {
  const t = (hhmm: string) => Date.parse(`2023-08-24T${hhmm}:00Z`);
  // Rows from 18:08 to 18:10; merged: those from 18:09 on (an earlier window [18:09, 18:30) cut it).
  const partial = { minMs: t('18:08'), maxMs: t('18:10'), fromMs: t('18:09'), toMs: Infinity };
  const window = (from: string, to: string) => ({ fromMs: t(from), toMs: t(to) });
  assert.equal(coversWindow(partial, window('18:09', '18:30')), true, 'the same window again');
  assert.equal(coversWindow(partial, window('18:09', '18:20')), true, 'inside the merged range');
  assert.equal(coversWindow(partial, window('18:00', '18:09')), false, 'the earlier window needs its 18:08 row');
  assert.equal(coversWindow(partial, window('17:00', '18:08')), true, 'a window before all its rows needs nothing of it');
  assert.equal(coversWindow(partial, window('18:11', '19:00')), true, 'a window after all its rows needs nothing of it');
  // Merged up to 18:09 (a window ending there): a later window needs the rest.
  const head = { minMs: t('18:08'), maxMs: t('18:10'), fromMs: -Infinity, toMs: t('18:09') };
  assert.equal(coversWindow(head, window('18:09', '19:00')), false);
  assert.equal(coversWindow(head, window('18:00', '18:09')), true);
  assert.equal(coversWindow(head, window('18:10', '19:00')), false, 'its last row is at 18:10');
  assert.equal(coversWindow({ ...head, minMs: NaN }, window('18:00', '18:09')), false, 'an unknown span is read again');

  const name = 'data___2023_08_24_20_09_00.json';
  const manifest = new Map([[name, { size: 100, generation: '1', partial: head }]]);
  const select = (from: string, to: string) => selectFiles([file(name)], { window: makeWindow(from, to, 'UTC'), timezone: 'Europe/Paris', manifest }).todo.length;
  assert.equal(select('2023-08-24T18:00', '2023-08-24T18:09'), 0);
  assert.equal(select('2023-08-24T18:09', '2023-08-24T19:00'), 1);
  const changed = new Map([[name, { size: 101, generation: '1', partial: head }]]);
  assert.equal(selectFiles([file(name)], { window: makeWindow('2023-08-24T18:00', '2023-08-24T18:09', 'UTC'), timezone: 'Europe/Paris', manifest: changed }).todo.length, 1, 'changed content is read again');
});

test('minute gaps: steps longer than 90 s, with the minutes missing', () => {
  const t = (hhmmss: string) => Date.parse(`2023-08-24T${hhmmss}Z`);
  assert.deepEqual(minuteGaps([t('18:00:00'), t('18:01:02'), t('18:02:00'), t('18:05:01'), t('18:06:00')]), [
    { after: '2023-08-24T18:02:00.000Z', before: '2023-08-24T18:05:01.000Z', missingMinutes: 2 },
  ]);
  assert.deepEqual(minuteGaps([]), []);
});

test('describePlan: files, bytes, first/last minute, tasks, load jobs and warnings', () => {
  const listed = [
    ...Array.from({ length: 10 }, (_, i) => file(`data___2023_08_24_20_${String(i).padStart(2, '0')}_00.json`, 1000)),
    file('data___2023_08_24_20_30_00.json', 1000),
    file('other.json', 500),
  ];
  const selection = selectFiles(listed, { window: UNBOUNDED, timezone: 'Europe/Paris', manifest: new Map() });
  const plan = describePlan(selection, { tasks: 3, timezone: 'Europe/Paris', shardBytes: 256 * 2 ** 20, workers: 2 });
  assert.equal(plan.files, 12);
  assert.equal(plan.bytes, 11_500);
  assert.equal(plan.first, '2023-08-24T18:00:00.000Z');
  assert.equal(plan.last, '2023-08-24T18:30:00.000Z');
  assert.deepEqual(plan.gaps, [{ after: '2023-08-24T18:09:00.000Z', before: '2023-08-24T18:30:00.000Z', missingMinutes: 20 }]);
  assert.deepEqual(plan.tasks.map((t) => t.files), [4, 4, 4]);
  assert.equal(plan.tasks.reduce((sum, t) => sum + t.bytes, 0), 11_500);
  assert.deepEqual(plan.loadJobsPerTable, { records: 1, stations: 1, files: 1 });
  assert.match(plan.warnings.join('\n'), /1 file\(s\) do not have collector names.*other\.json/);
  const idle = describePlan(selection, { tasks: 20, timezone: 'Europe/Paris', shardBytes: 2 ** 20, workers: 2 });
  assert.match(idle.warnings.join('\n'), /8 of 20 task\(s\) get no file/);
});
