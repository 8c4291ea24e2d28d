/**
 * The command line: a thin yargs shell over src/loader. The only place that prints results
 * and decides the exit code.
 */
import { createRequire } from 'node:module';
import type { MiddlewareFunction } from 'yargs';
import { UsageError, VeloError, errorMessage } from '../errors.js';
import { createLogger } from '../loader/output/log.js';
import { redact } from '../secrets.js';
import { checkCommandModule } from './commands/check.js';
import { mergeCommandModule } from './commands/merge.js';
import { planCommandModule } from './commands/plan.js';
import { runCommandModule } from './commands/run.js';
import type { CommandContext, Io } from './context.js';
import { EXIT, exitCodeForError } from './exit-codes.js';
import { closest, unknownFlags } from './suggest.js';

// yargs 17's CommonJS entry is one bundled file: required, it loads in ~40 ms, where its ESM entry (and
// yargs 18, ESM only) loads dozens of modules and took ~0.2 s of every run's start-up.
const yargs = createRequire(import.meta.url)('yargs') as typeof import('yargs').default;

export type { Io };

// What the CLI prints passes through redact() too: no token or key path in any message.
const defaultIo: Io = {
  stdout: (text) => process.stdout.write(redact(text)),
  stderr: (text) => process.stderr.write(redact(text)),
  isTTY: Boolean(process.stderr.isTTY),
};

/**
 * On a terminal a person watches the progress bar, the warnings and the summary; info lines only with
 * --verbose. Elsewhere (Cloud Run, CI, pipes) every line is JSON for the log collector.
 */
function logLevel(argv: readonly string[], isTTY: boolean): string | undefined {
  if (process.env.VELO_LOG_LEVEL) return process.env.VELO_LOG_LEVEL;
  if (argv.includes('--verbose') || argv.includes('-v')) return 'debug';
  return isTTY ? 'warn' : 'info';
}

const COMMANDS = ['run', 'plan', 'check', 'merge'];

/** `velo-backfill rnu`: yargs would only say "Unknown argument: rnu". */
function checkCommandName(argv: readonly string[]): void {
  const name = argv[0];
  if (name === undefined || name.startsWith('-') || COMMANDS.includes(name)) return;
  const suggestion = closest(name, COMMANDS);
  throw new UsageError('UNKNOWN_COMMAND', `Unknown command: ${name}${suggestion ? ` — did you mean ${suggestion}?` : ''}\nRun "velo-backfill --help" for the commands (${COMMANDS.join(', ')}).`);
}

/**
 * Runs before yargs validates, with the command's own options: a mistyped `--souce` is named (with the closest
 * flag), instead of only "Missing required argument: source".
 */
function unknownFlagCheck(argv: readonly string[]) {
  return (_args: unknown, command: { getOptions(): { key: Record<string, unknown>; alias: Record<string, string[]> } }): void => {
    const options = command.getOptions();
    const unknown = unknownFlags(argv, [...Object.keys(options.key), ...Object.values(options.alias).flat()]);
    if (unknown.length === 0) return;
    const lines = unknown.map(({ flag, suggestion }) => `Unknown argument: ${flag}${suggestion ? ` — did you mean ${suggestion}?` : ''}`);
    throw new UsageError('UNKNOWN_FLAG', `${lines.join('\n')}\nRun "velo-backfill ${argv[0] ?? ''} --help" for the options.`);
  };
}

export async function main(argv: string[], io: Io = defaultIo): Promise<number> {
  const logger = createLogger({ pretty: io.isTTY, level: logLevel(argv, io.isTTY) });
  let exitCode: number = EXIT.ok;
  const context: CommandContext = { io, logger, setExitCode: (code) => (exitCode = code) };
  const parser = yargs(argv)
    .scriptName('velo-backfill')
    .usage('$0 <command> [options]\n\nBackfill raw bike-share station snapshots into records/stations tables.')
    .command(runCommandModule(context))
    .command(planCommandModule(context))
    .command(checkCommandModule(context))
    .command(mergeCommandModule(context))
    .option('verbose', { alias: 'v', type: 'boolean', default: false, global: true, describe: 'Show info and debug log lines on a terminal too' })
    .middleware(unknownFlagCheck(argv) as unknown as MiddlewareFunction, true)
    .demandCommand(1, 'Name a command: run, plan, check, merge')
    .strict()
    .help()
    .version()
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .exitProcess(false)
    .fail((message, error) => {
      if (error) throw error;
      const command = COMMANDS.includes(argv[0] ?? '') ? `${argv[0]} ` : '';
      throw new UsageError('BAD_USAGE', `${message}\nRun "velo-backfill ${command}--help" for the ${command ? 'options' : 'commands'}.`);
    });
  try {
    checkCommandName(argv);
    await parser.parseAsync();
    return exitCode;
  } catch (error) {
    const code = exitCodeForError(error);
    if (code === EXIT.usage) io.stderr(`velo-backfill: ${errorMessage(error)}\n`);
    else if (code === EXIT.temporary) logger.error({ code: (error as VeloError).code }, `${errorMessage(error)} — a temporary failure: running the same command again is safe`);
    else logger.error({ err: error, code: error instanceof VeloError ? error.code : undefined }, errorMessage(error));
    return code;
  } finally {
    logger.flush();
  }
}
