/**
 * JavaScript cookie challenges (加速乐 `__jsl_clearance`, 瑞数-style paired cookies and their kin): a host
 * that answers HTTP 412, 521 or 202 with a small page whose script computes a cookie and reloads
 * answers a plain HTTP client with that page forever. Here: recognising such an answer
 * (`challengeReason`), passing it once per host in the browser (the crawler hands a `pass` function
 * that renders the challenge page with every request of its script routed through the crawler's
 * polite fetcher: browser/session.ts `passChallenge`), keeping the host's cookies and handing them to
 * the plain client (`cookieHeader`), passing again when a challenge comes back after the cookies were
 * set (they expired), within `maxPasses` per host; and what the crawl summary says of each host.
 * Knows nothing of the frontier, of reports or of the browser's workings.
 */

/** Statuses a cookie challenge answers with. */
export const CHALLENGE_STATUSES: ReadonlySet<number> = new Set([202, 412, 521]);
/** A challenge page is small. */
export const MAX_CHALLENGE_BYTES = 64 * 1024;
/** Visible text a challenge page has at most ("请稍候…", a noscript line). */
const MAX_VISIBLE_CHARS = 300;

/**
 * Why this answer is a JavaScript cookie challenge, or null: HTTP 412/521/202, a small HTML body with
 * a script, almost no visible text and nothing report-ish; a 202 (an ordinary status) must also show
 * the script setting a cookie or moving the page.
 */
export function challengeReason(status: number | null, body: Uint8Array | undefined): string | null {
  if (status === null || !CHALLENGE_STATUSES.has(status) || !body || body.length === 0 || body.length > MAX_CHALLENGE_BYTES) return null;
  const text = new TextDecoder('utf-8').decode(body);
  if (!/<script\b/i.test(text)) return null;
  const visible = text
    .replace(/<script\b[\s\S]*?<\/script\s*>/gi, '')
    .replace(/<style\b[\s\S]*?<\/style\s*>/gi, '')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&[a-z#0-9]+;/gi, ' ')
    .replace(/\s+/g, '');
  if (visible.length > MAX_VISIBLE_CHARS) return null;
  if (/年度报告|年报|政府信息公开/.test(visible)) return null;
  const external = /<script\b[^>]*\bsrc\s*=/i.test(text);
  const cookie = /cookie/i.test(text);
  const moves = /location|reload|submit\s*\(/i.test(text);
  if (status === 202 && !(cookie || external) ) return null;
  if (status === 202 && !(moves || external)) return null;
  return `HTTP ${status} with a script page${cookie ? ' that sets a cookie' : external ? ' that loads a script' : ''}`;
}

/** One pass in the browser: whether the host's real answer came, the cookies the context then held. */
export interface PassOutcome {
  passed: boolean;
  cookies: { name: string; value: string }[];
  /** Why it was not passed. */
  why?: string;
}

/** What the crawl summary says of a challenged host. */
export interface ChallengedHost {
  host: string;
  /** The status of its (last) challenge answer. */
  status: number;
  /** The challenge was passed (last attempt) and its cookies are sent with the plain client's requests. */
  passed: boolean;
  /** Times it was passed in the browser (a challenge again after expiry passes again). */
  passes: number;
  /** Attempts in the browser. */
  attempts: number;
  /** Why it was not passed. */
  message: string | null;
}

interface HostChallenge extends ChallengedHost {
  cookie: string | null;
  pending: Promise<void> | null;
}

export interface ChallengeOptions {
  /** Browser attempts per host at most (a pass, and a pass again after its cookies expired…). */
  maxPasses: number;
  /** Renders the challenge page in the browser; null when no browser can be had. */
  pass: (url: string, status: number, headers: Record<string, string>, body: Uint8Array) => Promise<PassOutcome | null>;
  onEvent: (e: ChallengeEvent) => void;
}

export type ChallengeEvent =
  /** A host answered with a JavaScript cookie challenge, and whether the browser passed it. */
  { type: 'challenge'; host: string; url: string; status: number; passed: boolean; cookies: string[]; message: string | null };

export class Challenges {
  private readonly hosts = new Map<string, HostChallenge>();

  constructor(private readonly o: ChallengeOptions) {}

  /** The Cookie header for the plain client's requests to the host (after a passed challenge), or undefined. */
  cookieHeader(host: string): string | undefined {
    return this.hosts.get(host)?.cookie ?? undefined;
  }

  /**
   * A challenge answer from the host to a request sent with `sentCookie`: passed in the browser (once
   * per host at a time; a pass by another request meanwhile is reused), within maxPasses. True when
   * the request may be made again with the host's new cookies; false with the message why not.
   */
  async resolve(host: string, url: string, status: number, headers: Record<string, string>, body: Uint8Array, sentCookie: string | undefined): Promise<{ passed: boolean; message: string | null }> {
    let s = this.hosts.get(host);
    if (!s) {
      s = { host, status, passed: false, passes: 0, attempts: 0, message: null, cookie: null, pending: null };
      this.hosts.set(host, s);
    }
    s.status = status;
    while (s.pending) await s.pending;
    // another request of the host passed it meanwhile: ask again with those cookies
    if (s.passed && s.cookie && s.cookie !== sentCookie) return { passed: true, message: null };
    if (s.attempts >= this.o.maxPasses) {
      s.passed = false;
      s.message ??= `JavaScript challenge (HTTP ${status}) at ${host} not passed after ${s.attempts} attempt${s.attempts === 1 ? '' : 's'} in the browser`;
      return { passed: false, message: s.message };
    }
    const state = s;
    state.pending = (async () => {
      state.attempts++;
      let outcome: PassOutcome | null;
      try {
        outcome = await this.o.pass(url, status, headers, body);
      } catch (err) {
        outcome = { passed: false, cookies: [], why: `the browser failed: ${(err as Error)?.message ?? String(err)}` };
      }
      if (!outcome) outcome = { passed: false, cookies: [], why: 'no browser (rendering off or the browser cannot start)' };
      if (outcome.passed && outcome.cookies.length) {
        state.passed = true;
        state.passes++;
        state.cookie = outcome.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
        state.message = null;
      } else {
        state.passed = false;
        state.cookie = null;
        state.message = `JavaScript challenge (HTTP ${status}) at ${host} not passed in the browser: ${outcome.passed ? 'the host answered but set no cookie' : outcome.why ?? 'the challenge page kept coming back'}`;
      }
      this.o.onEvent({ type: 'challenge', host, url, status, passed: state.passed, cookies: outcome.cookies.map((c) => c.name), message: state.message });
    })();
    try {
      await state.pending;
    } finally {
      state.pending = null;
    }
    return { passed: state.passed, message: state.message };
  }

  /** Every challenged host of this run, by name. */
  summary(): ChallengedHost[] {
    return [...this.hosts.values()]
      .map(({ host, status, passed, passes, attempts, message }) => ({ host, status, passed, passes, attempts, message }))
      .sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
  }
}
