/**
 * A loopback "province" (周口市, region 411600): a city portal whose 政府网站导航 page links to county
 * and department sites on other hosts (each its own loopback port, named *.gov.cn through the
 * crawler's lookup), each with a footer 网站标识码 and its own 年报 column in a different style
 * (createPageHTML pager; 下一页 list; a county portal hosting its departments' reports; a select menu
 * of sites), one site unreachable, one with no 年报 column, one placed outside the region by its name
 * (never fetched), one placed outside by its 标识码 (home page only), one non-government link.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import type { LookupFunction } from 'node:net';
import { createServer } from 'node:http';
import { openDb, type Db } from '../src/store/db.js';
import { Crawler, type CrawlOptions, type CrawlSummary } from '../src/crawl/crawler.js';
import { sitesWithState } from '../src/crawl/sites/registry.js';
import { discoverSites, isGovHost } from '../src/crawl/sites/discover-sites.js';
import { placeSite } from '../src/crawl/sites/site-finder.js';
import { coverage } from '../src/coverage/coverage.js';
import { listPage, startHost, type TestHost } from './helpers/testsite.js';
import { chromium } from 'playwright-core';
import { startServer } from '../src/serve/server.js';

const root = join(import.meta.dirname, '..');
const sample = (name: string) => new Uint8Array(readFileSync(join(root, 'samples', name)));
const CLI = join(root, 'dist', 'src', 'cli.js');

/** *.gov.cn and *.example.com resolve to 127.0.0.1 (each site is its own port). */
const lookup: LookupFunction = ((hostname: string, options: unknown, callback: unknown) => {
  const cb = (typeof options === 'function' ? options : callback) as (...a: unknown[]) => void;
  const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all;
  if (!/\.(gov\.cn|example\.com)$/.test(hostname)) return cb(Object.assign(new Error(`test resolves no ${hostname}`), { code: 'ENOTFOUND' }));
  if (all) cb(null, [{ address: '127.0.0.1', family: 4 }]);
  else cb(null, '127.0.0.1', 4);
}) as LookupFunction;

const footer = (code: string, icp = '豫ICP备05000001号', ga = '豫公网安备 41160002000001号') =>
  `<div class="footer">主办单位：某某 网站标识码：${code} ${icp} ${ga}</div>`;
const home = (title: string, body: string, code: string) =>
  `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1>${body}${footer(code)}</body></html>`;

const OPTS: Partial<CrawlOptions> = {
  concurrency: 4,
  delayMs: 40,
  backoffBaseMs: 20,
  maxTries: 2,
  timeoutMs: 2000,
  connectTimeoutMs: 1000,
  hostFailureLimit: 50,
  maxWaitMs: 5000,
  render: false,
  lookup,
  // the test's government names resolve to loopback (standing in for their public addresses): the address
  // policy lets a crawl reach loopback only through names the user gave, so the test opens that class
  allowAddresses: ['loopback'],
};

const hosts: Record<string, TestHost> = {};
let dead = 0;
let dir: string;
let db: Db;
let dbPath: string;
let summary: CrawlSummary;
const url = (name: string, port: number | string, path = '/') => `http://${name}:${port}${path}`;
const port = (h: TestHost) => new URL(h.origin).port;

beforeAll(async () => {
  // a port nothing listens on: the unreachable site
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  dead = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));

  hosts.nongov = await startHost({ '/': { body: '<html><body>广告</body></html>' } });
  hosts.huaian = await startHost({ '/': { body: home('淮安市人民政府', '<a href="/nb/">政府信息公开年报</a>', '3208000001') } });
  hosts.hongze = await startHost({
    '/': { body: home('某网站', '<a href="/nb/index.html">政府信息公开年报</a>', '3208130001') },
    '/nb/index.html': { body: listPage({ items: [{ href: '/nb/r.html', text: '洪泽区人民政府2021年政府信息公开工作年度报告' }] }) },
  });
  // 西华县: createPageHTML pager column
  hosts.xihua = await startHost({
    '/': { body: home('西华县人民政府', '<a href="/zwgk/nb/index.html">政府信息公开年报</a>', '4116220001') },
    '/zwgk/nb/index.html': { body: listPage({ pageCount: 1, current: 0, items: [{ href: '/zwgk/nb/2021.html', text: '西华县人民政府2021年政府信息公开工作年度报告' }] }) },
    '/zwgk/nb/2021.html': { body: sample('xihua-county-2021.html') },
  });
  // 川汇区 (in a select menu): a 下一页 column of two pages
  hosts.chuanhui = await startHost({
    '/': { body: home('周口市川汇区人民政府', '<a href="/xxgk/xxgknb/">政府信息公开年报</a>', '4116020001') },
    '/xxgk/xxgknb/': { body: listPage({ next: 'index_1.html', items: [{ href: '/xxgk/xxgknb/a.html', text: '政府信息公开工作年度报告专题' }] }) },
    '/xxgk/xxgknb/index_1.html': { body: listPage({ items: [{ href: '/xxgk/xxgknb/2021.html', text: '周口市川汇区人民政府2021年政府信息公开工作年度报告' }] }) },
    '/xxgk/xxgknb/2021.html': { body: sample('chuanhui-district-2021-flat.html') },
  });
  // 鹿邑县: a county portal hosting its departments' reports
  hosts.luyi = await startHost({
    '/': { body: home('鹿邑县人民政府', '<a href="/nb/index.html">政府信息公开年报</a>', '4116280001') },
    '/nb/index.html': {
      body: listPage({
        items: [
          { href: '/nb/jyj2021.html', text: '鹿邑县教育体育局2021年政府信息公开工作年度报告' },
          { href: '/nb/gaj2019.html', text: '鹿邑县公安局2019年政府信息公开工作年度报告' },
        ],
      }),
    },
    '/nb/jyj2021.html': { body: sample('luyi-education-2021-gbk.html'), type: 'text/html' },
    '/nb/gaj2019.html': { body: sample('luyi-police-2019-bad-litigation.html') },
  });
  // 扶沟县: a 年报 column with nothing in it yet
  hosts.fugou = await startHost({
    '/': { body: home('扶沟县人民政府', '<a href="/xxgk/nb/index.html">政府信息公开年报</a>', '4116210001') },
    '/xxgk/nb/index.html': { body: listPage({ items: [] }) },
  });
  // 郸城县: no 年报 column
  hosts.dancheng = await startHost({
    '/': { body: home('郸城县人民政府', '<a href="/news/">新闻</a>', '4116250001') },
  });
  const P = (k: string) => port(hosts[k]!);
  hosts.portal = await startHost({
    '/': {
      body: home(
        '周口市人民政府',
        `<a href="/wzdh/index.html">政府网站导航</a><a href="${url('www.example.com', P('nongov'), '/')}">某商业网站</a>
         <div class="yqlj"><span>友情链接</span><select onchange="window.open(this.value)"><option value="">市县政府</option>
         <option value="${url('www.chuanhui.gov.cn', P('chuanhui'))}">川汇区人民政府</option></select></div>`,
        '4116000001',
      ),
    },
    '/wzdh/index.html': {
      body: home(
        '政府网站导航',
        `<div class="box"><h3>县市区政府网站</h3><ul>
          <li><a href="${url('www.xihua.gov.cn', P('xihua'))}">西华县人民政府</a></li>
          <li><a href="${url('www.luyi.gov.cn', P('luyi'), '/index.html')}">鹿邑县人民政府</a></li>
          <li><a href="${url('www.dancheng.gov.cn', P('dancheng'))}">郸城县人民政府</a></li>
          <li><a href="${url('www.fugou.gov.cn', P('fugou'))}">扶沟县人民政府</a></li>
          <li><a href="${url('www.shenqiu.gov.cn', dead)}">沈丘县人民政府</a></li></ul></div>
         <div class="box"><h3>兄弟城市</h3><ul>
          <li><a href="${url('www.huaian.gov.cn', P('huaian'))}">淮安市人民政府</a></li>
          <li><a href="${url('www.hongze.gov.cn', P('hongze'))}">友城网站</a></li></ul></div>`,
        '4116000001',
      ),
    },
  });
  dir = mkdtempSync(join(tmpdir(), 'nianbao-sites-'));
  dbPath = join(dir, 'c.db');
  db = openDb(dbPath);
  summary = await new Crawler(db, { ...OPTS, seeds: [url('www.zhoukou.gov.cn', P('portal'))], followSites: true, region: '411600' }).run();
}, 120_000);

afterAll(async () => {
  db?.close();
  for (const h of Object.values(hosts)) await h.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const byHost = () => new Map(sitesWithState(db).map((s) => [s.host.replace(/:\d+$/, ''), s]));

describe('site discovery on a loopback province', () => {
  it('finds every government site and places it', () => {
    const s = byHost();
    expect([...s.keys()].sort()).toEqual(
      ['www.chuanhui.gov.cn', 'www.dancheng.gov.cn', 'www.fugou.gov.cn', 'www.hongze.gov.cn', 'www.huaian.gov.cn', 'www.luyi.gov.cn', 'www.shenqiu.gov.cn', 'www.xihua.gov.cn', 'www.zhoukou.gov.cn'],
    );
    expect(s.get('www.zhoukou.gov.cn')).toMatchObject({ found_by: 'seed', site_code: '4116000001', division_code: '411600', placed_by: 'site_code', icp: '豫ICP备05000001号', gongan: '豫公网安备 41160002000001号' });
    expect(s.get('www.xihua.gov.cn')).toMatchObject({ found_by: 'directory', site_depth: 1, site_code: '4116220001', division_code: '411622', division_name: '河南省周口市西华县', placed_by: 'site_code', name: '西华县人民政府' });
    expect(s.get('www.chuanhui.gov.cn')).toMatchObject({ found_by: 'directory', division_code: '411602', placed_by: 'site_code' });
    // placed by its name alone (never fetched): the link's text
    expect(s.get('www.shenqiu.gov.cn')).toMatchObject({ division_code: '411624', placed_by: 'name', site_code: null });
    expect(s.get('www.huaian.gov.cn')).toMatchObject({ division_code: '320800', placed_by: 'name', in_region: 0 });
    expect(s.get('www.hongze.gov.cn')).toMatchObject({ division_code: '320813', placed_by: 'site_code', in_region: 0 });
    expect(s.get('www.xihua.gov.cn')!.found_on).toMatch(/\/wzdh\/index\.html$/);
  });

  it('records each site state', () => {
    const s = byHost();
    const states = Object.fromEntries([...s].map(([h, x]) => [h, x.state]));
    expect(states).toEqual({
      'www.zhoukou.gov.cn': 'no_column',
      'www.xihua.gov.cn': 'reports',
      'www.chuanhui.gov.cn': 'reports',
      'www.luyi.gov.cn': 'reports',
      'www.dancheng.gov.cn': 'no_column',
      'www.fugou.gov.cn': 'column_empty',
      'www.shenqiu.gov.cn': 'unreachable',
      'www.huaian.gov.cn': 'out_of_region',
      'www.hongze.gov.cn': 'out_of_region',
    });
    expect(s.get('www.luyi.gov.cn')).toMatchObject({ reports: 2, years: [2019, 2021] });
    expect(s.get('www.xihua.gov.cn')).toMatchObject({ reports: 1, years: [2021] });
    expect(s.get('www.shenqiu.gov.cn')!.error).toMatch(/robots\.txt unreachable|ECONNREFUSED|connect/i);
  });

  it('stores every report once', () => {
    const rows = db.prepare('SELECT agency, year FROM reports ORDER BY agency, year').all();
    expect(rows).toEqual([
      { agency: '周口市川汇区人民政府', year: 2021 },
      { agency: '西华县人民政府', year: 2021 },
      { agency: '鹿邑县公安局', year: 2019 },
      { agency: '鹿邑县教育体育局', year: 2021 },
    ]);
    // the site's division (by its 标识码) is a label of the pages crawled from it: it helps place their reports
    const labels = db.prepare(`SELECT r.agency, l.label FROM reports r JOIN seed_labels l ON l.sha256 = r.sha256 ORDER BY r.agency, l.label`).all();
    expect(labels).toEqual([
      { agency: '周口市川汇区人民政府', label: '河南省周口市川汇区' },
      { agency: '西华县人民政府', label: '河南省周口市西华县' },
      { agency: '鹿邑县公安局', label: '河南省周口市鹿邑县' },
      { agency: '鹿邑县教育体育局', label: '河南省周口市鹿邑县' },
    ]);
    expect(summary.reports).toBe(4);
    expect(summary.stored).toBe(4);
  });

  it('fetches nothing out of region or non-government beyond its link', () => {
    expect(hosts.nongov!.log).toEqual([]);
    expect(hosts.huaian!.log).toEqual([]);
    // placed outside by its 标识码: its robots.txt and home page, nothing more
    expect(hosts.hongze!.paths().sort()).toEqual(['/', '/robots.txt']);
  });

  it('keeps politeness per host', () => {
    for (const h of Object.values(hosts)) {
      expect(h.maxConcurrent).toBeLessThanOrEqual(1);
      if (h.log.length) expect(h.paths()[0]).toBe('/robots.txt');
    }
    // the delay between two requests to one host holds (fetch_log start times, per host)
    const log = db.prepare(`SELECT url, started_at FROM fetch_log ORDER BY started_at`).all() as { url: string; started_at: string }[];
    const last = new Map<string, number>();
    for (const r of log) {
      const host = new URL(r.url).host;
      const t = Date.parse(r.started_at);
      if (last.has(host)) expect(t - last.get(host)!).toBeGreaterThanOrEqual(35);
      last.set(host, t);
    }
  });

  it('counts coverage per division: expected, found, missing', () => {
    const cov = coverage(db, { region: '411600', level: 'county' });
    expect(cov.years).toEqual([2019, 2021]);
    const row = (code: string, year: number) => cov.rows.find((r) => r.code === code && r.year === year)!;
    expect(cov.rows.length).toBe(20); // ten counties × two years
    // 西华县: its government and its townships are expected; the government found in 2021
    const xh = row('411622', 2021);
    expect(xh.governments_expected).toBeGreaterThan(1);
    expect(xh).toMatchObject({ governments_found: 1, departments_expected: 0, found: 1, missing: xh.expected - 1, sites: 1, sites_by_state: { reports: 1 } });
    expect(row('411622', 2019)).toMatchObject({ found: 0, sites: 1 });
    // 鹿邑县: two departments, each published one year and is expected in the other
    expect(row('411628', 2021)).toMatchObject({ departments_expected: 2, departments_found: 1, governments_found: 0, missing_departments: ['鹿邑县公安局'] });
    expect(row('411628', 2019)).toMatchObject({ departments_expected: 2, departments_found: 1, missing_departments: ['鹿邑县教育体育局'] });
    expect(row('411628', 2021).missing_governments).toContain('鹿邑县');
    expect(row('411624', 2021)).toMatchObject({ found: 0, sites: 1, sites_by_state: { unreachable: 1 } });
    expect(row('411625', 2021)).toMatchObject({ found: 0, sites_by_state: { no_column: 1 } });
    expect(row('411621', 2021)).toMatchObject({ found: 0, sites_by_state: { column_empty: 1 } });
    expect(cov.totals.found).toBe(4); // 2021: 西华, 川汇, 鹿邑 education; 2019: 鹿邑 police
  });
});

describe('site discovery units', () => {
  it('reads government hosts, directories, select menus and footers', () => {
    const html = `<html><head><title>某市人民政府</title></head><body><a href="/wzdh/">政府网站导航</a><a href="/news/1.html">新闻</a>
      <div><h3>部门网站</h3><a href="http://jyj.example.gov.cn/">市教育局</a></div><a href="https://www.gov.cn/">中国政府网</a>
      <a href="http://shop.example.com/">商城</a><a href="https://beian.miit.gov.cn/">备案查询</a><select><option value="http://www.a.gov.cn/index.html">甲县</option></select>
      <p>网站标识码：bm01000001 京ICP备 05070218号 京公网安备11010202000001号</p></body></html>`;
    const r = discoverSites(html, 'http://www.example.gov.cn/index.html');
    expect(r.sites).toEqual([
      { home: 'http://jyj.example.gov.cn/', host: 'jyj.example.gov.cn', text: '市教育局', foundBy: 'directory' },
      { home: 'https://www.gov.cn/', host: 'www.gov.cn', text: '中国政府网', foundBy: 'link' },
      { home: 'http://www.a.gov.cn/', host: 'www.a.gov.cn', text: '甲县', foundBy: 'directory' },
    ]);
    expect(r.directories).toEqual([{ url: 'http://www.example.gov.cn/wzdh/', text: '政府网站导航' }]);
    expect(r.identity).toEqual({ title: '某市人民政府', siteCode: 'bm01000001', icp: '京ICP备05070218号', gongan: '京公网安备11010202000001号' });
    expect(isGovHost('www.henan.gov.cn')).toBe(true);
    expect(isGovHost('www.henangov.cn')).toBe(false);
  });

  it('tells the sites of a site group apart by path only where a directory lists several on one host', () => {
    const page = (links: string) => `<html><body><div><h3>县区政府网站</h3>${links}</div></body></html>`;
    const r = discoverSites(page('<a href="http://www.zk.gov.cn/xihua/">西华县</a><a href="http://www.zk.gov.cn/site/luyi/index.html">鹿邑县</a><a href="http://www.a.gov.cn/index.html">甲县</a>'), 'http://www.p.gov.cn/');
    expect(r.sites).toEqual([
      { home: 'http://www.a.gov.cn/', host: 'www.a.gov.cn', text: '甲县', foundBy: 'directory' },
      { home: 'http://www.zk.gov.cn/xihua/', host: 'www.zk.gov.cn/xihua', text: '西华县', foundBy: 'directory' },
      { home: 'http://www.zk.gov.cn/site/luyi/', host: 'www.zk.gov.cn/site/luyi', text: '鹿邑县', foundBy: 'directory' },
    ]);
    // one link to a host's path: the host is the site
    expect(discoverSites(page('<a href="http://www.zk.gov.cn/xihua/">西华县</a>'), 'http://www.p.gov.cn/').sites).toEqual([
      { home: 'http://www.zk.gov.cn/', host: 'www.zk.gov.cn', text: '西华县', foundBy: 'directory' },
    ]);
  });

  it('places a site by its 标识码, else by its name', () => {
    expect(placeSite('某网站', '4116220001')).toMatchObject({ division_code: '411622', division_name: '河南省周口市西华县', placed_by: 'site_code' });
    expect(placeSite('扶沟县人民政府', null)).toMatchObject({ division_code: '411621', placed_by: 'name', agency: '扶沟县人民政府' });
    expect(placeSite('国务院办公厅', 'bm01000001')).toMatchObject({ division_code: null, division_name: '中央部门', placed_by: 'site_code' });
    expect(placeSite('友城网站', null)).toMatchObject({ division_code: null, placed_by: null });
  });
});

describe('sites and coverage on the command line', () => {
  const cli = (...args: string[]) => execFileSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  it('nianbao sites lists the registry with states', { timeout: 120_000 }, () => {
    const out = cli('sites', '--db', dbPath);
    expect(out).toMatch(/www\.xihua\.gov\.cn:\d+\s+西华县人民政府\s+4116220001\s+河南省周口市西华县（411622）\s+directory \+1\s+有年报 reports 1（2021）/);
    expect(out).toMatch(/9 sites: /);
    const j = JSON.parse(cli('sites', '--db', dbPath, '--json', '--region', '411600'));
    expect(j.states).toEqual({ column_empty: 1, no_column: 2, reports: 3, unreachable: 1 });
  });
  it('refuses bounds and a region without --follow-sites, and an unknown region', { timeout: 60_000 }, () => {
    const run = (...args: string[]) => {
      try {
        execFileSync(process.execPath, [CLI, ...args], { encoding: 'utf8', stdio: 'pipe' });
        return { status: 0, err: '' };
      } catch (e) {
        return { status: (e as { status: number }).status, err: String((e as { stderr: string }).stderr) };
      }
    };
    expect(run('crawl', '--db', dbPath, '--region', '411600', 'http://www.zhoukou.gov.cn/')).toEqual({ status: 2, err: expect.stringMatching(/--region keeps the sites that --follow-sites finds/) });
    expect(run('crawl', '--db', dbPath, '--follow-sites', '--region', '999999', 'http://www.zhoukou.gov.cn/')).toEqual({ status: 2, err: expect.stringMatching(/--region wants a division code of the gazetteer/) });
    expect(run('crawl', '--db', dbPath, '--max-sites', '3', 'http://www.zhoukou.gov.cn/')).toEqual({ status: 2, err: expect.stringMatching(/--max-sites and --site-depth bound --follow-sites/) });
    expect(run('coverage', '--db', dbPath, '--level', 'village')).toEqual({ status: 2, err: expect.stringMatching(/--level is province, city, county or township/) });
  });
  it('nianbao coverage prints the counts, as text, JSON and CSV', { timeout: 120_000 }, () => {
    const out = cli('coverage', '--db', dbPath, '--region', '411600', '--year', '2021');
    expect(out).toMatch(/Coverage of 河南省周口市（411600） by county, years 2021/);
    const j = JSON.parse(cli('coverage', '--db', dbPath, '--region', '411600', '--year', '2021', '--json'));
    const lu = j.rows.find((r: { code: string }) => r.code === '411628');
    expect(lu).toMatchObject({ year: 2021, departments_expected: 2, departments_found: 1 });
    expect(out).toMatch(new RegExp(`411628  鹿邑县 +2021 +${lu.expected} +1 +${lu.expected - 1} +3\\.7% +0/25 +1/2 +1: 1 有年报`));
    expect(lu.expected).toBe(27);
    const csv = cli('coverage', '--db', dbPath, '--region', '411622', '--level', 'county', '--csv').split('\r\n');
    expect(csv[0]).toBe('code,name,full_name,level,year,expected,found,missing,share,governments_expected,governments_found,departments_expected,departments_found,sites,sites_by_state');
    expect(csv.length).toBe(3); // the header, 2021, and the last line's end
    expect(csv[1]).toMatch(/^411622,西华县,河南省周口市西华县,county,2021,\d+,1,\d+,/);
  });
});

describe('coverage of a province without a city level (北京, 上海, 天津, 重庆)', () => {
  it('gives its counties by default and at the city level, on the command line and in JSON', { timeout: 120_000 }, () => {
    const cli = (...args: string[]) => execFileSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
    const j = JSON.parse(cli('coverage', '--db', dbPath, '--region', '110000', '--year', '2021', '--json'));
    expect(j.level).toBe('county');
    expect(j.rows.length).toBe(16); // 北京's sixteen districts
    const cy = j.rows.find((r: { code: string }) => r.code === '110105');
    expect(cy).toMatchObject({ name: '朝阳区', full_name: '北京市朝阳区', level: 'county', year: 2021, expected: 44, found: 0, missing: 44, governments_expected: 44 });
    expect(cy.missing_governments.slice(0, 2)).toEqual(['朝阳区', '建外街道']);
    expect(j.totals).toEqual({ expected: 359, found: 0, missing: 359, share: 0 });
    const out = cli('coverage', '--db', dbPath, '--region', '110000', '--year', '2021');
    expect(out).toMatch(/Coverage of 北京市（110000） by county, years 2021/);
    expect(out).toMatch(/110105 +朝阳区 +2021 +44 +0 +44 +0\.0%/);
    // asked by city: the districts no city holds are rows of their own
    const byCity = coverage(db, { region: '110000', level: 'city', year: 2021 });
    expect(byCity.rows.map((r) => r.code)).toEqual(j.rows.map((r: { code: string }) => r.code));
    for (const [code, n] of [['500000', 38], ['310000', 16], ['120000', 16]] as const) expect(coverage(db, { region: code, year: 2021 }).rows.length).toBe(n);
    // a province with cities keeps its city rows, and a county no city holds (济源, 省直辖) is a row beside them
    const henan = coverage(db, { region: '410000', year: 2021 });
    expect(henan.level).toBe('city');
    expect(henan.rows.length).toBe(18);
    expect(henan.rows.find((r) => r.code === '419001')).toMatchObject({ name: '济源市', level: 'county' });
    expect(henan.rows.find((r) => r.code === '411600')).toMatchObject({ level: 'city', found: 3 });
  });
});

describe('the overview page shows coverage as a map and a table (Chromium)', () => {
  it('China by province, a province by city, a city by county: SVG, no script, the same counts', { timeout: 120_000 }, async () => {
    const srv = await startServer(db, { port: 0 });
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      const cov = coverage(db, { region: '411600', level: 'county', year: 2021 });
      await page.goto(`${srv.url}/overview?province=410000&city=411600&cov_year=2021`);
      expect(await page.locator('script').count()).toBe(0);
      const section = page.locator('#coverage');
      expect(await section.locator('h2').textContent()).toBe('周口市应有与已有报告（2021）');
      // the map: one shape per county of the city (echarts SVG), coloured
      const paths = await section.locator('.map svg path').count();
      expect(paths).toBeGreaterThanOrEqual(10);
      const rows = await section.locator('table.ov-coverage tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
      expect(rows.length).toBe(10);
      for (const r of cov.rows) {
        const pct = r.share === null ? '—' : `${(r.share * 100).toFixed(1)}%`;
        expect(rows).toContainEqual([r.name, r.code, String(r.expected), String(r.found), String(r.missing), pct, `${r.governments_found}/${r.governments_expected}`, `${r.departments_found}/${r.departments_expected}`, expect.any(String)]);
      }
      expect(rows.find((r) => r[1] === '411624')![8]).toBe('1 无法访问');
      expect(rows.find((r) => r[1] === '411621')![8]).toBe('1 年报栏目为空');
      await page.screenshot({ path: join(dir, 'coverage-city.png'), fullPage: false });
      // China by province, then 河南省 by city: each a map; the province's row links down
      await page.goto(`${srv.url}/overview?cov_year=2021`);
      expect(await page.locator('#coverage .map svg path').count()).toBeGreaterThanOrEqual(34);
      const henan = page.locator('#coverage table.ov-coverage tr[data-code="410000"] td');
      expect(await henan.nth(3).textContent()).toBe('3');
      await henan.first().locator('a').click();
      expect(new URL(page.url()).searchParams.get('province')).toBe('410000');
      expect(await page.locator('#coverage .map svg path').count()).toBeGreaterThanOrEqual(17);
      expect(await page.locator('#coverage table.ov-coverage tr[data-code="411600"] td').nth(3).textContent()).toBe('3');
      if (process.env.NIANBAO_SHOTS) {
        await page.screenshot({ path: join(process.env.NIANBAO_SHOTS, 'coverage-province.png') });
        await page.goto(`${srv.url}/overview?province=410000&city=411600&cov_year=2021`);
        await page.screenshot({ path: join(process.env.NIANBAO_SHOTS, 'coverage-city.png') });
      }
    } finally {
      await browser.close();
      await srv.close();
    }
  });
});

describe('a site whose home page redirects to another host of the same site', () => {
  // xihua.gov.cn → www.xihua.gov.cn (another name of the site); www.fugou.gov.cn:A → www.fugou.gov.cn:B (the same
  // name, another port: the stand-in for http → https); dancheng.gov.cn → www.dancheng.gov.cn, itself linked from
  // the portal too (one site); shenqiu.gov.cn → a commercial host (never followed)
  const rh: Record<string, TestHost> = {};
  let rdir: string;
  let rdb: Db;
  const moved = (to: string) => (_req: unknown, res: import('node:http').ServerResponse) => void res.writeHead(301, { location: to }).end();
  beforeAll(async () => {
    rh.xihua = await startHost({
      '/': { body: home('西华县人民政府', '<a href="/zwgk/nb/index.html">政府信息公开年报</a>', '4116220001') },
      '/zwgk/nb/index.html': { body: listPage({ items: [{ href: '/zwgk/nb/2021.html', text: '西华县人民政府2021年政府信息公开工作年度报告' }] }) },
      '/zwgk/nb/2021.html': { body: sample('xihua-county-2021.html') },
    });
    rh.fugou = await startHost({
      '/': { body: home('扶沟县人民政府', '<a href="/xxgk/nb/index.html">政府信息公开年报</a>', '4116210001') },
      '/xxgk/nb/index.html': { body: listPage({ items: [] }) },
    });
    rh.dancheng = await startHost({ '/': { body: home('郸城县人民政府', '<a href="/news/">新闻</a>', '4116250001') } });
    rh.shop = await startHost({ '/': { body: '<html><body>广告</body></html>' } });
    const P = (k: string) => port(rh[k]!);
    rh.xihuaOld = await startHost({ '/': moved(url('www.xihua.gov.cn', P('xihua'))) });
    rh.fugouOld = await startHost({ '/': moved(url('www.fugou.gov.cn', P('fugou'))) });
    rh.danchengOld = await startHost({ '/': moved(url('www.dancheng.gov.cn', P('dancheng'))) });
    rh.shenqiu = await startHost({ '/': moved(url('www.example.com', P('shop'))) });
    rh.portal = await startHost({
      '/': {
        body: home(
          '周口市人民政府',
          `<div class="box"><h3>县市区政府网站</h3><ul>
            <li><a href="${url('xihua.gov.cn', P('xihuaOld'))}">西华县人民政府</a></li>
            <li><a href="${url('www.fugou.gov.cn', P('fugouOld'))}">扶沟县人民政府</a></li>
            <li><a href="${url('dancheng.gov.cn', P('danchengOld'))}">郸城县人民政府</a></li>
            <li><a href="${url('www.dancheng.gov.cn', P('dancheng'))}">郸城县政府网</a></li>
            <li><a href="${url('shenqiu.gov.cn', P('shenqiu'))}">沈丘县人民政府</a></li></ul></div>`,
          '4116000001',
        ),
      },
    });
    rdir = mkdtempSync(join(tmpdir(), 'nianbao-sites-redirect-'));
    rdb = openDb(join(rdir, 'r.db'));
    await new Crawler(rdb, { ...OPTS, seeds: [url('www.zhoukou.gov.cn', P('portal'))], followSites: true, region: '411600' }).run();
  }, 120_000);
  afterAll(async () => {
    rdb?.close();
    for (const h of Object.values(rh)) await h.close();
    if (rdir) rmSync(rdir, { recursive: true, force: true });
  });

  it('records the site under its final host, the linked host as its alias, and crawls it there', () => {
    const P = (k: string) => port(rh[k]!);
    const s = new Map(sitesWithState(rdb).map((x) => [x.host, x]));
    expect([...s.keys()].sort()).toEqual(
      [`shenqiu.gov.cn:${P('shenqiu')}`, `www.dancheng.gov.cn:${P('dancheng')}`, `www.fugou.gov.cn:${P('fugou')}`, `www.xihua.gov.cn:${P('xihua')}`, `www.zhoukou.gov.cn:${P('portal')}`].sort(),
    );
    expect(s.get(`www.xihua.gov.cn:${P('xihua')}`)).toMatchObject({
      aliases: [`xihua.gov.cn:${P('xihuaOld')}`],
      home_url: url('www.xihua.gov.cn', P('xihua')),
      name: '西华县人民政府',
      found_by: 'directory',
      site_depth: 1,
      site_code: '4116220001',
      division_code: '411622',
      placed_by: 'site_code',
      state: 'reports',
      reports: 1,
      years: [2021],
    });
    expect(s.get(`www.xihua.gov.cn:${P('xihua')}`)!.found_on).toBe(url('www.zhoukou.gov.cn', P('portal')));
    expect(s.get(`www.fugou.gov.cn:${P('fugou')}`)).toMatchObject({ aliases: [`www.fugou.gov.cn:${P('fugouOld')}`], site_code: '4116210001', state: 'column_empty' });
    // linked under both names: one site, the redirecting name its alias
    expect(s.get(`www.dancheng.gov.cn:${P('dancheng')}`)).toMatchObject({ aliases: [`dancheng.gov.cn:${P('danchengOld')}`], site_code: '4116250001', state: 'no_column' });
    // a redirect to a non-government host: not followed, the site stays where it was linked, its seed failed
    expect(s.get(`shenqiu.gov.cn:${P('shenqiu')}`)).toMatchObject({ aliases: [], state: 'unreachable', error: expect.stringMatching(/redirect off-site to http:\/\/www\.example\.com/) });
    expect(rh.shop!.log).toEqual([]);
    expect(rdb.prepare('SELECT agency, year FROM reports').all()).toEqual([{ agency: '西华县人民政府', year: 2021 }]);
  });

  it('fetches the final host under its own robots.txt and politeness', () => {
    for (const k of ['xihua', 'fugou', 'dancheng']) {
      expect(rh[k]!.paths()[0]).toBe('/robots.txt');
      expect(rh[k]!.maxConcurrent).toBeLessThanOrEqual(1);
      expect(rh[k]!.paths().filter((p) => p === '/').length).toBe(1);
    }
    expect(rh.xihua!.paths()).toContain('/zwgk/nb/2021.html');
    expect(rh.xihuaOld!.paths().sort()).toEqual(['/', '/robots.txt']);
  });

  it('nianbao sites shows the aliases', { timeout: 60_000 }, () => {
    const out = execFileSync(process.execPath, [CLI, 'sites', '--db', join(rdir, 'r.db')], { encoding: 'utf8' });
    expect(out).toMatch(new RegExp(`www\\.xihua\\.gov\\.cn:${port(rh.xihua!)} \\(= xihua\\.gov\\.cn:${port(rh.xihuaOld!)}\\)\\s+西华县人民政府\\s+4116220001`));
    const csv = execFileSync(process.execPath, [CLI, 'sites', '--db', join(rdir, 'r.db'), '--csv'], { encoding: 'utf8' }).split('\r\n');
    expect(csv[0]!.endsWith(',error,aliases')).toBe(true);
    expect(csv.find((l) => l.startsWith(`www.dancheng.gov.cn:${port(rh.dancheng!)},`))!.endsWith(`,dancheng.gov.cn:${port(rh.danchengOld!)}`)).toBe(true);
  });
});

describe('a site answered with a script challenge (HTTP 412, 521, 202) is challenged', () => {
  // what 瑞数 (412, 202) and 加速乐 (521) answer before a browser has run their script: a small page of script
  const script = (n: number) => `<html><head><meta charset="utf-8"></head><body><script>var _0x${n}=['\\x63\\x6f\\x6f\\x6b\\x69\\x65'];document.cookie='__jsl_clearance=${n}';location.reload();</script></body></html>`;
  const answer = (status: number, n: number) => (_req: unknown, res: import('node:http').ServerResponse) => void res.writeHead(status, { 'content-type': 'text/html' }).end(script(n));
  const ch: Record<string, TestHost> = {};
  let cdir: string;
  let cdb: Db;
  beforeAll(async () => {
    ch.a412 = await startHost({ '/': answer(412, 1) });
    ch.a521 = await startHost({ '/': answer(521, 2) });
    ch.a202 = await startHost({ '/': answer(202, 3) });
    // the home page is read, its 年报 column answers with the challenge
    ch.column = await startHost({ '/': { body: home('商水县人民政府', '<a href="/xxgk/nb/index.html">政府信息公开年报</a>', '4116230001') }, '/xxgk/nb/index.html': answer(412, 4) });
    // a 202 that is a real page (not a small script): not a challenge
    ch.big = await startHost({ '/': (_req, res) => void res.writeHead(202, { 'content-type': 'text/html; charset=utf-8' }).end(home('太康县人民政府', '<a href="/news/">新闻</a>' + '<p>政务动态</p>'.repeat(400), '4116270001')) });
    // a 404 home page: unreachable, not challenged
    ch.gone = await startHost({});
    const P = (k: string) => port(ch[k]!);
    ch.portal = await startHost({
      '/': {
        body: home(
          '周口市人民政府',
          `<div class="box"><h3>县市区政府网站</h3><ul>
            <li><a href="${url('www.xihua.gov.cn', P('a412'))}">西华县人民政府</a></li>
            <li><a href="${url('www.luyi.gov.cn', P('a521'))}">鹿邑县人民政府</a></li>
            <li><a href="${url('www.fugou.gov.cn', P('a202'))}">扶沟县人民政府</a></li>
            <li><a href="${url('www.shangshui.gov.cn', P('column'))}">商水县人民政府</a></li>
            <li><a href="${url('www.taikang.gov.cn', P('big'))}">太康县人民政府</a></li>
            <li><a href="${url('www.dancheng.gov.cn', P('gone'))}">郸城县人民政府</a></li></ul></div>`,
          '4116000001',
        ),
      },
    });
    cdir = mkdtempSync(join(tmpdir(), 'nianbao-sites-challenge-'));
    cdb = openDb(join(cdir, 'c.db'));
    await new Crawler(cdb, { ...OPTS, seeds: [url('www.zhoukou.gov.cn', P('portal'))], followSites: true, region: '411600' }).run();
  }, 120_000);
  afterAll(async () => {
    cdb?.close();
    for (const h of Object.values(ch)) await h.close();
    if (cdir) rmSync(cdir, { recursive: true, force: true });
  });

  it('reads the state from the statuses the frontier recorded', () => {
    const s = new Map(sitesWithState(cdb).map((x) => [x.host.replace(/:\d+$/, ''), x]));
    expect(Object.fromEntries([...s].map(([h, x]) => [h, x.state]))).toEqual({
      'www.zhoukou.gov.cn': 'no_column',
      'www.xihua.gov.cn': 'challenged',
      'www.luyi.gov.cn': 'challenged',
      'www.fugou.gov.cn': 'challenged',
      'www.shangshui.gov.cn': 'challenged',
      'www.taikang.gov.cn': 'no_column',
      'www.dancheng.gov.cn': 'unreachable',
    });
    // the crawler's own word where it met the challenge and could not pass it (no browser here), else the
    // registry's reading of the recorded status
    const challenged = (status: number, host: string) =>
      new RegExp(`^(HTTP ${status}: a script challenge|JavaScript challenge \\(HTTP ${status}\\) at ${host.replace(/\./g, '\\.')}:\\d+ not passed in the browser)`);
    expect(s.get('www.xihua.gov.cn')!.error).toMatch(challenged(412, 'www.xihua.gov.cn'));
    expect(s.get('www.luyi.gov.cn')!.error).toMatch(challenged(521, 'www.luyi.gov.cn'));
    expect(s.get('www.fugou.gov.cn')!.error).toMatch(challenged(202, 'www.fugou.gov.cn'));
    expect(s.get('www.shangshui.gov.cn')!.error).toMatch(challenged(412, 'www.shangshui.gov.cn'));
    expect(s.get('www.dancheng.gov.cn')!.error).toMatch(/404/);
  });
});

describe('sites of a site group on one host (集约化 platform) told apart by their paths', () => {
  const gh: Record<string, TestHost> = {};
  let gdir: string;
  let gdb: Db;
  beforeAll(async () => {
    gh.platform = await startHost({
      '/xihua/': { body: home('西华县人民政府', '<a href="/xihua/zwgk/nb/index.html">政府信息公开年报</a>', '4116220001') },
      '/xihua/zwgk/nb/index.html': { body: listPage({ items: [{ href: '/xihua/zwgk/nb/2021.html', text: '西华县人民政府2021年政府信息公开工作年度报告' }] }) },
      '/xihua/zwgk/nb/2021.html': { body: sample('xihua-county-2021.html') },
      '/site/luyi/': { body: home('鹿邑县人民政府', '<a href="/site/luyi/nb/index.html">政府信息公开年报</a>', '4116280001') },
      '/site/luyi/nb/index.html': { body: listPage({ items: [{ href: '/site/luyi/nb/gaj2019.html', text: '鹿邑县公安局2019年政府信息公开工作年度报告' }] }) },
      '/site/luyi/nb/gaj2019.html': { body: sample('luyi-police-2019-bad-litigation.html') },
      '/fugou/': { body: home('扶沟县人民政府', '<a href="/fugou/xxgk/nb/index.html">政府信息公开年报</a>', '4116210001') },
      '/fugou/xxgk/nb/index.html': { body: listPage({ items: [] }) },
    });
    const P = port(gh.platform!);
    gh.portal = await startHost({
      '/': {
        body: home(
          '周口市人民政府',
          `<div class="box"><h3>县市区政府网站</h3><ul>
            <li><a href="${url('www.zkzfw.gov.cn', P, '/xihua/')}">西华县人民政府</a></li>
            <li><a href="${url('www.zkzfw.gov.cn', P, '/site/luyi/index.html')}">鹿邑县人民政府</a></li>
            <li><a href="${url('www.zkzfw.gov.cn', P, '/fugou/')}">扶沟县人民政府</a></li></ul></div>`,
          '4116000001',
        ),
      },
    });
    gdir = mkdtempSync(join(tmpdir(), 'nianbao-sites-group-'));
    gdb = openDb(join(gdir, 'g.db'));
    await new Crawler(gdb, { ...OPTS, seeds: [url('www.zhoukou.gov.cn', port(gh.portal!))], followSites: true, region: '411600' }).run();
  }, 120_000);
  afterAll(async () => {
    gdb?.close();
    for (const h of Object.values(gh)) await h.close();
    if (gdir) rmSync(gdir, { recursive: true, force: true });
  });

  it('keys each site by host and path, placed, with its own state and reports', () => {
    const P = port(gh.platform!);
    const s = new Map(sitesWithState(gdb).map((x) => [x.host, x]));
    expect([...s.keys()].sort()).toEqual([`www.zhoukou.gov.cn:${port(gh.portal!)}`, `www.zkzfw.gov.cn:${P}/fugou`, `www.zkzfw.gov.cn:${P}/site/luyi`, `www.zkzfw.gov.cn:${P}/xihua`]);
    expect(s.get(`www.zkzfw.gov.cn:${P}/xihua`)).toMatchObject({ home_url: url('www.zkzfw.gov.cn', P, '/xihua/'), site_code: '4116220001', division_code: '411622', state: 'reports', reports: 1, years: [2021] });
    expect(s.get(`www.zkzfw.gov.cn:${P}/site/luyi`)).toMatchObject({ home_url: url('www.zkzfw.gov.cn', P, '/site/luyi/'), site_code: '4116280001', division_code: '411628', state: 'reports', reports: 1, years: [2019] });
    expect(s.get(`www.zkzfw.gov.cn:${P}/fugou`)).toMatchObject({ site_code: '4116210001', division_code: '411621', state: 'column_empty', reports: 0 });
    expect(gh.platform!.maxConcurrent).toBe(1); // one host: one politeness for the group
    const cov = coverage(gdb, { region: '411600', level: 'county', year: 2021 });
    expect(cov.rows.find((r) => r.code === '411628')).toMatchObject({ sites: 1, sites_by_state: { reports: 1 } });
  });
});
