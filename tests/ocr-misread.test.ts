/**
 * Confirmation by arithmetic (src/ocr-misread.ts), on the figures of a sample report as if OCR had
 * read them: a misread digit that one reading explains is corrected and said so; a failure no
 * misreading explains stays a failure; a report not read by OCR is left alone.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { runChecks, type Figures } from '../src/checks.js';
import { readingsOf, resolveMisreads, unconfirmedReadings } from '../src/ocr-misread.js';
import type { FigureSource } from '../src/report.js';
import type { Grid } from '../extractors/types.js';

const sample = JSON.parse(readFileSync(new URL('../samples/taikang-finance-2021-captions.expected.json', import.meta.url), 'utf8')) as { figures: Figures };
const opts = { version: '2021' as const, otherAsOneRow: false };

/** Provenance as OCR would give it: every figure's text, a confidence, a cell in grid 1. */
function ocrProvenance(figures: Figures, confidence = 0.99, ocr = true): Record<string, FigureSource> {
  const p: Record<string, FigureSource> = {};
  Object.keys(figures).forEach((k, i) => {
    p[k] = { text: String(figures[k]), blank: false, table: 3, grid: 1, row_label: k.split('.').slice(1, -1).join('.'), col_label: k.split('.').pop()!, where: { table: 1, row: i, col: 0, page: 1, bbox: [0, 0, 1, 1] }, ...(ocr ? { ocr: true, confidence } : {}) };
  });
  return p;
}

const noGrids: Grid[] = [];

describe('resolveMisreads', () => {
  it('the sample adds up as printed', () => {
    expect(runChecks(sample.figures, opts).filter((c) => c.status === 'fail')).toEqual([]);
  });

  it('corrects a digit misread when exactly one reading makes every check involving it pass', () => {
    // 11 read as 17 (a 1 and a 7 look alike)
    const figures = { ...sample.figures, 'requests.granted.natural': 17 };
    const prov = ocrProvenance(figures);
    prov['requests.granted.natural'] = { ...prov['requests.granted.natural'], text: '17', confidence: 0.61 };
    const checks = runChecks(figures, opts);
    expect(checks.filter((c) => c.status === 'fail').map((c) => c.id).sort()).toEqual(['requests.row_sum.granted', 'requests.total.natural']);
    const r = resolveMisreads(figures, prov, checks, noGrids, opts);
    expect(r.corrected).toEqual(['requests.granted.natural']);
    expect(r.figures['requests.granted.natural']).toBe(11);
    // provenance keeps what OCR read, and says the figure was inferred
    expect(r.provenance['requests.granted.natural']).toMatchObject({ text: '17', ocr_read: 17, ocr_corrected: true, ocr: true });
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0].code).toBe('ocr_misread');
    expect(r.problems[0].message).toContain('OCR read "17" (confidence 0.61)');
    expect(r.problems[0].message).toContain('"11"');
    expect(r.problems[0].message).toContain('not what OCR read');
    expect(r.problems[0].where).toBe('table 3, row granted, column natural');
    expect(runChecks(r.figures, opts).filter((c) => c.status === 'fail')).toEqual([]);
  });

  it("prefers the recogniser's own runner-up reading of the cell", () => {
    const figures = { ...sample.figures, 'requests.new.natural': 238 }; // 288 read as 238
    const prov = ocrProvenance(figures);
    prov['requests.new.natural'] = { ...prov['requests.new.natural'], text: '238', confidence: 0.55 };
    const grids: Grid[] = [{ index: 1, aligned: true, where: { table: 1 }, rows: [] }];
    const at = prov['requests.new.natural'].where.row!;
    grids[0].rows[at] = [{ text: '238', where: {}, confidence: 0.55, alternatives: ['288', '236'] }];
    const r = resolveMisreads(figures, prov, runChecks(figures, opts), grids, opts);
    expect(r.figures['requests.new.natural']).toBe(288);
    expect(r.problems.map((p) => p.code)).toEqual(['ocr_misread']);
  });

  it('a failure no one-digit misreading explains stays a real failure', () => {
    // review.total printed 129 where its parts add up to 29: no one-digit change of any figure fixes it
    const figures = { ...sample.figures, 'review.total': (sample.figures['review.total'] as number) + 100 };
    const prov = ocrProvenance(figures);
    prov['review.total'] = { ...prov['review.total'], text: String(figures['review.total']) };
    const checks = runChecks(figures, opts);
    expect(checks.find((c) => c.id === 'review.total')?.status).toBe('fail');
    const r = resolveMisreads(figures, prov, checks, noGrids, opts);
    expect(r.corrected).toEqual([]);
    expect(r.figures).toEqual(figures);
    expect(r.problems).toEqual([]);
    // the same reading with a low confidence is named as doubtful, and still not changed
    prov['review.total'] = { ...prov['review.total'], confidence: 0.3 };
    const low = resolveMisreads(figures, prov, checks, noGrids, opts);
    expect(low.figures).toEqual(figures);
    expect(low.problems.map((p) => p.code)).toEqual(['ocr_low_confidence']);
    expect(low.problems[0].message).toContain('review.total');
  });

  it('leaves a report not read by OCR alone', () => {
    const figures = { ...sample.figures, 'requests.granted.natural': 17 };
    const r = resolveMisreads(figures, ocrProvenance(figures, 1, false), runChecks(figures, opts), noGrids, opts);
    expect(r.problems).toEqual([]);
    expect(r.figures['requests.granted.natural']).toBe(17);
  });

  it('one-digit readings come from the confusion table of digit shapes', () => {
    expect(readingsOf('17')).toEqual(expect.arrayContaining(['77', '47', '11', '12']));
    expect(readingsOf('8')).toEqual(['3', '0', '6', '9', '5']);
    // never a number with a leading zero
    expect(readingsOf('80')).not.toContain('00');
    expect(readingsOf('3', ['8'])[0]).toBe('8');
  });
});

describe('resolveMisreads, when a check cannot confirm', () => {
  it('does not correct a figure whose other check is skipped (another misread figure can balance one check)', () => {
    // granted.natural misread 11 → 1 makes the natural column short by 10; partial.natural 21 read as 31
    // would balance that column, but its row check is skipped (an unreadable cell in the row)
    const figures: Figures = { ...sample.figures, 'requests.granted.natural': 1, 'requests.partial.commercial': null };
    const prov = ocrProvenance(figures);
    prov['requests.granted.natural'] = { ...prov['requests.granted.natural'], text: '1', confidence: 0.86 };
    const r = resolveMisreads(figures, prov, runChecks(figures, opts), noGrids, opts);
    expect(r.corrected).toEqual([]);
    expect(r.figures['requests.partial.natural']).toBe(21);
    expect(r.problems.find((p) => p.code === 'ocr_low_confidence')?.where).toBe('table 3, row granted, column natural');
  });
});

describe('unconfirmedReadings', () => {
  it('names a low-confidence figure that no check covers (table 2), not one its passing checks confirm', () => {
    const figures: Figures = { ...sample.figures, 'art20.rules.in_force': 13 };
    const prov = ocrProvenance(figures);
    prov['art20.rules.in_force'] = { ...prov['art20.rules.in_force'], text: '13', confidence: 0.78 };
    // a request figure read as unsure, but every check it is in passes: confirmed, not named
    prov['requests.granted.natural'] = { ...prov['requests.granted.natural'], confidence: 0.7 };
    const checks = runChecks(figures, opts);
    const ps = unconfirmedReadings(figures, prov, checks, []);
    expect(ps.map((p) => p.code)).toEqual(['ocr_low_confidence']);
    expect(ps[0].message).toContain('art20.rules.in_force');
    expect(ps[0].message).toContain('"13"');
  });

  it('names nothing read with confidence', () => {
    const prov = ocrProvenance(sample.figures, 0.99);
    expect(unconfirmedReadings(sample.figures, prov, runChecks(sample.figures, opts), [])).toEqual([]);
  });
});
