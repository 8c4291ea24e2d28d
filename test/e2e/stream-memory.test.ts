/**
 * Issue 19: huge files of the other formats stream in bounded memory. A 100 MB MEL WFS GeoJSON document (its
 * `timeStamp` after the features, as GeoServer writes it: the features wait on disk until the document ends) and
 * then a 100 MB MEL CSV (its rows located at the stations the GeoJSON loaded) each load through the built CLI with
 * exact row counts, within MAX_PEAK_RSS_MB of peak RSS, started as its bin starts it and as plain
 * `node dist/cli/main.js`. The files are written once per process, to disk as they are made.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { DateTime } from 'luxon';
import { writeBigMelCsv, writeBigMelWfs } from '../support/big-files.js';
import { NODE_FLAGS, runJson, tempDir } from '../support/cli.js';
import { collectedName } from '../support/formats-synth.js';
import { stationCatalog } from '../support/vlille-synth.js';

const MAX_PEAK_RSS_MB = 300;
const FILE_BYTES = 100 * 1e6;
const STATIONS = 2000;

const STARTS = [
  { how: 'through the bin', nodeFlags: NODE_FLAGS },
  { how: 'as node dist/cli/main.js', nodeFlags: [] },
] as const;

const stations = stationCatalog(STATIONS, 23);
assert.equal(new Set(stations.map((s) => `${s.lon} ${s.lat}`)).size, STATIONS, 'every station at a point of its own (CSV rows are located by it)');
const wfsAt = DateTime.fromISO('2025-06-01T12:00:00', { zone: 'Europe/Paris' });
const csvAt = wfsAt.plus({ minutes: 1 });
const wfsDir = tempDir('velo-big-wfs-');
const csvDir = tempDir('velo-big-csv-');
const wfs = writeBigMelWfs(path.join(wfsDir, collectedName('mel_wfs_vlille_temps_reel', wfsAt, 'geojson')), FILE_BYTES, stations, wfsAt);
const csv = writeBigMelCsv(path.join(csvDir, collectedName('mel_ogcapi_vlille_temps_reel', csvAt, 'csv')), FILE_BYTES, stations, csvAt);

after(() => {
  rmSync(wfsDir, { recursive: true, force: true });
  rmSync(csvDir, { recursive: true, force: true });
});

for (const { how, nodeFlags } of STARTS) {
  describe(`100 MB MEL files, started ${how}`, () => {
    const work = tempDir();
    const warehouse = `duckdb:${path.join(work, 'velo.duckdb')}`;

    test(`the WFS GeoJSON: every feature staged, one row per station merged, peak RSS within ${MAX_PEAK_RSS_MB} MB`, async () => {
      assert.ok(wfs.bytes >= FILE_BYTES);
      const { code, summary, stderr } = await runJson(['--source', wfsDir, '--warehouse', warehouse, '--staging', path.join(work, 's1')], { cwd: work, nodeFlags });
      assert.equal(code, 0, stderr.slice(-2000));
      assert.deepEqual(summary.formats, { 'vlille-mel-wfs': { files: 1, rows: wfs.rows } });
      // One timeStamp for the whole document: every station's repeats are duplicates.
      assert.deepEqual(summary.rows, { staged: wfs.rows, rejected: 0, outOfRange: 0, duplicate: wfs.rows - STATIONS, merged: STATIONS, degradedRecords: 0 });
      assert.ok(summary.peakRssMb <= MAX_PEAK_RSS_MB, `peak RSS ${summary.peakRssMb} MB`);
      console.log(`# 100 MB MEL WFS (${how}): ${wfs.rows} features, peak RSS ${summary.peakRssMb} MB, ${summary.wallSeconds.toFixed(1)} s`);
    });

    test(`the CSV, into the same warehouse: every row located, peak RSS within ${MAX_PEAK_RSS_MB} MB`, async () => {
      assert.ok(csv.bytes >= FILE_BYTES);
      const { code, summary, stderr } = await runJson(['--source', csvDir, '--warehouse', warehouse, '--staging', path.join(work, 's2')], { cwd: work, nodeFlags });
      assert.equal(code, 0, stderr.slice(-2000));
      assert.deepEqual(summary.formats, { 'vlille-mel-csv': { files: 1, rows: csv.rows } });
      assert.deepEqual(summary.rows, { staged: csv.rows, rejected: 0, outOfRange: 0, duplicate: csv.rows - STATIONS, merged: STATIONS, degradedRecords: 0 });
      assert.equal(summary.unlocatedRows, 0);
      assert.ok(summary.peakRssMb <= MAX_PEAK_RSS_MB, `peak RSS ${summary.peakRssMb} MB`);
      console.log(`# 100 MB MEL CSV (${how}): ${csv.rows} rows, peak RSS ${summary.peakRssMb} MB, ${summary.wallSeconds.toFixed(1)} s`);
    });
  });
}
