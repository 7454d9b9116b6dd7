/**
 * JavaScript cookie challenges in front of a whole column (issue 16 item 5). Three loopback hosts,
 * each a column (two list pages, five reports) behind a challenge written as a different vendor
 * writes it: a 加速乐-like HTTP 521 page whose inline script computes `__jsl_clearance` by an eval'd
 * sum and reloads (its cookie expires after a few requests: challenged again, passed again); a
 * 瑞数-like HTTP 412 page that loads a second script which sets a pair of cookies and calls
 * location.replace; and a 521 page whose script never sets the right cookie (cannot be passed).
 * Asserted: every report stored once; each challenge passed in the browser once per host (twice for
 * the expiring one); the plain client's later requests carry the cookies with the crawler's
 * User-Agent (the server's log); one request at a time per host; the summary's challenged hosts, and
 * the host that could not be passed named with a clear message while the others are crawled.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { openDb, type Db } from '../src/store/db.js';
import { Crawler, type CrawlEvent, type CrawlOptions, type CrawlSummary } from '../src/crawl/crawler.js';
import { challengeReason } from '../src/crawl/challenge.js';
import { startHost, listPage, type TestHost } from './helpers/testsite.js';

const root = join(import.meta.dirname, '..');
const SAMPLES = [
  'chuanhui-district-2021-flat', 'dancheng-health-2020-gb2312', 'fugou-agriculture-2021-values', 'hongze-water-2022-subtotal',
  'shenqiu-audit-2021-narrative', 'huaiyang-transport-2022-split', 'huaiyin-2022-template2019', 'jinhu-2021-other-one-row',
  'lianshui-2021-labels', 'luyi-education-2021-gbk', 'qingjiangpu-2023-t4-rows', 'queshan-2022-mislabelled',
  'shangshui-housing-2021-word', 'shenqiu-civil-affairs-2019-split', 'suiping-2021-total-blank',
];
const bytes = SAMPLES.map((n) => readFileSync(join(root, 'samples', n + '.html')));
const UA = 'nianbao-test/1.0 (+challenge)';

const OPTS: Partial<CrawlOptions> = {
  concurrency: 4,
  delayMs: 0,
  timeoutMs: 5000,
  connectTimeoutMs: 2000,
  maxTries: 2,
  backoffBaseMs: 30,
  maxWaitMs: 5000,
  renderTimeoutMs: 15_000,
  userAgent: UA,
};

function cookies(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}

/** A column of 5 reports (ids first…first+4) on two list pages, each page behind `gate`. */
function column(first: number, gate: (req: IncomingMessage, res: ServerResponse) => boolean) {
  const ids = [0, 1, 2, 3, 4].map((k) => first + k);
  const item = (i: number) => ({ href: `/detail/${i}.html`, text: `${i}号 2021年政府信息公开工作年度报告` });
  const pages: Record<string, string | Uint8Array> = {
    '/col/index.html': listPage({ title: '年度报告', items: ids.slice(0, 3).map(item), next: '/col/index_1.html' }),
    '/col/index_1.html': listPage({ title: '年度报告', items: ids.slice(3).map(item) }),
  };
  for (const i of ids) pages[`/detail/${i}.html`] = bytes[i];
  const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {};
  for (const [path, body] of Object.entries(pages)) {
    routes[path] = (req, res) => {
      if (!gate(req, res)) return;
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body);
    };
  }
  return { ids, routes };
}

/** 加速乐-like: 521, an inline script evaluating a sum into __jsl_clearance, then a reload. The cookie lasts 4 pages. */
function jslSite() {
  let gen = 1;
  let uses = 0;
  const want = () => `${1700000000 + gen}.${(gen * 37 + 5) * 3}|0|${gen}`;
  const challenge = () =>
    `<html><head><meta charset="utf-8"></head><body><script>var _0x=['(' + ${gen * 37} + '+5)*3'];` +
    `document.cookie=('__jsl_c'+'learance=')+(${1700000000 + gen})+'.'+eval(_0x[0])+'|0|'+${gen}+';max-age=3600;path=/';` +
    `location.href=location.pathname+location.search</script></body></html>`;
  const gate = (req: IncomingMessage, res: ServerResponse) => {
    if (cookies(req)['__jsl_clearance'] === want()) {
      if (++uses >= 4) {
        gen++; // expired: the next request is challenged again
        uses = 0;
      }
      return true;
    }
    res.writeHead(521, { 'content-type': 'text/html' }).end(challenge());
    return false;
  };
  return { ...column(0, gate), want: () => `${1700000000 + 1}.${(1 * 37 + 5) * 3}|0|1` };
}

/** 瑞数-like: 412 with a second script that sets a pair of cookies and calls location.replace. */
function rsSite() {
  const o = 'Yq3vZ8pT';
  const p = Buffer.from(o).toString('base64').split('').reverse().join('');
  const gate = (req: IncomingMessage, res: ServerResponse) => {
    const c = cookies(req);
    if (c['NfBCSins2OywO'] === o && c['NfBCSins2OywP'] === p) return true;
    res
      .writeHead(412, { 'content-type': 'text/html; charset=utf-8' })
      .end(`<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"><meta id="rs" content="${o}"></head>` +
        `<body><script type="text/javascript" charset="utf-8" src="/rs/chk.js?v=2"></script></body></html>`);
    return false;
  };
  const site = column(5, gate);
  (site.routes as Record<string, unknown>)['/rs/chk.js'] = (_req: IncomingMessage, res: ServerResponse) =>
    res.writeHead(200, { 'content-type': 'application/javascript' }).end(
      `(function(w,d){var m=d.getElementById('rs').getAttribute('content');` +
        `function set(n,v){d.cookie=n+'='+v+'; path=/';}` +
        `set('NfBCSins2OywO',m);set('NfBCSins2OywP',w.btoa(m).split('').reverse().join(''));` +
        `setTimeout(function(){w.location.replace(w.location.href)},10);})(window,document);`,
    );
  return { ...site, o, p };
}

/** A challenge that cannot be passed: its script sets a cookie the server never accepts. */
function badSite() {
  const gate = (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(521, { 'content-type': 'text/html' }).end(`<script>document.cookie='__jsl_clearance=' + Math.random() + ';path=/';location.reload()</script>`);
    return false;
  };
  return column(10, gate);
}

describe('challengeReason', () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  it('recognises a small script page on 521/412/202 and nothing else', () => {
    expect(challengeReason(521, enc(`<script>document.cookie='a=1';location.reload()</script>`))).toBe('HTTP 521 with a script page that sets a cookie');
    expect(challengeReason(412, enc(`<html><body><script src="/x.js"></script></body></html>`))).toBe('HTTP 412 with a script page that loads a script');
    expect(challengeReason(202, enc(`<script>var a=1;</script>`))).toBeNull(); // a 202 must set a cookie or move
    expect(challengeReason(200, enc(`<script>document.cookie='a=1';location.reload()</script>`))).toBeNull();
    expect(challengeReason(521, enc(`<h1>Web server is down</h1>`))).toBeNull();
    expect(challengeReason(412, enc(`<script>x()</script><p>${'政府信息公开工作年度报告'.repeat(3)}</p>`))).toBeNull();
    expect(challengeReason(521, enc(`<script>x()</script><p>${'很长的正文。'.repeat(80)}</p>`))).toBeNull();
  });
});

describe('a column behind a JavaScript cookie challenge', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nianbao-challenge-'));
  const jsl = jslSite();
  const rs = rsSite();
  const bad = badSite();
  let J: TestHost, R: TestHost, B: TestHost;
  let db: Db;
  let summary: CrawlSummary;
  const events: CrawlEvent[] = [];

  beforeAll(async () => {
    J = await startHost(jsl.routes);
    R = await startHost(rs.routes);
    B = await startHost(bad.routes);
    db = openDb(join(dir, 'challenge.db'));
    summary = await new Crawler(db, {
      ...OPTS,
      seeds: [J, R, B].map((h) => h.origin + '/col/index.html'),
      onEvent: (e) => events.push(e),
    }).run();
  }, 180_000);

  afterAll(async () => {
    db?.close();
    await Promise.all([J?.close(), R?.close(), B?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores every report behind the passable challenges once', () => {
    expect(summary.stoppedBy).toBe('done');
    const urls = (db.prepare('SELECT source_url FROM reports').all() as { source_url: string }[]).map((r) => r.source_url).sort();
    const want = [...jsl.ids.map((i) => `${J.origin}/detail/${i}.html`), ...rs.ids.map((i) => `${R.origin}/detail/${i}.html`)].sort();
    expect(urls).toEqual(want);
  });

  it('passes each challenge in the browser once per host (again after its cookie expired), and counts them', () => {
    const byHost = Object.fromEntries(summary.challenges.map((c) => [c.host, c]));
    expect(Object.keys(byHost).sort()).toEqual([J.host, R.host, B.host].sort());
    expect(byHost[R.host]).toMatchObject({ status: 412, passed: true, passes: 1, attempts: 1, message: null });
    // 12 plain requests with the cookie at 4 per cookie: 3 passes, the last cookie still good at the end
    expect(byHost[J.host]).toMatchObject({ status: 521, passed: true, message: null });
    expect(byHost[J.host].passes).toBeGreaterThanOrEqual(2);
    expect(byHost[J.host].passes).toBeLessThanOrEqual(3);
    const passEvents = events.filter((e) => e.type === 'challenge' && e.host === R.host);
    expect(passEvents).toHaveLength(1);
    expect(passEvents[0]).toMatchObject({ passed: true, cookies: ['NfBCSins2OywO', 'NfBCSins2OywP'] });
  });

  it('sends the kept cookies with the plain client and the crawler’s User-Agent', () => {
    for (const i of rs.ids) {
      const hits = R.log.filter((l) => l.path === `/detail/${i}.html`);
      expect(hits).toHaveLength(1);
      expect(hits[0].headers.cookie).toBe(`NfBCSins2OywO=${rs.o}; NfBCSins2OywP=${rs.p}`);
      expect(hits[0].headers['user-agent']).toBe(UA);
    }
    // the first cookie of the 加速乐-like host, computed by the page's script, came back on the plain client's requests
    expect(J.log.some((l) => l.headers.cookie === `__jsl_clearance=${jsl.want()}`)).toBe(true);
    // the challenge script itself was fetched through the crawler (its User-Agent), once
    expect(R.log.filter((l) => l.path === '/rs/chk.js?v=2').map((l) => l.headers['user-agent'])).toEqual([UA]);
    for (const h of [J, R, B]) expect(h.maxConcurrent).toBe(1);
  });

  it('names a challenge it cannot pass, and crawls on', () => {
    const c = summary.challenges.find((x) => x.host === B.host)!;
    expect(c.passed).toBe(false);
    expect(c.passes).toBe(0);
    expect(c.attempts).toBeGreaterThanOrEqual(1);
    expect(c.attempts).toBeLessThanOrEqual(3);
    expect(c.message).toMatch(new RegExp(`^JavaScript challenge \\(HTTP 521\\) at ${B.host.replace(/\./g, '\\.')} not passed`));
    const failed = summary.failures.find((f) => f.url === `${B.origin}/col/index.html`);
    expect(failed?.error).toMatch(/^JavaScript challenge \(HTTP 521\) at .* not passed/);
    // the browser followed its reloads a bounded number of times
    expect(B.hits('/col/index.html')).toBeLessThanOrEqual(1 + 3 * 5);
  });
});
