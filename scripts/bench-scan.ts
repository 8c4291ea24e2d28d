/**
 * npm run bench:scan [-- --files N --rounds N]
 *
 * MB/s per core of the V'lille v1 fast path (src/transform/vlille-v1-scan.ts) against the JSON.parse path
 * (flattenFileBytes: decode + JSON.parse + flatten) and JSON.parse alone, on the same synthetic minutes held
 * in memory (byte-shaped like the real captures: test/support/vlille-synth.ts). One thread, CPU time of
 * this process (process.cpuUsage, V8's helper threads included), the ways alternating round after round so a
 * drifting machine slows all alike; prints the median of each and the ratios. The workers run with 4 MiB
 * semi-spaces: `node --max-semi-space-size=4 --import tsx scripts/bench-scan.ts` measures with their young generation.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DateTime } from 'luxon';
import { flattenFileBytes } from '../src/transform/flatten-file.js';
import { JsonBytes, type SliceableBuffer } from '../src/transform/json-bytes.js';
import { LatestStations } from '../src/transform/stations.js';
import type { StationRow } from '../src/transform/types.js';
import { NdjsonSink, scanVlilleV1 } from '../src/transform/vlille-v1-scan.js';
import { fileName, minuteDocument, pythonJson, stationCatalog } from '../test/support/vlille-synth.js';

const { values: opts } = parseArgs({ options: { files: { type: 'string', default: '300' }, rounds: { type: 'string', default: '7' }, wasm: { type: 'string' } } });
const FILES = Number(opts.files);
const ROUNDS = Number(opts.rounds);

const catalog = stationCatalog(289, 42);
const start = DateTime.fromISO('2023-08-24T00:00:00', { zone: 'Europe/Paris' });
const corpus = Array.from({ length: FILES }, (_, i) => {
  const at = start.plus({ minutes: i });
  return { name: fileName(at.plus({ minutes: 1 })), bytes: Buffer.from(pythonJson(minuteDocument({ stations: catalog, at, seed: i }))) };
});
const totalBytes = corpus.reduce((n, f) => n + f.bytes.length, 0);

const sink = new NdjsonSink();
const pending: string[] = [];
let scanned = 0;

/** A batch's shared station table, as the worker keeps one (new per round). */
type Way = (bytes: Buffer, name: string, stations: LatestStations<StationRow>) => unknown;
const WAYS: Record<string, Way> = {
  'JSON.parse only': (bytes) => JSON.parse(bytes.toString('utf8')),
  'JSON.parse + flatten (today)': (bytes, name, stations) => flattenFileBytes(bytes, { name, stations }),
  // As the worker stages it: a batch's lines joined and encoded for the shard (appendFileSync does the encoding).
  'JSON.parse + flatten + bytes': (bytes, name, stations) => {
    const outcome = flattenFileBytes(bytes, { name, stations });
    if (outcome.status === 'loaded') pending.push(outcome.recordsNdjson);
    if (pending.length === 8) Buffer.from(pending.splice(0).join(''));
    return outcome;
  },
  // NDJSON bytes into a sink emptied every 8 files, as a worker's batch.
  'byte scanner (TS)': (bytes, name, stations) => {
    const outcome = scanVlilleV1(bytes, { name, stations }, {}, sink);
    if (outcome === 'fallback') throw new Error(`${name}: the scanner fell back`);
    if (++scanned % 8 === 0) sink.clear();
    return outcome;
  },
};

function cpuSeconds(way: Way): number {
  const stations = new LatestStations<StationRow>();
  const before = process.cpuUsage();
  for (const file of corpus) way(file.bytes, file.name, stations);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1e6;
}

/**
 * --wasm FILE: the AssemblyScript prototype (scripts/wasm-proto/skip.ts, compiled by hand: see its header)
 * against the TS scanner's validating skip and JSON.parse, validation only: what each costs to walk a minute.
 */
if (opts.wasm) {
  // This project's lib settings carry no WebAssembly types: the little used here, typed by hand.
  const wasm = (globalThis as unknown as { WebAssembly: { instantiate(bytes: Uint8Array): Promise<{ instance: { exports: unknown } }> } }).WebAssembly;
  const { instance } = await wasm.instantiate(readFileSync(opts.wasm));
  const { skip, memory } = instance.exports as { skip: (length: number) => number; memory: { buffer: ArrayBuffer; grow(pages: number): number } };
  const DOC = 64;
  WAYS['validate only: TS skipValue'] = (bytes) => new JsonBytes(bytes as SliceableBuffer, bytes.length).skipValue();
  WAYS['validate only: WASM (AS)'] = (bytes) => {
    if (memory.buffer.byteLength < DOC + bytes.length) memory.grow(Math.ceil((DOC + bytes.length - memory.buffer.byteLength) / 65536));
    new Uint8Array(memory.buffer, DOC, bytes.length).set(bytes);
    if (skip(bytes.length) !== 1) throw new Error('the WASM prototype refused a valid minute');
  };
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const samples: Record<string, number[]> = Object.fromEntries(Object.keys(WAYS).map((name) => [name, []]));
for (const name of Object.keys(WAYS)) cpuSeconds(WAYS[name]!); // warm-up: JIT tiers, caches
for (let round = 0; round < ROUNDS; round++) {
  for (const name of Object.keys(WAYS)) samples[name]!.push(cpuSeconds(WAYS[name]!));
}
const mb = totalBytes / 1e6;
const reference = median(samples['JSON.parse + flatten (today)']!);
console.log(`${FILES} minutes, ${mb.toFixed(1)} MB, ${ROUNDS} alternating rounds, CPU time of one thread (median; range)`);
for (const [name, values] of Object.entries(samples)) {
  const m = median(values);
  const rates = values.map((s) => mb / s);
  console.log(`${name.padEnd(30)} ${(mb / m).toFixed(0).padStart(5)} MB/s per core (${Math.min(...rates).toFixed(0)}–${Math.max(...rates).toFixed(0)})  ${(reference / m).toFixed(2)}× today`);
}
