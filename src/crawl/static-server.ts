/**
 * A tiny static file server on loopback, for `npm start` (it serves samples/site/ so the crawler
 * can run end to end offline). GET/HEAD only, no directory listings (a folder serves index.html),
 * ETag and Last-Modified with 304s, gzip when asked, paths kept inside the root. One exception, so
 * the sample site can show a Hanweb (大汉) column: a POST to a `dataproxy.jsp` file holding a
 * `<datastore>` answers, as Hanweb's does, the records `startrecord` … `endrecord` of it with its
 * `<totalrecord>` and `<totalpage>`.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
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

/** Hanweb's jpage dataproxy.jsp, from a file holding the whole datastore (see the top). */
async function dataproxy(root: string, url: string, res: ServerResponse): Promise<void> {
  const u = new URL(url, 'http://x');
  const file = normalize(join(root, decodeURIComponent(u.pathname)));
  const xml = file.startsWith(root.endsWith(sep) ? root : root + sep) ? await readFile(file, 'utf8').catch(() => null) : null;
  if (xml === null) {
    res.writeHead(404).end();
    return;
  }
  const records = xml.match(/<record>[\s\S]*?<\/record>/g) ?? [];
  const start = Math.max(1, Number(u.searchParams.get('startrecord')) || 1);
  const end = Math.min(records.length, Number(u.searchParams.get('endrecord')) || records.length);
  const perPage = Math.max(1, Number(u.searchParams.get('perpage')) || 15);
  const body =
    `<?xml version="1.0" encoding="UTF-8"?>\n<datastore>\n<totalrecord>${records.length}</totalrecord>\n` +
    `<totalpage>${Math.ceil(records.length / perPage)}</totalpage>\n<recordset>\n${records.slice(start - 1, end).join('\n')}\n</recordset>\n</datastore>\n`;
  res.writeHead(200, { 'content-type': 'text/xml;charset=UTF-8' }).end(body);
}

export async function serveStatic(root: string, port = 0): Promise<StaticSite> {
  const server = createServer(async (req, res) => {
    try {
      if (req.method === 'POST' && /\/dataproxy\.jsp$/.test(new URL(req.url ?? '/', 'http://x').pathname)) {
        req.resume(); // the form body (ajaxParam) is not needed to answer
        await dataproxy(root, req.url ?? '/', res);
        return;
      }
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
  // a port in use rejects (the caller may take another) instead of an unhandled 'error' event
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
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
