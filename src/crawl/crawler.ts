/**
 * The crawl: seeds → frontier (SQLite) → polite fetches (undici, p-queue) → discovery → extraction
 * (extractBytes) → storage (ingestReport). Many hosts at once, one request at a time per host by
 * default; the frontier is read in small per-host batches so memory does not grow with it.
 */
import { readBlob } from '../store/blobs.js';
import PQueue from 'p-queue';
import type { Agent } from 'undici';
import type { LookupFunction } from 'node:net';
import type Database from 'better-sqlite3';
import { sniffKind, decodeBytes } from '../decode.js';
import { extractInPool } from '../pool/pool.js';
import type { Report } from '../report.js';
import { ingestReport, sha256Hex, storeBlob } from '../store/ingest.js';
import { placeRowsWriter } from '../places/store.js';
import { afterIngest } from '../review/hook.js';
import { createAgent, fetchUrl, type FetchOptions, type FetchResult } from './fetcher.js';
import { policyFor, withClasses, type AddressClass } from '../net/address-policy.js';
import { takeCrawlLock } from './writer-lock.js';
import { Frontier, requestKey, requestUrl, type FetchLogEntry, type FrontierRow, type KindHint } from './frontier.js';
import { discover, discoverAnswer, discoverSitemap, hashRoute, type FoundLink, type PageLinks } from './discover.js';
import { downloadName } from './attachments.js';
import { parseApiInfo, type ApiInfo } from './cms/index.js';
import { sitemapsFromRobots } from './sitemap.js';
import { isImage, resourceMap, storePageResources, type PageResource } from './resources.js';
import { sniffFormat } from '../decode.js';
import { allowAll, parseRobots, type Robots } from './robots.js';
import { ScopeFilter, type Scope } from './scope.js';
import { withoutHash, type BrowserAnswer, type BrowserRequest } from './browser/session.js';
import { RenderStep, type CapturedFile, type RenderEvent, type SeedRendering } from './render-step.js';
import type { LinkFormat } from './attachments.js';
import { Challenges, challengeReason, type ChallengeEvent, type ChallengedHost } from './challenge.js';
// [h18 hook 1/5] site discovery (--follow-sites): src/crawl/sites/
import { SiteFinder, SITE_DEFAULTS } from './sites/site-finder.js';

export interface CrawlOptions {
  seeds: string[];
  /** A label per seed URL (seeds file: region, level), stored for every document found from it (seed_labels). */
  seedLabels?: Record<string, string>;
  /** Requests in flight across all hosts. */
  concurrency: number;
  /** Requests in flight per host (1: strictly serial). */
  perHost: number;
  /** Pause between two requests to one host (ms); grows with the host's response time. */
  delayMs: number;
  /** The response-time-driven delay is `delayFactor × average response ms`, at most maxDelayMs. */
  delayFactor: number;
  maxDelayMs: number;
  /** Robots Crawl-delay is obeyed up to this (ms). */
  maxCrawlDelayMs: number;
  /** Pages fetched in this run at most. */
  maxPages: number;
  maxDepth: number;
  scope: Scope;
  timeoutMs: number;
  connectTimeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
  /** Tries per URL for retryable failures (timeouts, resets, 5xx, 429). */
  maxTries: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Retry-After is honoured up to this (ms). */
  maxRetryAfterMs: number;
  /** Consecutive failed exchanges after which a host is set aside. */
  hostFailureLimit: number;
  setAsideMs: number;
  /** When the only work left is due later than this (ms), the run ends and leaves it queued for the next. */
  maxWaitMs: number;
  robotsTtlMs: number;
  userAgent: string;
  /** Fetch finished URLs again (conditional requests). */
  recrawl: boolean;
  /** Give failed URLs a fresh set of tries. */
  retryFailed: boolean;
  /** Custom DNS lookup (benchmark). */
  lookup?: LookupFunction;
  /**
   * Address classes reachable beyond what the seeds open (src/net/address-policy.ts): a run resumed
   * from a frontier with no seeds (the scale benchmark) names them here.
   */
  allowAddresses?: AddressClass[];
  /** Links put in the frontier from one page, at most (default 5,000). */
  maxLinksPerPage: number;
  /** A document whose extraction takes longer than this (ms) is recorded as failed and skipped. */
  extractTimeoutMs: number;
  /** Render script-built pages in headless Chromium when the static HTML lacks what scripts build. */
  render: boolean;
  /** Pages rendered in this run at most (later ones are read as fetched). */
  maxRender: number;
  /** Time bound of one page's rendering, pager clicks included (ms). */
  renderTimeoutMs: number;
  /** Clicks on a script pager button per rendered page at most. */
  maxRenderClicks: number;
  /** The browser executable (Debian's chromium by default). */
  browserPath?: string;
  /** Skip extraction and ingestion (benchmark of the crawl machinery alone). */
  discoverOnly?: boolean;
  /** One line per notable event (failures, reports), for a log. */
  onEvent?: (e: CrawlEvent) => void;
  // [h18 hook 2/5] site discovery options (src/crawl/sites/site-finder.ts)
  /** Other government sites the pages link to become seeds of their own (--follow-sites). */
  followSites?: boolean;
  /** Sites discovered at most (--max-sites), hops from a seed site at most (--site-depth). */
  maxSites?: number;
  siteDepth?: number;
  /** Only sites placed within this division (--region CODE). */
  region?: string;
}

/** The part of a robots.txt parsed (RFC 9309 §2.5: at least 500 kibibytes). */
const ROBOTS_MAX_BYTES = 500 * 1024;

export const DEFAULTS: Omit<CrawlOptions, 'seeds'> = {
  maxLinksPerPage: 5_000,
  concurrency: 8,
  perHost: 1,
  delayMs: 1000,
  delayFactor: 1,
  maxDelayMs: 10_000,
  maxCrawlDelayMs: 60_000,
  maxPages: Infinity,
  maxDepth: 5,
  scope: 'host',
  timeoutMs: 30_000,
  connectTimeoutMs: 10_000,
  maxBytes: 50 * 1024 * 1024,
  maxRedirects: 5,
  maxTries: 4,
  backoffBaseMs: 2_000,
  backoffMaxMs: 120_000,
  maxRetryAfterMs: 600_000,
  hostFailureLimit: 6,
  setAsideMs: 120_000,
  maxWaitMs: 300_000,
  robotsTtlMs: 24 * 3600_000,
  extractTimeoutMs: 120_000,
  userAgent: 'nianbao/0.1 (+annual-report research crawler)',
  recrawl: false,
  retryFailed: false,
  render: true,
  maxRender: 2000,
  renderTimeoutMs: 30_000,
  maxRenderClicks: 20,
};

export type CrawlEvent =
  | { type: 'report'; url: string; reportId: number; created: boolean; status: string; agency: string | null; year: number | null; failedChecks: number }
  | { type: 'failed'; url: string; error: string }
  | { type: 'retry'; url: string; error: string; tries: number; inMs: number }
  | { type: 'blocked'; url: string; rule: string }
  | { type: 'set_aside'; host: string; untilMs: number; error: string }
  | { type: 'not_report'; url: string; status: string }
  /** rendered, render_aborted, render_decided, warning: see render-step.ts */
  | RenderEvent
  /** a JavaScript cookie challenge met and passed or not: see challenge.ts */
  | ChallengeEvent;

export interface CrawlStats {
  hosts: number;
  activeHosts: number;
  queued: number;
  fetched: number;
  notModified: number;
  reports: number;
  stored: number;
  alreadyStored: number;
  notReports: number;
  failed: number;
  retries: number;
  blocked: number;
  bytes: number;
  /** Pages rendered in the browser, the requests it made through the crawler, and those refused. */
  rendered: number;
  renderRequests: number;
  renderAborted: number;
  /** Connections the browser tried outside routing (a WebSocket, a preconnect…): refused by its proxy sink. */
  renderEscapes: number;
  elapsedMs: number;
  pagesPerSecond: number;
}

export interface CrawlSummary extends CrawlStats {
  stoppedBy: 'done' | 'max_pages' | 'signal' | 'deferred';
  /** URLs left queued for a later run (a host set aside, a long Retry-After, a page budget, a signal). */
  deferred: number;
  frontier: Record<string, number>;
  failures: { url: string; error: string }[];
  reportIds: number[];
  /** Per seed (its label, else the page's host): list pages rendered, those that grew by interaction, those empty after rendering. */
  renderedBySeed: SeedRendering[];
  /** Hosts that answered with a JavaScript cookie challenge, and whether each was passed (challenge.ts). */
  challenges: ChallengedHost[];
}

interface HostState {
  host: string;
  workers: number;
  nextFreeAt: number;
  avgMs: number | null;
  failures: number;
  setAsideUntil: number;
  setAsideCount: number;
  robots: Robots | null;
  robotsLoading: Promise<void> | null;
  /** robots.txt fetches that failed in a row (this run). */
  robotsFailures: number;
  crawlDelayMs: number;
  buffer: FrontierRow[];
  wakeAt: number | null;
  wakeTimer: NodeJS.Timeout | null;
  /** Exchanges in flight with the host, client and browser together (at most perHost). */
  active: number;
  slotWaiters: (() => void)[];
  /** When the host's last exchange ended, and its last one made for the browser (ms). */
  lastEndAt: number;
  browserEndAt: number;
  /** Browser requests using this state (it is not dropped meanwhile). */
  pins: number;
}

/**
 * The pause before the next request to a host: at least `delayMs`, at least robots.txt's Crawl-delay,
 * and `delayFactor` × the host's average response time (a slow server is a busy server), that last
 * part bounded by `maxDelayMs`.
 */
export function politeDelay(
  o: Pick<CrawlOptions, 'delayMs' | 'delayFactor' | 'maxDelayMs'>,
  avgResponseMs: number | null,
  crawlDelayMs: number,
): number {
  const adaptive = avgResponseMs === null ? 0 : Math.min(o.maxDelayMs, o.delayFactor * avgResponseMs);
  return Math.max(o.delayMs, adaptive, crawlDelayMs);
}

type LogBase = Omit<FetchLogEntry, 'sha256' | 'error'>;

/** What the fetch log records of an exchange. */
function exchange(url: string, res: FetchResult): Omit<LogBase, 'attempt'> {
  return {
    url,
    finalUrl: res.finalUrl,
    status: res.status,
    headers: res.headers,
    redirects: res.redirects,
    startedAt: res.startedAt,
    ms: res.ms,
    bytes: res.wireBytes,
  };
}

const PRIORITY: Record<KindHint, number> = { attachment: 3, report: 2, seed: 1, list: 1, api: 1, sitemap: 1, redirect: 1, hub: 0 };
/** Forms a fetched file may be in that go to extraction although they are no HTML, PDF or text. */
const FILE_FORMATS = new Set(['docx', 'doc', 'wps', 'xlsx', 'xls', 'et', 'ofd']);
/** An answer that is a report file (PDF, an office form, OFD), with its download name: what a page's download API gives. */
function documentFile(res: FetchResult): { format: LinkFormat; name: string | null } | null {
  if (res.status === null || res.status < 200 || res.status >= 300 || !res.body || res.body.length === 0 || res.redirectTo) return null;
  const name = downloadName(res.finalUrl, res.headers) ?? null;
  const format = sniffFormat(res.body, res.headers['content-type'], name ?? new URL(res.finalUrl).pathname);
  return format === 'pdf' || FILE_FORMATS.has(format) ? { format: format as LinkFormat, name } : null;
}
/** A replayed list API whose page's script posted its page number in a JSON body (cms/replay.ts). */
const isJsonReplay = (api: ApiInfo | null) => api?.cms === 'replay' && api.where === 'json';
/** Links that continue the list they are on: no deeper than it. */
const depthOf = (l: FoundLink, from: number) => from + (l.kind === 'list' || l.kind === 'api' ? 0 : 1);
const BATCH = 16;
/** A rendered page's request headers passed on to its host (the rest are the fetcher's own). */
const PASSED_HEADERS = ['content-type', 'accept', 'x-requested-with'];
/** Host states kept in memory at most while idle ones can be dropped. */
const HOST_STATES = 5000;
const MAX_FAILURES_LISTED = 50;
/** The body of a non-2xx answer kept to look for a JavaScript challenge in (challenge.ts). */
const CHALLENGE_BODY_BYTES = 64 * 1024;

export class Crawler {
  readonly opts: CrawlOptions;
  readonly frontier: Frontier;
  private agent: Agent;
  private queue: PQueue;
  /** The hosts in play: idle ones beyond HOST_STATES are dropped (their state is in the database). */
  private hosts = new Map<string, HostState>();
  /** Host states created in this run (live figure: a dropped host met again counts again) and dropped. */
  private hostsSeen = 0;
  private hostsDropped = 0;
  /** Hosts with workers now, at most activeHostLimit; the names of those waiting for a turn. */
  private workingHosts = 0;
  private readonly activeHostLimit: number;
  private waitingHosts = new Set<string>();
  private scope: ScopeFilter;
  private stopping = false;
  private stopReason: CrawlSummary['stoppedBy'] = 'done';
  private activeWorkers = 0;
  private claimed = 0;
  private started = Date.now();
  private finished!: () => void;
  private finishedPromise: Promise<void>;
  private stopWaiters = new Set<() => void>();
  private stats = {
    fetched: 0,
    notModified: 0,
    reports: 0,
    stored: 0,
    alreadyStored: 0,
    notReports: 0,
    failed: 0,
    retries: 0,
    blocked: 0,
    bytes: 0,
    rendered: 0,
    renderRequests: 0,
    renderAborted: 0,
    renderEscapes: 0,
  };
  private readonly renderStep: RenderStep;
  private readonly challenges: Challenges;
  /** Hosts outside the scope that serve a report page's own files (a redirect within them is followed). */
  private readonly fileHosts = new Set<string>();
  private queuedCount = 0;
  private failures: { url: string; error: string }[] = [];
  private reportIds = new Set<number>();
  /** [h18] --follow-sites: the site registry and discovery (null when off). */
  private sites: SiteFinder | null = null;

  constructor(
    readonly db: Database.Database,
    opts: Partial<CrawlOptions> & { seeds: string[] },
  ) {
    this.opts = { ...DEFAULTS, ...opts };
    this.frontier = new Frontier(db);
    // a resumed crawl's seeds are the user's too (the scope below uses them alike)
    const seedsBefore = (db.prepare(`SELECT url FROM frontier WHERE kind_hint = 'seed'`).all() as { url: string }[]).map((r) => r.url);
    this.agent = createAgent({
      connectTimeoutMs: Math.min(this.opts.connectTimeoutMs, this.opts.timeoutMs),
      timeoutMs: this.opts.timeoutMs,
      connections: Math.max(1, this.opts.perHost),
      lookup: this.opts.lookup,
      // loopback, private and link-local addresses only where the seeds are (issue 20)
      policy: withClasses(policyFor([...seedsBefore, ...this.opts.seeds]), this.opts.allowAddresses),
    });
    this.queue = new PQueue({ concurrency: this.opts.concurrency });
    this.activeHostLimit = Math.max(64, this.opts.concurrency * 8);
    this.renderStep = new RenderStep(
      db,
      {
        ...this.opts,
        inScope: (u) => this.scope.allows(u),
        fetch: (u, req, capture) => this.browserFetch(u, req, capture),
        stopping: () => this.stopping,
        onEvent: (e) => this.opts.onEvent?.(e),
      },
      this.stats,
    );
    this.challenges = new Challenges({
      maxPasses: 3,
      pass: (url, status, headers, body) => this.renderStep.passChallenge(url, status, headers, body, (st, b) => challengeReason(st, b) !== null),
      onEvent: (e) => this.opts.onEvent?.(e),
    });
    const knownSeeds = (
      db.prepare(`SELECT url FROM frontier WHERE kind_hint = 'seed'`).all() as { url: string }[]
    ).map((r) => r.url);
    this.scope = new ScopeFilter(this.opts.scope, [...knownSeeds, ...this.opts.seeds]);
    // [h18 hook 3/5] site discovery: a new site is a seed of its own (scope, frontier, its host woken)
    if (this.opts.followSites) {
      this.sites = new SiteFinder(
        db,
        { maxSites: this.opts.maxSites ?? SITE_DEFAULTS.maxSites, siteDepth: this.opts.siteDepth ?? SITE_DEFAULTS.siteDepth, region: this.opts.region },
        this.opts.seeds,
        (url, label, from) => this.addSiteSeed(url, label, from),
        (message) => this.opts.onEvent?.({ type: 'warning', message }),
      );
    }
    this.finishedPromise = new Promise((resolve) => (this.finished = resolve));
  }

  /** Ask the crawl to stop: in-flight requests finish and are recorded, nothing new starts. */
  stop(reason: CrawlSummary['stoppedBy'] = 'signal'): void {
    if (this.stopping) return;
    this.stopping = true;
    this.stopReason = reason;
    for (const h of this.hosts.values()) this.clearWake(h);
    this.waitingHosts.clear();
    for (const w of this.stopWaiters) w();
    this.stopWaiters.clear();
    this.maybeFinish();
  }

  get stopped(): boolean {
    return this.stopping;
  }

  snapshot(): CrawlStats {
    const elapsedMs = Date.now() - this.started;
    let active = 0;
    for (const h of this.hosts.values()) if (h.workers > 0) active++;
    return {
      hosts: this.hostsSeen,
      activeHosts: active,
      queued: this.queuedCount,
      ...this.stats,
      elapsedMs,
      pagesPerSecond: elapsedMs > 0 ? (this.stats.fetched * 1000) / elapsedMs : 0,
    };
  }

  async run(): Promise<CrawlSummary> {
    // one crawl per database: a second one is refused with a clear message (writer-lock.ts)
    const release = takeCrawlLock(this.db);
    try {
      return await this.runLocked();
    } finally {
      release();
    }
  }

  private async runLocked(): Promise<CrawlSummary> {
    this.started = Date.now();
    const f = this.frontier;
    f.recover(this.opts.maxTries);
    if (this.opts.recrawl) f.requeueDone();
    if (this.opts.retryFailed) f.requeueFailed();
    for (const seed of this.opts.seeds) {
      const u = new URL(seed);
      if (!hashRoute(u)) u.hash = ''; // a hash route (#/list) is a page of its own; a plain anchor is not
      const seedLabel = this.opts.seedLabels?.[seed] ?? this.opts.seedLabels?.[u.href] ?? null;
      f.add({ url: u.href, host: u.host, depth: 0, priority: PRIORITY.seed, kindHint: 'seed', from: null, seedLabel });
    }
    this.queuedCount = f.counts().queued;
    for (const host of f.queuedHosts()) this.wake(this.hostState(host));
    this.maybeFinish();
    await this.finishedPromise;
    await this.queue.onIdle();
    await this.renderStep.close();
    await this.agent.close().catch(() => {});
    const counts = f.counts();
    if (this.stopReason === 'done' && counts.queued > 0) this.stopReason = 'deferred';
    if (this.stopReason === 'max_pages' && counts.queued === 0) this.stopReason = 'done';
    // with host states dropped, count the hosts fetched from in this run exactly
    const hosts = this.hostsDropped
      ? (this.db
          .prepare(`SELECT COUNT(DISTINCT host) AS n FROM frontier WHERE fetched_at >= ?`)
          .get(new Date(this.started).toISOString()) as { n: number }).n
      : this.hostsSeen;
    return {
      ...this.snapshot(),
      hosts,
      queued: counts.queued,
      stoppedBy: this.stopReason,
      deferred: counts.queued,
      frontier: counts,
      failures: this.failures,
      reportIds: [...this.reportIds],
      renderedBySeed: this.renderStep.bySeed(),
      challenges: this.challenges.summary(),
    };
  }

  // ---- hosts and workers -------------------------------------------------------------------

  private hostState(host: string): HostState {
    let h = this.hosts.get(host);
    if (h) return h;
    const row = this.frontier.host(host);
    h = {
      host,
      workers: 0,
      nextFreeAt: 0,
      avgMs: row?.avg_response_ms ?? null,
      failures: row?.failures ?? 0,
      setAsideUntil: row?.set_aside_until ?? 0,
      setAsideCount: row?.set_aside_count ?? 0,
      robots: null,
      robotsLoading: null,
      robotsFailures: 0,
      crawlDelayMs: 0,
      buffer: [],
      wakeAt: null,
      wakeTimer: null,
      active: 0,
      slotWaiters: [],
      lastEndAt: 0,
      browserEndAt: 0,
      pins: 0,
    };
    if (this.hosts.size >= HOST_STATES) this.dropIdleHosts();
    this.hosts.set(host, h);
    this.hostsSeen++;
    return h;
  }

  /**
   * Memory stays flat however many hosts a crawl meets: idle host states (no worker, nothing claimed
   * or waiting, past their delay) are dropped, oldest first, down to 90 % of HOST_STATES. What they
   * hold is saved (response time, failures) or in the database already (robots.txt).
   */
  private dropIdleHosts(): void {
    const now = Date.now();
    for (const h of this.hosts.values()) {
      if (this.hosts.size < HOST_STATES * 0.9) break;
      const idle =
        h.workers === 0 && h.active === 0 && h.pins === 0 && h.slotWaiters.length === 0 && h.buffer.length === 0 && h.wakeTimer === null &&
        h.robotsLoading === null && h.setAsideUntil <= now && h.nextFreeAt <= now && h.lastEndAt + this.delayFor(h) <= now;
      if (!idle) continue;
      this.saveHost(h);
      this.hosts.delete(h.host);
      this.hostsDropped++;
    }
  }

  /** Make sure the host has its workers running (new work arrived, or a wait is over). */
  private wake(h: HostState): void {
    if (this.hosts.get(h.host) !== h) h = this.hostState(h.host); // dropped meanwhile: wake its current state
    if (this.stopping || h.workers >= this.opts.perHost) return;
    this.clearWake(h);
    if (h.workers === 0) {
      // a bounded number of hosts at work at once (each holds its workers, robots.txt and a claimed
      // batch); the others wait their turn by name only
      if (this.workingHosts >= this.activeHostLimit) {
        this.waitingHosts.add(h.host);
        return;
      }
      this.workingHosts++;
    }
    while (h.workers < this.opts.perHost) {
      h.workers++;
      this.activeWorkers++;
      void this.worker(h)
        .catch((err: unknown) => {
          // a bug, not a network failure: say so, set the host aside, and let the other hosts go on
          this.noteFailure(h.host, `internal error in the host's worker: ${(err as Error)?.message ?? String(err)}`);
          h.setAsideUntil = Date.now() + this.opts.setAsideMs;
        })
        .finally(() => {
          h.workers--;
          this.activeWorkers--;
          if (h.workers === 0) {
            this.workingHosts--;
            this.admitWaiting(); // the hosts waiting their turn first, then this one again if it has more
            this.rearm(h);
          }
          this.maybeFinish();
        });
    }
  }

  private admitWaiting(): void {
    for (const host of this.waitingHosts) {
      if (this.stopping || this.workingHosts >= this.activeHostLimit) return;
      this.waitingHosts.delete(host);
      this.wake(this.hostState(host));
    }
  }

  /** After a host's last worker stopped: wake it again now or later if it still has queued URLs. */
  private rearm(h: HostState): void {
    if (this.stopping) return;
    const next = this.frontier.nextDue(h.host);
    if (next === undefined) return;
    const at = Math.max(next, h.setAsideUntil);
    if (at <= Date.now() && h.robots) this.wake(h);
    else this.scheduleWake(h, Math.max(at, Date.now() + 1));
  }

  private clearWake(h: HostState): void {
    if (h.wakeTimer) clearTimeout(h.wakeTimer);
    h.wakeTimer = null;
    h.wakeAt = null;
  }

  private scheduleWake(h: HostState, at: number): void {
    if (this.stopping) return;
    if (h.wakeAt !== null && h.wakeAt <= at) return;
    this.clearWake(h);
    h.wakeAt = at;
    h.wakeTimer = setTimeout(
      () => {
        h.wakeTimer = null;
        h.wakeAt = null;
        this.wake(h);
      },
      Math.max(0, at - Date.now()),
    );
  }

  private maybeFinish(): void {
    if (this.activeWorkers > 0) return;
    if (!this.stopping) {
      let earliest = Infinity;
      for (const h of this.hosts.values()) if (h.wakeAt !== null) earliest = Math.min(earliest, h.wakeAt);
      if (earliest !== Infinity && earliest - Date.now() <= this.opts.maxWaitMs) return; // a retry is coming
      for (const h of this.hosts.values()) this.clearWake(h);
    }
    this.finished();
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.stopWaiters.delete(done);
        resolve();
      };
      const t = setTimeout(done, ms);
      this.stopWaiters.add(done);
    });
  }

  private delayFor(h: HostState): number {
    return politeDelay(this.opts, h.avgMs, h.crawlDelayMs);
  }

  private async worker(h: HostState): Promise<void> {
    try {
      await this.workerLoop(h);
    } finally {
      // the host's last worker leaves no claimed URLs behind (a stop, a set-aside, a bug)
      if (h.workers === 1) this.releaseBuffer(h);
    }
  }

  private async workerLoop(h: HostState): Promise<void> {
    while (!this.stopping) {
      const now = Date.now();
      if (h.setAsideUntil > now) return; // rearm() wakes it when the period is over
      if (h.nextFreeAt > now) {
        await this.sleep(h.nextFreeAt - now);
        continue;
      }
      if (this.claimed >= this.opts.maxPages) {
        this.stop('max_pages');
        return;
      }
      if (!h.robots) {
        if (this.frontier.nextDue(h.host) === undefined) return; // nothing to fetch here
        await this.loadRobots(h);
        continue;
      }
      const row = this.claim(h);
      if (!row) return; // rearm() schedules the next due URL, if any
      if (!h.robots.isAllowed(row.url)) {
        const rule = h.robots.matchedRule(row.url) ?? 'Disallow';
        this.frontier.finish(row.url, { state: 'blocked', error: `robots.txt: ${rule}` });
        this.stats.blocked++;
        this.queuedCount--;
        this.opts.onEvent?.({ type: 'blocked', url: row.url, rule });
        continue;
      }
      this.claimed++;
      // requests to one host start at least one delay apart, and each waits a delay after the last ended
      h.nextFreeAt = Date.now() + this.delayFor(h);
      try {
        await this.queue.add(() => this.process(h, row));
      } finally {
        h.nextFreeAt = Math.max(h.nextFreeAt, Date.now() + this.delayFor(h));
      }
    }
  }

  /** The next due URL of this host, already marked 'claimed': claimed from the database in small batches. */
  private claim(h: HostState): FrontierRow | null {
    if (h.buffer.length === 0) h.buffer = this.frontier.claimBatch(h.host, Date.now(), BATCH);
    return h.buffer.shift() ?? null;
  }

  /** Claimed URLs not yet started go back to 'queued'. */
  private releaseBuffer(h: HostState): void {
    this.frontier.unclaimAll(h.buffer.map((r) => r.url));
    h.buffer = [];
  }

  // ---- robots.txt --------------------------------------------------------------------------

  /**
   * One exchange with a host, client or browser: at most perHost at once across both, and a
   * browser request waits the host's delay after the last exchange ended (the worker loop keeps
   * the delay before its own requests, and waits for the browser's last one here).
   */
  private async hostExchange<T>(h: HostState, fromBrowser: boolean, fn: () => Promise<T>): Promise<T> {
    while (h.active >= this.opts.perHost) await new Promise<void>((resolve) => h.slotWaiters.push(resolve));
    h.active++;
    try {
      const after = fromBrowser ? h.lastEndAt : h.browserEndAt;
      if (after > 0) await this.sleep(after + this.delayFor(h) - Date.now());
      return await fn();
    } finally {
      h.active--;
      h.lastEndAt = Date.now();
      if (fromBrowser) h.browserEndAt = h.lastEndAt;
      h.slotWaiters.shift()?.();
    }
  }

  /** `direct`: not through the global queue (asked from inside a page being processed, which holds a slot). */
  private async loadRobots(h: HostState, direct = false): Promise<void> {
    if (h.robotsLoading) return h.robotsLoading;
    h.robotsLoading = (async () => {
      const row = this.frontier.host(h.host);
      const now = Date.now();
      if (row?.robots_fetched_at && now - row.robots_fetched_at < this.opts.robotsTtlMs && row.robots_status !== null) {
        this.setRobots(h, row.robots_status, row.robots_txt);
        return;
      }
      const sample = this.frontier.anyUrl(h.host);
      const protocol = sample ? new URL(sample).protocol : 'http:';
      const url = `${protocol}//${h.host}/robots.txt`;
      const get = () =>
        this.hostExchange(h, direct, () =>
          fetchUrl(url, {
            dispatcher: this.agent,
            userAgent: this.opts.userAgent,
            timeoutMs: this.opts.timeoutMs,
            // RFC 9309: a robots.txt over 500 KiB is parsed up to there (not a host made unreachable)
            maxBytes: ROBOTS_MAX_BYTES,
            keepFirst: true,
            maxRedirects: 5,
          }),
        );
      const res = direct ? await get() : await this.queue.add(get);
      this.noteResponse(h, res);
      this.logExchange(url, res, null, res.error ? `${res.error.code}: ${res.error.message}` : null);
      h.nextFreeAt = Date.now() + this.delayFor(h);
      if (res.status !== null && res.status >= 200 && res.status < 300 && res.body) {
        let text = new TextDecoder('utf-8').decode(res.body);
        if (res.truncated) {
          text = text.slice(0, text.lastIndexOf('\n') + 1); // the last whole line
          this.opts.onEvent?.({ type: 'warning', message: `${url}: over ${ROBOTS_MAX_BYTES / 1024} KiB; its first ${ROBOTS_MAX_BYTES / 1024} KiB are parsed (RFC 9309), the rest ignored` });
        }
        this.setRobots(h, res.status, text);
        this.frontier.saveRobots(h.host, text, res.status, now, h.robots?.crawlDelay ?? null);
        h.robotsFailures = 0;
        this.hostSucceeded(h);
      } else if (res.status !== null && res.status >= 400 && res.status < 500 && res.status !== 429) {
        this.setRobots(h, res.status, null); // no robots.txt: everything allowed
        this.frontier.saveRobots(h.host, null, res.status, now, null);
        h.robotsFailures = 0;
        this.hostSucceeded(h);
      } else {
        // unreachable robots.txt (5xx, 429, network): RFC 9309 says assume complete disallow. The host's
        // URLs wait while robots.txt is tried again with backoff; after the bounded tries they fail
        // with the reason (`--retry-failed` gives them another chance in a later run).
        const why = res.error ? res.error.message : `HTTP ${res.status}`;
        h.robotsFailures++;
        if (h.robotsFailures >= this.opts.maxTries) {
          this.releaseBuffer(h);
          const error = `robots.txt unreachable (${why}) after ${h.robotsFailures} tries: host skipped`;
          const n = this.frontier.failHost(h.host, error);
          this.stats.failed += n;
          this.queuedCount -= n;
          this.noteFailure(url, `${error}; ${n} URL${n === 1 ? '' : 's'} failed`);
          this.opts.onEvent?.({ type: 'failed', url, error });
        } else {
          const wait =
            res.retryAfterMs !== undefined ? Math.min(res.retryAfterMs, this.opts.maxRetryAfterMs) : this.backoff(h.robotsFailures);
          h.setAsideUntil = Date.now() + wait;
          this.opts.onEvent?.({ type: 'retry', url, error: why, tries: h.robotsFailures, inMs: Math.round(wait) });
        }
      }
    })().finally(() => {
      h.robotsLoading = null;
    });
    return h.robotsLoading;
  }

  private setRobots(h: HostState, status: number, text: string | null): void {
    h.robots = status >= 200 && status < 300 && text !== null ? parseRobots(text, this.opts.userAgent) : allowAll();
    h.crawlDelayMs = Math.min(this.opts.maxCrawlDelayMs, (h.robots.crawlDelay ?? 0) * 1000);
    this.queueSitemaps(h, h.robots === null || status < 200 || status >= 300 ? null : text);
  }

  /** robots.txt's Sitemap: lines; for a seed at a site's root without them, its /sitemap.xml. */
  private queueSitemaps(h: HostState, robotsTxt: string | null): void {
    const listed = robotsTxt ? sitemapsFromRobots(robotsTxt) : [];
    const seeds = this.opts.seeds.filter((s) => new URL(s).host === h.host);
    const root = seeds.find((s) => new URL(s).pathname === '/');
    const urls = listed.length > 0 ? listed : root ? [new URL('/sitemap.xml', root).href] : [];
    // what a host's sitemap yields carries the label of the host's seed
    const seedLabel = seeds.map((s) => this.frontier.get(new URL(s).href)?.seed_label).find((l) => l) ?? null;
    for (const url of urls) this.enqueue({ url, kind: 'sitemap', text: 'sitemap' }, { url: `${h.host}/robots.txt`, seed_label: seedLabel, depth: 0 }, 0);
  }

  // ---- host health -------------------------------------------------------------------------

  private noteResponse(h: HostState, res: FetchResult): void {
    if (res.status === null) return;
    h.avgMs = h.avgMs === null ? res.ms : 0.7 * h.avgMs + 0.3 * res.ms;
  }

  private saveHost(h: HostState): void {
    this.frontier.saveHost({
      host: h.host,
      failures: h.failures,
      set_aside_until: h.setAsideUntil,
      set_aside_count: h.setAsideCount,
      avg_response_ms: h.avgMs,
    });
  }

  private hostSucceeded(h: HostState): void {
    if (h.failures === 0 && h.setAsideCount === 0) return;
    h.failures = 0;
    h.setAsideCount = 0;
    this.saveHost(h);
  }

  /** A failed exchange with the host; after hostFailureLimit in a row it is set aside. */
  private hostFailed(h: HostState, why: string, retryAfterMs: number | undefined): void {
    h.failures++;
    const t = Date.now();
    if (retryAfterMs !== undefined) h.nextFreeAt = Math.max(h.nextFreeAt, t + Math.min(retryAfterMs, this.opts.maxRetryAfterMs));
    if (h.failures >= this.opts.hostFailureLimit) {
      const base = Math.max(this.opts.setAsideMs, retryAfterMs !== undefined ? Math.min(retryAfterMs, this.opts.maxRetryAfterMs) : 0);
      const period = Math.min(base * 2 ** h.setAsideCount, 3600_000);
      h.setAsideUntil = t + period;
      h.setAsideCount++;
      h.failures = 0;
      this.releaseBuffer(h);
      this.frontier.postponeHost(h.host, h.setAsideUntil);
      this.opts.onEvent?.({ type: 'set_aside', host: h.host, untilMs: period, error: why });
    }
    this.saveHost(h);
  }

  // ---- one URL -----------------------------------------------------------------------------

  private async process(h: HostState, row: FrontierRow): Promise<void> {
    if (this.stopping) {
      this.frontier.unclaim(row.url);
      return;
    }
    this.frontier.start(row.url);
    let res: FetchResult;
    let challenged: string | null = null;
    // [h16b] a JavaScript cookie challenge (challenge.ts): passed in the browser, then asked again with the host's cookies
    for (let round = 0; ; round++) {
      const cookie = this.challenges.cookieHeader(h.host);
      try {
        res = await this.hostExchange(h, false, () =>
          // a hash-routed page (`/zfxxgk/#/detail/1`) is asked for without its fragment, as a browser does
          fetchUrl(withoutHash(requestUrl(row)), {
            method: row.method === 'POST' ? 'POST' : 'GET',
            body: row.body ?? undefined,
            // a replayed list API whose page's script posted JSON: posted as JSON again (cms/replay.ts)
            ...(row.method === 'POST' && isJsonReplay(parseApiInfo(row.api)) ? { headers: { 'content-type': 'application/json;charset=UTF-8' } } : {}),
            dispatcher: this.agent,
            userAgent: this.opts.userAgent,
            timeoutMs: this.opts.timeoutMs,
            maxBytes: this.opts.maxBytes,
            maxRedirects: this.opts.maxRedirects,
            etag: row.etag,
            lastModified: row.last_modified,
            cookie,
            errorBodyBytes: CHALLENGE_BODY_BYTES,
            onRedirect: (_from, to) => this.followRedirect(h, to),
          }),
        );
      } catch (err) {
        // fetchUrl classifies its errors; anything else is a bug we record rather than crash on
        this.fail(row, `internal error: ${(err as Error).message}`, null);
        return;
      }
      this.noteResponse(h, res);
      this.stats.fetched++;
      this.stats.bytes += res.wireBytes;
      challenged = res.error ? null : challengeReason(res.status, res.body);
      if (!challenged || round >= 2 || this.stopping) break;
      const c = res;
      this.frontier.log({ ...exchange(row.url, c), attempt: row.tries + 1, sha256: null, error: `challenge: ${challenged}` });
      const outcome = await this.challenges.resolve(h.host, row.url, c.status!, c.headers, c.body!, cookie);
      if (!outcome.passed) {
        challenged = outcome.message;
        break;
      }
    }
    if (challenged && this.stopping) {
      this.frontier.unclaim(row.url); // met a challenge as the crawl stops: left for the next run
      return;
    }
    if (challenged) {
      const attempt = row.tries + 1;
      const why = challenged.startsWith('JavaScript challenge') ? challenged : `JavaScript challenge not passed: ${challenged}`;
      this.db.transaction(() => {
        this.frontier.log({ ...exchange(row.url, res), attempt, sha256: null, error: why });
        this.fail(row, why, res.status, attempt);
      })();
      return;
    }
    await this.afterFetch(h, row, res);
  }

  /** A fetched URL's answer handled: retried, failed, followed, or its body read, stored and its links queued. */
  private async afterFetch(h: HostState, row: FrontierRow, res: FetchResult): Promise<void> {
    const attempt = row.tries + 1;
    const logBase = { ...exchange(row.url, res), attempt };
    try {
      // network errors and retryable statuses
      const retryableStatus = res.status !== null && (res.status >= 500 || res.status === 429 || res.status === 408);
      if ((res.error && res.error.retryable) || (!res.error && retryableStatus)) {
        const why = res.error ? `${res.error.code}: ${res.error.message}` : `HTTP ${res.status}`;
        this.db.transaction(() => {
          this.frontier.log({ ...logBase, sha256: null, error: why });
          this.retry(row, why, res.status, res.retryAfterMs);
        })();
        this.hostFailed(h, why, res.retryAfterMs);
        return;
      }
      this.hostSucceeded(h);
      if (res.error) {
        const why = `${res.error.code}: ${res.error.message}`;
        this.db.transaction(() => {
          this.frontier.log({ ...logBase, sha256: null, error: why });
          this.fail(row, why, res.status, attempt);
        })();
        return;
      }
      if (res.redirectTo) {
        const to = new URL(res.redirectTo);
        // [h18b] a site's home page moved to another host of the same site: the site's seed (site-finder.ts)
        const moved = to.host !== h.host && this.sites?.onRedirect(row, to) === true;
        const ok = moved || this.scope.allows(to);
        this.db.transaction(() => {
          this.frontier.log({ ...logBase, sha256: null, error: null });
          if (ok && !moved && to.host !== h.host) this.enqueue({ url: to.href, kind: (row.kind_hint ?? 'redirect') as FoundLink['kind'], text: '' }, row, row.depth);
          if (ok && to.host !== h.host) {
            this.frontier.finish(row.url, { state: 'done', status: res.status, finalUrl: to.href, role: 'redirect', tries: attempt });
            this.queuedCount--;
          } else {
            const why = ok ? `redirect to ${to.href} refused by robots.txt` : `redirect off-site to ${to.href} (not followed)`;
            this.fail(row, why, res.status, attempt);
          }
        })();
        return;
      }
      if (res.notModified) {
        await this.handleNotModified(row, res, logBase);
        return;
      }
      if (row.kind_hint === 'sitemap' && res.status !== null && res.status >= 400 && res.status < 500) {
        // no sitemap there: nothing failed
        this.db.transaction(() => {
          this.frontier.log({ ...logBase, sha256: null, error: null });
          this.frontier.finish(row.url, { state: 'done', status: res.status, role: 'absent', tries: attempt });
          this.queuedCount--;
        })();
        return;
      }
      if (res.status === null || res.status < 200 || res.status >= 300 || !res.body) {
        const why = `HTTP ${res.status}`;
        this.db.transaction(() => {
          this.frontier.log({ ...logBase, sha256: null, error: why });
          this.fail(row, why, res.status, attempt);
        })();
        return;
      }
      // another writer (an ingest) holding the database past busy_timeout: waited for and tried again, never
      // turned into a failed URL (the body is in hand; storing it again is idempotent)
      for (let wait = 1; ; wait++) {
        try {
          await this.handleBody(row, res, res.body, logBase);
          break;
        } catch (err) {
          if ((err as { code?: string }).code !== 'SQLITE_BUSY' || wait > 12) throw err;
          this.opts.onEvent?.({ type: 'warning', message: `${row.url}: the database is locked by another writer; waiting ${wait} s and trying again` });
          await new Promise((r) => setTimeout(r, wait * 1000));
        }
      }
    } catch (err) {
      // a database or extraction bug for this URL: record it, keep crawling
      const why = `internal error: ${(err as Error).message}`;
      if ((err as { code?: string }).code === 'SQLITE_BUSY') {
        // still locked after the waits: the row stays 'fetching' and the next run takes it up again (no failure)
        this.noteFailure(row.url, `${why} (left for the next run)`);
        return;
      }
      try {
        this.fail(row, why, res.status, attempt);
      } catch {
        /* the database itself is failing: the row stays 'fetching', and the next run counts it as a try */
      }
    }
  }

  private followRedirect(h: HostState, to: URL): 'follow' | 'return' {
    return to.host === h.host && (this.scope.allows(to) || this.fileHosts.has(h.host)) && (h.robots?.isAllowed(to) ?? true) ? 'follow' : 'return';
  }

  private async handleNotModified(row: FrontierRow, res: FetchResult, logBase: LogBase): Promise<void> {
    this.stats.notModified++;
    // the stored body is still current: re-read it for links when it was a list page
    const sha = row.content_sha256;
    const raw = sha ? readBlob(this.db, sha) : undefined; // decompressed (store/blobs.ts)
    const blob = raw ? { bytes: raw } : undefined;
    if (blob && (row.role === 'list' || row.role === 'wrapper')) {
      await this.handleBody(row, res, new Uint8Array(blob.bytes), logBase, true);
      return;
    }
    this.db.transaction(() => {
      this.frontier.log({ ...logBase, sha256: sha, error: null });
      this.frontier.finish(row.url, { state: 'done', status: 304, finalUrl: res.finalUrl, tries: 0 });
      this.queuedCount--;
    })();
  }

  private async handleBody(
    row: FrontierRow,
    res: FetchResult,
    body: Uint8Array,
    logBase: LogBase & Pick<FetchLogEntry, 'render'>,
    notModified = false,
  ): Promise<void> {
    const contentType = res.headers['content-type'];
    const finalUrl = res.finalUrl;
    const sha = sha256Hex(body);
    // a download's own name (Content-Disposition, a filename= query value) tells its form and names it
    const fileName = downloadName(finalUrl, res.headers);
    const kind = sniffKind(body, contentType, fileName ?? new URL(finalUrl).pathname);
    const validators = notModified ? {} : { etag: res.headers['etag'] ?? null, lastModified: res.headers['last-modified'] ?? null };
    const finish = (role: string, extra: { links?: FoundLink[]; reportId?: number; error?: string } = {}) => {
      this.db.transaction(() => {
        if (!notModified && !extra.reportId) storeBlob(this.db, body, sha);
        this.frontier.log({ ...logBase, sha256: sha, error: null });
        this.enqueueLinks(extra.links ?? [], row, depthOf, role === 'wrapper' || role === 'report');
        this.frontier.finish(row.url, {
          state: 'done',
          status: res.status,
          sha256: sha,
          contentType: contentType ?? null,
          finalUrl,
          role,
          reportId: extra.reportId ?? null,
          error: extra.error ?? null,
          tries: 0,
          ...validators,
        });
        this.queuedCount--;
      })();
    };

    // a list API's answer (Hanweb dataproxy.jsp, a TRS list's JSON), a sitemap: read for links only
    const api = row.kind_hint === 'api' ? parseApiInfo(row.api) : null;
    if (api || row.kind_hint === 'sitemap') {
      const links = api
        ? discoverAnswer(decodeBytes(body, { contentType, kind: 'text' }).text, requestUrl(row), row.method === 'POST' ? 'POST' : 'GET', row.body, api)
        : discoverSitemap(body, finalUrl);
      finish(api ? 'list' : 'sitemap', { links });
      return;
    }
    if (kind === 'html') {
      const { text } = decodeBytes(body, { contentType, kind: 'html' });
      // a hash-routed page is the app's shell shown at its route: the route stays part of its URL
      const route = hashRoute(row.url);
      const pageUrl = route && !hashRoute(finalUrl) ? finalUrl + route : finalUrl;
      if (route) res = { ...res, finalUrl: pageUrl }; // its report's source is the route, not the shell
      let page = discover(text, pageUrl);
      // fetch → (render when the page's scripts build what the HTML lacks) → discover
      const out = await this.renderStep.render(row.url, pageUrl, text, page, body, contentType, row.seed_label ?? new URL(finalUrl).host);
      const rendered = out.use;
      if (rendered) page = rendered.page;
      if (out.record) logBase = { ...logBase, render: out.record };
      if (out.files.length) await this.takeFiles(row, rendered ? page : null, out.files);
      // [h18 hook 4/5] the page's own site in the registry; other government sites become seeds;
      // a site outside --region is not read beyond its home page
      if (this.sites) page = this.sites.onPage(row, finalUrl, text, page);
      if (page.role === 'report') {
        const resources = page.images.length ? await this.fetchImages(this.hostState(row.host), page.images) : [];
        if (rendered) {
          // the rendered DOM is the document extracted and stored as the report; the response stays in blobs
          // UTF-8 with a byte order mark: the DOM is text now, whatever charset its <meta> still declares
          const dom = new TextEncoder().encode('\uFEFF' + rendered.dom);
          const raw = { body, sha, stored: notModified };
          await this.extractAndStore(row, res, dom, sha256Hex(dom), 'text/html; charset=utf-8', logBase, validators, page.links, page.allLinks, undefined, resources, raw);
          return;
        }
        await this.extractAndStore(row, res, body, sha, contentType, logBase, validators, page.links, page.allLinks, undefined, resources);
        return;
      }
      finish(page.role, { links: page.links });
      return;
    }
    const format = kind === 'binary' ? sniffFormat(body, contentType, fileName ?? new URL(finalUrl).pathname) : kind;
    if (kind === 'pdf' || kind === 'text' || FILE_FORMATS.has(format) || (format === 'image' && row.kind_hint === 'attachment')) {
      // every form of a report file goes to extraction (a form with no reader yet: unsupported_format, bytes kept)
      await this.extractAndStore(row, res, body, sha, contentType, logBase, validators, [], [], fileName);
      return;
    }
    this.stats.notReports++;
    finish('not_report', { error: `not a document (${kind})` });
  }

  private async extractAndStore(
    row: FrontierRow,
    res: FetchResult,
    body: Uint8Array,
    sha: string,
    contentType: string | undefined,
    logBase: LogBase,
    validators: { etag?: string | null; lastModified?: string | null },
    links: FoundLink[],
    linksIfNotReport: FoundLink[],
    fileName?: string,
    resources: PageResource[] = [],
    /** The response as fetched, when `body` is its rendered DOM. */
    raw?: { body: Uint8Array; sha: string; stored: boolean },
  ): Promise<void> {
    const fetchedSha = raw?.sha ?? sha;
    const keepRaw = () => {
      if (raw && !raw.stored) storeBlob(this.db, raw.body, raw.sha);
    };
    let report: Report | null = null;
    if (!this.opts.discoverOnly) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), this.opts.extractTimeoutMs);
      });
      const out = await Promise.race([
        extractInPool(body, {
          source: fileName ?? res.finalUrl,
          url: res.finalUrl,
          contentType,
          ...(resources.length ? { resources: resourceMap(resources) } : {}),
        }, { timeoutMs: this.opts.extractTimeoutMs }), // the limit ends the work too: the pool stops the thread
        timeout,
      ]);
      clearTimeout(timer);
      if (out === 'timeout') {
        const why = `extraction did not finish within ${this.opts.extractTimeoutMs} ms`;
        this.db.transaction(() => {
          storeBlob(this.db, body, sha);
          keepRaw();
          this.frontier.log({ ...logBase, sha256: fetchedSha, error: why });
          this.fail(row, why, res.status, 0);
        })();
        return;
      }
      report = out;
    }
    this.db.transaction(() => {
      let reportId: number | null = null;
      let role = 'report';
      let error: string | null = null;
      let follow = links;
      if (report && report.status === 'not_a_report') {
        role = 'not_report';
        follow = linksIfNotReport; // a page taken for a report that is not one: read it as a list
        storeBlob(this.db, body, sha);
        this.stats.notReports++;
        this.opts.onEvent?.({ type: 'not_report', url: row.url, status: report.status });
      } else if (report) {
        const r = ingestReport(this.db, report, body, { sourceUrl: res.finalUrl }, [placeRowsWriter]);
        this.frontier.storeSeedLabel(sha, row.seed_label);
        // review set: link the body across years, cross-year checks. Never loses the report: on a failure
        // here it stays stored and \`nianbao review recompute\` redoes the step.
        if (r.created) {
          try {
            afterIngest(this.db, r.reportId);
          } catch {
            /* see above */
          }
        }
        reportId = r.reportId;
        this.stats.reports++;
        if (r.created) this.stats.stored++;
        else this.stats.alreadyStored++;
        this.reportIds.add(r.reportId);
        if (report.status === 'error') error = `extraction failed: ${report.problems.map((p) => p.message).join('; ')}`;
        this.opts.onEvent?.({
          type: 'report',
          url: row.url,
          reportId: r.reportId,
          created: r.created,
          status: report.status,
          agency: report.agency,
          year: report.year,
          failedChecks: report.checks.filter((c) => c.status === 'fail').length,
        });
      } else {
        storeBlob(this.db, body, sha);
      }
      keepRaw();
      // a page's pictures are kept whatever extraction made of it now (reextract reads them again)
      if (resources.length) storePageResources(this.db, sha, resources);
      this.frontier.log({ ...logBase, sha256: fetchedSha, error });
      this.enqueueLinks(follow, row, depthOf, role === 'wrapper' || role === 'report');
      this.frontier.finish(row.url, {
        state: 'done',
        status: res.status,
        sha256: fetchedSha,
        contentType: res.headers['content-type'] ?? contentType ?? null,
        finalUrl: res.finalUrl,
        role,
        reportId,
        error,
        tries: 0,
        ...validators,
      });
      this.queuedCount--;
      if (error) this.noteFailure(row.url, error);
    })();
  }

  // ---- the browser's requests --------------------------------------------------------------

  /**
   * A request of a rendered page (method and scope already checked by the render step), made by the
   * crawler's own fetcher: robots.txt, the host's budget (one exchange at a time with the client's)
   * and delays hold as for any fetch; logged in fetch_log (a POST under its frontier key,
   * URL#POST:BODY), with the page's own Content-Type.
   */
  private async browserFetch(u: URL, req: BrowserRequest, capture?: (f: CapturedFile) => void): Promise<BrowserAnswer> {
    const h = this.hostState(u.host);
    h.pins++;
    try {
      return await this.browserExchange(h, u, req, capture);
    } finally {
      h.pins--;
    }
  }

  /** A fetch beside the frontier's (a rendered page's request, a report page's picture), in the host's budget. */
  private async sideFetch(h: HostState, url: string, fromBrowser: boolean, extra: Pick<FetchOptions, 'method' | 'body' | 'headers' | 'cookie' | 'errorBodyBytes'> = {}): Promise<FetchResult> {
    const res = await this.hostExchange(h, fromBrowser, () =>
      fetchUrl(url, {
        ...extra,
        dispatcher: this.agent,
        userAgent: this.opts.userAgent,
        timeoutMs: this.opts.timeoutMs,
        maxBytes: this.opts.maxBytes,
        maxRedirects: this.opts.maxRedirects,
        onRedirect: (_from, to) => this.followRedirect(h, to),
      }),
    );
    this.noteResponse(h, res);
    this.stats.bytes += res.wireBytes;
    return res;
  }

  private async browserExchange(h: HostState, u: URL, req: BrowserRequest, capture?: (f: CapturedFile) => void): Promise<BrowserAnswer> {
    if (!h.robots) await this.loadRobots(h, true);
    if (!h.robots) return { ok: false, why: 'robots.txt of the host not available' };
    if (!h.robots.isAllowed(u)) return { ok: false, why: `robots.txt: ${h.robots.matchedRule(u) ?? 'Disallow'}` };
    if (h.setAsideUntil > Date.now()) return { ok: false, why: 'host set aside after failures' };
    const post = req.method === 'POST';
    const headers: Record<string, string> = {};
    for (const k of PASSED_HEADERS) if (req.headers[k]) headers[k] = req.headers[k];
    if (post && !headers['content-type']) headers['content-type'] = 'text/plain;charset=UTF-8'; // fetch()'s default for a string body
    // the browser's own cookies (a challenge being passed), else the host's kept ones
    const cookie = req.headers['cookie'] || this.challenges.cookieHeader(h.host);
    const res = await this.sideFetch(h, u.href, true, { ...(post ? { method: 'POST', body: req.body ?? '' } : {}), headers, cookie, errorBodyBytes: CHALLENGE_BODY_BYTES });
    const error = res.error ? `${res.error.code}: ${res.error.message}` : null;
    const file = capture && !error && req.resourceType !== 'script' ? documentFile(res) : null;
    // a document file fetched for a rendered page (a download API): the crawler takes it (takeFiles), logged there
    if (file) capture!({ url: u.href, method: post ? 'POST' : 'GET', body: post ? (req.body ?? '') : null, format: file.format, name: file.name, result: res });
    else this.logExchange(post ? requestKey(u.href, 'POST', req.body ?? '') : u.href, res, null, error);
    if (res.error || res.status === null) return { ok: false, why: error ?? 'no response' };
    if (res.redirectTo) return { ok: true, status: 302, headers: { location: res.redirectTo }, body: new Uint8Array() };
    return { ok: true, status: res.status, headers: res.headers, body: res.body ?? new Uint8Array() };
  }

  /**
   * The document files a rendered page's scripts fetched (a report behind a download button): those
   * the rendered page keeps as its attachments (a wrapper's, a list's report files) become frontier
   * rows handled from the bytes already fetched, never asked for again; a file already in the
   * frontier, or one the page does not keep (a report page with its tables has its report), is only
   * logged. `page`: the rendered page's discovery (null: rendering changed nothing, nothing kept).
   */
  private async takeFiles(from: FrontierRow, page: PageLinks | null, files: CapturedFile[]): Promise<void> {
    const kept = new Set((page?.links ?? []).filter((l) => l.kind === 'attachment').map((l) => requestKey(l.url, l.method ?? 'GET', l.body)));
    for (const f of files) {
      const key = requestKey(f.url, f.method, f.body);
      const u = new URL(f.url);
      const added =
        kept.has(key) &&
        !this.stopping &&
        this.frontier.add({ url: f.url, host: u.host, depth: from.depth + 1, priority: PRIORITY.attachment, kindHint: 'attachment', from: from.url, method: f.method, body: f.body, seedLabel: from.seed_label });
      const row = added && this.frontier.claim(key) && this.frontier.start(key) ? this.frontier.get(key) : undefined;
      if (!row) {
        this.logExchange(key, f.result, f.result.body ? sha256Hex(f.result.body) : null, null);
        continue;
      }
      this.queuedCount++;
      this.stats.fetched++;
      await this.afterFetch(this.hostState(u.host), row, f.result);
    }
  }

  /**
   * A page's links into the frontier, at most `maxLinksPerPage` of them (issue 20: a page of 550,000
   * links put them all in): the most promising kinds first (reports, attachments, pagers…), in page
   * order within a kind; the rest are left out with a warning that names the limit.
   */
  private enqueueLinks(
    links: FoundLink[],
    from: Pick<FrontierRow, 'url' | 'seed_label' | 'depth'>,
    depthOf: (l: FoundLink, d: number) => number,
    fromReport = false,
  ): void {
    let chosen = links;
    const cap = this.opts.maxLinksPerPage;
    if (links.length > cap) {
      chosen = links
        .map((l, i) => ({ l, i }))
        .sort((a, b) => (PRIORITY[b.l.kind as KindHint] ?? 0) - (PRIORITY[a.l.kind as KindHint] ?? 0) || a.i - b.i)
        .slice(0, cap)
        .map((x) => x.l);
      this.opts.onEvent?.({
        type: 'warning',
        message: `${from.url}: ${links.length.toLocaleString('en-US')} links; the first ${cap.toLocaleString('en-US')} (reports, attachments and pagers first) put in the frontier, the rest left out (limit maxLinksPerPage = ${cap})`,
      });
    }
    // [h16b] a report page's (or wrapper's) own attachments on another host (a CDN, a file. server): fetched as
    // the page's own files, never a crawl of that host; only from a page that is itself in scope
    const ownFiles = fromReport && this.scope.allows(from.url);
    for (const l of chosen) this.enqueue(l, from, depthOf(l, from.depth), ownFiles && l.kind === 'attachment');
  }

  private enqueue(l: FoundLink, from: Pick<FrontierRow, 'url' | 'seed_label' | 'depth'>, depth: number, ownFile = false): void {
    let u: URL;
    try {
      u = new URL(l.url);
    } catch {
      return;
    }
    if (!this.scope.allows(u)) {
      if (!ownFile || (u.protocol !== 'http:' && u.protocol !== 'https:')) return;
      this.fileHosts.add(u.host);
    }
    const limit = l.kind === 'attachment' ? this.opts.maxDepth + 1 : this.opts.maxDepth;
    if (depth > limit) return;
    const kindHint: KindHint = l.kind;
    const added = this.frontier.add({
      url: u.href,
      host: u.host,
      depth,
      priority: PRIORITY[kindHint],
      kindHint,
      from: from.url,
      method: l.method,
      body: l.body,
      api: l.api ? JSON.stringify(l.api) : null,
      seedLabel: from.seed_label,
    });
    if (added) {
      this.queuedCount++;
      const h = this.hostState(u.host);
      if (h.workers === 0 || (h.workers < this.opts.perHost)) queueMicrotask(() => this.wake(h));
    }
  }

  /** [h18 hook 5/5] A discovered site's home page, queued as a seed (--follow-sites). */
  private addSiteSeed(url: string, label: string | null, from: string): void {
    const u = new URL(url);
    this.scope.addSeed(u.href);
    const added = this.frontier.add({ url: u.href, host: u.host, depth: 0, priority: PRIORITY.seed, kindHint: 'seed', from, seedLabel: label });
    if (added) {
      this.queuedCount++;
      const h = this.hostState(u.host);
      queueMicrotask(() => this.wake(h));
    }
  }

  /**
   * The images of a report page whose tables are pictures, fetched within the page's turn on its
   * host: one at a time, a polite delay before each, robots.txt obeyed, logged like every fetch. A
   * picture on another host (a CDN, an img. server) is the page's own too: fetched under that host's
   * robots.txt, budget and delays, outside the crawl's scope (only the page's pictures, nothing more
   * of that host). Images that fail are left out (the page is still extracted).
   */
  private async fetchImages(h: HostState, urls: string[]): Promise<PageResource[]> {
    const out: PageResource[] = [];
    for (const url of urls) {
      if (this.stopping) break;
      const u = new URL(url);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') continue;
      const other = u.host !== h.host;
      const hi = other ? this.hostState(u.host) : h;
      if (other) hi.pins++;
      try {
        if (other && !hi.robots) await this.loadRobots(hi, true);
        if (!(hi.robots?.isAllowed(u) ?? false) || hi.setAsideUntil > Date.now()) continue;
        await this.sleep(this.delayFor(hi));
        const res = await this.sideFetch(hi, url, false, { cookie: this.challenges.cookieHeader(hi.host) });
        this.stats.fetched++;
        const ok = res.status !== null && res.status >= 200 && res.status < 300 && res.body && isImage(res.body, res.headers['content-type'], res.finalUrl);
        const why = res.error ? `${res.error.code}: ${res.error.message}` : res.body && res.status === 200 ? 'not an image' : `HTTP ${res.status}`;
        this.logExchange(url, res, ok ? sha256Hex(res.body!) : null, ok ? null : why);
        if (ok) out.push({ url, bytes: res.body! });
      } finally {
        if (other) hi.pins--;
      }
    }
    return out;
  }

  /** A fetch_log row for an exchange outside the frontier (robots.txt, a page's pictures). */
  private logExchange(url: string, res: FetchResult, sha256: string | null, error: string | null): void {
    this.frontier.log({ ...exchange(url, res), sha256, error, attempt: 1 });
  }

  /** Exponential backoff with "equal jitter" for the n-th try (n ≥ 1), bounded by backoffMaxMs. */
  private backoff(n: number): number {
    const exp = Math.min(this.opts.backoffMaxMs, this.opts.backoffBaseMs * 2 ** (n - 1));
    return exp / 2 + Math.random() * (exp / 2);
  }

  private retry(row: FrontierRow, why: string, status: number | null, retryAfterMs: number | undefined): void {
    const tries = row.tries + 1;
    if (tries >= this.opts.maxTries) {
      this.fail(row, `${why} (gave up after ${tries} tries)`, status, tries);
      return;
    }
    const wait = retryAfterMs !== undefined ? Math.min(retryAfterMs, this.opts.maxRetryAfterMs) : this.backoff(tries);
    this.frontier.retry(row.url, tries, Date.now() + wait, status, why);
    this.stats.retries++;
    this.opts.onEvent?.({ type: 'retry', url: row.url, error: why, tries, inMs: Math.round(wait) });
  }

  private fail(row: FrontierRow, why: string, status: number | null, tries?: number): void {
    this.frontier.finish(row.url, { state: 'failed', status, error: why, tries });
    this.queuedCount--;
    this.stats.failed++;
    this.noteFailure(row.url, why);
    this.opts.onEvent?.({ type: 'failed', url: row.url, error: why });
  }

  private noteFailure(url: string, error: string): void {
    if (this.failures.length < MAX_FAILURES_LISTED) this.failures.push({ url, error });
  }
}

export async function crawl(db: Database.Database, opts: Partial<CrawlOptions> & { seeds: string[] }): Promise<CrawlSummary> {
  return new Crawler(db, opts).run();
}
