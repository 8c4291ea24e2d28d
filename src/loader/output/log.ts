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
  return { write: (line: string) => writeLine(format(escapeControls(JSON.parse(line) as Record<string, unknown>))) };
}

/**
 * A reason may quote a file's bytes (NOT_JSON: "Unexpected token … "hello⏎world""): on a terminal a raw newline
 * would break the line and an escape sequence would be obeyed, so control characters are shown as \n, \u001b.
 */
function escapeControls(entry: Record<string, unknown>): Record<string, unknown> {
  const escape = (text: string): string =>
    // eslint-disable-next-line no-control-regex -- matching control characters is the point
    text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => ({ '\n': '\\n', '\r': '\\r', '\t': '\\t' })[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return Object.fromEntries(Object.entries(entry).map(([key, value]) => [key, typeof value === 'string' ? escape(value) : value]));
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
