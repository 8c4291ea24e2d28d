/**
 * A batch's latest station observations on their way from a worker to the main thread. Every batch has ~289
 * of them (each minute is later than the last), but a station's attributes rarely change: each thread names
 * every distinct attribute text it has seen with a key, sends a text once with its key, and after that only
 * the key. The main thread resolves keys to texts at the end, so the order in which batches arrive does not
 * matter (the texts travel as the start of their staged NDJSON line: nothing is parsed again). Times and files
 * repeat within a batch: they travel once each, with indexes.
 */
import { threadId } from 'node:worker_threads';
import { stationAttributes, stationLine } from '../../transform/ndjson.js';
import { LatestStations } from '../../transform/stations.js';
import type { StationRow } from '../../transform/types.js';

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
  /** …and the texts of the keys this batch is the first to use. */
  newKeys: Int32Array;
  newTexts: string[];
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
const FORGET_ABOVE = 5_000;

/** One per thread and run: the attribute keys it has handed out. */
class StationPacker {
  private readonly rows = new Map<number, { row: StationRow; key: number }>();
  private nextKey = 1;

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
    };
    const newKeys: number[] = [];
    observations.forEach((o, i) => {
      let known = this.rows.get(o.id);
      if (!known || !sameAttributes(known.row, o.payload)) {
        known = { row: o.payload, key: this.nextKey++ };
        this.rows.set(o.id, known);
        newKeys.push(known.key);
        packed.newTexts.push(flat(stationAttributes(o.payload)));
      }
      packed.ids[i] = o.id;
      packed.atMs[i] = o.atMs;
      packed.atIndex[i] = indexIn(packed.at, o.at);
      packed.fileIndex[i] = indexIn(packed.files, o.file);
      packed.keys[i] = known.key;
    });
    packed.newKeys = Int32Array.from(newKeys);
    // A huge batch (a 60,000-station minute) is not remembered: its rows would stay in this thread's heap for the
    // rest of the run (~22 MB), under every later file it reads. Its stations' texts are sent again if seen again.
    if (observations.length > FORGET_ABOVE) this.rows.clear();
    return packed;
  }
}

let packer: StationPacker | null = null;

/** `run` names the run (its spool folder): a thread's keys start again with each run. */
export function packStations(latest: LatestStations<StationRow>, run: string, thread = threadId): PackedStations {
  if (packer?.run !== run) packer = new StationPacker(run);
  return packer.pack(latest, thread);
}

export function noStations(): PackedStations {
  return new StationPacker('').pack(new LatestStations<StationRow>(), threadId);
}

/** The main thread's side: the latest observation of every station, and the attribute texts by key. */
export class StationLedger {
  private readonly latest = new LatestStations<number>();
  private readonly texts = new Map<number, string>();

  /** Keys of different threads never collide: the thread id is part of them. */
  private static key(thread: number, key: number): number {
    return thread * 2 ** 32 + key;
  }

  add(packed: PackedStations): void {
    packed.newKeys.forEach((key, i) => this.texts.set(StationLedger.key(packed.thread, key), packed.newTexts[i]!));
    for (let i = 0; i < packed.ids.length; i++) {
      this.latest.add(packed.ids[i]!, packed.atMs[i]!, packed.at[packed.atIndex[i]!]!, packed.files[packed.fileIndex[i]!]!, StationLedger.key(packed.thread, packed.keys[i]!));
    }
  }

  /** The staged `stations` lines, by station id, one at a time (60,000 stations in one array: +34 MB at the read's peak). */
  *lines(): Generator<string> {
    for (const o of this.latest.values()) {
      const text = this.texts.get(o.payload);
      if (text === undefined) throw new Error(`station ${o.id}: attribute key ${o.payload} was never sent`);
      yield stationLine(text, o.at, o.file);
    }
  }
}
