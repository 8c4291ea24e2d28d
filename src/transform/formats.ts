/** The known raw formats, and how a parsed document is matched to one. */
import { previewKey } from './preview.js';
import type { FormatModule } from './types.js';
import { vlilleV1 } from './vlille-v1.js';

export const FORMATS: readonly FormatModule[] = [vlilleV1];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The format of a single parsed document (NDJSON lines: see ndjson-input.ts). */
export function detectFormat(doc: unknown): { format: FormatModule; doc: unknown } | null {
  const format = FORMATS.find((candidate) => candidate.detect(doc));
  return format ? { format, doc } : null;
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
