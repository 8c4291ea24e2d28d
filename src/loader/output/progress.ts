/** Progress of the read/flatten phase: a bar on a TTY, a log line every few seconds otherwise. */
import cliProgress from 'cli-progress';
import type { Logger } from './log.js';
import { attachBar } from './terminal.js';

export interface Progress {
  start(totalFiles: number, totalBytes: number): void;
  /** `bytes` more read; `files` (default 1) more finished — a streamed huge file reports bytes as it goes. */
  advance(bytes: number, files?: number): void;
  stop(): void;
}

/** Every 10 s by default; VELO_PROGRESS_MS sets it (measurements want a finer grain). */
const LOG_EVERY_MS = Number(process.env.VELO_PROGRESS_MS) || 10_000;

export function createProgress(logger: Logger, options: { tty: boolean; enabled: boolean }): Progress {
  let files = 0;
  let bytes = 0;
  let totalFiles = 0;
  let totalBytes = 0;
  let startedAt = 0;
  const rate = (): number => bytes / 1e6 / Math.max(0.001, (Date.now() - startedAt) / 1000);

  if (!options.enabled) return { start: () => undefined, advance: () => undefined, stop: () => undefined };

  if (options.tty) {
    // A multi-bar of one: it prints log lines above itself (terminal.ts) instead of redrawing over them.
    const bars = new cliProgress.MultiBar(
      { format: 'reading {bar} {value}/{total} files | {mbps} MB/s | ETA {eta_formatted}', stream: process.stderr, hideCursor: true, etaBuffer: 200, clearOnComplete: false, linewrap: true },
      cliProgress.Presets.shades_classic,
    );
    let bar: cliProgress.SingleBar | null = null;
    return {
      start(total) {
        startedAt = Date.now();
        bar = bars.create(total, 0, { mbps: '0.0' });
        attachBar(bars);
      },
      advance(size, done = 1) {
        bytes += size;
        bar?.increment(done, { mbps: rate().toFixed(1) });
      },
      stop: () => {
        // A last redraw prints the log lines still waiting for the bar's next tick.
        bars.update();
        bars.stop();
        attachBar(null);
      },
    };
  }

  let timer: NodeJS.Timeout | undefined;
  return {
    start(total, size) {
      totalFiles = total;
      totalBytes = size;
      startedAt = Date.now();
      timer = setInterval(() => {
        const mbps = rate();
        const etaSeconds = mbps > 0 ? Math.round((totalBytes - bytes) / 1e6 / mbps) : null;
        // Memory too: a Cloud Run task is killed at its limit, and this line is how one sees it coming.
        const memory = process.memoryUsage();
        const mib = (n: number): number => Math.round(n / 2 ** 20);
        logger.info({ files, totalFiles, mb: Math.round(bytes / 1e6), mbps: Number(mbps.toFixed(1)), etaSeconds, rssMb: mib(memory.rss), heapMb: mib(memory.heapUsed), externalMb: mib(memory.external) }, 'progress');
      }, LOG_EVERY_MS);
      timer.unref();
    },
    advance(size, done = 1) {
      files += done;
      bytes += size;
    },
    stop: () => clearInterval(timer),
  };
}
