/**
 * The sample PDFs of samples/pdf (printed from HTML by scripts/make-pdf-samples.ts, figures chosen
 * there, distinct per cell) read back exactly: every figure, status, version, agency, year and the
 * failing checks of their expected files. Plus the PDF failure modes: encrypted, corrupt, truncated,
 * a scan, not a PDF; and the extractor's own promises (no spaces between CJK, numbers kept whole,
 * page provenance, page numbers dropped).
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractBytes } from '../src/extract.js';
import { extractPdf } from '../extractors/pdf.js';
import { buildPdf, encryptedPdf } from './pdf-build.js';

const DIR = path.resolve(__dirname, '../samples/pdf');
const names = readdirSync(DIR).filter((f) => f.endsWith('.expected.json')).map((f) => f.replace(/\.expected\.json$/, '')).sort();
const load = (name: string) => new Uint8Array(readFileSync(path.join(DIR, `${name}.pdf`)));

describe('sample PDFs', () => {
  it('has the samples the script writes', () => {
    expect(names).toEqual(['pdf-2019-no-lines', 'pdf-2021-no-repeat', 'pdf-2021-repeat-header', 'pdf-scan']);
  });

  for (const name of names) {
    it(`${name}.pdf reads exactly as its expected file`, async () => {
      const exp = JSON.parse(readFileSync(path.join(DIR, `${name}.expected.json`), 'utf8'));
      const r = await extractBytes(load(name), { source: `${name}.pdf` });
      expect(r.kind).toBe('pdf');
      expect(r.status).toBe(exp.status);
      expect(r.version).toBe(exp.version);
      expect(r.agency).toBe(exp.agency);
      expect(r.year).toBe(exp.year);
      expect(r.figures).toEqual(exp.figures);
      const fails = r.checks.filter((c) => c.status === 'fail').map((c) => c.id).sort();
      expect(fails).toEqual([...exp.fails].sort());
      for (const key of Object.keys(exp.figures)) {
        expect(r.provenance[key]?.where.page, key).toBeGreaterThanOrEqual(1);
        expect(r.provenance[key]?.where.bbox, key).toHaveLength(4);
      }
    }, 60_000);
  }

  it('a scan (images, no text) is no_tables with a problem that says so', async () => {
    const doc = await extractPdf(load('pdf-scan'));
    expect(doc.grids).toEqual([]);
    expect(doc.pages).toBe(1);
    expect(doc.problems.map((p) => p.code)).toEqual(['pdf_no_text_layer']);
    expect(doc.problems[0].message).toMatch(/scan/);
  }, 60_000);

  it('merges table 3 over the page break (header repeated) and joins the row the break cut in two', async () => {
    const doc = await extractPdf(load('pdf-2021-repeat-header'));
    expect(doc.headings[0]).toBe('清河县交通运输局2022年政府信息公开工作年度报告');
    expect(doc.title).toBe('清河县交通运输局2022年政府信息公开工作年度报告');
    const t3 = doc.grids.find((g) => g.rows.some((r) => r.some((c) => c.text === '（一）予以公开')))!;
    const pages = new Set(t3.rows.flatMap((r) => r.map((c) => c.where.page)));
    expect([...pages].sort()).toEqual([2, 3]);
    const label = '1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请';
    const row = t3.rows.find((r) => r.some((c) => c.text === label))!;
    expect(row.slice(-7).map((c) => c.text)).toEqual(['155', '255', '355', '455', '555', '655', '2430']);
    // one character per line down the narrow column, and header words wrapped in narrow columns
    const texts = t3.rows.flatMap((r) => r.map((c) => c.text));
    expect(texts).toContain('三、本年度办理结果');
    expect(texts).toContain('商业企业');
    expect(texts).toContain('2.其他法律行政法规禁止公开');
    expect(texts).toContain('5.要求行政机关确认或重新出具已获取信息');
    expect(texts).not.toContain('再处理其政府信息公开申请');
    // every row has the same number of columns, cells know their place
    for (const [ri, r] of t3.rows.entries()) {
      expect(r).toHaveLength(10);
      r.forEach((c, ci) => expect(c.where).toMatchObject({ table: t3.index, row: ri, col: ci }));
    }
  }, 60_000);

  it('merges table 3 over a forced break without a repeated header and drops the page number between', async () => {
    const doc = await extractPdf(load('pdf-2021-no-repeat'));
    const t3s = doc.grids.filter((g) => g.rows.some((r) => r.some((c) => /予以公开|其他处理|结转下年度/.test(c.text))));
    expect(t3s).toHaveLength(1);
    expect(doc.text).not.toMatch(/—\s*2\s*—/);
    // several tables on page 1, each with its caption
    const captions = doc.grids.map((g) => g.caption);
    expect(captions).toEqual(expect.arrayContaining(['第二十条第（一）项', '第二十条第（五）项', '第二十条第（六）项', '第二十条第（八）项']));
    const fees = doc.grids.find((g) => g.caption === '第二十条第（八）项')!;
    expect(fees.rows.map((r) => r.map((c) => c.text))).toEqual([['信息内容', '本年收费金额（单位：万元）'], ['行政事业性收费', '305.75']]);
    expect(fees.where.page).toBe(1);
  }, 60_000);

  it('rebuilds tables with no ruling lines from the text alignment', async () => {
    const doc = await extractPdf(load('pdf-2019-no-lines'));
    const g = doc.grids.find((x) => x.caption === '第二十条第（五）项')!;
    expect(g.rows.map((r) => r.map((c) => c.text))).toEqual([
      ['信息内容', '上一年项目数量', '本年增/减', '处理决定数量'],
      ['行政许可', '27', '-3', '412'],
      ['其他对外管理服务事项', '19', '4', '233'],
    ]);
    const t3 = doc.grids.find((x) => x.rows.some((r) => r.some((c) => c.text === '（六）其他处理')))!;
    const head = t3.rows.find((r) => r.some((c) => c.text === '自然人'))!;
    expect(head.slice(-7).map((c) => c.text)).toEqual(['自然人', '商业企业', '科研机构', '社会公益组织', '法律服务机构', '其他', '总计']);
    const newRow = t3.rows.find((r) => r.some((c) => c.text === '一、本年新收政府信息公开申请数量'))!;
    expect(newRow.slice(-7).map((c) => c.text)).toEqual(['2482', '4383', '6284', '8185', '10086', '11987', '43407']);
    // a group label centred over several columns is a merged cell over them, not part of one column's header
    const group = t3.rows.find((r) => r.some((c) => c.text === '申请人情况'))!;
    expect(group.slice(-7).map((c) => c.text)).toEqual(Array(7).fill('申请人情况'));
    expect(group.slice(-7).map((c) => !!c.spanned)).toEqual([false, true, true, true, true, true, true]);
    // table 4: three header levels without a single ruling line
    const t4 = doc.grids.find((x) => x.rows.some((r) => r.some((c) => c.text === '复议后起诉')))!;
    expect(t4.rows.map((r) => r.map((c) => c.text))).toEqual([
      [...Array(5).fill('行政复议'), ...Array(10).fill('行政诉讼')],
      ['', '', '', '', '', ...Array(5).fill('未经复议直接起诉'), ...Array(5).fill('复议后起诉')],
      Array(3).fill(['结果维持', '结果纠正', '其他结果', '尚未审结', '总计']).flat(),
      ['5', '7', '9', '11', '32', '15', '17', '19', '21', '72', '25', '27', '29', '31', '112'],
    ]);
  }, 60_000);
});

describe('PDF failure modes never throw', () => {
  it('an encrypted PDF is pdf_encrypted and an error report', async () => {
    const bytes = encryptedPdf();
    const doc = await extractPdf(bytes);
    expect(doc.problems.map((p) => p.code)).toEqual(['pdf_encrypted']);
    expect(doc.grids).toEqual([]);
    const r = await extractBytes(bytes, { source: 'enc.pdf' });
    expect(r.status).toBe('error');
    expect(r.problems[0].message).toMatch(/encrypted/);
  });

  it('bytes that are not a PDF, or an empty file, are pdf_corrupt', async () => {
    expect((await extractPdf(new TextEncoder().encode('%PDF-1.7\nthis is not a pdf at all'))).problems[0].code).toBe('pdf_corrupt');
    expect((await extractPdf(new Uint8Array(0))).problems[0].code).toBe('pdf_corrupt');
    expect((await extractPdf(new TextEncoder().encode('<html>hello</html>'))).problems[0].code).toBe('pdf_corrupt');
  });

  it('a truncated PDF loses nothing it can read and says what it could not', async () => {
    const full = load('pdf-2021-no-repeat');
    for (const cut of [0.05, 0.5, 0.9]) {
      const doc = await extractPdf(full.slice(0, Math.floor(full.length * cut)));
      expect(doc.kind).toBe('pdf');
      const codes = doc.problems.map((p) => p.code);
      expect(codes.some((c) => ['pdf_corrupt', 'pdf_page_error', 'pdf_no_text_layer'].includes(c)) || doc.grids.length > 0).toBe(true);
    }
  }, 60_000);

  it('leaves the caller\'s buffer intact (pdfjs would detach it)', async () => {
    const bytes = load('pdf-scan');
    const len = bytes.length;
    await extractPdf(bytes);
    expect(bytes.length).toBe(len);
    expect(bytes[0]).toBe(0x25); // '%'
  });

  it('flags a page of Latin letters in a Chinese document as garbled, with its page number', async () => {
    const chinese = '本报告由某县某局根据政府信息公开条例编制报告中所列数据统计期限自一月一日起至十二月三十一日止'.repeat(2);
    const latin = 'QwXzRtYpLkJhGfDsAmNbVcQwXzRtYpLkJhGfDsAmNbVcQwXzRtYpLkJh';
    const doc = await extractPdf(buildPdf([chinese, latin, chinese]));
    const garbled = doc.problems.filter((p) => p.code === 'pdf_garbled_text');
    expect(garbled.map((p) => p.where)).toEqual(['page 2']);
    expect(doc.pages).toBe(3);
  });

  it('maps Kangxi and supplement radicals to ordinary characters one by one, keeping full-width punctuation', async () => {
    // ⼀ U+2F00 (Kangxi 一), ⻘ U+2ED8 (supplement 青), ⼈ U+2F08 (Kangxi 人): what Type 3 and Skia-subset fonts yield
    const doc = await extractPdf(buildPdf(['\u2f00\u2ed8\u2f08（政府）：第\u2f00项']));
    expect(doc.text).toBe('一青人（政府）：第一项');
  });

  it('reports a page whose text comes out as private-use characters as garbled', async () => {
    const pdf = buildPdf(['\ue000\ue001\ue002\ue003\ue004\ue005\ue006\ue007\ue008\ue009'.repeat(3)]);
    const doc = await extractPdf(pdf);
    expect(doc.problems.map((p) => p.code)).toContain('pdf_garbled_text');
    expect(doc.problems.find((p) => p.code === 'pdf_garbled_text')!.where).toBe('page 1');
  });
});
