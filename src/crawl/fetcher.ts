/**
 * One HTTP GET with everything a polite, robust crawler needs, on undici:
 * connect / headers / body-idle timeouts plus an overall deadline, a byte cap enforced while
 * streaming (aborted beyond it, also after decompression), redirects followed by hand (chain
 * recorded, loops detected, each hop vetted by the caller), gzip / deflate / br decoded with
 * node:zlib (undici's `request` does not decompress), conditional requests and 304.
 * Knows nothing of the frontier or of reports: it returns bytes or a classified error.
 */
import { Agent, request, type Dispatcher } from 'undici';
import { ADDRESS_REFUSED, guardedConnector, type AddressPolicy } from '../net/address-policy.js';
import zlib from 'node:zlib';
import type { LookupFunction } from 'node:net';

export type FetchErrorCode =
  | 'timeout'
  | 'reset'
  | 'refused'
  | 'dns'
  | 'too_large'
  | 'redirect_loop'
  | 'too_many_redirects'
  | 'bad_redirect'
  | 'bad_encoding'
  | 'address_refused'
  | 'network';

export interface FetchError {
  code: FetchErrorCode;
  message: string;
  retryable: boolean;
}

export interface RedirectHop {
  url: string;
  status: number;
  location: string;
}

export interface FetchResult {
  url: string;
  /** The URL the body came from (after same-host redirects). */
  finalUrl: string;
  status: number | null;
  headers: Record<string, string>;
  redirects: RedirectHop[];
  /** Decoded (decompressed) body for 2xx; undefined otherwise. */
  body?: Uint8Array;
  /** Bytes on the wire. */
  wireBytes: number;
  startedAt: string;
  ms: number;
  notModified: boolean;
  /** The body was cut at maxBytes (keepFirst). */
  truncated?: boolean;
  /** A redirect the caller chose not to follow inline (another host, or refused): its target. */
  redirectTo?: string;
  retryAfterMs?: number;
  error?: FetchError;
}

export interface FetchOptions {
  dispatcher: Dispatcher;
  userAgent: string;
  /** Headers and body-idle timeout (ms). */
  timeoutMs: number;
  /** Hard deadline for the whole exchange, redirects included (ms). Default 4 × timeoutMs. */
  deadlineMs?: number;
  maxBytes: number;
  maxRedirects: number;
  etag?: string | null;
  lastModified?: string | null;
  /** POST with a form body (a CMS list API); GET by default. A redirect is followed with a GET. */
  method?: 'GET' | 'POST';
  body?: string;
  /**
   * A body over maxBytes is cut there and kept (the result says `truncated`) instead of failing: for
   * robots.txt, of which RFC 9309 has crawlers parse at least the first 500 KiB.
   */
  keepFirst?: boolean;
  /**
   * Request headers the caller sets for the first hop (a rendered page's own Content-Type, Accept and
   * X-Requested-With, so a JSON or text POST goes as the page made it); a POST without a content-type
   * here is sent as a form.
   */
  headers?: Record<string, string>;
  /** A Cookie header sent on every hop (a host's cookies kept after passing its challenge: challenge.ts). */
  cookie?: string;
  /**
   * Keep the body of a non-2xx answer up to this many bytes (cut there) instead of discarding it: a
   * JavaScript challenge page comes as HTTP 412 or 521 (challenge.ts reads it).
   */
  errorBodyBytes?: number;
  /** Vet each redirect: 'follow' to follow it inline, anything else stops and returns it as redirectTo. */
  onRedirect?: (from: URL, to: URL) => 'follow' | 'return';
}

export interface AgentOptions {
  connectTimeoutMs: number;
  timeoutMs: number;
  /** Keep-alive connections per origin (the crawler is serial per host by default). */
  connections?: number;
  /** Custom DNS lookup (the benchmark resolves *.test to 127.0.0.1). */
  lookup?: LookupFunction;
  /**
   * The address policy (src/net/address-policy.ts): every connection, the first or after a redirect, to a
   * loopback, private or link-local address the user did not name is refused without connecting.
   */
  policy?: AddressPolicy;
}

export function createAgent(o: AgentOptions): Agent {
  return new Agent({
    connect: o.policy
      ? guardedConnector(o.policy, { timeoutMs: o.connectTimeoutMs, lookup: o.lookup })
      : { timeout: o.connectTimeoutMs, ...(o.lookup ? { lookup: o.lookup } : {}) },
    headersTimeout: o.timeoutMs,
    bodyTimeout: o.timeoutMs,
    connections: o.connections ?? 4,
    keepAliveTimeout: 10_000,
    pipelining: 1,
  });
}

export class BodyTooLarge extends Error {}

function flattenHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

/** Retry-After: delta-seconds or an HTTP date → ms from now (≥ 0), or undefined. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const t = Date.parse(v);
  if (Number.isNaN(t)) return undefined;
  return Math.max(0, t - now);
}

export function classifyError(err: unknown): FetchError {
  const e = err as { code?: string; name?: string; message?: string; cause?: { code?: string } };
  const code = e?.code ?? e?.cause?.code ?? '';
  const msg = e?.message ?? String(err);
  if (err instanceof BodyTooLarge) return { code: 'too_large', message: msg, retryable: false };
  if (code === ADDRESS_REFUSED) return { code: 'address_refused', message: msg, retryable: false };
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
      return { code: 'timeout', message: 'connect timeout', retryable: true };
    case 'UND_ERR_HEADERS_TIMEOUT':
      return { code: 'timeout', message: 'headers timeout', retryable: true };
    case 'UND_ERR_BODY_TIMEOUT':
      return { code: 'timeout', message: 'body timeout', retryable: true };
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
      return { code: 'reset', message: `connection reset (${code}${e?.cause?.code && e.cause.code !== code ? '/' + e.cause.code : ''})`, retryable: true };
    case 'ECONNREFUSED':
      return { code: 'refused', message: 'connection refused', retryable: true };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { code: 'dns', message: `DNS lookup failed (${code})`, retryable: true };
    case 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH':
      return { code: 'reset', message: 'body shorter than Content-Length', retryable: true };
  }
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') {
    return { code: 'timeout', message: 'deadline exceeded', retryable: true };
  }
  return { code: 'network', message: `${code ? code + ': ' : ''}${msg}`, retryable: true };
}

function decompress(body: Buffer, encoding: string | undefined, maxBytes: number, partial = false): Buffer {
  if (!encoding) return body;
  const codings = encoding
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s && s !== 'identity')
    .reverse();
  let out = body;
  // a body cut short on purpose (keepFirst) is decoded as far as it goes
  const opts = partial ? { maxOutputLength: maxBytes * 4, finishFlush: zlib.constants.Z_SYNC_FLUSH } : { maxOutputLength: maxBytes };
  for (const c of codings) {
    try {
      if (c === 'gzip' || c === 'x-gzip') out = zlib.gunzipSync(out, opts);
      else if (c === 'br') out = zlib.brotliDecompressSync(out, partial ? { maxOutputLength: maxBytes * 4, finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH } : opts);
      else if (c === 'deflate') {
        try {
          out = zlib.inflateSync(out, opts);
        } catch (e) {
          if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw e;
          out = zlib.inflateRawSync(out, opts); // servers that send raw deflate
        }
      } else throw Object.assign(new Error(`unsupported Content-Encoding: ${c}`), { code: 'BAD_ENCODING' });
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) {
        throw new BodyTooLarge(`decompressed body larger than ${maxBytes} bytes`);
      }
      throw Object.assign(new Error(`cannot decode ${c} body: ${(e as Error).message}`), { code: 'BAD_ENCODING' });
    }
  }
  return out;
}

async function readCapped(body: Dispatcher.ResponseData['body'], maxBytes: number, keepFirst = false): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const chunk of body) {
    n += (chunk as Buffer).length;
    if (n > maxBytes) {
      body.destroy();
      if (keepFirst) {
        chunks.push((chunk as Buffer).subarray(0, (chunk as Buffer).length - (n - maxBytes)));
        return Object.assign(Buffer.concat(chunks, maxBytes), { cut: true });
      }
      throw new BodyTooLarge(`body larger than ${maxBytes} bytes (aborted)`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks, n);
}

async function discard(body: Dispatcher.ResponseData['body']): Promise<void> {
  try {
    await body.dump({ limit: 64 * 1024 });
  } catch {
    /* the connection is dropped; nothing to keep */
  }
}

export async function fetchUrl(url: string, o: FetchOptions): Promise<FetchResult> {
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  // the overall deadline: a cleared timer, not AbortSignal.timeout(), whose timer and listeners would
  // live on for the whole deadline after every request (memory that grows with the request rate)
  const ac = new AbortController();
  const deadline = setTimeout(
    () => ac.abort(new DOMException('deadline exceeded', 'TimeoutError')),
    o.deadlineMs ?? o.timeoutMs * 4,
  );
  try {
    return await fetchLoop(url, o, ac.signal, started, startedAt);
  } finally {
    clearTimeout(deadline);
  }
}

async function fetchLoop(url: string, o: FetchOptions, signal: AbortSignal, started: number, startedAt: string): Promise<FetchResult> {
  const redirects: RedirectHop[] = [];
  const seen = new Set<string>([url]);
  let current = new URL(url);
  let wireBytes = 0;
  let method = o.method ?? 'GET';
  const done = (r: Partial<FetchResult>): FetchResult => ({
    url,
    finalUrl: current.href,
    status: null,
    headers: {},
    redirects,
    wireBytes,
    startedAt,
    ms: Date.now() - started,
    notModified: false,
    ...r,
  });
  for (;;) {
    const headers: Record<string, string> = {
      'user-agent': o.userAgent,
      accept: 'text/html,application/xhtml+xml,application/pdf,text/plain;q=0.9,*/*;q=0.5',
      'accept-encoding': 'gzip, deflate, br',
      'accept-language': 'zh-CN,zh;q=0.9',
    };
    // validators only for the URL they belong to, not for redirect targets
    if (method === 'POST' && !o.headers?.['content-type']) {
      // what jQuery's $.ajax sends for the list APIs' form posts
      headers['content-type'] = 'application/x-www-form-urlencoded; charset=UTF-8';
      headers['x-requested-with'] = 'XMLHttpRequest';
    }
    if (o.headers && (redirects.length === 0 || method === 'POST')) for (const [k, v] of Object.entries(o.headers)) headers[k.toLowerCase()] = v;
    if (o.cookie) headers['cookie'] = o.cookie;
    if (redirects.length === 0) {
      if (o.etag) headers['if-none-match'] = o.etag;
      if (o.lastModified) headers['if-modified-since'] = o.lastModified;
    }
    let res: Dispatcher.ResponseData;
    try {
      res = await request(current, {
        method,
        headers,
        ...(method === 'POST' ? { body: o.body ?? '' } : {}),
        dispatcher: o.dispatcher,
        headersTimeout: o.timeoutMs,
        bodyTimeout: o.timeoutMs,
        signal,
      });
    } catch (err) {
      return done({ error: classifyError(err) });
    }
    const status = res.statusCode;
    const h = flattenHeaders(res.headers as Record<string, string | string[] | undefined>);
    if (status >= 300 && status < 400 && status !== 304) {
      await discard(res.body);
      const loc = h['location'];
      if (!loc) return done({ status, headers: h, error: { code: 'bad_redirect', message: `HTTP ${status} without Location`, retryable: false } });
      let to: URL;
      try {
        to = new URL(loc, current);
      } catch {
        return done({ status, headers: h, error: { code: 'bad_redirect', message: `bad Location: ${loc}`, retryable: false } });
      }
      to.hash = '';
      redirects.push({ url: current.href, status, location: to.href });
      if (to.protocol !== 'http:' && to.protocol !== 'https:') {
        return done({ status, headers: h, error: { code: 'bad_redirect', message: `redirect to ${to.protocol} URL`, retryable: false } });
      }
      if (seen.has(to.href)) {
        return done({ status, headers: h, error: { code: 'redirect_loop', message: `redirect loop: ${[...redirects.map((r) => r.url), to.href].join(' → ')}`, retryable: false } });
      }
      if (redirects.length > o.maxRedirects) {
        return done({ status, headers: h, error: { code: 'too_many_redirects', message: `more than ${o.maxRedirects} redirects`, retryable: false } });
      }
      const verdict = o.onRedirect ? o.onRedirect(current, to) : 'follow';
      if (verdict !== 'follow') return done({ status, headers: h, redirectTo: to.href });
      seen.add(to.href);
      current = to;
      if (status !== 307 && status !== 308) method = 'GET';
      continue;
    }
    const retryAfterMs = parseRetryAfter(h['retry-after']);
    if (status === 304) {
      await discard(res.body);
      return done({ status, headers: h, notModified: true });
    }
    if (status < 200 || status >= 300) {
      if (o.errorBodyBytes && status >= 400) {
        try {
          const raw = await readCapped(res.body, o.errorBodyBytes, true);
          wireBytes = raw.length;
          const body = decompress(raw, h['content-encoding'], o.errorBodyBytes, true);
          return done({ status, headers: h, retryAfterMs, body: new Uint8Array(body.buffer, body.byteOffset, body.length) });
        } catch {
          return done({ status, headers: h, retryAfterMs });
        }
      }
      await discard(res.body);
      return done({ status, headers: h, retryAfterMs });
    }
    const declared = Number(h['content-length']);
    if (!o.keepFirst && Number.isFinite(declared) && declared > o.maxBytes) {
      res.body.destroy();
      return done({ status, headers: h, error: { code: 'too_large', message: `Content-Length ${declared} exceeds ${o.maxBytes} bytes (not downloaded)`, retryable: false } });
    }
    try {
      const raw = await readCapped(res.body, o.maxBytes, o.keepFirst);
      wireBytes = raw.length;
      const cut = (raw as Buffer & { cut?: boolean }).cut === true;
      let body = decompress(raw, h['content-encoding'], o.maxBytes, cut || o.keepFirst);
      const truncated = cut || body.length > o.maxBytes;
      if (body.length > o.maxBytes) body = body.subarray(0, o.maxBytes);
      return done({ status, headers: h, body: new Uint8Array(body.buffer, body.byteOffset, body.length), ...(truncated ? { truncated: true } : {}) });
    } catch (err) {
      if ((err as { code?: string }).code === 'BAD_ENCODING') {
        return done({ status, headers: h, error: { code: 'bad_encoding', message: (err as Error).message, retryable: false } });
      }
      return done({ status, headers: h, error: classifyError(err) });
    }
  }
}
