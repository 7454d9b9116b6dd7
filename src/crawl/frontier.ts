/**
 * The frontier and the crawl's bookkeeping in SQLite. Every change is a small transaction of its own
 * (or part of the one that records a finished fetch), so a crash at any moment leaves a consistent
 * frontier: rows a dead run left 'claimed' or 'fetching' go back to 'queued' when the next run opens
 * it (see recover()).
 * Nothing here holds more than a batch of rows in memory.
 */
import type Database from 'better-sqlite3';
import { applyCrawlMigrations } from './schema.js';

export type FrontierState = 'queued' | 'claimed' | 'fetching' | 'done' | 'failed' | 'blocked';
export type KindHint = 'seed' | 'report' | 'attachment' | 'list' | 'hub' | 'redirect' | 'api' | 'sitemap';

export interface FrontierRow {
  url: string;
  host: string;
  state: FrontierState;
  depth: number;
  priority: number;
  kind_hint: KindHint | null;
  tries: number;
  next_attempt_at: number;
  etag: string | null;
  last_modified: string | null;
  content_sha256: string | null;
  role: string | null;
  method: string;
  /** The form body of a POST. */
  body: string | null;
  /** A list-API row: what it is (JSON, see src/crawl/cms/). */
  api: string | null;
  seed_label: string | null;
}

export interface NewUrl {
  url: string;
  host: string;
  depth: number;
  priority: number;
  kindHint: KindHint;
  from: string | null;
  method?: 'GET' | 'POST';
  body?: string | null;
  api?: string | null;
  seedLabel?: string | null;
}

const POST_MARK = '#POST:';

/**
 * The frontier key of a request: the URL for a GET; `URL#POST:BODY` for a POST (a fragment never
 * reaches a server and discovered URLs carry none, so the two cannot meet).
 */
export function requestKey(url: string, method: 'GET' | 'POST' = 'GET', body?: string | null): string {
  return method === 'POST' ? `${url}${POST_MARK}${body ?? ''}` : url;
}

/** The URL to request for a frontier row. */
export function requestUrl(row: Pick<FrontierRow, 'url' | 'method'>): string {
  const i = row.method === 'POST' ? row.url.indexOf(POST_MARK) : -1;
  return i < 0 ? row.url : row.url.slice(0, i);
}

export interface FetchLogEntry {
  url: string;
  finalUrl: string | null;
  status: number | null;
  headers: Record<string, string>;
  redirects: unknown[];
  startedAt: string;
  ms: number;
  bytes: number;
  sha256: string | null;
  error: string | null;
  attempt: number;
  /** A page rendered in the browser: what rendering did (render-step.ts PageRender). */
  render?: { seed: string; role: string; clicks: number; reportLinks: number } | null;
}

export interface HostRow {
  host: string;
  robots_txt: string | null;
  robots_status: number | null;
  robots_fetched_at: number | null;
  crawl_delay: number | null;
  failures: number;
  set_aside_until: number;
  set_aside_count: number;
  avg_response_ms: number | null;
}

export interface Done {
  state: 'done' | 'failed' | 'blocked';
  status?: number | null;
  error?: string | null;
  etag?: string | null;
  lastModified?: string | null;
  sha256?: string | null;
  contentType?: string | null;
  finalUrl?: string | null;
  role?: string | null;
  reportId?: number | null;
  tries?: number;
}

const COLS =
  'url, host, state, depth, priority, kind_hint, tries, next_attempt_at, etag, last_modified, content_sha256, role, method, body, api, seed_label';

export class Frontier {
  private s;

  constructor(readonly db: Database.Database) {
    applyCrawlMigrations(db);
    this.s = {
      add: db.prepare(
        `INSERT OR IGNORE INTO frontier (url, host, depth, priority, kind_hint, discovered_from, method, body, api, seed_label)
         VALUES (@key, @host, @depth, @priority, @kindHint, @from, @method, @body, @api, @seedLabel)`,
      ),
      label: db.prepare(`UPDATE frontier SET seed_label = ? WHERE url = ? AND seed_label IS NULL`),
      storeLabel: db.prepare(`INSERT OR IGNORE INTO seed_labels (sha256, label) VALUES (?, ?)`,
      ),
      due: db.prepare(
        `SELECT ${COLS} FROM frontier
          WHERE host = ? AND state = 'queued' AND next_attempt_at <= ?
          ORDER BY priority DESC, depth, next_attempt_at, rowid LIMIT ?`,
      ),
      nextDue: db.prepare(`SELECT MIN(next_attempt_at) AS t FROM frontier WHERE host = ? AND state = 'queued'`),
      claim: db.prepare(`UPDATE frontier SET state = 'claimed' WHERE url = ? AND state = 'queued'`),
      start: db.prepare(`UPDATE frontier SET state = 'fetching' WHERE url = ? AND state = 'claimed'`),
      unclaim: db.prepare(`UPDATE frontier SET state = 'queued' WHERE url = ? AND state IN ('claimed', 'fetching')`),
      finish: db.prepare(
        `UPDATE frontier SET state = @state, last_status = @status, last_error = @error,
           etag = COALESCE(@etag, etag), last_modified = COALESCE(@lastModified, last_modified),
           content_sha256 = COALESCE(@sha256, content_sha256), content_type = COALESCE(@contentType, content_type),
           final_url = @finalUrl, role = COALESCE(@role, role), report_id = COALESCE(@reportId, report_id),
           tries = COALESCE(@tries, tries),
           fetched_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')
         WHERE url = @url`,
      ),
      retry: db.prepare(
        `UPDATE frontier SET state = 'queued', tries = @tries, next_attempt_at = @at, last_status = @status,
           last_error = @error, fetched_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')
         WHERE url = @url`,
      ),
      postponeHost: db.prepare(
        `UPDATE frontier SET next_attempt_at = MAX(next_attempt_at, ?) WHERE host = ? AND state = 'queued'`,
      ),
      log: db.prepare(
        `INSERT INTO fetch_log (url, final_url, status, headers_json, redirects_json, started_at, ms, bytes, sha256, error, attempt,
           render_seed, render_role, render_clicks, render_report_links)
         VALUES (@url, @finalUrl, @status, @headers, @redirects, @startedAt, @ms, @bytes, @sha256, @error, @attempt,
           @renderSeed, @renderRole, @renderClicks, @renderReportLinks)`,
      ),
      host: db.prepare(`SELECT * FROM hosts WHERE host = ?`),
      upsertHost: db.prepare(
        `INSERT INTO hosts (host, failures, set_aside_until, set_aside_count, avg_response_ms)
         VALUES (@host, @failures, @set_aside_until, @set_aside_count, @avg_response_ms)
         ON CONFLICT(host) DO UPDATE SET failures = excluded.failures, set_aside_until = excluded.set_aside_until,
           set_aside_count = excluded.set_aside_count, avg_response_ms = excluded.avg_response_ms`,
      ),
      saveRobots: db.prepare(
        `INSERT INTO hosts (host, robots_txt, robots_status, robots_fetched_at, crawl_delay)
         VALUES (@host, @text, @status, @at, @delay)
         ON CONFLICT(host) DO UPDATE SET robots_txt = excluded.robots_txt, robots_status = excluded.robots_status,
           robots_fetched_at = excluded.robots_fetched_at, crawl_delay = excluded.crawl_delay`,
      ),
      counts: db.prepare(`SELECT state, COUNT(*) AS n FROM frontier GROUP BY state`),
      queuedHosts: db.prepare(`SELECT DISTINCT host FROM frontier WHERE state = 'queued'`),
      get: db.prepare(`SELECT ${COLS} FROM frontier WHERE url = ?`),
      anyUrl: db.prepare(`SELECT url FROM frontier WHERE host = ? LIMIT 1`),
    };
  }

  /**
   * Crash recovery, at the start of a run. URLs a dead run had only claimed go back to the queue as
   * they were; a URL it was fetching or handling counts as a try (so a document that kills the
   * process cannot stop every later run), and fails once it has used up its tries.
   */
  recover(maxTries: number): { requeued: number; failed: number } {
    return this.db.transaction(() => {
      const claimed = this.db.prepare(`UPDATE frontier SET state = 'queued' WHERE state = 'claimed'`).run().changes;
      const failed = this.db
        .prepare(
          `UPDATE frontier SET state = 'failed', tries = tries + 1,
             last_error = 'the crawler stopped (crash or kill) while handling this URL, ' || (tries + 1) || ' times'
           WHERE state = 'fetching' AND tries + 1 >= ?`,
        )
        .run(maxTries).changes;
      const fetching = this.db
        .prepare(`UPDATE frontier SET state = 'queued', tries = tries + 1 WHERE state = 'fetching'`)
        .run().changes;
      return { requeued: claimed + fetching, failed };
    })();
  }

  /** Queue again every finished URL (fetched again with conditional requests). */
  requeueDone(): number {
    return this.db
      .prepare(`UPDATE frontier SET state = 'queued', tries = 0, next_attempt_at = 0 WHERE state = 'done'`)
      .run().changes;
  }

  /** Give failed URLs a fresh set of tries. */
  requeueFailed(): number {
    return this.db
      .prepare(`UPDATE frontier SET state = 'queued', tries = 0, next_attempt_at = 0 WHERE state = 'failed'`)
      .run().changes;
  }

  /** Adds a URL unless it is known already; true when it is new. */
  add(u: NewUrl): boolean {
    const method = u.method ?? 'GET';
    const key = requestKey(u.url, method, u.body);
    const added =
      this.s.add.run({
        key,
        host: u.host,
        depth: u.depth,
        priority: u.priority,
        kindHint: u.kindHint,
        from: u.from,
        method,
        body: u.body ?? null,
        api: u.api ?? null,
        seedLabel: u.seedLabel ?? null,
      }).changes > 0;
    // a seed given again with a label (or a URL first reached without one) takes the label
    if (!added && u.seedLabel) this.s.label.run(u.seedLabel, key);
    return added;
  }

  /** The seed label of a stored document (crawl-set table seed_labels). */
  storeSeedLabel(sha256: string, label: string | null): void {
    if (label) this.s.storeLabel.run(sha256, label);
  }

  get(url: string): FrontierRow | undefined {
    return this.s.get.get(url) as FrontierRow | undefined;
  }

  due(host: string, now: number, limit: number): FrontierRow[] {
    return this.s.due.all(host, now, limit) as FrontierRow[];
  }

  nextDue(host: string): number | undefined {
    const r = this.s.nextDue.get(host) as { t: number | null };
    return r.t ?? undefined;
  }

  claim(url: string): boolean {
    return this.s.claim.run(url).changes > 0;
  }

  /** A claimed URL is being fetched now (if the process dies before it is finished, that was a try). */
  start(url: string): boolean {
    return this.s.start.run(url).changes > 0;
  }

  /**
   * Takes up to `limit` due URLs of a host and marks them 'claimed', in one transaction (rows left
   * 'claimed' by a crash are queued again by recover()).
   */
  claimBatch(host: string, now: number, limit: number): FrontierRow[] {
    return this.db.transaction(() => {
      const rows = this.due(host, now, limit);
      return rows.filter((r) => this.s.claim.run(r.url).changes > 0);
    })();
  }

  /** Puts claimed but unstarted URLs back (a stop, a host set aside). */
  unclaimAll(urls: string[]): void {
    if (urls.length === 0) return;
    this.db.transaction(() => {
      for (const u of urls) this.s.unclaim.run(u);
    })();
  }

  unclaim(url: string): void {
    this.s.unclaim.run(url);
  }

  finish(url: string, d: Done): void {
    this.s.finish.run({
      url,
      state: d.state,
      status: d.status ?? null,
      error: d.error ?? null,
      etag: d.etag ?? null,
      lastModified: d.lastModified ?? null,
      sha256: d.sha256 ?? null,
      contentType: d.contentType ?? null,
      finalUrl: d.finalUrl ?? null,
      role: d.role ?? null,
      reportId: d.reportId ?? null,
      tries: d.tries ?? null,
    });
  }

  retry(url: string, tries: number, at: number, status: number | null, error: string): void {
    this.s.retry.run({ url, tries, at, status, error });
  }

  postponeHost(host: string, until: number): void {
    this.s.postponeHost.run(until, host);
  }

  log(e: FetchLogEntry): void {
    this.s.log.run({
      url: e.url,
      finalUrl: e.finalUrl,
      status: e.status,
      headers: JSON.stringify(e.headers),
      redirects: e.redirects.length ? JSON.stringify(e.redirects) : null,
      startedAt: e.startedAt,
      ms: e.ms,
      bytes: e.bytes,
      sha256: e.sha256,
      error: e.error,
      attempt: e.attempt,
      renderSeed: e.render?.seed ?? null,
      renderRole: e.render?.role ?? null,
      renderClicks: e.render?.clicks ?? null,
      renderReportLinks: e.render?.reportLinks ?? null,
    });
  }

  host(host: string): HostRow | undefined {
    return this.s.host.get(host) as HostRow | undefined;
  }

  saveHost(h: Pick<HostRow, 'host' | 'failures' | 'set_aside_until' | 'set_aside_count' | 'avg_response_ms'>): void {
    this.s.upsertHost.run(h);
  }

  saveRobots(host: string, text: string | null, status: number | null, at: number, delay: number | null): void {
    this.s.saveRobots.run({ host, text, status, at, delay });
  }

  counts(): Record<FrontierState, number> {
    const out: Record<FrontierState, number> = { queued: 0, claimed: 0, fetching: 0, done: 0, failed: 0, blocked: 0 };
    for (const r of this.s.counts.all() as { state: FrontierState; n: number }[]) out[r.state] = r.n;
    return out;
  }

  /** Fails every waiting URL of a host (its robots.txt cannot be had); returns how many. */
  failHost(host: string, error: string): number {
    return this.db
      .prepare(`UPDATE frontier SET state = 'failed', last_error = ? WHERE host = ? AND state IN ('queued', 'claimed')`)
      .run(error, host).changes;
  }

  /** Any URL of the host (to learn its scheme). */
  anyUrl(host: string): string | undefined {
    return (this.s.anyUrl.get(host) as { url: string } | undefined)?.url;
  }

  queuedHosts(): string[] {
    return (this.s.queuedHosts.all() as { host: string }[]).map((r) => r.host);
  }
}
