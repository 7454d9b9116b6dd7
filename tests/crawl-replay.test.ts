/**
 * List-API replay (issue 16 item 3, "you may"): a rendered list whose list came from one API request
 * with a page parameter is read on by asking that request again with the next values, through the
 * frontier and the crawler's fetcher, past the render's click bound. Two lists, clicks bounded to one:
 * a 下一页 button over `GET ?pageIndex=N` answered JSON, and a 加载更多 button over a JSON POST whose body
 * carries an offset `start` (step: its `limit`) answered with an HTML fragment. Asserted: every report
 * stored once; each page value asked for once (the browser's, then the replayed ones, and one past the
 * end that ends the chain); the replayed POSTs sent with the page's JSON Content-Type and logged under
 * their frontier key; one request at a time to the host.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IncomingMessage } from 'node:http';
import { openDb, type Db } from '../src/store/db.js';
import { Crawler, type CrawlOptions, type CrawlSummary } from '../src/crawl/crawler.js';
import { pageParameter, readReplayAnswer, replayRequests, withValue } from '../src/crawl/cms/replay.js';
import { startHost, type TestHost } from './helpers/testsite.js';

const root = join(import.meta.dirname, '..');
const SAMPLES = [
  'chuanhui-district-2021-flat', 'dancheng-health-2020-gb2312', 'fugou-agriculture-2021-values', 'hongze-water-2022-subtotal',
  'shenqiu-audit-2021-narrative', 'huaiyang-transport-2022-split', 'huaiyin-2022-template2019', 'jinhu-2021-other-one-row',
  'lianshui-2021-labels', 'luyi-education-2021-gbk', 'qingjiangpu-2023-t4-rows', 'queshan-2022-mislabelled',
  'shangshui-housing-2021-word', 'shenqiu-civil-affairs-2019-split',
];
const bytes = SAMPLES.map((n) => readFileSync(join(root, 'samples', n + '.html')));
const detail = (i: number) => `/detail/${i}.html`;
const title = (i: number) => `${i}号 2021年政府信息公开工作年度报告`;
const R1 = [1, 2, 3, 4, 5, 6, 7, 8]; // 4 pages of 2
const R2 = [9, 10, 11, 12, 13, 14]; // 3 pages of 2

async function readBody(req: IncomingMessage): Promise<string> {
  let s = '';
  for await (const chunk of req) s += chunk;
  return s;
}
const js = (code: string) => ({ body: code, type: 'application/javascript' });
const shell = (body: string) =>
  `<!DOCTYPE html><html><head><meta charset="utf-8"><title>政府信息公开年报</title></head><body><h1>政府信息公开年报</h1>${body}</body></html>`;

describe('list-API replay', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nianbao-replay-'));
  let A: TestHost;
  let db: Db;
  let summary: CrawlSummary;
  const asked: string[] = [];

  beforeAll(async () => {
    const routes: Parameters<typeof startHost>[0] = {
      '/robots.txt': { body: 'User-agent: *\nDisallow:\n', type: 'text/plain' },
      '/r1/list.html': { body: shell(`<ul id="list"></ul><button type="button" id="next">下一页</button><script src="/js/r1.js"></script>`) },
      '/js/r1.js': js(`var pageIndex = 1;
function load() {
  var x = new XMLHttpRequest();
  x.open('GET', '/r1/api?channel=nb&pageIndex=' + pageIndex + '&pageSize=2');
  x.onload = function () {
    var d = JSON.parse(x.responseText), h = '';
    for (var i = 0; i < d.rows.length; i++) h += '<li><a href="' + d.rows[i].url + '">' + d.rows[i].title + '</a></li>';
    document.getElementById('list').innerHTML = h;
    if (pageIndex >= d.totalPage) document.getElementById('next').style.display = 'none';
  };
  x.send();
}
document.getElementById('next').onclick = function () { pageIndex++; load(); };
load();`),
      '/r1/api': (req, res) => {
        const q = new URL(req.url!, 'http://x').searchParams;
        asked.push(`r1 GET pageIndex=${q.get('pageIndex')}`);
        const p = Number(q.get('pageIndex'));
        const rows = R1.slice((p - 1) * 2, p * 2).map((i) => ({ title: title(i), url: detail(i) }));
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ totalPage: 4, rows }));
      },
      '/r2/list.html': { body: shell(`<div id="items" class="news-list"></div><a href="javascript:;" class="load-more" id="more">加载更多</a><script src="/js/r2.js"></script>`) },
      '/js/r2.js': js(`let start = 0;
const more = async () => {
  const r = await fetch('/r2/query', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ column: 'ndbg', start, limit: 2 }) });
  document.getElementById('items').insertAdjacentHTML('beforeend', await r.text());
  start += 2;
  if (start >= ${R2.length}) document.getElementById('more').remove();
};
document.getElementById('more').addEventListener('click', (e) => { e.preventDefault(); more(); });
more();`),
      '/r2/query': async (req, res) => {
        const body = await readBody(req);
        const q = JSON.parse(body) as { start: number; limit: number };
        asked.push(`r2 ${req.method} ${req.headers['content-type']} start=${q.start}`);
        const items = R2.slice(q.start, q.start + q.limit);
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(items.map((i) => `<p><a href="${detail(i)}">${title(i)}</a></p>`).join(''));
      },
    };
    for (const [k, b] of bytes.entries()) routes[detail(k + 1)] = { body: b, type: 'text/html' };
    A = await startHost(routes);
    db = openDb(join(dir, 'replay.db'));
    const opts: Partial<CrawlOptions> = { concurrency: 4, delayMs: 0, timeoutMs: 5000, connectTimeoutMs: 2000, maxTries: 2, backoffBaseMs: 30, maxWaitMs: 5000, renderTimeoutMs: 20_000, maxRenderClicks: 1 };
    summary = await new Crawler(db, { ...opts, seeds: [A.origin + '/r1/list.html', A.origin + '/r2/list.html'] }).run();
  }, 180_000);

  afterAll(async () => {
    db?.close();
    await A?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads a list past the click bound by replaying its API with the next page values, each asked once', () => {
    expect(summary.stoppedBy).toBe('done');
    const urls = (db.prepare('SELECT source_url FROM reports').all() as { source_url: string }[]).map((r) => r.source_url.replace(A.origin, ''));
    expect(urls.sort()).toEqual([...R1, ...R2].map(detail).sort());
    for (const i of [...R1, ...R2]) expect(A.hits(detail(i))).toBe(1);
    // the browser asked for pages 1-2 (one click); the replay 3-4, and 5, empty, which ends it
    expect(asked.filter((a) => a.startsWith('r1')).sort()).toEqual([1, 2, 3, 4, 5].map((p) => `r1 GET pageIndex=${p}`));
    // offsets 0, 2 by the browser; 4 and 6 (empty) replayed, with the page's JSON Content-Type
    expect(asked.filter((a) => a.startsWith('r2')).map((a) => a.replace(/;charset=UTF-8/i, ''))).toEqual([0, 2, 4, 6].map((s) => `r2 POST application/json start=${s}`));
    const replayed = (db.prepare(`SELECT url FROM frontier WHERE kind_hint = 'api' ORDER BY url`).all() as { url: string }[]).map((r) => r.url.replace(A.origin, ''));
    expect(replayed).toEqual([
      '/r1/api?channel=nb&pageIndex=3&pageSize=2',
      '/r1/api?channel=nb&pageIndex=4&pageSize=2',
      '/r1/api?channel=nb&pageIndex=5&pageSize=2',
      '/r2/query#POST:{"column":"ndbg","start":4,"limit":2}',
      '/r2/query#POST:{"column":"ndbg","start":6,"limit":2}',
    ]);
    const logged = db.prepare(`SELECT COUNT(*) AS n FROM fetch_log WHERE url LIKE '%/r2/query#POST:%'`).get() as { n: number };
    expect(logged.n).toBe(4);
    expect(A.maxConcurrent).toBe(1);
  });
});

describe('replay units', () => {
  it('finds the page parameter in a query, a form or a JSON body, and sets the next value', () => {
    expect(pageParameter({ url: 'http://a/l?x=1&curPage=3', method: 'GET', body: null, contentType: '' })).toEqual({ where: 'query', param: 'curPage', value: 3, size: null });
    expect(pageParameter({ url: 'http://a/l', method: 'POST', body: 'pageNo=2&rows=15', contentType: 'application/x-www-form-urlencoded' })).toEqual({ where: 'form', param: 'pageNo', value: 2, size: 15 });
    expect(pageParameter({ url: 'http://a/l', method: 'POST', body: '{"q":{"a":1},"offset":20,"limit":10}', contentType: 'application/json' })).toEqual({ where: 'json', param: 'offset', value: 20, size: 10 });
    expect(pageParameter({ url: 'http://a/l?id=4', method: 'GET', body: null, contentType: '' })).toBeNull();
    const api = { cms: 'replay' as const, where: 'json' as const, param: 'pageNo', value: 2, step: 1, column: false };
    expect(withValue({ url: 'http://a/l', method: 'POST', body: '{"pageNo":"2","size":5}' }, api, 3)).toMatchObject({ body: '{"pageNo":"3","size":5}' });
  });

  it('replays only an API whose answer held the page’s report links, from the highest value seen', () => {
    const seen = [1, 2].map((p) => ({
      req: { url: `http://a/api?page=${p}`, method: 'GET' as const, body: null, contentType: '' },
      answer: JSON.stringify({ list: [{ title: 't', url: `\/d\/${p}.html` }] }),
    }));
    const other = { req: { url: 'http://a/stats?page=1', method: 'GET' as const, body: null, contentType: '' }, answer: '{"ok":1}' };
    const r = replayRequests([...seen, other], ['http://a/d/1.html', 'http://a/d/2.html'], false);
    expect(r.map((x) => x.url)).toEqual(['http://a/api?page=3']);
  });

  it('ends the chain on an answer with no records, or the same page again', () => {
    const api = { cms: 'replay' as const, where: 'query' as const, param: 'page', value: 3, step: 1, column: false };
    const page = JSON.stringify({ rows: [{ title: 'a', url: '/a.html' }] });
    const first = readReplayAnswer(page, 'http://a/api?page=3', 'GET', null, api);
    expect(first.requests.map((x) => x.url)).toEqual(['http://a/api?page=4']);
    expect(readReplayAnswer(page, 'http://a/api?page=4', 'GET', null, first.requests[0].api as typeof api).requests).toEqual([]);
    expect(readReplayAnswer('{"rows":[]}', 'http://a/api?page=3', 'GET', null, api).requests).toEqual([]);
  });
});
