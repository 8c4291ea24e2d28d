/** pino to stderr: JSON with Cloud Logging's `severity` by default, human-readable on a TTY. */
import { pino, type Logger } from 'pino';

export type { Logger };

const SEVERITY: Record<string, string> = {
  trace: 'DEBUG',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARNING',
  error: 'ERROR',
  fatal: 'CRITICAL',
};

export function createLogger(options: { level?: string; pretty?: boolean } = {}): Logger {
  const level = options.level ?? process.env.VELO_LOG_LEVEL ?? 'info';
  if (options.pretty ?? process.stderr.isTTY) {
    return pino({ level, transport: { target: 'pino-pretty', options: { destination: 2, colorize: true, ignore: 'pid,hostname' } } });
  }
  return pino(
    {
      level,
      messageKey: 'message',
      base: undefined,
      formatters: { level: (label) => ({ severity: SEVERITY[label] ?? 'DEFAULT', level: label }) },
    },
    pino.destination({ fd: 2, sync: false }),
  );
}
