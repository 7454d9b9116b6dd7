/**
 * Crawl at scale: `npm run bench -- scale [N]` (N URLs, default 1,000,000). A frontier of N generated
 * URLs over HOSTS loopback hosts is added to the database, then crawled through the real crawler
 * (SQLite frontier, undici, robots.txt, discovery, raw bodies stored; extraction skipped, delays 0,
 * no rendering). Prints pages per second and memory at 10 %, 50 % and 100 % of N (100k, 500k and 1M
 * by default): RSS must stay flat while the frontier is worked through.
 * Then the cost of one rendered page (headless Chromium, every request through the fetcher) beside
 * one plain fetch of the same page: milliseconds, and the memory of the browser's process tree
 * (RSS and PSS from /proc).
 *
 * The site runs in a child process (so the crawler's memory is measured alone), telling hosts apart
 * by the Host header; the crawler resolves every `hN.test` to 127.0.0.1 through a custom lookup.
 */
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchCrawlerOptions, mb } from './crawl.js';

const HOSTS = Number(process.env.BENCH_SCALE_HOSTS ?? 2000);
const SERVE_FLAG = '--bench-scale-serve';
const root = join(fileURLToPath(import.meta.url), '..', '..', '..');

// ---- the site (child process) ------------------------------------------------------------------

function serve(perHost: number): void {
  const report = readFileSync(join(root, 'samples', 'xihua-county-2021.html'), 'utf8');
  const body = /<body[^>]*>([\s\S]*)<\/body>/.exec(report)![1];
  const title = /<title>([^<]*)<\/title>/.exec(report)![1];
  const server = createServer((req, res) => {
    const m = /^h(\d+)\.test(:\d+)?$/.exec(req.headers.host ?? '');
    const url = new URL(req.url ?? '/', 'http://x');
    const send = (status: number, type: string, text: string) => {
      const buf = Buffer.from(text);
      res.writeHead(status, { 'content-type': type, 'content-length': buf.length }).end(buf);
    };
    if (url.pathname === '/render/static.html') return send(200, 'text/html; charset=utf-8', report);
    if (url.pathname === '/render/app.html')
      return send(200, 'text/html; charset=utf-8', `<!DOCTYPE html><html><head><meta charset="utf-8"><title>详情</title></head><body><div id="app"></div><script src="/render/app.js"></script></body></html>`);
    if (url.pathname === '/render/app.js')
      return send(200, 'application/javascript', `fetch('/render/report.json').then(r => r.json()).then(d => { document.title = d.title; document.getElementById('app').innerHTML = d.body; });`);
    if (url.pathname === '/render/report.json') return send(200, 'application/json', JSON.stringify({ title, body }));
    if (!m) return void res.writeHead(400).end();
    const host = Number(m[1]);
    if (url.pathname === '/robots.txt') return send(200, 'text/plain', 'User-agent: *\nDisallow: /admin/\n');
    const p = /^\/nb\/p(\d+)\.html$/.exec(url.pathname);
    if (!p || Number(p[1]) >= perHost) return send(404, 'text/plain', 'not found');
    const k = Number(p[1]);
    // a list page: links to two other pages of the frontier (known already) and one forbidden by robots.txt
    const a = (k + 1) % perHost;
    const b = (k * 7 + host) % perHost;
    send(
      200,
      'text/html; charset=utf-8',
      `<!DOCTYPE html><html><head><meta charset="utf-8"><title>政府信息公开年报 第${k}页</title></head><body><h1>第${host}县 政府信息公开年报</h1>` +
        `<ul class="list"><li><a href="/nb/p${a}.html">第${a}页</a></li><li><a href="/nb/p${b}.html">${b}</a></li></ul>` +
        `<div class="page"><a href="/nb/p${a}.html">下一页</a><a href="/admin/p${k}.html">后台 政府信息公开年报</a></div></body></html>`,
    );
  });
  server.keepAliveTimeout = 30_000;
  server.listen(0, '127.0.0.1', () => {
    const addr = server.address();
    process.send?.({ port: typeof addr === 'object' && addr ? addr.port : 0 });
  });
}

if (process.argv.includes(SERVE_FLAG)) serve(Number(process.argv[process.argv.indexOf(SERVE_FLAG) + 1]));

// ---- measuring -----------------------------------------------------------------------------------

/** The processes descended from `pid` (from /proc), and their memory: RSS summed, and PSS (shared pages split). */
function treeMemory(pid: number, match: RegExp): { processes: number; rssKb: number; pssKb: number } {
  const parent = new Map<number, number>();
  const comm = new Map<number, string>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      parent.set(Number(d), Number(stat.slice(close + 2).split(' ')[1]));
      comm.set(Number(d), stat.slice(stat.indexOf('(') + 1, close));
    } catch {
      /* gone */
    }
  }
  const isDescendant = (p: number): boolean => {
    for (let q = parent.get(p); q !== undefined && q > 1; q = parent.get(q)) if (q === pid) return true;
    return false;
  };
  let processes = 0;
  let rssKb = 0;
  let pssKb = 0;
  for (const p of parent.keys()) {
    if (!isDescendant(p) || !match.test(comm.get(p) ?? '')) continue;
    try {
      const roll = readFileSync(`/proc/${p}/smaps_rollup`, 'utf8');
      rssKb += Number(/^Rss:\s+(\d+)/m.exec(roll)?.[1] ?? 0);
      pssKb += Number(/^Pss:\s+(\d+)/m.exec(roll)?.[1] ?? 0);
      processes++;
    } catch {
      /* gone */
    }
  }
  return { processes, rssKb, pssKb };
}

async function crawlAtScale(n: number, port: number, dir: string): Promise<void> {
  const { openDb } = await import('../src/store/db.js');
  const { Crawler } = await import('../src/crawl/crawler.js');
  const { Frontier } = await import('../src/crawl/frontier.js');
  const perHost = Math.ceil(n / HOSTS);
  const dbPath = join(dir, 'scale.db');
  const db = openDb(dbPath);
  const frontier = new Frontier(db);
  const t0 = Date.now();
  const CHUNK = 50_000;
  for (let start = 0; start < n; start += CHUNK) {
    db.transaction(() => {
      for (let i = start; i < Math.min(n, start + CHUNK); i++) {
        const h = i % HOSTS;
        const host = `h${h}.test:${port}`;
        frontier.add({ url: `http://${host}/nb/p${Math.floor(i / HOSTS)}.html`, host, depth: 1, priority: 1, kindHint: 'list', from: null });
      }
    })();
  }
  const addMs = Date.now() - t0;
  console.log(
    `frontier: ${n.toLocaleString('en')} URLs over ${HOSTS} hosts added in ${(addMs / 1000).toFixed(1)} s; RSS ${mb(process.memoryUsage().rss)} MB. ` +
      `Crawl: concurrency 64, one request per host at a time, delays 0, extraction and rendering off`,
  );
  const crawler = new Crawler(db, {
    seeds: [],
    // the frontier is preloaded with hN.test names resolved to loopback: no seed opens it
    allowAddresses: ['loopback'],
    ...benchCrawlerOptions,
    maxDepth: 100,
    render: false,
  });
  const marks = [0.1, 0.5, 1].map((f) => Math.round(n * f));
  const label = (k: number) => (k >= 1000 ? `${Math.round(k / 1000)}k` : String(k));
  let next = 0;
  let last = { t: Date.now(), fetched: 0 };
  const started = Date.now();
  const rows: string[] = [];
  const check = () => {
    const s = crawler.snapshot();
    while (next < marks.length && s.fetched >= marks[next]) {
      const now = Date.now();
      const rate = ((s.fetched - last.fetched) * 1000) / Math.max(1, now - last.t);
      last = { t: now, fetched: s.fetched };
      global.gc?.();
      const mem = process.memoryUsage();
      const line =
        `  at ${label(marks[next]).padStart(5)} pages: ${String(s.fetched).padStart(8)} fetched in ${((now - started) / 1000).toFixed(0).padStart(5)} s,` +
        ` ${rate.toFixed(0).padStart(5)} pages/s since the last mark; RSS ${mb(mem.rss)} MB, heap ${mb(mem.heapUsed)} MB, hosts met ${s.hosts}`;
      console.log(line);
      rows.push(line);
      next++;
    }
  };
  const timer = setInterval(check, 200);
  const progress = setInterval(() => {
    const s = crawler.snapshot();
    console.log(`  … ${s.fetched} fetched, ${s.pagesPerSecond.toFixed(0)} pages/s overall, RSS ${mb(process.memoryUsage().rss)} MB`);
  }, 30_000);
  try {
    const summary = await crawler.run();
    check();
    const secs = (Date.now() - started) / 1000;
    const dbSize = statSync(dbPath).size + (statSync(dbPath + '-wal', { throwIfNoEntry: false })?.size ?? 0);
    console.log(
      `crawl: ${summary.fetched} pages in ${secs.toFixed(0)} s = ${(summary.fetched / secs).toFixed(0)} pages/s; ${summary.failed} failed, ` +
        `${summary.deferred} left queued (${summary.stoppedBy}); database ${mb(dbSize)} MB`,
    );
  } finally {
    clearInterval(timer);
    clearInterval(progress);
    db.close();
  }
}

async function renderCost(port: number): Promise<void> {
  const { createAgent, fetchUrl } = await import('../src/crawl/fetcher.js');
  const { Renderer } = await import('../src/crawl/browser/session.js');
  const agent = createAgent({ connectTimeoutMs: 5000, timeoutMs: 10_000, connections: 1 });
  const origin = `http://127.0.0.1:${port}`;
  const get = (url: string) => fetchUrl(url, { dispatcher: agent, userAgent: 'nianbao-bench', timeoutMs: 10_000, maxBytes: 10_000_000, maxRedirects: 5 });
  const ROUNDS = 5;
  const time = async (f: () => Promise<unknown>) => {
    const ms: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const t = performance.now();
      await f();
      ms.push(performance.now() - t);
    }
    return Math.min(...ms);
  };
  const plainStatic = await time(() => get(`${origin}/render/static.html`));
  const plainApp = await time(() => get(`${origin}/render/app.html`));
  const renderer = new Renderer({ userAgent: 'nianbao-bench', warn: (m) => console.log(`  warning: ${m}`) });
  const page = await get(`${origin}/render/app.html`);
  const render = () =>
    renderer.render({
      url: `${origin}/render/app.html`,
      body: page.body!,
      contentType: page.headers['content-type'],
      timeoutMs: 30_000,
      maxClicks: 0,
      fetch: async (req) => {
        const r = await get(req.url);
        return r.body ? { ok: true, status: r.status ?? 200, headers: r.headers, body: r.body } : { ok: false, why: 'failed' };
      },
    });
  try {
    const t = performance.now();
    const first = await render();
    const firstMs = performance.now() - t;
    if (!first) throw new Error('the browser did not start');
    if (!first.doms[0].includes('主动公开政府信息情况')) throw new Error('the rendered page lacks its tables');
    const warm = await time(render);
    const mem = treeMemory(process.pid, /chrom/i);
    console.log(
      `one page: plain fetch ${plainStatic.toFixed(1)} ms (the report as a static page; its ${(page.body!.length / 1024).toFixed(1)} KiB script shell: ${plainApp.toFixed(1)} ms);` +
        ` rendered (shell + script + JSON through the fetcher) ${warm.toFixed(0)} ms warm, ${firstMs.toFixed(0)} ms for the first (browser start included)`,
    );
    console.log(
      `browser: ${mem.processes} processes, RSS ${(mem.rssKb / 1024).toFixed(0)} MB summed (PSS ${(mem.pssKb / 1024).toFixed(0)} MB); crawler process RSS ${mb(process.memoryUsage().rss)} MB`,
    );
  } finally {
    await renderer.close();
    await agent.close();
  }
}

export async function run(args: string[] = []): Promise<void> {
  const n = Number(args.find((a) => /^\d+$/.test(a)) ?? process.env.BENCH_SCALE_N ?? 1_000_000);
  const perHost = Math.ceil(n / HOSTS);
  const child = fork(fileURLToPath(import.meta.url), [SERVE_FLAG, String(perHost)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`site process exited (${code})`)));
  });
  const dir = mkdtempSync(join(tmpdir(), 'nianbao-bench-scale-'));
  try {
    await crawlAtScale(n, port, dir);
    await renderCost(port);
  } finally {
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}
