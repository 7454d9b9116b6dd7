/**
 * Loopback test sites for the crawler tests: node:http servers on 127.0.0.1 (port 0). Each server is
 * one "host" (host:port is the crawler's politeness unit). Every request is logged server-side, and
 * the number of requests in flight at once is tracked, so tests can assert what was (not) fetched and
 * that politeness held.
 */
import { createServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { createHash } from 'node:crypto';

export interface LoggedRequest {
  path: string;
  headers: IncomingMessage['headers'];
  /** How many requests to this host were in flight when this one arrived (itself included). */
  concurrent: number;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, hit: number) => void | Promise<void>;

export interface TestHost {
  origin: string;
  host: string;
  log: LoggedRequest[];
  maxConcurrent: number;
  /** Paths requested, in order. */
  paths(): string[];
  hits(path: string): number;
  close(): Promise<void>;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * A host serving `routes` (path → handler, or a fixed body); unknown paths get 404.
 * `latencyMs` delays every response (a slow host).
 */
export async function startHost(
  routes: Record<string, Handler | { body: string | Uint8Array; type?: string; headers?: Record<string, string> }>,
  opts: { latencyMs?: number } = {},
): Promise<TestHost> {
  const log: LoggedRequest[] = [];
  const hits = new Map<string, number>();
  let inFlight = 0;
  const sockets = new Set<Socket>();
  const host: Partial<TestHost> & { maxConcurrent: number } = { maxConcurrent: 0 };
  const server: Server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname + (new URL(req.url ?? '/', 'http://x').search || '');
    inFlight++;
    host.maxConcurrent = Math.max(host.maxConcurrent, inFlight);
    log.push({ path, headers: req.headers, concurrent: inFlight });
    let released = false;
    const release = () => {
      if (!released) {
        released = true;
        inFlight--;
      }
    };
    res.on('close', release);
    const n = (hits.get(path) ?? 0) + 1;
    hits.set(path, n);
    try {
      if (opts.latencyMs) await sleep(opts.latencyMs);
      const route = routes[path] ?? routes[new URL(req.url ?? '/', 'http://x').pathname];
      if (!route) {
        res.writeHead(404, { 'content-type': 'text/html; charset=utf-8' }).end('<h1>404</h1>');
        return;
      }
      if (typeof route === 'function') {
        await route(req, res, n);
        return;
      }
      const body = typeof route.body === 'string' ? Buffer.from(route.body, 'utf8') : Buffer.from(route.body);
      const etag = '"' + createHash('sha1').update(body).digest('hex').slice(0, 12) + '"';
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, { etag }).end();
        return;
      }
      res.writeHead(200, { 'content-type': route.type ?? 'text/html; charset=utf-8', 'content-length': String(body.length), etag, ...route.headers });
      res.end(body);
    } catch (err) {
      if (!res.headersSent) res.writeHead(500).end(String(err));
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  Object.assign(host, {
    origin: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    log,
    paths: () => log.map((l) => l.path),
    hits: (p: string) => hits.get(p) ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  });
  return host as TestHost;
}

/** A list page of the 政府信息公开年报 column: report links, a createPageHTML pager and/or 下一页. */
export function listPage(opts: {
  title?: string;
  items: { href: string; text: string }[];
  pageCount?: number;
  current?: number;
  next?: string;
  extra?: string;
}): string {
  const lis = opts.items.map((i) => `<li><a href="${i.href}" target="_blank">${i.text}</a><span>2022-01-20</span></li>`).join('\n');
  const pager =
    opts.pageCount !== undefined
      ? `<div class="page"><script>createPageHTML(${opts.pageCount}, ${opts.current ?? 0}, "index", "html");</script></div>`
      : '';
  const next = opts.next ? `<div class="page2"><a href="${opts.next}">下一页</a></div>` : '';
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${opts.title ?? '政府信息公开年报'}</title></head>
<body><ul class="nav"><li><a href="/">首页</a></li><li><a href="/news/">政务要闻</a></li></ul>
<h1>${opts.title ?? '政府信息公开年报'}</h1><ul class="list">
${lis}
</ul>${pager}${next}${opts.extra ?? ''}</body></html>`;
}
