/**
 * Issue 15: `stations` lineage on mixed corpora. Stations appear and disappear, attributes change over time,
 * minutes repeat (stale and duplicated files), a station's last record is invalid. Whatever the worker count,
 * batch and shard sizes or path (whole-file, streamed), the tables are identical, and every station's
 * updated_at is the latest record_timestamp of its valid records, from a file that holds that observation.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { DateTime } from 'luxon';
import { queryDuckDb, runJson, tempDir } from '../support/cli.js';
import { dumpDuckDb, type Dump } from '../support/tables.js';
import { fileName, minuteDocument, pythonJson, stationCatalog } from '../support/vlille-synth.js';

const paris = (iso: string): DateTime => DateTime.fromISO(iso, { zone: 'Europe/Paris' });

/** 40 minutes: stations 1–20 for 20 minutes, then only 1–12 (renamed from minute 25 on), with quirks. */
function writeMixedCorpus(dir: string): void {
  const catalog = stationCatalog(20, 3);
  const start = paris('2023-08-24T19:00:00');
  for (let i = 0; i < 40; i++) {
    const at = start.plus({ minutes: i });
    const stations = i < 20 ? catalog : catalog.slice(0, 12);
    const override = (s: { libelle: number }) => (i >= 25 && s.libelle % 3 === 0 ? { nom: `NOUVEAU NOM ${s.libelle}` } : undefined);
    const doc = minuteDocument({ stations, at, seed: i, override });
    if (i === 39) {
      // Station 2's last record is invalid: its latest *valid* observation is the minute before.
      const records = doc.records as { fields: Record<string, unknown> }[];
      records.find((r) => r.fields.libelle === 2)!.fields.nbvelosdispo = -4;
    }
    writeFileSync(path.join(dir, fileName(at.plus({ minutes: 1 }))), pythonJson(doc));
  }
  // A stale minute (repeats 19:30's record_timestamp with other attributes) and a byte-identical copy of 19:10.
  const stale = minuteDocument({ stations: catalog.slice(0, 12), at: start.plus({ minutes: 30 }), seed: 99, override: () => ({ nom: 'STALE' }) });
  writeFileSync(path.join(dir, 'data___2023_08_24_19_31_30.json'), pythonJson(stale));
  writeFileSync(path.join(dir, 'data___2023_08_24_19_11_30.json'), readFileSync(path.join(dir, fileName(start.plus({ minutes: 11 })))));
  // A late file whose minute is old: read last by name, but its observations are not the latest.
  writeFileSync(path.join(dir, 'data___2023_08_24_23_59_00.json'), pythonJson(minuteDocument({ stations: catalog, at: start.plus({ minutes: 5 }), seed: 7, override: () => ({ nom: 'OLD' }) })));
}

/** Valid observations (station, epoch ms) per file, read back from the raw files. */
function observations(dir: string): Map<string, Set<string>> {
  const byFile = new Map<string, Set<string>>();
  for (const name of readdirSync(dir)) {
    const doc = JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as { records: { fields: Record<string, unknown>; record_timestamp: string }[] };
    const keys = doc.records.filter((r) => typeof r.fields.nbvelosdispo === 'number' && (r.fields.nbvelosdispo as number) >= 0).map((r) => `${String(r.fields.libelle)}@${Date.parse(r.record_timestamp)}`);
    byFile.set(name, new Set(keys));
  }
  return byFile;
}

describe('stations lineage on a mixed corpus', () => {
  const source = tempDir('velo-lineage-src-');
  const work = tempDir();
  let reference: Dump;
  before(() => writeMixedCorpus(source));

  const load = async (label: string, flags: string[]): Promise<Dump> => {
    const db = path.join(work, `${label}.duckdb`);
    const { code, stderr } = await runJson(['--source', source, '--warehouse', `duckdb:${db}`, '--dead-letter', path.join(work, `${label}.ndjson`), ...flags], { cwd: work });
    assert.equal(code, 3, stderr); // station 2's invalid record is a dead letter
    return dumpDuckDb(db);
  };

  test('every station: updated_at = its latest valid record_timestamp, source_file holds that observation', async () => {
    reference = await load('reference', []);
    const db = path.join(work, 'reference.duckdb');
    const latest = await queryDuckDb(db, 'SELECT station_id AS id, epoch_ms(max(record_timestamp)) AS ms FROM records GROUP BY station_id ORDER BY id');
    const files = observations(source);
    assert.equal(reference.stations.length, 20);
    for (const station of reference.stations) {
      const expected = latest.find((row) => row.id === station.id)!;
      assert.equal(station.updated_at, expected.ms, `station ${String(station.id)}`);
      assert.ok(files.get(String(station.source_file))?.has(`${String(station.id)}@${String(station.updated_at)}`), `station ${String(station.id)}: ${String(station.source_file)} holds the observation`);
    }
    // Stations that disappeared keep their last real observation (19:19), not a later file's time.
    const gone = reference.stations.find((s) => s.id === 15)!;
    assert.ok(Number(gone.updated_at) >= Date.parse('2023-08-24T17:19:00Z') && Number(gone.updated_at) < Date.parse('2023-08-24T17:20:00Z'), String(gone.updated_at));
    assert.equal(gone.source_file, 'data___2023_08_24_19_20_00.json');
    assert.equal(reference.stations.find((s) => s.id === 3)!.nom, 'NOUVEAU NOM 3');
  });

  for (const [label, flags] of [
    ['one worker, one file per task', ['--workers', '1', '--concurrency', '1']],
    ['two workers, tiny shards', ['--workers', '2', '--concurrency', '4', '--shard-mb', '0.01']],
    ['four workers', ['--workers', '4', '--concurrency', '12']],
    ['the main thread', ['--workers', '0']],
    ['streamed record by record', ['--workers', '2', '--stream-threshold-mb', '0.000001']],
  ] as const) {
    test(`${label}: identical tables`, async () => {
      assert.deepEqual(await load(label.replace(/\W+/g, '-'), [...flags]), reference);
    });
  }

  test('a window first, then the rest, then --force: the same stations as one run', async () => {
    const db = path.join(work, 'windowed.duckdb');
    const base = ['--source', source, '--warehouse', `duckdb:${db}`, '--dead-letter', path.join(work, 'windowed.ndjson')];
    await runJson([...base, '--from', '2023-08-24T19:20', '--to', '2023-08-24T19:30'], { cwd: work });
    const windowed = await dumpDuckDb(db);
    assert.ok(windowed.stations.every((s) => Number(s.updated_at) < Date.parse('2023-08-24T17:30:00Z')), 'only observations inside the window count');
    await runJson(base, { cwd: work });
    await runJson([...base, '--force'], { cwd: work });
    assert.deepEqual((await dumpDuckDb(db)).stations, reference.stations);
  });
});
