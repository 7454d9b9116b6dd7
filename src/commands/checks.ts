/** `nianbao checks [--status fail] [--db PATH] [--json]`: list stored check results, failed first. */
import { parseCommandArgs, usageError } from './args.js';
import { alignColumns, formatValue } from '../format.js';
import { CheckStatus } from '../report.js';
import { DEFAULT_DB_PATH, openDb } from '../store/db.js';
import { openExistingOrSay, wholeNumberOption } from './shared.js';
import { checkCounts, listChecks, type CheckFilter, type StoredCheck } from '../store/queries.js';

export const help = `Usage: nianbao checks [--status fail|warn|skipped|pass] [--db PATH] [--json] [--report ID]

Lists the consistency check results stored in the database: failed ones first, then warnings,
skipped and passed checks; within each, by agency, year and report.

Options:
  --status S        only checks with this status: fail, warn, skipped or pass
  --report ID       only the checks of this report (its id in the reports table)
  --agency TEXT     only reports whose agency name contains TEXT
  --year YYYY       only reports on this year
  --check ID        only this check id, or a prefix ending in "." or "*" (requests.balance.*)
  --limit N         at most N lines
  --db PATH         the database, default ${DEFAULT_DB_PATH}
  --json            one JSON object per check, one per line (JSON Lines): report_id, agency, year,
                    version, title, source, source_url, check_id, status, expected, actual, keys,
                    reason, evidence
  -h, --help        show this help

Examples:
  nianbao checks --status fail
  nianbao checks --report 3 --json
  nianbao checks --check 'requests.balance.*' --status fail`;


/** Text lines for a person: status, agency, year, report id, check id, expected, actual, reason. */
export function formatStoredChecks(rows: StoredCheck[]): string[] {
  const table = [['status', 'agency', 'year', 'report', 'check', 'expected', 'actual', 'reason']];
  for (const c of rows) {
    table.push([
      c.status,
      c.agency ?? '?',
      c.year === null ? '?' : String(c.year),
      `#${c.report_id}`,
      c.check_id,
      formatValue(c.expected),
      formatValue(c.actual),
      c.reason ?? '',
    ]);
  }
  return alignColumns(table, [false, false, false, true, false, true, true, false]);
}

export async function run(argv: string[]): Promise<number> {
  const args = parseCommandArgs(
    argv,
    {
      status: { type: 'string' },
      report: { type: 'string' },
      agency: { type: 'string' },
      year: { type: 'string' },
      check: { type: 'string' },
      limit: { type: 'string' },
      db: { type: 'string' },
      json: { type: 'boolean' },
    },
    help,
  );
  if (!args) return 0;
  const { values } = args;
  const filter: CheckFilter = {};
  if (values.status !== undefined) {
    const s = CheckStatus.safeParse(values.status);
    if (!s.success) throw usageError(`--status must be one of fail, warn, skipped, pass (not "${values.status}")`);
    filter.status = s.data;
  }
  filter.reportId = wholeNumberOption('report', values.report);
  filter.year = wholeNumberOption('year', values.year);
  filter.limit = wholeNumberOption('limit', values.limit);
  if (values.agency) filter.agency = values.agency;
  if (values.check) filter.check = values.check;
  const dbPath = values.db ?? DEFAULT_DB_PATH;
  const db = openExistingOrSay(dbPath, 'checks', openDb, '`nianbao ingest` or `npm start`');
  if (!db) return 1;
  try {
    const rows = listChecks(db, filter);
    if (values.json) {
      for (const r of rows) process.stdout.write(JSON.stringify(r) + '\n');
      return 0;
    }
    if (rows.length === 0) {
      process.stdout.write('No check results match.\n');
    } else {
      process.stdout.write(formatStoredChecks(rows).join('\n') + '\n');
    }
    const counts = checkCounts(db, filter.reportId);
    process.stdout.write(
      `\nIn the database${filter.reportId !== undefined ? ` (report #${filter.reportId})` : ''}: ` +
        `${counts.fail} failed, ${counts.warn} warnings, ${counts.skipped} skipped, ${counts.pass} passed.\n`,
    );
    return 0;
  } finally {
    db.close();
  }
}
