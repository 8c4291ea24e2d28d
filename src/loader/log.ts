/**
 * pino to stderr: JSON lines with Cloud Logging's `severity` and `message` by default, human-readable on a
 * TTY. Every line passes through redact() (src/secrets.ts) on its way out.
 */
import { Writable } from 'node:stream';
import { pino, type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';
import { redact } from '../secrets.js';

export type { Logger };

const SEVERITY: Record<string, string> = {
  trace: 'DEBUG',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARNING',
  error: 'ERROR',
  fatal: 'CRITICAL',
};

/** Redacts each line before it reaches `destination`. */
function redacting(destination: DestinationStream & { flush?: () => void }): DestinationStream & { flush: () => void } {
  return {
    write: (line: string) => destination.write(redact(line)),
    flush: () => destination.flush?.(),
  };
}

/** On a terminal a line first clears the progress bar's line (the bar redraws itself on its next tick). */
const clearingStderr = new Writable({
  write(chunk: Buffer, _encoding, callback) {
    process.stderr.write(`\r\x1b[K${chunk.toString()}`, () => callback());
  },
});

export function createLogger(options: { level?: string; pretty?: boolean } = {}): Logger {
  const level = options.level ?? process.env.VELO_LOG_LEVEL ?? 'info';
  if (options.pretty ?? process.stderr.isTTY) {
    return pino({ level }, redacting(pretty({ destination: clearingStderr, colorize: true, ignore: 'pid,hostname', sync: true })));
  }
  return pino(
    {
      level,
      messageKey: 'message',
      base: undefined,
      formatters: { level: (label) => ({ severity: SEVERITY[label] ?? 'DEFAULT', level: label }) },
    },
    redacting(pino.destination({ fd: 2, sync: false })),
  );
}
