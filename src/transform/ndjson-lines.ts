/**
 * NDJSON text, line by line: which texts are NDJSON, and each non-blank line parsed as it is consumed.
 *
 * NDJSON or a broken single document? A text is NDJSON when its first non-blank line is a whole JSON value
 * on its own and non-blank text follows it. A pretty-printed document's first line (`{`) is no value by
 * itself, and a compact document is one line, so a truncated or broken document stays TRUNCATED or NOT_JSON
 * instead of turning into "NDJSON whose lines are all bad". (A valid document never has text after a whole
 * first line, so the rule only matters once the text as a whole failed to parse.)
 */
/** One non-blank line (1-based number): its value, or why it is not one. */
export type NdjsonLine = { line: number; value: unknown } | { line: number; error: string };

/** One line, at most MAX_PARSE_BYTES (decode.ts): the whole-file path's texts are no longer, the streaming path cuts longer lines. */
export function parseLine(text: string, line: number): NdjsonLine {
  try {
    return { line, value: JSON.parse(text) };
  } catch (error) {
    return { line, error: `not valid JSON (${(error as Error).message.slice(0, 200)})` };
  }
}

/** True when `line` (the first non-blank line) is a whole JSON value by itself. */
export function isWholeValue(line: string): boolean {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}

/** Blank: JSON whitespace only (as line-splitter.ts sees it). */
const BLANK = /^[ \t\r]*$/;
const NOT_BLANK = /[^ \t\r\n]/;

/** Each line of the text with its 1-based number, without splitting the text into an array up front. */
function* textLines(text: string): Generator<[string, number]> {
  let line = 1;
  for (let start = 0; start <= text.length; line++) {
    const newline = text.indexOf('\n', start);
    const end = newline < 0 ? text.length : newline;
    yield [text.slice(start, end), line];
    start = end + 1;
  }
}

/**
 * The text's non-blank lines, parsed one at a time as they are consumed (a text of millions of lines is never
 * held as an array of lines or of values), or null when the text is not NDJSON (see the rule above).
 */
export function splitNdjson(text: string): Iterable<NdjsonLine> | null {
  let first: string | null = null;
  let rest = 0;
  for (const [content] of textLines(text)) {
    rest += content.length + 1;
    if (!BLANK.test(content)) {
      first = content;
      break;
    }
  }
  if (first === null || !isWholeValue(first) || !NOT_BLANK.test(text.slice(rest))) return null;
  return (function* () {
    for (const [content, line] of textLines(text)) if (!BLANK.test(content)) yield parseLine(content, line);
  })();
}

