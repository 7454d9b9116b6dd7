/** `nianbao ingest <file-or-url-or-folder>... [--db PATH]`: extract documents and store them. */
import { usageError, parseCommandArgs } from '../cli.js';
import { padEndW } from '../format.js';
import { closeHttp, expandArgs, type ReadOptions } from '../io.js';
import { DEFAULT_DB_PATH, openDb, type Db } from '../store/db.js';
import { ingestReport } from '../store/ingest.js';
import { afterIngest } from '../review/hook.js';
import { loadAndExtract, readOptionSpec, readOptionsFrom } from './extract.js';

export const help = `Usage: nianbao ingest <file-or-url-or-folder>... [--db PATH] [--json]

Extracts each document (as \`nianbao extract\` does) and stores it in the SQLite database with its
raw bytes, figures, provenance, checks and problems, one transaction per document. Ingesting the
same bytes twice stores them once (the second time prints "already stored"). A folder stands for
the documents directly in it (*.html, *.htm, *.pdf, *.txt).

Options:
  --db PATH         the database, default ${DEFAULT_DB_PATH} (created if missing)
  --json            one JSON line per document ({source, sha256, report_id, created, status,
                    failed_checks, error}) instead of the text lines and summary
  --timeout SECS    HTTP timeout per phase, default 30
  --max-bytes N     largest document accepted, default 100 MiB
  -h, --help        show this help

Exit status: 0 when every document was read and stored; 1 when any could not be read (or stored);
2 for a usage error.

Examples:
  nianbao ingest samples/
  nianbao ingest --db /tmp/test.db report-2021.html https://example.gov.cn/nb/2022.pdf`;

/** What happened to one document. */
export interface IngestOutcome {
  source: string;
  sha256: string | null;
  reportId: number | null;
  created: boolean;
  status: string;
  agency: string | null;
  year: number | null;
  failedChecks: number;
  /** Why the document could not be read or stored. */
  error: string | null;
  /** Something that went wrong after the report was stored. */
  warning?: string;
}

export interface IngestSummary {
  outcomes: IngestOutcome[];
  stored: number;
  alreadyStored: number;
  unreadable: number;
}

/**
 * Extracts and stores each source in turn; a bad document never stops the others. `onOutcome` is
 * called as each document is done (for printing progress).
 */
export async function ingestSources(
  db: Db,
  sources: string[],
  readOpts: ReadOptions = {},
  onOutcome: (o: IngestOutcome) => void = () => {},
): Promise<IngestSummary> {
  const summary: IngestSummary = { outcomes: [], stored: 0, alreadyStored: 0, unreadable: 0 };
  for (const source of sources) {
    const { report, bytes } = await loadAndExtract(source, readOpts);
    const outcome: IngestOutcome = {
      source,
      sha256: bytes ? report.sha256 : null,
      reportId: null,
      created: false,
      status: report.status,
      agency: report.agency,
      year: report.year,
      failedChecks: report.checks.filter((c) => c.status === 'fail').length,
      error: report.status === 'error' ? report.problems.map((p) => p.message).join('; ') || 'could not be read' : null,
    };
    if (bytes) {
      try {
        const r = ingestReport(db, report, bytes);
        outcome.reportId = r.reportId;
        outcome.created = r.created;
        if (r.created) summary.stored++;
        else summary.alreadyStored++;
      } catch (err) {
        outcome.error = `could not store: ${err instanceof Error ? err.message : String(err)}`;
      }
      if (outcome.created && outcome.reportId !== null) {
        // Link the report to its body across years and (re)compute the cross-year checks of it and its
        // neighbours. The report is stored whatever happens here.
        try {
          afterIngest(db, outcome.reportId);
          outcome.failedChecks = (
            db.prepare("SELECT count(*) AS n FROM checks WHERE report_id = ? AND status = 'fail'").get(outcome.reportId) as {
              n: number;
            }
          ).n;
        } catch (err) {
          outcome.warning = `stored, but the cross-year step failed: ${err instanceof Error ? err.message : String(err)}`;
        }
      }
    }
    if (outcome.error !== null) summary.unreadable++;
    summary.outcomes.push(outcome);
    onOutcome(outcome);
  }
  return summary;
}

/** One line for a person about one document. */
export function formatOutcome(o: IngestOutcome): string {
  if (o.reportId === null) return `error           ${o.source}: ${o.error}`;
  const what = o.created ? 'stored        ' : 'already stored';
  const who = [o.agency ?? '(agency unknown)', o.year ?? '(year unknown)'].join(' ');
  const failed = o.failedChecks === 1 ? '1 failed check' : `${o.failedChecks} failed checks`;
  const line = `${what}  ${`#${o.reportId}`.padEnd(5)}  ${o.status.padEnd(12)}  ${padEndW(who, 30)}  ${failed.padEnd(16)}  ${o.source}`;
  const note = [o.error, o.warning].filter(Boolean).join('; ');
  return note ? `${line}  (${note})` : line;
}

export function formatSummary(s: IngestSummary, dbPath: string): string {
  const n = s.outcomes.length;
  const failed = s.outcomes.filter((o) => o.created).reduce((a, o) => a + o.failedChecks, 0);
  return (
    `${n} document${n === 1 ? '' : 's'}: ${s.stored} stored, ${s.alreadyStored} already stored, ` +
    `${s.unreadable} could not be read; ${failed} failed check${failed === 1 ? '' : 's'} in the newly stored reports. ` +
    `Database: ${dbPath}`
  );
}

export async function run(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, {
    db: { type: 'string' },
    json: { type: 'boolean' },
    ...readOptionSpec,
  }, help, { positionals: true });
  if (!args) return 0;
  const { values, positionals } = args;
  if (positionals.length === 0) throw usageError('ingest needs at least one file, folder or URL');
  const readOpts = readOptionsFrom(values);
  const dbPath = values.db ?? DEFAULT_DB_PATH;
  const { sources, notes } = await expandArgs(positionals);
  for (const n of notes) process.stderr.write(`nianbao ingest: ${n}\n`);
  let db: Db;
  try {
    db = openDb(dbPath);
  } catch (err) {
    process.stderr.write(`nianbao ingest: cannot open the database ${dbPath}: ${(err as Error).message}\n`);
    return 1;
  }
  try {
    const summary = await ingestSources(db, sources, readOpts, (o) => {
      if (values.json) {
        process.stdout.write(
          JSON.stringify({
            source: o.source,
            sha256: o.sha256,
            report_id: o.reportId,
            created: o.created,
            status: o.status,
            failed_checks: o.failedChecks,
            error: o.error,
          }) + '\n',
        );
      } else {
        process.stdout.write(formatOutcome(o) + '\n');
      }
    });
    if (!values.json) process.stdout.write(formatSummary(summary, dbPath) + '\n');
    return summary.unreadable > 0 ? 1 : 0;
  } finally {
    db.close();
    await closeHttp();
  }
}
