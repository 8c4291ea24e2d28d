/**
 * Huge raw files for the streaming path's memory tests, written to disk as they are made (never held whole): a MEL
 * WFS GeoJSON document (indent 4, `timeStamp` after the features, as GeoServer writes it) and a MEL OGC API CSV,
 * each of rounds of observations of the same stations until the file reaches its size.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import type { DateTime } from 'luxon';
import { CSV_COLUMNS, melCsvRow, melFeature, melWfsMembers, observe } from './formats-synth.js';
import { random, type Station } from './vlille-synth.js';

/** Distinct rounds of observations written in turn (making every row anew would take most of the test's time). */
const ROUNDS = 4;
const FLUSH_ITEMS = 4096;

/** Writes `head`, then items (cycling over `items`) joined by `separator` until past `bytes`, then `tail(count)`. */
function writeCycling(file: string, bytes: number, head: string, items: string[], separator: string, tail: (count: number) => string): { rows: number; bytes: number } {
  const sizes = items.map((item) => Buffer.byteLength(item) + Buffer.byteLength(separator));
  const fd = openSync(file, 'w');
  const pending: string[] = [head];
  let size = Buffer.byteLength(head);
  let rows = 0;
  let written = 0;
  try {
    for (; size < bytes; rows++) {
      pending.push((rows > 0 ? separator : '') + items[rows % items.length]!);
      size += sizes[rows % items.length]!;
      if (pending.length >= FLUSH_ITEMS) written += writeSync(fd, pending.splice(0).join(''));
    }
    written += writeSync(fd, pending.join('') + tail(rows));
  } finally {
    closeSync(fd);
  }
  return { rows, bytes: written };
}

function rounds(stations: Station[], at: DateTime, seed: number): ReturnType<typeof observe> {
  const rnd = random(seed);
  return Array.from({ length: ROUNDS }, () => observe(stations, at, rnd)).flat();
}

/** A MEL WFS document of at least `bytes`: one feature per observation, `timeStamp` (= `at`) after them. */
export function writeBigMelWfs(file: string, bytes: number, stations: Station[], at: DateTime): { rows: number; bytes: number } {
  const indent = (text: string): string => text.replaceAll('\n', '\n        ');
  const features = rounds(stations, at, 11).map((o) => indent(JSON.stringify(melFeature(o), null, 4)));
  const head = '{\n    "type": "FeatureCollection",\n    "features": [\n        ';
  const tail = (count: number): string => {
    const after = JSON.stringify(melWfsMembers(count, at).after, null, 4);
    return `\n    ],\n${after.slice(2)}`;
  };
  return writeCycling(file, bytes, head, features, ',\n        ', tail);
}

/** A MEL OGC API CSV of at least `bytes`: one row per observation. */
export function writeBigMelCsv(file: string, bytes: number, stations: Station[], at: DateTime): { rows: number; bytes: number } {
  const rows = rounds(stations, at, 12).map(melCsvRow);
  return writeCycling(file, bytes, `${CSV_COLUMNS.map((c) => `"${c}"`).join(',')}\n`, rows, '\n', () => '\n');
}
