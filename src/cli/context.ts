/** What every command of the CLI is handed: where to print, the logger, and how to report its exit code. */
import type { Logger } from '../loader/output/log.js';

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  isTTY: boolean;
}

export interface CommandContext {
  io: Io;
  logger: Logger;
  /** The command's outcome (see exit-codes.ts); errors thrown instead are mapped by app.ts. */
  setExitCode(code: number): void;
}
