/**
 * The gzip-bomb rule, shared by the whole-file path (decode.ts) and the streaming path (stream-file.ts).
 *
 * Real V'lille minutes gzip 6–7× (the captures, at any level), more repetitive collectors' JSON 10–20×;
 * a file of spaces or brackets gzips ~1000× (deflate's ceiling is ~1032×). So data that has expanded more
 * than 100× its compressed bytes is no bike-share data, once past a floor below which any ratio is harmless.
 * The rule is checked against the compressed bytes consumed *so far*, so a bomb is stopped after inflating
 * the floor's worth, not at its end.
 */

export const MAX_INFLATION_RATIO = 100;
/** Inflating this much costs little (the whole-file path's default text cap), whatever the ratio. */
export const INFLATION_FLOOR_BYTES = 16 * 2 ** 20;

export function mib(bytes: number): string {
  return `${Number((bytes / 2 ** 20).toFixed(2))} MiB`;
}

/** Why `inflated` bytes out of `consumed` compressed bytes are a gzip bomb, or null when they are not. */
export function inflationLimitReason(inflated: number, consumed: number): string | null {
  if (inflated <= INFLATION_FLOOR_BYTES || inflated <= MAX_INFLATION_RATIO * consumed) return null;
  return `gzip data expands more than ${MAX_INFLATION_RATIO}× (${consumed} compressed bytes give over ${mib(inflated)}): a gzip bomb, not read further`;
}
