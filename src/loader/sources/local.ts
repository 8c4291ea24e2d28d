/** A local folder of raw files, read recursively. */
import { createReadStream } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { VeloError } from '../../errors.js';
import { inKeyRange, isRawFileName, type ListOptions, type Source, type SourceObject } from './source.js';

const STAT_BATCH = 256;

export class LocalSource implements Source {
  readonly description: string;
  readonly ignored = new Map<string, number>();
  private readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
    this.description = this.root;
  }

  async list(options: ListOptions = {}): Promise<SourceObject[]> {
    let entries: string[];
    try {
      entries = await readdir(this.root, { recursive: true });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new VeloError('SOURCE_NOT_FOUND', `cannot read source folder ${this.root} (${code ?? 'error'}): check --source`, { kind: 'usage', cause: error });
    }
    const all = entries.map((entry) => entry.split(path.sep).join('/'));
    const names = all.filter((name) => isRawFileName(name) && inKeyRange(name, options.range)).sort();
    this.countIgnored(all.filter((name) => !isRawFileName(name)));
    const objects: SourceObject[] = [];
    for (let i = 0; i < names.length; i += STAT_BATCH) {
      options.signal?.throwIfAborted();
      const batch = names.slice(i, i + STAT_BATCH);
      // An entry that cannot be stat'ed (a dangling link, no permission) is still listed: reading it fails,
      // and the file is set aside with that reason instead of vanishing from the run.
      const stats = await Promise.all(batch.map((name) => stat(path.join(this.root, name)).catch(() => null)));
      batch.forEach((name, j) => {
        const info = stats[j];
        if (info === null) objects.push({ name, size: 0, generation: '0' });
        else if (info?.isFile()) objects.push({ name, size: info.size, generation: String(Math.trunc(info.mtimeMs)) });
      });
    }
    return objects;
  }

  /** Other files (sub-folders aside) are not read: counted by extension, so a .csv is not ignored without a word. */
  private countIgnored(names: readonly string[]): void {
    this.ignored.clear();
    for (const name of names) {
      const base = path.posix.basename(name);
      // A name without a dot is most likely a sub-folder (listed too): not worth a stat to tell.
      if (!base.includes('.')) continue;
      const extension = /(\.[^./]+)?(\.gz)?$/i.exec(base)![0].toLowerCase();
      this.ignored.set(extension, (this.ignored.get(extension) ?? 0) + 1);
    }
  }

  read(object: SourceObject, signal?: AbortSignal): Promise<Buffer> {
    return readFile(path.join(this.root, object.name), { signal });
  }

  localPath(object: SourceObject): string {
    return path.join(this.root, object.name);
  }

  open(object: SourceObject): Readable {
    return createReadStream(path.join(this.root, object.name));
  }
}
