/**
 * The registry of government sites (table `sites`, migration set 'sites'): every site a crawl started
 * from or discovered (`--follow-sites`), with what its footer says of it (网站标识码, ICP and 公安备案
 * numbers), the division it is placed in, how it was found, and (read from the frontier when asked)
 * its state: reports found (how many, which years), 年报 column found but empty, no 年报 column,
 * unreachable, challenged, out of region, not crawled yet.
 */
import type Database from 'better-sqlite3';
import { applyMigrations, type Migration } from '../../store/migrate.js';
import { applyCrawlMigrations } from '../schema.js';
import { readBlob } from '../../store/blobs.js';
import { CHALLENGE_STATUSES, challengeReason, MAX_CHALLENGE_BYTES } from '../challenge.js';

export const SITES_MIGRATIONS: Migration[] = [
  {
    version: 1,
    description: 'sites: the registry of government sites',
    up: `
      CREATE TABLE sites (
        host TEXT PRIMARY KEY,            -- host:port, as in frontier.host
        home_url TEXT NOT NULL,           -- the site's seed (its home page)
        name TEXT,                        -- the link's text where it was found, else the home page's <title>
        site_code TEXT,                   -- 网站标识码 from the footer: 10 digits (first six: the owner's division) or bm + digits
        icp TEXT,                         -- ICP备案 number (京ICP备05070218号)
        gongan TEXT,                      -- 公安机关备案号 (京公网安备 11010202000001号)
        division_code TEXT,               -- where the site is placed (GB/T 2260 / township code)
        division_name TEXT,               -- the division's full name (河南省周口市西华县)
        placed_by TEXT,                   -- site_code | name | seed (NULL: not placed)
        agency TEXT,                      -- the body the site belongs to, from its name (西华县人民政府)
        found_by TEXT NOT NULL,           -- seed | link (an ordinary link) | directory (a site-directory block or select menu)
        found_on TEXT,                    -- the page the link was on (NULL for a seed)
        seed_host TEXT,                   -- the host of the seed site it was reached from
        site_depth INTEGER NOT NULL DEFAULT 0,  -- hops from a seed site
        in_region INTEGER,                -- 1 within --region, 0 outside (not crawled beyond its home page), NULL: no region asked
        first_seen TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
        updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
      );
      CREATE INDEX sites_division ON sites (division_code);
    `,
  },
  {
    version: 2,
    description: 'site_aliases: other hosts of a site (its home page redirected from them)',
    up: `
      CREATE TABLE site_aliases (
        alias TEXT PRIMARY KEY,           -- host:port the site was linked as (xihua.gov.cn)
        host TEXT NOT NULL,               -- the site's host in sites (www.xihua.gov.cn), where its home page redirected
        why TEXT NOT NULL,                -- redirect: the alias's home page redirected to the site's host
        first_seen TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
      );
      CREATE INDEX site_aliases_host ON site_aliases (host);
    `,
  },
];

export function ensureSitesSchema(db: Database.Database): void {
  applyCrawlMigrations(db);
  applyMigrations(db, 'sites', SITES_MIGRATIONS);
}

export interface SiteRow {
  host: string;
  home_url: string;
  name: string | null;
  site_code: string | null;
  icp: string | null;
  gongan: string | null;
  division_code: string | null;
  division_name: string | null;
  placed_by: string | null;
  agency: string | null;
  found_by: string;
  found_on: string | null;
  seed_host: string | null;
  site_depth: number;
  in_region: number | null;
  first_seen: string;
  updated_at: string;
}

export type SiteState = 'reports' | 'column_empty' | 'no_column' | 'unreachable' | 'challenged' | 'out_of_region' | 'pending';

export const SITE_STATE_ZH: Record<SiteState, string> = {
  reports: '有年报',
  column_empty: '年报栏目为空',
  no_column: '未找到年报栏目',
  unreachable: '无法访问',
  challenged: '被验证拦截',
  out_of_region: '不在所选地区',
  pending: '尚未抓取',
};

export interface SiteWithState extends SiteRow {
  /** Other hosts of the site (linked as, then redirected to this host). */
  aliases: string[];
  state: SiteState;
  reports: number;
  years: number[];
  /** Why it is unreachable or challenged (the seed's last error). */
  error: string | null;
}

/** A site newly met: inserted once (the first finding wins); false when it was known already. */
export function addSite(
  db: Database.Database,
  s: Pick<SiteRow, 'host' | 'home_url' | 'found_by'> & Partial<Pick<SiteRow, 'name' | 'found_on' | 'seed_host' | 'site_depth' | 'division_code' | 'division_name' | 'placed_by' | 'agency' | 'in_region'>>,
): boolean {
  const r = db
    .prepare(
      `INSERT OR IGNORE INTO sites (host, home_url, name, found_by, found_on, seed_host, site_depth, division_code, division_name, placed_by, agency, in_region)
       VALUES (@host, @home_url, @name, @found_by, @found_on, @seed_host, @site_depth, @division_code, @division_name, @placed_by, @agency, @in_region)`,
    )
    .run({
      name: null,
      found_on: null,
      seed_host: null,
      site_depth: 0,
      division_code: null,
      division_name: null,
      placed_by: null,
      agency: null,
      in_region: null,
      ...s,
    });
  return r.changes > 0;
}

export function getSite(db: Database.Database, host: string): SiteRow | undefined {
  return db.prepare('SELECT * FROM sites WHERE host = ?').get(host) as SiteRow | undefined;
}

/** The site a host belongs to: itself, or the site it is an alias of (its home page redirected there). */
export function siteHostOf(db: Database.Database, host: string): string {
  const a = db.prepare('SELECT host FROM site_aliases WHERE alias = ?').get(host) as { host: string } | undefined;
  return a?.host ?? host;
}

/**
 * A site's home page redirected to another host of the same site: the site is recorded under its final
 * host (`to`, home `home`), the host it was linked as kept as an alias. When `to` is a site of the
 * registry already, the two are one: the linked row's name, finding and placement fill what the final
 * row lacks, and the linked row is removed. Aliases of the old host follow it.
 */
export function moveSite(db: Database.Database, from: string, to: string, home: string): void {
  db.transaction(() => {
    const old = getSite(db, from);
    if (!old) return;
    const target = getSite(db, to);
    if (!target) {
      db.prepare(`UPDATE sites SET host = ?, home_url = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE host = ?`).run(to, home, from);
    } else {
      const fill: Partial<SiteRow> = {};
      for (const k of ['name', 'division_code', 'division_name', 'placed_by', 'agency', 'found_on', 'seed_host', 'in_region'] as const) {
        if (target[k] === null && old[k] !== null) (fill as Record<string, unknown>)[k] = old[k];
      }
      if (old.found_by === 'seed' && target.found_by !== 'seed') Object.assign(fill, { found_by: 'seed', site_depth: 0 });
      updateSite(db, to, fill);
      db.prepare('DELETE FROM sites WHERE host = ?').run(from);
    }
    db.prepare('UPDATE site_aliases SET host = ? WHERE host = ?').run(to, from);
    db.prepare(`INSERT OR REPLACE INTO site_aliases (alias, host, why) VALUES (?, ?, 'redirect')`).run(from, to);
  })();
}

/** What a site's home page told (footer numbers, title, placement); NULL values keep what is stored. */
export function updateSite(db: Database.Database, host: string, u: Partial<Omit<SiteRow, 'host' | 'first_seen' | 'updated_at'>>): void {
  const keys = Object.keys(u).filter((k) => (u as Record<string, unknown>)[k] !== undefined);
  if (!keys.length) return;
  db.prepare(`UPDATE sites SET ${keys.map((k) => `${k} = @${k}`).join(', ')}, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE host = @host`).run({ ...u, host });
}

const CHALLENGE = /challenge|验证|captcha|403|cookie/i;

interface Answer {
  url: string;
  status: number;
  bytes: number | null;
  sha: string | null;
}

/** A challenge among a host's last answers (frontier.last_status, its body from fetch_log/blobs): its description. */
function challengeIn(db: Database.Database, answers: Answer[]): string | null {
  for (const a of answers) {
    // 412 and 521 count as they are (the crawler keeps no body of them); a 202 (an ordinary status) only
    // when its stored page is a challenge by the crawler's own test (challenge.ts)
    if (a.status === 202) {
      if (a.bytes === null || a.bytes > MAX_CHALLENGE_BYTES) continue;
      const body = a.sha ? readBlob(db, a.sha) : undefined;
      if (body ? challengeReason(a.status, body) === null : a.bytes > 4096) continue;
    }
    return `HTTP ${a.status}: a script challenge (${a.url})`;
  }
  return null;
}

/**
 * Every site with its state, read from the frontier: its reports (frontier rows of the host with a
 * report id, and those reports' years), whether a list page (a 年报 column) was found, and whether
 * its home page could be fetched.
 */
export function sitesWithState(db: Database.Database, opts: { region?: string } = {}): SiteWithState[] {
  // a reader: a database no crawl wrote to has no registry (and gets no crawl tables from here)
  const has = (name: string) => (db.prepare(`SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = ?`).get(name) as { n: number }).n > 0;
  if (!has('sites') || !has('frontier')) return [];
  const hasReports = (db.prepare(`SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'reports'`).get() as { n: number }).n > 0;
  const rows = db.prepare('SELECT * FROM sites ORDER BY division_code IS NULL, division_code, host').all() as SiteRow[];
  const reportsOf = db.prepare(
    hasReports
      ? `SELECT COUNT(DISTINCT f.report_id) AS n, group_concat(DISTINCT r.year) AS years
           FROM frontier f LEFT JOIN reports r ON r.id = f.report_id WHERE f.host = ? AND f.url LIKE ? ESCAPE '\\' AND f.report_id IS NOT NULL`
      : `SELECT COUNT(DISTINCT report_id) AS n, NULL AS years FROM frontier WHERE host = ? AND url LIKE ? ESCAPE '\\' AND report_id IS NOT NULL`,
  );
  const seedOf = db.prepare(`SELECT state, last_status, last_error FROM frontier WHERE url = ?`);
  const columnOf = db.prepare(
    `SELECT COUNT(*) AS n FROM frontier WHERE host = ? AND url LIKE ? ESCAPE '\\' AND url <> ? AND state = 'done' AND role = 'list'
       AND (kind_hint IN ('list', 'api') OR url LIKE '%nb%' OR url LIKE '%ndbg%')`,
  );
  // each URL's last answer when it was a challenge status, the home page first
  const answersOf = db.prepare(
    `SELECT f.url, f.last_status AS status, l.bytes, COALESCE(l.sha256, f.content_sha256) AS sha
       FROM frontier f LEFT JOIN fetch_log l ON l.id = (SELECT MAX(id) FROM fetch_log WHERE url = f.url)
      WHERE f.host = ? AND f.url LIKE ? ESCAPE '\\' AND f.last_status IN (${[...CHALLENGE_STATUSES].join(', ')}) ORDER BY f.url = ? DESC, f.url LIMIT 20`,
  );
  const hasAliases = has('site_aliases');
  const aliasesOf = hasAliases ? db.prepare('SELECT alias FROM site_aliases WHERE host = ? ORDER BY alias') : null;
  const failedHost = db.prepare(`SELECT COUNT(*) AS n FROM frontier WHERE host = ? AND url LIKE ? ESCAPE '\\' AND state = 'failed'`);
  const anyQueued = db.prepare(`SELECT COUNT(*) AS n FROM frontier WHERE host = ? AND url LIKE ? ESCAPE '\\' AND state IN ('queued', 'claimed', 'fetching')`);
  const out: SiteWithState[] = [];
  const prefix = opts.region ? regionPrefix(opts.region) : null;
  for (const s of rows) {
    if (prefix !== null && !(s.division_code ?? '').startsWith(prefix)) continue;
    // a site of a site group (host/xihua): the frontier rows of its host under its path
    const at = siteUrls(s);
    const rep = reportsOf.get(...at) as { n: number; years: string | null };
    const years = (rep.years ?? '')
      .split(',')
      .filter((y) => /^\d{4}$/.test(y))
      .map(Number)
      .sort((a, b) => a - b);
    const seed = seedOf.get(s.home_url) as { state: string; last_status: number | null; last_error: string | null } | undefined;
    let state: SiteState;
    let error: string | null = null;
    if (rep.n > 0) state = 'reports';
    else if (s.in_region === 0) state = 'out_of_region';
    else if (!seed || seed.state === 'queued' || seed.state === 'claimed' || seed.state === 'fetching') {
      state = (anyQueued.get(...at) as { n: number }).n > 0 || !seed ? 'pending' : 'pending';
    } else if (seed.state === 'failed' || seed.state === 'blocked') {
      error = seed.last_error;
      state = seed.last_status === 403 || (seed.last_error && /challenge|验证|captcha/i.test(seed.last_error)) ? 'challenged' : 'unreachable';
    } else if ((columnOf.get(...at, s.home_url) as { n: number }).n > 0) state = 'column_empty';
    else state = 'no_column';
    if (state === 'no_column' && (failedHost.get(...at) as { n: number }).n > 0) {
      const e = db.prepare(`SELECT last_error FROM frontier WHERE host = ? AND url LIKE ? ESCAPE '\\' AND state = 'failed' LIMIT 1`).get(...at) as { last_error: string | null };
      if (e.last_error && CHALLENGE.test(e.last_error) && /challenge|验证|captcha/i.test(e.last_error)) {
        state = 'challenged';
        error = e.last_error;
      }
    }
    if (state !== 'reports' && state !== 'out_of_region' && state !== 'pending' && state !== 'challenged') {
      // answered with a script challenge: at its home page (whatever came of it), or where its 年报 column was looked for
      const answers = answersOf.all(...at, s.home_url) as Answer[];
      const home = answers.filter((a) => a.url === s.home_url);
      const why = challengeIn(db, state === 'unreachable' ? home : answers);
      if (why) {
        state = 'challenged';
        error = why;
      }
    }
    const aliases = aliasesOf ? (aliasesOf.all(s.host) as { alias: string }[]).map((a) => a.alias) : [];
    out.push({ ...s, aliases, state, reports: rep.n, years, error });
  }
  return out;
}

/** A site's frontier rows: its host, and (a site of a site group, keyed host/path) the URLs under its path. */
function siteUrls(s: Pick<SiteRow, 'host' | 'home_url'>): [string, string] {
  const i = s.host.indexOf('/');
  if (i < 0) return [s.host, '%'];
  const prefix = new URL(s.home_url).origin + '/' + s.host.slice(i + 1) + '/';
  return [s.host.slice(0, i), prefix.replace(/[\\%_]/g, (c) => '\\' + c) + '%'];
}

/** The digits a division code shares with the divisions inside it (320000 → 32, 320800 → 3208). */
export function regionPrefix(code: string): string {
  const c = code.trim();
  if (/^\d{6}$/.test(c)) return c.endsWith('0000') ? c.slice(0, 2) : c.endsWith('00') ? c.slice(0, 4) : c;
  return c;
}
