/** `nianbao serve [--db PATH] [--host 127.0.0.1] [--port 8080]`: the review page. */
import { usageError, parseCommandArgs } from './args.js';
import { DEFAULT_DB_PATH } from '../store/db.js';
import { openExistingOrSay } from './shared.js';
import { ServeRefused, startServer } from '../serve/server.js';

export const help = `Usage: nianbao serve [--db PATH] [--host 127.0.0.1] [--port 8080] [--require-login]

Starts the review page (in Chinese): the queue of findings (one per cause: a column left blank is
one finding, not twenty), open ones first, the largest discrepancies first, with filters (region,
agency, year, check family, severity, review state) and paging; for each report its findings with
the cells as printed and where they are, its tables as extracted with the cells marked, beside the
source (an HTML page in a sandboxed frame scrolled to the outlined cell, a PDF page or OCR'd image
with the cells boxed, or the text with the lines marked), and forms to record decisions, with
keyboard shortcuts (accesskeys); an overview with charts; the open findings as XLSX or CSV.
Runs until interrupted (Ctrl-C).

Sign-in: on an address other than loopback (127.x, ::1, localhost) every page needs a signed-in
reviewer (accounts: nianbao review user add NAME); without any account such a --host is refused
(exit status 2). On loopback the page works without sign-in unless --require-login is given.

Options:
  --db PATH          the database, default ${DEFAULT_DB_PATH}
  --host HOST        the address to listen on, default 127.0.0.1
  --port N           default 8080; 0 picks a free port
  --require-login    require sign-in on loopback too (needs an account)
  -h, --help         show this help`;

export async function run(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, {
    db: { type: 'string' },
    host: { type: 'string' },
    port: { type: 'string' },
    'require-login': { type: 'boolean' },
  }, help);
  if (!args) return 0;
  const { values } = args;
  const port = values.port === undefined ? 8080 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw usageError(`--port wants a port number, not "${values.port}"`);
  const dbPath = values.db ?? DEFAULT_DB_PATH;
  const db = openExistingOrSay(dbPath, 'serve');
  if (!db) return 1;
  let running;
  try {
    running = await startServer(db, { host: values.host ?? '127.0.0.1', port, requireLogin: !!values['require-login'] });
  } catch (err) {
    db.close();
    if (err instanceof ServeRefused) {
      process.stderr.write(`nianbao serve: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`nianbao serve: cannot listen on ${values.host ?? '127.0.0.1'}:${port}: ${(err as Error).message}\n`);
    return 1;
  }
  process.stdout.write(`nianbao review page: ${running.url}/  (database ${dbPath}; ${running.loginRequired ? 'sign-in required' : 'no sign-in'}; Ctrl-C to stop)\n`);
  const r = running;
  await new Promise<void>((resolve) => {
    const stop = () => {
      void r.close().then(() => resolve());
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  db.close();
  return 0;
}
