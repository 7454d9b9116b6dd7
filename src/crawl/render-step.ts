/**
 * The crawler's rendering step: given a fetched HTML page and its static discovery, whether to render
 * it, the rendering itself (through the browser session, its requests handed back to the crawler's
 * polite fetcher), and what rendering found. Decided per host and page template by comparison and
 * remembered (render-memory.ts); bounded by --max-render; each page's requests checked for method and
 * scope before the crawler's fetcher sees them. The crawl loop calls `render` and reads `stats`.
 * Knows nothing of the frontier's rows beyond a URL, nor of extraction.
 */
import type Database from 'better-sqlite3';
import PQueue from 'p-queue';
import { ALLOWED_METHODS, Renderer, discoverRendered, withoutHash, type BrowserAnswer, type BrowserRequest, type RenderResult } from './browser/session.js';
import { hashRoute, type FoundLink, type PageLinks } from './discover.js';
import type { FetchResult } from './fetcher.js';
import type { LinkFormat } from './attachments.js';
import { renderCandidate } from './render-decide.js';
import { RenderMemory, compareRendered, pageTemplate, type RenderVerdict } from './render-memory.js';
import { pageParameter, replayRequests, type SeenRequest } from './cms/replay.js';

export interface RenderStats {
  /** Pages rendered in the browser, the requests it made through the crawler, and those refused. */
  rendered: number;
  renderRequests: number;
  renderAborted: number;
  /** Connections the browser tried outside routing (a WebSocket, a preconnect…): dropped by its proxy sink. */
  renderEscapes: number;
}

/** What rendering did for one seed's list pages: the researcher sees a column the tool could not read. */
export interface SeedRendering {
  /** The seed's label, or the host of its pages when it had none. */
  seed: string;
  /** List pages rendered. */
  rendered: number;
  /** List pages whose list grew by interaction (pager or 加载更多 clicks, scrolling): their URLs. */
  interacted: string[];
  /** List pages with no report link even after rendering: their URLs. */
  emptyAfterRender: string[];
}
/** What rendering did for one page, kept on its fetch_log row (render_seed, render_role, render_clicks, render_report_links). */
export interface PageRender {
  seed: string;
  /** The rendered page's role (list when its DOM could not be read). */
  role: string;
  clicks: number;
  reportLinks: number;
}

/**
 * A document file a rendered page's script fetched (a download API behind a button): its exchange
 * made by the crawler's fetcher, not logged yet. The crawler takes it as the page's attachment (one
 * frontier row, stored from these bytes: never asked for again) or logs it as left.
 */
export interface CapturedFile {
  /** The request: its URL, method and body (a POST's frontier key is URL#POST:BODY). */
  url: string;
  method: 'GET' | 'POST';
  body: string | null;
  format: LinkFormat;
  /** Its name (Content-Disposition, a filename= value), if any. */
  name: string | null;
  result: FetchResult;
}

/** What `render` gives back: the page to use (null: read as fetched), what rendering did, the files its scripts fetched. */
export interface RenderOutcome {
  use: { page: PageLinks; dom: string } | null;
  record: PageRender | null;
  files: CapturedFile[];
}


/** URLs listed per seed and kind at most. */
const MAX_LISTED = 20;

export type RenderEvent =
  | { type: 'rendered'; url: string; reason: string; ms: number; requests: number; aborted: number; clicks: number; timedOut: boolean; reportLinks: number }
  /** A request of a rendered page that the crawler refused (out of scope, robots.txt, PUT/DELETE/PATCH, a WebSocket…). */
  | { type: 'render_aborted'; url: string; page: string; why: string }
  /** Whether pages of a template on a host are rendered, decided by rendering one (render-memory.ts). */
  | { type: 'render_decided'; host: string; template: string; verdict: RenderVerdict; reason: string; url: string }
  | { type: 'warning'; message: string };

export interface RenderStepOptions {
  render: boolean;
  maxRender: number;
  renderTimeoutMs: number;
  maxRenderClicks: number;
  browserPath?: string;
  userAgent: string;
  concurrency: number;
  /** Is this URL in the crawl's scope? */
  inScope: (u: URL) => boolean;
  /**
   * The crawler's polite fetch of a page's request (robots.txt, host budget, delays, fetch_log). A
   * document file answered to a rendered page is handed to `capture` instead of being logged.
   */
  fetch: (u: URL, req: BrowserRequest, capture?: (f: CapturedFile) => void) => Promise<BrowserAnswer>;
  /** True once the crawl is stopping. */
  stopping: () => boolean;
  onEvent: (e: RenderEvent) => void;
}

export class RenderStep {
  private readonly renderer: Renderer | null;
  private readonly memory: RenderMemory;
  private readonly queue: PQueue;
  private limitSaid = false;
  private readonly seeds = new Map<string, SeedRendering>();

  constructor(
    db: Database.Database,
    private readonly o: RenderStepOptions,
    readonly stats: RenderStats,
  ) {
    this.memory = new RenderMemory(db);
    this.renderer = o.render
      ? new Renderer({
          userAgent: o.userAgent,
          executablePath: o.browserPath,
          warn: (message) => o.onEvent({ type: 'warning', message }),
          onWebSocket: (url) => {
            stats.renderAborted++;
            o.onEvent({ type: 'render_aborted', url, page: '', why: 'WebSocket not made (only HTTP through the fetcher)' });
          },
        })
      : null;
    this.queue = new PQueue({ concurrency: Math.min(2, o.concurrency) });
  }

  /**
   * Renders the page in the browser when rendering pages of its template brings what the static HTML
   * lacks: remembered per host and template; a template not yet decided is decided by rendering a
   * candidate page once and comparing its links with the static ones. Within --max-render. The
   * rendered page's discovery and its settled DOM, or null (read as fetched).
   */
  async render(
    frontierUrl: string,
    url: string,
    html: string,
    page: PageLinks,
    body: Uint8Array,
    contentType: string | undefined,
    seed: string,
  ): Promise<RenderOutcome> {
    const none: RenderOutcome = { use: null, record: null, files: [] };
    if (!this.renderer || !this.renderer.available || this.o.stopping()) return none;
    // a hash route is what the page's script shows for it: its static HTML is the app's shell
    const route = hashRoute(url);
    if (page.role === 'report' && !route) return none; // its tables are in the HTML
    const u = new URL(url);
    const template = pageTemplate(u);
    const known = this.memory.get(u.host, template);
    if (known === 'static') return none;
    let reason: string;
    if (known === 'render') reason = `pages of ${template} are rendered (decided by comparison)`;
    else if (route) reason = `a hash route (${route}): only the page's script shows it`;
    else {
      const candidate = renderCandidate(html, page);
      if (!candidate.render) return none;
      reason = candidate.reason;
    }
    if (this.stats.rendered >= this.o.maxRender) {
      if (!this.limitSaid) {
        this.limitSaid = true;
        this.o.onEvent({ type: 'warning', message: `--max-render ${this.o.maxRender} reached: later script-built pages are read as fetched` });
      }
      return none;
    }
    this.stats.rendered++;
    let r: RenderResult | null;
    const files: CapturedFile[] = [];
    const seen: { req: SeenRequest; answer: string }[] = [];
    try {
      r = await this.queue.add(() =>
        this.renderer!.render({
          url,
          body,
          contentType,
          timeoutMs: this.o.renderTimeoutMs,
          maxClicks: this.o.maxRenderClicks,
          fetch: (req) => this.pageRequest(req, (f) => files.push(f), seen),
          onAborted: (aborted, why) => {
            this.stats.renderAborted++;
            this.o.onEvent({ type: 'render_aborted', url: aborted, page: frontierUrl, why });
          },
        }),
      );
    } catch (err) {
      this.stats.rendered--;
      this.o.onEvent({ type: 'warning', message: `rendering ${url} failed: ${(err as Error)?.message ?? String(err)}; read as fetched` });
      return { ...none, files };
    }
    if (!r) {
      this.stats.rendered--;
      return { ...none, files };
    }
    this.stats.renderRequests += r.requests;
    this.stats.renderEscapes = this.renderer.escapes;
    // the files its scripts fetched are the page's own attachments (a download API behind a button)
    const fileLinks: FoundLink[] = files.map((f) => ({ url: f.url, kind: 'attachment', text: f.name ?? '', format: f.format, ...(f.method === 'POST' ? { method: 'POST' as const, body: f.body ?? '' } : {}) }));
    // links resolve against the page as asked for (its hash route kept), unless its script went to
    // another document; a route its clicks went to (#/list/2) is a page of its own, not this one
    const shown = withoutHash(r.finalUrl) === withoutHash(url) ? url : r.finalUrl;
    const rendered = r.doms.length ? discoverRendered(r.doms, shown, fileLinks) : null;
    const reportLinks = rendered?.links.filter((l) => l.kind === 'report' || l.kind === 'attachment').length ?? 0;
    this.o.onEvent({ type: 'rendered', url: frontierUrl, reason, ms: r.ms, requests: r.requests, aborted: r.aborted, clicks: r.clicks, timedOut: r.timedOut, reportLinks });
    const record: PageRender = { seed, role: rendered?.role ?? 'list', clicks: r.clicks, reportLinks };
    if (!rendered || rendered.role === 'list') {
      let s = this.seeds.get(seed);
      if (!s) this.seeds.set(seed, (s = { seed, rendered: 0, interacted: [], emptyAfterRender: [] }));
      s.rendered++;
      if (r.clicks > 0 && s.interacted.length < MAX_LISTED) s.interacted.push(frontierUrl);
      if (reportLinks === 0 && s.emptyAfterRender.length < MAX_LISTED) s.emptyAfterRender.push(frontierUrl);
    }
    if (!rendered) return { use: null, record, files };
    // list-API replay: where the render's bounds cut the list's interaction short (its clicks or its
    // time), the API request the list came from is asked again with its next page values through the
    // frontier (polite, in scope, logged like any list API) instead of clicking on
    const cutShort = r.clicks >= this.o.maxRenderClicks || r.timedOut;
    if (rendered.role === 'list' && seen.length && cutShort) {
      const reports = rendered.links.filter((l) => l.kind === 'report' || l.kind === 'attachment').map((l) => l.url);
      for (const r of replayRequests(seen, reports, false)) {
        const l: FoundLink = { url: r.url, kind: 'api', text: 'replay', ...(r.method === 'POST' ? { method: 'POST' as const, body: r.body ?? '' } : {}), api: r.api };
        rendered.links.push(l);
        rendered.allLinks.push(l);
      }
    }
    if (known === 'render' || route) {
      // a hash route is rendered whatever its template's verdict says: it is decided only for the record
      if (route && known === undefined) {
        const c = compareRendered(page, rendered);
        this.memory.record(u.host, template, frontierUrl, c);
        this.o.onEvent({ type: 'render_decided', host: u.host, template, verdict: c.verdict, reason: c.reason, url: frontierUrl });
      }
      return { use: { page: rendered, dom: r.doms[0] }, record, files };
    }
    const c = compareRendered(page, rendered);
    // a render cut short that brought nothing decides nothing: the next page of the template is tried
    if (c.verdict === 'render' || !r.timedOut) {
      this.memory.record(u.host, template, frontierUrl, c);
      this.o.onEvent({ type: 'render_decided', host: u.host, template, verdict: c.verdict, reason: c.reason, url: frontierUrl });
    }
    return { use: c.verdict === 'render' ? { page: rendered, dom: r.doms[0] } : null, record, files };
  }

  /** A request of a rendered page: GET or POST with any body, in scope, then the crawler's polite fetch. */
  private async pageRequest(req: BrowserRequest, capture?: (f: CapturedFile) => void, seen?: { req: SeenRequest; answer: string }[]): Promise<BrowserAnswer> {
    let u: URL;
    try {
      u = new URL(req.url);
    } catch {
      return { ok: false, why: 'not a URL' };
    }
    u.hash = '';
    if (this.o.stopping()) return { ok: false, why: 'the crawl is stopping' };
    if (!ALLOWED_METHODS.has(req.method)) return { ok: false, why: `${req.method} request not made` };
    if (!this.o.inScope(u)) return { ok: false, why: 'out of scope' };
    const answer = await this.o.fetch(u, req, capture);
    // a request with a page parameter answered with text: a list API the page may be replayed from
    if (seen && answer.ok && answer.status >= 200 && answer.status < 300 && answer.body.length < 4 << 20 && (req.method === 'GET' || req.method === 'POST')) {
      const s: SeenRequest = { url: u.href, method: req.method, body: req.body, contentType: req.headers['content-type'] ?? '' };
      if (seen.length < 200 && pageParameter(s)) seen.push({ req: s, answer: new TextDecoder('utf-8').decode(answer.body) });
    }
    return answer;
  }

  /**
   * A JavaScript cookie challenge passed in the browser (challenge.ts): its script's requests in scope
   * and through the crawler's polite fetch like any page's. Null when rendering is off or no browser.
   */
  async passChallenge(
    url: string,
    status: number,
    headers: Record<string, string>,
    body: Uint8Array,
    isChallenge: (status: number, body: Uint8Array) => boolean,
  ): Promise<{ passed: boolean; cookies: { name: string; value: string }[]; why?: string } | null> {
    if (!this.renderer || !this.renderer.available || this.o.stopping()) return null;
    return this.queue.add(() =>
      this.renderer!.passChallenge({
        url,
        status,
        body,
        contentType: headers['content-type'],
        setCookie: headers['set-cookie'],
        fetch: (req) => this.pageRequest(req),
        isChallenge,
        timeoutMs: this.o.renderTimeoutMs,
        maxNavigations: 4,
      }),
    ) as Promise<{ passed: boolean; cookies: { name: string; value: string }[]; why?: string } | null>;
  }

  /** What rendering did per seed, this run. */
  bySeed(): SeedRendering[] {
    return [...this.seeds.values()].sort((a, b) => (a.seed < b.seed ? -1 : a.seed > b.seed ? 1 : 0));
  }

  async close(): Promise<void> {
    await this.renderer?.close();
  }
}
