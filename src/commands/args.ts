/**
 * What every command shares on its command line: the usage error (exit status 2), strict option parsing with
 * `--help`, and the shape of a command module. Commands import this, never src/cli.ts (which imports them).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A command: `run(argv)` gives the exit status; `help` is its usage text. */
export interface CommandModule {
  run(argv: string[]): Promise<number>;
  help: string;
}

/** Thrown for a bad command line: the message goes to stderr and the exit status is 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function usageError(message: string): UsageError {
  return new UsageError(message);
}

export const EXIT_USAGE = 2;

type OptionSpec = NonNullable<ParseArgsConfig['options']>;
const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const;

/**
 * Parses a command's options strictly (an unknown option is a usage error), with `--help`/`-h` for every
 * command: after printing `help` it returns null, and the command returns 0. Unless `positionals` is
 * true, a positional argument is a usage error too.
 */
export function parseCommandArgs<T extends OptionSpec>(
  argv: string[],
  options: T,
  help: string,
  opts: { positionals?: boolean } = {},
) {
  const parsed = parseArgs({ args: argv, options: { ...options, ...HELP_OPTION }, allowPositionals: true, strict: true });
  if ((parsed.values as { help?: boolean }).help) {
    process.stdout.write(help + '\n');
    return null;
  }
  if (!opts.positionals && parsed.positionals.length) throw usageError(`unexpected argument "${parsed.positionals[0]}"`);
  return parsed;
}

