import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeWindow, nameFilter, parseTimeBound, timeFromName, windowParams } from '../../src/loader/sources/window.js';
import { UsageError } from '../../src/errors.js';

test('--from/--to dates are midnights in the time zone; explicit offsets win', () => {
  assert.equal(parseTimeBound('2023-08-24', 'Europe/Paris', '--from'), Date.UTC(2023, 7, 23, 22));
  assert.equal(parseTimeBound('2023-01-15T08:00', 'Europe/Paris', '--from'), Date.UTC(2023, 0, 15, 7));
  assert.equal(parseTimeBound('2023-08-24T18:00:00Z', 'Europe/Paris', '--from'), Date.UTC(2023, 7, 24, 18));
  assert.deepEqual(windowParams(makeWindow('2023-08-24', '2023-08-25', 'UTC')), { from: '2023-08-24T00:00:00.000Z', to: '2023-08-25T00:00:00.000Z' });
  assert.throws(() => makeWindow('2023-08-25', '2023-08-24', 'UTC'), UsageError);
  assert.throws(() => parseTimeBound('24/08/2023', 'UTC', '--from'), /--from "24\/08\/2023" is not a date/);
});

test('file names are Paris wall-clock times', () => {
  assert.equal(timeFromName('data___2023_08_24_20_09_00.json', 'Europe/Paris'), Date.UTC(2023, 7, 24, 18, 9));
  assert.equal(timeFromName('2023/01/data___2023_01_15_08_00_01.json.gz', 'Europe/Paris'), Date.UTC(2023, 0, 15, 7, 0, 1));
  assert.equal(timeFromName('stations.json', 'Europe/Paris'), null);
});

test('the name filter keeps a margin around the window and files without a time', () => {
  const accept = nameFilter(makeWindow('2023-08-24T20:00', '2023-08-24T21:00', 'Europe/Paris'), 'Europe/Paris')!;
  assert.ok(accept('data___2023_08_24_20_30_00.json'));
  assert.ok(accept('data___2023_08_24_21_30_00.json'), 'within the margin');
  assert.ok(!accept('data___2023_08_24_23_30_00.json'));
  assert.ok(!accept('data___2023_08_23_20_30_00.json'));
  assert.ok(accept('latest.json'));
  assert.equal(nameFilter(makeWindow(undefined, undefined, 'UTC'), 'UTC'), undefined);
});
