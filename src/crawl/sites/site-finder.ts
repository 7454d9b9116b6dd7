/**
 * `crawl --follow-sites`: the crawler hands every HTML page it reads to SiteFinder.onPage, which
 * records the page's own site in the registry (footer numbers, placement), turns the government
 * sites the page links to into seeds of their own (bounded by --max-sites and --site-depth; with
 * --region, only sites placed within it), and adds the page's same-host site directories to the
 * links followed. A site placed outside the region is not fetched (placed by its link's text) or not
 * read beyond its home page (placed by its 网站标识码). Each new seed goes through the crawler's
 * ordinary machinery: its own host's politeness and robots.txt.
 */
import type Database from 'better-sqlite3';
import type { FoundLink, PageLinks } from '../discover.js';
import type { FrontierRow } from '../frontier.js';
import { gazetteer, fullName, type Division } from '../../places/gazetteer.js';
import { resolvePlace } from '../../places/resolve.js';
import { discoverSites, isGovHost, NOT_A_SITE, siteIdentity } from './discover-sites.js';
import { addSite, ensureSitesSchema, getSite, moveSite, regionPrefix, siteHostOf, updateSite } from './registry.js';
import { siteDomain } from '../scope.js';

export interface SiteOptions {
  /** Sites discovered (seeds not counted) at most, across runs on the database. */
  maxSites: number;
  /** Hops from a seed site at most. */
  siteDepth: number;
  /** Keep only sites placed within this division (GB/T 2260 code). */
  region?: string;
}

export const SITE_DEFAULTS: SiteOptions = { maxSites: 1000, siteDepth: 2 };

export interface Placement {
  division_code: string | null;
  division_name: string | null;
  placed_by: 'site_code' | 'name' | null;
  agency: string | null;
}

const NONE: Placement = { division_code: null, division_name: null, placed_by: null, agency: null };

/** The division a site belongs to: by its 网站标识码's first six digits, else by its name (gazetteer). */
export function placeSite(name: string | null, siteCode: string | null): Placement {
  const agency = name && /政府|局|委员会|委|办|厅|中心|街道|镇|乡|区|县|市|省/u.test(name) ? name.replace(/(门户)?网站$|[网網]$/u, '').replace(/\s+/g, '') : null;
  if (siteCode && /^\d{10}$/.test(siteCode)) {
    const d: Division | undefined = gazetteer().byCode.get(siteCode.slice(0, 6));
    if (d && d.level !== 'zone') return { division_code: d.code, division_name: fullName(d), placed_by: 'site_code', agency };
  }
  if (siteCode && /^bm/.test(siteCode)) return { division_code: null, division_name: '中央部门', placed_by: 'site_code', agency };
  if (agency) {
    const p = resolvePlace({ agency });
    if (p.status === 'resolved' && p.division_code) {
      const names = [p.province, p.city, p.county, p.township].filter(Boolean).join('');
      return { division_code: p.division_code, division_name: names, placed_by: 'name', agency };
    }
  }
  return { ...NONE, agency };
}

interface Known {
  depth: number;
  inRegion: number | null;
  home: string;
  read: boolean;
}

export class SiteFinder {
  private known = new Map<string, Known>();
  private discovered: number;
  private limitSaid = false;
  private readonly prefix: string | null;

  constructor(
    private db: Database.Database,
    private o: SiteOptions,
    seeds: string[],
    /** Adds a site's home page as a seed (scope, frontier, wake). */
    private addSeed: (url: string, label: string | null, from: string) => void,
    private warn: (message: string) => void = () => {},
  ) {
    ensureSitesSchema(db);
    this.prefix = o.region ? regionPrefix(o.region) : null;
    for (const s of seeds) {
      const u = new URL(s);
      addSite(db, { host: u.host, home_url: u.href, found_by: 'seed', seed_host: u.host, site_depth: 0 });
    }
    this.discovered = (db.prepare(`SELECT COUNT(*) AS n FROM sites WHERE found_by <> 'seed'`).get() as { n: number }).n;
  }

  private inRegion(code: string | null): number | null {
    if (this.prefix === null) return null;
    if (code === null) return null;
    return code.startsWith(this.prefix) ? 1 : 0;
  }

  private site(host: string): Known | null {
    const k = this.known.get(host);
    if (k) return k;
    const row = getSite(this.db, siteHostOf(this.db, host));
    if (!row) return null;
    const v = { depth: row.site_depth, inRegion: row.in_region, home: row.home_url, read: row.site_code !== null || row.icp !== null };
    this.known.set(host, v);
    return v;
  }

  /**
   * A site's home page answered with a redirect to another host (`xihua.gov.cn` → `www.xihua.gov.cn`,
   * another port or scheme of the same name): when the target is a government host of the same site —
   * the same registrable name (siteDomain), or a host no other site of the registry holds — the site
   * is recorded under the target host (the linked host kept as its alias) and the target becomes the
   * site's seed, fetched under its own host's politeness and robots.txt. True when so; false leaves the
   * redirect to the crawl's scope (a non-government host is never followed from here).
   */
  onRedirect(row: Pick<FrontierRow, 'url' | 'host' | 'seed_label' | 'kind_hint'>, to: URL): boolean {
    if (to.host === row.host || !isGovHost(to.hostname) || NOT_A_SITE.test(to.hostname)) return false;
    if (to.protocol !== 'http:' && to.protocol !== 'https:') return false;
    const from = this.site(row.host);
    if (!from || (row.kind_hint !== 'seed' && row.url !== from.home)) return false;
    const fromHost = siteHostOf(this.db, row.host);
    const same = siteDomain(new URL(row.url).hostname) === siteDomain(to.hostname);
    const targetHost = siteHostOf(this.db, to.host);
    const target = getSite(this.db, targetHost);
    if (target && !same) return false; // another site's host: not this site's
    if (target && targetHost === fromHost) return false;
    const home = new URL(to.href);
    home.hash = '';
    moveSite(this.db, fromHost, targetHost, target ? target.home_url : home.href);
    this.known.delete(fromHost);
    this.known.delete(row.host);
    this.known.delete(targetHost);
    const moved = this.site(targetHost)!;
    // the target, met first now: the site's seed (a known target was seeded when it was met)
    if (!target && moved.inRegion !== 0) this.addSeed(home.href, row.seed_label, row.url);
    return true;
  }

  /**
   * Reads a page for sites; returns the page with what to follow: no links for a site outside the
   * region, the site directories added for the others.
   */
  /** The site key of a URL: a path site of its host (host/xihua) whose path holds it, else the host. */
  private keyOf(url: string, host: string): string {
    let paths = this.pathSites.get(host);
    if (!paths) {
      const like = host.replace(/[\\%_]/g, (c) => '\\' + c) + '/%';
      paths = (this.db.prepare(`SELECT host FROM sites WHERE host LIKE ? ESCAPE '\\'`).all(like) as { host: string }[]).map((r) => r.host.slice(host.length + 1));
      this.pathSites.set(host, paths);
    }
    if (!paths.length) return host;
    const path = new URL(url).pathname;
    const p = paths.find((x) => path === `/${x}` || path.startsWith(`/${x}/`));
    return p ? `${host}/${p}` : host;
  }

  private pathSites = new Map<string, string[]>();

  onPage(row0: Pick<FrontierRow, 'url' | 'host' | 'seed_label' | 'kind_hint'>, finalUrl: string, html: string, page: PageLinks): PageLinks {
    // a site of a site group is keyed host/path: the page belongs to the one whose path holds it
    const row = { ...row0, host: this.keyOf(finalUrl, row0.host) };
    let site = this.site(row.host);
    if (!site) {
      // a host reached by a redirect or the scope of an earlier run: a site of its own, found by link
      addSite(this.db, { host: row.host, home_url: new URL('/', finalUrl).href, found_by: 'link', found_on: row.url, site_depth: 0 });
      site = this.site(row.host)!;
    }
    if (site.inRegion === 0) return { ...page, links: [], allLinks: [] };
    const found = discoverSites(html, finalUrl);
    if (row.url === site.home || row.kind_hint === 'seed' || !site.read) {
      // the site's own words: footer numbers, title; placed by its 标识码 (else its name)
      const id = found.identity.siteCode || found.identity.icp ? found.identity : siteIdentity(html);
      const stored = getSite(this.db, row.host)!;
      const name = stored.name ?? id.title;
      const place = id.siteCode ? placeSite(name, id.siteCode) : stored.division_code ? null : placeSite(name, null);
      const inRegion = place ? this.inRegion(place.division_code) : stored.in_region;
      updateSite(this.db, row.host, {
        name: name ?? undefined,
        site_code: id.siteCode ?? undefined,
        icp: id.icp ?? undefined,
        gongan: id.gongan ?? undefined,
        ...(place && place.placed_by ? { division_code: place.division_code, division_name: place.division_name, placed_by: place.placed_by, agency: place.agency ?? stored.agency } : {}),
        ...(place && !place.placed_by && place.agency && !stored.agency ? { agency: place.agency } : {}),
        in_region: inRegion ?? undefined,
      });
      site.read = true;
      site.inRegion = inRegion ?? site.inRegion;
      if (site.inRegion === 0) return { ...page, links: [], allLinks: [] };
      // what is found on the site carries its division as a label (it helps place its reports)
      const label = place?.division_name && place.division_code ? place.division_name : null;
      if (label && !row.seed_label) {
        (row0 as { seed_label: string | null }).seed_label = label;
        row.seed_label = label;
        this.db.prepare(`UPDATE frontier SET seed_label = ? WHERE url = ? AND seed_label IS NULL`).run(label, row.url);
      }
    }
    if (site.depth < this.o.siteDepth) {
      for (const s of found.sites) {
        if (this.site(s.host)) continue;
        if (this.discovered >= this.o.maxSites) {
          if (!this.limitSaid) {
            this.limitSaid = true;
            this.warn(`--max-sites ${this.o.maxSites} reached: later sites are not followed`);
          }
          break;
        }
        const place = placeSite(s.text || null, null);
        const inRegion = this.inRegion(place.division_code);
        addSite(this.db, {
          host: s.host,
          home_url: s.home,
          name: s.text || null,
          found_by: s.foundBy,
          found_on: finalUrl,
          seed_host: (getSite(this.db, row.host)?.seed_host ?? row.host),
          site_depth: site.depth + 1,
          ...(place.placed_by ? { division_code: place.division_code, division_name: place.division_name, placed_by: place.placed_by } : {}),
          agency: place.agency,
          in_region: inRegion,
        });
        this.discovered++;
        this.known.set(s.host, { depth: site.depth + 1, inRegion, home: s.home, read: false });
        if (s.host.includes('/')) this.pathSites.delete(s.host.slice(0, s.host.indexOf('/')));
        // placed outside the region by its name: not fetched at all
        if (inRegion !== 0) this.addSeed(s.home, place.division_code ? place.division_name : null, finalUrl);
      }
    }
    if (page.role === 'report' || found.directories.length === 0) return page;
    const known = new Set(page.links.map((l) => l.url));
    const extra: FoundLink[] = found.directories.filter((d) => !known.has(d.url)).map((d) => ({ url: d.url, kind: 'hub', text: d.text }));
    return { ...page, links: [...page.links, ...extra] };
  }
}
