/**
 * pino to stderr: JSON lines with Cloud Logging's `severity` and `message` by default, human-readable on a
 * TTY. Every line passes through redact() (src/secrets.ts) on its way out.
 */
import { pino, type DestinationStream, type Logger } from 'pino';
import { prettyFactory } from 'pino-pretty';
import { redact } from '../../secrets.js';
import { writeLine } from './terminal.js';

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

/**
 * On a terminal: one line per entry, formatted at once (in order with the summary on stdout) and written above
 * the progress bar while one is drawn. The run and task ids are for log collectors, not for a person watching.
 */
function terminal(): DestinationStream {
  const format = prettyFactory({
    colorize: true,
    singleLine: true,
    translateTime: 'HH:MM:ss',
    // "file rejected data___….json TRUNCATED: JSON ends early…": what a person needs, in reading order.
    messageFormat: '{msg}{if object} {object}{end}{if code} {code}{end}{if reason}: {reason}{end}',
    ignore: 'pid,hostname,runId,task,attempt,object,code,reason',
  });
  return { write: (line: string) => writeLine(format(line)) };
}

export function createLogger(options: { level?: string; pretty?: boolean } = {}): Logger {
  const level = options.level ?? process.env.VELO_LOG_LEVEL ?? 'info';
  if (options.pretty ?? process.stderr.isTTY) {
    return pino({ level }, redacting(terminal()));
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
