/** `nianbao serve [--db PATH] [--host 127.0.0.1] [--port 8080]`: the review page. */
import { existsSync } from 'node:fs';
import { usageError, parseCommandArgs } from '../cli.js';
import { DEFAULT_DB_PATH } from '../store/db.js';
import { openReviewDb } from '../review/schema.js';
import { startServer } from '../serve/server.js';

export const help = `Usage: nianbao serve [--db PATH] [--host 127.0.0.1] [--port 8080]

Starts the review page on a local address: the reports with failed checks (filters: agency,
region, year, check, status, review state); for each report its flagged checks with the cells as
printed and where they are, its tables as extracted with the offending cells marked, beside the
source (an HTML page in a sandboxed frame with the cells outlined, a PDF page rendered with
pdftoppm and the cells boxed, or the text with the lines marked), and forms to record decisions.
Runs until interrupted (Ctrl-C).

Options:
  --db PATH      the database, default ${DEFAULT_DB_PATH}
  --host HOST    the address to listen on, default 127.0.0.1 (the page has no login: keep it local)
  --port N       default 8080; 0 picks a free port
  -h, --help     show this help`;

export async function run(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, {
    db: { type: 'string' },
    host: { type: 'string' },
    port: { type: 'string' },
  }, help);
  if (!args) return 0;
  const { values } = args;
  const port = values.port === undefined ? 8080 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw usageError(`--port wants a port number, not "${values.port}"`);
  const dbPath = values.db ?? DEFAULT_DB_PATH;
  if (dbPath !== ':memory:' && !existsSync(dbPath)) {
    process.stderr.write(`nianbao serve: no database at ${dbPath} (run \`nianbao ingest\` first)\n`);
    return 1;
  }
  const db = openReviewDb(dbPath);
  let running;
  try {
    running = await startServer(db, { host: values.host ?? '127.0.0.1', port });
  } catch (err) {
    db.close();
    process.stderr.write(`nianbao serve: cannot listen on ${values.host ?? '127.0.0.1'}:${port}: ${(err as Error).message}\n`);
    return 1;
  }
  process.stdout.write(`nianbao review page: ${running.url}/  (database ${dbPath}; Ctrl-C to stop)\n`);
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
