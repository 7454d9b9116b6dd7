/**
 * Crawl benchmark: a loopback "internet" of a few hundred hosts and tens of thousands of pages, with
 * politeness delays at zero, crawled through the real crawler (SQLite frontier, undici, robots.txt,
 * discovery, raw bodies stored). Prints pages per second and memory at intervals: RSS must stay flat
 * while the frontier grows.
 *
 * The site runs in a child process (so the crawler's memory is measured alone): one HTTP server that
 * tells hosts apart by the Host header; the crawler resolves every `hN.test` to 127.0.0.1 through a
 * custom lookup, so each hN.test:PORT is a separate host to it (its own politeness queue, robots.txt
 * and connection pool). Extraction is skipped (`discoverOnly`): `npm run bench extract` measures it.
 */
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LookupFunction } from 'node:net';

const HOSTS = Number(process.env.BENCH_CRAWL_HOSTS ?? 300);
const LIST_PAGES = Number(process.env.BENCH_CRAWL_LIST_PAGES ?? 12);
const PER_PAGE = Number(process.env.BENCH_CRAWL_PER_PAGE ?? 10);
const TIME_LIMIT_MS = Number(process.env.BENCH_CRAWL_SECONDS ?? 150) * 1000;
const SERVE_FLAG = '--bench-crawl-serve';

// ---- the site (child process) ------------------------------------------------------------------

/**
 * Even hosts page their list with a createPageHTML script (every list page known at once); odd hosts
 * with 下一页 links only (one more page known after each), so the frontier keeps growing all along.
 */
function listHtml(host: number, page: number): string {
  const items: string[] = [];
  for (let k = 0; k < PER_PAGE; k++) {
    const i = page * PER_PAGE + k;
    items.push(`<li><a href="/xxgk/nb/r${i}.html">第${host}县第${i}局2021年政府信息公开工作年度报告</a><span>2022-01-20</span></li>`);
  }
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>政府信息公开年报_第${host}县</title></head><body>
<ul class="nav"><li><a href="/">首页</a></li><li><a href="/news/">政务要闻</a></li><li><a href="/xxgk/">政府信息公开</a></li></ul>
<h1>政府信息公开年报</h1><ul class="list">${items.join('\n')}</ul>
${
    host % 2 === 0
      ? `<div class="page"><script>createPageHTML(${LIST_PAGES}, ${page}, "index", "html");</script></div>`
      : page + 1 < LIST_PAGES
        ? `<div class="page"><a href="index_${page + 1}.html">下一页</a></div>`
        : ''
  }</body></html>`;
}

function reportHtml(host: number, i: number): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>第${host}县第${i}局2021年政府信息公开工作年度报告</title></head><body>
<h1>第${host}县第${i}局2021年政府信息公开工作年度报告</h1>
<p>二、主动公开政府信息情况</p><table><tr><td>信息内容</td><td>本年制发件数</td></tr><tr><td>规章</td><td>${i % 7}</td></tr></table>
<p>三、收到和处理政府信息公开申请情况</p><table><tr><td>一、本年新收政府信息公开申请数量</td><td>${(host * 31 + i) % 97}</td></tr></table>
<p>四、政府信息公开行政复议、行政诉讼情况</p><table><tr><td>行政复议</td><td>0</td></tr></table>
<a href="/xxgk/nb/index.html">政府信息公开年报</a></body></html>`;
}

function serve(): void {
  const server = createServer((req, res) => {
    const m = /^h(\d+)\.test(:\d+)?$/.exec(req.headers.host ?? '');
    const path = (req.url ?? '/').split('?')[0];
    if (!m) return void res.writeHead(400).end();
    const host = Number(m[1]);
    let body: string | null = null;
    if (path === '/robots.txt') body = 'User-agent: *\nDisallow: /admin/\n';
    else if (path === '/') body = `<html><body><a href="/xxgk/">政府信息公开</a><a href="/admin/">管理</a><a href="/news/">政务要闻</a></body></html>`;
    else if (path === '/xxgk/') body = `<html><body><a href="/xxgk/nb/index.html">政府信息公开年报</a><a href="/admin/nb.html">政府信息公开年报（后台）</a></body></html>`;
    else {
      const list = /^\/xxgk\/nb\/index(?:_(\d+))?\.html$/.exec(path);
      const rep = /^\/xxgk\/nb\/r(\d+)\.html$/.exec(path);
      if (list && Number(list[1] ?? 0) < LIST_PAGES) body = listHtml(host, Number(list[1] ?? 0));
      else if (rep && Number(rep[1]) < LIST_PAGES * PER_PAGE) body = reportHtml(host, Number(rep[1]));
    }
    if (body === null) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    const buf = Buffer.from(body);
    res.writeHead(200, { 'content-type': path.endsWith('.txt') ? 'text/plain' : 'text/html; charset=utf-8', 'content-length': buf.length });
    res.end(buf);
  });
  server.keepAliveTimeout = 30_000;
  server.listen(0, '127.0.0.1', () => {
    const addr = server.address();
    process.send?.({ port: typeof addr === 'object' && addr ? addr.port : 0 });
  });
}

if (process.argv.includes(SERVE_FLAG)) serve();

// ---- the crawl (this process) -------------------------------------------------------------------

export const mb = (n: number) => (n / 1024 / 1024).toFixed(0);

/** Resolves every `*.test` host to 127.0.0.1 (shared with bench/crawl-scale.ts). */
export const lookup: LookupFunction = ((hostname: string, options: unknown, callback: unknown) => {
  const cb = (typeof options === 'function' ? options : callback) as (...a: unknown[]) => void;
  const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all;
  if (!/\.test$/.test(hostname)) return cb(Object.assign(new Error(`bench resolves only *.test, not ${hostname}`), { code: 'ENOTFOUND' }));
  if (all) cb(null, [{ address: '127.0.0.1', family: 4 }]);
  else cb(null, '127.0.0.1', 4);
}) as LookupFunction;

/** The crawler's settings in both crawl benchmarks: 64 requests at a time, one per host, no delays, discovery only. */
export const benchCrawlerOptions = {
  concurrency: 64,
  perHost: 1,
  delayMs: 0,
  delayFactor: 0,
  timeoutMs: 10_000,
  maxWaitMs: 5_000,
  backoffBaseMs: 100,
  lookup,
  discoverOnly: true,
};

export async function run(): Promise<void> {
  const { openDb } = await import('../src/store/db.js');
  const { Crawler } = await import('../src/crawl/crawler.js');
  const child = fork(fileURLToPath(import.meta.url), [SERVE_FLAG], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`site process exited (${code})`)));
  });
  const dir = mkdtempSync(join(tmpdir(), 'nianbao-bench-crawl-'));
  const dbPath = join(dir, 'crawl.db');
  const db = openDb(dbPath);
  const seeds = Array.from({ length: HOSTS }, (_, h) => `http://h${h}.test:${port}/`);
  console.log(
    `${HOSTS} hosts × (home + column + ${LIST_PAGES} list pages + ${LIST_PAGES * PER_PAGE} reports) = ${HOSTS * (2 + LIST_PAGES + LIST_PAGES * PER_PAGE)} pages` +
      ` (+${HOSTS} robots.txt, ${HOSTS} links forbidden by it); concurrency 64, one request per host at a time, delays 0; limit ${TIME_LIMIT_MS / 1000} s`,
  );
  const crawler = new Crawler(db, {
    seeds,
    ...benchCrawlerOptions,
  });
  const rss0 = process.memoryUsage().rss;
  let peak = rss0;
  let last = { t: Date.now(), fetched: 0 };
  const frontierRows = db.prepare('SELECT COUNT(*) AS n FROM frontier');
  const sample = () => {
    const now = Date.now();
    const s = crawler.snapshot();
    const mem = process.memoryUsage();
    peak = Math.max(peak, mem.rss);
    const rate = ((s.fetched - last.fetched) * 1000) / Math.max(1, now - last.t);
    last = { t: now, fetched: s.fetched };
    const rows = (frontierRows.get() as { n: number }).n;
    console.log(
      `  ${(s.elapsedMs / 1000).toFixed(0).padStart(4)} s  fetched ${String(s.fetched).padStart(6)}  ${rate.toFixed(0).padStart(5)} pages/s` +
        `  frontier ${String(rows).padStart(6)} rows (${String(s.queued).padStart(6)} queued)  active hosts ${String(s.activeHosts).padStart(3)}` +
        `  RSS ${mb(mem.rss)} MB  heap ${mb(mem.heapUsed)} MB`,
    );
  };
  const timer = setInterval(sample, 3000);
  const limit = setTimeout(() => crawler.stop('signal'), TIME_LIMIT_MS);
  const t0 = Date.now();
  try {
    const summary = await crawler.run();
    sample();
    const secs = (Date.now() - t0) / 1000;
    const dbSize = statSync(dbPath).size + (statSync(dbPath + '-wal', { throwIfNoEntry: false })?.size ?? 0);
    console.log(
      `crawl: ${summary.fetched} pages in ${secs.toFixed(1)} s = ${(summary.fetched / secs).toFixed(0)} pages/s;` +
        ` ${summary.failed} failed, ${summary.blocked} blocked by robots.txt, ${summary.deferred} left queued (${summary.stoppedBy})`,
    );
    console.log(
      `memory: RSS ${mb(rss0)} MB before, peak ${mb(peak)} MB during the crawl; database ${mb(dbSize)} MB for ${(frontierRows.get() as { n: number }).n} frontier rows`,
    );
  } finally {
    clearInterval(timer);
    clearTimeout(limit);
    db.close();
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}
