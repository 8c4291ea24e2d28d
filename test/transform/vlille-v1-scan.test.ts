/**
 * Differential tests of the V'lille v1 fast path (vlille-v1-scan.ts) against the JSON.parse path
 * (flattenFileBytes), which defines correct: whenever the scanner answers, its staged NDJSON, counts, rejects
 * and station observations are identical to the JSON.parse path's; otherwise it falls back. Generated minutes
 * (random values, escapes, fraction digits, key orders, whitespace, odd forms), the bundled fixtures and the
 * hostile corpus. Clean minutes must never fall back, so a scanner that always falls back fails here too.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import type { FileOutcome } from '../../src/transform/file-flattener.js';
import { flattenFileBytes } from '../../src/transform/flatten-file.js';
import { LatestStations } from '../../src/transform/stations.js';
import type { StationRow } from '../../src/transform/types.js';
import { FALLBACK, NdjsonSink, scanVlilleV1, type ScanOutcome } from '../../src/transform/vlille-v1-scan.js';
import { HOSTILE_FILES } from '../support/hostile-corpus.js';

const SEED = Number(process.env.VELO_PROPERTY_SEED ?? 20261204);
const RUNS = Number(process.env.VELO_PROPERTY_RUNS ?? 150);
const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures');
const WINDOW = { fromMs: Date.parse('2023-08-24T00:00:00Z'), toMs: Date.parse('2023-08-25T00:00:00Z') };

/** Both paths on the same bytes, each with its own station table; asserts they agree when the scanner answers. */
function compare(bytes: Uint8Array, name: string): ScanOutcome {
  const expected = flattenFileBytes(bytes, { name, window: WINDOW, stations: new LatestStations<StationRow>() });
  const sink = new NdjsonSink();
  // Lines already in the sink stay as they are, whatever the scanner answers.
  sink.writeString('{"before":1}\n');
  const actual = scanVlilleV1(bytes, { name, window: WINDOW, stations: new LatestStations<StationRow>() }, {}, sink);
  if (actual === FALLBACK) {
    assert.equal(sink.view().toString('latin1'), '{"before":1}\n', `${name}: a fallback left bytes in the sink`);
    return actual;
  }
  const staged = sink.view().toString('latin1').slice('{"before":1}\n'.length);
  if (actual.status === 'loaded') {
    assert.equal(actual.recordsNdjson, '');
    assert.deepEqual(plain({ ...actual, recordsNdjson: staged }), plain(expected), name);
  } else {
    assert.equal(staged, '', `${name}: a degraded minute wrote lines`);
    assert.deepEqual(actual, expected, name);
  }
  return actual;
}

/** An outcome with its station table as the list of observations it holds. */
function plain(outcome: FileOutcome): unknown {
  if (outcome.status !== 'loaded') return outcome;
  const { stations, ...rest } = outcome;
  return { ...rest, stations: stations.values() };
}

// ---- generated minutes: JSON text written token by token, with choices a collector could make ----

type Escaping = 'json' | 'python' | 'all-u' | 'slash';
/** A string literal in one of several legal spellings. */
function literal(value: string, escaping: Escaping): string {
  const json = JSON.stringify(value);
  if (escaping === 'python') return json.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (escaping === 'slash') return json.replaceAll('/', '\\/');
  // Every UTF-16 unit escaped, upper-case hex (surrogate pairs as two escapes).
  if (escaping === 'all-u') return `"${value.split('').map((u) => `\\u${u.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`).join('')}"`;
  return json;
}

interface Style {
  escaping: Escaping;
  /** Whitespace around every token, cycled. */
  blanks: string[];
}

function writer(style: Style): { obj(entries: [string, string][]): string; arr(items: string[]): string; str(value: string): string } {
  let k = 0;
  const w = (): string => style.blanks[k++ % style.blanks.length]!;
  return {
    obj: (entries) => `{${w()}${entries.map(([key, value]) => `${key}${w()}:${w()}${value}${w()}`).join(`,${w()}`)}}`,
    arr: (items) => `[${w()}${items.join(`${w()},${w()}`)}${w()}]`,
    str: (value) => literal(value, style.escaping),
  };
}

const style: fc.Arbitrary<Style> = fc.record({
  escaping: fc.constantFrom<Escaping>('json', 'python', 'all-u', 'slash'),
  blanks: fc.array(fc.constantFrom('', ' ', '  ', '\n', '\r\n  ', '\t'), { minLength: 1, maxLength: 4 }),
});

const timestamp = fc
  .record({
    day: fc.integer({ min: 23, max: 25 }),
    hour: fc.integer({ min: 0, max: 23 }),
    minute: fc.integer({ min: 0, max: 59 }),
    fraction: fc.constantFrom('', '.5', '.56', '.944', '.457000', '.1234567', ',5'),
    sep: fc.constantFrom('T', 'T', ' '),
    offset: fc.constantFrom('Z', '+02:00', '+01:00', '-05:30', '+0200', '+02'),
  })
  .map((t) => `2023-08-${t.day}${t.sep}${String(t.hour).padStart(2, '0')}:${String(t.minute).padStart(2, '0')}:07${t.fraction}${t.offset}`);

const TEXTS = ['EN SERVICE', 'RÉFORMÉ', 'CONNECTÉ', 'DÉCONNECTÉ', "VILLENEUVE D'ASCQ", 'AVEC TPE', '115 Rue "de" Lambersart\\', 'a/b\n\t', 'Zoë 🚲', ''];
/** A value that text() keeps: a string, or null, true, false. */
const text = (clean: boolean): fc.Arbitrary<{ raw?: string; value: string }> =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...TEXTS).map((value) => ({ value })) },
    { weight: 2, arbitrary: fc.string({ maxLength: 12, unit: clean ? 'grapheme' : 'binary' }).map((value) => ({ value })) },
    { weight: 1, arbitrary: fc.constantFrom('null', 'true', 'false', ...(clean ? [] : ['12', '1.50', '{}', '[1]', '"' + 'x'.repeat(1100) + '"'])).map((raw) => ({ raw, value: '' })) },
  );

const integer = (min: number, clean: boolean, odd: string[]): fc.Arbitrary<string> =>
  clean ? fc.integer({ min, max: 400 }).map(String) : fc.oneof({ weight: 8, arbitrary: fc.integer({ min, max: 400 }).map(String) }, { weight: 1, arbitrary: fc.constantFrom(...odd) });

/** A coordinate as written: shortest form, fixed fraction digits, or an exponent. */
const coordinate = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }).map((x) => JSON.stringify(x)),
  fc.tuple(fc.integer({ min: -90, max: 90 }), fc.integer({ min: 0, max: 10 ** 9 }), fc.integer({ min: 0, max: 12 })).map(([i, f, d]) => `${i}.${String(f).padStart(d, '0')}`),
  fc.constantFrom('5.062972E1', '3e0', '-0', '0', '1e400', '-1e-400', '50.6297200000000000001', '0.000001'),
);

function pair(clean: boolean): fc.Arbitrary<string[] | string> {
  const two = fc.tuple(coordinate, coordinate).map((p) => [...p]);
  return clean ? fc.oneof({ weight: 5, arbitrary: two }, { weight: 1, arbitrary: fc.constant('null') }) : fc.oneof(two, fc.constantFrom('null', '[]', '[1]', '["a", 2]', '[[1, 2], 3]', '{"lat": 1}'));
}

export interface GeneratedRecord {
  degraded: boolean;
  fields: [string, { raw?: string; value: string } | string | string[]][];
  timestamp: string;
  extra: boolean;
}

function record(clean: boolean): fc.Arbitrary<GeneratedRecord> {
  const t = text(clean);
  const fields = fc.record({
    libelle: integer(1, clean, ['0', '-1', '1.0', '1e2', '"12"', 'null', '12345678901234567890', '00']),
    nbvelosdispo: integer(0, clean, ['-0', '2.5', '1E1', 'null', '"3"', 'true', '-3']),
    nbplacesdispo: integer(0, clean, ['-0', '2.5', 'null']),
    nom: t,
    adresse: t,
    commune: t,
    type: t,
    etat: t,
    etatconnexion: t,
    datemiseajour: fc.oneof(timestamp, fc.constantFrom('null', ...(clean ? [] : ['2023-13-01T10:00:00Z', '12']))),
    geo: pair(clean),
    localisation: pair(clean),
  });
  return fc
    .record({
      degraded: fc.boolean(),
      fields: fields.chain((f) => fc.shuffledSubarray(Object.entries(f), { minLength: clean ? 12 : 9, maxLength: 12 })),
      timestamp: clean ? timestamp : fc.oneof({ weight: 6, arbitrary: timestamp }, { weight: 1, arbitrary: fc.constantFrom('2023-02-30T10:00:00Z', '') }),
      extra: fc.boolean(),
    })
    .map((r) => (r.degraded ? { ...r, fields: r.fields.filter(([k]) => k === 'geo' || k === 'localisation') } : r));
}

/** A generated minute as JSON text; `shared`: every record the same record_timestamp, as in real files. */
function minuteText(records: GeneratedRecord[], s: Style, order: number[], shared: boolean, twist: string): string {
  const j = writer(s);
  const value = (key: string, v: GeneratedRecord['fields'][number][1]): string => {
    if (Array.isArray(v)) return j.arr(v);
    if (typeof v === 'string') return key === 'datemiseajour' && v !== 'null' && v !== '12' ? j.str(v) : v;
    return v.raw ?? j.str(v.value);
  };
  const recs = records.map((r) => {
    // Keys stay plain: an escaped key is a twist (the scanner falls back on it).
    const fields = j.obj(r.fields.map(([k, v]) => [JSON.stringify(k), value(k, v)]));
    const members: [string, string][] = [
      ['"fields"', fields],
      ['"record_timestamp"', j.str(shared ? (records[0]?.timestamp ?? r.timestamp) : r.timestamp)],
      ['"geometry"', j.obj([['"type"', '"Point"'], ['"coordinates"', j.arr(['3.07', '50.63'])]])],
    ];
    if (r.extra) members.unshift(['"datasetid"', '"vlille-realtime"'], ['"recordid"', j.str('30dbe8287bbc3774c77c455b9fd901b1a8fc5f92')]);
    return j.obj(order.map((i) => members[i % members.length]!).filter((m, i, all) => all.indexOf(m) === i).concat(members.filter((m) => !order.some((i) => members[i % members.length] === m))));
  });
  const top: [string, string][] = [
    ['"nhits"', String(records.length)],
    ['"parameters"', j.obj([['"dataset"', '"vlille-realtime"'], ['"rows"', '300'], ['"nested"', j.arr([j.obj([]), j.arr([]), 'true', 'false', 'null', '-1.5e-3'])]])],
    ['"records"', j.arr(recs)],
  ];
  const text = j.obj(order.length % 2 ? top.reverse() : top);
  return twist === 'none' ? text : applyTwist(text, twist);
}

/** Hostile edits the scanner must never read differently: it answers the same or falls back. */
function applyTwist(text: string, twist: string): string {
  switch (twist) {
    case 'escaped-key':
      return text.replace('"fields"', '"f\\u0069elds"');
    case 'duplicate-field':
      return text.replace('"fields": {', '"fields": {"libelle": 999, ').replace('"fields":{', '"fields":{"libelle":999,');
    case 'truncated':
      return text.slice(0, Math.floor(text.length * 0.7));
    case 'trailing':
      return `${text} x`;
    case 'bom':
      return `\ufeff${text}`;
    case 'second-document':
      return `${text}\n${text}`;
    default:
      return text;
  }
}

const TWISTS = ['escaped-key', 'duplicate-field', 'truncated', 'trailing', 'bom', 'second-document'];

test('clean generated minutes: the scanner answers, identical to the JSON.parse path', () => {
  fc.assert(
    fc.property(fc.array(record(true), { minLength: 1, maxLength: 12 }), style, fc.array(fc.nat(5), { maxLength: 3 }), fc.boolean(), (records, s, order, shared) => {
      const bytes = Buffer.from(minuteText(records, s, order, shared, 'none'));
      const outcome = compare(bytes, 'data___2023_08_24_20_09_00.json');
      assert.notEqual(outcome, FALLBACK, `fell back on a clean minute: ${bytes.toString().slice(0, 400)}`);
    }),
    { seed: SEED, numRuns: RUNS },
  );
});

test('odd values, forms and twists: the scanner answers identically or falls back', () => {
  let answered = 0;
  fc.assert(
    fc.property(fc.array(record(false), { maxLength: 8 }), style, fc.array(fc.nat(5), { maxLength: 3 }), fc.boolean(), fc.constantFrom('none', 'none', ...TWISTS), (records, s, order, shared, twist) => {
      if (compare(Buffer.from(minuteText(records, s, order, shared, twist)), 'data___2023_08_24_20_09_00.json') !== FALLBACK) answered++;
    }),
    { seed: SEED, numRuns: 2 * RUNS },
  );
  // Not everything falls back: odd values are rare in a record.
  assert.ok(answered > RUNS / 10, `the scanner answered only ${answered} of ${2 * RUNS} minutes`);
});

test('bundled fixtures: identical outcomes; only gzip, NDJSON and the hostile minutes fall back', () => {
  const fallbacks: string[] = [];
  for (const dir of ['vlille/minutes', 'vlille/hostile', 'sample-corpus']) {
    for (const name of readdirSync(path.join(FIXTURES, dir))) {
      if (compare(readFileSync(path.join(FIXTURES, dir, name)), name) === FALLBACK && dir !== 'vlille/hostile') fallbacks.push(`${dir}/${name}`);
    }
  }
  assert.deepEqual(fallbacks, ['vlille/minutes/data___2023_08_24_20_17_00.json.gz', 'vlille/minutes/data___2023_08_24_20_18_00.json']);
});

test('hostile corpus: the scanner never answers differently (lone surrogates, huge or gzip files fall back)', () => {
  const answered: string[] = [];
  for (const file of HOSTILE_FILES) {
    if (compare(file.bytes(), file.name) !== FALLBACK) answered.push(file.name);
  }
  // The pretty-printed minute behind a UTF-8 BOM is the one hostile file the scanner reads itself.
  assert.deepEqual(answered, ['utf8-bom.json']);
});

test('a batch of minutes through one station table and one sink: the same lines and latest stations as JSON.parse', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.array(record(true), { minLength: 1, maxLength: 6 }), style, fc.boolean()), { minLength: 2, maxLength: 5 }), (minutes) => {
      const expectedStations = new LatestStations<StationRow>();
      const actualStations = new LatestStations<StationRow>();
      const sink = new NdjsonSink();
      let expectedLines = '';
      minutes.forEach(([records, s, shared], i) => {
        const name = `data___2023_08_24_20_${String(10 + i).padStart(2, '0')}_00.json`;
        // Three station ids in every minute: the scanner's rows kept from one minute meet changed attributes in the next.
        const few = records.map((r, j) => ({ ...r, fields: r.fields.map(([k, v]): GeneratedRecord['fields'][number] => [k, k === 'libelle' ? String(1 + (j % 3)) : v]) }));
        const bytes = Buffer.from(minuteText(few, s, [], shared, 'none'));
        const expected = flattenFileBytes(bytes, { name, window: WINDOW, stations: expectedStations });
        if (expected.status === 'loaded') expectedLines += expected.recordsNdjson;
        assert.notEqual(scanVlilleV1(bytes, { name, window: WINDOW, stations: actualStations }, {}, sink), FALLBACK);
      });
      assert.equal(sink.view().toString('latin1'), expectedLines);
      assert.deepEqual(actualStations.values(), expectedStations.values());
    }),
    { seed: SEED, numRuns: RUNS },
  );
});
