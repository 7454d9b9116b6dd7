/**
 * `nianbao coverage [--region CODE] [--year Y] [--level L] [--json|--csv]`: for each division and year,
 * the reports expected and found (src/coverage/coverage.ts), with the sites known for the division.
 */
import { parseCommandArgs, usageError } from './args.js';
import { alignColumns } from '../format.js';
import { openExistingOrSay } from './shared.js';
import { DEFAULT_DB_PATH } from '../store/db.js';
import { coverage, LEVELS } from '../coverage/coverage.js';
import { gazetteer, type Level } from '../places/gazetteer.js';
import { SITE_STATE_ZH, type SiteState } from '../crawl/sites/registry.js';
import { csvLine } from './export.js';

export const help = `Usage: nianbao coverage [--db PATH] [--region CODE] [--year Y] [--level province|city|county|township] [--json | --csv]

For each division and year, the reports expected and found, so that a missing report and an unread
site are not taken for each other:
  expected   every county- and township-level government of the gazetteer (one report a year each;
             development zones and divisions abolished since 2021 are not counted), and every
             department that published a report in any year (expected in the other years)
  found      those bodies with a stored report of that year (placed: see \`nianbao places\`)
  missing    expected − found, with the names of the governments and departments missing (--json)
  sites      the sites known for the division (\`nianbao sites\`) and their states
The years are those of the stored reports (or --year). The rows are the divisions of --level within
--region (default: the level below the region; provinces for the whole country; the counties of a
province without cities: 北京, 上海, 天津, 重庆). At the city level, a county no city holds (their
districts, 省直辖县 such as 济源市) is a row of its own, of level county.

Options:
  --db PATH       the database, default ${DEFAULT_DB_PATH}
  --region CODE   a division code (410000 河南省, 411600 周口市, 411622 西华县)
  --year Y        one year only
  --level L       province, city, county or township
  --json          one JSON object: region, level, years, rows[] (code, name, full_name, level, year,
                  expected, found, missing, share, governments_expected, governments_found,
                  departments_expected, departments_found, missing_governments[],
                  missing_departments[], sites, sites_by_state), totals
  --csv           one CSV line a division and year, with a header
  -h, --help      show this help

Example:
  nianbao coverage --region 411600 --level county --year 2021`;

export async function run(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, {
    db: { type: 'string' },
    region: { type: 'string' },
    year: { type: 'string' },
    level: { type: 'string' },
    json: { type: 'boolean' },
    csv: { type: 'boolean' },
  }, help);
  if (!args) return 0;
  const { values } = args;
  if (values.json && values.csv) throw usageError('--json and --csv: choose one');
  if (values.region !== undefined && !gazetteer().byCode.has(values.region.trim())) {
    throw usageError(`--region wants a division code of the gazetteer (410000, 411600, 411622), not "${values.region}"`);
  }
  if (values.year !== undefined && !/^(19|20)\d{2}$/.test(values.year)) throw usageError(`--year wants a year (2021), not "${values.year}"`);
  if (values.level !== undefined && !LEVELS.includes(values.level as Level)) throw usageError(`--level is province, city, county or township, not "${values.level}"`);
  const dbPath = values.db ?? DEFAULT_DB_PATH;
  const db = openExistingOrSay(dbPath, 'coverage');
  if (!db) return 1;
  try {
    const cov = coverage(db, {
      region: values.region?.trim(),
      year: values.year === undefined ? undefined : Number(values.year),
      level: values.level as Level | undefined,
    });
    if (values.json) {
      process.stdout.write(JSON.stringify({ db: dbPath, ...cov }) + '\n');
      return 0;
    }
    const states = (by: Partial<Record<SiteState, number>>) => Object.entries(by).map(([k, n]) => `${n} ${k}`).join(', ');
    if (values.csv) {
      const cols = ['code', 'name', 'full_name', 'level', 'year', 'expected', 'found', 'missing', 'share', 'governments_expected', 'governments_found', 'departments_expected', 'departments_found', 'sites', 'sites_by_state'];
      process.stdout.write(csvLine(cols));
      for (const r of cov.rows) {
        process.stdout.write(csvLine([r.code, r.name, r.full_name, r.level, r.year, r.expected, r.found, r.missing, r.share === null ? null : Number(r.share.toFixed(4)), r.governments_expected, r.governments_found, r.departments_expected, r.departments_found, r.sites, states(r.sites_by_state)]));
      }
      return 0;
    }
    const where = cov.region ? `${cov.region.name}（${cov.region.code}）` : '全国';
    process.stdout.write(`Coverage of ${where} by ${cov.level}, ${cov.years.length ? `years ${cov.years.join(', ')}` : 'no reports yet'}\n\n`);
    if (!cov.rows.length) {
      process.stdout.write('No rows (no report stored for these divisions and years).\n');
      return 0;
    }
    const pct = (s: number | null) => (s === null ? '—' : `${(s * 100).toFixed(1)}%`);
    const rows = cov.rows.map((r) => [
      r.code,
      r.name,
      String(r.year),
      String(r.expected),
      String(r.found),
      String(r.missing),
      pct(r.share),
      `${r.governments_found}/${r.governments_expected}`,
      `${r.departments_found}/${r.departments_expected}`,
      r.sites ? `${r.sites}: ${Object.entries(r.sites_by_state).map(([k, n]) => `${n} ${SITE_STATE_ZH[k as SiteState]}`).join('，')}` : '0',
    ]);
    process.stdout.write(
      alignColumns([['code', 'division', 'year', 'expected', 'found', 'missing', 'share', 'governments', 'departments', 'sites'], ...rows], [false, false, false, true, true, true, true, true, true]).join('\n') + '\n',
    );
    process.stdout.write(`\nTotal: ${cov.totals.found} of ${cov.totals.expected} expected reports found (${pct(cov.totals.share)}), ${cov.totals.missing} missing.\n`);
    return 0;
  } finally {
    db.close();
  }
}
