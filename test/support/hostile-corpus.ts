/**
 * A deterministic corpus of hostile raw files, each with what the loader must make of it. Written by
 * scripts/make-hostile.ts into a folder, and by test/e2e/hostile-corpus.test.ts next to good minutes.
 * Big files are built as text from templates (the synthetic minute builder takes ~8 s for 60,000 stations).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

/** A file set aside whole, or a file whose good records load while the bad ones are rejected records. */
export type Expectation = { code: string; reason: RegExp } | { rows: number; keys: number; rejects: RegExp[] };

export interface HostileFile {
  name: string;
  /** What the file is. */
  about: string;
  expect: Expectation;
  bytes(): Buffer;
}

const MIB = 2 ** 20;

/** One V'lille v1 record as the collector writes it (Python json.dumps spacing); `fields` is raw JSON text. */
function recordText(fields: string, timestamp: string): string {
  return `{"datasetid": "vlille-realtime", "recordid": "x", "fields": {${fields}}, "geometry": {"type": "Point", "coordinates": [3.07, 50.63]}, "record_timestamp": ${timestamp}}`;
}

/** Fields of station `id`, with raw-text overrides (`{ libelle: '1e400' }`). */
function fieldsText(id: number, overrides: Record<string, string> = {}): string {
  const fields: Record<string, string> = {
    nbvelosdispo: String(id % 17),
    nbplacesdispo: String((id * 7) % 23),
    libelle: String(id),
    adresse: `"${id} RUE DU MOLINEL"`,
    nom: `"STATION ${id}"`,
    etat: '"EN SERVICE"',
    commune: '"LILLE"',
    etatconnexion: '"CONNECT\\u00c9"',
    type: '"AVEC TPE"',
    geo: '[50.63, 3.07]',
    datemiseajour: '"2023-08-24T20:05:37+02:00"',
    ...overrides,
  };
  return Object.entries(fields)
    .map(([key, value]) => `"${key}": ${value}`)
    .join(', ');
}

/** The record timestamp of hostile minute `k` (each file has its own, so no key repeats another file's). */
const minuteTs = (k: number): string => `"2023-08-24T21:${String(k).padStart(2, '0')}:00.56+02:00"`;

/** A whole response around records' text. */
const response = (records: string[]): string =>
  `{"nhits": ${records.length}, "parameters": {"dataset": "vlille-realtime", "rows": 300, "start": 0, "format": "json", "timezone": "Europe/Paris"}, "records": [${records.join(', ')}]}`;

/** Minute `k` of `count` stations (ids 1…count), record `i` with overrides from `edit(i)`. */
function minute(k: number, count: number, edit: (i: number) => Record<string, string> | undefined = () => undefined): string {
  return response(Array.from({ length: count }, (_, i) => recordText(fieldsText(i + 1, edit(i)), minuteTs(k))));
}

const deep = (levels: number, close = true): string => `${'['.repeat(levels)}${close ? ']'.repeat(levels) : ''}`;

/** `count` records over `stations` distinct ids, all in one minute: `count` rows, `stations` keys. */
function bigMinute(k: number, count: number, stations: number): string {
  const parts: string[] = [];
  for (let i = 0; i < count; i++) parts.push(recordText(fieldsText((i % stations) + 1), minuteTs(k)));
  return response(parts);
}

/** Concatenated gzip members of 1 MiB of spaces each: `mib` MiB of text from ~1 KB per MiB. */
function gzipBomb(mib: number): Buffer {
  const member = gzipSync(Buffer.alloc(MIB, 0x20), { level: 9 });
  return Buffer.concat(Array.from({ length: mib }, () => member));
}

const loaded = (rows: number, rejects: RegExp[] = [], keys = rows): Expectation => ({ rows, keys, rejects });
const rejected = (code: string, reason: RegExp): Expectation => ({ code, reason });
const text = (value: string): Buffer => Buffer.from(value);

export const HOSTILE_FILES: readonly HostileFile[] = [
  { name: 'gzip-bomb.json.gz', about: '700 MiB of spaces in 700 KB of gzip', expect: rejected('BAD_GZIP', /gzip bomb/), bytes: () => gzipBomb(700) },
  { name: 'truncated.json.gz', about: 'gzip of a minute, cut in half', expect: rejected('BAD_GZIP', /corrupt or truncated/), bytes: () => { const gz = gzipSync(minute(1, 5)); return gz.subarray(0, gz.length >> 1); } },
  { name: 'gzip-without-suffix.json', about: 'gzip bytes named .json', expect: loaded(5), bytes: () => gzipSync(minute(2, 5)) },
  { name: 'huge-nom.json', about: 'a 10 MiB station name (streamed: its record is over 512 KiB)', expect: loaded(4, [/record is larger than 524288 bytes/]), bytes: () => text(minute(3, 5, (i) => (i === 1 ? { nom: `"${'N'.repeat(10 * MIB)}"` } : undefined))) },
  { name: 'huge-record.json', about: 'a 20 MiB record (streamed)', expect: loaded(4, [/record is larger than 524288 bytes/]), bytes: () => text(minute(4, 5, (i) => (i === 2 ? { adresse: `"${'A'.repeat(20 * MIB)}"` } : undefined))) },
  {
    name: 'huge-numbers.json',
    about: 'ids and counts of 1e400, 2^64, -0, 20 digits',
    expect: loaded(2, [/libelle=Infinity/, /libelle=18446744073709552000/, /libelle=0/, /nbvelosdispo is not a non-negative integer: Infinity/, /nbvelosdispo is not a non-negative integer: 12345678901234567000/]),
    bytes: () => {
      const edits: (Record<string, string> | undefined)[] = [{ libelle: '1e400' }, { libelle: '18446744073709551616' }, { libelle: '-0' }, { nbvelosdispo: '1e400' }, { nbplacesdispo: '-0' }, { nbvelosdispo: '12345678901234567890' }, undefined];
      return text(minute(5, edits.length, (i) => edits[i]));
    },
  },
  {
    name: 'impossible-dates.json',
    about: 'Feb 30, hour 24, year 0, offset +15:00, year 0 in UTC, month 13',
    expect: loaded(1, [/record_timestamp: "2023-02-30/, /record_timestamp: "2023-08-24T24/, /record_timestamp: "0000-/, /record_timestamp: ".*\+15:00"/, /record_timestamp: "0001-01-01T00:00:00\+14:00"/, /datemiseajour: "2023-13-01/]),
    bytes: () => text(response(['"2023-02-30T10:00:00+01:00"', '"2023-08-24T24:00:00+02:00"', '"0000-01-01T00:00:00Z"', '"2023-08-24T21:06:00+15:00"', '"0001-01-01T00:00:00+14:00"', minuteTs(6), minuteTs(6)].map((ts, i) => recordText(fieldsText(i + 1, i === 5 ? { datemiseajour: '"2023-13-01T10:00:00Z"' } : {}), ts)))),
  },
  { name: 'nul-byte.json', about: 'a raw NUL byte between two tokens', expect: rejected('NOT_JSON', /not valid JSON/), bytes: () => text(minute(7, 5).replace('"nhits": 5,', '"nhits": 5,\u0000')) },
  { name: 'nul-and-surrogates.json', about: 'escaped NUL and lone surrogates in strings (legal JSON); the latest minute', expect: loaded(5), bytes: () => text(minute(30, 5, (i) => (i === 0 ? { nom: '"A\\u0000B"', adresse: '"\\ud800 RUE"', commune: '"\\udfff"' } : undefined))) },
  { name: 'deep-nesting.json', about: '100,000 nested arrays', expect: rejected('UNKNOWN_SHAPE', /array/), bytes: () => text(deep(100_000)) },
  { name: 'deep-nesting-open.json', about: '100,000 opened arrays, never closed', expect: rejected('TRUNCATED', /truncated/), bytes: () => text(deep(100_000, false)) },
  { name: 'deep-record.json', about: 'a record nested 1,000,000 deep in a 2 MB file (streamed)', expect: loaded(4, [/nested deeper than 64 levels/]), bytes: () => text(minute(9, 5, (i) => (i === 3 ? { geo: deep(1_000_000) } : undefined))) },
  { name: 'dense-objects.json', about: '4 MiB of empty objects as records (JSON.parse would hold ~19× the text)', expect: rejected('NO_VALID_RECORDS', /none of its 1398101 record\(s\) is valid/), bytes: () => text(response(Array(1_398_101).fill('{}'))) },
  { name: 'records-not-array.json', about: '"records" is an object', expect: rejected('UNKNOWN_SHAPE', /unknown file format/), bytes: () => text('{"nhits": 1, "records": {"fields": {"libelle": 1}}}') },
  { name: 'fields-array.json', about: 'every record\'s "fields" is an array', expect: rejected('NO_VALID_RECORDS', /no "fields" object/), bytes: () => text(response([recordText('', minuteTs(10)).replace('"fields": {}', '"fields": [1, 2]')])) },
  { name: 'top-level-string.json', about: 'a JSON string', expect: rejected('UNKNOWN_SHAPE', /a JSON string/), bytes: () => text('"records"') },
  { name: 'utf16.json', about: 'UTF-16 LE with its BOM', expect: rejected('NOT_UTF8', /UTF-16/), bytes: () => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(minute(11, 5), 'utf16le')]) },
  { name: 'utf8-bom.json', about: 'UTF-8 BOM, pretty-printed', expect: loaded(5), bytes: () => text(`\ufeff${JSON.stringify(JSON.parse(minute(12, 5)), null, 2)}`) },
  {
    name: 'bad-lines.ndjson',
    about: 'records one per line, line 3 cut and line 6 not JSON',
    expect: loaded(5, [/^line 3: not valid JSON/, /^line 6: not valid JSON/]),
    bytes: () => text([1, 2, 0, 3, 4, 0, 5].map((id, i) => (id === 0 ? (i === 2 ? '{"fields": {"libelle": 9, ' : '<html>') : recordText(fieldsText(id), minuteTs(13)))).join('\n')),
  },
  {
    name: 'huge-line.ndjson',
    about: 'records one per line with a 17 MiB line (streamed; lines over 512 KiB are not parsed)',
    expect: loaded(5, [/^line 4: longer than 524288 bytes/]),
    bytes: () => text([1, 2, 3, 0, 4, 5].map((id) => (id === 0 ? `"${'x'.repeat(17 * MIB)}"` : recordText(fieldsText(id), minuteTs(14)))).join('\n')),
  },
  { name: 'minute-25mb.json.gz', about: '25 MB of one minute (55,000 records of 289 stations), gzipped: too large to inflate whole', expect: loaded(55_000, [], 289), bytes: () => gzipSync(bigMinute(15, 55_000, 289)) },
];

/** 60,000 stations in one minute (~25 MB, streamed): separate, its memory is the pipeline's station tracking. */
export const SIXTY_THOUSAND_STATIONS: HostileFile = {
  name: 'sixty-thousand-stations.json',
  about: '60,000 distinct stations in one minute',
  expect: loaded(60_000),
  bytes: () => text(bigMinute(16, 60_000, 60_000)),
};

export function writeHostileFiles(dir: string, files: readonly HostileFile[]): void {
  for (const file of files) writeFileSync(path.join(dir, file.name), file.bytes());
}
