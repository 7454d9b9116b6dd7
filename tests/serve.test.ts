/**
 * The review page in a real browser: Debian's Chromium driven by playwright-core, against servers on
 * loopback with a database holding the samples, the sample series, a PDF, an image, a page with a
 * table picture, a hostile report and synthetic reports for each kind of finding. Screenshots of each
 * page go to test-artifacts/ (not committed).
 */
import { request } from 'node:http';
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import sharp from 'sharp';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runChecks } from '../src/checks.js';
import { extractBytes } from '../src/extract.js';
import { requestRows } from '../src/keys.js';
import { ReportSchema, type Report } from '../src/report.js';
import { addReviewer } from '../src/review/accounts.js';
import { afterIngest } from '../src/review/hook.js';
import { openReviewDb } from '../src/review/schema.js';
import { startServer, selectorOf, ServeRefused, type RunningServer } from '../src/serve/server.js';
import type { Db } from '../src/store/db.js';
import { ingestReport, sha256Hex } from '../src/store/ingest.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SERIES = join(root, 'samples', 'series');
const ART = join(root, 'test-artifacts');
const XSS = '<script>alert(1)</script>';
mkdirSync(ART, { recursive: true });

let db: Db;
let srv: RunningServer;
let browser: Browser;
const ids: Record<string, number> = {};
const dialogs: string[] = [];

function store(report: Report, bytes: Uint8Array): number {
  const { reportId } = ingestReport(db, ReportSchema.parse(report), bytes);
  afterIngest(db, reportId);
  return reportId;
}

async function ingestFile(path: string): Promise<number> {
  const bytes = readFileSync(path);
  return store(await extractBytes(bytes, { source: path.slice(root.length + 1) }), bytes);
}

/** A sample with its figures changed (checks rerun), stored as a document of its own. */
async function ingestChanged(path: string, tag: string, change: (f: Record<string, number | null>, r: Report) => void): Promise<number> {
  const orig = readFileSync(path);
  const bytes = path.endsWith('.pdf') ? orig : Buffer.concat([orig, Buffer.from(`<!-- ${tag} -->`)]);
  const r = structuredClone(await extractBytes(orig, { source: path }));
  r.source = `synthetic/${tag}`;
  r.sha256 = sha256Hex(bytes);
  change(r.figures, r);
  r.checks = runChecks(r.figures, { version: r.version as '2021', otherAsOneRow: false });
  return store(r, bytes);
}

function table4Report(p: { source: string; bytes: Uint8Array; kind: Report['kind']; where: (k: string) => Record<string, unknown>; extra?: Partial<Report> }): number {
  const keys = ['review.upheld', 'review.corrected', 'review.other', 'review.pending', 'review.total'];
  const figures: Record<string, number> = { 'review.upheld': 5, 'review.corrected': 1, 'review.other': 0, 'review.pending': 0, 'review.total': 9 };
  return store(
    {
      source: p.source, sha256: sha256Hex(p.bytes), status: 'partial', version: '2021', agency: `${p.source}局`, year: 2022, title: null, region: '测试区',
      source_url: null, kind: p.kind, figures,
      checks: [{ id: 'review.total', status: 'fail', expected: 6, actual: 9, keys }],
      problems: [],
      provenance: Object.fromEntries(keys.map((k) => [k, { text: String(figures[k]), blank: false, table: 4, grid: 1, row_label: '行政复议', col_label: k, where: p.where(k), ocr: true, confidence: 0.9 }])),
      ...p.extra,
    } as Report,
    p.bytes,
  );
}

/** A report whose every scraped string tries to inject markup, with a source page that tries to run script. */
function ingestHostile(): number {
  const source = `<html><head><title>x</title></head><body><p id="p">${XSS}</p>
<script>document.body.insertAdjacentHTML('beforeend', '<div id="pwned">pwned</div>'); alert('from source');</script>
<table><tr><td>行政复议</td><td>1</td><td>9</td></tr></table></body></html>`;
  const bytes = new TextEncoder().encode(source);
  return store(
    {
      source: `evil/${XSS}.html`, sha256: sha256Hex(bytes), status: 'partial', version: '2021', agency: `${XSS}县人民政府`, year: 2022,
      title: `<img src=x onerror="alert(2)">年度报告`, region: `<b onmouseover=alert(3)>区</b>`, source_url: null, kind: 'html',
      figures: { 'review.upheld': 1, 'review.total': 9 },
      checks: [{ id: 'review.total', status: 'fail', expected: 1, actual: 9, keys: ['review.upheld', 'review.total'], reason: `sum 1 but ${XSS} total 9`, evidence: `<img src=x onerror="alert(4)">` }],
      problems: [],
      provenance: {
        'review.upheld': { text: '1', blank: false, table: 4, grid: 1, row_label: XSS, col_label: '结果维持', where: { table: 1, row: 0, col: 1, domPath: 'html>body>table:nth-of-type(1)>tr:nth-of-type(1)>td:nth-of-type(2)' } },
        'review.total': { text: `9${XSS}`, blank: false, table: 4, grid: 1, row_label: XSS, col_label: '总计', where: { table: 1, row: 0, col: 2, domPath: 'html>body>table:nth-of-type(1)>tr:nth-of-type(1)>td:nth-of-type(3)' } },
      },
    } as Report,
    bytes,
  );
}

beforeAll(async () => {
  db = openReviewDb(':memory:');
  for (const y of [2021, 2022, 2023]) ids[`s${y}`] = await ingestFile(join(SERIES, `xihua-culture-${y}.html`));
  for (const f of readdirSync(join(root, 'samples')).filter((n) => /\.(html|txt)$/.test(n)).sort()) ids[f] = await ingestFile(join(root, 'samples', f));
  ids.blank = ids['suiping-2021-total-blank.html']!;
  ids.sums = ids['taikang-education-2021-bad-sums.html']!;
  ids.shift = await ingestChanged(join(root, 'samples', 'xihua-county-2021.html'), 'shift.html', (f) => {
    for (const row of requestRows('2021')) {
      const a = f[`requests.${row}.other_org`]!;
      f[`requests.${row}.other_org`] = f[`requests.${row}.total`]!;
      f[`requests.${row}.total`] = a;
    }
  });
  ids.dup = await ingestChanged(join(root, 'samples', 'xihua-county-2021.html'), 'dup.html', (f, r) => {
    f['review.total'] = (f['review.total'] ?? 0) + 2;
    r.problems.push({ code: 'duplicate_cell', message: '1 figure(s) of table 4 are printed again with other values (review.total 3 then 5); the first of each is kept.' });
  });
  ids.pdf = await ingestChanged(join(root, 'samples', 'pdf', 'pdf-2021-repeat-header.pdf'), 'pdf.pdf', (f) => {
    f['review.total'] = 25;
  });
  // an image report (OCR), boxes in the image's pixels
  const png = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#ffffff' } }).png().toBuffer();
  ids.image = table4Report({ source: 'scan.png', bytes: png, kind: 'image', where: (k) => ({ page: 1, bbox: k === 'review.total' ? [300, 100, 380, 130] : [20, 100, 80, 130] }), extra: { ocr: true } as Partial<Report> });
  // an HTML page whose table is a picture: the picture from page_resources (the crawl set's table)
  const picture = await sharp({ create: { width: 500, height: 200, channels: 3, background: '#eeeeee' } }).png().toBuffer();
  const pageBytes = new TextEncoder().encode('<html><body><p>年度报告</p><img src="t4.png"><img src="gone.png"></body></html>');
  db.exec('CREATE TABLE IF NOT EXISTS page_resources (page_sha256 TEXT, url TEXT, resource_sha256 TEXT)');
  db.prepare("INSERT INTO blobs (sha256, size, bytes, first_seen) VALUES (?, ?, ?, '2026-01-01')").run(sha256Hex(picture), picture.length, picture);
  db.prepare('INSERT INTO page_resources VALUES (?, ?, ?)').run(sha256Hex(pageBytes), 't4.png', sha256Hex(picture));
  ids.imgpage = table4Report({ source: 'imgpage.html', bytes: pageBytes, kind: 'html', where: (k) => ({ image: k === 'review.pending' ? 'gone.png' : 't4.png', bbox: [10 + k.length * 5, 50, 60 + k.length * 5, 80] }) });
  ids.realpdf = await ingestFile(join(root, 'corpus', 'real', 'huaian-hongze-2023.pdf'));
  ids.evil = ingestHostile();
  const text = new TextEncoder().encode('某县统计局2021年政府信息公开工作年度报告\n行政复议\n结果维持\t5\n纠正\t1\n其他\t0\n未审结\t0\n总计\t9\n<i>不是标记</i>\n');
  ids.text = table4Report({ source: 'report.txt', bytes: text, kind: 'text', where: (k) => ({ line: 3 + ['review.upheld', 'review.corrected', 'review.other', 'review.pending', 'review.total'].indexOf(k) }) });
  srv = await startServer(db, { port: 0, pageSize: 10 });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await srv?.close();
  db?.close();
});

async function newPage(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  return page;
}

/**
 * Presses Alt+key as a keyboard does, through the DevTools input domain: Chromium matches accesskeys on
 * the key's unmodified text, which playwright's page.keyboard leaves empty when Alt is held.
 */
async function accessKey(page: Page, key: string): Promise<void> {
  const s = await page.context().newCDPSession(page);
  const ev = { modifiers: 1, key, code: `Key${key.toUpperCase()}`, windowsVirtualKeyCode: key.toUpperCase().charCodeAt(0), unmodifiedText: key, text: key };
  await s.send('Input.dispatchKeyEvent', { type: 'keyDown', ...ev });
  await s.send('Input.dispatchKeyEvent', { type: 'keyUp', ...ev });
  await s.detach();
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(ART, `${name}.png`), fullPage: true });
const rowsOf = (page: Page) =>
  page.locator('#queue tbody tr').evaluateAll((trs) => trs.map((tr) => ({ report: Number(tr.getAttribute('data-report')), finding: tr.getAttribute('data-finding'), cells: [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '') })));

describe('the review page in Chromium', () => {
  it('the queue: open findings first, largest discrepancy first, filters, paging, all in Chinese', async () => {
    const page = await newPage();
    await page.goto(srv.url + '/');
    await shot(page, 'queue');
    expect(await page.locator('header').innerText()).toContain('待审清单');
    const rows = await rowsOf(page);
    expect(rows).toHaveLength(10);
    const d = rows.map((r) => Number(r.cells[5]));
    expect(d).toEqual([...d].sort((a, b) => b - a));
    expect(await page.locator('.pager a[accesskey=n]').textContent()).toBe('第 2 页');
    const total = Number(/共 (\d+) 个问题/.exec(await page.locator('main').innerText())![1]);
    await page.click('.pager a[accesskey=n]');
    expect(total).toBeGreaterThan(10);
    expect(await rowsOf(page)).toHaveLength(Math.min(10, total - 10));
    // the blank 总计 column is one row of the queue
    await page.goto(srv.url + '/?region=' + encodeURIComponent('遂平'));
    expect((await rowsOf(page)).map((r) => [r.report, r.finding, r.cells[0]!.split('requests')[0]])).toEqual([[ids.blank, 'blank:col:3:total', '总计栏未填写']]);
    await page.goto(srv.url + '/');
    await page.selectOption('select[name=year]', '2023');
    await page.selectOption('select[name=family]', 'requests.carry_link');
    await page.click('form.filters button[type=submit]');
    await page.waitForURL(/year=2023/);
    const carry = await rowsOf(page);
    expect(carry.map((r) => r.finding).sort()).toEqual(['check:requests.carry_link.commercial', 'check:requests.carry_link.total']);
    expect(carry.every((r) => r.report === ids.s2023 && r.cells[3] === '2023')).toBe(true);
    // the region by the divisions: a province, then (the page reloaded) its cities, then the counties
    await page.goto(srv.url + '/');
    expect(await page.locator('select[name=city]').count()).toBe(0);
    await page.selectOption('select[name=province]', '410000');
    await page.click('form.filters button[type=submit]');
    await page.waitForURL(/province=410000/);
    expect(await page.locator('select[name=city] option').allTextContents()).toContain('驻马店市 411700（3）');
    await page.selectOption('select[name=city]', '411700');
    await page.click('form.filters button[type=submit]');
    await page.waitForURL(/city=411700/);
    expect((await rowsOf(page)).map((r) => [r.report, r.cells[2]])).toEqual([[ids.blank, '河南省 驻马店市 遂平县（411728）']]);
    expect(await page.locator('select[name=county] option').allTextContents()).toEqual(['全市', '西平县 411721（1）', '确山县 411725（1）', '遂平县 411728（1）']);
    await shot(page, 'queue-region');
    await page.click('p.trail a:text-is("全部地区")');
    await page.waitForURL(srv.url + '/');
    await page.click('p.trail a.down[data-code=none]');
    await page.waitForURL(/province=none/);
    const unplaced = await rowsOf(page);
    expect(unplaced.length).toBeGreaterThan(0);
    expect(unplaced.every((r) => r.cells[2] === '未定位')).toBe(true);
    expect(unplaced.map((r) => r.report)).toContain(ids.image);
    await page.goto(srv.url + '/?family=narrative');
    expect((await rowsOf(page)).every((r) => r.finding!.startsWith('check:narrative.'))).toBe(true);
    await page.goto(srv.url + '/?state=closed');
    expect(await rowsOf(page)).toEqual([]);
    // the download link of the page: the open findings of the region, as XLSX
    await page.goto(srv.url + '/?region=' + encodeURIComponent('西华'));
    const open = (await rowsOf(page)).filter((r) => r.cells[7] === '待审').length;
    const href = await page.locator('a', { hasText: 'Excel' }).getAttribute('href');
    expect(href).toBe('/export.xlsx?region=' + encodeURIComponent('西华'));
    const xlsx = await fetch(srv.url + href);
    expect(xlsx.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await xlsx.arrayBuffer()));
    const ws = wb.getWorksheet('待审问题')!;
    expect(ws.rowCount - 1).toBe(open);
    expect(open).toBeGreaterThan(0);
    for (let i = 2; i <= ws.rowCount; i++) expect(String(ws.getRow(i).getCell(3).value)).toContain('西华');
    await page.close();
  }, 60_000);

  it('the blank 总计 column: one finding, its 21 cells listed and marked, the source scrolled to the outlined cell', async () => {
    const page = await newPage();
    await page.goto(`${srv.url}/report/${ids.blank}`);
    const f = page.locator('.finding');
    expect(await f.count()).toBe(1);
    expect(await f.getAttribute('data-kind')).toBe('blank');
    expect(await f.locator('h3').innerText()).toBe('▶ 总计栏未填写');
    expect(await f.locator('.status').innerText()).toBe('提示');
    expect(await f.locator('ul.checks li').count()).toBe(22);
    const cells = f.locator('ul.cells > li');
    expect(await cells.count()).toBe(21);
    expect(await cells.first().innerText()).toMatch(/^表三 · 三、本年度办理结果 （一）予以公开 · 总计: 空白（未填写）\s+位置/);
    expect(await f.locator('p').filter({ hasText: '按已印数字推算：' }).innerText()).toContain('推算 748，印 748，相符');
    expect(await page.locator('table.t3 td.cur').count()).toBe(21);
    const frame = page.frames().find((fr) => fr.url().includes(`/report/${ids.blank}/source`))!;
    await frame.waitForLoadState();
    expect(new URL(frame.url()).hash).toBe('#nb-requests_granted_total');
    // On a starved machine the frame may be laid out again (its width settles) after the browser
    // scrolled to the fragment; the fragment is what the page provides, so if the cell has moved out
    // of view since, let the browser scroll to the same fragment again. The frame runs no script
    // (its CSP sandbox), so no timer or animation frame fires in it: the waiting is done from here.
    const look = () =>
      frame.evaluate(() => {
        const el = document.getElementById('nb-requests_granted_total')!;
        const inView = () => { const t = el.getBoundingClientRect().top; return t > -5 && t < innerHeight; };
        if (!inView()) { const h = location.hash; location.hash = ''; location.hash = h; }
        const r = el.getBoundingClientRect();
        return { top: r.top, h: innerHeight, outline: getComputedStyle(el).outlineStyle, marked: document.querySelectorAll('[data-nb]').length, scrolled: scrollY, target: document.querySelector(':target') === el };
      });
    await expect.poll(async () => { const s = await look(); return s.top > -5 && s.top < s.h; }, { timeout: 15_000 }).toBe(true);
    const seen = await look();
    expect(seen.target).toBe(true);
    expect(seen.outline).toBe('solid');
    expect(seen.marked).toBe(21);
    expect(seen.scrolled).toBeGreaterThan(0);
    expect(seen.top).toBeGreaterThan(-5); // scrolled to the top of the frame
    expect(seen.top).toBeLessThan(seen.h);
    await shot(page, 'report-blank-total');
    await page.close();
  }, 60_000);

  it('a report with each kind of finding, named in the template\'s words, the evidence one click from its place', async () => {
    const page = await newPage();
    await page.goto(`${srv.url}/report/${ids.sums}`);
    const bal = page.locator('.finding[data-finding="check:requests.balance.natural"]');
    expect(await bal.locator('h3').innerText()).toContain('第一项加第二项之和应等于第三项加第四项之和（自然人）');
    expect(await bal.locator('.detail').innerText()).toBe('印 391，应为 398');
    expect(await bal.locator('small.id').last().innerText()).toBe('check:requests.balance.natural');
    const li = bal.locator('ul.cells > li[data-key="requests.new.natural"]');
    expect(await li.innerText()).toMatch(/^表三 · 一、本年新收政府信息公开申请数量 · 自然人: 印「\d+」/);
    expect(await li.locator('details small').isVisible()).toBe(false);
    await li.locator('summary').click();
    expect(await li.locator('details small').innerText()).toMatch(/DOM body>.*td:nth-of-type\(\d\)/);
    // the report's place, with codes and the body's kind in Chinese
    expect(await page.locator('table.place').innerText()).toMatch(/河南省 410000\s+周口市 411600\s+太康县 411627\s+—\s+411627（县级，太康县）\s+政府工作部门 · 教育（教育体育局）/);
    await shot(page, 'report-sums');

    await page.goto(`${srv.url}/report/${ids.shift}`);
    expect(await page.locator('.finding[data-kind=shift] h3').innerText()).toContain('“其他”栏与“总计”栏错位');
    await shot(page, 'report-shift');
    await page.goto(`${srv.url}/report/${ids.dup}`);
    expect(await page.locator('.finding[data-kind=duplicate] h3').innerText()).toContain('表四印了两遍，数字不同');
    expect(await page.locator('.finding[data-kind=duplicate] .detail').innerText()).toContain('表四 · 行政复议 · 总计：先印「3」，再印「5」');
    await shot(page, 'report-duplicate');
    await page.goto(`${srv.url}/report/${ids.s2023}`);
    const carry = page.locator('.finding[data-finding="check:requests.carry_link.total"]');
    expect(await carry.locator('h3').innerText()).toContain('本年“二、上年结转政府信息公开申请数量”应等于上年报告“四、结转下年度继续办理”（总计）');
    expect(await carry.locator('ul.cells').innerText()).toMatch(/表三 · 四、结转下年度继续办理 · 总计 上年报告 #\d+（2022）: 印「8」/);
    await shot(page, 'report-crossyear');
    await page.goto(`${srv.url}/report/${ids.s2022}`);
    const nar = page.locator('.finding[data-finding^="check:narrative."]').first();
    expect(await nar.locator('h3').innerText()).toMatch(/正文所述“.+”件数应与表格一致/);
    expect(await nar.locator('.detail').innerText()).toMatch(/^正文 \d+，表格 \d+$/);
    expect(await nar.locator('.evidence').innerText()).toMatch(/^“.+”$/);
    await shot(page, 'report-narrative');
    await page.close();
  }, 60_000);

  it('the source at the place: the PDF page, the image file and the table picture with the cells boxed, the text lines marked', async () => {
    const page = await newPage();
    await page.goto(`${srv.url}/report/${ids.pdf}`);
    const img = page.locator('.page img');
    await img.waitFor();
    expect(await img.evaluate((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth)).toBeGreaterThan(500);
    expect(await page.locator('.page svg.boxes rect.box').count()).toBeGreaterThanOrEqual(5);
    await shot(page, 'report-pdf');
    // a real report's failing cells, on its page 4
    await page.goto(`${srv.url}/report/${ids.realpdf}`);
    await page.locator('.page img').waitFor();
    expect(await page.locator('.page img').getAttribute('alt')).toBe('第 4 页');
    expect(await page.locator('.page svg.boxes rect.box').count()).toBeGreaterThan(0);

    await page.goto(`${srv.url}/report/${ids.image}`);
    await page.locator('.page img').waitFor();
    expect(await page.locator('.page img').evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBe(400);
    expect(await page.locator('.page svg.boxes').getAttribute('viewBox')).toBe('0 0 400 300');
    const boxes = await page.locator('.page svg.boxes rect.box').evaluateAll((rs) => rs.map((r) => [r.getAttribute('x'), r.getAttribute('y'), r.getAttribute('width')]));
    expect(boxes).toContainEqual(['300.0', '100.0', '80.0']);
    expect(await page.locator('main').innerText()).toContain('图片（OCR 识别）');
    await shot(page, 'report-image');

    await page.goto(`${srv.url}/report/${ids.imgpage}`);
    const pic = page.locator('.page img');
    await pic.waitFor();
    expect(await pic.evaluate((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth)).toBe(500);
    expect(await page.locator('.page svg.boxes rect.box').count()).toBe(4);
    expect(await page.locator('#source').innerText()).toContain('表格图片（OCR）：gone.png');
    expect(await page.locator('#source').innerText()).toContain(`review.pending: [${10 + 'review.pending'.length * 5}, 50, ${60 + 'review.pending'.length * 5}, 80]`);
    await shot(page, 'report-table-picture');

    await page.goto(`${srv.url}/report/${ids.text}`);
    expect(await page.locator('pre.src .hl').evaluateAll((els) => els.map((e) => [e.id, e.textContent]))).toEqual([
      ['line-3', '结果维持\t5'], ['line-4', '纠正\t1'], ['line-5', '其他\t0'], ['line-6', '未审结\t0'], ['line-7', '总计\t9'],
    ]);
    expect(await page.locator('pre.src i').count()).toBe(0);
    await shot(page, 'report-text');
    await page.close();
  }, 90_000);

  it('the overview: SVG charts (reports per year and per province, then per city of a province) with the same numbers as tables under them', async () => {
    const page = await newPage();
    await page.goto(`${srv.url}/overview`);
    expect(await page.locator('svg.chart').count()).toBe(4);
    expect(await page.locator('#chart-years svg rect.bar').count()).toBeGreaterThan(0);
    const years = db.prepare('SELECT count(DISTINCT coalesce(year, -1)) AS n, count(*) AS found FROM reports').get() as { n: number; found: number };
    const cellsOf = (sel: string) => page.locator(`${sel} tbody tr`).evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    const yrows = await cellsOf('table.ov-years');
    expect(yrows.length).toBe(years.n);
    expect(yrows.reduce((s, r) => s + Number(r[1]), 0)).toBe(years.found);
    // by province, each with its code (the PDF sample is 清河县交通运输局, 河北); the same numbers in the chart's bars
    const provinces = await cellsOf('table.ov-regions');
    expect(provinces.map((r) => r.slice(0, 2))).toEqual([['河北省', '130000'], ['江苏省', '320000'], ['河南省', '410000'], ['未定位', '—']]);
    expect(provinces.reduce((s, r) => s + Number(r[2]), 0)).toBe(years.found);
    const bars = await page.locator('#chart-regions svg rect.bar title').allTextContents();
    expect(bars.filter((t) => t.startsWith('河南省 410000 找到: '))).toEqual([`河南省 410000 找到: ${provinces[2]![2]}`]);
    await shot(page, 'overview');
    // a province chosen in the form (no script): its cities; 驻马店市 holds 确山县, 遂平县 (flagged) and 西平县
    await page.selectOption('form.filters select[name=province]', '410000');
    await page.click('form.filters button[type=submit]');
    await page.waitForURL(/province=410000/);
    expect((await cellsOf('table.ov-regions')).find((r) => r[0] === '驻马店市')).toEqual(['驻马店市', '411700', '3', '3', '1']);
    await shot(page, 'overview-province');
    await page.goto(`${srv.url}/overview`);
    const fam = await page.locator('table.ov-families tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    expect(fam.map((r) => r[0])).toContain('表三 各栏合计（各类申请人之和等于总计）');
    const outcome = await page.locator('table.ov-outcomes').innerText();
    expect(await page.locator('table.ov-outcomes thead th').allInnerTexts()).toEqual(['机关', '年度', '予以公开', '部分公开', '不予公开', '无法提供', '不予处理', '其他处理']);
    const g = db.prepare("SELECT value FROM figures WHERE report_id = ? AND key = 'requests.granted.total'").get(ids.s2021) as { value: number };
    expect(outcome).toContain(`西华县文化广电和旅游局\t2021\t${g.value}\t`);
    expect(await page.locator('#chart-outcomes svg rect.bar').count()).toBeGreaterThan(6);
    await page.close();
  }, 60_000);

  it('a decision made with the keyboard (accesskeys) moves to the next finding and survives re-ingest', async () => {
    const page = await newPage();
    await page.goto(`${srv.url}/report/${ids.blank}`);
    expect(await page.locator('.keys').first().innerText()).toContain('Alt+字母');
    await accessKey(page, 'm');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('note');
    await page.keyboard.type('总计栏漏填，已告知发布机关');
    const next = await page.locator('a[accesskey=j]').getAttribute('href');
    await accessKey(page, 'c');
    await page.waitForURL((u) => !u.pathname.endsWith(`/report/${ids.blank}`));
    expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe(next!.split('#')[0]);
    const rows = db.prepare("SELECT check_id, decision, note, state FROM reviews WHERE report_id = ? ORDER BY check_id").all(ids.blank) as { check_id: string; decision: string; note: string }[];
    expect(rows).toHaveLength(22);
    expect(new Set(rows.map((r) => `${r.decision} ${r.note}`))).toEqual(new Set(['confirmed 总计栏漏填，已告知发布机关']));
    // Alt+J: the next open finding
    const before = page.url();
    const j = await page.locator('a[accesskey=j]').getAttribute('href');
    await accessKey(page, 'j');
    await page.waitForURL((u) => u.href !== before);
    expect(page.url()).toBe(srv.url + j);

    // re-ingest: the report gone and stored again (a new id): its finding is still decided
    db.prepare('DELETE FROM reports WHERE id = ?').run(ids.blank);
    ids.blank = await ingestFile(join(root, 'samples', 'suiping-2021-total-blank.html'));
    await page.goto(`${srv.url}/report/${ids.blank}`);
    expect(await page.locator('.finding .state').first().innerText()).toBe('已处理');
    expect(await page.locator('.finding .decision').innerText()).toContain('确认有误');
    await page.goto(srv.url + '/?region=' + encodeURIComponent('遂平'));
    expect((await rowsOf(page)).map((r) => r.cells[7])).toEqual(['已处理']);
    await shot(page, 'decided');
    await page.close();
  }, 60_000);

  it('shows scraped markup as text and runs none of it', async () => {
    const page = await newPage();
    const before = dialogs.length;
    await page.goto(`${srv.url}/report/${ids.evil}`);
    const body = await page.locator('body').innerText();
    expect(body).toContain(`${XSS}县人民政府`);
    expect(body).toContain('<img src=x onerror="alert(4)">');
    expect(body).toContain(`印「9${XSS}」`);
    expect(await page.locator('script').count()).toBe(0);
    expect(await page.locator('img[src=x]').count()).toBe(0);
    expect(await page.locator('[onmouseover], [onerror]').count()).toBe(0);
    expect(body).toContain('<b onmouseover=alert(3)>区</b>');
    const frame = page.frames().find((f) => f.url().includes(`/report/${ids.evil}/source`))!;
    await frame.waitForLoadState();
    expect(await frame.locator('script').count()).toBe(2); // there, but not run:
    expect(await frame.locator('#pwned').count()).toBe(0);
    await page.goto(srv.url + '/');
    expect(await page.locator('script').count()).toBe(0);
    await page.goto(srv.url + '/overview');
    expect(await page.locator('script').count()).toBe(0);
    await page.waitForTimeout(300);
    expect(dialogs.slice(before)).toEqual([]);
    await page.close();
  }, 60_000);
});

function raw(base: string, path: string, method = 'GET', body = '', headers: Record<string, string> = {}): Promise<{ status: number; location?: string; text: string }> {
  const u = new URL(base + path);
  return new Promise((ok, fail) => {
    const req = request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method, headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, location: res.headers.location, text }));
    });
    req.on('error', fail);
    req.end(body);
  });
}

describe('the server refuses forged requests', () => {
  const form = (token: string) => new URLSearchParams({ csrf: token, check: 'requests.carry_link.commercial', decision: 'dismissed', note: 'forged' }).toString();

  it('without the form token, from another origin, or for another host', async () => {
    const p = `/report/${ids.s2023}/decide`;
    expect((await raw(srv.url, p, 'POST', form('wrong'))).status).toBe(403);
    expect((await raw(srv.url, p, 'POST', form(srv.token), { Origin: 'http://evil.example' })).status).toBe(403);
    expect((await raw(srv.url, p, 'POST', form(srv.token), { Host: 'evil.example' })).status).toBe(421);
    expect(db.prepare("SELECT count(*) AS n FROM reviews WHERE note = 'forged'").get()).toEqual({ n: 0 });
    expect((await raw(srv.url, p, 'POST', form(srv.token), { Origin: srv.url })).status).toBe(303);
    expect(db.prepare("SELECT count(*) AS n FROM reviews WHERE note = 'forged'").get()).toEqual({ n: 1 });
  });

  it('serves sources with a sandboxing CSP and pages with a script-free CSP', async () => {
    const src = await fetch(`${srv.url}/report/${ids.evil}/source`);
    expect(src.headers.get('content-security-policy')).toContain('sandbox');
    const page = await fetch(`${srv.url}/report/${ids.evil}`);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(page.headers.get('content-security-policy')).not.toContain('script-src');
    expect((await fetch(`${srv.url}/report/99999`)).status).toBe(404);
  });

  it('makes CSS selectors only from safe domPaths', () => {
    expect(selectorOf('html>body>table:nth-of-type(1)>tr:nth-of-type(2)>td:nth-of-type(3)')).toBe('html>body>table:nth-of-type(1)>tbody>tr:nth-of-type(2)>td:nth-of-type(3)');
    expect(selectorOf('td{}</style><script>')).toBeNull();
  });
});

describe('on a non-loopback address', () => {
  it('is refused without any account (and so is --require-login on loopback)', async () => {
    const empty = openReviewDb(':memory:');
    await expect(startServer(empty, { host: '0.0.0.0', port: 0 })).rejects.toThrow(/not a loopback address and there is no reviewer account/);
    await expect(startServer(empty, { port: 0, requireLogin: true })).rejects.toBeInstanceOf(ServeRefused);
    empty.close();
  });

  it('nothing but the sign-in page answers without a session; a decision records the signed-in reviewer', async () => {
    addReviewer(db, 'auditor', 'a long passphrase');
    const net = await startServer(db, { host: '0.0.0.0', port: 0 });
    const base = `http://127.0.0.1:${new URL(net.url).port}`;
    try {
      expect(net.loginRequired).toBe(true);
      for (const p of ['/', '/overview', `/report/${ids.sums}`, '/?region=x']) {
        const r = await raw(base, p);
        expect([p, r.status, r.location]).toEqual([p, 303, `/signin?next=${encodeURIComponent(p)}`]);
      }
      for (const p of [`/report/${ids.sums}/raw`, `/report/${ids.sums}/source`, `/report/${ids.pdf}/page/1.png`, `/report/${ids.image}/image`, '/export.csv', '/export.xlsx', '/nothing']) {
        expect([p, (await raw(base, p)).status]).toEqual([p, 401]);
      }
      const post = await raw(base, `/report/${ids.sums}/decide`, 'POST', new URLSearchParams({ csrf: net.token, check: 'requests.balance.natural', decision: 'dismissed', note: 'x' }).toString());
      expect(post.status).toBe(401);
      expect((await raw(base, '/signin')).status).toBe(200);

      const ctx = await browser.newContext();
      const page = await ctx.newPage();
      await page.goto(`${base}/report/${ids.sums}`);
      expect(new URL(page.url()).pathname).toBe('/signin');
      await shot(page, 'signin');
      await page.fill('input[name=name]', 'auditor');
      await page.fill('input[name=password]', 'wrong password');
      await page.click('button[type=submit]');
      expect(await page.locator('.message').innerText()).toBe('审核人或密码不对');
      await page.fill('input[name=password]', 'a long passphrase');
      await page.click('button[type=submit]');
      await page.waitForURL(`${base}/report/${ids.sums}`);
      const [cookie] = await ctx.cookies();
      expect([cookie!.name, cookie!.httpOnly, cookie!.sameSite]).toEqual(['nb_session', true, 'Strict']);
      expect(await page.locator('header .who').innerText()).toBe('auditor');
      expect(await page.locator('input[name=by]').count()).toBe(0);
      const f = page.locator('.finding[data-finding="check:requests.balance.natural"]');
      await f.locator('input[name=note]').fill('已与发布机关核实');
      await f.locator('button[value=dismissed]').click();
      await page.waitForLoadState();
      expect(db.prepare("SELECT reviewer, decision FROM reviews WHERE report_id = ? AND check_id = 'requests.balance.natural' AND superseded_by IS NULL").get(ids.sums)).toEqual({ reviewer: 'auditor', decision: 'dismissed' });
      // the server's page token is no good within a session: the form token is the session's
      const forged = await raw(base, `/report/${ids.sums}/decide`, 'POST', new URLSearchParams({ csrf: net.token, check: 'requests.balance.natural', decision: 'confirmed', note: 'x' }).toString(), { Cookie: `nb_session=${cookie!.value}` });
      expect(forged.status).toBe(403);
      await page.goto(`${base}/`);
      await page.click('header form button');
      await page.waitForURL(`${base}/signin`);
      expect((await raw(base, '/', 'GET', '', { Cookie: `nb_session=${cookie!.value}` })).status).toBe(303);
      await ctx.close();
    } finally {
      await net.close();
    }
    // loopback with --require-login: the same rule
    const local = await startServer(db, { port: 0, requireLogin: true });
    try {
      expect((await raw(local.url, '/')).status).toBe(303);
      expect((await raw(local.url, `/report/${ids.sums}/raw`)).status).toBe(401);
    } finally {
      await local.close();
    }
  }, 60_000);
});
