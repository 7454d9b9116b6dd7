/**
 * The crawler's tables, in their own migration set 'crawl' (the store owns 'core').
 * The frontier lives here, not in memory: a crawl can be killed at any moment and resumed.
 * Raw bodies go to the core `blobs` table (content-addressed by sha256).
 */
import type Database from 'better-sqlite3';
import { applyMigrations, type Migration } from '../store/migrate.js';

export const CRAWL_MIGRATIONS: Migration[] = [
  {
    version: 1,
    description: 'frontier, fetch_log, hosts',
    up: `
      CREATE TABLE frontier (
        url TEXT PRIMARY KEY,
        host TEXT NOT NULL,             -- host:port, the politeness unit
        state TEXT NOT NULL DEFAULT 'queued',  -- queued | claimed | fetching | done | failed | blocked
        depth INTEGER NOT NULL DEFAULT 0,
        priority INTEGER NOT NULL DEFAULT 0,   -- higher first: attachments and reports before list pages
        kind_hint TEXT,                 -- seed | report | attachment | list | hub | redirect
        tries INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL DEFAULT 0, -- ms since epoch
        last_status INTEGER,
        last_error TEXT,
        etag TEXT,
        last_modified TEXT,
        content_sha256 TEXT,
        content_type TEXT,
        final_url TEXT,
        role TEXT,                      -- what the document turned out to be: report | wrapper | list | not_report | redirect
        report_id INTEGER,
        discovered_from TEXT,
        added_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
        fetched_at TEXT
      );
      -- one index serves the per-host batch pull in its ORDER BY (no sort), and the host lists
      CREATE INDEX frontier_due ON frontier (host, state, priority DESC, depth, next_attempt_at);

      CREATE TABLE fetch_log (
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL,
        final_url TEXT,
        status INTEGER,
        headers_json TEXT,
        redirects_json TEXT,
        started_at TEXT NOT NULL,
        ms INTEGER,
        bytes INTEGER,
        sha256 TEXT,
        error TEXT,
        attempt INTEGER
      );
      CREATE INDEX fetch_log_url ON fetch_log (url);

      CREATE TABLE hosts (
        host TEXT PRIMARY KEY,
        robots_txt TEXT,
        robots_status INTEGER,
        robots_fetched_at INTEGER,
        crawl_delay REAL,
        failures INTEGER NOT NULL DEFAULT 0,
        set_aside_until INTEGER NOT NULL DEFAULT 0,
        set_aside_count INTEGER NOT NULL DEFAULT 0,
        avg_response_ms REAL
      );
    `,
  },
  {
    version: 2,
    description: 'POST requests in the frontier, seed labels, page resources',
    up: `
      -- a POST (a CMS list API such as Hanweb's dataproxy.jsp) is one frontier row like a GET: its key
      -- (the url column) is 'URL#POST:BODY', so the frontier deduplicates by method + URL + body
      ALTER TABLE frontier ADD COLUMN method TEXT NOT NULL DEFAULT 'GET';
      ALTER TABLE frontier ADD COLUMN body TEXT;
      -- what a list-API row is (JSON: platform and paging), to read its answer and ask for the next pages
      ALTER TABLE frontier ADD COLUMN api TEXT;
      -- the label of the seed the URL was reached from (seeds file: URL, then a label)
      ALTER TABLE frontier ADD COLUMN seed_label TEXT;

      CREATE TABLE seed_labels (
        sha256 TEXT NOT NULL,
        label TEXT NOT NULL,
        PRIMARY KEY (sha256, label)
      );

      -- the images of a report page whose tables are pictures (bytes in blobs)
      CREATE TABLE page_resources (
        page_sha256 TEXT NOT NULL,
        url TEXT NOT NULL,
        resource_sha256 TEXT NOT NULL,
        PRIMARY KEY (page_sha256, url)
      );
    `,
  },
  {
    version: 3,
    description: 'rendering decided per host and page template',
    up: `
      -- whether pages of this template on this host are rendered in the browser: decided once by
      -- rendering one and comparing its links with the static HTML's (src/crawl/render-memory.ts)
      CREATE TABLE render_memory (
        host TEXT NOT NULL,
        template TEXT NOT NULL,         -- the path with its numbers as {n}, then the query's names
        verdict TEXT NOT NULL,          -- render | static
        reason TEXT NOT NULL,
        sample_url TEXT NOT NULL,       -- the page rendered to decide
        static_links INTEGER NOT NULL,  -- report, attachment and pager links in its static HTML
        rendered_links INTEGER NOT NULL,-- … and after rendering
        decided_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
        PRIMARY KEY (host, template)
      );
    `,
  },
  {
    version: 4,
    description: 'what rendering did, per fetched page, in fetch_log; per seed in a view',
    up: `
      -- on the fetch_log row of a page rendered in the browser (NULL on every other row): the seed it
      -- was reached from (its label, else the host), the rendered page's role, the interactions that
      -- grew its list (pager, 加载更多, scroll), and the report links it showed after rendering
      ALTER TABLE fetch_log ADD COLUMN render_seed TEXT;
      ALTER TABLE fetch_log ADD COLUMN render_role TEXT;          -- list | report | wrapper
      ALTER TABLE fetch_log ADD COLUMN render_clicks INTEGER;
      ALTER TABLE fetch_log ADD COLUMN render_report_links INTEGER;
      -- the crawl summary's renderedBySeed, over every run the database holds: list pages rendered,
      -- those that grew by interaction, those still without a report link after rendering
      CREATE VIEW render_by_seed AS
        SELECT render_seed AS seed,
               COUNT(*) AS rendered,
               SUM(render_clicks > 0) AS interacted,
               SUM(render_report_links = 0) AS empty_after_render
          FROM fetch_log WHERE render_role = 'list' GROUP BY render_seed;
    `,
  },
];

export function applyCrawlMigrations(db: Database.Database): void {
  applyMigrations(db, 'crawl', CRAWL_MIGRATIONS);
}
