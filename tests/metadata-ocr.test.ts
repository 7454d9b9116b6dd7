/**
 * Issue 17 item 5: the document's own words from the picture. A scan's title is read by OCR, often
 * with misread characters in its large type (平潭 → 平训, 年度报告 → 年告); the title is still found
 * near the top (a year followed by words within a few edits of 政府信息公开工作年度报告), its agency
 * taken as the text (smaller, surer type) spells it, and the doubt named in a problem.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readMetadata } from '../extractors/metadata.js';

const BODY = [
  '本报告根据《中华人民共和国政府信息公开条例》（国务院令第711号）等文件要求，汇总平潭综合实验区各有关单位政府信息公开工作情况编制而成。',
  '本报告中所列数据的统计期限自2023年1月1日起至2023年12月31日止。如对本报告有任何疑问，请与平潭综合实验区管委会办公室联系。',
  '一、总体情况',
  '2023年，平潭综合实验区坚持以习近平新时代中国特色社会主义思想为指导，持续推进基层政务公开标准化规范化。',
  '（一）主动公开方面。切实落实国务院办公厅、省政府办公厅关于政务公开工作有关要求，坚持应公开尽公开，持续推进基础信息公开、深化重点领域信息公开，全年共主动公开政府信息13561条。',
  '（二）依申请公开方面。持续强化服务理念，严格按照《条例》要求，做好申请公开登记、审核、办理、答复、归档等各项工作，增强答复内容的针对性、规范性，进一步提高答复质量和群众满意度。',
].join('\n');

describe('a title read by OCR with misread characters', () => {
  const title = '平训综合实验区2023年旧非政府信息公开工作年告';

  it('is the title; the agency is spelled as the text spells it; the year from the title', () => {
    const meta = readMetadata({ headings: [title], text: `${title}\n${BODY}`, ocr: true });
    expect(meta.title).toBe(title);
    expect(meta.agency).toBe('平潭综合实验区');
    expect(meta.year).toBe(2023);
    expect(meta.isReport).toBe(true);
    const p = meta.problems.find((x) => x.code === 'title_misread');
    expect(p?.message).toContain('its agency "平训综合实验区" is "平潭综合实验区" as the text spells it');
    expect(meta.problems.map((x) => x.code)).not.toContain('agency_missing');
  });

  it('keeps the agency as read when the text does not spell it otherwise', () => {
    const meta = readMetadata({ headings: ['兰考县民政局2022年政府信息公开工作年度报吿'], text: BODY.replace(/平潭综合实验区/g, '本单位'), ocr: true });
    expect(meta.agency).toBe('兰考县民政局');
    expect(meta.year).toBe(2022);
  });

  it('is not taken from text that was not read by OCR (a page keeps its exact rules)', () => {
    const meta = readMetadata({ headings: [title], text: `${title}\n${BODY}` });
    expect(meta.title).toBeNull();
    expect(meta.problems.map((x) => x.code)).not.toContain('title_misread');
  });

  it('does not take a line whose words are far from the report name', () => {
    const meta = readMetadata({ headings: ['平潭综合实验区2023年工作要点'], text: BODY, ocr: true });
    expect(meta.title).toBeNull();
  });
});

describe('the OCR text of a real scan (scan-pingtan-2023-150dpi.pdf, as the recogniser read it)', () => {
  const fixture = new URL('./fixtures/metadata/ocr-pingtan-2023.json', import.meta.url);
  it.skipIf(!existsSync(fixture))('has agency and year', () => {
    const doc = JSON.parse(readFileSync(fixture, 'utf8')) as { headings: string[]; text: string; ocr: boolean };
    const meta = readMetadata(doc);
    expect(meta.agency).toBe('平潭综合实验区');
    expect(meta.year).toBe(2023);
  });
});

describe('a scan whose title is only in the picture (samples/ocr/title-scan.pdf, scripts/make-title-scan.ts)', () => {
  it('has agency, year and place from the OCR text', async () => {
    const { extractBytes } = await import('../src/extract.js');
    const bytes = new Uint8Array(readFileSync(new URL('../samples/ocr/title-scan.pdf', import.meta.url)));
    const r = await extractBytes(bytes, { source: 'title-scan.pdf' });
    expect(r.ocr).toBe(true);
    expect(r.kind).toBe('pdf');
    // the page has no text layer: every word was read from the picture
    expect(r.problems.map((p) => p.code)).not.toContain('agency_missing');
    expect(r.agency).toBe('西华县人民政府');
    expect(r.year).toBe(2021);
    expect(r.title).toMatch(/2021/);
    expect(r.place?.county?.name ?? JSON.stringify(r.place)).toContain('西华');
  }, 180_000);
});
