/**
 * `nianbao places [--db PATH] [--json]`: how many stored reports are placed at each level of the
 * divisions, how many are ambiguous, and the ones not placed (agency, year, id, why);
 * `--report ID --code CODE` places one by hand.
 */
import { parseCommandArgs, usageError } from './args.js';
import { alignColumns } from '../format.js';
import { GAZETTEER_SOURCE } from '../places/gazetteer.js';
import { setManualPlace } from '../places/placing.js';
import { placesSummary } from '../places/query.js';
import { ensurePlacesSchema } from '../places/schema.js';
import { afterIngest } from '../review/hook.js';
import { openExistingOrSay } from './shared.js';
import { DEFAULT_DB_PATH } from '../store/db.js';

export const help = `Usage: nianbao places [--db PATH] [--json]
       nianbao places --report ID --code CODE [--by NAME] [--db PATH]

Each stored report is placed in China's administrative divisions (province, city, county,
township, with GB/T 2260 codes) from its agency's name, title and text, and the seeds-file label
of its site. This lists how many reports are placed at each level, how many are ambiguous (a name
several places have, such as 鼓楼区, with nothing in the report to tell which) and how many are
unresolved (a name the gazetteer lacks), then each ambiguous or unresolved report: id, agency,
year and why, with the candidate divisions. Reports stored before places existed, and ones a
seed label now places, are placed first and linked to their bodies again.

With --report and --code, a person places that report in the division CODE (a manual place is
never overridden); the report is then linked to its body again and its cross-year checks redone.

Options:
  --report ID   the report to place by hand (with --code)
  --code CODE   a division code: 320813 (county), 320800 (city), 320000 (province), 320813101 (township)
  --by NAME     who placed it
  --db PATH     the database, default ${DEFAULT_DB_PATH}
  --json        one JSON object: changed (ids placed now), reports, levels, ambiguous,
                unresolved, no_agency, open[]
  -h, --help    show this help

Examples:
  nianbao places
  nianbao places --report 12 --code 350102`;

export async function run(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, {
    db: { type: 'string' },
    json: { type: 'boolean' },
    report: { type: 'string' },
    code: { type: 'string' },
    by: { type: 'string' },
  }, help);
  if (!args) return 0;
  const { values } = args;
  if ((values.report === undefined) !== (values.code === undefined)) throw usageError('--report and --code go together');
  const reportId = values.report === undefined ? undefined : Number(values.report);
  if (reportId !== undefined && (!Number.isInteger(reportId) || reportId < 1)) throw usageError(`--report wants a report id, not "${values.report}"`);
  if (values.code !== undefined && !/^\d{6}(?:\d{3})?$/.test(values.code)) throw usageError(`--code wants a 6- or 9-digit division code, not "${values.code}"`);
  const dbPath = values.db ?? DEFAULT_DB_PATH;
  const db = openExistingOrSay(dbPath, 'places');
  if (!db) return 1;
  try {
    ensurePlacesSchema(db);
    if (reportId !== undefined) {
      try {
        const row = setManualPlace(db, reportId, values.code!, values.by ?? null);
        afterIngest(db, reportId);
        process.stdout.write(values.json ? JSON.stringify(row) + '\n' : `report #${reportId} placed in ${row.division_code} ${[row.province, row.city, row.county, row.township].filter(Boolean).join('')} (manual)\n`);
        return 0;
      } catch (err) {
        process.stderr.write(`nianbao places: ${(err as Error).message}\n`);
        return 1;
      }
    }
    const s = placesSummary(db);
    // newly placed reports (stored before places existed, or placed by a seed label since): link them by place
    for (const id of s.changed) afterIngest(db, id);
    if (values.json) {
      process.stdout.write(JSON.stringify(s) + '\n');
      return 0;
    }
    const out: string[] = [`${s.reports} reports placed with ${GAZETTEER_SOURCE}:`];
    out.push(
      ...alignColumns(
        [
          ['province', String(s.levels.province)],
          ['city', String(s.levels.city)],
          ['county', String(s.levels.county)],
          ['township', String(s.levels.township)],
          ['ambiguous', String(s.ambiguous)],
          ['unresolved', String(s.unresolved)],
          ['no agency name', String(s.no_agency)],
        ],
        [false, true],
      ).map((l) => '  ' + l),
    );
    if (s.open.length) {
      out.push('', 'Not placed (fix with: nianbao places --report ID --code CODE):');
      const table = [['report', 'agency', 'year', 'status', 'why']];
      for (const o of s.open) {
        const why = o.candidates.length ? `${o.why}: ${o.candidates.map((c) => `${c.code} ${c.name}`).join(', ')}` : (o.why ?? '');
        table.push([`#${o.report_id}`, o.agency ?? '?', o.year === null ? '?' : String(o.year), o.status, why]);
      }
      out.push(...alignColumns(table, [true, false, false, false, false]).map((l) => '  ' + l));
    }
    process.stdout.write(out.join('\n') + '\n');
    return 0;
  } finally {
    db.close();
  }
}
