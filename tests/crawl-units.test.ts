/** The crawler's parts on their own: robots.txt rules, link discovery, and the fetcher's limits. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deflateSync, gzipSync, brotliCompressSync } from 'node:zlib';
import { parseRobots } from '../src/crawl/robots.js';
import { discover, scriptPagerUrls, viewerTarget } from '../src/crawl/discover.js';
import { createAgent, fetchUrl, parseRetryAfter } from '../src/crawl/fetcher.js';
import { ScopeFilter, siteDomain } from '../src/crawl/scope.js';
import { startHost, type TestHost } from './helpers/testsite.js';
import Database from 'better-sqlite3';
import { Frontier } from '../src/crawl/frontier.js';
import { politeDelay } from '../src/crawl/crawler.js';

const UA = 'nianbao/0.1 (+test)';

describe('robots.txt', () => {
  const robots = parseRobots(
    `# comment
User-agent: Googlebot
Disallow: /

User-agent: *
Disallow: /private/
Allow: /private/public/
Disallow: /*.pdf$
Disallow: /search?
Crawl-delay: 2

User-agent: nianbao
User-agent: other
Disallow: /xxgk/draft
Allow: /xxgk/draft/ok.html
Crawl-delay: 0.5
`,
    UA,
  );
  const star = parseRobots(
    'User-agent: *\nDisallow: /private/\nAllow: /private/public/\nDisallow: /*.pdf$\nDisallow: /search?\nDisallow: /年报/草稿\nCrawl-delay: 2\n',
    UA,
  );

  it('uses the group naming our product token, not the * group', () => {
    expect(robots.isAllowed('http://h/private/x.html')).toBe(true);
    expect(robots.isAllowed('http://h/xxgk/draft/2024.html')).toBe(false);
    expect(robots.matchedRule('http://h/xxgk/draft/2024.html')).toBe('Disallow: /xxgk/draft');
    expect(robots.crawlDelay).toBe(0.5);
  });

  it('longest match wins; Allow wins a tie', () => {
    expect(robots.isAllowed('http://h/xxgk/draft/ok.html')).toBe(true);
    expect(star.isAllowed('http://h/private/a.html')).toBe(false);
    expect(star.isAllowed('http://h/private/public/a.html')).toBe(true);
    const tie = parseRobots('User-agent: *\nDisallow: /a\nAllow: /a\n', UA);
    expect(tie.isAllowed('http://h/a/b')).toBe(true);
  });

  it('understands * and $ wildcards, queries and non-ASCII paths', () => {
    expect(star.isAllowed('http://h/files/report.pdf')).toBe(false);
    expect(star.isAllowed('http://h/files/report.pdf?x=1')).toBe(true);
    expect(star.isAllowed('http://h/search?q=年报')).toBe(false);
    expect(star.isAllowed('http://h/search')).toBe(true);
    expect(star.isAllowed('http://h/年报/草稿/1.html')).toBe(false);
    expect(star.isAllowed('http://h/年报/正式/1.html')).toBe(true);
    expect(star.crawlDelay).toBe(2);
    expect(star.isAllowed('http://h/robots.txt')).toBe(true);
  });

  it('allows everything when nothing applies', () => {
    const none = parseRobots('User-agent: Googlebot\nDisallow: /\n', UA);
    expect(none.isAllowed('http://h/anything')).toBe(true);
    expect(parseRobots('User-agent: *\nDisallow:\n', UA).isAllowed('http://h/x')).toBe(true);
  });
});

describe('discovery', () => {
  it('expands createPageHTML pagers', () => {
    const base = new URL('http://h/xxgk/nb/index.html');
    expect(scriptPagerUrls('<script>createPageHTML(4, 0, "index", "html");</script>', base)).toEqual([
      'http://h/xxgk/nb/index.html',
      'http://h/xxgk/nb/index_1.html',
      'http://h/xxgk/nb/index_2.html',
      'http://h/xxgk/nb/index_3.html',
    ]);
    expect(scriptPagerUrls("createPageHTML('page_div', 2, 1, 'list', 'shtml', 30);", base)).toEqual([
      'http://h/xxgk/nb/list.shtml',
      'http://h/xxgk/nb/list_1.shtml',
    ]);
  });

  it('finds PDFs behind pdf.js viewer links', () => {
    expect(viewerTarget(new URL('http://h/pdfjs/web/viewer.html?file=%2Fnb%2Fa.pdf'))?.href).toBe('http://h/nb/a.pdf');
    expect(viewerTarget(new URL('http://h/viewer?file=b.pdf'))?.href).toBe('http://h/b.pdf');
    expect(viewerTarget(new URL('http://h/nb/a.html?file=x'))).toBeNull();
  });

  it('classifies a list page: report links, pagination, attachments; not the news', () => {
    const page = discover(
      `<html><head><title>政府信息公开年报</title><base href="/xxgk/nb/"></head><body>
       <a href="/">首页</a><a href="/news/1.html">全县经济工作会议召开</a>
       <a href="/xxgk/">政府信息公开</a>
       <a href="2022/t1.html" title="某县人民政府2021年政府信息公开工作年度报告">某县人民政府2021年政府信息公开…</a>
       <a href="/files/2020.pdf">2020年报（PDF）</a>
       <a href="/xxgknb/2019.html">2019</a>
       <a href="index_1.html">下一页</a><a href="index_5.html">尾页</a>
       <a href="javascript:void(0)">打印</a><a href="mailto:x@y">信箱</a>
       <embed src="/files/embed.pdf" type="application/pdf">
       </body></html>`,
      'http://h/xxgk/nb/index.html',
    );
    expect(page.role).toBe('list');
    const kinds = Object.fromEntries(page.links.map((l) => [l.url, l.kind]));
    expect(kinds).toEqual({
      'http://h/xxgk/': 'hub',
      'http://h/xxgk/nb/2022/t1.html': 'report',
      'http://h/files/2020.pdf': 'attachment',
      'http://h/xxgknb/2019.html': 'report',
      'http://h/xxgk/nb/index_1.html': 'list',
      'http://h/xxgk/nb/index_5.html': 'list',
      'http://h/files/embed.pdf': 'attachment',
    });
  });

  it('a report page that only embeds its PDF yields the PDF', () => {
    const page = discover(
      `<html><head><title>x</title></head><body><h1>某县人民政府2023年政府信息公开工作年度报告</h1>
       <a href="/xxgk/nb/">政府信息公开年报</a>
       <iframe src="/pdfjs/web/viewer.html?file=/up/2024/nb.pdf"></iframe></body></html>`,
      'http://h/xxgk/nb/t1.html',
    );
    expect(page.role).toBe('wrapper');
    expect(page.links).toEqual([{ url: 'http://h/up/2024/nb.pdf', kind: 'attachment', text: 'embedded', format: 'pdf' }]);
  });
});

describe('scope', () => {
  it('keeps to the seeds’ hosts, or their site domain', () => {
    expect(siteDomain('www.hongze.gov.cn')).toBe('hongze.gov.cn');
    expect(siteDomain('a.b.example.com')).toBe('example.com');
    const host = new ScopeFilter('host', ['http://www.hongze.gov.cn/']);
    expect(host.allows('http://www.hongze.gov.cn/x')).toBe(true);
    expect(host.allows('http://xxgk.hongze.gov.cn/x')).toBe(false);
    expect(host.allows('http://www.hongze.gov.cn:8080/x')).toBe(false);
    const domain = new ScopeFilter('domain', ['http://www.hongze.gov.cn/']);
    expect(domain.allows('http://xxgk.hongze.gov.cn/x')).toBe(true);
    expect(domain.allows('http://www.huaian.gov.cn/x')).toBe(false);
  });
});

describe('fetcher', () => {
  let H: TestHost;
  const agent = createAgent({ connectTimeoutMs: 2000, timeoutMs: 2000 });
  const html = '<html><body>压缩的正文 compressed body</body></html>';
  beforeAll(async () => {
    H = await startHost({
      '/gz': (_q, r) => r.writeHead(200, { 'content-encoding': 'gzip' }).end(gzipSync(html)),
      '/br': (_q, r) => r.writeHead(200, { 'content-encoding': 'br' }).end(brotliCompressSync(html)),
      '/deflate': (_q, r) => r.writeHead(200, { 'content-encoding': 'deflate' }).end(deflateSync(html)),
      '/bomb': (_q, r) => r.writeHead(200, { 'content-encoding': 'gzip' }).end(gzipSync(Buffer.alloc(5_000_000))),
      '/etag': (q, r) => {
        if (q.headers['if-none-match'] === '"v1"') r.writeHead(304, { etag: '"v1"' }).end();
        else r.writeHead(200, { etag: '"v1"', 'last-modified': 'Tue, 01 Oct 2024 00:00:00 GMT' }).end('x');
      },
      '/chain1': (_q, r) => r.writeHead(302, { location: '/chain2' }).end(),
      '/chain2': (_q, r) => r.writeHead(302, { location: '/chain3' }).end(),
      '/chain3': (_q, r) => r.writeHead(200).end('end'),
      // a slow drip: never idle long enough for the body timeout, stopped by the overall deadline
      '/drip': async (_q, r) => {
        r.writeHead(200, { 'content-type': 'text/plain' });
        for (let i = 0; i < 100 && !r.destroyed; i++) {
          r.write('x');
          await new Promise((t) => setTimeout(t, 50));
        }
        r.end();
      },
    });
  });
  afterAll(async () => {
    await agent.close();
    await H.close();
  });
  const get = (path: string, extra: Partial<Parameters<typeof fetchUrl>[1]> = {}) =>
    fetchUrl(H.origin + path, { dispatcher: agent, userAgent: UA, timeoutMs: 2000, maxBytes: 1_000_000, maxRedirects: 5, ...extra });

  it('decodes gzip, br and deflate bodies', async () => {
    for (const p of ['/gz', '/br', '/deflate']) {
      const r = await get(p);
      expect(r.error).toBeUndefined();
      expect(Buffer.from(r.body!).toString('utf8')).toBe(html);
    }
    expect(H.log.find((l) => l.path === '/gz')?.headers['accept-encoding']).toBe('gzip, deflate, br');
  });

  it('caps the decompressed size too', async () => {
    const r = await get('/bomb');
    expect(r.error).toEqual({ code: 'too_large', message: 'decompressed body larger than 1000000 bytes', retryable: false });
  });

  it('sends validators and reports 304', async () => {
    const first = await get('/etag');
    expect(first.headers.etag).toBe('"v1"');
    const again = await get('/etag', { etag: '"v1"', lastModified: first.headers['last-modified'] });
    expect(again.notModified).toBe(true);
    expect(again.status).toBe(304);
    const sent = H.log.filter((l) => l.path === '/etag').at(-1)!.headers;
    expect(sent['if-none-match']).toBe('"v1"');
    expect(sent['if-modified-since']).toBe('Tue, 01 Oct 2024 00:00:00 GMT');
  });

  it('records the redirect chain and stops at the limit', async () => {
    const ok = await get('/chain1');
    expect(ok.finalUrl).toBe(H.origin + '/chain3');
    expect(ok.redirects.map((r) => r.status)).toEqual([302, 302]);
    const limited = await get('/chain1', { maxRedirects: 1 });
    expect(limited.error?.code).toBe('too_many_redirects');
    const vetoed = await get('/chain1', { onRedirect: () => 'return' });
    expect(vetoed.redirectTo).toBe(H.origin + '/chain2');
  });

  it('stops a slow drip at the overall deadline', async () => {
    const r = await get('/drip', { deadlineMs: 400 });
    expect(r.error).toEqual({ code: 'timeout', message: 'deadline exceeded', retryable: true });
  });

  it('reads Retry-After as seconds or a date', () => {
    expect(parseRetryAfter('120')).toBe(120_000);
    expect(parseRetryAfter(new Date(Date.now() + 60_000).toUTCString(), Date.now())).toBeGreaterThan(58_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});

describe('frontier recovery', () => {
  it('requeues what a dead run claimed, counts what it was handling as a try, fails a URL that keeps killing it', () => {
    const db = new Database(':memory:');
    const f = new Frontier(db);
    for (const [url, n] of [['http://h/a', 0], ['http://h/b', 0], ['http://h/c', 3]] as const) {
      f.add({ url, host: 'h', depth: 0, priority: 1, kindHint: 'seed', from: null });
      db.prepare('UPDATE frontier SET tries = ? WHERE url = ?').run(n, url);
    }
    expect(f.claimBatch('h', Date.now(), 10).map((r) => r.url)).toEqual(['http://h/a', 'http://h/b', 'http://h/c']);
    f.start('http://h/b');
    f.start('http://h/c');
    expect(f.recover(4)).toEqual({ requeued: 2, failed: 1 });
    const rows = db.prepare('SELECT url, state, tries, last_error FROM frontier ORDER BY url').all();
    expect(rows).toEqual([
      { url: 'http://h/a', state: 'queued', tries: 0, last_error: null },
      { url: 'http://h/b', state: 'queued', tries: 1, last_error: null },
      { url: 'http://h/c', state: 'failed', tries: 4, last_error: 'the crawler stopped (crash or kill) while handling this URL, 4 times' },
    ]);
    db.close();
  });
});

describe('politeness delay', () => {
  const o = { delayMs: 500, delayFactor: 2, maxDelayMs: 5000 };
  it('grows with the response time, bounded, never below the base delay or Crawl-delay', () => {
    expect(politeDelay(o, null, 0)).toBe(500);
    expect(politeDelay(o, 100, 0)).toBe(500);
    expect(politeDelay(o, 1200, 0)).toBe(2400);
    expect(politeDelay(o, 60_000, 0)).toBe(5000);
    expect(politeDelay(o, 1200, 10_000)).toBe(10_000); // robots.txt Crawl-delay: 10 is obeyed past the bound
    expect(politeDelay({ delayMs: 0, delayFactor: 0, maxDelayMs: 0 }, 300, 0)).toBe(0);
  });
});
