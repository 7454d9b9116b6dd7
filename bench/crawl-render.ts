/**
 * Rendering benchmark (`npm run bench -- render`): a loopback site of 200 columns on 20 hosts
 * (`hN.test`, resolved to 127.0.0.1 by the crawler's lookup; the browser resolves nothing itself),
 * 5 reports each. The columns of hosts 0-9 build their list with a script (fetch of a JSON list);
 * those of hosts 10-19 list their reports in the HTML (with a harmless script: each host's template is
 * rendered once, to compare, and found static). Crawled twice, discovery only, delays 0, one request
 * at a time per host: with rendering (pages per second, pages rendered, reports found, peak RSS of
 * the browser's processes) and with --no-render (reports found).
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchCrawlerOptions, mb } from './crawl.js';

const HOSTS = 20;
const COLUMNS = 10;
const PER_COLUMN = 5;

function page(title: string, body: string): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1>${body}</body></html>`;
}
const link = (h: number, c: number, k: number) => `<li><a href="/art/r${c}_${k}.html">第${h}县第${c}局${2015 + k}年政府信息公开工作年度报告</a></li>`;
function report(h: number, c: number, k: number): string {
  return page(
    `第${h}县第${c}局${2015 + k}年政府信息公开工作年度报告`,
    `<p>二、主动公开政府信息情况</p><table><tr><td>信息内容</td><td>本年制发件数</td></tr><tr><td>规章</td><td>${k}</td></tr></table>
<p>三、收到和处理政府信息公开申请情况</p><table><tr><td>一、本年新收政府信息公开申请数量</td><td>${(h * 31 + c) % 97}</td></tr></table>
<p>四、政府信息公开行政复议、行政诉讼情况</p><table><tr><td>行政复议</td><td>0</td></tr></table>`,
  );
}

function site(): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const m = /^h(\d+)\.test(:\d+)?$/.exec(req.headers.host ?? '');
    const u = new URL(req.url ?? '/', 'http://x');
    if (!m) return void res.writeHead(400).end();
    const h = Number(m[1]);
    const scripted = h < HOSTS / 2;
    let body: string | null = null;
    let type = 'text/html; charset=utf-8';
    const col = /^\/col\/col(\d+)\/index\.html$/.exec(u.pathname);
    const rep = /^\/art\/r(\d+)_(\d+)\.html$/.exec(u.pathname);
    if (u.pathname === '/robots.txt') body = 'User-agent: *\nDisallow: /admin/\n';
    else if (u.pathname === '/') body = page('首页', Array.from({ length: COLUMNS }, (_, c) => `<a href="/col/col${c}/index.html">政府信息公开年报 ${c}</a>`).join(''));
    else if (col && Number(col[1]) < COLUMNS) {
      const c = Number(col[1]);
      body = scripted
        ? page('政府信息公开年报', `<ul class="list" id="list"></ul><script>fetch('/api/list?col=${c}').then(function (r) { return r.json(); }).then(function (d) {
  document.getElementById('list').innerHTML = d.map(function (x) { return '<li><a href="' + x.u + '">' + x.t + '</a></li>'; }).join('');
});</script>`)
        : page('政府信息公开年报', `<ul class="list">${Array.from({ length: PER_COLUMN }, (_, k) => link(h, c, k)).join('')}</ul><p id="t"></p><script>document.getElementById('t').textContent = '2024';</script>`);
    } else if (u.pathname === '/api/list' && scripted) {
      const c = Number(u.searchParams.get('col'));
      type = 'application/json';
      body = JSON.stringify(Array.from({ length: PER_COLUMN }, (_, k) => ({ u: `/art/r${c}_${k}.html`, t: `第${h}县第${c}局${2015 + k}年政府信息公开工作年度报告` })));
    } else if (rep && Number(rep[1]) < COLUMNS && Number(rep[2]) < PER_COLUMN) body = report(h, Number(rep[1]), Number(rep[2]));
    if (body === null) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    const buf = Buffer.from(body);
    res.writeHead(200, { 'content-type': type, 'content-length': buf.length }).end(buf);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port })),
  );
}

/** Resident memory of this process's descendants (the browser's processes), from /proc. */
function descendantsRss(): number {
  const parent = new Map<number, number>();
  const rss = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(d), Number(fields[1]));
      rss.set(Number(d), Number(fields[21]) * 4096);
    } catch {
      /* gone */
    }
  }
  let total = 0;
  for (const [pid, bytes] of rss) {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) {
      if (p === process.pid) {
        total += bytes;
        break;
      }
    }
  }
  return total;
}

export async function run(): Promise<void> {
  const { openDb } = await import('../src/store/db.js');
  const { Crawler } = await import('../src/crawl/crawler.js');
  const { server, port } = await site();
  const dir = mkdtempSync(join(tmpdir(), 'nianbao-bench-render-'));
  const seeds = Array.from({ length: HOSTS }, (_, h) => `http://h${h}.test:${port}/`);
  console.log(
    `${HOSTS * COLUMNS} columns on ${HOSTS} hosts, ${PER_COLUMN} reports each (${(HOSTS * COLUMNS * PER_COLUMN) / 2} of them listed only by a script);` +
      ` discovery only, concurrency 64, one request per host at a time, delays 0`,
  );
  try {
    for (const render of [true, false]) {
      const db = openDb(join(dir, `render-${render}.db`));
      let browserPeak = 0;
      const timer = setInterval(() => (browserPeak = Math.max(browserPeak, descendantsRss())), 500);
      const t0 = Date.now();
      const s = await new Crawler(db, { seeds, ...benchCrawlerOptions, render, renderTimeoutMs: 30_000 }).run();
      clearInterval(timer);
      const secs = (Date.now() - t0) / 1000;
      const reports = (db.prepare(`SELECT COUNT(*) AS n FROM frontier WHERE role = 'report'`).get() as { n: number }).n;
      const decided = db.prepare(`SELECT verdict, COUNT(*) AS n FROM render_memory GROUP BY verdict ORDER BY verdict`).all() as { verdict: string; n: number }[];
      console.log(
        `${render ? 'rendering on ' : '--no-render  '}: ${s.fetched} pages in ${secs.toFixed(1)} s = ${(s.fetched / secs).toFixed(1)} pages/s; ` +
          `reports found ${reports} of ${HOSTS * COLUMNS * PER_COLUMN}; pages rendered ${s.rendered} (${s.renderRequests} requests through the fetcher)` +
          (render ? `; templates decided ${decided.map((d) => `${d.n} ${d.verdict}`).join(', ') || 'none'}; browser processes' peak RSS ${mb(browserPeak)} MB` : ''),
      );
      db.close();
    }
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
