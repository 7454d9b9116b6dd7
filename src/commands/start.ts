/**
 * `nianbao start` (what `npm start` runs): the main job, offline. It serves the bundled sample site
 * (samples/site/) on loopback and crawls it into data/nianbao.db, ingests the other bundled samples
 * (samples/ and samples/pdf/), and shows which checks failed.
 */
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseCommandArgs } from './args.js';
import { closeHttp, expandArgs } from '../io.js';
import { DEFAULT_DB_PATH, projectRoot } from '../store/db.js';
import { openOrSay } from './shared.js';
import { listChecks } from '../store/queries.js';
import { formatStoredChecks } from './checks.js';
import { formatOutcome, formatSummary, ingestSources } from './ingest.js';
import { crawlBundledSite } from './crawl.js';

export const help = `Usage: nianbao start [--db PATH]

The main job, offline: serves the bundled sample government site (samples/site/) on loopback
(127.0.0.1:8640 when free) and crawls it into the database (list pages, pagination, robots.txt,
report pages and PDF attachments), then ingests the other bundled sample reports (samples/*.html,
*.htm, *.txt, *.pdf and samples/pdf/), and prints the crawl summary, what it stored and every
failed check of those reports. Running it again stores nothing new ("already stored"; the crawl
asks the site again with conditional requests).

Options:
  --db PATH     the database, default ${DEFAULT_DB_PATH} (relative to the current folder)
  -h, --help    show this help`;

export async function run(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, { db: { type: 'string' } }, help);
  if (!args) return 0;
  const { values } = args;
  const dbPath = values.db ?? DEFAULT_DB_PATH;
  const root = projectRoot();
  const folders = [join(root, 'samples'), join(root, 'samples', 'pdf')].filter((f) => existsSync(f));
  const { sources } = await expandArgs(folders);
  if (sources.length === 0) {
    process.stderr.write(`nianbao start: no sample documents in ${join(root, 'samples')}\n`);
    return 1;
  }
  // Shown relative to the current folder when inside it (samples/x.html), absolute otherwise.
  const shown = sources.map((s) => {
    const rel = relative(process.cwd(), s);
    return rel.startsWith('..') ? s : rel;
  });
  const db = openOrSay(dbPath, 'start');
  if (!db) return 1;
  try {
    // The main job end to end: serve the bundled sample site (samples/site/) on loopback and crawl it
    // into the database; then the other bundled samples are ingested from their files.
    const crawled = await crawlBundledSite(db, dbPath, join(root, 'samples', 'site'));
    process.stdout.write(`Ingesting ${sources.length} sample documents into ${dbPath}\n\n`);
    const summary = await ingestSources(db, shown, {}, (o) => process.stdout.write(formatOutcome(o) + '\n'));
    const ids = new Set([...crawled.reportIds, ...summary.outcomes.map((o) => o.reportId).filter((id): id is number => id !== null)]);
    const failed = listChecks(db, { status: 'fail' }).filter((c) => ids.has(c.report_id));
    process.stdout.write('\n');
    if (failed.length === 0) {
      process.stdout.write('No failed checks in these reports.\n');
    } else {
      process.stdout.write(`Failed checks (${failed.length}):\n`);
      process.stdout.write(formatStoredChecks(failed).map((l) => '  ' + l).join('\n') + '\n');
    }
    process.stdout.write('\n' + formatSummary(summary, dbPath) + '\n');
    process.stdout.write(
      `Query it: sqlite3 ${dbPath} "SELECT agency, year, check_id, expected, actual FROM failed_checks"` +
        ` (or: nianbao checks --status fail --db ${dbPath})\n`,
    );
    return summary.unreadable > 0 ? 1 : 0;
  } finally {
    db.close();
    await closeHttp();
  }
}
