/**
 * Short, safe renderings of raw values for reject reasons. `JSON.stringify` of a raw value is neither:
 * it recurses (a value nested 100k deep throws RangeError) and copies a 10 MB string whole into a reason
 * that is kept per file and written to the dead-letter file.
 */

const MAX_PREVIEW_CHARS = 80;
const MAX_PREVIEW_DEPTH = 3;
const MAX_PREVIEW_ITEMS = 4;

function clip(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit)}…`;
}

function render(value: unknown, depth: number): string {
  if (value === undefined) return 'undefined';
  if (value === null || typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : `${value} (out of range)`;
  if (typeof value === 'string') {
    const shown = JSON.stringify(clip(value, MAX_PREVIEW_CHARS));
    return value.length > MAX_PREVIEW_CHARS ? `${shown} (${value.length} characters)` : shown;
  }
  if (typeof value !== 'object') return typeof value;
  if (depth >= MAX_PREVIEW_DEPTH) return Array.isArray(value) ? '[…]' : '{…}';
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_PREVIEW_ITEMS).map((item: unknown) => render(item, depth + 1));
    return `[${items.join(',')}${value.length > MAX_PREVIEW_ITEMS ? ',…' : ''}]`;
  }
  // for…in stops early: Object.entries would copy every key of a huge object.
  const shown: string[] = [];
  let more = false;
  for (const key in value) {
    if (shown.length === MAX_PREVIEW_ITEMS) {
      more = true;
      break;
    }
    shown.push(`${JSON.stringify(clip(key, 20))}:${render((value as Record<string, unknown>)[key], depth + 1)}`);
  }
  return `{${shown.join(',')}${more ? ',…' : ''}}`;
}

/** A value as JSON-like text of bounded length and depth, for a reason. Never throws. */
export function preview(value: unknown): string {
  return clip(render(value, 0), 3 * MAX_PREVIEW_CHARS);
}

/** A key or name from the data, quoted and clipped, for a reason. */
export function previewKey(key: string): string {
  return JSON.stringify(clip(key, 40));
}
