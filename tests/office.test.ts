/**
 * Word and spreadsheet files: the fixtures of samples/office/ (made by LibreOffice from sample pages,
 * scripts/make-office-fixtures.ts) against their samples' expectations; a DOCX written by hand to pin
 * the merge logic (vMerge, gridSpan, gridBefore, nested tables); sniffing of containers, names and
 * Content-Types; broken files, a missing or hanging LibreOffice. DOC, WPS and XLS run LibreOffice
 * (the feature converts at extraction time): four conversions in all.
 */
import { readBlob } from '../src/store/blobs.js';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { strToU8, zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { extractDocx } from '../extractors/docx.js';
import { convertWithLibreOffice } from '../src/convert.js';
import { sniffKind } from '../src/decode.js';
import { extractBytes } from '../src/extract.js';
import type { Report } from '../src/report.js';
import { afterIngest } from '../src/review/hook.js';
import { openReviewDb } from '../src/review/schema.js';
import { startServer } from '../src/serve/server.js';
import { ingestReport } from '../src/store/ingest.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const officeDir = join(root, 'samples', 'office');
const cli = join(root, 'dist', 'src', 'cli.js');
const scratch = mkdtempSync(join(tmpdir(), 'nianbao-office-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A sample's expectation (samples/NAME.expected.json, copied beside the fixtures). */
type Expected = Pick<Report, 'agency' | 'year' | 'version' | 'title' | 'status' | 'figures'> & { fails: string[] };

const KIND: Record<string, string> = { docx: 'docx', doc: 'doc', wps: 'wps', xlsx: 'xlsx', xls: 'xlsx' };
const fixtures = readdirSync(officeDir)
  .filter((f) => /\.(docx|doc|wps|xlsx|xls)$/.test(f) && f !== 'broken.doc')
  .sort()
  .map((f) => {
    const ext = f.slice(f.lastIndexOf('.') + 1);
    const name = f.slice(0, -(ext.length + 1));
    return { file: f, ext, expected: JSON.parse(readFileSync(join(officeDir, `${name}.expected.json`), 'utf8')) as Expected };
  });

function summary(r: Report) {
  return {
    status: r.status, version: r.version, agency: r.agency, year: r.year, title: r.title,
    figures: r.figures, fails: r.checks.filter((c) => c.status === 'fail').map((c) => c.id).sort(),
  };
}

describe('office fixtures made by LibreOffice from the samples', () => {
  it('cover DOCX, DOC, WPS, XLSX and XLS, both template versions and failing checks', () => {
    expect(new Set(fixtures.map((f) => f.ext))).toEqual(new Set(['docx', 'doc', 'wps', 'xlsx', 'xls']));
    expect(new Set(fixtures.map((f) => f.expected.version))).toEqual(new Set(['2019', '2021']));
    expect(fixtures.some((f) => f.expected.fails.length > 0)).toBe(true);
  });

  it.each(fixtures.map((f) => [f.file, f] as const))('%s reads as its sample does', async (_n, f) => {
    const report = await extractBytes(readFileSync(join(officeDir, f.file)), { source: `samples/office/${f.file}` });
    const { figures, ...rest } = summary(report);
    const { figures: expFigures, fails, agency, year, version, title, status } = f.expected;
    expect(rest).toEqual({ status, version, agency, year, title, fails: [...fails].sort() });
    expect(figures).toEqual(expFigures);
    expect(report.kind).toBe(KIND[f.ext]);
    // provenance names the table, row and column of the document (and the sheet of a spreadsheet)
    for (const [key, p] of Object.entries(report.provenance)) {
      expect(p.where.table, key).toBeGreaterThanOrEqual(1);
      expect(p.where.row, key).toBeGreaterThanOrEqual(0);
      expect(p.where.col, key).toBeGreaterThanOrEqual(0);
      if (report.kind === 'xlsx') expect(p.where.sheet, key).toBe('Sheet1');
    }
  }, 60_000);

  it('a figure of a DOCX points at its cell: row and column of the table in the document', async () => {
    const report = await extractBytes(readFileSync(join(officeDir, 'xihua-county-2021.docx')), { source: 'x.docx' });
    // 规章 / 本年制发件数 is the first table's third row, second column
    expect(report.figures['art20.rules.issued']).toBe(1);
    expect(report.provenance['art20.rules.issued']).toMatchObject({ text: '1', row_label: '规章', where: { table: 1, row: 2, col: 1 } });
    const xl = await extractBytes(readFileSync(join(officeDir, 'xihua-county-2021.xlsx')), { source: 'x.xlsx' });
    expect(xl.provenance['art20.rules.issued']).toMatchObject({ text: '1', where: { sheet: 'Sheet1', domPath: 'Sheet1!B67' } });
  });
});

// ---------------------------------------------------------------------------------------------
// A DOCX written by hand.

const W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"';
const p = (t: string, center = false) => `<w:p>${center ? '<w:pPr><w:jc w:val="center"/></w:pPr>' : ''}<w:r><w:t xml:space="preserve">${t}</w:t></w:r></w:p>`;
const tc = (t: string, pr = '') => `<w:tc>${pr ? `<w:tcPr>${pr}</w:tcPr>` : ''}${p(t)}</w:tc>`;
const span = (n: number) => `<w:gridSpan w:val="${n}"/>`;

function docx(body: string, extra: Record<string, string> = {}): Uint8Array {
  return zipSync({
    '[Content_Types].xml': strToU8('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'),
    'word/document.xml': strToU8(`<?xml version="1.0" encoding="UTF-8"?><w:document ${W}><w:body>${body}</w:body></w:document>`),
    ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, strToU8(v)])),
  });
}

describe('DOCX merge logic (hand-written XML)', () => {
  const body =
    p('某某县人民政府2021年政府信息公开工作年度报告', true) +
    p('正文第一段，') +
    p('表一') +
    '<w:tbl><w:tblGrid><w:gridCol/><w:gridCol/><w:gridCol/><w:gridCol/></w:tblGrid>' +
    // row 0: A spans two columns and starts a vertical merge; B; C
    `<w:tr>${tc('甲', span(2) + '<w:vMerge w:val="restart"/>')}${tc('乙')}${tc('丙', '<w:vMerge w:val="restart"/>')}</w:tr>` +
    // row 1: continues A (two columns) and C; a cell of its own between
    `<w:tr>${tc('', span(2) + '<w:vMerge/>')}${tc('1')}${tc('', '<w:vMerge w:val="continue"/>')}</w:tr>` +
    // row 2: one grid column skipped before the row (gridBefore), then three cells
    `<w:tr><w:trPr><w:gridBefore w:val="1"/></w:trPr>${tc('2')}${tc('3')}${tc('4')}</w:tr>` +
    // row 3: a nested table in the last cell
    `<w:tr>${tc('丁', span(3))}<w:tc>${p('外')}<w:tbl><w:tr>${tc('内1')}${tc('5')}</w:tr></w:tbl></w:tc></w:tr>` +
    '</w:tbl>' +
    p('结尾');
  const doc = extractDocx(docx(body, { 'docProps/core.xml': '<cp:coreProperties xmlns:cp="c" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>标题 &amp; 属性</dc:title></cp:coreProperties>' }));

  it('places every cell at its grid column, merged cells copied, with the document position', () => {
    expect(doc.problems).toEqual([]);
    expect(doc.grids.map((g) => g.index)).toEqual([1, 2]);
    const g = doc.grids[0]!;
    expect(g.caption).toBe('表一');
    expect(g.rows.map((r) => r.map((c) => c.text + (c.spanned ? '*' : '')))).toEqual([
      ['甲', '甲*', '乙', '丙'],
      ['甲*', '甲*', '1', '丙*'],
      ['', '2', '3', '4'],
      ['丁', '丁*', '丁*', '外'],
    ]);
    expect(g.rows[1]![2]!.where).toEqual({ table: 1, row: 1, col: 2 });
    expect(g.rows[2]![3]!.where).toEqual({ table: 1, row: 2, col: 3 });
  });

  it('reads a nested table as a grid of its own, and the text in reading order', () => {
    expect(doc.grids[1]!.rows.map((r) => r.map((c) => c.text))).toEqual([['内1', '5']]);
    expect(doc.grids[1]!.rows[0]![1]!.where).toEqual({ table: 2, row: 0, col: 1 });
    expect(doc.text.split('\n')).toEqual([
      '某某县人民政府2021年政府信息公开工作年度报告', '正文第一段，', '表一',
      '甲\t乙\t丙', '1', '2\t3\t4', '丁\t外', '内1\t5', '结尾',
    ]);
    expect(doc.headings).toEqual(['某某县人民政府2021年政府信息公开工作年度报告']);
    expect(doc.title).toBe('标题 & 属性');
  });

  it('leaves out deleted text and field codes, keeps inserted text, tabs and breaks', () => {
    const d = extractDocx(docx(
      '<w:p><w:r><w:t>收到</w:t></w:r><w:del><w:r><w:delText>9</w:delText></w:r></w:del><w:ins><w:r><w:t>12</w:t></w:r></w:ins>' +
      '<w:r><w:instrText> PAGE </w:instrText><w:t>件</w:t><w:tab/><w:t>完</w:t></w:r></w:p>',
    ));
    expect(d.text).toBe('收到12件 完');
  });
});

// ---------------------------------------------------------------------------------------------
// Sniffing.

describe('sniffing office files', () => {
  const docBytes = readFileSync(join(officeDir, 'zhoukou-ecology-2019.doc'));
  const xlsBytes = readFileSync(join(officeDir, 'zhoukou-ecology-2019.xls'));
  const docxBytes = readFileSync(join(officeDir, 'xihua-county-2021.docx'));
  const xlsxBytes = readFileSync(join(officeDir, 'xihua-county-2021.xlsx'));

  it('tells the containers by their contents, whatever the name', () => {
    expect(sniffKind(docxBytes, undefined, 'download.bin')).toBe('docx');
    expect(sniffKind(xlsxBytes, 'application/octet-stream', 'a.docx')).toBe('xlsx');
    expect(sniffKind(docBytes, undefined, 'file')).toBe('doc');
    expect(sniffKind(xlsBytes, undefined, 'file')).toBe('xls');
    expect(sniffKind(zipSync({ 'OFD.xml': strToU8('<ofd:OFD/>') }), undefined, 'x')).toBe('ofd');
  });

  it('tells WPS from DOC and ET from XLS by the name or the Content-Type', () => {
    expect(sniffKind(docBytes, undefined, 'report.wps')).toBe('wps');
    expect(sniffKind(docBytes, 'application/kswps', 'https://x.gov.cn/down?id=3')).toBe('wps');
    expect(sniffKind(docBytes, 'application/msword', 'https://x.gov.cn/down?id=3')).toBe('doc');
    expect(sniffKind(xlsBytes, undefined, 'report.et')).toBe('et');
    expect(sniffKind(xlsBytes, 'application/vnd.ms-excel', 'x')).toBe('xls');
  });

  it('a file named .docx that is not a ZIP goes to the DOCX reader (which says why), HTML stays HTML', () => {
    expect(sniffKind(strToU8('not a zip at all'), undefined, 'report.docx')).toBe('docx');
    expect(sniffKind(strToU8('<html><body><table><tr><td>1</td></tr></table></body></html>'), undefined, 'report.doc')).toBe('html');
  });
});

// ---------------------------------------------------------------------------------------------
// Bad input: a clear status and problem, nothing thrown.

describe('broken office files', () => {
  const codes = (r: Report) => r.problems.map((x) => x.code);

  it('a .docx that is not a valid ZIP, or a ZIP without document.xml, or cut short: error docx_corrupt', async () => {
    const cut = readFileSync(join(officeDir, 'xihua-county-2021.docx')).subarray(0, 6000);
    for (const [bytes, msg] of [
      [strToU8('not a zip at all'), /not a valid ZIP/],
      [zipSync({ 'word/other.xml': strToU8('<x/>'), 'xl/none': strToU8('') }), /no word\/document\.xml/],
      [cut, /cannot be read/],
    ] as const) {
      const r = await extractBytes(bytes, { source: 'report.docx' });
      expect(r.status).toBe('error');
      expect(codes(r)).toEqual(['docx_corrupt']);
      expect(r.problems[0]!.message).toMatch(msg);
      expect(r.kind).toBe('docx');
    }
  });

  it('a broken XLSX: error xlsx_corrupt', async () => {
    const r = await extractBytes(zipSync({ 'xl/workbook.xml': strToU8('<<<') }), { source: 'a.xlsx' });
    expect(r.status).toBe('error');
    expect(codes(r)).toEqual(['xlsx_corrupt']);
  });

  it('a DOC LibreOffice cannot open: error convert_failed', async () => {
    const r = await extractBytes(readFileSync(join(officeDir, 'broken.doc')), { source: 'samples/office/broken.doc' });
    expect(r.status).toBe('error');
    expect(r.kind).toBe('doc');
    expect(codes(r)).toEqual(['convert_failed']);
    expect(r.problems[0]!.message).toMatch(/^LibreOffice could not convert the DOC file to DOCX \(it said: .*source file could not be loaded.*\): the file is damaged or not really a DOC file$/);
  }, 60_000);

  it('an OFD: unsupported_format, with a problem', async () => {
    const r = await extractBytes(zipSync({ 'OFD.xml': strToU8('<ofd:OFD/>'), 'Doc_0/Document.xml': strToU8('<x/>') }), { source: 'a.ofd' });
    expect(r.status).toBe('unsupported_format');
    expect(codes(r)).toEqual(['unsupported_format']);
  });

  it('soffice missing: a problem saying what to install', async () => {
    const r = await extractBytes(readFileSync(join(officeDir, 'zhoukou-ecology-2019.doc')), { source: 'a.doc', soffice: join(scratch, 'no-such-soffice') });
    expect(r.status).toBe('error');
    expect(codes(r)).toEqual(['convert_unavailable']);
    expect(r.problems[0]!.message).toMatch(/apt-get install libreoffice-writer-nogui libreoffice-calc-nogui/);
  });

  it('a conversion that hangs is killed with its children within the limit, and its folder removed', async () => {
    const fake = join(scratch, 'hanging-soffice');
    const pidFile = join(scratch, 'child.pid');
    writeFileSync(fake, `#!/bin/sh\nsleep 300 &\necho $! > ${pidFile}\nwait\n`);
    chmodSync(fake, 0o755);
    const tmpRoot = mkdtempSync(join(scratch, 'tmp-'));
    const res = await convertWithLibreOffice(strToU8('x'), { from: 'doc', to: 'docx', timeoutMs: 1500, soffice: fake, tmpRoot });
    expect('problem' in res && res.problem.code).toBe('convert_timeout');
    expect(readdirSync(tmpRoot)).toEqual([]);
    // the helper soffice left running (here: sleep) was killed with the group: gone, or a zombie
    // waiting for an init that does not reap (state Z in /proc)
    const pid = Number(readFileSync(pidFile, 'utf8'));
    const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
    expect(stat === '' || / Z /.test(stat.slice(stat.lastIndexOf(')')))).toBe(true);
  });

  it('a conversion dies with nianbao: kill -9 of the process leaves no soffice (group) and no temporary folder', async () => {
    if (!existsSync(cli)) execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' });
    const fake = join(scratch, 'hanging-soffice-2');
    const pidFile = join(scratch, 'child2.pid');
    writeFileSync(fake, `#!/bin/sh\nsleep 300 &\necho $! > ${pidFile}\nwait\n`);
    chmodSync(fake, 0o755);
    const tmpRoot = mkdtempSync(join(scratch, 'tmp-'));
    const convert = pathToFileURL(join(root, 'dist', 'src', 'convert.js')).href;
    const script = `const { convertWithLibreOffice } = await import(${JSON.stringify(convert)}); await convertWithLibreOffice(new Uint8Array([120]), { from: 'doc', to: 'docx', timeoutMs: 600000, soffice: ${JSON.stringify(fake)}, tmpRoot: ${JSON.stringify(tmpRoot)} });`;
    const nb = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'ignore' });
    const until = async (cond: () => boolean) => {
      for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 100));
      return cond();
    };
    expect(await until(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '')).toBe(true);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(readdirSync(tmpRoot).length).toBe(1); // the conversion's folder
    nb.kill('SIGKILL');
    const gone = () => {
      const st = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
      return st === '' || / Z /.test(st.slice(st.lastIndexOf(')')));
    };
    expect(await until(() => gone() && readdirSync(tmpRoot).length === 0)).toBe(true);
  }, 60_000);
});

// ---------------------------------------------------------------------------------------------
// Through the command line.

describe('office files through the CLI', () => {
  it('a folder picks up DOCX, XLSX and OFD; ingest stores kind and cell positions, and the OFD bytes', () => {
    if (!existsSync(cli)) execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' });
    const dir = mkdtempSync(join(scratch, 'folder-'));
    copyFileSync(join(officeDir, 'xihua-county-2021.docx'), join(dir, 'a.docx'));
    copyFileSync(join(officeDir, 'taikang-education-2021-bad-sums.xlsx'), join(dir, 'b.xlsx'));
    writeFileSync(join(dir, 'notes.json'), '{}');
    const ofd = zipSync({ 'OFD.xml': strToU8('<ofd:OFD/>') });
    writeFileSync(join(dir, 'c.ofd'), ofd);
    const out = execFileSync(process.execPath, [cli, 'extract', '--json', dir], { cwd: root, encoding: 'utf8' });
    const lines = out.trim().split('\n').map((l) => JSON.parse(l) as Report);
    expect(lines.map((l) => [l.source.slice(dir.length + 1), l.kind, l.status])).toEqual([
      ['a.docx', 'docx', 'ok'], ['b.xlsx', 'xlsx', 'ok'], ['c.ofd', null, 'unsupported_format'],
    ]);

    const db = join(dir, 'n.db');
    execFileSync(process.execPath, [cli, 'ingest', '--db', db, dir], { cwd: root, encoding: 'utf8' });
    const conn = new Database(db, { readonly: true });
    try {
      const rows = conn.prepare(`SELECT r.kind, s.where_json FROM reports r JOIN figure_sources s ON s.report_id = r.id WHERE s.key = 'requests.new.total' ORDER BY r.kind`).all() as { kind: string; where_json: string }[];
      expect(rows.map((r) => r.kind)).toEqual(['docx', 'xlsx']);
      expect(JSON.parse(rows[0]!.where_json)).toMatchObject({ table: expect.any(Number), row: expect.any(Number), col: expect.any(Number) });
      expect(JSON.parse(rows[1]!.where_json)).toMatchObject({ sheet: 'Sheet1' });
      // the OFD is stored, bytes and all, though not read
      const kept = conn.prepare(`SELECT r.status, r.sha256 FROM reports r JOIN blobs b USING (sha256) WHERE r.source LIKE '%c.ofd'`).get() as { status: string; sha256: string };
      expect(kept.status).toBe('unsupported_format');
      expect(Buffer.compare(readBlob(conn, kept.sha256)!, Buffer.from(ofd))).toBe(0); // as stored, compressed or not (store/blobs.ts)
    } finally {
      conn.close();
    }
  }, 60_000);
});

describe('office files on the review page', () => {
  it('names the cells, offers the file for download, and never shows its bytes as text', async () => {
    const db = openReviewDb(':memory:');
    const bytes = readFileSync(join(officeDir, 'taikang-education-2021-bad-sums.docx'));
    const report = await extractBytes(bytes, { source: 'samples/office/taikang-education-2021-bad-sums.docx' });
    const { reportId } = ingestReport(db, report, bytes);
    afterIngest(db, reportId);
    const srv = await startServer(db, { port: 0 });
    try {
      const page = await (await fetch(`${srv.url}/report/${reportId}`)).text();
      expect(page).toContain('DOCX 文件不在页面中显示：有问题的格子已在上面按表、行、列列出。');
      expect(page).not.toContain('word/document.xml');
      const raw = await fetch(`${srv.url}/report/${reportId}/raw`);
      expect(raw.headers.get('content-disposition')).toBe(`attachment; filename="report-${reportId}.docx"`);
      expect(Buffer.from(await raw.arrayBuffer()).equals(bytes)).toBe(true);
    } finally {
      await srv.close();
      db.close();
    }
  });
});
