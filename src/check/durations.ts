/** Durations of the check flags (`90s`, `5m`, `1h`, `2d`) and their display. */
import { UsageError } from '../errors.js';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/** `5m` → 300000. A bare number is refused: minutes or seconds would be a guess. */
export function parseDuration(text: string, flag: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(s|m|min|h|d)\s*$/i.exec(text);
  if (!m) throw new UsageError('BAD_DURATION', `${flag} "${text}" is not a duration: use a number and a unit, e.g. 90s, 5m, 1h or 2d`);
  const ms = Math.round(Number(m[1]) * UNIT_MS[(m[2] as string).toLowerCase()]!);
  if (ms <= 0) throw new UsageError('BAD_DURATION', `${flag} must be longer than 0, got "${text}"`);
  return ms;
}

/** 360000 → "6m", 5400000 → "1h 30m", 93784000 → "1d 2h": the two largest units, for people. */
export function formatDuration(ms: number): string {
  const seconds = Math.round(Math.abs(ms) / 1000);
  const parts: [number, string][] = [
    [Math.floor(seconds / 86_400), 'd'],
    [Math.floor((seconds % 86_400) / 3600), 'h'],
    [Math.floor((seconds % 3600) / 60), 'm'],
    [seconds % 60, 's'],
  ];
  const first = parts.findIndex(([value]) => value > 0);
  if (first === -1) return '0s';
  return parts
    .slice(first, first + 2)
    .filter(([value]) => value > 0)
    .map(([value, unit]) => `${value}${unit}`)
    .join(' ');
}
