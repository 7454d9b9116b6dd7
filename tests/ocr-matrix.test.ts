/**
 * A few cells of the OCR fixture matrix (scripts/make-ocr-matrix.ts; the whole matrix is scored by
 * scripts/score-ocr-matrix.ts): a table screenshot at 2× (its resolution guessed from its text's
 * height), a table with light grey rulings (found in a lighter mask), and the rows and gutters a table
 * without rulings gets from its text's positions.
 */
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { extractCell } from '../scripts/score-ocr-matrix.js';
import { virtualGrid } from '../extractors/ocr/layout.js';

const DIR = (id: string) => fileURLToPath(new URL(`./fixtures/ocr-matrix/${id}`, import.meta.url));
const T = 180_000;

describe('OCR matrix cells (tuning seed)', () => {
  it('a 2× screenshot of the tables (about 192 ppi, no density in the PNG): every figure exact', async () => {
    const { r, exp, s } = await extractCell(DIR('scale-2-s1'));
    expect(s.wrong).toEqual([]);
    expect(s.exact.length).toBe(Object.keys(exp.figures).length);
    expect(r.ocr).toBe(true);
  }, T);

  it('light grey rulings (#c4c4c4): the request table is read, every one of its figures exact', async () => {
    const { exp, s } = await extractCell(DIR('border-grey-s1'));
    const requests = Object.keys(exp.figures).filter((k) => k.startsWith('requests.'));
    expect(requests.length).toBeGreaterThan(100);
    expect(requests.filter((k) => !s.exact.includes(k))).toEqual([]);
  }, T);
});

describe('virtualGrid: a table printed without rulings', () => {
  /** An ink mask with word boxes drawn solid. */
  function page(w: number, h: number, words: [number, number, number, number][]): Uint8Array {
    const m = new Uint8Array(w * h);
    for (const [x0, y0, x1, y1] of words) for (let y = y0; y < y1; y++) m.fill(1, y * w + x0, y * w + x1);
    return m;
  }

  it('gutters become vertical rules, blank gaps between rows horizontal ones; a spanning title stays one cell', () => {
    const w = 400, h = 200;
    const words: [number, number, number, number][] = [[120, 10, 280, 24]]; // a title across the columns
    for (let r = 0; r < 4; r++) {
      const y = 40 + r * 30;
      words.push([20, y, 110, y + 14], [180, y, 210, y + 14], [300, y, 330, y + 14]);
    }
    const g = virtualGrid(page(w, h, words), w, h, [], 6);
    const xs = [...new Set(g.v.map((q) => q.at))].sort((a, b) => a - b);
    // the frame and a rule in each of the two gutters (110..180 and 210..300)
    expect(xs.length).toBe(4);
    expect(xs[1]).toBeGreaterThan(110);
    expect(xs[1]).toBeLessThan(180);
    expect(xs[2]).toBeGreaterThan(210);
    expect(xs[2]).toBeLessThan(300);
    // the inner rules start below the title's row
    for (const q of g.v.filter((q) => q.at === xs[1] || q.at === xs[2])) expect(q.a0).toBeGreaterThan(24);
    // a rule between every two rows, plus top and bottom
    expect(g.h.length).toBe(6);
  });

  it('prose (one run of words a line) is no table', () => {
    const w = 400, h = 120;
    const words: [number, number, number, number][] = [];
    for (let r = 0; r < 5; r++) words.push([10, 10 + r * 20, 390, 24 + r * 20]);
    const g = virtualGrid(page(w, h, words), w, h, [], 6);
    expect(g.v).toEqual([]);
  });
});
