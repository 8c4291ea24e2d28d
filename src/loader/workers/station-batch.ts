/**
 * A batch's latest station observations on their way from a worker to the main thread. Every batch has ~289
 * of them (each minute is later than the last), but a station's attributes rarely change: each thread names
 * every distinct attribute text it has seen with a key, sends a text once with its key, and after that only
 * the key. The main thread resolves keys to texts at the end, so the order in which batches arrive does not
 * matter (the texts travel as the start of their staged NDJSON line: nothing is parsed again). Times and files
 * repeat within a batch: they travel once each, with indexes.
 *
 * A huge batch (a 60,000-station minute) sends no text at all: the packing thread writes its texts to a spool
 * file in the run's staging folder, and the main thread reads back only the texts of the observations that win,
 * one at a time, when it writes the `stations` shard. Its texts then never exist in both threads, nor all at once
 * in the main thread's heap (issue 20 item 4; docs/performance.md).
 */
import { closeSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import { stationAttributes, stationLine } from '../../transform/ndjson.js';
import { LatestStations } from '../../transform/stations.js';
import type { StationRow } from '../../transform/types.js';

/** A huge batch's texts, in a file: the observations' keys are `firstKey`, `firstKey + 1`, … in order. */
export interface SpooledTexts {
  path: string;
  firstKey: number;
  /** Byte offset of each text in the file, and the file's length last (texts.length + 1 entries). */
  offsets: Float64Array;
}

export interface PackedStations {
  /** The thread that packed them: its keys are its own. */
  thread: number;
  ids: Int32Array;
  atMs: Float64Array;
  atIndex: Uint16Array;
  at: string[];
  fileIndex: Uint16Array;
  files: string[];
  /** Each observation's attribute key… */
  keys: Int32Array;
  /** …and the texts of the keys this batch is the first to use… */
  newKeys: Int32Array;
  newTexts: string[];
  /** …or, for a huge batch, the file its texts were written to (then newKeys and newTexts are empty). */
  spool: SpooledTexts | null;
}

function sameAttributes(a: StationRow, b: StationRow): boolean {
  return a.nom === b.nom && a.libelle === b.libelle && a.adresse === b.adresse && a.commune === b.commune && a.type === b.type && a.latitude === b.latitude && a.longitude === b.longitude;
}

/** Index of `value` in `list`, appending it when new (a batch has a handful of times and files). */
function indexIn(list: string[], value: string): number {
  const last = list.length - 1;
  if (last >= 0 && list[last] === value) return last;
  const found = list.indexOf(value);
  return found >= 0 ? found : list.push(value) - 1;
}

/**
 * The text as one flat string. A template literal is a tree of its pieces (~2× the memory of the text) until
 * something reads it whole; number conversion flattens it in place. 60,000 new stations in one batch: the packed batch 39 → 19 MB of heap.
 */
function flat(text: string): string {
  Number(text);
  return text;
}

/** More observations in one batch than any real network has stations (Lille: 289, Paris: ~1,500). */
const HUGE_BATCH = 5_000;
/** A spool file is written in pieces of about this many characters. */
const SPOOL_WRITE_CHARS = 1024 * 1024;

/** One per thread and run: the attribute keys it has handed out. */
class StationPacker {
  private readonly rows = new Map<number, { row: StationRow; key: number }>();
  private nextKey = 1;
  private spools = 0;

  constructor(readonly run: string) {}

  pack(latest: LatestStations<StationRow>, thread: number): PackedStations {
    const observations = latest.values();
    const packed: PackedStations = {
      thread,
      ids: new Int32Array(observations.length),
      atMs: new Float64Array(observations.length),
      atIndex: new Uint16Array(observations.length),
      at: [],
      fileIndex: new Uint16Array(observations.length),
      files: [],
      keys: new Int32Array(observations.length),
      newKeys: new Int32Array(0),
      newTexts: [],
      spool: null,
    };
    observations.forEach((o, i) => {
      packed.ids[i] = o.id;
      packed.atMs[i] = o.atMs;
      packed.atIndex[i] = indexIn(packed.at, o.at);
      packed.fileIndex[i] = indexIn(packed.files, o.file);
    });
    if (observations.length > HUGE_BATCH) {
      // Not remembered either: its rows would stay in this thread's heap for the rest of the run (~22 MB), under
      // every later file it reads. Its stations' texts are sent again if seen again.
      this.rows.clear();
      packed.spool = this.spool(observations.map((o) => o.payload), thread);
      packed.keys.forEach((_, i) => (packed.keys[i] = packed.spool!.firstKey + i));
      return packed;
    }
    const newKeys: number[] = [];
    observations.forEach((o, i) => {
      let known = this.rows.get(o.id);
      if (!known || !sameAttributes(known.row, o.payload)) {
        known = { row: o.payload, key: this.nextKey++ };
        this.rows.set(o.id, known);
        newKeys.push(known.key);
        packed.newTexts.push(flat(stationAttributes(o.payload)));
      }
      packed.keys[i] = known.key;
    });
    packed.newKeys = Int32Array.from(newKeys);
    return packed;
  }

  /** Writes the rows' texts to a new file in the run's folder, a piece at a time: they are garbage as soon as written. */
  private spool(rows: readonly StationRow[], thread: number): SpooledTexts {
    const spooled: SpooledTexts = { path: path.join(this.run, `station-texts-t${thread}-${++this.spools}.txt`), firstKey: this.nextKey, offsets: new Float64Array(rows.length + 1) };
    this.nextKey += rows.length;
    const fd = openSync(spooled.path, 'w');
    try {
      let piece = '';
      let bytes = 0;
      rows.forEach((row, i) => {
        const text = stationAttributes(row);
        spooled.offsets[i] = bytes;
        bytes += Buffer.byteLength(text);
        piece += text;
        if (piece.length >= SPOOL_WRITE_CHARS) {
          writeSync(fd, piece);
          piece = '';
        }
      });
      spooled.offsets[rows.length] = bytes;
      if (piece.length > 0) writeSync(fd, piece);
    } finally {
      closeSync(fd);
    }
    return spooled;
  }
}

let packer: StationPacker | null = null;

/** `run` is the run's spool folder (a huge batch's texts are written there): a thread's keys start again with each run. */
export function packStations(latest: LatestStations<StationRow>, run: string, thread = threadId): PackedStations {
  if (packer?.run !== run) packer = new StationPacker(run);
  return packer.pack(latest, thread);
}

export function noStations(): PackedStations {
  return new StationPacker('').pack(new LatestStations<StationRow>(), threadId);
}

/** A spool file read forward in windows: the texts wanted from it come in the order they were written. */
class SpoolReader {
  private fd: number | null = null;
  private window = Buffer.alloc(0);
  private start = 0;
  private end = 0;

  constructor(
    readonly spooled: SpooledTexts,
    /** The global key of the spool's first text. */
    readonly first: number,
  ) {}

  text(index: number): string {
    const from = this.spooled.offsets[index]!;
    const to = this.spooled.offsets[index + 1]!;
    if (from < this.start || to > this.end) {
      this.fd ??= openSync(this.spooled.path, 'r');
      if (this.window.length < Math.max(64 * 1024, to - from)) this.window = Buffer.allocUnsafe(Math.max(64 * 1024, to - from));
      this.start = from;
      this.end = from + readSync(this.fd, this.window, 0, this.window.length, from);
      if (this.end < to) throw new Error(`${this.spooled.path}: ends at byte ${this.end}, a station text ends at ${to}`);
    }
    return this.window.toString('utf8', from - this.start, to - this.start);
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    this.window = Buffer.alloc(0);
    this.start = this.end = 0;
  }
}

const INITIAL_SLOTS = 1024;

/**
 * The main thread's side: the latest observation of every station, and the attribute texts by key. One slot per
 * station in typed arrays, not an object per station: 60,000 stations arriving at once allocate no young objects
 * that survive (they grew the main thread's young generation to 16 MiB semi-spaces when node was started without
 * --max-semi-space-size).
 */
export class StationLedger {
  private readonly slots = new Map<number, number>();
  private ids = new Int32Array(INITIAL_SLOTS);
  private atMs = new Float64Array(INITIAL_SLOTS);
  /** Index in `strings` of the observation's time text and of its file. */
  private at = new Int32Array(INITIAL_SLOTS);
  private file = new Int32Array(INITIAL_SLOTS);
  private key = new Float64Array(INITIAL_SLOTS);
  private readonly strings: string[] = [];
  private readonly stringIndex = new Map<string, number>();
  private readonly texts = new Map<number, string>();
  private readonly spools: SpoolReader[] = [];

  /** Keys of different threads never collide: the thread id is part of them. */
  private static key(thread: number, key: number): number {
    return thread * 2 ** 32 + key;
  }

  add(packed: PackedStations): void {
    packed.newKeys.forEach((key, i) => this.texts.set(StationLedger.key(packed.thread, key), packed.newTexts[i]!));
    if (packed.spool) this.spools.push(new SpoolReader(packed.spool, StationLedger.key(packed.thread, packed.spool.firstKey)));
    const at = packed.at.map((text) => this.intern(text));
    const files = packed.files.map((text) => this.intern(text));
    for (let i = 0; i < packed.ids.length; i++) {
      this.observe(packed.ids[i]!, packed.atMs[i]!, at[packed.atIndex[i]!]!, files[packed.fileIndex[i]!]!, StationLedger.key(packed.thread, packed.keys[i]!));
    }
  }

  private intern(text: string): number {
    let index = this.stringIndex.get(text);
    if (index === undefined) {
      index = this.strings.push(text) - 1;
      this.stringIndex.set(text, index);
    }
    return index;
  }

  /** LatestStations.add on slots: the latest time wins, on a tie the earliest file name (transform/stations.ts, supersedes). */
  private observe(id: number, atMs: number, at: number, file: number, key: number): void {
    let slot = this.slots.get(id);
    if (slot === undefined) {
      slot = this.slots.size;
      if (slot === this.ids.length) this.grow();
      this.slots.set(id, slot);
    } else if (!(atMs > this.atMs[slot]! || (atMs === this.atMs[slot]! && this.strings[file]! < this.strings[this.file[slot]!]!))) {
      return;
    }
    this.ids[slot] = id;
    this.atMs[slot] = atMs;
    this.at[slot] = at;
    this.file[slot] = file;
    this.key[slot] = key;
  }

  private grow(): void {
    const size = this.ids.length * 2;
    const grown = <T extends Int32Array | Float64Array>(old: T, next: T): T => (next.set(old), next);
    this.ids = grown(this.ids, new Int32Array(size));
    this.atMs = grown(this.atMs, new Float64Array(size));
    this.at = grown(this.at, new Int32Array(size));
    this.file = grown(this.file, new Int32Array(size));
    this.key = grown(this.key, new Float64Array(size));
  }

  /** The staged `stations` lines, by station id, one at a time (60,000 stations in one array: +34 MB at the read's peak). */
  *lines(): Generator<string> {
    // The ids as slots hold them, sorted in a copy: Int32Array.from(map.keys()) would first gather them in a JS array.
    const ids = this.ids.slice(0, this.slots.size).sort();
    const spools = [...this.spools].sort((a, b) => a.first - b.first);
    try {
      for (const id of ids) {
        const slot = this.slots.get(id)!;
        yield stationLine(this.text(id, this.key[slot]!, spools), this.strings[this.at[slot]!]!, this.strings[this.file[slot]!]!);
      }
    } finally {
      for (const spool of spools) spool.close();
    }
  }

  private text(id: number, key: number, spools: readonly SpoolReader[]): string {
    const text = this.texts.get(key);
    if (text !== undefined) return text;
    // The last spool starting at or before the key (binary search: a run may hold many huge batches).
    let low = 0;
    let high = spools.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (spools[mid]!.first <= key) low = mid;
      else high = mid - 1;
    }
    const spool = spools[low];
    const index = spool ? key - spool.first : -1;
    if (!spool || index < 0 || index >= spool.spooled.offsets.length - 1) throw new Error(`station ${id}: attribute key ${key} was never sent`);
    return spool.text(index);
  }

  /** Deletes the spool files of huge batches (once the `stations` shard is written). */
  removeSpools(): void {
    for (const spool of this.spools) rmSync(spool.spooled.path, { force: true });
  }
}
