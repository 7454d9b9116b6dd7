/**
 * What the real PDF reports of corpus/real show of the PDF reader: page provenance across a
 * page break, labels set down narrow columns, split header words. (Their figures, metadata and failing
 * checks, exactly as expected, are tests/corpus.test.ts's, through the CLI.)
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractBytes } from '../src/extract.js';
import { extractPdf } from '../extractors/pdf.js';

const CORPUS = path.resolve(__dirname, '../corpus/real');

describe('real PDF reports', () => {
  it('keeps page provenance across the page break of table 3 (huaian-hongze-2023)', async () => {
    const bytes = new Uint8Array(readFileSync(path.join(CORPUS, 'huaian-hongze-2023.pdf')));
    const r = await extractBytes(bytes, { source: 'huaian-hongze-2023.pdf' });
    expect(r.provenance['requests.new.natural'].where.page).toBe(3);
    expect(r.provenance['requests.new.natural'].text).toBe('21');
    expect(r.provenance['requests.not_processed.petition.natural'].where.page).toBe(4);
    expect(r.provenance['review.upheld'].where.page).toBe(4);
    const [x0, y0, x1, y1] = r.provenance['requests.new.natural'].where.bbox!;
    // the cell holding 21 in the 自然人 column, measured with pdftotext -bbox: x 318.7–332.8, y 481.2–495.3 (top-left origin)
    expect(x0).toBeLessThanOrEqual(318.7);
    expect(x1).toBeGreaterThanOrEqual(332.8);
    expect(y0).toBeLessThanOrEqual(481.3);
    expect(y1).toBeGreaterThanOrEqual(495.3);
  }, 60_000);

  it('reads labels set down a narrow column and header words split across lines', async () => {
    const doc = await extractPdf(new Uint8Array(readFileSync(path.join(CORPUS, 'huaian-city-2024.pdf'))));
    expect(doc.pages).toBe(6);
    expect(doc.headings.slice(0, 2)).toEqual(['淮安市人民政府', '2024 年政府信息公开工作年度报告']);
    const texts = doc.grids.flatMap((g) => g.rows.flatMap((row) => row.map((c) => c.text)));
    expect(texts).toContain('三、本年度办理结果');
    expect(texts).toContain('商业企业');
    expect(texts).toContain('社会公益组织');
    expect(texts).toContain('（二）部分公开（区分处理的，只计这一情形，不计其他情形）');
    expect(texts).toContain('1、申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请');
    // the group label cut by the page break (（四）无 | 法提供) is read whole on both pages
    expect(texts).toContain('（四）无法提供');
    expect(texts).not.toContain('法提供');
    // page numbers are dropped from the text
    expect(doc.text).not.toMatch(/^-\s*\d+\s*-$/m);
    expect(doc.problems).toEqual([]);
  }, 60_000);

  it('places the WPS vertical-font label 三、本年度办理结果 whole (huaian-hongze-2023)', async () => {
    const doc = await extractPdf(new Uint8Array(readFileSync(path.join(CORPUS, 'huaian-hongze-2023.pdf'))));
    const t3 = doc.grids.find((g) => g.rows.some((r) => r.some((c) => c.text.includes('予以公开'))))!;
    const row = t3.rows.find((r) => r.some((c) => c.text === '（一）予以公开'))!;
    expect(row[0].text).toBe('三、本年度办理结果');
    expect(row.slice(-7).map((c) => c.text)).toEqual(['0', '0', '0', '0', '0', '0', '0']);
    expect(doc.headings.slice(0, 2)).toEqual(['洪泽区人民政府', '2023 年政府信息公开工作年度报告']);
  }, 60_000);
});
