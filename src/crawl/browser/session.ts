/**
 * Rendering script-built pages in headless Chromium (playwright-core driving Debian's
 * /usr/bin/chromium: no browser download). The browser never touches the network itself: every
 * request it makes (the document, XHR, fetch, scripts; GET or POST with any body) is routed
 * (`page.route('**\/*')`) to a fetch function the crawler supplies, which applies the crawler's
 * scope, robots.txt rules and per-host budget and delays, and the answer is handed back with
 * `route.fulfill`. Images, fonts, styles and media are aborted; service workers are blocked.
 * The page's first document is the bytes the crawler already fetched (no second request).
 *
 * What routing cannot see is closed by the browser's own settings (CONTAINMENT_ARGS): its proxy is
 * a sink of ours on loopback that drops every connection (so a WebSocket, a preconnect or anything
 * else that bypasses routing reaches no server, and is counted as `escapes`), it resolves no host
 * name itself (no DNS prefetch), WebRTC may use no UDP outside the proxy and RTCPeerConnection is
 * removed from every page, WebSockets are answered by a closed mock (`routeWebSocket`).
 *
 * The browser starts lazily, on the first page that needs it; a browser that cannot start is one
 * warning, and every later render answers null (the crawl goes on without rendering).
 * Knows nothing of the frontier or of reports: it returns the rendered DOM (and the DOM after each
 * click on a script pager button).
 */
import type { Server } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Route } from 'playwright-core';
import { discover, LinkSet, type FoundLink, type PageLinks } from '../discover.js';
export { ALLOWED_METHODS } from './containment.js';
import { ALLOWED_METHODS, CONTAINMENT_ARGS, NO_WEBRTC, startSink } from './containment.js';
import { clickDownload, clickNext, scrollDown } from './interact.js';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

export interface BrowserRequest {
  url: string;
  method: string;
  /** The request body (a POST's form or JSON), or null. */
  body: string | null;
  headers: Record<string, string>;
  resourceType: string;
}

/** What the crawler answers for one browser request: a response, or a refusal (aborted, with the reason). */
export type BrowserAnswer =
  | { ok: true; status: number; headers: Record<string, string>; body: Uint8Array }
  | { ok: false; why: string };

export type BrowserFetch = (req: BrowserRequest) => Promise<BrowserAnswer>;

export interface RenderRequest {
  url: string;
  /** The page's bytes as the plain fetch got them (served to the browser as its document). */
  body: Uint8Array;
  contentType: string | undefined;
  fetch: BrowserFetch;
  /** A request refused (out of scope, robots.txt, a PUT/DELETE/PATCH) or a resource type not loaded. */
  onAborted?: (url: string, why: string) => void;
  timeoutMs: number;
  /** Clicks on a script pager button ("下一页" without a link) at most. */
  maxClicks: number;
  /** Clicks on download controls (下载, 下载附件, a file name: a script control, no link) at most; default 5. */
  maxDownloads?: number;
}

export interface ChallengeRequest {
  url: string;
  /** The challenge answer as the plain client got it. */
  status: number;
  body: Uint8Array;
  contentType: string | undefined;
  /** Its Set-Cookie header, if any (a cookie of the pair set by the server). */
  setCookie?: string;
  fetch: BrowserFetch;
  /** Is this answer the challenge again? */
  isChallenge: (status: number, body: Uint8Array) => boolean;
  timeoutMs: number;
  /** Reloads of the page followed at most. */
  maxNavigations: number;
}

export interface ChallengeResult {
  passed: boolean;
  cookies: { name: string; value: string }[];
  ms: number;
  why?: string;
}

export interface RenderResult {
  finalUrl: string;
  /** The serialised DOM after the page settled, then after each pager click that changed it. */
  doms: string[];
  requests: number;
  aborted: number;
  /** Interactions that changed the list (pager or 加载更多 clicks, scrolls to the bottom). */
  clicks: number;
  /** …of which scrolls. */
  scrolls: number;
  /** Download controls clicked (their requests went through `fetch` like any other). */
  downloads: number;
  /** The time bound ran out (what was rendered so far is returned). */
  timedOut: boolean;
  ms: number;
}

/** The URL without its fragment (what a request for it asks the server). */
export function withoutHash(url: string): string {
  const i = url.indexOf('#');
  return i < 0 ? url : url.slice(0, i);
}

/** Resource types never loaded: they cost the server and change no link. */
const SKIPPED_TYPES = new Set(['image', 'font', 'stylesheet', 'media', 'imageset', 'texttrack', 'manifest', 'beacon', 'csp_report', 'object']);
/** Time allowed past the deadline for reading the DOM of a page that ran out of time. */
const GRACE_MS = 2000;

/** The promise's value, or `fallback` once the time `until` (ms since epoch) has come. */
function bounded<T>(p: Promise<T>, until: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), Math.max(0, until - Date.now()));
  });
  p.catch(() => {}); // a late rejection after the fallback won is of no interest
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** Quiet time (no routed request in flight) after which a page counts as settled. */
const QUIET_MS = 120;
/** Time allowed after a click or scroll for the request it makes to reach routing. */
const AFTER_ACTION_MS = 600;
/** Time allowed for the document a click navigated to (a postback) to load. */
const NAVIGATION_MS = 8000;
/** Time allowed, once, for a click that changed nothing yet (its request late on a busy machine). */
const LATE_ACTION_MS = 1500;
/** Snapshots compared at most before the DOM counts as settled. */
const STEADY_ROUNDS = 5;
/** Response headers not passed on to the browser (the body is already decoded). */
const DROPPED_HEADERS = new Set(['content-encoding', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'set-cookie']);

export interface RendererOptions {
  userAgent: string;
  executablePath?: string;
  /** Said once, when the browser cannot start. */
  warn: (message: string) => void;
  /** A page's WebSocket, refused (never connected). */
  onWebSocket?: (url: string) => void;
}

export class Renderer {
  private browser: Browser | null = null;
  private launching: Promise<Browser | null> | null = null;
  private failed = false;
  private closed = false;
  private sink: Server | null = null;
  rendered = 0;
  /** Connections that reached the browser's proxy sink: network use that bypassed routing (refused). */
  escapes = 0;

  constructor(readonly opts: RendererOptions) {}

  /** False once the browser failed to start (or the renderer was closed). */
  get available(): boolean {
    return !this.failed && !this.closed;
  }

  private async launch(): Promise<Browser | null> {
    if (this.browser) return this.browser;
    if (this.failed || this.closed) return null;
    this.launching ??= (async () => {
      try {
        const sink = await startSink(() => {
          this.escapes++;
        });
        this.sink = sink.server;
        const b = await chromium.launch({
          executablePath: this.opts.executablePath ?? CHROMIUM_PATH,
          args: [...CHROMIUM_ARGS, ...CONTAINMENT_ARGS, `--proxy-server=http://127.0.0.1:${sink.port}`],
          // the crawler handles Ctrl-C itself (stops cleanly, then closes the browser); playwright's own
          // handlers would exit the process at once. Its exit handler still kills the browser on exit.
          handleSIGINT: false,
          handleSIGTERM: false,
          handleSIGHUP: false,
          timeout: 60_000,
        });
        if (this.closed) {
          await b.close().catch(() => {});
          return null;
        }
        this.browser = b;
        return b;
      } catch (err) {
        this.failed = true;
        const first = String((err as Error)?.message ?? err).split('\n')[0];
        this.opts.warn(`cannot start the browser (${this.opts.executablePath ?? CHROMIUM_PATH}): ${first}; crawling on without rendering script-built pages`);
        return null;
      }
    })();
    return this.launching;
  }

  /** Renders one page; null when no browser can be had. */
  async render(r: RenderRequest): Promise<RenderResult | null> {
    const browser = await this.launch();
    if (!browser) return null;
    const started = Date.now();
    const deadline = started + r.timeoutMs;
    const context = await browser.newContext({
      userAgent: this.opts.userAgent,
      serviceWorkers: 'block',
      javaScriptEnabled: true,
      acceptDownloads: false,
      locale: 'zh-CN',
    });
    await this.contain(context);
    let inFlight = 0;
    /** Requests that reached routing so far (an interaction's request may reach it late under load). */
    let routed = 0;
    let lastActivity = Date.now();
    let requests = 0;
    let aborted = 0;
    let documentServed = false;
    /** Navigations routed after the first document (a form posted by __doPostBack, a popup), and documents loaded. */
    let navigations = 0;
    let loads = 0;
    const abort = async (route: Route, url: string, why: string) => {
      aborted++;
      r.onAborted?.(url, why);
      await route.abort('blockedbyclient').catch(() => {});
    };
    const result: RenderResult = { finalUrl: r.url, doms: [], requests: 0, aborted: 0, clicks: 0, scrolls: 0, downloads: 0, timedOut: false, ms: 0 };
    try {
      // routed for the whole context: a popup (a download opened by window.open) goes through the fetcher too
      await context.route('**/*', async (route) => {
        const req = route.request();
        const url = req.url();
        inFlight++;
        routed++;
        lastActivity = Date.now();
        try {
          // the request of a hash-routed page carries no fragment (`/zfxxgk/#/detail/1` asks for `/zfxxgk/`)
          if (req.isNavigationRequest() && documentServed) {
            try {
              if (req.frame().parentFrame() === null) navigations++; // a top-level document, not a frame's
            } catch {
              /* a request with no frame */
            }
          }
          if (!documentServed && req.isNavigationRequest() && withoutHash(url) === withoutHash(r.url)) {
            documentServed = true;
            await route.fulfill({ status: 200, headers: { 'content-type': r.contentType ?? 'text/html' }, body: Buffer.from(r.body) });
            return;
          }
          if (SKIPPED_TYPES.has(req.resourceType())) {
            aborted++;
            await route.abort('blockedbyclient').catch(() => {});
            return;
          }
          if (!/^https?:/i.test(url)) return void (await abort(route, url, 'not an http(s) URL'));
          if (!ALLOWED_METHODS.has(req.method())) return void (await abort(route, url, `${req.method()} request not made`));
          if (Date.now() > deadline) return void (await abort(route, url, 'render time bound reached'));
          const answer = await r.fetch({ url, method: req.method(), body: req.postData(), headers: req.headers(), resourceType: req.resourceType() });
          if (!answer.ok) return void (await abort(route, url, answer.why));
          requests++;
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(answer.headers)) if (!DROPPED_HEADERS.has(k.toLowerCase())) headers[k] = v;
          await route.fulfill({ status: answer.status, headers, body: Buffer.from(answer.body) }).catch(() => {});
        } catch {
          await route.abort('failed').catch(() => {});
        } finally {
          inFlight--;
          lastActivity = Date.now();
        }
      });
      const page = await context.newPage();
      page.setDefaultTimeout(Math.max(1000, r.timeoutMs));
      page.on('load', () => loads++);
      const settle = async () => {
        // settled: nothing routed in flight for QUIET_MS (the page's scripts fetch and build in that time)
        while (Date.now() < deadline) {
          if (inFlight === 0 && Date.now() - lastActivity >= QUIET_MS) return true;
          await new Promise((resolve) => setTimeout(resolve, Math.min(25, Math.max(1, deadline - Date.now()))));
        }
        return false;
      };
      try {
        await page.goto(r.url, { waitUntil: 'load', timeout: Math.max(1, deadline - Date.now()) });
      } catch {
        result.timedOut = Date.now() >= deadline;
      }
      if (!(await settle())) result.timedOut = true;
      // a page whose script never yields (an endless loop) answers no call: every call is bounded
      // null: hung, or still navigating after one wait for its load (a form posted by __doPostBack)
      const snap = async (): Promise<string | null> => {
        const once = () => bounded(page.content(), deadline + GRACE_MS, null).catch(() => null);
        const dom = await once();
        if (dom !== null || Date.now() >= deadline) return dom;
        await bounded(page.waitForLoadState('load'), deadline, undefined).catch(() => {});
        if (!(await settle())) result.timedOut = true;
        return once();
      };
      // settled for the DOM too: snapshots QUIET_MS apart until two agree (a response handled after the
      // routed exchange ended, a chain of requests with gaps between them), a few rounds at most
      const steady = async (dom: string | null): Promise<string | null> => {
        for (let i = 0; i < STEADY_ROUNDS && dom !== null && Date.now() < deadline; i++) {
          await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
          if (!(await settle())) result.timedOut = true;
          const again = await snap();
          if (again === null || again === dom) break;
          dom = again;
        }
        return dom;
      };
      const first = await steady(await snap());
      if (first !== null) result.doms.push(first);
      else if (Date.now() >= deadline) result.timedOut = true;
      // a pager that is a button handled by script: click "next" while it changes the DOM
      let last = first;
      for (let tries = 0; tries < r.maxClicks && Date.now() < deadline && last !== null; tries++) {
        // a 下一页 / 加载更多 control, else the bottom of a list that grows as it is scrolled
        let scrolled = false;
        const navBefore = navigations;
        const loadBefore = loads;
        let acted = await bounded(clickNext(page), deadline, false);
        if (!acted) acted = scrolled = await bounded(scrollDown(page), deadline, false);
        if (!acted) break;
        // the request an interaction makes reaches routing after some delay: wait for one (bounded)
        const before = routed;
        const until = Math.min(deadline, Date.now() + AFTER_ACTION_MS);
        while (routed === before && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
        // the click posted a form or moved the page (a postback): its next document loaded first (bounded;
        // a navigation that turned into a download loads nothing)
        if (navigations > navBefore) {
          const loaded = Math.min(deadline, Date.now() + NAVIGATION_MS);
          while (loads === loadBefore && Date.now() < loaded) await new Promise((resolve) => setTimeout(resolve, 25));
        }
        lastActivity = Date.now();
        if (!(await settle())) result.timedOut = true;
        let dom = await steady(await snap());
        if (dom !== null && dom === last && Date.now() < deadline) {
          // nothing changed yet: on a busy machine the click's request (or the script handling its answer)
          // may come late; one longer wait before taking the list as ended
          const late = Math.min(deadline, Date.now() + LATE_ACTION_MS);
          while (routed === before && Date.now() < late) await new Promise((resolve) => setTimeout(resolve, 25));
          await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
          lastActivity = Date.now();
          if (!(await settle())) result.timedOut = true;
          dom = await steady(await snap());
        }
        if (dom === null || dom === last) break;
        result.clicks++;
        if (scrolled) result.scrolls++;
        result.doms.push(dom);
        last = dom;
      }
      // a report offered only behind a download control (a button whose script fetches /api/file?id=…,
      // a blob, window.open of a Content-Disposition download): clicked, its request goes through `fetch`
      const downloads = r.maxDownloads ?? 5;
      for (let i = 0; i < downloads && Date.now() < deadline && last !== null; i++) {
        if (!(await bounded(clickDownload(page), deadline, false))) break;
        result.downloads++;
        const before = routed;
        const until = Math.min(deadline, Date.now() + AFTER_ACTION_MS);
        while (routed === before && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
        lastActivity = Date.now();
        if (!(await settle())) result.timedOut = true;
      }
      result.finalUrl = page.url() === 'about:blank' ? r.url : page.url();
    } finally {
      await bounded(context.close(), Date.now() + 5000, undefined).catch(() => {});
    }
    this.rendered++;
    result.requests = requests;
    result.aborted = aborted;
    result.ms = Date.now() - started;
    return result;
  }

  /**
   * Passes a JavaScript cookie challenge (challenge.ts): the challenge page the crawler got is the
   * document, its script runs, and every request it makes (a second script, the reload) goes through
   * `fetch` with the context's cookies. Passed when a top-level navigation is answered 2xx with no
   * challenge (that answer is not rendered); the context's cookies for the URL are returned. Null when
   * no browser can be had.
   */
  async passChallenge(r: ChallengeRequest): Promise<ChallengeResult | null> {
    const browser = await this.launch();
    if (!browser) return null;
    const started = Date.now();
    const deadline = started + r.timeoutMs;
    const context = await browser.newContext({ userAgent: this.opts.userAgent, serviceWorkers: 'block', javaScriptEnabled: true, acceptDownloads: false, locale: 'zh-CN' });
    await this.contain(context);
    let documentServed = false;
    let navigations = 0;
    let passed = false;
    let why = 'the challenge page never reloaded into the site';
    let settle!: () => void;
    const done = new Promise<void>((resolve) => (settle = resolve));
    try {
      const page = await context.newPage();
      await page.route('**/*', async (route) => {
        const req = route.request();
        const url = req.url();
        try {
          if (!documentServed && req.isNavigationRequest() && url === r.url) {
            documentServed = true;
            const headers: Record<string, string> = { 'content-type': r.contentType ?? 'text/html' };
            if (r.setCookie) headers['set-cookie'] = r.setCookie;
            await route.fulfill({ status: r.status, headers, body: Buffer.from(r.body) });
            return;
          }
          if (passed || SKIPPED_TYPES.has(req.resourceType()) || !/^https?:/i.test(url) || !ALLOWED_METHODS.has(req.method()) || Date.now() > deadline) {
            await route.abort('blockedbyclient').catch(() => {});
            return;
          }
          let top = false;
          try {
            top = req.isNavigationRequest() && req.frame() === page.mainFrame();
          } catch {
            /* a request with no frame */
          }
          if (top && ++navigations > r.maxNavigations) {
            why = `the challenge reloaded ${r.maxNavigations} times without reaching the site`;
            settle();
            await route.abort('blockedbyclient').catch(() => {});
            return;
          }
          const answer = await r.fetch({ url, method: req.method(), body: req.postData(), headers: await req.allHeaders(), resourceType: req.resourceType() });
          if (!answer.ok) {
            if (top) why = `its reload was refused: ${answer.why}`;
            await route.abort('blockedbyclient').catch(() => {});
            return;
          }
          if (top && answer.status >= 200 && answer.status < 300 && !r.isChallenge(answer.status, answer.body)) {
            passed = true;
            settle();
            await route.abort('blockedbyclient').catch(() => {});
            return;
          }
          if (top) why = `the host answered HTTP ${answer.status} ${r.isChallenge(answer.status, answer.body) ? 'with the challenge again' : ''}`.trim();
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(answer.headers)) if (!DROPPED_HEADERS.has(k.toLowerCase()) || k.toLowerCase() === 'set-cookie') headers[k] = v;
          await route.fulfill({ status: answer.status, headers, body: Buffer.from(answer.body) }).catch(() => {});
        } catch {
          await route.abort('failed').catch(() => {});
        }
      });
      page.goto(r.url, { waitUntil: 'commit', timeout: Math.max(1, deadline - Date.now()) }).catch(() => {});
      await bounded(done, deadline, undefined);
      if (!passed && Date.now() >= deadline) why = `${why} (within ${Math.round(r.timeoutMs / 1000)} s)`;
      const cookies = passed ? (await context.cookies(r.url)).map((c) => ({ name: c.name, value: c.value })) : [];
      return { passed, cookies, ms: Date.now() - started, ...(passed ? {} : { why }) };
    } finally {
      await bounded(context.close(), Date.now() + 5000, undefined).catch(() => {});
    }
  }

  /** What routing does not see, closed for this context: WebSockets answered closed, no WebRTC. */
  private async contain(context: BrowserContext): Promise<void> {
    await context.addInitScript({ content: NO_WEBRTC });
    await context.routeWebSocket(/.*/, (ws) => {
      this.opts.onWebSocket?.(ws.url());
      void ws.close({ code: 1008, reason: 'not made by the crawler' }).catch(() => {});
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.sink?.close();
    this.sink = null;
    const b = this.browser ?? (this.launching ? await this.launching.catch(() => null) : null);
    this.browser = null;
    await b?.close().catch(() => {});
  }
}

/**
 * Discovery on a rendered page: the page's role and title from its settled DOM, and for a list the
 * links of every DOM it showed (after each pager click) together.
 */
export function discoverRendered(doms: string[], url: string, extra: FoundLink[] = []): PageLinks {
  const first = discover(doms[0], url, extra);
  if (first.role !== 'list' || doms.length === 1) return first;
  const links = new LinkSet(url);
  const all = new LinkSet(url);
  for (const [i, dom] of doms.entries()) {
    const p = i === 0 ? first : discover(dom, url);
    for (const l of p.role === 'list' ? p.links : p.allLinks) links.add(l);
    for (const l of p.allLinks) all.add(l);
  }
  return { ...first, links: links.values(), allLinks: all.values() };
}
