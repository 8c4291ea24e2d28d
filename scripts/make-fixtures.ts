/**
 * Writes the project's own fixtures (modelled on ../shared/samples/raw, never copied from it):
 *   test/fixtures/vlille/minutes/  every V'lille v1 quirk; loads clean (exit 0)
 *   test/fixtures/vlille/hostile/  bad files and bad records next to one good file (exit 3)
 *   test/fixtures/sample-corpus/   the quick-start corpus: 20 real-sized minutes, one degraded
 *   test/fixtures/formats/         one file or more per other format, with its quirks (test/support/format-fixtures.ts)
 * Deterministic: re-running rewrites identical bytes. Run: node --import tsx scripts/make-fixtures.ts
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { DateTime } from 'luxon';
import { formatFixtures } from '../test/support/format-fixtures.js';
import { fileName, minuteDocument, pythonJson, stationCatalog } from '../test/support/vlille-synth.js';

const root = path.resolve(import.meta.dirname, '..', 'test', 'fixtures');
const paris = (iso: string): DateTime => DateTime.fromISO(iso, { zone: 'Europe/Paris' });

function writeAll(dir: string, files: Record<string, string | Buffer>): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
}

// --- minutes: 5 stations (station 10 is reformed), every quirk of FORMATS.md §1 ---
const five = stationCatalog(10).filter((s) => [1, 2, 3, 4, 10].includes(s.libelle));
const minute = (iso: string, seed: number, extra: Partial<Parameters<typeof minuteDocument>[0]> = {}): Record<string, unknown> =>
  minuteDocument({ stations: five, at: paris(iso), seed, ...extra });

const summer1 = pythonJson(minute('2023-08-24T20:08:00', 0));
const summer2 = pythonJson(minute('2023-08-24T20:09:00', 1));
const identical = pythonJson(minute('2023-08-24T20:12:00', 2));
const renamed = (s: { libelle: number }): Record<string, unknown> | undefined => (s.libelle === 3 ? { nom: 'HÔTEL DE VILLE (PROVISOIRE)' } : undefined);

const minutes: Record<string, string | Buffer> = {
  [fileName(paris('2023-08-24T20:09:00'))]: summer1,
  [fileName(paris('2023-08-24T20:10:00'))]: summer2,
  // Degraded API minute: records keep only geo.
  [fileName(paris('2023-08-24T20:11:01'))]: pythonJson(minute('2023-08-24T20:09:00', 1, { degraded: true })),
  // Stale repeat: a new file whose record_timestamp repeats the previous minute's.
  [fileName(paris('2023-08-24T20:12:00'))]: pythonJson(minute('2023-08-24T20:09:00', 1, { shuffle: false })),
  // Byte-identical pair.
  [fileName(paris('2023-08-24T20:13:00'))]: identical,
  [fileName(paris('2023-08-24T20:14:02'))]: identical,
  // Winter (+01:00).
  [fileName(paris('2023-01-15T08:00:01'))]: pythonJson(minute('2023-01-15T07:59:00', 3)),
  // Autumn DST change: 02:29 happens twice. The CEST minute's file has the later name, so name order ≠ time order;
  // the later instant (CET) renames station 3 and must win in `stations`.
  ['data___2023_10_29_02_30_01.json']: pythonJson(minuteDocument({ stations: five, at: DateTime.fromISO('2023-10-29T02:29:00+02:00', { setZone: true }), seed: 4 })),
  ['data___2023_10_29_02_30_00.json']: pythonJson(minuteDocument({ stations: five, at: DateTime.fromISO('2023-10-29T02:29:00+01:00', { setZone: true }), seed: 5, override: renamed })),
  // Another collector: UTF-8 BOM, pretty-printed, accents unescaped.
  [fileName(paris('2023-08-24T20:16:00'))]: `\ufeff${JSON.stringify(minute('2023-08-24T20:15:00', 6), null, 2)}\n`,
  // Gzipped.
  [`${fileName(paris('2023-08-24T20:17:00'))}.gz`]: gzipSync(pythonJson(minute('2023-08-24T20:16:00', 7)), { mtime: 0 } as never),
  // NDJSON: one raw record per line.
  [fileName(paris('2023-08-24T20:18:00'))]: `${(minute('2023-08-24T20:17:00', 8).records as unknown[]).map((r) => JSON.stringify(r)).join('\n')}\n`,
};
writeAll(path.join(root, 'vlille', 'minutes'), minutes);

// --- hostile: one good file, one file with bad records, and whole-file rejects ---
const withBadRecords = minute('2023-08-24T20:19:00', 9, { shuffle: false });
const records = withBadRecords.records as { fields: Record<string, unknown>; record_timestamp: string }[];
delete records[0]!.fields.libelle; // counts but no station id → rejected record
records[1]!.fields.nbvelosdispo = -3; // negative count
records[2]!.record_timestamp = '24/08/2023 20:19'; // unparseable timestamp
const good = pythonJson(minute('2023-08-24T20:20:00', 10));
// Legal JSON text that is not clean Unicode or is awkward to re-serialise: a lone surrogate, NUL, quotes, an emoji.
const oddStrings = (s: { libelle: number }): Record<string, unknown> | undefined =>
  s.libelle === 1 ? { nom: 'GARE \ud800 LILLE', adresse: 'RUE "DU" \\ PAS \u0000', commune: 'LILLE 🚲' } : undefined;
const odd = JSON.stringify(minute('2023-08-24T20:27:00', 11, { override: oddStrings })); // JSON.stringify writes the lone surrogate as \ud800
writeAll(path.join(root, 'vlille', 'hostile'), {
  [fileName(paris('2023-08-24T20:20:00'))]: pythonJson(withBadRecords),
  [fileName(paris('2023-08-24T20:21:00'))]: good,
  [fileName(paris('2023-08-24T20:22:00'))]: good.slice(0, Math.floor(good.length / 2)), // collector died mid-write
  [fileName(paris('2023-08-24T20:23:00'))]: '', // empty
  [fileName(paris('2023-08-24T20:24:00'))]: '<html><body><h1>502 Bad Gateway</h1></body></html>\n', // not JSON
  [fileName(paris('2023-08-24T20:25:00'))]: JSON.stringify({ last_updated: 1692901500, ttl: 0, version: '2.3', data: { stations: [] } }), // unknown shape
  [fileName(paris('2023-08-24T20:26:00'))]: Buffer.from('{"nhits": 1, "records": [{"fields": {"nom": "H\xf4tel"}}]}', 'latin1'), // not UTF-8
  [fileName(paris('2023-08-24T20:28:00'))]: odd, // good rows with odd strings
});

// --- quick-start corpus: 20 consecutive minutes of 289 stations, minute 20:11 degraded ---
const full = stationCatalog(289, 7);
const corpus: Record<string, string> = {};
for (let i = 0; i < 20; i++) {
  const at = paris('2023-08-24T20:00:00').plus({ minutes: i });
  corpus[fileName(at.plus({ minutes: 1, seconds: i % 3 }))] = pythonJson(minuteDocument({ stations: full, at, seed: 100 + i, degraded: i === 11 }));
}
writeAll(path.join(root, 'sample-corpus'), corpus);
writeAll(path.join(root, 'formats'), formatFixtures());
console.log(`fixtures written under ${root}`);
