/**
 * The command line: a thin yargs shell over src/loader. The only place that prints results
 * and decides the exit code.
 */
import { createRequire } from 'node:module';
import { UsageError, VeloError, errorMessage } from '../errors.js';
import { createLogger } from '../loader/log.js';
import { checkCommandModule } from './commands/check.js';
import { runCommandModule } from './commands/run.js';
import type { CommandContext, Io } from './context.js';
import { EXIT, exitCodeForError } from './exit-codes.js';

// yargs 17's CommonJS entry is one bundled file: required, it loads in ~40 ms, where its ESM entry (and
// yargs 18, ESM only) loads dozens of modules and took ~0.2 s of every run's start-up.
const yargs = createRequire(import.meta.url)('yargs') as typeof import('yargs').default;

export type { Io };

const defaultIo: Io = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  isTTY: Boolean(process.stderr.isTTY),
};

export async function main(argv: string[], io: Io = defaultIo): Promise<number> {
  const logger = createLogger({ pretty: io.isTTY });
  let exitCode: number = EXIT.ok;
  const context: CommandContext = { io, logger, setExitCode: (code) => (exitCode = code) };
  const parser = yargs(argv)
    .scriptName('velo-backfill')
    .usage('$0 <command> [options]\n\nBackfill raw bike-share station snapshots into records/stations tables.')
    .command(runCommandModule(context))
    .command(checkCommandModule(context))
    .demandCommand(1, 'Name a command: run, check')
    .strict()
    .help()
    .version()
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .exitProcess(false)
    .fail((message, error) => {
      if (error) throw error;
      throw new UsageError('BAD_USAGE', `${message}\nRun "velo-backfill ${argv[0] === 'run' || argv[0] === 'check' ? `${argv[0]} ` : ''}--help" for the options.`);
    });
  try {
    await parser.parseAsync();
    return exitCode;
  } catch (error) {
    const code = exitCodeForError(error);
    if (code === EXIT.usage) io.stderr(`velo-backfill: ${errorMessage(error)}\n`);
    else logger.error({ err: error, code: error instanceof VeloError ? error.code : undefined }, errorMessage(error));
    return code;
  } finally {
    logger.flush();
  }
}
