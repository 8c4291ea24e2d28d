/**
 * Value readers shared by the format modules: ids, counts, text, coordinates. Each returns null for a value it
 * cannot use, so a module can say which field was wrong. The V'lille v1 module keeps its own inlined copies
 * (its hot path is benchmarked); these follow the same rules.
 */
import { MAX_TEXT_LENGTH } from '../vlille-v1.js';

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A positive integer id, or a string of digits (GBFS and older exports quote ids). */
export function stationId(value: unknown): number | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? value : null;
  if (typeof value === 'string' && /^\d{1,15}$/.test(value.trim())) {
    const id = Number(value.trim());
    return id > 0 ? id : null;
  }
  return null;
}

/** A non-negative integer count; CSV cells are text, so digits-only strings count too when `fromText`. */
export function count(value: unknown, fromText = false): number | null {
  if (fromText && typeof value === 'string' && /^\d{1,15}$/.test(value.trim())) return Number(value.trim());
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : null;
}

/** Text as the warehouses accept it (lone surrogates repaired); numbers and booleans become text. */
export function text(value: unknown): string | null {
  if (typeof value === 'string') return value.isWellFormed() ? value : value.toWellFormed();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}

/** A finite coordinate; CSV cells parse from text. */
export function coordinate(value: unknown): number | null {
  if (typeof value === 'string' && value.trim() !== '') value = Number(value);
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** Empty CSV cells and JSON nulls are both "no value". */
export function blankToNull(value: unknown): unknown {
  return value === '' ? null : value;
}

/** The name of the first text attribute over MAX_TEXT_LENGTH, or null when all fit. */
export function tooLong(values: Record<string, string | null>): string | null {
  for (const [key, value] of Object.entries(values)) {
    if (value !== null && value.length > MAX_TEXT_LENGTH) return `${key} is ${value.length} characters long (at most ${MAX_TEXT_LENGTH})`;
  }
  return null;
}
