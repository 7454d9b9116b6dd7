/**
 * Script-built lists and pages, rendered in headless Chromium (one browser for this file): a loopback
 * site whose list pages and report pages are built by scripts from JSON (items and a `?page=N`
 * pager rendered by script; a second list paged by a script button). Asserted on the database
 * (every report stored once, its figures those of the static original, the rendered DOM stored as
 * the report and the raw response kept) and on the servers' own logs (nothing forbidden by
 * robots.txt, nothing out of scope, no image/style fetched, one request at a time to the host across
 * client and browser).
 */
import { readBlob } from '../src/store/blobs.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { openDb, type Db } from '../src/store/db.js';
import { Crawler, type CrawlEvent, type CrawlOptions, type CrawlSummary } from '../src/crawl/crawler.js';
import { extractBytes } from '../src/extract.js';
import { startHost, type TestHost } from './helpers/testsite.js';

const root = join(import.meta.dirname, '..');
const SAMPLES = [
  'xihua-county-2021',
  'hongze-water-2022-subtotal',
  'lianshui-2021-labels',
  'jinhu-2021-other-one-row',
  'huaiyin-2022-template2019',
  'chuanhui-district-2021-flat',
  'qingjiangpu-2023-t4-rows',
];
const sampleHtml = (name: string) => readFileSync(join(root, 'samples', name + '.html'), 'utf8');
/** Report id (1-based) → the sample it serves as JSON. */
const REPORTS = SAMPLES.map((name, i) => {
  const html = sampleHtml(name);
  return {
    id: i + 1,
    name,
    title: /<title>([^<]*)<\/title>/.exec(html)![1],
    body: /<body[^>]*>([\s\S]*)<\/body>/.exec(html)![1],
  };
});

const OPTS: Partial<CrawlOptions> = {
  concurrency: 4,
  delayMs: 0,
  timeoutMs: 5000,
  connectTimeoutMs: 2000,
  maxTries: 2,
  backoffBaseMs: 30,
  maxWaitMs: 5000,
  renderTimeoutMs: 30_000,
};

const json = (v: unknown) => ({ body: JSON.stringify(v), type: 'application/json; charset=utf-8' });
const js = (code: string) => ({ body: code, type: 'application/javascript' });

function shell(title: string, body: string): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title}</title>
<link rel="stylesheet" href="/css/site.css"></head><body>
<ul class="nav"><li><a href="/">首页</a></li></ul><img src="/img/banner.png" alt="">
${body}</body></html>`;
}

/** The script-built site; `off` is an out-of-scope origin its scripts try to reach. */
/** What the list API of list 2 was sent (method and form body), in order. */
let posts: string[] = [];

async function startSite(off: string, latencyMs = 0): Promise<TestHost> {
  posts = [];
  const list1 = (page: number) => ({ pages: 2, items: [1, 2].map((k) => REPORTS[(page - 1) * 2 + k - 1]).map((r) => ({ id: r.id, title: r.title.split('_')[0] })) });
  const list2 = (page: number) => ({ pages: 3, items: [REPORTS[4 + page - 1]].map((r) => ({ id: r.id, title: r.title.split('_')[0] })) });
  return startHost(
    {
      '/robots.txt': { body: 'User-agent: *\nDisallow: /private/\n', type: 'text/plain' },
      // list 1: items and a ?page=N pager written by script from JSON (four requests at once)
      '/nb/index.html': {
        body: shell('政府信息公开年报', `<h1>政府信息公开年报</h1><ul id="list"></ul><div id="pager"></div><script src="/js/list.js"></script>`),
      },
      '/js/list.js': js(`
var page = Number(new URLSearchParams(location.search).get('page') || 1);
Promise.all([
  fetch('/api/list?page=' + page).then(function (r) { return r.json(); }),
  fetch('/api/column').then(function (r) { return r.json(); }),
  fetch('/private/audit.json').catch(function () { return null; }),
  fetch('${off}/beacon.js').catch(function () { return null; }),
]).then(function (res) {
  var data = res[0];
  document.querySelector('h1').textContent = res[1].name;
  document.getElementById('list').innerHTML = data.items.map(function (i) {
    return '<li><a href="/nb/detail.html?id=' + i.id + '">' + i.title + '</a></li>';
  }).join('');
  var p = '';
  for (var n = 1; n <= data.pages; n++) p += n === page ? '<span>' + n + '</span>' : '<a href="' + (n === 1 ? 'index.html' : '?page=' + n) + '">' + n + '</a>';
  if (page < data.pages) p += '<a href="?page=' + (page + 1) + '">下一页</a>';
  document.getElementById('pager').innerHTML = p;
});`),
      '/api/list': (req, res) => {
        const page = Number(new URL(req.url!, 'http://x').searchParams.get('page') ?? 1);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(list1(page)));
      },
      '/api/column': json({ name: '政府信息公开年报' }),
      '/private/audit.json': json({ secret: true }),
      // list 2: a pager that is a button handled by script
      '/nb2/index.html': {
        body: shell('政务公开 年报专栏', `<h1>年报专栏</h1><div class="items"></div><button class="next" type="button">下一页</button><script src="/js/list2.js"></script>`),
      },
      '/js/list2.js': js(`
var page = 1;
function load() {
  // a form POST, as jQuery's $.post sends it
  fetch('/api/list2', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' }, body: 'page=' + page })
  .then(function (r) { return r.json(); }).then(function (data) {
    document.querySelector('.items').innerHTML = data.items.map(function (i) {
      return '<p><a href="/nb/detail.html?id=' + i.id + '">' + i.title + '</a></p>';
    }).join('');
    document.querySelector('.next').disabled = page >= data.pages;
  });
}
document.querySelector('.next').addEventListener('click', function () { page++; load(); });
load();`),
      '/api/list2': async (req, res) => {
        let form = '';
        for await (const chunk of req) form += chunk;
        posts.push(`${req.method} ${form}`);
        const page = Number(new URLSearchParams(form).get('page') ?? 0);
        if (req.method !== 'POST' || !page) return void res.writeHead(400).end();
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(list2(page)));
      },
      // a list whose script never yields: bounded by --render-timeout, the crawl goes on
      '/nb3/index.html': { body: shell('政府信息公开年报', `<ul class="list"></ul><script>for (;;) {}</script>`) },
      // the report page: an empty app root filled from JSON
      // (the last one's shell declares GBK: its rendered DOM, UTF-8 text, still says so in its <meta>)
      '/nb/detail.html': (req, res) => {
        const gbk = new URL(req.url!, 'http://x').searchParams.get('id') === String(REPORTS.length);
        const html = shell('详情', `<div id="app"></div><script src="/js/detail.js"></script>`);
        if (!gbk) return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
        res
          .writeHead(200, { 'content-type': 'text/html; charset=gbk' })
          .end(html.replace('<meta charset="utf-8">', '<meta charset="gbk">').replace('详情', 'detail'));
      },
      '/js/detail.js': js(`
fetch('/api/report' + location.search).then(function (r) { return r.json(); }).then(function (d) {
  document.title = d.title;
  document.getElementById('app').innerHTML = d.body;
});`),
      '/api/report': (req, res) => {
        const id = Number(new URL(req.url!, 'http://x').searchParams.get('id'));
        const r = REPORTS.find((x) => x.id === id);
        if (!r) return void res.writeHead(404).end();
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ title: r.title, body: r.body }));
      },
    },
    { latencyMs },
  );
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'nianbao-render-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('crawling a script-built site in the browser', () => {
  let A: TestHost;
  let OFF: TestHost;
  let db: Db;
  let summary: CrawlSummary;
  const events: CrawlEvent[] = [];

  beforeAll(async () => {
    OFF = await startHost({ '/beacon.js': js('1') });
    A = await startSite(OFF.origin, 15);
    db = openDb(join(dir, 'render.db'));
    summary = await new Crawler(db, {
      ...OPTS,
      renderTimeoutMs: 15_000,
      seeds: [`${A.origin}/nb3/index.html`, `${A.origin}/nb/index.html`, `${A.origin}/nb2/index.html`],
      onEvent: (e) => events.push(e),
    }).run();
  }, 150_000);

  afterAll(async () => {
    db?.close();
    await A?.close();
    await OFF?.close();
  });

  it('stores every script-built report once, with the figures of its static original', async () => {
    expect(summary.stoppedBy).toBe('done');
    const rows = db.prepare('SELECT id, source_url, agency, year, status FROM reports ORDER BY source_url').all() as {
      id: number;
      source_url: string;
      agency: string;
      year: number;
      status: string;
    }[];
    expect(rows.map((r) => r.source_url)).toEqual(REPORTS.map((r) => `${A.origin}/nb/detail.html?id=${r.id}`).sort());
    for (const r of REPORTS) {
      const row = rows.find((x) => x.source_url.endsWith(`?id=${r.id}`))!;
      const original = await extractBytes(new Uint8Array(readFileSync(join(root, 'samples', r.name + '.html'))), { source: r.name });
      expect({ agency: row.agency, year: row.year, status: row.status }).toEqual({ agency: original.agency, year: original.year, status: original.status });
      const figures = db.prepare('SELECT key, value FROM figures WHERE report_id = ? ORDER BY ord').all(row.id) as { key: string; value: number | null }[];
      expect(Object.keys(original.figures).length).toBeGreaterThan(50);
      expect(Object.fromEntries(figures.map((f) => [f.key, f.value]))).toEqual(original.figures);
    }
    // each report page fetched once by the client, each report's JSON once by the browser
    for (const r of REPORTS) {
      expect(A.hits(`/nb/detail.html?id=${r.id}`)).toBe(1);
      expect(A.hits(`/api/report?id=${r.id}`)).toBe(1);
    }
    // list 1: both ?page=N pages, found in the rendered pager; list 2: three pages by clicking its
    // button, each a form POST made by the crawler's fetcher
    expect(A.hits('/nb/index.html?page=2')).toBe(1);
    expect(A.hits('/api/list?page=2')).toBe(1);
    expect(posts).toEqual(['POST page=1', 'POST page=2', 'POST page=3']);
    expect(summary.rendered).toBe(REPORTS.length + 4);
  });

  it('bounds a page whose script never yields by the render timeout', () => {
    const hung = events.find((e) => e.type === 'rendered' && e.url === `${A.origin}/nb3/index.html`);
    expect(hung).toMatchObject({ timedOut: true, reason: 'empty list container <ul class="list"> with scripts' });
    expect(db.prepare('SELECT state, role FROM frontier WHERE url = ?').get(`${A.origin}/nb3/index.html`)).toEqual({ state: 'done', role: 'list' });
  });

  it('stores the rendered DOM as the report and keeps the response as fetched', () => {
    const row = db
      .prepare(
        `SELECT r.sha256 AS report_sha, f.content_sha256 AS raw_sha FROM reports r JOIN blobs b ON b.sha256 = r.sha256
           JOIN frontier f ON f.url = r.source_url WHERE r.source_url LIKE '%?id=1'`,
      )
      .get() as { report_sha: string; raw_sha: string };
    // blobs are kept compressed: readBlob gives the bytes back (src/store/blobs.ts)
    expect(readBlob(db, row.report_sha)!.toString('utf8')).toContain('主动公开政府信息情况');
    expect(readBlob(db, row.raw_sha)!.toString('utf8')).toContain('<div id="app"></div>');
  });

  it('lets the browser fetch nothing forbidden by robots.txt, out of scope, or not needed', () => {
    expect(A.paths().filter((p) => p.startsWith('/private/'))).toEqual([]);
    expect(OFF.log).toEqual([]);
    expect(A.paths().filter((p) => /\.(png|css)$/.test(p))).toEqual([]);
    const aborted = events.filter((e) => e.type === 'render_aborted') as Extract<CrawlEvent, { type: 'render_aborted' }>[];
    expect(aborted.some((e) => e.url === `${A.origin}/private/audit.json` && e.why === 'robots.txt: Disallow: /private/')).toBe(true);
    expect(aborted.some((e) => e.url === `${OFF.origin}/beacon.js` && e.why === 'out of scope')).toBe(true);
    // the browser's requests are in the fetch log like the client's
    const logged = db.prepare(`SELECT COUNT(*) AS n FROM fetch_log WHERE url LIKE '%/api/report?id=%'`).get() as { n: number };
    expect(logged.n).toBe(REPORTS.length);
  });

  it('makes one request at a time to the host, client and browser together', () => {
    expect(A.log.length).toBeGreaterThan(30);
    expect(A.maxConcurrent).toBe(1);
  });
});

describe('without the browser', () => {
  it('--no-render finds none of the script-built reports (and asks for no API)', async () => {
    const A = await startSite('http://127.0.0.1:9');
    try {
      const dbPath = join(dir, 'norender.db');
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [join(root, 'dist', 'src', 'cli.js'), 'crawl', '--no-render', '--delay', '0', '--json', '--db', dbPath, `${A.origin}/nb/index.html`, `${A.origin}/nb2/index.html`],
        { timeout: 60_000 },
      );
      const s = JSON.parse(stdout) as CrawlSummary;
      expect({ reports: s.reports, rendered: s.rendered, fetched: s.fetched }).toEqual({ reports: 0, rendered: 0, fetched: 2 });
      expect(A.paths().filter((p) => p.startsWith('/api/') || p.startsWith('/js/'))).toEqual([]);
    } finally {
      await A.close();
    }
  }, 90_000);

  it('--max-render bounds the pages rendered (0: none, said once, no browser started)', async () => {
    const A = await startSite('http://127.0.0.1:9');
    const db = openDb(join(dir, 'maxrender.db'));
    const events: CrawlEvent[] = [];
    try {
      const s = await new Crawler(db, {
        ...OPTS,
        maxRender: 0,
        browserPath: join(dir, 'no-such-chromium'), // never launched: the bound holds before the browser starts
        seeds: [`${A.origin}/nb/index.html`, `${A.origin}/nb/detail.html?id=1`],
        onEvent: (e) => events.push(e),
      }).run();
      expect(events.filter((e) => e.type === 'warning')).toEqual([
        { type: 'warning', message: '--max-render 0 reached: later script-built pages are read as fetched' },
      ]);
      expect({ reports: s.reports, rendered: s.rendered, fetched: s.fetched }).toEqual({ reports: 0, rendered: 0, fetched: 2 });
    } finally {
      db.close();
      await A.close();
    }
  });

  it('a browser that cannot start is one warning, and the crawl goes on', async () => {
    const static2021 = readFileSync(join(root, 'samples', 'xihua-county-2021.html'));
    const A = await startSite('http://127.0.0.1:9');
    const B = await startHost({ '/nb/2021.html': { body: static2021 } });
    const db = openDb(join(dir, 'nobrowser.db'));
    const events: CrawlEvent[] = [];
    try {
      const s = await new Crawler(db, {
        ...OPTS,
        browserPath: join(dir, 'no-such-chromium'),
        seeds: [`${A.origin}/nb/index.html`, `${A.origin}/nb/detail.html?id=1`, `${B.origin}/nb/2021.html`],
        onEvent: (e) => events.push(e),
      }).run();
      const warnings = events.filter((e) => e.type === 'warning') as Extract<CrawlEvent, { type: 'warning' }>[];
      expect(warnings.length).toBe(1);
      expect(warnings[0].message).toMatch(/^cannot start the browser \(.*no-such-chromium\): .*; crawling on without rendering script-built pages$/);
      expect({ reports: s.reports, rendered: s.rendered }).toEqual({ reports: 1, rendered: 0 });
      // the only failures: the static report's links to other years, which this site lacks
      expect(s.failures.map((f) => `${f.url.replace(B.origin, '')} ${f.error}`).sort()).toEqual(
        ['/zwgk/nb/2018.html HTTP 404', '/zwgk/nb/2019.html HTTP 404', '/zwgk/nb/2020.html HTTP 404'],
      );
      expect((db.prepare('SELECT source_url FROM reports').get() as { source_url: string }).source_url).toBe(`${B.origin}/nb/2021.html`);
    } finally {
      db.close();
      await A.close();
      await B.close();
    }
  }, 60_000);
});
