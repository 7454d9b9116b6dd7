/**
 * The crawler against a loopback test site: several list pages, HTML / GBK HTML / PDF-attachment
 * reports, robots.txt forbidding a path, a slow host, a URL failing twice with 503, connection
 * resets, a redirect loop, oversized files, 404s and an off-site link. Outcomes are asserted on the
 * database (what was stored, once) and on the servers' own request logs (what was fetched, how many
 * at once).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { gzipSync, brotliCompressSync } from 'node:zlib';
import { openDb, type Db } from '../src/store/db.js';
import { Crawler, type CrawlOptions, type CrawlSummary } from '../src/crawl/crawler.js';
import { listPage, sleep, startHost, type TestHost } from './helpers/testsite.js';

const root = join(import.meta.dirname, '..');
const sample = (name: string) => new Uint8Array(readFileSync(join(root, 'samples', name)));
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

const R1 = sample('xihua-county-2021.html');
const R2_GBK = sample('luyi-education-2021-gbk.html');
const R3_PDF = new Uint8Array(readFileSync(join(root, 'corpus', 'real', 'huaian-hongze-2024.pdf')));
const FLAKY = sample('taikang-education-2021-bad-sums.html');
const MOVED = sample('shangshui-housing-2021-word.html');
const B1 = sample('zhoukou-ecology-2019.html');
const B2 = sample('xuyi-2020-labels.html');
const B3_TXT = sample('xihua-natural-resources-2021-tabs.txt');

const OPTS: Partial<CrawlOptions> = {
  concurrency: 4,
  delayMs: 0,
  backoffBaseMs: 30,
  maxTries: 3,
  timeoutMs: 1000,
  connectTimeoutMs: 1000,
  maxBytes: 1_000_000,
  hostFailureLimit: 50,
  maxWaitMs: 10_000,
  extractTimeoutMs: 60_000,
};

let A: TestHost; // the main site
let B: TestHost; // a slow second site
let C: TestHost; // off-site: must never be contacted
let dir: string;
let db: Db;
let summary: CrawlSummary;

function wrapperPage(pdf: string): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>淮安市洪泽区人民政府2024年政府信息公开工作年度报告</title></head>
<body><h1>淮安市洪泽区人民政府2024年政府信息公开工作年度报告</h1>
<iframe src="/pdfjs/web/viewer.html?file=${encodeURIComponent(pdf)}" width="100%" height="800"></iframe></body></html>`;
}

beforeAll(async () => {
  C = await startHost({ '/nb/2021.html': { body: R1 } });
  A = await startHost({
    '/robots.txt': { body: 'User-agent: *\nDisallow: /private/\n', type: 'text/plain' },
    '/': {
      body: `<html><head><meta charset="utf-8"><title>某县人民政府</title></head><body>
        <a href="/nb/index.html">政府信息公开年报</a>
        <a href="/news/1.html">我县召开全县经济工作会议</a>
        <a href="${C.origin}/nb/2021.html">邻县人民政府2021年政府信息公开工作年度报告</a>
        <a href="${C.origin}/">兄弟单位</a></body></html>`,
    },
    '/news/1.html': { body: '<html><body><h1>我县召开全县经济工作会议</h1></body></html>' },
    '/nb/index.html': {
      body: listPage({
        pageCount: 3,
        current: 0,
        next: 'index_1.html',
        items: [
          { href: '/nb/r1.html', text: '西华县人民政府2021年政府信息公开工作年度报告' },
          { href: '/nb/r2.html', text: '鹿邑县教育体育局2021年政府信息公开工作年度报告' },
          { href: '/nb/r3.html', text: '淮安市洪泽区人民政府2024年政府信息公开工作年度报告' },
          { href: '/private/r4.html', text: '某县2024年政府信息公开工作年度报告（内部稿）' },
        ],
      }),
    },
    // index_1 arrives gzip-compressed, index_2 brotli-compressed (when asked)
    '/nb/index_1.html': (req, res) => {
      const html = listPage({
        next: 'index_2.html',
        items: [
          { href: '/nb/flaky.html', text: '太康县教育体育局2021年政府信息公开工作年度报告' },
          { href: '/nb/reset.html', text: '某县财政局2021年政府信息公开工作年度报告' },
          { href: '/nb/loop.html', text: '某县水利局2021年政府信息公开工作年度报告' },
          { href: '/nb/moved.html', text: '商水县住房和城乡建设局2021年政府信息公开工作年度报告' },
        ],
      });
      const gz = /gzip/.test(String(req.headers['accept-encoding']));
      const body = gz ? gzipSync(html) : Buffer.from(html);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...(gz ? { 'content-encoding': 'gzip' } : {}) });
      res.end(body);
    },
    '/nb/index_2.html': (req, res) => {
      const html = listPage({
        items: [
          { href: '/nb/big.pdf', text: '某县2020年政府信息公开工作年度报告.pdf' },
          { href: '/nb/big2.pdf', text: '某县2019年政府信息公开工作年度报告.pdf' },
          { href: '/nb/missing.html', text: '某县2018年政府信息公开工作年度报告' },
          { href: '/nb/missing.pdf', text: '附件下载' },
        ],
      });
      const br = /\bbr\b/.test(String(req.headers['accept-encoding']));
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...(br ? { 'content-encoding': 'br' } : {}) });
      res.end(br ? brotliCompressSync(html) : html);
    },
    '/nb/r1.html': { body: R1 },
    // GBK bytes under a lying header: decoded from the bytes as the extraction core does
    '/nb/r2.html': { body: R2_GBK, type: 'text/html; charset=utf-8' },
    '/nb/r3.html': { body: wrapperPage('/files/r3.pdf') },
    // the PDF served as HTML: sniffed from its bytes
    '/files/r3.pdf': { body: R3_PDF, type: 'text/html' },
    '/private/r4.html': { body: R1 },
    '/nb/flaky.html': (_req, res, hit) => {
      if (hit <= 2) res.writeHead(503, { 'content-type': 'text/plain' }).end('busy');
      else res.writeHead(200, { 'content-type': 'text/html' }).end(Buffer.from(FLAKY));
    },
    '/nb/reset.html': (req) => {
      req.socket.destroy();
    },
    '/nb/loop.html': (_req, res) => res.writeHead(302, { location: '/nb/loop2.html' }).end(),
    '/nb/loop2.html': (_req, res) => res.writeHead(302, { location: '/nb/loop.html' }).end(),
    '/nb/moved.html': (_req, res) => res.writeHead(301, { location: '/nb/2021/moved-here.html' }).end(),
    '/nb/2021/moved-here.html': { body: MOVED },
    // oversized: streamed without Content-Length, and announced by Content-Length
    '/nb/big.pdf': async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/pdf' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      chunk.write('%PDF-1.4\n');
      for (let i = 0; i < 40 && !res.destroyed; i++) {
        res.write(chunk);
        await sleep(1);
      }
      res.end();
    },
    '/nb/big2.pdf': (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': String(5_000_000) });
      res.write('%PDF-1.4\n');
      setTimeout(() => res.destroy(), 200);
    },
  });
  B = await startHost(
    {
      '/robots.txt': (_req, res) => res.writeHead(404).end(),
      '/nb/': {
        body: listPage({
          items: [
            { href: '/nb/b1.html', text: '周口市生态环境局2019年政府信息公开工作年度报告' },
            { href: '/nb/b2.html', text: '盱眙县人民政府2020年政府信息公开工作年度报告' },
            { href: '/nb/b3.txt', text: '西华县自然资源局2021年政府信息公开工作年度报告（文本）' },
            { href: '/nb/stall.html', text: '某局2022年政府信息公开工作年度报告' },
          ],
        }),
      },
      '/nb/b1.html': { body: B1 },
      '/nb/b2.html': (_req, res, hit) => {
        if (hit === 1) res.writeHead(429, { 'retry-after': '1' }).end('slow down');
        else res.writeHead(200, { 'content-type': 'text/html' }).end(Buffer.from(B2));
      },
      '/nb/b3.txt': { body: B3_TXT, type: 'text/plain' },
      '/nb/stall.html': () => {
        /* never answers: a headers timeout */
      },
    },
    { latencyMs: 60 },
  );
  dir = mkdtempSync(join(tmpdir(), 'nianbao-crawl-'));
  db = openDb(join(dir, 'crawl.db'));
  summary = await new Crawler(db, { ...OPTS, seeds: [A.origin + '/', B.origin + '/nb/'] }).run();
}, 120_000);

afterAll(async () => {
  db?.close();
  await Promise.all([A?.close(), B?.close(), C?.close()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const frontierRow = (url: string) =>
  db.prepare('SELECT state, tries, last_status, last_error, role FROM frontier WHERE url = ?').get(url) as
    | { state: string; tries: number; last_status: number | null; last_error: string | null; role: string | null }
    | undefined;
const fetchLog = (url: string) =>
  db.prepare('SELECT status, error, attempt FROM fetch_log WHERE url = ? ORDER BY id').all(url) as {
    status: number | null;
    error: string | null;
    attempt: number;
  }[];

describe('crawling a loopback site', () => {
  it('stores exactly the expected reports, each once', () => {
    const stored = db.prepare('SELECT sha256, source_url, status FROM reports ORDER BY id').all() as {
      sha256: string;
      source_url: string;
      status: string;
    }[];
    const expected = [R1, R2_GBK, R3_PDF, FLAKY, MOVED, B1, B2, B3_TXT].map(sha).sort();
    expect(stored.map((r) => r.sha256).sort()).toEqual(expected);
    expect(new Set(stored.map((r) => r.source_url)).size).toBe(stored.length);
    expect(summary.stored).toBe(8);
    // the PDF came from the wrapper page's viewer iframe, the moved report from its redirect target
    expect(stored.find((r) => r.sha256 === sha(R3_PDF))?.source_url).toBe(`${A.origin}/files/r3.pdf`);
    expect(stored.find((r) => r.sha256 === sha(MOVED))?.source_url).toBe(`${A.origin}/nb/2021/moved-here.html`);
    // each stored report was read as one (GBK under a lying charset, PDF served as text/html)
    for (const r of stored) expect(['ok', 'partial']).toContain(r.status);
    const gbk = db.prepare('SELECT agency, year FROM reports WHERE sha256 = ?').get(sha(R2_GBK)) as { agency: string; year: number };
    expect(gbk).toEqual({ agency: '鹿邑县教育体育局', year: 2021 });
  });

  it('follows every list page: createPageHTML pager, 下一页, gzip and brotli bodies', () => {
    expect(A.hits('/nb/index.html')).toBe(1);
    expect(A.hits('/nb/index_1.html')).toBe(1);
    expect(A.hits('/nb/index_2.html')).toBe(1);
    expect(frontierRow(`${A.origin}/nb/index_1.html`)?.role).toBe('list');
    expect(frontierRow(`${A.origin}/nb/index_2.html`)?.role).toBe('list');
    // links read from the compressed pages were queued and fetched
    expect(A.hits('/nb/flaky.html')).toBe(3);
    expect(A.hits('/nb/missing.html')).toBe(1);
  });

  it('fetches nothing forbidden by robots.txt and nothing off-site', () => {
    expect(A.paths()).not.toContain('/private/r4.html');
    expect(frontierRow(`${A.origin}/private/r4.html`)).toMatchObject({ state: 'blocked', last_error: 'robots.txt: Disallow: /private/' });
    expect(C.log).toHaveLength(0);
    expect(frontierRow(`${C.origin}/nb/2021.html`)).toBeUndefined();
    // the news page says nothing about reports: not visited
    expect(A.paths()).not.toContain('/news/1.html');
    expect(A.paths()[0]).toBe('/robots.txt');
    expect(B.paths()[0]).toBe('/robots.txt');
  });

  it('never sends two requests to one host at once', () => {
    expect(A.maxConcurrent).toBe(1);
    expect(B.maxConcurrent).toBe(1);
    expect(A.log.every((l) => l.concurrent === 1)).toBe(true);
    expect(B.log.every((l) => l.concurrent === 1)).toBe(true);
  });

  it('retries 503 and 429 with backoff and records every attempt', () => {
    expect(fetchLog(`${A.origin}/nb/flaky.html`).map((l) => [l.status, l.attempt])).toEqual([
      [503, 1],
      [503, 2],
      [200, 3],
    ]);
    expect(frontierRow(`${A.origin}/nb/flaky.html`)).toMatchObject({ state: 'done', role: 'report' });
    expect(fetchLog(`${B.origin}/nb/b2.html`).map((l) => l.status)).toEqual([429, 200]);
    expect(summary.retries).toBe(2 + 2 + 2 + 1); // flaky 2, reset 2, stall 2, b2 1
  });

  it('gives up on resets and timeouts after the bounded tries, with the reason', () => {
    const reset = frontierRow(`${A.origin}/nb/reset.html`)!;
    expect(reset.state).toBe('failed');
    expect(reset.last_error).toMatch(/^reset: connection reset .*\(gave up after 3 tries\)$/);
    expect(A.hits('/nb/reset.html')).toBe(3);
    expect(fetchLog(`${A.origin}/nb/reset.html`)).toHaveLength(3);
    const stall = frontierRow(`${B.origin}/nb/stall.html`)!;
    expect(stall.state).toBe('failed');
    expect(stall.last_error).toMatch(/^timeout: headers timeout \(gave up after 3 tries\)$/);
    expect(B.hits('/nb/stall.html')).toBe(3);
  });

  it('records redirect loops, oversized files and 404s as failures without retrying them', () => {
    expect(frontierRow(`${A.origin}/nb/loop.html`)).toMatchObject({ state: 'failed' });
    expect(frontierRow(`${A.origin}/nb/loop.html`)!.last_error).toMatch(/^redirect_loop: redirect loop: .*loop\.html → .*loop2\.html → .*loop\.html$/);
    expect(A.hits('/nb/loop.html')).toBe(1);
    expect(frontierRow(`${A.origin}/nb/big.pdf`)!.last_error).toBe('too_large: body larger than 1000000 bytes (aborted)');
    expect(frontierRow(`${A.origin}/nb/big2.pdf`)!.last_error).toBe(
      'too_large: Content-Length 5000000 exceeds 1000000 bytes (not downloaded)',
    );
    expect(A.hits('/nb/big.pdf')).toBe(1);
    expect(frontierRow(`${A.origin}/nb/missing.html`)).toMatchObject({ state: 'failed', last_status: 404, last_error: 'HTTP 404' });
    expect(frontierRow(`${A.origin}/nb/missing.pdf`)).toMatchObject({ state: 'failed', last_status: 404 });
    // the sample report pages link their other years' reports (/zwgk/nb/20xx.html): followed, 404 here
    const related = summary.failures.filter((f) => f.url.includes('/zwgk/nb/'));
    expect(related.length).toBeGreaterThan(0);
    expect(related.every((f) => f.error === 'HTTP 404')).toBe(true);
    expect(summary.failed).toBe(7 + related.length);
    expect(
      summary.failures
        .filter((f) => !f.url.includes('/zwgk/nb/'))
        .map((f) => f.url)
        .sort(),
    ).toEqual(
      ['/nb/reset.html', '/nb/loop.html', '/nb/big.pdf', '/nb/big2.pdf', '/nb/missing.html', '/nb/missing.pdf']
        .map((p) => A.origin + p)
        .concat(B.origin + '/nb/stall.html')
        .sort(),
    );
  });

  it('stores raw bodies content-addressed with a fetch log', () => {
    const blob = db.prepare('SELECT size FROM blobs WHERE sha256 = ?').get(sha(R3_PDF)) as { size: number };
    expect(blob.size).toBe(R3_PDF.length);
    const log = db.prepare('SELECT status, headers_json, sha256, ms FROM fetch_log WHERE url = ?').get(`${A.origin}/files/r3.pdf`) as {
      status: number;
      headers_json: string;
      sha256: string;
    };
    expect(log.status).toBe(200);
    expect(log.sha256).toBe(sha(R3_PDF));
    expect(JSON.parse(log.headers_json)['content-type']).toBe('text/html');
    const redirect = db.prepare('SELECT final_url, redirects_json FROM fetch_log WHERE url = ?').get(`${A.origin}/nb/moved.html`) as {
      final_url: string;
      redirects_json: string;
    };
    expect(redirect.final_url).toBe(`${A.origin}/nb/2021/moved-here.html`);
    expect(JSON.parse(redirect.redirects_json)).toEqual([{ url: `${A.origin}/nb/moved.html`, status: 301, location: `${A.origin}/nb/2021/moved-here.html` }]);
  });

  it('a second run on the same database fetches nothing and stores nothing again', async () => {
    const before = { a: A.log.length, b: B.log.length, reports: (db.prepare('SELECT COUNT(*) AS n FROM reports').get() as { n: number }).n };
    const again = await new Crawler(db, { ...OPTS, seeds: [A.origin + '/', B.origin + '/nb/'] }).run();
    expect(again.fetched).toBe(0);
    expect(A.log.length).toBe(before.a);
    expect(B.log.length).toBe(before.b);
    expect((db.prepare('SELECT COUNT(*) AS n FROM reports').get() as { n: number }).n).toBe(before.reports);
    expect(again.stoppedBy).toBe('done');
  });

  it('a recrawl sends conditional requests and takes 304 for unchanged pages', async () => {
    const from = A.log.length;
    const again = await new Crawler(db, { ...OPTS, seeds: [], recrawl: true }).run();
    const conditional = A.log.slice(from).filter((l) => l.headers['if-none-match']);
    expect(conditional.map((l) => l.path)).toContain('/nb/r1.html');
    expect(conditional.map((l) => l.path)).toContain('/nb/index.html');
    expect(again.notModified).toBeGreaterThanOrEqual(conditional.length);
    expect(again.stored).toBe(0);
    expect((db.prepare('SELECT COUNT(*) AS n FROM reports').get() as { n: number }).n).toBe(8);
    // the list page answered 304: its links were read again from the stored body
    expect(frontierRow(`${A.origin}/nb/index.html`)).toMatchObject({ state: 'done', last_status: 304 });
  }, 60_000);
});

describe('a host that keeps failing', () => {
  it('is set aside and its URLs left queued for a later run, not retried in a loop', async () => {
    const D = await startHost({
      '/robots.txt': (_req, res) => res.writeHead(404).end(),
      '/nb/': (_req, res) => res.writeHead(503).end(),
      '/nb/x.html': (_req, res) => res.writeHead(503).end(),
    });
    const ddir = mkdtempSync(join(tmpdir(), 'nianbao-crawl-'));
    const ddb = openDb(join(ddir, 'd.db'));
    try {
      const s = await new Crawler(ddb, {
        ...OPTS,
        maxTries: 10,
        hostFailureLimit: 2,
        setAsideMs: 600_000,
        maxWaitMs: 2_000,
        seeds: [D.origin + '/nb/', D.origin + '/nb/x.html'],
      }).run();
      expect(s.stoppedBy).toBe('deferred');
      expect(s.deferred).toBe(2);
      expect(D.hits('/nb/') + D.hits('/nb/x.html')).toBe(2);
      const host = ddb.prepare('SELECT failures, set_aside_until, set_aside_count FROM hosts WHERE host = ?').get(D.host) as {
        set_aside_until: number;
        set_aside_count: number;
      };
      expect(host.set_aside_count).toBe(1);
      expect(host.set_aside_until).toBeGreaterThan(Date.now() + 500_000);
      const rows = ddb.prepare(`SELECT state, next_attempt_at FROM frontier`).all() as { state: string; next_attempt_at: number }[];
      expect(rows.every((r) => r.state === 'queued' && r.next_attempt_at >= host.set_aside_until)).toBe(true);
    } finally {
      ddb.close();
      await D.close();
      rmSync(ddir, { recursive: true, force: true });
    }
  });

  it('whose robots.txt cannot be had is tried again with backoff, then its URLs fail with the reason', async () => {
    const E = await startHost({ '/robots.txt': (_req, res) => res.writeHead(503).end(), '/nb/': { body: R1 } });
    const edir = mkdtempSync(join(tmpdir(), 'nianbao-crawl-'));
    const edb = openDb(join(edir, 'e.db'));
    try {
      const s = await new Crawler(edb, { ...OPTS, seeds: [E.origin + '/nb/'] }).run();
      expect(E.paths()).toEqual(['/robots.txt', '/robots.txt', '/robots.txt']); // maxTries 3, and never the page
      expect(s.failed).toBe(1);
      expect(s.failures).toEqual([
        { url: E.origin + '/robots.txt', error: 'robots.txt unreachable (HTTP 503) after 3 tries: host skipped; 1 URL failed' },
      ]);
      expect(edb.prepare('SELECT state, last_error FROM frontier').all()).toEqual([
        { state: 'failed', last_error: 'robots.txt unreachable (HTTP 503) after 3 tries: host skipped' },
      ]);
    } finally {
      edb.close();
      await E.close();
      rmSync(edir, { recursive: true, force: true });
    }
  });
});

describe('options', () => {
  it('--per-host 2 keeps at most two requests to a host in flight; a redirect to another host is queued for that host', async () => {
    const docs = [R1, FLAKY, MOVED, B1, B2].map((d, i) => Buffer.concat([Buffer.from(d), Buffer.from(`<!-- ${i} -->`)]));
    const other = await startHost({ '/robots.txt': (_q, r) => r.writeHead(404).end(), '/moved/r4.html': { body: docs[4] } }, { latencyMs: 30 });
    const routes: Parameters<typeof startHost>[0] = {
      '/robots.txt': (_q, r) => r.writeHead(404).end(),
      '/nb/': {
        body: listPage({
          items: docs.map((_, i) => ({ href: `/nb/r${i}.html`, text: `某局${2015 + i}年政府信息公开工作年度报告` })),
        }),
      },
      '/nb/r4.html': (_q, r) => r.writeHead(301, { location: `${other.origin}/moved/r4.html` }).end(),
    };
    docs.slice(0, 4).forEach((d, i) => (routes[`/nb/r${i}.html`] = { body: d }));
    const H = await startHost(routes, { latencyMs: 80 });
    const hdir = mkdtempSync(join(tmpdir(), 'nianbao-crawl-'));
    const hdb = openDb(join(hdir, 'h.db'));
    try {
      const s = await new Crawler(hdb, { ...OPTS, perHost: 2, scope: 'any', seeds: [H.origin + '/nb/'] }).run();
      expect(H.maxConcurrent).toBeLessThanOrEqual(2);
      expect(s.stored).toBe(5);
      // (then the links of that report page to its other years, on that host)
      expect(other.paths().slice(0, 2)).toEqual(['/robots.txt', '/moved/r4.html']);
      expect(other.maxConcurrent).toBeLessThanOrEqual(2);
      expect(hdb.prepare('SELECT role, final_url FROM frontier WHERE url = ?').get(H.origin + '/nb/r4.html')).toEqual({
        role: 'redirect',
        final_url: `${other.origin}/moved/r4.html`,
      });
    } finally {
      hdb.close();
      await Promise.all([H.close(), other.close()]);
      rmSync(hdir, { recursive: true, force: true });
    }
  });
});
