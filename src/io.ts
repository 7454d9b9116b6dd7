/**
 * Reading documents for the CLI: local files, folders of documents, and http(s) URLs (undici, with
 * timeouts, a redirect limit and a size cap). Knows nothing of tables or SQLite.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Agent, interceptors, request, type Dispatcher } from 'undici';
import type { LookupFunction } from 'node:net';
import { ADDRESS_REFUSED, guardedConnector, policyFor, type AddressPolicy } from './net/address-policy.js';

/** The bytes of one document and what is known of where they came from. */
export interface Loaded {
  /** The argument as given (path or URL). */
  source: string;
  bytes: Uint8Array;
  /** The final URL, after redirects, when fetched over HTTP. */
  url?: string;
  /** The HTTP Content-Type, when fetched over HTTP. */
  contentType?: string;
}

export interface ReadOptions {
  /** Per-phase timeout for HTTP (connect, headers, body idle), in ms. Default 30 s. */
  timeoutMs?: number;
  /** Largest document accepted, in bytes. Default 100 MiB. */
  maxBytes?: number;
  /** Redirects followed at most. Default 5. */
  maxRedirections?: number;
  /**
   * The address policy (src/net/address-policy.ts); default: the URL being read is the user's own, so
   * its host may be reached, and a redirect to a loopback, private or link-local address is refused
   * unless the URL was an address of that class itself. Commands pass the policy of all their arguments.
   */
  policy?: AddressPolicy;
  /** DNS lookup for names (tests resolve names to loopback). */
  lookup?: LookupFunction;
}

const DEFAULTS = { timeoutMs: 30_000, maxBytes: 100 * 1024 * 1024, maxRedirections: 5 };

/** File extensions a folder argument expands to. */
export const DOCUMENT_EXTENSIONS = ['.html', '.htm', '.pdf', '.txt', '.docx', '.doc', '.wps', '.xlsx', '.xls', '.et', '.ofd', '.jpg', '.jpeg', '.png', '.tif', '.tiff', '.bmp', '.gif'];

/** A read failure with a message meant for a person. */
export class ReadError extends Error {
  constructor(
    message: string,
    readonly code: string = 'read_failed',
  ) {
    super(message);
    this.name = 'ReadError';
  }
}

export function isUrl(arg: string): boolean {
  return /^https?:\/\//i.test(arg);
}

/**
 * Expands the command-line arguments: a folder becomes the documents directly in it (*.html, *.htm,
 * *.pdf, *.txt, *.docx, *.doc, *.wps, *.xlsx, *.xls, *.et, *.ofd and images: *.jpg, *.jpeg, *.png, *.tif, *.tiff, *.bmp, *.gif, sorted by name; *.json and others skipped); URLs and other paths pass through as they are
 * (a missing path fails later, when read, as an unreadable document). `notes` tells of empty folders.
 */
export async function expandArgs(args: string[]): Promise<{ sources: string[]; notes: string[] }> {
  const sources: string[] = [];
  const notes: string[] = [];
  for (const arg of args) {
    if (isUrl(arg)) {
      sources.push(arg);
      continue;
    }
    let isDir = false;
    try {
      isDir = (await stat(arg)).isDirectory();
    } catch {
      /* missing: reported when read */
    }
    if (!isDir) {
      sources.push(arg);
      continue;
    }
    const names = (await readdir(arg, { withFileTypes: true }))
      .filter((d) => d.isFile() && DOCUMENT_EXTENSIONS.some((ext) => d.name.toLowerCase().endsWith(ext)))
      .map((d) => d.name)
      .sort();
    if (names.length === 0) notes.push(`${arg}: no documents (*.html, *.htm, *.pdf, *.txt, *.docx, *.doc, *.wps, *.xlsx, *.xls, *.et, *.ofd, or images) in this folder`);
    for (const n of names) sources.push(join(arg, n));
  }
  return { sources, notes };
}

/** Reads one document from a path or an http(s) URL. Throws a ReadError that says what went wrong. */
export async function readSource(source: string, opts: ReadOptions = {}): Promise<Loaded> {
  if (isUrl(source)) return fetchUrl(source, opts);
  const maxBytes = opts.maxBytes ?? DEFAULTS.maxBytes;
  let size: number;
  try {
    const st = await stat(source);
    if (st.isDirectory()) throw new ReadError(`${source}: is a folder with no documents to read`, 'read_failed');
    size = st.size;
  } catch (err) {
    if (err instanceof ReadError) throw err;
    throw new ReadError(`${source}: ${describeFsError(err)}`, 'file_unreadable');
  }
  if (size > maxBytes) throw new ReadError(`${source}: ${size} bytes, more than the limit of ${maxBytes}`, 'too_large');
  try {
    const buf = await readFile(source);
    return { source, bytes: new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength) };
  } catch (err) {
    throw new ReadError(`${source}: ${describeFsError(err)}`, 'file_unreadable');
  }
}

function describeFsError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e?.code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a folder';
    default:
      return e?.message ?? String(err);
  }
}

const dispatchers = new Map<string, Dispatcher>();

function dispatcherFor(timeoutMs: number, maxRedirections: number, policy: AddressPolicy, lookup?: LookupFunction): Dispatcher {
  const k = `${timeoutMs}/${maxRedirections}/${[...policy.hosts].sort().join(',')}/${[...policy.classes].sort().join(',')}/${lookup ? 'L' : ''}`;
  let d = dispatchers.get(k);
  if (!d) {
    d = new Agent({
      // every connection, redirects included, under the address policy (checked before connecting)
      connect: guardedConnector(policy, { timeoutMs, lookup }),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      keepAliveTimeout: 1_000,
    }).compose(interceptors.redirect({ maxRedirections }));
    dispatchers.set(k, d);
  }
  return d;
}

/** Closes the HTTP connections kept open for reuse (lets the process exit at once). */
export async function closeHttp(): Promise<void> {
  const all = [...dispatchers.values()];
  dispatchers.clear();
  await Promise.allSettled(all.map((d) => d.close()));
}

async function fetchUrl(url: string, opts: ReadOptions): Promise<Loaded> {
  const timeoutMs = opts.timeoutMs ?? DEFAULTS.timeoutMs;
  const maxBytes = opts.maxBytes ?? DEFAULTS.maxBytes;
  const maxRedirections = opts.maxRedirections ?? DEFAULTS.maxRedirections;
  let res: Dispatcher.ResponseData;
  try {
    res = await request(url, {
      method: 'GET',
      dispatcher: dispatcherFor(timeoutMs, maxRedirections, opts.policy ?? policyFor([url]), opts.lookup),
      // No Accept-Encoding: servers then send the body as it is (identity).
      headers: { 'user-agent': 'nianbao (government annual report reader)' },
      signal: AbortSignal.timeout(timeoutMs * 4),
    });
  } catch (err) {
    const refused = (err as { code?: string; cause?: { code?: string } })?.code === ADDRESS_REFUSED || (err as { cause?: { code?: string } })?.cause?.code === ADDRESS_REFUSED;
    throw new ReadError(`${url}: ${describeHttpError(err)}`, refused ? 'address_refused' : 'fetch_failed');
  }
  const { statusCode, headers, body } = res;
  // Destroying the body (to stop a download) emits an error; it is reported through ReadError instead.
  body.on('error', () => {});
  if (statusCode < 200 || statusCode >= 300) {
    body.destroy();
    const where = statusCode >= 300 && statusCode < 400 ? ' (too many redirects, or a redirect with no Location)' : '';
    throw new ReadError(`${url}: HTTP ${statusCode}${where}`, 'http_status');
  }
  const declared = Number(headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    body.destroy();
    throw new ReadError(`${url}: ${declared} bytes declared, more than the limit of ${maxBytes}`, 'too_large');
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of body) {
      total += (chunk as Buffer).byteLength;
      if (total > maxBytes) {
        body.destroy();
        throw new ReadError(`${url}: more than the limit of ${maxBytes} bytes`, 'too_large');
      }
      chunks.push(chunk as Buffer);
    }
  } catch (err) {
    if (err instanceof ReadError) throw err;
    throw new ReadError(`${url}: ${describeHttpError(err)} while reading the body`, 'fetch_failed');
  }
  const buf = Buffer.concat(chunks, total);
  const ct = headers['content-type'];
  const contentType = Array.isArray(ct) ? ct[0] : ct;
  // The final URL after redirects is not exposed by the redirect interceptor; the requested one is kept.
  return { source: url, bytes: new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), url, contentType };
}

function describeHttpError(err: unknown): string {
  const e = err as { code?: string; message?: string; name?: string; cause?: { code?: string; message?: string } };
  const code = e?.code ?? e?.cause?.code;
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'connection timed out';
    case 'UND_ERR_HEADERS_TIMEOUT':
      return 'no response headers in time';
    case 'UND_ERR_BODY_TIMEOUT':
      return 'the body stalled (timeout)';
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'connection reset';
    case 'ENOTFOUND':
      return 'host not found';
    case 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH':
    case 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH':
      return 'truncated response';
    default:
      if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'timed out';
      if (e?.message?.includes('max redirects') || e?.message?.toLowerCase().includes('redirect'))
        return 'too many redirects';
      return e?.message ?? String(err);
  }
}
