/**
 * Lists only a browser sees, and a browser that stays inside the crawler's fetcher (issue 16 items 1-2,
 * issue 20 item 4). A loopback site built here, its list scripts written as different vendors write
 * them: a TRS-style column listing 4 of its 10 reports as static links and fetching the rest
 * (fetch + JSON; a second column: XMLHttpRequest + an HTML fragment, as `$.load()` does), a
 * 信息公开平台 whose list comes from a JSON POST with the page in the body (`fetch`; and an
 * XMLHttpRequest JSON POST paged by a 下一页 button), a static list with a harmless script, and a
 * page whose script tries every way out (WebSocket, WebRTC, preconnect, DNS prefetch, beacon,
 * EventSource, iframe, PUT/DELETE) towards an out-of-scope port on loopback.
 * Asserted: every report stored once; the rendering decision recorded per host and template and
 * reused by a second run; nothing out of scope or forbidden requested (the servers' own logs and a
 * raw TCP/UDP listener on the out-of-scope port); one request at a time to the host across client
 * and browser; each POST made with the page's own body and Content-Type, and logged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server, type Socket as NetSocket } from 'node:net';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import type { IncomingMessage } from 'node:http';
import { openDb, type Db } from '../src/store/db.js';
import { Crawler, type CrawlEvent, type CrawlOptions, type CrawlSummary } from '../src/crawl/crawler.js';
import { pageTemplate } from '../src/crawl/render-memory.js';
import { startHost, type TestHost } from './helpers/testsite.js';

const root = join(import.meta.dirname, '..');
const SAMPLES = [
  'chuanhui-district-2021-flat', 'dancheng-health-2020-gb2312', 'fugou-agriculture-2021-values', 'hongze-water-2022-subtotal',
  'shenqiu-audit-2021-narrative', 'huaiyang-transport-2022-split', 'huaiyin-2022-template2019', 'jinhu-2021-other-one-row',
  'lianshui-2021-labels', 'luyi-education-2021-gbk', 'qingjiangpu-2023-t4-rows', 'queshan-2022-mislabelled',
  'shangshui-housing-2021-word', 'shenqiu-civil-affairs-2019-split', 'suiping-2021-total-blank', 'taikang-education-2021-bad-sums',
  'taikang-finance-2021-captions', 'xiangcheng-market-2020-word', 'xihua-county-2017-legacy', 'xihua-county-2021',
  'xiping-2021-column-order', 'xuyi-2020-labels', 'yancheng-tax-2021-word-gbk', 'zhoukou-ecology-2019', 'zhoukou-finance-2020-units',
];
const bytes = SAMPLES.map((n) => readFileSync(join(root, 'samples', n + '.html')));
const detail = (i: number) => `/detail/${i}.html`;
const title = (i: number) => `${i}号 2021年政府信息公开工作年度报告`;
/** Which reports each list holds (1-based ids into SAMPLES). */
const COL1 = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]; // 4 static, 6 fetched by script
const PLATFORM = [11, 12, 13, 14, 15, 16]; // all from a JSON POST
const GK = [17, 18, 19, 20]; // two pages of a JSON POST, paged by a 下一页 button
const STATIC = [21];
const ESC = [22];
const COL2 = [23, 24, 25]; // second run: 1 static, 2 by an HTML fragment

const OPTS: Partial<CrawlOptions> = {
  concurrency: 4,
  delayMs: 0,
  timeoutMs: 5000,
  connectTimeoutMs: 2000,
  maxTries: 2,
  backoffBaseMs: 30,
  maxWaitMs: 5000,
  renderTimeoutMs: 20_000,
};

const js = (code: string) => ({ body: code, type: 'application/javascript' });
const li = (i: number) => `<li><a href="${detail(i)}">${title(i)}</a></li>`;
function shell(h1: string, body: string, head = ''): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${h1}</title>${head}</head><body>
<ul class="nav"><li><a href="/">首页</a></li></ul><h1>${h1}</h1>${body}</body></html>`;
}
async function readBody(req: IncomingMessage): Promise<string> {
  let s = '';
  for await (const chunk of req) s += chunk;
  return s;
}

/** A raw listener on one port, TCP and UDP: every connection and datagram counted (nothing may arrive). */
interface Trap {
  port: number;
  tcp: number;
  udp: number;
  close(): Promise<void>;
}
async function startTrap(): Promise<Trap> {
  const t = { tcp: 0, udp: 0 } as Trap;
  const socks = new Set<NetSocket>();
  const server: Server = createServer((s) => {
    t.tcp++;
    socks.add(s);
    s.on('error', () => {});
    s.on('close', () => socks.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.port = (server.address() as { port: number }).port;
  const udp: UdpSocket = createSocket('udp4');
  udp.on('message', () => t.udp++);
  await new Promise<void>((r) => udp.bind(t.port, '127.0.0.1', r));
  t.close = async () => {
    for (const s of socks) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
    await new Promise<void>((r) => udp.close(() => r()));
  };
  return t;
}

/** Bodies the POST APIs were sent, as `content-type body`. */
let posts: string[] = [];

function startSite(trapPort: number): Promise<TestHost> {
  posts = [];
  const off = `127.0.0.1:${trapPort}`;
  const routes: Parameters<typeof startHost>[0] = {
    '/robots.txt': { body: 'User-agent: *\nDisallow: /private/\n', type: 'text/plain' },
    // TRS-style column, vendor 1: 4 static links, the rest fetched as JSON page by page (chnlid, page, prepage)
    '/trs/col1/index.html': {
      body: shell('政府信息公开年报', `<ul class="list" id="list">${COL1.slice(0, 4).map(li).join('')}</ul>
<script>
var chnlid = 1001, prepage = 4;
function more(page) {
  fetch('/trs/list?chnlid=' + chnlid + '&page=' + page + '&prepage=' + prepage).then(function (r) { return r.json(); }).then(function (d) {
    document.getElementById('list').insertAdjacentHTML('beforeend', d.docs.map(function (x) { return '<li><a href="' + x.url + '">' + x.title + '</a></li>'; }).join(''));
    if (page < d.pages) more(page + 1);
  });
}
more(2);
</script>`),
    },
    '/trs/list': (req, res) => {
      const q = new URL(req.url!, 'http://x').searchParams;
      const page = Number(q.get('page'));
      const ids = q.get('chnlid') === '1001' ? COL1 : [];
      const docs = ids.slice((page - 1) * 4, page * 4).map((i) => ({ url: detail(i), title: title(i) }));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ pages: Math.ceil(ids.length / 4), docs }));
    },
    // vendor 2 (second run): the same template, the rest of the list an HTML fragment loaded by XHR ($.load)
    '/trs/col2/index.html': {
      body: shell('政府信息公开年报', `<div class="xxgk_list"><ul>${li(COL2[0])}</ul><div id="more"></div></div>
<script src="/js/frag.js"></script>`),
    },
    '/js/frag.js': js(`(function () {
  var x = new XMLHttpRequest();
  x.open('GET', '/trs/fragment.jsp?col=col2&pageIndex=1');
  x.onload = function () { document.getElementById('more').innerHTML = x.responseText; };
  x.send();
})();`),
    '/trs/fragment.jsp': { body: `<ul>${COL2.slice(1).map(li).join('')}</ul>` },
    // 信息公开平台, vendor 1: an empty list, filled from a JSON POST {catalog, pageNo, pageSize}
    '/xxgk/platform.html': {
      body: shell('信息公开平台 政府信息公开年报', `<table class="tb"><tbody id="rows"></tbody></table><script src="/js/platform.js"></script>`),
    },
    '/js/platform.js': js(`
const load = async (pageNo) => {
  const r = await fetch('/xxgk/api/list', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ catalog: 'ndbg', pageNo, pageSize: 10 }) });
  const { data } = await r.json();
  document.getElementById('rows').innerHTML = data.list.map((x) => '<tr><td><a href="/detail/' + x.id + '.html">' + x.name + '</a></td></tr>').join('');
};
load(1);
fetch('/private/stats', { method: 'POST', body: 'x' }).catch(() => {});
fetch('http://${off}/collect', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' }).catch(() => {});`),
    '/xxgk/api/list': async (req, res) => {
      const body = await readBody(req);
      posts.push(`${req.method} ${req.headers['content-type']} ${body}`);
      let q: { catalog?: string; pageNo?: number; pageSize?: number };
      try {
        q = JSON.parse(body);
      } catch {
        return void res.writeHead(400).end();
      }
      if (req.method !== 'POST' || q.catalog !== 'ndbg' || q.pageNo !== 1) return void res.writeHead(400).end();
      const list = PLATFORM.map((id) => ({ id, name: title(id) }));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 0, data: { total: list.length, list } }));
    },
    // vendor 2: XMLHttpRequest JSON POST with pageIndex in the body, a 下一页 button
    '/gk/list.html': {
      body: shell('政务公开 年度报告', `<div id="news_list"></div><a href="javascript:void(0)" class="next-btn" id="next">下一页</a><script src="/js/gk.js"></script>`),
    },
    '/js/gk.js': js(`var pageIndex = 1;
function query() {
  var xhr = new XMLHttpRequest();
  xhr.open('POST', '/gk/api/query', true);
  xhr.setRequestHeader('Content-Type', 'application/json;charset=UTF-8');
  xhr.onreadystatechange = function () {
    if (xhr.readyState !== 4 || xhr.status !== 200) return;
    var res = JSON.parse(xhr.responseText);
    var html = '';
    for (var i = 0; i < res.rows.length; i++) html += '<p><a href="' + res.rows[i].href + '">' + res.rows[i].text + '</a></p>';
    document.getElementById('news_list').innerHTML = html;
    if (pageIndex >= res.totalPage) document.getElementById('next').style.display = 'none';
  };
  xhr.send(JSON.stringify({ pageIndex: pageIndex, pageSize: 2, columnId: 'nb' }));
}
document.getElementById('next').onclick = function () { pageIndex++; query(); };
query();`),
    '/gk/api/query': async (req, res) => {
      const body = await readBody(req);
      posts.push(`${req.method} ${req.headers['content-type']} ${body}`);
      const q = JSON.parse(body) as { pageIndex: number; pageSize: number };
      const rows = GK.slice((q.pageIndex - 1) * q.pageSize, q.pageIndex * q.pageSize).map((i) => ({ href: detail(i), text: title(i) }));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ totalPage: Math.ceil(GK.length / q.pageSize), rows }));
    },
    // static lists with a harmless script: rendered once (a1), found to gain nothing, a2 never rendered
    '/static/a1/list.html': { body: shell('政府信息公开年报', `<ul class="list">${STATIC.map(li).join('')}</ul><p id="y"></p><script>document.getElementById('y').textContent = '2024';</script>`) },
    '/static/a2/list.html': { body: shell('政府信息公开年报', `<ul class="list">${li(STATIC[0])}</ul><p id="y"></p><script>document.getElementById('y').textContent = '2024';</script>`) },
    // every way out of the browser, towards the out-of-scope port; its list still comes by fetch
    '/esc/index.html': {
      body: shell(
        '政府信息公开年报',
        `<ul id="list"></ul><iframe src="http://${off}/frame.html"></iframe><img src="http://${off}/pixel.gif">
<script>
try { new WebSocket('ws://${off}/ws'); } catch (e) {}
try { new WebSocket('ws://' + location.host + '/ws'); } catch (e) {}
try {
  var pc = new RTCPeerConnection({ iceServers: [{ urls: 'stun:${off}' }, { urls: 'turn:${off}?transport=tcp', username: 'u', credential: 'p' }] });
  pc.createDataChannel('x');
  pc.createOffer().then(function (o) { return pc.setLocalDescription(o); });
} catch (e) {}
try { navigator.sendBeacon('http://${off}/beacon', 'x'); } catch (e) {}
try { new EventSource('http://${off}/events'); } catch (e) {}
var l = document.createElement('link'); l.rel = 'preconnect'; l.href = 'http://${off}'; document.head.appendChild(l);
fetch('/esc/put', { method: 'PUT', body: 'x' }).catch(function () {});
fetch('/esc/delete', { method: 'DELETE' }).catch(function () {});
fetch('/esc/patch', { method: 'PATCH', body: 'x' }).catch(function () {});
fetch('/esc/api').then(function (r) { return r.text(); }).then(function (t) { document.getElementById('list').innerHTML = t; });
</script>`,
        `<link rel="preconnect" href="http://${off}"><link rel="dns-prefetch" href="//nianbao-escape.invalid"><link rel="prefetch" href="http://${off}/next.html">`,
      ),
    },
    '/esc/api': { body: ESC.map(li).join('') },
  };
  for (const [k, b] of bytes.entries()) routes[detail(k + 1)] = { body: b, type: 'text/html' };
  return startHost(routes);
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'nianbao-browser-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('lists only a browser sees, through the fetcher', () => {
  let A: TestHost;
  let trap: Trap;
  let db: Db;
  let first: CrawlSummary;
  let second: CrawlSummary;
  const events: CrawlEvent[] = [];
  const events2: CrawlEvent[] = [];

  beforeAll(async () => {
    trap = await startTrap();
    A = await startSite(trap.port);
    db = openDb(join(dir, 'browser.db'));
    first = await new Crawler(db, {
      ...OPTS,
      seeds: ['/trs/col1/index.html', '/xxgk/platform.html', '/gk/list.html', '/static/a1/list.html', '/esc/index.html'].map((p) => A.origin + p),
      onEvent: (e) => events.push(e),
    }).run();
    // a second run on the same database: new columns of templates already decided
    second = await new Crawler(db, {
      ...OPTS,
      seeds: ['/trs/col2/index.html', '/static/a2/list.html'].map((p) => A.origin + p),
      onEvent: (e) => events2.push(e),
    }).run();
  }, 240_000);

  afterAll(async () => {
    db?.close();
    await A?.close();
    await trap?.close();
  });

  it('stores every report of every list once', () => {
    expect(first.stoppedBy).toBe('done');
    expect(second.stoppedBy).toBe('done');
    const urls = (db.prepare('SELECT source_url FROM reports').all() as { source_url: string }[]).map((r) => r.source_url.replace(A.origin, ''));
    const want = [...COL1, ...PLATFORM, ...GK, ...STATIC, ...ESC, ...COL2].map(detail);
    expect(urls.sort()).toEqual(want.sort());
    for (const p of want) expect(A.hits(p)).toBe(1);
  });

  it('makes each page POST with its own body and Content-Type, and logs it under its key', () => {
    expect([...posts].sort()).toEqual([
      'POST application/json {"catalog":"ndbg","pageNo":1,"pageSize":10}',
      'POST application/json;charset=UTF-8 {"pageIndex":1,"pageSize":2,"columnId":"nb"}',
      'POST application/json;charset=UTF-8 {"pageIndex":2,"pageSize":2,"columnId":"nb"}',
    ].sort());
    const logged = (db.prepare(`SELECT url, status FROM fetch_log WHERE url LIKE '%#POST:%' ORDER BY url`).all() as { url: string; status: number }[]).map(
      (r) => `${r.url.replace(A.origin, '')} ${r.status}`,
    );
    expect(logged).toEqual([
      '/gk/api/query#POST:{"pageIndex":1,"pageSize":2,"columnId":"nb"} 200',
      '/gk/api/query#POST:{"pageIndex":2,"pageSize":2,"columnId":"nb"} 200',
      '/xxgk/api/list#POST:{"catalog":"ndbg","pageNo":1,"pageSize":10} 200',
    ]);
  });

  it('decides rendering by comparison, records it per host and template, and reuses it', () => {
    const rows = db.prepare('SELECT host, template, verdict, static_links, rendered_links FROM render_memory ORDER BY template').all();
    expect(rows).toEqual([
      { host: A.host, template: '/esc/index.html', verdict: 'render', static_links: 0, rendered_links: 1 },
      { host: A.host, template: '/gk/list.html', verdict: 'render', static_links: 0, rendered_links: 4 },
      { host: A.host, template: '/static/a{n}/list.html', verdict: 'static', static_links: 1, rendered_links: 1 },
      { host: A.host, template: '/trs/col{n}/index.html', verdict: 'render', static_links: 4, rendered_links: 10 },
      { host: A.host, template: '/xxgk/platform.html', verdict: 'render', static_links: 0, rendered_links: 6 },
    ]);
    const rendered = (ev: CrawlEvent[]) =>
      (ev.filter((e) => e.type === 'rendered') as Extract<CrawlEvent, { type: 'rendered' }>[]).map((e) => e.url.replace(A.origin, '')).sort();
    // report pages (their tables in the HTML) are never rendered
    expect(rendered(events)).toEqual(['/esc/index.html', '/gk/list.html', '/static/a1/list.html', '/trs/col1/index.html', '/xxgk/platform.html']);
    // second run: col2 rendered on the remembered verdict (no new decision), a2 not rendered at all
    expect(rendered(events2)).toEqual(['/trs/col2/index.html']);
    expect(events2.filter((e) => e.type === 'render_decided')).toEqual([]);
    expect(events2.find((e) => e.type === 'rendered')).toMatchObject({ reason: 'pages of /trs/col{n}/index.html are rendered (decided by comparison)' });
    expect(second.rendered).toBe(1);
    // per seed (no labels: the host): the lists rendered, grown by a click, none empty
    expect(first.renderedBySeed).toEqual([{ seed: A.host, rendered: 5, interacted: [`${A.origin}/gk/list.html`], emptyAfterRender: [] }]);
    expect(second.renderedBySeed).toEqual([{ seed: A.host, rendered: 1, interacted: [], emptyAfterRender: [] }]);
  });

  it('keeps the browser inside the fetcher: nothing reaches an out-of-scope port, no forbidden path, no other method', () => {
    expect({ tcp: trap.tcp, udp: trap.udp }).toEqual({ tcp: 0, udp: 0 });
    expect(A.paths().filter((p) => p.startsWith('/private/') || p.startsWith('/esc/p') || p.startsWith('/esc/d') || p === '/ws')).toEqual([]);
    const aborted = events.filter((e) => e.type === 'render_aborted') as Extract<CrawlEvent, { type: 'render_aborted' }>[];
    const why = (url: string) => aborted.filter((e) => e.url === url).map((e) => e.why);
    expect(why(`${A.origin}/esc/put`)).toEqual(['PUT request not made']);
    expect(why(`${A.origin}/esc/delete`)).toEqual(['DELETE request not made']);
    expect(why(`${A.origin}/esc/patch`)).toEqual(['PATCH request not made']);
    expect(why(`${A.origin}/private/stats`)).toEqual(['robots.txt: Disallow: /private/']);
    expect(why(`http://127.0.0.1:${trap.port}/collect`)).toEqual(['out of scope']);
    expect(why(`ws://127.0.0.1:${trap.port}/ws`)).toEqual(['WebSocket not made (only HTTP through the fetcher)']);
    expect(why(`ws://${A.host}/ws`)).toEqual(['WebSocket not made (only HTTP through the fetcher)']);
  });

  it('makes one request at a time to the host, client and browser together', () => {
    expect(A.log.length).toBeGreaterThan(40);
    expect(A.maxConcurrent).toBe(1);
  });
});

describe('page templates', () => {
  it('puts numbers as {n} and keeps the names of query parameters and hash routes', () => {
    expect(pageTemplate('http://a/col/col1234/index_3.html?page=2&chnlid=7')).toBe('/col/col{n}/index_{n}.html?chnlid&page');
    expect(pageTemplate('http://a/zfxxgk/#/detail/123')).toBe('/zfxxgk/#/detail/{n}');
    expect(pageTemplate('http://a/list.html#top')).toBe('/list.html');
  });
});

describe('lists that grow by interaction', () => {
  // 2 reports a page, 3 pages each: a 加载更多 button (jQuery-style XHR of an HTML fragment, appended),
  // an ASP.NET __doPostBack pager (form POST of __EVENTTARGET and __VIEWSTATE), an infinite scroll (fetch by offset)
  const MORE = [1, 2, 3, 4, 5, 6];
  const ASPX = [7, 8, 9, 10, 11, 12];
  const SCROLL = [13, 14, 15, 16, 17, 18];
  let A: TestHost;
  let db: Db;
  let summary: CrawlSummary;
  const events: CrawlEvent[] = [];
  let postbacks: string[] = [];
  const aspx = (page: number) =>
    shell(
      '政府信息公开年报',
      `<form method="post" action="./list.aspx" id="form1">
<input type="hidden" name="__EVENTTARGET" id="__EVENTTARGET" value=""><input type="hidden" name="__EVENTARGUMENT" id="__EVENTARGUMENT" value="">
<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="${Buffer.from(`page=${page}`).toString('base64')}">
<script type="text/javascript">
var theForm = document.forms['form1'];
function __doPostBack(eventTarget, eventArgument) {
  if (!theForm.onsubmit || (theForm.onsubmit() != false)) {
    theForm.__EVENTTARGET.value = eventTarget; theForm.__EVENTARGUMENT.value = eventArgument; theForm.submit();
  }
}
</script>
<table id="GridView1">${ASPX.slice((page - 1) * 2, page * 2).map((i) => `<tr><td><a href="${detail(i)}">${title(i)}</a></td></tr>`).join('')}</table>
<div class="pager">第${page}页/共3页 ${page < 3 ? `<a id="GridView1_lbtnNext" href="javascript:__doPostBack('GridView1$lbtnNext','')">下一页</a>` : ''}</div>
</form>`,
    );

  beforeAll(async () => {
    const routes: Parameters<typeof startHost>[0] = {
      '/robots.txt': { body: 'User-agent: *\nDisallow:\n', type: 'text/plain' },
      '/more/list.html': {
        body: shell('政府信息公开年报', `<ul id="items"></ul><div class="load-more"><button type="button" id="btnMore">加载更多</button></div><script src="/js/more.js"></script>`),
      },
      '/js/more.js': js(`var pageNo = 0;
function loadMore() {
  pageNo++;
  var x = new XMLHttpRequest();
  x.open('POST', '/more/items.do', true);
  x.setRequestHeader('Content-Type', 'application/x-www-form-urlencoded; charset=UTF-8');
  x.setRequestHeader('X-Requested-With', 'XMLHttpRequest');
  x.onload = function () {
    document.getElementById('items').insertAdjacentHTML('beforeend', x.responseText);
    if (pageNo >= 3) document.getElementById('btnMore').style.display = 'none';
  };
  x.send('pageNo=' + pageNo + '&pageSize=2');
}
document.getElementById('btnMore').addEventListener('click', loadMore);
loadMore();`),
      '/more/items.do': async (req, res) => {
        const q = new URLSearchParams(await readBody(req));
        const p = Number(q.get('pageNo'));
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(MORE.slice((p - 1) * 2, p * 2).map(li).join(''));
      },
      '/aspx/list.aspx': async (req, res) => {
        let page = 1;
        if (req.method === 'POST') {
          const q = new URLSearchParams(await readBody(req));
          postbacks.push(`${q.get('__EVENTTARGET')} ${Buffer.from(q.get('__VIEWSTATE') ?? '', 'base64').toString()}`);
          if (q.get('__EVENTTARGET') !== 'GridView1$lbtnNext') return void res.writeHead(400).end();
          page = Number(/page=(\d+)/.exec(Buffer.from(q.get('__VIEWSTATE') ?? '', 'base64').toString())?.[1] ?? 0) + 1;
        }
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(aspx(page));
      },
      '/scroll/list.html': {
        body: shell('政府信息公开年报', `<ul class="news-list" id="feed"></ul><div id="loading">加载中</div><script src="/js/scroll.js"></script>`),
      },
      '/js/scroll.js': js(`let offset = 0, busy = false, done = false;
async function next() {
  if (busy || done) return;
  busy = true;
  const r = await fetch('/scroll/feed.json?offset=' + offset + '&limit=2');
  const d = await r.json();
  document.getElementById('feed').insertAdjacentHTML('beforeend', d.items.map((x) => '<li style="height:400px"><a href="' + x.u + '">' + x.t + '</a></li>').join(''));
  offset += d.items.length;
  done = offset >= d.total;
  busy = false;
}
window.addEventListener('scroll', () => {
  if (window.innerHeight + window.scrollY >= document.body.offsetHeight - 100) next();
});
next();`),
      // a column whose script finds nothing: rendered, and said to be empty
      '/empty/list.html': { body: shell('政府信息公开年报', `<ul class="list"></ul><script>fetch('/empty/api').then(function (r) { return r.json(); }).then(function () {});</script>`) },
      '/scroll/feed.json': (req, res) => {
        const q = new URL(req.url!, 'http://x').searchParams;
        const off = Number(q.get('offset'));
        const items = SCROLL.slice(off, off + Number(q.get('limit'))).map((i) => ({ u: detail(i), t: title(i) }));
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ total: SCROLL.length, items }));
      },
    };
    for (const [k, b] of bytes.entries()) routes[detail(k + 1)] = { body: b, type: 'text/html' };
    postbacks = [];
    A = await startHost(routes);
    db = openDb(join(dir, 'interact.db'));
    summary = await new Crawler(db, {
      ...OPTS,
      seeds: ['/more/list.html', '/aspx/list.aspx', '/scroll/list.html', '/empty/list.html'].map((p) => A.origin + p),
      onEvent: (e) => events.push(e),
    }).run();
  }, 180_000);

  afterAll(async () => {
    db?.close();
    await A?.close();
  });

  it('clicks 加载更多 and 下一页 (a __doPostBack form post) and scrolls, until no new report appears', () => {
    expect(summary.stoppedBy).toBe('done');
    const urls = (db.prepare('SELECT source_url FROM reports').all() as { source_url: string }[]).map((r) => r.source_url.replace(A.origin, ''));
    expect(urls.sort()).toEqual([...MORE, ...ASPX, ...SCROLL].map(detail).sort());
    const rendered = Object.fromEntries(
      (events.filter((e) => e.type === 'rendered') as Extract<CrawlEvent, { type: 'rendered' }>[]).map((e) => [e.url.replace(A.origin, ''), e.clicks]),
    );
    expect(rendered).toEqual({ '/more/list.html': 2, '/aspx/list.aspx': 2, '/scroll/list.html': 2, '/empty/list.html': 0 });
    // the postbacks went through the fetcher as form POSTs of the page's own fields, one per page
    expect(postbacks).toEqual(['GridView1$lbtnNext page=1', 'GridView1$lbtnNext page=2']);
    expect(A.maxConcurrent).toBe(1);
  });

  it('tells per seed which lists were rendered, grew by interaction, or stayed empty', () => {
    expect(summary.renderedBySeed.map((r) => ({ ...r, interacted: [...r.interacted].sort() }))).toEqual([
      {
        seed: A.host,
        rendered: 4,
        interacted: ['/aspx/list.aspx', '/more/list.html', '/scroll/list.html'].map((p) => A.origin + p),
        emptyAfterRender: [`${A.origin}/empty/list.html`],
      },
    ]);
    // …and in fetch_log, on each rendered page's row (crawl migration 4), summed per seed by render_by_seed
    const rows = db.prepare(`SELECT url, render_seed, render_role, render_clicks, render_report_links FROM fetch_log WHERE render_role IS NOT NULL ORDER BY url`).all();
    expect(rows).toEqual([
      { url: `${A.origin}/aspx/list.aspx`, render_seed: A.host, render_role: 'list', render_clicks: 2, render_report_links: 6 },
      { url: `${A.origin}/empty/list.html`, render_seed: A.host, render_role: 'list', render_clicks: 0, render_report_links: 0 },
      { url: `${A.origin}/more/list.html`, render_seed: A.host, render_role: 'list', render_clicks: 2, render_report_links: 6 },
      { url: `${A.origin}/scroll/list.html`, render_seed: A.host, render_role: 'list', render_clicks: 2, render_report_links: 6 },
    ]);
    expect(db.prepare('SELECT * FROM render_by_seed').all()).toEqual([{ seed: A.host, rendered: 4, interacted: 3, empty_after_render: 1 }]);
  });
});
