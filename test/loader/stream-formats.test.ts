/**
 * Issue 19, the streaming path for every JSON format: documents of each format from the project's generators,
 * with their quirks (degraded records, a null last_update, several JCDecaux contracts, GBFS 3.0 localized names,
 * `timeStamp` after the features, `last_updated` after `data`, members in either order), read by the streaming
 * path give what the whole-file path (the definition of correct) gives: status, code and reason, rows as NDJSON
 * text, rejects, degraded/skipped/station counts, station observations and time coverage. The same documents
 * then go through the built CLI twice, whole and streamed (a tiny --stream-threshold-mb), into identical tables.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { streamFlattenFile } from '../../src/loader/workers/stream-file.js';
import type { FileOutcome } from '../../src/transform/file-flattener.js';
import { flattenFileBytes } from '../../src/transform/flatten-file.js';
import type { FileContext } from '../../src/transform/types.js';
import { runJson, tempDir } from '../support/cli.js';
import { paris } from '../support/format-fixtures.js';
import { collectedName, gbfsInformation, gbfsStatus, jcdecauxV1, jcdecauxV3, melWfs, observe, odsV2 } from '../support/formats-synth.js';
import { dumpDuckDb } from '../support/tables.js';
import { fileName, minuteDocument, pythonJson, random, stationCatalog } from '../support/vlille-synth.js';

interface Case {
  name: string;
  text: string;
  /** What is special about it (the assertion message). */
  about: string;
  context?: Partial<FileContext>;
}

const stations = stationCatalog(20, 5).map((s) => ({ ...s, reformed: s.libelle === 7 }));

/** Documents of every JSON format, with their quirks; names carry distinct collection times. */
function cases(): Case[] {
  const rnd = random(19);
  const at = (minute: number) => paris('2025-03-01T10:00:00').plus({ minutes: minute });
  const obs = (minute: number) => observe(stations, at(minute), rnd);
  const out: Case[] = [];
  const add = (about: string, file: { name: string; text: string }, context?: Partial<FileContext>) => out.push({ about, name: file.name, text: file.text, context });
  const named = (name: string, text: string) => ({ name, text });

  add('ODS v1 minute', named(fileName(at(0)), pythonJson(minuteDocument({ stations, at: at(0), seed: 3 }))));
  add('ODS v1 degraded minute', named(fileName(at(1)), pythonJson(minuteDocument({ stations, at: at(1), seed: 4, degraded: true }))));
  add('ODS v2 with degraded records', odsV2(obs(2), at(2), false, { degraded: 3 }));
  add('ODS v2, total_count after the results', odsV2(obs(3), at(3), true, { countLast: true }));
  add('MEL WFS, timeStamp after the features, degraded features', melWfs(obs(4), at(4), { degraded: 2 }));
  add('MEL WFS, timeStamp first', melWfs(obs(5), at(5), { timeStamp: 'first' }));
  add('MEL WFS without timeStamp: the name\'s time', melWfs(obs(6), at(6), { timeStamp: 'none' }));
  const quirky = melWfs(obs(7), at(7)).text.replace('"objectid": 3,', '"objectid": 1e400,').replace('"objectid": 4,', '"objectid": -0,').replace(/"nom": "[^"]*",/, '"nom": "\\ud800 A\\u0000",');
  add('MEL WFS, timeStamp after: 1e400, -0, lone surrogate and NUL through the spool', named(collectedName('mel_wfs_quirky', at(7), 'geojson'), quirky));
  for (const version of ['2.3', '3.0'] as const) {
    for (const last of [false, true]) {
      const where = last ? 'last_updated after data' : 'last_updated first';
      const status = gbfsStatus(obs(8), at(8), version, { lastUpdatedLast: last });
      const information = gbfsInformation(stations, at(8), version, { lastUpdatedLast: last });
      add(`GBFS ${version} station_status, ${where}`, named(`${last ? 'late_' : ''}${status.name}`, status.text));
      add(`GBFS ${version} station_information, ${where}`, named(`${last ? 'late_' : ''}${information.name}`, information.text));
      const badId = status.text.replace('"station_id": "17"', '"station_id": "lil:17"');
      add(`GBFS ${version}, a station id that is no integer late in the feed, ${where}`, named(`bad_id_${last ? 'late_' : ''}${status.name}`, badId));
    }
  }
  add('GBFS, last_updated that is no time', named('gbfs_bad_time.json', gbfsStatus(obs(9), at(9), '2.3').text.replace(/"last_updated": \d+/, '"last_updated": "soon"')));
  const toulouse = stationCatalog(3, 99).map((s) => ({ ...s, libelle: 100 + s.libelle }));
  const v1 = [...jcdecauxV1(obs(10), at(10), 'vlille', [2, 5]), ...jcdecauxV1(observe(toulouse, at(10), rnd), at(10), 'toulouse')];
  add('JCDecaux v1, two contracts, null last_update', named(collectedName('jcdecaux_v1', at(10), 'json'), JSON.stringify(v1)));
  add('JCDecaux v1 read as network toulouse', named(collectedName('jcdecaux_v1_toulouse', at(10), 'json'), JSON.stringify(v1)), { network: 'toulouse' });
  const v3 = [...jcdecauxV3(observe(toulouse, at(11), rnd), 'toulouse'), ...jcdecauxV3(obs(11), 'vlille')];
  add('JCDecaux v3, another contract first', named(collectedName('jcdecaux_v3', at(11), 'json'), JSON.stringify(v3, null, 2)));
  add('ODS v2 under another network', odsV2(obs(12), at(12)), { network: 'toulouse' });
  add('MEL WFS under another network', melWfs(obs(13), at(13)), { network: 'toulouse' });
  add('ODS v2 without a time in its name', named('vlille_ods_v2.json', odsV2(obs(14), at(14)).text));
  add('MEL WFS forced as itself', melWfs(obs(15), at(15)), { inputFormat: 'vlille-mel-wfs' });
  add('MEL WFS forced as ODS v2', melWfs(obs(16), at(16)), { inputFormat: 'vlille-ods-v2' });
  add('JCDecaux forced as GBFS', named(collectedName('jcdecaux_v3_forced', at(11), 'json'), JSON.stringify(v3)), { inputFormat: 'gbfs-station-status' });
  add('an empty FeatureCollection', named(collectedName('empty', at(17), 'geojson'), JSON.stringify({ type: 'FeatureCollection', features: [], timeStamp: at(17).toISO() })));
  add('an object of no known shape', named(collectedName('unknown', at(17), 'json'), JSON.stringify({ stations: [{ id: 1 }], updated: 1, more: [1, 2], a: 1, b: 2, c: 3, d: 4, e: 5, f: 6 })));
  add('an array of no known shape', named(collectedName('unknown_array', at(17), 'json'), JSON.stringify([{ id: 1 }, { id: 2 }, 3])));
  add('results of no known shape', named(collectedName('unknown_results', at(17), 'json'), JSON.stringify({ total_count: 1, results: [{ x: 1 }] })));
  return out;
}

/** Everything both paths must agree on. */
function summary(outcome: FileOutcome, ndjson: string): unknown {
  if (outcome.status !== 'loaded') return outcome;
  const { recordsNdjson: _rows, stations: latest, ...counts } = outcome;
  return { ...counts, ndjson, stations: latest.values() };
}

async function streamed(bytes: Buffer, size: number, context: FileContext): Promise<unknown> {
  const pieces = Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size));
  let ndjson = '';
  const outcome = await streamFlattenFile(Readable.from(pieces), context, async (text) => void (ndjson += text), { spoolDir: tempDir('velo-spool-') });
  return summary(outcome, outcome.status === 'loaded' ? ndjson + outcome.recordsNdjson : '');
}

test('every JSON format and quirk: the streaming path gives the whole-file outcome, whatever the chunk size', async () => {
  const all = cases();
  const statuses = new Set<string>();
  for (const file of all) {
    const bytes = Buffer.from(file.text);
    const context: FileContext = { name: file.name, ...file.context };
    const whole = flattenFileBytes(bytes, context);
    assert.notEqual(whole.status, 'stream', file.about);
    statuses.add(whole.status === 'rejected' ? whole.code : whole.status === 'loaded' ? whole.format : whole.status);
    const expected = summary(whole, whole.status === 'loaded' ? whole.recordsNdjson : '');
    for (const size of [5, 4093, 1 << 20]) assert.deepEqual(await streamed(bytes, size, context), expected, `${file.about} (${file.name}), in chunks of ${size}`);
  }
  // The cases cover every format and every way a file is set aside.
  assert.deepEqual([...statuses].sort(), ['BAD_FILE_VALUE', 'NO_COLLECTION_TIME', 'UNKNOWN_SHAPE', 'WRONG_NETWORK', 'degraded', 'gbfs-station-information', 'gbfs-station-status', 'jcdecaux-v1', 'jcdecaux-v3', 'vlille-mel-wfs', 'vlille-ods-v1', 'vlille-ods-v2']);
});

test('held-back records keep their bounds: a feature too large to read is a rejected record, the rest load at the late timeStamp', async () => {
  const at = paris('2025-03-01T11:00:00');
  const doc = melWfs(observe(stations, at, random(7)), at).text.replace('"nom": "', `"nom": "${'N'.repeat(600_000)}`);
  const outcome = await streamFlattenFile(Readable.from([Buffer.from(doc)]), { name: 'x.geojson' }, async () => undefined);
  assert.equal(outcome.status, 'loaded');
  if (outcome.status !== 'loaded') return;
  assert.deepEqual([outcome.rows, outcome.rejects], [19, [{ index: 0, reason: 'record is larger than 524288 bytes: not read' }]]);
  assert.equal(outcome.minTimestampMs, at.toMillis());
});

test('what the streaming path reads differently, on purpose: a member repeated after the records, two record arrays', async () => {
  const at = paris('2025-03-01T11:00:00');
  const text = melWfs(observe(stations, at, random(8)), at, { timeStamp: 'first' }).text;
  const repeated = text.replace(/\n}$/, ',\n    "timeStamp": "2030-01-01T00:00:00Z"\n}');
  const twice = JSON.stringify({ total_count: 1, results: [{ libelle: 1 }], records: [{ fields: {} }] });
  for (const [doc, reason] of [[repeated, /a top-level member repeated after the records changes how they read/], [twice, /two arrays of records \("results" and "records"\)/]] as const) {
    const outcome = await streamFlattenFile(Readable.from([Buffer.from(doc)]), { name: 'x.json' }, async () => undefined);
    assert.equal(outcome.status === 'rejected' && outcome.code, 'UNKNOWN_SHAPE');
    assert.match(outcome.status === 'rejected' ? outcome.reason : '', reason);
  }
});

describe('the same documents through the CLI, whole and streamed', () => {
  const source = tempDir('velo-formats-');
  // Network vlille only (the other-network cases are files of their own above); one file per name.
  for (const file of cases().filter((c) => c.context === undefined)) writeFileSync(path.join(source, file.name), file.text);

  async function load(how: string, flags: string[]): Promise<{ summary: Record<string, any>; code: number; dump: unknown; dead: unknown[] }> {
    const work = tempDir();
    const db = path.join(work, `${how}.duckdb`);
    const dead = path.join(work, 'dead.ndjson');
    const run = await runJson(['--source', source, '--warehouse', `duckdb:${db}`, '--dead-letter', dead, ...flags], { cwd: work });
    const entries = readdirSync(work).includes('dead.ndjson') ? readFileSync(dead, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>) : [];
    const sorted = entries.map(({ run_id: _run, at: _at, ...entry }) => entry).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    return { summary: run.summary, code: run.code, dump: await dumpDuckDb(db), dead: sorted };
  }

  test('identical summaries, dead letters and tables', async () => {
    const whole = await load('whole', []);
    const streamedRun = await load('streamed', ['--stream-threshold-mb', '0.000001']);
    assert.equal(whole.code, 3, JSON.stringify(whole.summary));
    assert.equal(streamedRun.code, whole.code);
    for (const key of ['files', 'rows', 'formats', 'unlocatedRows']) assert.deepEqual(streamedRun.summary[key], whole.summary[key], key);
    assert.ok(whole.summary.rows.staged > 200, `staged ${whole.summary.rows.staged}`);
    assert.deepEqual(streamedRun.dead, whole.dead);
    assert.deepEqual(streamedRun.dump, whole.dump);
  });
});
