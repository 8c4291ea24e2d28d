/** The known raw formats, and how a parsed document is matched to one. */
import type { FormatModule } from './types.js';
import { vlilleV1 } from './vlille-v1.js';

export const FORMATS: readonly FormatModule[] = [vlilleV1];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * NDJSON files (see decode.ts) arrive as `{ ndjson: [...] }`: either one API response per line
 * (records are concatenated) or one raw record per line.
 */
function unwrapNdjson(doc: unknown): unknown {
  if (!isObject(doc) || !Array.isArray(doc.ndjson) || Object.keys(doc).length !== 1) return doc;
  const lines = doc.ndjson as unknown[];
  if (lines.every((line) => isObject(line) && Array.isArray(line.records))) {
    return { records: lines.flatMap((line) => (line as { records: unknown[] }).records) };
  }
  if (lines.every((line) => isObject(line) && isObject(line.fields))) return { records: lines };
  return doc;
}

export function detectFormat(rawDoc: unknown): { format: FormatModule; doc: unknown } | null {
  const doc = unwrapNdjson(rawDoc);
  const format = FORMATS.find((candidate) => candidate.detect(doc));
  return format ? { format, doc } : null;
}

/** A short description of a document's shape, for "unknown shape" rejections. */
export function describeShape(doc: unknown): string {
  if (Array.isArray(doc)) return `a JSON array of ${doc.length} item(s)`;
  if (isObject(doc)) {
    const keys = Object.keys(doc).slice(0, 8);
    return `an object with keys [${keys.join(', ')}${Object.keys(doc).length > keys.length ? ', …' : ''}]`;
  }
  return `a JSON ${doc === null ? 'null' : typeof doc}`;
}
