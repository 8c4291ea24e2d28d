/**
 * Property: one observation, written in every format that can express it (test/support/formats-synth.ts), is read
 * back as the same record (same instants, same values). Fixed seed, bounded runs.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { DateTime } from 'luxon';
import type { FileOutcome } from '../../src/transform/file-flattener.js';
import { flattenDocument, flattenFileBytes } from '../../src/transform/flatten-file.js';
import { gbfsStatus, jcdecauxV1, jcdecauxV3, melCsv, melWfs, odsV2, collectedName, type Observation, type RawFile } from '../support/formats-synth.js';
import { minuteDocument, stationCatalog } from '../support/vlille-synth.js';

const SEED = Number(process.env.VELO_PROPERTY_SEED ?? 20261129);
const RUNS = Number(process.env.VELO_PROPERTY_RUNS ?? 100);
const station = stationCatalog(3, 4)[2]!;

/** A row as instants and values, whatever the offset spelling. */
function normal(row: Record<string, unknown>): Record<string, unknown> {
  const ms = (v: unknown): number | null => (typeof v === 'string' ? Date.parse(v) : null);
  return { etat: row.etat, bikes: row.nb_velos_dispo, docks: row.nb_places_dispo, connexion: row.etat_connexion, updated: ms(row.derniere_maj), at: ms(row.record_timestamp) };
}

function only(outcome: FileOutcome): Record<string, unknown> {
  assert.equal(outcome.status, 'loaded', JSON.stringify(outcome).slice(0, 300));
  const loaded = outcome as Extract<FileOutcome, { status: 'loaded' }>;
  const lines = (loaded.recordsNdjson + loaded.locatedNdjson).trim().split('\n');
  assert.equal(lines.length, 1);
  return normal(JSON.parse(lines[0]!) as Record<string, unknown>);
}

const read = (file: RawFile): FileOutcome => flattenFileBytes(Buffer.from(file.text), { name: file.name });
/** MEL's wall-clock times cannot say which of the autumn's repeated hour they mean: that hour is left out. */
const unambiguous = (t: DateTime): boolean => {
  const p = t.setZone('Europe/Paris');
  return p.offset === p.plus({ hours: 1 }).offset && p.offset === p.minus({ hours: 1 }).offset;
};

const observation = fc.record({
  bikes: fc.integer({ min: 0, max: 60 }),
  docks: fc.integer({ min: 0, max: 60 }),
  etat: fc.constantFrom('EN SERVICE', 'HORS SERVICE', 'IN_MAINTENANCE'),
  connexion: fc.constantFrom('CONNECTÉ', 'DÉCONNECTÉ', null),
  atSeconds: fc.integer({ min: Date.parse('2020-01-01T00:00:00Z') / 1000, max: Date.parse('2026-12-31T00:00:00Z') / 1000 }),
  lagSeconds: fc.integer({ min: 0, max: 86_400 }),
});

test('a record round-trips the same through every format that can express it', () => {
  fc.assert(
    fc.property(observation, (o) => {
      const at = DateTime.fromSeconds(o.atSeconds, { zone: 'UTC' });
      const obs: Observation = { station, bikes: o.bikes, docks: o.docks, etat: o.etat, connexion: o.connexion, updated: at.minus({ seconds: o.lagSeconds }) };
      // Reference: ODS v1, which expresses everything.
      const v1 = minuteDocument({ stations: [station], at, seed: 1, override: () => ({ nbvelosdispo: o.bikes, nbplacesdispo: o.docks, etat: o.etat, etatconnexion: o.connexion, datemiseajour: obs.updated.toISO() }) });
      (v1.records as { record_timestamp: string }[])[0]!.record_timestamp = at.setZone('Europe/Paris').toISO()!; // whole seconds, as the others
      const expected = only(flattenDocument(v1, { name: 'data___2020_01_01_00_00_00.json' }));
      const outcomes: [string, FileOutcome][] = [['ods-v2', read(odsV2([obs], at, true))]];
      if (unambiguous(obs.updated)) {
        outcomes.push(['mel-wfs', read(melWfs([obs], at))]);
        outcomes.push(['mel-csv', read(melCsv([obs], at, { utcName: true }))]);
      }
      if (o.connexion === null) outcomes.push(['gbfs-2.3', read(gbfsStatus([obs], at, '2.3'))], ['gbfs-3.0', read(gbfsStatus([obs], at, '3.0'))]);
      if (o.etat !== 'IN_MAINTENANCE' && o.connexion === null) {
        outcomes.push(['jcdecaux-v1', flattenDocument(jcdecauxV1([obs], at, 'vlille'), { name: collectedName('jc', at, 'json', true) })]);
      }
      if (o.etat !== 'IN_MAINTENANCE' && o.connexion !== null) {
        outcomes.push(['jcdecaux-v3', flattenDocument(jcdecauxV3([obs], 'vlille'), { name: collectedName('jc', at, 'json', true) })]);
      }
      for (const [format, outcome] of outcomes) assert.deepEqual(only(outcome), expected, format);
    }),
    { seed: SEED, numRuns: RUNS, includeErrorInReport: true },
  );
});
