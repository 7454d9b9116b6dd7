/** `nianbao export --what findings`: the open findings per region or agency as XLSX and CSV, in Chinese, read back. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FINDING_EXPORT_COLS } from '../src/review/export-findings.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const tmp = mkdtempSync(join(tmpdir(), 'nianbao-findings-'));
const dbPath = join(tmp, 'f.db');
const cli = (...args: string[]) => spawnSync(process.execPath, [join(root, 'bin', 'nianbao.js'), ...args], { encoding: 'utf8', cwd: root });

beforeAll(() => {
  const r = cli('ingest', '--db', dbPath, 'samples/suiping-2021-total-blank.html', 'samples/taikang-education-2021-bad-sums.html', 'samples/xihua-county-2021.html');
  expect(r.status).toBe(0);
}, 60_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('export --what findings', () => {
  it('XLSX: one row per open finding of the region, in Chinese, with title, link, cells as printed and what they should be', async () => {
    const out = join(tmp, 'suiping.xlsx');
    const r = cli('export', '--db', dbPath, '--what', 'findings', '--format', 'xlsx', '--region', '遂平', '--out', out);
    expect(r.stderr).toContain('1 open finding written');
    expect(r.status).toBe(0);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(readFileSync(out));
    const ws = wb.getWorksheet('待审问题')!;
    expect((ws.getRow(1).values as string[]).slice(1)).toEqual([...FINDING_EXPORT_COLS]);
    expect(ws.rowCount).toBe(2);
    const row = Object.fromEntries(FINDING_EXPORT_COLS.map((c, i) => [c, ws.getRow(2).getCell(i + 1).value]));
    expect(row['机关']).toBe('遂平县人民政府');
    expect(row['报告标题']).toBe('遂平县人民政府2021年政府信息公开工作年度报告');
    expect(row['链接']).toBe('samples/suiping-2021-total-blank.html');
    expect(row['问题']).toBe('总计栏未填写');
    expect(row['严重程度']).toBe('提示');
    expect(String(row['所印数字'])).toContain('表三 · 三、本年度办理结果 （一）予以公开 · 总计: 空白');
    expect(String(row['应为'])).toContain('表三 · 三、本年度办理结果 （一）予以公开 · 总计 应为 40');
    expect(String(row['核对编号']).split(' ')).toHaveLength(22);
  });

  it('CSV per agency, and decided findings leave the export', () => {
    const out = join(tmp, 'taikang.csv');
    const r = cli('export', '--db', dbPath, '--what', 'findings', '--format', 'csv', '--agency', '太康县教育体育局', '--out', out);
    expect(r.status).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(text.startsWith('\ufeff报告编号,机关,地区,年度,报告标题,链接,问题,')).toBe(true);
    const lines = text.trim().split('\r\n');
    const n = lines.length - 1;
    expect(n).toBeGreaterThanOrEqual(3);
    expect(text).toContain('第一项加第二项之和应等于第三项加第四项之和（自然人）：印 391，应为 398');
    expect(text).toContain('表三 · 一、本年新收政府信息公开申请数量 · 自然人: 「');
    expect(text).not.toContain('遂平');
    const id = /^\uFEFF?[^\r\n]*\r\n(\d+),/.exec(text)![1]!;
    const d = cli('review', 'decide', '--db', dbPath, '--report', id, '--check', 'requests.balance.natural', '--decision', 'confirmed', '--note', '已核实');
    expect(d.status).toBe(0);
    const again = cli('export', '--db', dbPath, '--what', 'findings', '--format', 'csv', '--agency', '太康县教育体育局');
    expect(again.stdout.trim().split('\r\n')).toHaveLength(n);
    expect(again.stdout).not.toContain('（自然人）：印 391，应为 398');
  });

  it('usage errors', () => {
    expect(cli('export', '--db', dbPath, '--what', 'findings', '--format', 'jsonl').status).toBe(2);
    expect(cli('export', '--db', dbPath, '--what', 'findings', '--format', 'xlsx').stderr).toContain('--out');
    expect(cli('export', '--db', dbPath, '--format', 'csv', '--region', 'x').status).toBe(2);
    writeFileSync(join(tmp, 'x'), '');
  });
});
