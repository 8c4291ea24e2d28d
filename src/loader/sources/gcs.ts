/**
 * A GCS prefix of raw files. Listing is paginated and, for collector names (`data___YYYY_MM_DD_…`),
 * split into per-day (or per-month) key ranges listed in parallel with startOffset/endOffset.
 * The glob filter runs client-side (emulators ignore matchGlob).
 */
import type { Bucket, File } from '@google-cloud/storage';
import PQueue from 'p-queue';
import picomatch from 'picomatch';
import type { Readable } from 'node:stream';
import { DateTime } from 'luxon';
import { callGoogle, gcsError } from '../gcp/errors.js';
import { isRawFileName, type KeyRange, type ListOptions, type Source, type SourceObject } from './source.js';
import type { TimeWindow } from './window.js';
import { NAME_MARGIN_MS } from './window.js';

const PAGE_SIZE = 1000;
const LIST_CONCURRENCY = 8;
const COLLECTOR_NAME = /^data___(\d{4})_(\d{2})_(\d{2})_/;
/** startOffset (included) and endOffset (excluded) of a listing, full object names; undefined: unbounded. */
type ObjectRange = [string | undefined, string | undefined];
/**
 * Bytes as stored (gzip objects are gunzipped by our decoder). The client's own validation (CRC32C in
 * JavaScript, or MD5) runs on the main thread and cost more than the download: worker threads check
 * the listed MD5 instead (flatten-worker.ts), in parallel.
 */
const DOWNLOAD_OPTIONS = { decompress: false, validation: false } as const;

export interface GcsSourceOptions {
  bucket: Bucket;
  prefix: string;
  glob?: string;
  window?: TimeWindow;
  timezone?: string;
  /** Objects per list request (tests use a small one to exercise pagination). */
  pageSize?: number;
}

export class GcsSource implements Source {
  readonly description: string;
  private readonly matches: ((name: string) => boolean) | null;

  constructor(private readonly options: GcsSourceOptions) {
    this.description = `gs://${options.bucket.name}/${options.prefix}`;
    this.matches = options.glob ? picomatch(options.glob, { dot: true }) : null;
  }

  /**
   * One key range, page by page. Each page becomes plain SourceObjects at once: a listed File object of the
   * client weighs ~6.4 KiB of heap, a SourceObject ~0.2 KiB, and a year of minutes is ~525,000 objects.
   */
  private async listRange(startOffset: string | undefined, endOffset: string | undefined, signal?: AbortSignal): Promise<SourceObject[]> {
    const objects: SourceObject[] = [];
    const { prefix } = this.options;
    let pageToken: string | undefined;
    do {
      signal?.throwIfAborted();
      const [page, next] = await this.call('list', () =>
        this.options.bucket.getFiles({ prefix, autoPaginate: false, maxResults: this.options.pageSize ?? PAGE_SIZE, pageToken, startOffset, endOffset }),
      );
      for (const file of page) {
        const object = this.sourceObject(file);
        if (object) objects.push(object);
      }
      pageToken = (next as { pageToken?: string } | null)?.pageToken;
    } while (pageToken);
    return objects;
  }

  /** A listed object as the run knows it, or null when its name is not a raw file (or not the --glob's). */
  private sourceObject(file: File): SourceObject | null {
    const name = file.name.slice(this.options.prefix.length);
    if (!isRawFileName(name) || (this.matches && !this.matches(name))) return null;
    const { size, generation, md5Hash } = file.metadata;
    return { name, size: Number(size ?? 0), generation: String(generation ?? ''), ...(md5Hash ? { md5: String(md5Hash) } : {}) };
  }

  /** Key ranges for collector names between two days: per day for short spans, per month otherwise. */
  private ranges(fromDay: DateTime, toDay: DateTime): ObjectRange[] {
    const spanDays = toDay.diff(fromDay, 'days').days;
    const unit = spanDays > 62 ? 'month' : 'day';
    const fmt = unit === 'day' ? 'yyyy_MM_dd' : 'yyyy_MM';
    const ranges: ObjectRange[] = [];
    for (let at = fromDay.startOf(unit); at <= toDay; at = at.plus(unit === 'day' ? { days: 1 } : { months: 1 })) {
      const next = at.plus(unit === 'day' ? { days: 1 } : { months: 1 });
      ranges.push([`${this.options.prefix}data___${at.toFormat(fmt)}`, `${this.options.prefix}data___${next.toFormat(fmt)}`]);
    }
    return ranges;
  }

  async list(options: ListOptions = {}): Promise<SourceObject[]> {
    const ranges = (await this.windowRanges()).map((range) => this.clip(range, options.range)).filter((range) => range !== null);
    const queue = new PQueue({ concurrency: LIST_CONCURRENCY });
    const parts = await Promise.all(ranges.map(([start, end]) => queue.add(() => this.listRange(start, end, options.signal))));
    const seen = new Set<string>();
    const objects = parts.flat().filter((object) => !seen.has(object.name) && seen.add(object.name));
    return objects.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /**
   * The key ranges (full object names) that hold the window: per day (or month) for collector names, judged from
   * the prefix's first object (they sort by time, so the ranges cover the prefix); the whole prefix otherwise.
   */
  private async windowRanges(): Promise<ObjectRange[]> {
    const { window, timezone = 'Europe/Paris', prefix } = this.options;
    if (!window || (!Number.isFinite(window.fromMs) && !Number.isFinite(window.toMs))) return [[undefined, undefined]];
    const first = await this.call('list', () => this.options.bucket.getFiles({ prefix, autoPaginate: false, maxResults: 1 }));
    const firstDay = COLLECTOR_NAME.exec(first[0][0]?.name.slice(prefix.length) ?? '');
    if (!firstDay) return [[undefined, undefined]];
    const lo = Number.isFinite(window.fromMs)
      ? DateTime.fromMillis(window.fromMs - NAME_MARGIN_MS, { zone: timezone })
      : DateTime.fromObject({ year: Number(firstDay[1]), month: Number(firstDay[2]), day: Number(firstDay[3]) }, { zone: timezone });
    const hi = Number.isFinite(window.toMs) ? DateTime.fromMillis(window.toMs + NAME_MARGIN_MS, { zone: timezone }) : DateTime.now().setZone(timezone).plus({ days: 1 });
    return this.ranges(lo.startOf('day'), hi);
  }

  /** A range of full object names cut to a key range of names (relative to the prefix); null when nothing is left. */
  private clip([start, end]: ObjectRange, keys: KeyRange | undefined): ObjectRange | null {
    if (!keys) return [start, end];
    const { prefix } = this.options;
    const from = keys.start === undefined ? start : start === undefined || prefix + keys.start > start ? prefix + keys.start : start;
    const to = keys.end === undefined ? end : end === undefined || prefix + keys.end < end ? prefix + keys.end : end;
    return from !== undefined && to !== undefined && from >= to ? null : [from, to];
  }

  async read(object: SourceObject): Promise<Buffer> {
    const file = this.file(object);
    const [bytes] = await this.call(`download ${object.name}`, () => file.download(DOWNLOAD_OPTIONS));
    return bytes;
  }

  open(object: SourceObject): Readable {
    return this.file(object).createReadStream(DOWNLOAD_OPTIONS);
  }

  private file(object: SourceObject): File {
    const generation = Number(object.generation);
    return this.options.bucket.file(`${this.options.prefix}${object.name}`, Number.isFinite(generation) && generation > 0 ? { generation } : {});
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await callGoogle(fn);
    } catch (error) {
      throw gcsError(this.description, what, error);
    }
  }
}
