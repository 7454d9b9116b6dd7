/**
 * Hash-routed pages (issue 16 item 4): single-page apps whose list and detail pages are hash routes
 * (`/zfxxgk/#/detail/3`, `/gkpt/#!/info/x7`), written as two vendors would.
 * - Vendor 1 (a Vue-router-like app, `fetch`, `#/`): a list of two pages (JSON, `pageNo`), paged by
 *   `#/list/2` links; a detail shows the report's tables (HTML in the JSON), or only a 下载附件 button
 *   whose script fetches `/zfxxgk/api/file?id=…` and saves it as a blob.
 * - Vendor 2 (jQuery-era ES5, XMLHttpRequest form POSTs, `#!/`): a table list from `list.do`; a detail
 *   from `info.do` shows the tables, or the attachment's file name as a span whose click opens
 *   `download.do?fileId=…` (window.open) or sets location to `getFile?id=…` (Content-Disposition).
 * Asserted: every report stored once (inline ones from the rendered DOM under their hash route,
 * attachments from the bytes the page's script fetched, each asked for once); hash routes in the
 * frontier, plain anchors not; nothing forbidden requested; one request at a time per host across
 * client and browser; what rendering did in fetch_log, per seed in `render_by_seed`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IncomingMessage } from 'node:http';
import { openDb, type Db } from '../src/store/db.js';
import { Crawler, type CrawlEvent, type CrawlOptions, type CrawlSummary } from '../src/crawl/crawler.js';
import { clean } from '../src/crawl/discover.js';
import { startHost, type TestHost } from './helpers/testsite.js';

const root = join(import.meta.dirname, '..');
const sample = (n: string) => {
  const html = readFileSync(join(root, 'samples', n + '.html'), 'utf8');
  return { title: /<title>([^<]*)<\/title>/i.exec(html)?.[1]?.trim() ?? n, body: /<body[^>]*>([\s\S]*)<\/body>/i.exec(html)![1] };
};
const pdf = (n: string, variant = '') => {
  const b = readFileSync(join(root, 'samples', 'pdf', n + '.pdf'));
  // a distinct copy of the same report: bytes after %%EOF, which PDF readers ignore
  return variant ? Buffer.concat([b, Buffer.from(`\n% ${variant}\n`)]) : b;
};
const PDFS = [pdf('pdf-2021-no-repeat'), pdf('pdf-2019-no-lines'), pdf('pdf-2021-repeat-header'), pdf('pdf-2021-no-repeat', 'copy of vendor 2')];
const INLINE = ['chuanhui-district-2021-flat', 'fugou-agriculture-2021-values', 'hongze-water-2022-subtotal', 'huaiyin-2022-template2019'].map(sample);

const OPTS: Partial<CrawlOptions> = { concurrency: 4, delayMs: 0, timeoutMs: 5000, connectTimeoutMs: 2000, maxTries: 2, backoffBaseMs: 30, maxWaitMs: 5000, renderTimeoutMs: 20_000 };
const js = (code: string) => ({ body: code, type: 'application/javascript' });
async function readBody(req: IncomingMessage): Promise<string> {
  let s = '';
  for await (const chunk of req) s += chunk;
  return s;
}
const shell = (title: string, body: string) =>
  `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title}</title></head><body><div class="header"><a href="/">首页</a> <a href="#top">返回顶部</a></div>${body}</body></html>`;

/** Vendor 1: details 1-3 inline, 4-5 behind the download API. */
const V1 = [
  { id: 1, title: INLINE[0].title, content: INLINE[0].body },
  { id: 2, title: INLINE[1].title, content: INLINE[1].body },
  { id: 3, title: INLINE[2].title, content: INLINE[2].body },
  { id: 4, title: '某县审计局2021年政府信息公开工作年度报告', file: 0 },
  { id: 5, title: '某县水利局2019年政府信息公开工作年度报告', file: 1 },
];
/** Vendor 2: one inline, two attachments (window.open of download.do; location of getFile). */
const V2 = [
  { id: 'x7', title: INLINE[3].title, html: INLINE[3].body },
  { id: 'k1', title: '某区财政局2021年政府信息公开工作年度报告', file: 2, open: 'window' },
  { id: 'k2', title: '某区教育局2021年政府信息公开工作年度报告', file: 3, open: 'location' },
];

function vendor1(): Promise<TestHost> {
  return startHost({
    '/robots.txt': { body: 'User-agent: *\nDisallow: /zfxxgk/private/\n', type: 'text/plain' },
    '/zfxxgk/': { body: shell('某县政务公开', '<div id="app"></div><script src="/zfxxgk/js/app.js"></script>') },
    '/zfxxgk/js/app.js': js(`const app = document.getElementById('app');
async function route() {
  const h = location.hash || '#/list/1';
  let m;
  if ((m = /^#\\/list\\/(\\d+)$/.exec(h))) {
    const d = await (await fetch('/zfxxgk/api/list?pageNo=' + m[1] + '&pageSize=3')).json();
    app.innerHTML = '<h2>政府信息公开年度报告</h2><ul class="news">' + d.rows.map((x) => \`<li><a href="#/detail/\${x.id}">\${x.title}</a></li>\`).join('') + '</ul>'
      + (d.pageNo < d.pages ? \`<a class="next" href="#/list/\${d.pageNo + 1}">下一页</a>\` : '');
  } else if ((m = /^#\\/detail\\/(\\d+)$/.exec(h))) {
    const d = await (await fetch('/zfxxgk/api/detail/' + m[1])).json();
    app.innerHTML = \`<h1>\${d.title}</h1>\` + (d.content || '') + (d.fileId !== undefined ? \`<p>附件：<button type="button" class="btn-dl" data-id="\${d.fileId}">下载附件</button></p>\` : '');
  }
  fetch('/zfxxgk/private/visit', { method: 'POST', body: h }).catch(() => {});
}
app.addEventListener('click', async (e) => {
  const b = e.target.closest('.btn-dl');
  if (!b) return;
  const blob = await (await fetch('/zfxxgk/api/file?id=' + b.dataset.id)).blob();
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = 'report.pdf';
  document.body.appendChild(a);
  a.click();
});
window.addEventListener('hashchange', route);
route();`),
    '/zfxxgk/api/list': (req, res) => {
      const q = new URL(req.url!, 'http://x').searchParams;
      const no = Number(q.get('pageNo'));
      const size = Number(q.get('pageSize'));
      const rows = V1.slice((no - 1) * size, no * size).map((r) => ({ id: r.id, title: r.title }));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ pageNo: no, pages: Math.ceil(V1.length / size), rows }));
    },
    ...Object.fromEntries(
      V1.map((r) => [
        `/zfxxgk/api/detail/${r.id}`,
        { body: JSON.stringify({ title: r.title, ...(r.content ? { content: r.content } : {}), ...(r.file !== undefined ? { fileId: 100 + r.id } : {}) }), type: 'application/json' },
      ]),
    ),
    '/zfxxgk/api/file': (req, res) => {
      const id = Number(new URL(req.url!, 'http://x').searchParams.get('id')) - 100;
      const r = V1.find((x) => x.id === id);
      if (!r || r.file === undefined) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(PDFS[r.file]);
    },
  });
}

function vendor2(): Promise<TestHost> {
  const file = (id: string | null, res: import('node:http').ServerResponse, disposition: string) => {
    const r = V2.find((x) => x.id === id);
    if (!r || r.file === undefined) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': disposition.includes('filename*') ? 'application/pdf' : 'application/octet-stream', 'content-disposition': disposition }).end(PDFS[r.file]);
  };
  return startHost({
    '/robots.txt': { body: 'User-agent: *\nDisallow: /gkpt/track\n', type: 'text/plain' },
    '/gkpt/index.html': { body: shell('政府信息公开平台', '<div class="main"><div id="content">加载中...</div></div><script src="/gkpt/js/gk.js"></script>') },
    '/gkpt/js/gk.js': js(`function ajax(method, url, data, cb) {
  var x = new XMLHttpRequest();
  x.open(method, url, true);
  if (data) x.setRequestHeader('Content-Type', 'application/x-www-form-urlencoded; charset=UTF-8');
  x.onreadystatechange = function () { if (x.readyState === 4 && x.status === 200) cb(JSON.parse(x.responseText)); };
  x.send(data || null);
}
function down(id, how) { if (how === 'window') window.open('/gkpt/download.do?fileId=' + id); else location.href = '/gkpt/getFile?id=' + id; }
function render() {
  var h = location.hash.replace(/^#!/, '') || '/list';
  var c = document.getElementById('content');
  var m = h.match(/^\\/info\\/(\\w+)$/);
  ajax('POST', '/gkpt/track.do', 'h=' + encodeURIComponent(h), function () {});
  if (m) {
    ajax('POST', '/gkpt/info.do', 'infoId=' + m[1], function (d) {
      var html = '<div class="title">' + d.title + '</div><h1>' + d.title + '</h1>' + (d.html || '');
      for (var i = 0; i < d.files.length; i++) html += '<p>附件：<span class="file" onclick="down(\\'' + d.files[i].id + '\\', \\'' + d.files[i].how + '\\')">' + d.files[i].name + '</span></p>';
      c.innerHTML = html;
    });
    return;
  }
  ajax('POST', '/gkpt/list.do', 'curPage=1&pageSize=10&catalog=ndbg', function (d) {
    var rows = '';
    for (var i = 0; i < d.list.length; i++) rows += '<tr><td><a href="#!/info/' + d.list[i].infoId + '">' + d.list[i].title + '</a></td><td>2022-01-20</td></tr>';
    c.innerHTML = '<table class="list-table"><tbody>' + rows + '</tbody></table>';
  });
}
window.onhashchange = render;
render();`),
    '/gkpt/list.do': async (req, res) => {
      const q = new URLSearchParams(await readBody(req));
      if (req.method !== 'POST' || q.get('catalog') !== 'ndbg') return void res.writeHead(400).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ list: V2.map((r) => ({ infoId: r.id, title: r.title })) }));
    },
    '/gkpt/info.do': async (req, res) => {
      const infoId = new URLSearchParams(await readBody(req)).get('infoId');
      const r = V2.find((x) => x.id === infoId);
      if (!r) return void res.writeHead(404).end();
      const files = r.file !== undefined ? [{ id: r.id, how: r.open, name: r.title + '.pdf' }] : [];
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ title: r.title, html: r.html ?? '', files }));
    },
    '/gkpt/download.do': (req, res) => file(new URL(req.url!, 'http://x').searchParams.get('fileId'), res, 'attachment; filename="report.pdf"'),
    '/gkpt/getFile': (req, res) => file(new URL(req.url!, 'http://x').searchParams.get('id'), res, `attachment; filename*=UTF-8''${encodeURIComponent('年度报告.pdf')}`),
  });
}

describe('hash-routed single-page apps', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nianbao-spa-'));
  let A: TestHost;
  let B: TestHost;
  let db: Db;
  let summary: CrawlSummary;
  const events: CrawlEvent[] = [];

  beforeAll(async () => {
    A = await vendor1();
    B = await vendor2();
    db = openDb(join(dir, 'spa.db'));
    summary = await new Crawler(db, { ...OPTS, seeds: [A.origin + '/zfxxgk/', B.origin + '/gkpt/index.html'], onEvent: (e) => events.push(e) }).run();
  }, 240_000);

  afterAll(async () => {
    db?.close();
    await A?.close();
    await B?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps hash routes as pages of their own, and drops plain anchors', () => {
    expect(clean(new URL('http://a/zfxxgk/#/detail/3'))).toBe('http://a/zfxxgk/#/detail/3');
    expect(clean(new URL('http://a/gkpt/index.html#!/info/x7'))).toBe('http://a/gkpt/index.html#!/info/x7');
    expect(clean(new URL('http://a/list.html#top'))).toBe('http://a/list.html');
    const routes = (db.prepare(`SELECT url FROM frontier WHERE url LIKE '%#%' AND url NOT LIKE '%#POST:%' ORDER BY url`).all() as { url: string }[]).map((r) => r.url);
    expect(routes).toEqual(
      [
        ...['/gkpt/index.html#!/info/k1', '/gkpt/index.html#!/info/k2', '/gkpt/index.html#!/info/x7'].map((p) => B.origin + p),
        ...['/zfxxgk/#/detail/1', '/zfxxgk/#/detail/2', '/zfxxgk/#/detail/3', '/zfxxgk/#/detail/4', '/zfxxgk/#/detail/5', '/zfxxgk/#/list/2'].map((p) => A.origin + p),
      ].sort(),
    );
  });

  it('stores every report once: inline ones rendered under their route, attachments from the download the page made', () => {
    expect(summary.stoppedBy).toBe('done');
    const rows = db.prepare('SELECT source_url, year, status FROM reports ORDER BY source_url').all() as { source_url: string; year: number; status: string }[];
    expect(rows.map((r) => r.source_url)).toEqual(
      [
        `${A.origin}/zfxxgk/#/detail/1`,
        `${A.origin}/zfxxgk/#/detail/2`,
        `${A.origin}/zfxxgk/#/detail/3`,
        `${A.origin}/zfxxgk/api/file?id=104`,
        `${A.origin}/zfxxgk/api/file?id=105`,
        `${B.origin}/gkpt/download.do?fileId=k1`,
        `${B.origin}/gkpt/getFile?id=k2`,
        `${B.origin}/gkpt/index.html#!/info/x7`,
      ].sort(),
    );
    for (const r of rows) expect(r.status).not.toBe('not_a_report');
    // each file asked for once (by the page's script, through the fetcher), never again by the client
    for (const p of ['/zfxxgk/api/file?id=104', '/zfxxgk/api/file?id=105']) expect(A.hits(p)).toBe(1);
    for (const p of ['/gkpt/download.do?fileId=k1', '/gkpt/getFile?id=k2']) expect(B.hits(p)).toBe(1);
    // …and logged once, with the bytes' sha256
    const logged = db.prepare(`SELECT url, sha256 FROM fetch_log WHERE url LIKE '%/api/file%' OR url LIKE '%download.do%' OR url LIKE '%getFile%' ORDER BY url`).all() as { url: string; sha256: string }[];
    expect(logged.map((r) => r.url)).toEqual(rows.map((r) => r.source_url).filter((u) => !u.includes('#')).sort());
    for (const r of logged) expect(r.sha256).toMatch(/^[0-9a-f]{64}$/);
    // the wrapper pages (a title and a download button) are no reports of their own
    const roles = db.prepare(`SELECT url, role FROM frontier WHERE url LIKE '%/detail/4' OR url LIKE '%/info/k1'`).all() as { role: string }[];
    expect(roles.map((r) => r.role)).toEqual(['wrapper', 'wrapper']);
  });

  it('renders every hash route (the shell is all the static HTML has) and records the decision per template', () => {
    const rendered = (events.filter((e) => e.type === 'rendered') as Extract<CrawlEvent, { type: 'rendered' }>[]).map((e) => e.url);
    expect(rendered.filter((u) => u.includes('#'))).toHaveLength(9);
    const memory = db.prepare(`SELECT template, verdict FROM render_memory ORDER BY template`).all();
    expect(memory).toEqual([
      { template: '/gkpt/index.html', verdict: 'render' },
      { template: '/gkpt/index.html#!/info/x{n}', verdict: 'render' },
      { template: '/gkpt/index.html#!/info/k{n}', verdict: 'render' },
      { template: '/zfxxgk/', verdict: 'render' },
      { template: '/zfxxgk/#/detail/{n}', verdict: 'render' },
      { template: '/zfxxgk/#/list/{n}', verdict: 'render' },
    ].sort((a, b) => (a.template < b.template ? -1 : 1)));
  });

  it('asks for nothing robots.txt forbids, one request at a time per host, client and browser together', () => {
    expect(A.paths().filter((p) => p.includes('/private/'))).toEqual([]);
    expect(B.paths().filter((p) => p.startsWith('/gkpt/track'))).toEqual([]);
    expect(A.maxConcurrent).toBe(1);
    expect(B.maxConcurrent).toBe(1);
  });

  it('keeps what rendering did in fetch_log, per page, and per seed in render_by_seed', () => {
    const pages = db.prepare(`SELECT url, render_seed, render_role, render_clicks, render_report_links FROM fetch_log WHERE render_role IS NOT NULL ORDER BY url`).all() as {
      url: string;
      render_seed: string;
      render_role: string;
      render_clicks: number;
      render_report_links: number;
    }[];
    expect(pages.find((p) => p.url === `${A.origin}/zfxxgk/#/detail/4`)).toMatchObject({ render_seed: A.host, render_role: 'wrapper', render_report_links: 1 });
    expect(pages.find((p) => p.url === `${A.origin}/zfxxgk/#/detail/1`)).toMatchObject({ render_seed: A.host, render_role: 'report' });
    expect(pages.find((p) => p.url === `${B.origin}/gkpt/index.html`)).toMatchObject({ render_seed: B.host, render_role: 'list', render_clicks: 0, render_report_links: 3 });
    const bySeed = db.prepare('SELECT seed, rendered, interacted, empty_after_render FROM render_by_seed ORDER BY seed').all();
    expect(bySeed).toEqual(
      summary.renderedBySeed.map((s) => ({ seed: s.seed, rendered: s.rendered, interacted: s.interacted.length, empty_after_render: s.emptyAfterRender.length })),
    );
  });
});
