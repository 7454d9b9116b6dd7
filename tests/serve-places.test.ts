/**
 * The review page and the findings export by the divisions, over HTTP and the CLI: samples of two
 * provinces (河南 周口 and 驻马店 bodies, 江苏 淮安 bodies) plus reports made to fail a check in 淮安
 * and one whose place is ambiguous or unknown; the queue filtered by province, city and county
 * code and by 未定位, the overview by province and by city, a report's place, the export by region,
 * `review agencies` with codes.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'cheerio/slim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runChecks } from '../src/checks.js';
import { extractBytes } from '../src/extract.js';
import { DEPARTMENT_TYPES } from '../src/places/kinds.js';
import { codePrefix, regionReportIds, reportsByYearArea } from '../src/places/query.js';
import { ReportSchema, type Report } from '../src/report.js';
import { afterIngest } from '../src/review/hook.js';
import { openReviewDb } from '../src/review/schema.js';
import { DEPARTMENT_TYPE_ZH } from '../src/serve/places-html.js';
import { regionChoice } from '../src/serve/region.js';
import { startServer, type RunningServer } from '../src/serve/server.js';
import type { Db } from '../src/store/db.js';
import { ingestReport, sha256Hex } from '../src/store/ingest.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const tmp = mkdtempSync(join(tmpdir(), 'nianbao-serve-places-'));
const dbPath = join(tmp, 'p.db');
const cli = (...args: string[]) => spawnSync(process.execPath, [join(root, 'bin', 'nianbao.js'), ...args], { encoding: 'utf8', cwd: root });

let db: Db;
let srv: RunningServer;
const ids: Record<string, number> = {};

function store(r: Report, bytes: Uint8Array): number {
  const { reportId } = ingestReport(db, ReportSchema.parse(r), bytes);
  afterIngest(db, reportId);
  return reportId;
}

async function ingestSample(name: string): Promise<number> {
  const bytes = readFileSync(join(root, 'samples', name));
  return store(await extractBytes(bytes, { source: `samples/${name}` }), bytes);
}

/** A sample with its 表四 复议 total raised by 2 (check review.total fails), stored as a document of its own. */
async function ingestBroken(name: string): Promise<number> {
  const orig = readFileSync(join(root, 'samples', name));
  const bytes = Buffer.concat([orig, Buffer.from('<!-- broken -->')]);
  const r = structuredClone(await extractBytes(orig, { source: `samples/${name}` }));
  r.source = `synthetic/${name}`;
  r.sha256 = sha256Hex(bytes);
  r.figures['review.total'] = (r.figures['review.total'] ?? 0) + 2;
  r.checks = runChecks(r.figures, { version: r.version as '2021', otherAsOneRow: false });
  return store(r, bytes);
}

/** A report given as JSON (no place: placed from its name when stored) with one failed check. */
function ingestFailing(agency: string | null, title: string | null): number {
  const bytes = new TextEncoder().encode(`<html>${agency}</html>`);
  const keys = ['review.upheld', 'review.total'];
  return store(
    {
      source: `json/${agency}.html`, sha256: sha256Hex(bytes), status: 'partial', version: '2021', agency, year: 2022, title, region: null,
      source_url: null, kind: 'html', figures: { 'review.upheld': 1, 'review.total': 4 },
      checks: [{ id: 'review.total', status: 'fail', expected: 1, actual: 4, keys }], problems: [], provenance: {},
    } as unknown as Report,
    bytes,
  );
}

beforeAll(async () => {
  db = openReviewDb(dbPath);
  // 河南: 周口市 (太康县, 鹿邑县, 西华县, the city's own 财政局), 驻马店市 (遂平县)
  for (const [k, f] of Object.entries({
    taikang: 'taikang-education-2021-bad-sums.html', luyi: 'luyi-police-2019-bad-litigation.html', xihua: 'xihua-county-2021.html',
    zkfinance: 'zhoukou-finance-2020-units.html', suiping: 'suiping-2021-total-blank.html',
    // 江苏: 淮安市 (洪泽区, 金湖县, the city itself)
    hongze: 'hongze-water-2022-subtotal.html', jinhu: 'jinhu-2021-other-one-row.html', huaian: 'huaian-city-2021-traditional.html',
  })) ids[k] = await ingestSample(f);
  ids.hongzeBroken = await ingestBroken('hongze-water-2022-subtotal.html');
  ids.huaianBroken = await ingestBroken('huaian-city-2021-traditional.html');
  ids.gulou = ingestFailing('鼓楼区人民政府', '鼓楼区人民政府2022年政府信息公开工作年度报告'); // 南京, 徐州, 福州, 开封…
  ids.nobody = ingestFailing(null, null);
  srv = await startServer(db, { port: 0 });
}, 120_000);

afterAll(async () => {
  await srv?.close();
  db?.close();
  rmSync(tmp, { recursive: true, force: true });
});

async function page(path: string) {
  const res = await fetch(srv.url + path);
  expect(res.status).toBe(200);
  return load(await res.text());
}

/** The queue's rows: report id, the 地区 cell, and the total the page states. */
async function queue(path: string) {
  const $ = await page(path);
  const rows = $('#queue tbody tr').toArray().map((tr) => ({ report: Number($(tr).attr('data-report')), region: $(tr).find('td').eq(2).text() }));
  const total = Number(/共 (\d+) 个问题/.exec($('main').text())![1]);
  return { $, rows, total, reports: [...new Set(rows.map((r) => r.report))].sort((a, b) => a - b) };
}

const sorted = (...xs: number[]) => [...xs].sort((a, b) => a - b);
const tableRows = ($: ReturnType<typeof load>, sel: string) => $(`${sel} tbody tr`).toArray().map((tr) => $(tr).find('td').toArray().map((td) => $(td).text()));

describe('the queue filtered by the divisions', () => {
  it('all findings, then a province by code: every report in it, its place and code in the 地区 column', async () => {
    const all = await queue('/');
    // 太康 4, 鹿邑 2, 遂平 1 (the blank 总计 column), the two broken 淮安 copies 1 each, 鼓楼区 1, no agency 1
    expect(all.total).toBe(11);
    expect(all.reports).toEqual(sorted(ids.taikang!, ids.luyi!, ids.suiping!, ids.hongzeBroken!, ids.huaianBroken!, ids.gulou!, ids.nobody!));
    const js = await queue('/?province=320000');
    expect([js.total, js.reports]).toEqual([2, sorted(ids.hongzeBroken!, ids.huaianBroken!)]);
    expect(js.rows.map((r) => r.region).sort()).toEqual(['江苏省 淮安市 洪泽区（320813）', '江苏省 淮安市（320800）']);
    const hn = await queue('/?province=410000');
    expect([hn.total, hn.reports]).toEqual([7, sorted(ids.taikang!, ids.luyi!, ids.suiping!)]);
    // the province select: each province with its code and number of reports, and 未定位
    expect(hn.$('select[name=province] option').toArray().map((o) => [hn.$(o).attr('value'), hn.$(o).text(), hn.$(o).attr('selected') !== undefined])).toEqual([
      ['', '全部地区', false], ['320000', '江苏省 320000（5）', false], ['410000', '河南省 410000（5）', true], ['none', '未定位（2）', false],
    ]);
    // the province chosen: its cities to choose from, as a select and as links; no county select yet
    expect(hn.$('select[name=city] option').toArray().map((o) => hn.$(o).text())).toEqual(['全省', '周口市 411600（4）', '驻马店市 411700（1）']);
    expect(hn.$('select[name=county]').length).toBe(0);
    expect(hn.$('p.trail a.down').toArray().map((a) => hn.$(a).attr('href'))).toEqual(['/?province=410000&city=411600', '/?province=410000&city=411700']);
  });

  it('a city, then a county; a city outside the chosen province is ignored', async () => {
    const zk = await queue('/?province=410000&city=411600');
    expect([zk.total, zk.reports]).toEqual([6, sorted(ids.taikang!, ids.luyi!)]);
    expect(zk.$('select[name=county] option').toArray().map((o) => zk.$(o).text())).toEqual([
      '全市', '西华县 411622（1）', '太康县 411627（1）', '鹿邑县 411628（1）',
    ]);
    expect(zk.$('p.trail').text()).toMatch(/^地区：全部地区 › 河南省 410000 › 周口市 411600 · 下一级：西华县（1） 太康县（1） 鹿邑县（1）$/);
    const tk = await queue('/?province=410000&city=411600&county=411627');
    expect([tk.total, tk.reports]).toEqual([4, [ids.taikang!]]);
    expect(tk.rows.every((r) => r.region === '河南省 周口市 太康县（411627）')).toBe(true);
    // the province changed in the form while 周口市 stayed chosen: 江苏省 as a whole
    const moved = await queue('/?province=320000&city=411600&county=411627');
    expect([moved.total, moved.reports]).toEqual([2, sorted(ids.hongzeBroken!, ids.huaianBroken!)]);
    expect(moved.$('select[name=city] option[selected]').length).toBe(0);
    // a county chosen with the other filters kept: 驻马店市 has one finding, a warning
    expect((await queue('/?province=410000&city=411700&status=fail')).total).toBe(0);
    expect((await queue('/?province=410000&city=411700&status=warn')).reports).toEqual([ids.suiping!]);
  });

  it('未定位: the reports with no division (an ambiguous name, no agency); free text by name or code', async () => {
    const un = await queue('/?province=none');
    expect([un.total, un.reports]).toEqual([2, sorted(ids.gulou!, ids.nobody!)]);
    expect(un.rows.map((r) => r.region)).toEqual(['未定位', '未定位']);
    expect(un.$('select[name=city]').length).toBe(0);
    expect((await queue('/?region=' + encodeURIComponent('未定位'))).reports).toEqual(sorted(ids.gulou!, ids.nobody!));
    expect((await queue('/?region=' + encodeURIComponent('淮安'))).reports).toEqual(sorted(ids.hongzeBroken!, ids.huaianBroken!));
    expect((await queue('/?region=411628')).reports).toEqual([ids.luyi!]);
    expect((await queue('/?region=' + encodeURIComponent('驻马店市'))).reports).toEqual([ids.suiping!]);
    // the page's export links carry the region
    expect(un.$('a').filter((_, a) => un.$(a).text() === 'CSV').attr('href')).toBe('/export.csv?province=none');
  });

  it('the export of the page: the open findings of the region, 地区 with its code', async () => {
    const csv = await (await fetch(srv.url + '/export.csv?province=410000&city=411600&county=411628')).text();
    const lines = csv.trim().split('\r\n');
    expect(lines).toHaveLength(3);
    expect(lines.slice(1).every((l) => l.startsWith(`${ids.luyi},鹿邑县公安局,河南省 周口市 鹿邑县（411628）,2019,`))).toBe(true);
  });
});

describe('the overview by the divisions', () => {
  it('the whole country: reports per province, found, read and flagged, as chart and tables', async () => {
    const $ = await page('/overview');
    // 10 stored from samples (5 in each province) + 2 broken copies in 江苏 + 2 not placed
    expect(tableRows($, 'table.ov-regions')).toEqual([
      ['江苏省', '320000', '5', '5', '2'],
      ['河南省', '410000', '5', '5', '3'],
      ['未定位', '—', '2', '2', '2'],
    ]);
    expect($('table.ov-regions a').toArray().map((a) => $(a).attr('href'))).toEqual(['/overview?province=320000', '/overview?province=410000']);
    const bars = $('#chart-regions svg rect.bar title').toArray().map((t) => $(t).text());
    expect(bars).toEqual([
      '江苏省 320000 找到: 5', '江苏省 320000 读出: 5', '江苏省 320000 有问题: 2',
      '河南省 410000 找到: 5', '河南省 410000 读出: 5', '河南省 410000 有问题: 3',
      '未定位 找到: 2', '未定位 读出: 2', '未定位 有问题: 2',
    ]);
    expect(tableRows($, 'table.ov-years')).toEqual([
      ['2019', '1', '1', '1'], ['2020', '1', '1', '0'], ['2021', '6', '6', '3'], ['2022', '4', '4', '3'],
    ]);
    expect(tableRows($, 'table.ov-region-years').filter((r) => r[0] === '2021')).toEqual([
      ['2021', '江苏省', '320000', '3', '3', '1'], ['2021', '河南省', '410000', '3', '3', '2'],
    ]);
  });

  it('a province by city (its own bodies as 本级), a city by county', async () => {
    const js = await page('/overview?province=320000');
    expect(tableRows(js, 'table.ov-regions')).toEqual([['淮安市', '320800', '5', '5', '2']]);
    expect(js('select[name=province] option[selected]').attr('value')).toBe('320000');
    const ha = await page('/overview?province=320000&city=320800');
    expect(tableRows(ha, 'table.ov-regions')).toEqual([
      ['淮安市本级', '320800', '2', '2', '1'],
      ['洪泽区', '320813', '2', '2', '1'],
      ['金湖县', '320831', '1', '1', '0'],
    ]);
    expect(ha('#chart-years svg').attr('aria-label')).toBe('淮安市各年度报告数：找到、读出、有问题');
    const zk = await page('/overview?province=410000&city=411600');
    expect(tableRows(zk, 'table.ov-regions').map((r) => r.slice(0, 2))).toEqual([['周口市本级', '411600'], ['西华县', '411622'], ['太康县', '411627'], ['鹿邑县', '411628']]);
    expect(reportsByYearArea(db, '411600').reduce((s, r) => s + r.found, 0)).toBe(4);
  });
});

describe('a report\'s place', () => {
  it('省 / 市 / 县 with codes, the kind and department type in Chinese, the evidence', async () => {
    const $ = await page(`/report/${ids.hongze}`);
    const cells = Object.fromEntries($('table.place td').toArray().map((td) => [$(td).attr('data-col'), $(td).text()]));
    expect(cells).toMatchObject({
      省: '江苏省 320000', 市: '淮安市 320800', 县: '洪泽区 320813', 乡镇: '—', 区划代码: '320813（县级，洪泽区）',
      机关类别: '政府工作部门 · 水利（水务）（水利局）', 依据: '机关名称：“淮安市洪泽区”',
    });
    expect($('#place .place-status').text()).toBe('已定位');
    expect($('table.place a').first().attr('href')).toBe('/?province=320000');
  });

  it('an ambiguous name: not placed, its candidates listed', async () => {
    const $ = await page(`/report/${ids.gulou}`);
    expect($('#place .place-status').text()).toBe('有歧义，未定位');
    const cands = $('ul.candidates li').toArray().map((li) => $(li).text());
    expect(cands).toContain('320106 江苏省南京市鼓楼区');
    expect(cands).toContain('350102 福建省福州市鼓楼区');
    expect(cands.length).toBeGreaterThanOrEqual(4);
    expect($('#place .reason').text()).toContain('names');
  });

  it('every department type has a Chinese name', () => {
    expect(DEPARTMENT_TYPES.map(([t]) => t).filter((t) => !DEPARTMENT_TYPE_ZH[t])).toEqual([]);
  });
});

describe('region filters (units)', () => {
  it('code prefixes and the checked choice of the selects', () => {
    expect(['320000', '320800', '320813', '320813101', '41', '4116', '3208001', 'x'].map(codePrefix)).toEqual(['32', '3208', '320813', '320813101', '41', '4116', null, null]);
    expect(regionChoice({ province: '410000', city: '411600', county: '411627' })).toEqual({ province: '410000', city: '411600', county: '411627' });
    expect(regionChoice({ province: '410000', city: '320800', county: '320813' })).toEqual({ province: '410000' });
    expect(regionChoice({ province: '411600' })).toEqual({}); // a city's code is not a province
    expect(regionChoice({ province: 'none', city: '411600', region: ' 淮安 ' })).toEqual({ unplaced: true, text: '淮安' });
    expect(regionReportIds(db, { code: '320000', text: '金湖' })).toEqual([ids.jinhu!]);
  });
});

describe('the CLI by region', () => {
  it('export --what findings --region: a code, a name at any level, 未定位', () => {
    db.pragma('wal_checkpoint(TRUNCATE)');
    const rows = (region: string) => {
      const r = cli('export', '--db', dbPath, '--what', 'findings', '--format', 'csv', '--region', region);
      expect(r.status).toBe(0);
      return r.stdout.trim().split('\r\n').slice(1).map((l) => [Number(l.split(',')[0]), l.split(',')[2]] as [number, string]).sort((a, b) => a[0] - b[0]);
    };
    const idsOf = (region: string) => rows(region).map((r) => r[0]);
    expect(rows('320800')).toEqual([[ids.hongzeBroken, '江苏省 淮安市 洪泽区（320813）'], [ids.huaianBroken, '江苏省 淮安市（320800）']].sort((a, b) => Number(a[0]) - Number(b[0])));
    expect(idsOf('江苏')).toEqual(sorted(ids.hongzeBroken!, ids.huaianBroken!));
    expect(rows('洪泽区')).toEqual([[ids.hongzeBroken, '江苏省 淮安市 洪泽区（320813）']]);
    expect(idsOf('410000')).toEqual(sorted(...Array<number>(4).fill(ids.taikang!), ...Array<number>(2).fill(ids.luyi!), ids.suiping!));
    expect(idsOf('未定位')).toEqual(sorted(ids.gulou!, ids.nobody!));
    expect(rows('上海')).toEqual([]);
  }, 60_000); // six runs of the CLI: more than the default 5 s on a busy machine

  it('review --region and review agencies with each body\'s division code and kind', () => {
    const r = cli('review', '--db', dbPath, '--region', '411628');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('2 flagged checks');
    expect(r.stdout).toMatch(/^#\d+ 鹿邑县公安局 2019/);
    const a = cli('review', 'agencies', '--db', dbPath, '--agency', '洪泽区');
    expect(a.status).toBe(0);
    expect(a.stdout.split('\n')[0]).toMatch(/^agency #\d+ 洪泽区水利局 \(淮安市\)  \[320813 洪泽区, department\/water\]$/);
    const j = cli('review', 'agencies', '--db', dbPath, '--json');
    const bodies = j.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(bodies.find((b) => b.identity === '遂平县人民政府')).toMatchObject({ division_code: '411728', division: '遂平县', agency_kind: 'government', department_type: null });
    expect(bodies.find((b) => b.identity === '鼓楼区人民政府')).toMatchObject({ division_code: null, agency_kind: null });
  });
});
