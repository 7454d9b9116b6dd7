/**
 * nianbao's command line: `nianbao <command> [options]`. Each command is a module in src/commands/
 * exporting `run(argv): Promise<number>` (the exit status) and `help` (its usage text).
 *
 * To add a command, add one line to COMMANDS below:
 *   crawl: { summary: 'crawl sites for reports', load: () => import('./commands/crawl.js') },
 * Modules load lazily, so `nianbao --help` does not load the PDF reader.
 *
 * Exit statuses: 0 success; 1 a document (or the job) failed; 2 a usage error.
 */
import { pathToFileURL } from 'node:url';
import { realpathSync } from 'node:fs';
import { EXIT_USAGE, UsageError } from './commands/args.js';

export { EXIT_USAGE, UsageError, usageError, parseCommandArgs } from './commands/args.js';

export type { CommandModule } from './commands/args.js';
import type { CommandModule } from './commands/args.js';

interface CommandEntry {
  summary: string;
  load: () => Promise<CommandModule>;
}

export const COMMANDS: Record<string, CommandEntry> = {
  extract: { summary: 'extract reports from files, folders or URLs and print them', load: () => import('./commands/extract.js') },
  ingest: { summary: 'extract reports and store them in the database', load: () => import('./commands/ingest.js') },
  checks: { summary: 'list the stored check results, failed ones first', load: () => import('./commands/checks.js') },
  crawl: { summary: 'crawl sites for annual reports and store them (resumable)', load: () => import('./commands/crawl.js') },
  reextract: { summary: 're-run extraction over every stored report document, offline', load: () => import('./commands/reextract.js') },
  review: { summary: 'list failed checks with their evidence; record decisions; link agencies', load: () => import('./commands/review.js') },
  serve: { summary: 'the review web page (127.0.0.1:8080)', load: () => import('./commands/serve.js') },
  export: { summary: 'export figures, checks or reviews as CSV or JSON Lines', load: () => import('./commands/export.js') },
  places: { summary: 'reports placed in the administrative divisions, and the ones not placed', load: () => import('./commands/places.js') },
  sites: { summary: 'the registry of government sites found by crawl --follow-sites, with their states', load: () => import('./commands/sites.js') },
  coverage: { summary: 'reports expected and found per division and year, with the sites known', load: () => import('./commands/coverage.js') },
  start: { summary: 'the main job: ingest the bundled samples and show what failed', load: () => import('./commands/start.js') },
};

export function mainHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `nianbao (年报): Chinese government information-disclosure annual reports as checked, queryable data.

Usage: nianbao <command> [options]

Commands:
${lines.join('\n')}
  ${'help'.padEnd(width)}  show this help, or a command's: nianbao help <command>

Run \`nianbao <command> --help\` for a command's options.`;
}

function isParseArgsError(err: unknown): err is Error {
  const code = (err as { code?: string })?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

/** Runs the command line (argv without `node` and the script) and returns the exit status. Never throws. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    (name === undefined ? process.stderr : process.stdout).write(mainHelp() + '\n');
    return name === undefined ? EXIT_USAGE : 0;
  }
  if (name === 'help') {
    const topic = rest[0];
    if (topic === undefined) {
      process.stdout.write(mainHelp() + '\n');
      return 0;
    }
    const entry = Object.hasOwn(COMMANDS, topic) ? COMMANDS[topic] : undefined;
    if (!entry) {
      process.stderr.write(`nianbao: unknown command "${topic}"\n\n${mainHelp()}\n`);
      return EXIT_USAGE;
    }
    try {
      process.stdout.write((await entry.load()).help + '\n');
    } catch (err) {
      process.stderr.write(`nianbao help: cannot load ${topic}: ${err instanceof Error ? err.message : String(err)}\n`);
      return 1;
    }
    return 0;
  }
  if (name === '--version' || name === '-V') {
    const { packageVersion } = await import('./store/db.js');
    process.stdout.write(packageVersion() + '\n');
    return 0;
  }
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!entry) {
    process.stderr.write(`nianbao: unknown command "${name}"\n\n${mainHelp()}\n`);
    return EXIT_USAGE;
  }
  let mod: CommandModule;
  try {
    mod = await entry.load();
  } catch (err) {
    process.stderr.write(
      `nianbao ${name}: cannot load the command (is the build complete? run \`npm run build\`): ` +
        `${err instanceof Error ? err.message : String(err)}\n`,
    );
    return 1;
  }
  try {
    return await mod.run(rest);
  } catch (err) {
    if (err instanceof UsageError || isParseArgsError(err)) {
      process.stderr.write(`nianbao ${name}: ${(err as Error).message}\n\n${mod.help}\n`);
      return EXIT_USAGE;
    }
    process.stderr.write(`nianbao ${name}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
}

/** Exits with `code` once stdout and stderr have been flushed. */
export function exitAfterFlush(code: number): void {
  process.exitCode = code;
  let pending = 2;
  const done = () => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  // `nianbao extract --json … | head` closes the pipe early: stop quietly.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  main(process.argv.slice(2)).then(exitAfterFlush, (err: unknown) => {
    process.stderr.write(`nianbao: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    exitAfterFlush(1);
  });
}
