/**
 * The known raw formats (one module each, in ./formats/), and how a parsed document is matched to one: by its
 * shape, never by the file's name or extension. Order matters only where shapes could overlap (none do today).
 */
import { gbfsInformation } from './formats/gbfs-information.js';
import { gbfsStatus } from './formats/gbfs-status.js';
import { jcdecauxV1 } from './formats/jcdecaux-v1.js';
import { jcdecauxV3 } from './formats/jcdecaux-v3.js';
import { melCsv } from './formats/mel-csv.js';
import { melWfs } from './formats/mel-wfs.js';
import { odsV2 } from './formats/ods-v2.js';
import { previewKey } from './preview.js';
import type { FormatModule } from './types.js';
import { vlilleV1 } from './vlille-v1.js';

export const FORMATS: readonly FormatModule[] = [vlilleV1, odsV2, melWfs, melCsv, gbfsStatus, gbfsInformation, jcdecauxV1, jcdecauxV3];

/** Ids accepted by --input-format (besides `auto`). */
export const FORMAT_IDS: readonly string[] = FORMATS.map((format) => format.id);

export function formatById(id: string): FormatModule | undefined {
  return FORMATS.find((format) => format.id === id);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The format of a single parsed document (NDJSON lines: see ndjson-input.ts); `forced`: only that format is tried. */
export function detectFormat(doc: unknown, forced?: string): { format: FormatModule; doc: unknown } | null {
  const candidates = forced === undefined || forced === 'auto' ? FORMATS : FORMATS.filter((format) => format.id === forced);
  const format = candidates.find((candidate) => candidate.detect(doc));
  return format ? { format, doc } : null;
}

/** What an unknown document should have looked like (all formats, or the forced one). */
export function expectedShapes(forced?: string): string {
  const formats = forced === undefined || forced === 'auto' ? FORMATS : FORMATS.filter((format) => format.id === forced);
  return formats.map((format) => `${format.id}: ${format.expects}`).join('; ');
}

/** A short description of a document's shape, for "unknown shape" rejections (keys clipped: they are data). */
export function describeShape(doc: unknown): string {
  if (Array.isArray(doc)) return `a JSON array of ${doc.length} item(s)`;
  if (isObject(doc)) {
    const keys: string[] = [];
    let more = false;
    for (const key in doc) {
      if (keys.length === 8) {
        more = true;
        break;
      }
      keys.push(previewKey(key));
    }
    return `an object with keys [${keys.join(', ')}${more ? ', …' : ''}]`;
  }
  return `a JSON ${doc === null ? 'null' : typeof doc}`;
}
