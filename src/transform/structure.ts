/**
 * Which texts JSON.parse would turn into far more memory than the text itself. Three shapes do: deep nesting
 * (~70 bytes per open level: 10 MB of `[` took 700 MB), dense objects and arrays (16 MiB of `{}` took 298 MiB
 * of heap) and dense values (`1,1,1,…`: 4 bytes of heap per character, 8 of RSS while parsing, and one
 * rejected record each). A V'lille minute has one object or array per ~90 characters and one value per ~20.
 * Used on whole texts (decode.ts: such a file goes to the streaming path) and on each large streamed record
 * or NDJSON line.
 */

/** Nesting allowed (V'lille documents nest 5 deep). */
export const MAX_DEPTH = 64;
/** Densest structure parsed in a large text: objects and arrays, and values (counted as commas + containers). */
const MIN_CHARS_PER_CONTAINER = 16;
const MIN_CHARS_PER_VALUE = 8;
/**
 * Texts this small are not scanned (the hot path stays a plain JSON.parse): at worst (512 KiB of `[` or `{}`)
 * JSON.parse holds ~35 MB.
 */
export const SCAN_FROM_CHARS = 512 * 1024;

/** Why `text` is too costly to JSON.parse (brackets inside strings do not count), or null. */
export function costlyStructure(text: string): string | null {
  let depth = 0;
  let containers = 0;
  let commas = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x2c) commas++;
    else if (c === 0x5b || c === 0x7b) {
      containers++;
      if (++depth > MAX_DEPTH) return `JSON nested deeper than ${MAX_DEPTH} levels`;
    } else if ((c === 0x5d || c === 0x7d) && depth > 0) depth--;
  }
  if (containers > text.length / MIN_CHARS_PER_CONTAINER) return `${containers} JSON objects and arrays in ${text.length} characters`;
  if (containers + commas > text.length / MIN_CHARS_PER_VALUE) return `${containers + commas} JSON values in ${text.length} characters`;
  return null;
}

/** costlyStructure for texts large enough to matter; null for the others, unscanned. */
export function costlyToParse(text: string): string | null {
  return text.length > SCAN_FROM_CHARS ? costlyStructure(text) : null;
}
