/**
 * `npm run bench -- sites`: a loopback province of 200 government sites (BENCH_SITES for another
 * number). A provincial portal's 政府网站导航 page links to every site (sN.bench.gov.cn, resolved to
 * 127.0.0.1 by a custom lookup; one server in a child process tells the sites apart by the Host
 * header, so the crawler's memory is measured alone); each site has a footer 网站标识码 (a real
 * county code of 河南省 + 0001), a 年报 column and one report link. The crawl runs with
 * `followSites` and `region 410000`, politeness as in a real crawl with the delays scaled down
 * (one request per host at a time, 50 ms between two requests to a host, robots.txt read first),
 * discovery only (no extraction: `npm run bench extract` measures it).
 * Figures: sites found per minute (registered in the registry), the time until every site's
 * column was read, peak RSS of the crawl.
 */
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LookupFunction } from 'node:net';

const SITES = Number(process.env.BENCH_SITES ?? 200);
const SERVE_FLAG = '--bench-sites-serve';
const mb = (n: number) => (n / 1024 / 1024).toFixed(0);

const lookup: LookupFunction = ((hostname: string, options: unknown, callback: unknown) => {
  const cb = (typeof options === 'function' ? options : callback) as (...a: unknown[]) => void;
  const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all;
  if (!/\.gov\.cn$/.test(hostname)) return cb(Object.assign(new Error(`bench resolves only *.gov.cn, not ${hostname}`), { code: 'ENOTFOUND' }));
  if (all) cb(null, [{ address: '127.0.0.1', family: 4 }]);
  else cb(null, '127.0.0.1', 4);
}) as LookupFunction;

function serve(codes: string[]): void {
  const page = (title: string, body: string, code: string) =>
    `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1>${body}<div class="footer">网站标识码：${code}0001 豫ICP备0500${code}号</div></body></html>`;
  const server = createServer((req, res) => {
    const host = String(req.headers.host ?? '');
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const port = host.split(':')[1];
    const m = /^s(\d+)\.bench\.gov\.cn/.exec(host);
    let body: string | null = null;
    if (path === '/robots.txt') body = null;
    else if (/^www\.henan\.gov\.cn/.test(host)) {
      if (path === '/') body = page('河南省人民政府', '<a href="/wzdh/">政府网站导航</a>', '410000');
      else if (path === '/wzdh/')
        body = page('政府网站导航', `<div><h3>市县政府网站</h3><ul>${codes.map((c, i) => `<li><a href="http://s${i}.bench.gov.cn:${port}/">网站${i}</a></li>`).join('')}</ul></div>`, '410000');
    } else if (m) {
      const code = codes[Number(m[1])]!;
      if (path === '/') body = page(`网站${m[1]}`, '<a href="/zwgk/nb/">政府信息公开年报</a><a href="/news/">新闻</a>', code);
      else if (path === '/zwgk/nb/') body = page('政府信息公开年报', '<ul><li><a href="/zwgk/nb/2023.html">2023年政府信息公开工作年度报告</a></li></ul>', code);
      else if (path === '/zwgk/nb/2023.html') body = page('2023年政府信息公开工作年度报告', '<p>本年新收政府信息公开申请数量 主动公开政府信息情况</p>', code);
    }
    if (body === null) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body);
  });
  server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as { port: number }).port }));
}

if (process.argv.includes(SERVE_FLAG)) serve(JSON.parse(process.argv[process.argv.indexOf(SERVE_FLAG) + 1]!) as string[]);

export async function run(): Promise<void> {
  const { openDb } = await import('../src/store/db.js');
  const { Crawler } = await import('../src/crawl/crawler.js');
  const { gazetteer } = await import('../src/places/gazetteer.js');
  const counties = [...gazetteer().byCode.values()].filter((d) => d.level === 'county' && d.code.startsWith('41') && !d.historical).map((d) => d.code);
  const codes = Array.from({ length: SITES }, (_, i) => counties[i % counties.length]!);
  const child = fork(fileURLToPath(import.meta.url), [SERVE_FLAG, JSON.stringify(codes)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`site process exited (${code})`)));
  });
  const dir = mkdtempSync(join(tmpdir(), 'nianbao-bench-sites-'));
  const db = openDb(join(dir, 'sites.db'));
  console.log(`a province portal + ${SITES} sites × (robots.txt, home, 年报 column, report; a news link not followed); concurrency 16, one request per host, 50 ms delays; --follow-sites --region 410000 --max-sites ${SITES}`);
  const crawler = new Crawler(db, {
    seeds: [`http://www.henan.gov.cn:${port}/`],
    concurrency: 16,
    perHost: 1,
    delayMs: 50,
    delayFactor: 1,
    maxDelayMs: 200,
    timeoutMs: 10_000,
    maxWaitMs: 5_000,
    render: false,
    lookup,
    discoverOnly: true,
    followSites: true,
    maxSites: SITES,
    region: '410000',
  });
  const rss0 = process.memoryUsage().rss;
  let peak = rss0;
  const sitesCount = db.prepare(`SELECT COUNT(*) AS n FROM sites WHERE found_by <> 'seed'`);
  const columnsRead = db.prepare(`SELECT COUNT(DISTINCT host) AS n FROM frontier WHERE url LIKE '%/zwgk/nb/2023.html' AND state = 'done'`);
  let allFoundAt = 0;
  let allReadAt = 0;
  const t0 = Date.now();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
    if (!allFoundAt && (sitesCount.get() as { n: number }).n >= SITES) allFoundAt = Date.now();
    if (!allReadAt && (columnsRead.get() as { n: number }).n >= SITES) allReadAt = Date.now();
  }, 50);
  try {
    const summary = await crawler.run();
    const secs = (Date.now() - t0) / 1000;
    peak = Math.max(peak, process.memoryUsage().rss);
    const found = (sitesCount.get() as { n: number }).n;
    const read = (columnsRead.get() as { n: number }).n;
    allReadAt ||= read >= SITES ? Date.now() : 0;
    const placed = (db.prepare(`SELECT COUNT(*) AS n FROM sites WHERE placed_by = 'site_code' AND in_region = 1`).get() as { n: number }).n;
    console.log(`sites: ${found} found and ${placed} placed by their 标识码 in ${secs.toFixed(1)} s = ${((found * 60) / secs).toFixed(0)} sites found per minute (the crawl's whole run)`);
    if (allFoundAt) console.log(`  all ${SITES} sites registered after ${((allFoundAt - t0) / 1000).toFixed(1)} s (from the portal's 政府网站导航 page)`);
    console.log(`  every site's 年报 column read and its report fetched: ${read} of ${SITES}${allReadAt ? ` after ${((allReadAt - t0) / 1000).toFixed(1)} s = ${((read * 60 * 1000) / (allReadAt - t0)).toFixed(0)} sites crawled per minute` : ''}`);
    console.log(`crawl: ${summary.fetched} fetches, ${summary.failed} failed, ${summary.deferred} left queued (${summary.stoppedBy})`);
    console.log(`memory: RSS ${mb(rss0)} MB before, peak ${mb(peak)} MB during the crawl`);
  } finally {
    clearInterval(timer);
    db.close();
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}
