/**
 * A tiny static file server on loopback, for `npm start` (it serves samples/site/ so the crawler
 * can run end to end offline). GET/HEAD only, no directory listings (a folder serves index.html),
 * ETag and Last-Modified with 304s, gzip when asked, paths kept inside the root.
 */
import { createServer, type Server } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.htm': 'text/html',
  '.txt': 'text/plain; charset=utf-8',
  '.pdf': 'application/pdf',
  '.css': 'text/css',
  '.js': 'application/javascript',
};

export interface StaticSite {
  server: Server;
  /** http://127.0.0.1:PORT */
  origin: string;
  close(): Promise<void>;
}

export async function serveStatic(root: string, port = 0): Promise<StaticSite> {
  const server = createServer(async (req, res) => {
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end();
        return;
      }
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      let file = normalize(join(root, path));
      if (file !== root && !file.startsWith(root.endsWith(sep) ? root : root + sep)) {
        res.writeHead(403).end('forbidden');
        return;
      }
      let st = await stat(file).catch(() => null);
      if (st?.isDirectory()) {
        file = join(file, 'index.html');
        st = await stat(file).catch(() => null);
      }
      if (!st || !st.isFile()) {
        res.writeHead(404, { 'content-type': 'text/html; charset=utf-8' }).end('<h1>404 未找到</h1>');
        return;
      }
      const body = await readFile(file);
      const etag = '"' + createHash('sha1').update(body).digest('hex').slice(0, 16) + '"';
      const lastModified = st.mtime.toUTCString();
      const headers: Record<string, string> = {
        'content-type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
        etag,
        'last-modified': lastModified,
      };
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, headers).end();
        return;
      }
      const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? '')) && /^text\//.test(headers['content-type']);
      const out = gzip ? gzipSync(body) : body;
      if (gzip) headers['content-encoding'] = 'gzip';
      headers['content-length'] = String(out.length);
      res.writeHead(200, headers);
      res.end(req.method === 'HEAD' ? undefined : out);
    } catch (err) {
      res.writeHead(500).end(String((err as Error).message));
    }
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const addr = server.address();
  const actual = typeof addr === 'object' && addr ? addr.port : port;
  return {
    server,
    origin: `http://127.0.0.1:${actual}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
