import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractDocument } from '../src/extract.js';
import { findStatements, narrativeChecks, parseNumber, proseOf } from '../src/narrative.js';

const REAL = join(__dirname, '..', 'corpus', 'real');
const SERIES = join(__dirname, '..', 'samples', 'series');

const TABLE = {
  'requests.new.total': 280,
  'requests.carried_over.total': 5,
  'requests.granted.total': 272,
  'requests.partial.total': 3,
  'requests.carried_forward.total': 0,
  'review.total': 2,
  'litigation_direct.total': 0,
  'litigation_after_review.total': 1,
};

function byId(text: string, figures: Record<string, number | null> = TABLE, year = 2022) {
  return Object.fromEntries(narrativeChecks(text, figures, '2021', { year }).map((c) => [c.id, c]));
}

describe('narrativeChecks', () => {
  it('flags 予以公开及部分公开258件 against a table of 272 + 3, quoting the sentence', () => {
    const c = byId('（二）依申请公开情况。本年度予以公开及部分公开258件，均按期答复。')['narrative.granted_partial']!;
    expect(c).toMatchObject({ status: 'fail', expected: 275, actual: 258, keys: ['requests.granted.total', 'requests.partial.total'] });
    expect(c.evidence).toBe('本年度予以公开及部分公开258件，均按期答复。');
    expect(c.reason).toContain('272');
  });

  it('quotes the whole sentence holding the figure', () => {
    const c = byId('本年度予以公开及部分公开258件，均按期答复。')['narrative.granted_partial']!;
    expect(c.evidence).toBe('本年度予以公开及部分公开258件，均按期答复。');
    // the combined statement is not also read as 部分公开258件
    expect(byId('本年度予以公开及部分公开258件，均按期答复。')['narrative.partial']).toBeUndefined();
  });

  it('passes figures that agree, with full-width digits, spaces and line breaks from PDFs', () => {
    const text = '2022 年全年共收到政府信息公开申请\n２８０ 件，上年结转5件。\n予以公开 272 件，部分公开3件，不予公开2件。\n因政府信息公开被申请行政复议\n2 起，行政诉讼1件。';
    const c = byId(text);
    expect(c['narrative.requests_new']).toMatchObject({ status: 'pass', expected: 280, actual: 280 });
    expect(c['narrative.requests_new']!.evidence).toContain('280 件');
    expect(c['narrative.carried_over']).toMatchObject({ status: 'pass', actual: 5 });
    expect(c['narrative.granted']).toMatchObject({ status: 'pass', actual: 272 });
    expect(c['narrative.partial']).toMatchObject({ status: 'pass', actual: 3 });
    expect(c['narrative.review']).toMatchObject({ status: 'pass', actual: 2 });
    expect(c['narrative.litigation']).toMatchObject({ status: 'pass', expected: 1, actual: 1 });
  });

  it('gives no check when the prose states nothing, and skips when the table lacks the figure', () => {
    expect(narrativeChecks('本机关严格落实《条例》要求，不断完善公开制度。', TABLE, '2021')).toEqual([]);
    expect(narrativeChecks('', TABLE, '2021')).toEqual([]);
    const c = byId('全年共收到政府信息公开申请12件。', {})['narrative.requests_new']!;
    expect(c.status).toBe('skipped');
    expect(c.reason).toContain('requests.new.total');
    expect(c.evidence).toBe('全年共收到政府信息公开申请12件。');
    const u = byId('全年共收到政府信息公开申请12件。', { 'requests.new.total': null })['narrative.requests_new']!;
    expect(u.status).toBe('skipped');
    expect(u.reason).toContain('unreadable');
  });

  it('does not read comparisons, subsets, other years or combined statements', () => {
    const text = [
      '申请数量较上年增加12件。',
      '2021年共收到政府信息公开申请30件。',
      '其中，通过网络受理申请20件。',
      '发生行政复议和行政诉讼案件共3件。',
      '同比下降，收到申请5件。',
      '主动公开政府信息1136条。',
      // huaian-hongze-2024.pdf: the office, on the government's behalf; the table counts 95
      '2024年，区政府办代表区政府受理政府信息公开申请17件。',
      '各部门共受理申请40件。',
      '共收到申请人补正材料3件。',
    ].join('');
    expect(findStatements(text, { year: 2022 })).toEqual([]);
  });

  it('accepts 受理…申请N件 counting the carried-over requests when the sentence says so', () => {
    const c = byId('全年共受理政府信息公开申请285件（含上年结转5件）。')['narrative.requests_new']!;
    expect(c).toMatchObject({ status: 'pass', actual: 285, expected: 285, keys: ['requests.new.total', 'requests.carried_over.total'] });
    expect(byId('全年共受理政府信息公开申请285件。')['narrative.requests_new']!.status).toBe('fail');
  });

  it('reads 未收到…申请 and 未发生…行政复议 as zero', () => {
    const c = byId('本年度未收到政府信息公开申请，未发生政府信息公开行政复议。', { 'requests.new.total': 0, 'review.total': 0 });
    expect(c['narrative.requests_new']).toMatchObject({ status: 'pass', actual: 0 });
    expect(c['narrative.review']).toMatchObject({ status: 'pass', actual: 0 });
  });

  it('parses small Chinese numerals and thousands separators', () => {
    expect(parseNumber('二十一')).toBe(21);
    expect(parseNumber('十')).toBe(10);
    expect(parseNumber('3,119')).toBe(3119);
    expect(parseNumber('三百')).toBeNull();
    // PDF lines run on across a page number; a heading ends its sentence.
    expect(proseOf('进一步规范依申请公开流程，畅通依申请公开受理渠道\n-1-\n全年受理申请21件。')).toBe('进一步规范依申请公开流程，畅通依申请公开受理渠道全年受理申请21件。');
    expect(proseOf('一、总体情况\n本年度共收到申请3件。')).toBe('一、总体情况\u2029本年度共收到申请3件。');
  });
});

describe('prose checks on real and sample documents', () => {
  it('huaian-hongze-2023.pdf: 受理政府信息公开申请 21 件 agrees with table 3', async () => {
    const bytes = readFileSync(join(REAL, 'huaian-hongze-2023.pdf'));
    const { report, text } = await extractDocument(bytes, { source: 'huaian-hongze-2023.pdf' });
    const checks = narrativeChecks(text, report.figures, report.version, { year: report.year });
    expect(checks.map((c) => [c.id, c.status, c.expected, c.actual])).toEqual([['narrative.requests_new', 'pass', 21, 21]]);
    expect(checks[0]!.evidence).toMatch(/受理政府信息公开申请\s*21\s*件/);
  }, 60_000);

  it('huaian-city-2024.pdf: five statements, all agreeing', async () => {
    const bytes = readFileSync(join(REAL, 'huaian-city-2024.pdf'));
    const { report, text } = await extractDocument(bytes, { source: 'huaian-city-2024.pdf' });
    const checks = narrativeChecks(text, report.figures, report.version, { year: report.year });
    expect(Object.fromEntries(checks.map((c) => [c.id, [c.status, c.actual]]))).toEqual({
      'narrative.requests_new': ['pass', 3119],
      'narrative.carried_over': ['pass', 34],
      'narrative.carried_forward': ['pass', 103],
      'narrative.review': ['pass', 351],
      'narrative.litigation': ['pass', 46],
    });
  }, 60_000);

  it('samples/series 2022: the prose says 258 where the table gives 272 + 3', async () => {
    const p = join(SERIES, 'xihua-culture-2022.html');
    const { report, text } = await extractDocument(readFileSync(p), { source: p });
    const c = narrativeChecks(text, report.figures, report.version, { year: report.year }).find((x) => x.id === 'narrative.granted_partial')!;
    expect(c).toMatchObject({ status: 'fail', expected: 275, actual: 258 });
    expect(c.evidence).toBe('2022年，共收到政府信息公开申请300件，上年结转3件，予以公开及部分公开258件。');
  });
});
