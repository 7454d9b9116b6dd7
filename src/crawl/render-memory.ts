/**
 * Rendering decided by comparison, and remembered. A list page that rendering might change (see
 * renderCandidate in render-decide.ts) is rendered once; its rendered links are compared with the
 * static ones. Where rendering brought report links, attachments or pages of the list the static
 * HTML lacks (or turned the page into a report), pages of the same template on that host are
 * rendered from then on; where it brought nothing, they are not rendered again. The verdict is kept
 * per host and template in the crawl table `render_memory`, so a resumed crawl keeps it.
 * Knows nothing of the browser or the frontier: links in, a verdict out.
 */
import type Database from 'better-sqlite3';
import { hashRoute, type FoundLink, type PageLinks } from './discover.js';

export type RenderVerdict = 'render' | 'static';

/**
 * A page's template: its path with every run of digits as `{n}`, then the names (not the values) of
 * its query's parameters, sorted. `/col/col1234/index_3.html?page=2` → `/col/col{n}/index_{n}.html?page`.
 * A hash route is part of it (`/#/detail/12` → `/#/detail/{n}`).
 */
export function pageTemplate(url: string | URL): string {
  const u = typeof url === 'string' ? new URL(url) : url;
  const path = u.pathname.replace(/\d+/g, '{n}');
  const names = [...new Set([...u.searchParams.keys()])].sort();
  const hash = hashRoute(u).split('?')[0]!.replace(/\d+/g, '{n}');
  return path + (names.length ? '?' + names.join('&') : '') + hash;
}

/** The links that say what a list page holds: reports, attachments, and pages of the list. */
function telling(links: FoundLink[]): Set<string> {
  return new Set(links.filter((l) => l.kind === 'report' || l.kind === 'attachment' || l.kind === 'list' || l.kind === 'api').map((l) => `${l.kind} ${l.url}`));
}

export interface Comparison {
  verdict: RenderVerdict;
  reason: string;
  staticLinks: number;
  renderedLinks: number;
  /** Links rendering brought that the static HTML lacks. */
  gained: number;
}

/** Rendered links against static ones: does rendering this page bring what the static HTML lacks? */
export function compareRendered(staticPage: PageLinks, rendered: PageLinks): Comparison {
  const before = telling(staticPage.links);
  const after = telling(rendered.links);
  let gained = 0;
  const kinds = new Map<string, number>();
  for (const k of after) {
    if (before.has(k)) continue;
    gained++;
    const kind = k.slice(0, k.indexOf(' '));
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  const base = { staticLinks: before.size, renderedLinks: after.size, gained };
  if (staticPage.role !== rendered.role && rendered.role !== 'list') {
    return { ...base, verdict: 'render', reason: `rendering makes the page a ${rendered.role}` };
  }
  if (gained > 0) {
    const what = [...kinds].map(([k, n]) => `${n} ${k}`).join(', ');
    return { ...base, verdict: 'render', reason: `rendering brought ${what} link(s) the static HTML lacks` };
  }
  return { ...base, verdict: 'static', reason: `rendering brought nothing new (${before.size} link(s) either way)` };
}

/** The verdicts per host and template, read from and written to `render_memory` (cached in memory). */
export class RenderMemory {
  private cache = new Map<string, RenderVerdict | null>();
  private readonly getStmt: Database.Statement;
  private readonly putStmt: Database.Statement;

  constructor(db: Database.Database) {
    this.getStmt = db.prepare('SELECT verdict FROM render_memory WHERE host = ? AND template = ?');
    // 'render' wins: a template once seen to need the browser keeps it
    this.putStmt = db.prepare(
      `INSERT INTO render_memory (host, template, verdict, reason, sample_url, static_links, rendered_links)
       VALUES (@host, @template, @verdict, @reason, @url, @staticLinks, @renderedLinks)
       ON CONFLICT (host, template) DO UPDATE SET verdict = excluded.verdict, reason = excluded.reason,
         sample_url = excluded.sample_url, static_links = excluded.static_links, rendered_links = excluded.rendered_links,
         decided_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')
       WHERE render_memory.verdict <> 'render'`,
    );
  }

  get(host: string, template: string): RenderVerdict | undefined {
    const key = `${host} ${template}`;
    if (!this.cache.has(key)) {
      const row = this.getStmt.get(host, template) as { verdict: RenderVerdict } | undefined;
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(key, row?.verdict ?? null);
    }
    return this.cache.get(key) ?? undefined;
  }

  record(host: string, template: string, url: string, c: Comparison): void {
    this.putStmt.run({ host, template, url, verdict: c.verdict, reason: c.reason, staticLinks: c.staticLinks, renderedLinks: c.renderedLinks });
    this.cache.delete(`${host} ${template}`);
  }
}
