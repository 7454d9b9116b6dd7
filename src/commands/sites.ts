/**
 * `nianbao sites [--db PATH] [--region CODE] [--state S] [--json|--csv]`: the registry of government
 * sites a crawl started from or found (`crawl --follow-sites`), with their state.
 */
import { parseCommandArgs, usageError } from './args.js';
import { alignColumns } from '../format.js';
import { openExistingOrSay } from './shared.js';
import { DEFAULT_DB_PATH } from '../store/db.js';
import { SITE_STATE_ZH, sitesWithState, type SiteState } from '../crawl/sites/registry.js';
import { csvLine } from './export.js';

export const help = `Usage: nianbao sites [--db PATH] [--region CODE] [--state STATE] [--json | --csv]

The registry of government sites: every site a crawl started from (its seeds) or found with
\`nianbao crawl --follow-sites\`, one a line: host, name, 网站标识码 (10 digits, the first six the
owner's division code; bm + digits for a central department), ICP and 公安备案 numbers, the division
it is placed in (by the 标识码, else by its name through the gazetteer), the agency it belongs to, how
it was found (seed, link, directory; on which page, how many hops from its seed), its aliases (the
hosts it was linked as whose home page redirected to it: xihua.gov.cn → www.xihua.gov.cn) and its state:
  reports        reports found (how many, which years)
  column_empty   a 年报 column found, but no report in it
  no_column      its pages were read, no 年报 column found
  unreachable    its home page could not be fetched (the error is given)
  challenged     it answered with a challenge: HTTP 403, a script or cookie check, or a script
                 challenge's status (412, 521, or 202 with a small page of script) at its home page
                 or where its 年报 column was looked for
  out_of_region  placed outside --region: not read beyond its home page (or not fetched at all)
  pending        not crawled yet (queued for a later run)

Options:
  --db PATH       the database, default ${DEFAULT_DB_PATH}
  --region CODE   only sites placed within this division (410000, 411600, 411622)
  --state STATE   only sites in this state
  --json          one JSON object: { sites: [...], states: {state: count} }
  --csv           one CSV line a site, with a header
  -h, --help      show this help`;

const STATES = Object.keys(SITE_STATE_ZH) as SiteState[];

export async function run(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, {
    db: { type: 'string' },
    region: { type: 'string' },
    state: { type: 'string' },
    json: { type: 'boolean' },
    csv: { type: 'boolean' },
  }, help);
  if (!args) return 0;
  const { values } = args;
  if (values.json && values.csv) throw usageError('--json and --csv: choose one');
  if (values.region !== undefined && !/^\d{6}(\d{3})?$/.test(values.region)) throw usageError(`--region wants a division code (6 or 9 digits), not "${values.region}"`);
  if (values.state !== undefined && !STATES.includes(values.state as SiteState)) throw usageError(`--state is one of ${STATES.join(', ')}, not "${values.state}"`);
  const dbPath = values.db ?? DEFAULT_DB_PATH;
  const db = openExistingOrSay(dbPath, 'sites', undefined, '`nianbao crawl --follow-sites`');
  if (!db) return 1;
  try {
    let sites = sitesWithState(db, { region: values.region });
    if (values.state) sites = sites.filter((s) => s.state === values.state);
    const states: Record<string, number> = {};
    for (const s of sites) states[s.state] = (states[s.state] ?? 0) + 1;
    if (values.json) {
      process.stdout.write(JSON.stringify({ db: dbPath, sites, states }) + '\n');
      return 0;
    }
    const cols = ['host', 'name', 'site_code', 'icp', 'gongan', 'division_code', 'division_name', 'placed_by', 'agency', 'found_by', 'found_on', 'site_depth', 'state', 'reports', 'years', 'error', 'aliases'] as const;
    if (values.csv) {
      process.stdout.write(csvLine([...cols]));
      for (const s of sites) process.stdout.write(csvLine(cols.map((c) => (c === 'years' ? s.years.join(' ') : c === 'aliases' ? s.aliases.join(' ') : s[c]))));
      return 0;
    }
    if (!sites.length) {
      process.stdout.write('No sites in the registry (crawl with --follow-sites to find them).\n');
      return 0;
    }
    const rows = sites.map((s) => [
      s.host + (s.aliases.length ? ` (= ${s.aliases.join(', ')})` : ''),
      s.name ?? '—',
      s.site_code ?? '—',
      s.division_code ? `${s.division_name ?? ''}（${s.division_code}）` : s.division_name ?? '未定位',
      s.found_by + (s.site_depth ? ` +${s.site_depth}` : ''),
      `${SITE_STATE_ZH[s.state]} ${s.state}` + (s.reports ? ` ${s.reports}（${s.years.join('、')}）` : '') + (s.error ? `: ${s.error}` : ''),
    ]);
    process.stdout.write(alignColumns([['host', 'name', '网站标识码', 'division', 'found', 'state'], ...rows]).join('\n') + '\n');
    process.stdout.write(`\n${sites.length} site${sites.length === 1 ? '' : 's'}: ${Object.entries(states).map(([k, n]) => `${n} ${k}`).join(', ')}\n`);
    return 0;
  } finally {
    db.close();
  }
}
