/**
 * The review page in a real browser: Debian's Chromium driven by playwright-core, against a server on
 * 127.0.0.1 with a database holding the sample series, a real PDF and a hostile report.
 */
import { request } from 'node:http';
import { readFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractBytes } from '../src/extract.js';
import { ReportSchema } from '../src/report.js';
import { afterIngest } from '../src/review/hook.js';
import { openReviewDb } from '../src/review/schema.js';
import { startServer, selectorOf, type RunningServer } from '../src/serve/server.js';
import type { Db } from '../src/store/db.js';
import { ingestReport, sha256Hex } from '../src/store/ingest.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SERIES = join(root, 'samples', 'series');
const XSS = '<script>alert(1)</script>';

let db: Db;
let srv: RunningServer;
let browser: Browser;
const ids: Record<string, number> = {};
const dialogs: string[] = [];

async function ingestFile(path: string): Promise<number> {
  const bytes = readFileSync(path);
  const report = await extractBytes(bytes, { source: path });
  const { reportId } = ingestReport(db, report, bytes);
  afterIngest(db, reportId);
  return reportId;
}

/** A report whose every scraped string tries to inject markup, with a source page that tries to run script. */
function ingestHostile(): number {
  const source = `<html><head><title>x</title></head><body><p id="p">${XSS}</p>
<script>document.body.insertAdjacentHTML('beforeend', '<div id="pwned">pwned</div>'); alert('from source');</script>
<table><tr><td>行政复议</td><td>1</td><td>9</td></tr></table></body></html>`;
  const bytes = new TextEncoder().encode(source);
  const report = ReportSchema.parse({
    source: `evil/${XSS}.html`,
    sha256: sha256Hex(bytes),
    status: 'partial',
    version: '2021',
    agency: `${XSS}县人民政府`,
    year: 2022,
    title: `<img src=x onerror="alert(2)">年度报告`,
    region: `<b onmouseover=alert(3)>区</b>`,
    source_url: null,
    kind: 'html',
    figures: { 'review.upheld': 1, 'review.total': 9 },
    checks: [
      {
        id: 'review.total', status: 'fail', expected: 1, actual: 9, keys: ['review.upheld', 'review.total'],
        reason: `sum 1 but ${XSS} total 9`, evidence: `<img src=x onerror="alert(4)">`,
      },
    ],
    problems: [],
    provenance: {
      'review.upheld': { text: '1', blank: false, table: 4, grid: 1, row_label: XSS, col_label: '结果维持', where: { table: 1, row: 0, col: 1, domPath: 'html>body>table:nth-of-type(1)>tr:nth-of-type(1)>td:nth-of-type(2)' } },
      'review.total': { text: `9${XSS}`, blank: false, table: 4, grid: 1, row_label: XSS, col_label: '总计', where: { table: 1, row: 0, col: 2, domPath: 'html>body>table:nth-of-type(1)>tr:nth-of-type(1)>td:nth-of-type(3)' } },
    },
  });
  const { reportId } = ingestReport(db, report, bytes);
  afterIngest(db, reportId);
  return reportId;
}

/** A plain-text report whose failing cells are on lines 3 and 4. */
function ingestText(): number {
  const source = '某县统计局2021年政府信息公开工作年度报告\n行政复议\n结果维持\t2\n总计\t1\n<i>不是标记</i>\n';
  const bytes = new TextEncoder().encode(source);
  const where = (line: number) => ({ table: 1, row: line - 2, col: 1, line });
  const report = ReportSchema.parse({
    source: 'text/report.txt', sha256: sha256Hex(bytes), status: 'partial', version: '2021', agency: '某县统计局', year: 2021, title: null,
    region: null, source_url: null, kind: 'text', figures: { 'review.upheld': 2, 'review.total': 1 },
    checks: [{ id: 'review.total', status: 'fail', expected: 2, actual: 1, keys: ['review.upheld', 'review.total'] }],
    problems: [],
    provenance: {
      'review.upheld': { text: '2', blank: false, table: 4, grid: 1, row_label: '行政复议', col_label: '结果维持', where: where(3) },
      'review.total': { text: '1', blank: false, table: 4, grid: 1, row_label: '行政复议', col_label: '总计', where: where(4) },
    },
  });
  const { reportId } = ingestReport(db, report, bytes);
  afterIngest(db, reportId);
  return reportId;
}

beforeAll(async () => {
  db = openReviewDb(':memory:');
  for (const y of [2021, 2022, 2023]) ids[`s${y}`] = await ingestFile(join(SERIES, `xihua-culture-${y}.html`));
  ids.pdf = await ingestFile(join(root, 'corpus', 'real', 'huaian-hongze-2023.pdf'));
  ids.evil = ingestHostile();
  ids.text = ingestText();
  srv = await startServer(db, { port: 0 });
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
  const page = await browser.newPage();
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  return page;
}

describe('the review page in Chromium', () => {
  it('lists the flagged reports and filters them', async () => {
    const page = await newPage();
    await page.goto(srv.url + '/');
    const reports = await page.locator('#reports tbody tr').evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute('data-report'))));
    expect(reports.sort()).toEqual([ids.s2022, ids.s2023, ids.pdf, ids.evil, ids.text].sort());
    await page.selectOption('select[name=year]', '2023');
    await page.click('button[type=submit]');
    await page.waitForURL(/year=2023/);
    const filtered = await page.locator('#reports tbody tr').evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute('data-report'))));
    expect(filtered.sort()).toEqual([ids.s2023, ids.pdf].sort());
    await page.goto(srv.url + '/?check=requests.carry_link.total');
    expect(await page.locator('#reports tbody tr').count()).toBe(1);
    await page.goto(srv.url + '/?agency=' + encodeURIComponent('洪泽'));
    expect(await page.locator('#reports tbody tr td.agency').allTextContents()).toEqual(['洪泽区人民政府']);
    await page.close();
  }, 60_000);

  it('shows a report: checks with evidence, the tables with offending cells marked, the source sandboxed; a decision by clicking', async () => {
    const page = await newPage();
    await page.goto(srv.url + '/');
    await page.click(`a[href="/report/${ids.s2023}"]`);
    await page.waitForURL(new RegExp(`/report/${ids.s2023}$`));
    const check = page.locator('.check[data-check="requests.carry_link.total"]');
    await expect(check.textContent()).resolves.toContain('[open]');
    await expect(check.textContent()).resolves.toMatch(/requests\.carried_forward\.total report #\d+ \(2022\): “8” = 8/);
    // Offending cells marked in the extracted table.
    const bad = await page.locator('table.t3 td.bad').evaluateAll((tds) => tds.map((td) => td.getAttribute('data-key')));
    expect(bad).toEqual(expect.arrayContaining(['requests.carried_over.commercial', 'requests.carried_over.total']));
    expect(await page.locator('table.t3 td[data-key="requests.carried_over.total"]').textContent()).toBe('6');
    // The original page in a sandboxed frame, the offending cell outlined by the injected style.
    const iframe = page.locator('iframe');
    expect(await iframe.getAttribute('sandbox')).toBe('');
    const frame = page.frames().find((f) => f.url().endsWith(`/report/${ids.s2023}/source`))!;
    expect(frame).toBeDefined();
    await frame.waitForLoadState();
    const outlined = await frame.evaluate(() => [...document.querySelectorAll('td')].filter((td) => getComputedStyle(td).outlineStyle === 'solid').map((td) => td.textContent));
    expect(outlined).toEqual(expect.arrayContaining(['6', '2']));

    // Decide by clicking.
    await check.locator('select[name=decision]').selectOption('confirmed');
    await check.locator('input[name=note]').fill('2022 carried 8 forward; confirmed with the publisher');
    await check.locator('input[name=by]').fill('auditor-a');
    await check.locator('button[type=submit]').click();
    await page.waitForURL(new RegExp(`/report/${ids.s2023}#check-requests\\.carry_link\\.total$`));
    const after = page.locator('.check[data-check="requests.carry_link.total"]');
    await expect(after.textContent()).resolves.toContain('[closed]');
    await expect(after.locator('.decision').textContent()).resolves.toContain('confirmed by auditor-a');
    const row = db.prepare("SELECT decision, note, reviewer, state FROM reviews WHERE report_id = ? AND check_id = 'requests.carry_link.total'").get(ids.s2023);
    expect(row).toEqual({ decision: 'confirmed', note: '2022 carried 8 forward; confirmed with the publisher', reviewer: 'auditor-a', state: 'closed' });

    // A corrected decision without a figure is refused with a message, nothing stored.
    const other = page.locator('.check[data-check="requests.carry_link.commercial"]');
    await other.locator('select[name=decision]').selectOption('corrected');
    await other.locator('input[name=note]').fill('no figure');
    await other.locator('button[type=submit]').click();
    await expect(page.locator('.message').textContent()).resolves.toContain('--value');
    expect(db.prepare("SELECT count(*) AS n FROM reviews WHERE check_id = 'requests.carry_link.commercial'").get()).toEqual({ n: 0 });
    await page.close();
  }, 60_000);

  it('corrects which body a report belongs to, by clicking, and back', async () => {
    const page = await newPage();
    const carry = () =>
      (db.prepare("SELECT status FROM checks WHERE report_id = ? AND check_id = 'requests.carry_link.natural'").get(ids.s2023) as { status: string }).status;
    expect(carry()).toBe('pass');
    await page.goto(`${srv.url}/report/${ids.s2022}`);
    await page.locator('form.link input[name=agency]').fill('西华县文物局');
    await page.locator('form.link button[value=link]').click();
    await page.waitForURL(new RegExp(`/report/${ids.s2022}$`));
    await expect(page.locator('form.link .identity').textContent()).resolves.toBe('西华县文物局');
    expect(db.prepare('SELECT source FROM agency_links WHERE report_id = ?').get(ids.s2022)).toEqual({ source: 'manual' });
    // 2023 lost its last year: its carry links are now skipped.
    expect(carry()).toBe('skipped');
    await page.locator('form.link button[value=auto]').click();
    await page.waitForURL(new RegExp(`/report/${ids.s2022}$`));
    await expect(page.locator('form.link .identity').textContent()).resolves.toBe('西华县文化广电和旅游局');
    expect(carry()).toBe('pass');
    await page.close();
  }, 60_000);

  it('renders the PDF page with the offending cells boxed', async () => {
    const page = await newPage();
    await page.goto(`${srv.url}/report/${ids.pdf}`);
    const img = page.locator('.page img');
    await img.waitFor();
    const natural = await img.evaluate((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth);
    expect(natural).toBeGreaterThan(500);
    expect(await page.locator('.page .box').count()).toBeGreaterThan(0);
    expect(await img.getAttribute('alt')).toBe('page 4');
    await page.close();
  }, 60_000);

  it('shows a text source with the offending lines marked', async () => {
    const page = await newPage();
    await page.goto(`${srv.url}/report/${ids.text}`);
    expect(await page.locator('pre.src .hl').evaluateAll((els) => els.map((e) => [e.id, e.textContent]))).toEqual([
      ['line-3', '结果维持\t2'],
      ['line-4', '总计\t1'],
    ]);
    expect(await page.locator('pre.src').innerText()).toContain('<i>不是标记</i>');
    expect(await page.locator('pre.src i').count()).toBe(0);
    await page.close();
  }, 60_000);

  it('shows scraped markup as text and runs none of it', async () => {
    const page = await newPage();
    const before = dialogs.length;
    await page.goto(`${srv.url}/report/${ids.evil}`);
    const body = await page.locator('body').innerText();
    expect(body).toContain(`${XSS}县人民政府`);
    expect(body).toContain('<img src=x onerror="alert(4)">');
    expect(body).toContain(`“9${XSS}” = 9`);
    // Nothing from the report became an element in the page.
    expect(await page.locator('script').count()).toBe(0);
    expect(await page.locator('img[src=x]').count()).toBe(0);
    expect(await page.locator('[onmouseover], [onerror]').count()).toBe(0);
    expect(body).toContain('<b onmouseover=alert(3)>区</b>');
    // The source page's own script did not run in its frame.
    const frame = page.frames().find((f) => f.url().endsWith(`/report/${ids.evil}/source`))!;
    await frame.waitForLoadState();
    expect(await frame.locator('script').count()).toBe(2); // there, but not run:
    expect(await frame.locator('#pwned').count()).toBe(0);
    await page.goto(srv.url + '/');
    expect(await page.locator('script').count()).toBe(0);
    expect(await page.locator('#reports').innerText()).toContain(XSS);
    await page.waitForTimeout(300);
    expect(dialogs.slice(before)).toEqual([]);
    await page.close();
  }, 60_000);
});

function post(path: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const u = new URL(srv.url + path);
  return new Promise((resolvePost, reject) => {
    const req = request(
      { host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolvePost({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('the server refuses forged requests', () => {
  const form = (token: string) => new URLSearchParams({ csrf: token, check: 'requests.carry_link.commercial', decision: 'dismissed', note: 'forged' }).toString();

  it('without the form token, from another origin, or for another host', async () => {
    expect((await post(`/report/${ids.s2023}/decide`, form('wrong'))).status).toBe(403);
    expect((await post(`/report/${ids.s2023}/decide`, form(srv.token), { Origin: 'http://evil.example' })).status).toBe(403);
    expect((await post(`/report/${ids.s2023}/decide`, form(srv.token), { Host: 'evil.example' })).status).toBe(421);
    expect(db.prepare("SELECT count(*) AS n FROM reviews WHERE note = 'forged'").get()).toEqual({ n: 0 });
    const ok = await post(`/report/${ids.s2023}/decide`, form(srv.token), { Origin: srv.url });
    expect(ok.status).toBe(303);
    expect(db.prepare("SELECT count(*) AS n FROM reviews WHERE note = 'forged'").get()).toEqual({ n: 1 });
  });

  it('serves sources with a sandboxing CSP and pages with a script-free CSP', async () => {
    const src = await fetch(`${srv.url}/report/${ids.evil}/source`);
    expect(src.headers.get('content-security-policy')).toContain('sandbox');
    expect(src.headers.get('content-security-policy')).toContain("default-src 'none'");
    const page = await fetch(`${srv.url}/report/${ids.evil}`);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(page.headers.get('content-security-policy')).not.toContain('script-src');
    expect((await fetch(`${srv.url}/report/99999`)).status).toBe(404);
  });

  it('makes CSS selectors only from safe domPaths', () => {
    expect(selectorOf('html>body>table:nth-of-type(1)>tr:nth-of-type(2)>td:nth-of-type(3)')).toBe(
      'html>body>table:nth-of-type(1)>tbody>tr:nth-of-type(2)>td:nth-of-type(3)',
    );
    expect(selectorOf('td{}</style><script>')).toBeNull();
  });
});
