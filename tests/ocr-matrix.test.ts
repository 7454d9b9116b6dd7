/**
 * A few cells of the OCR fixture matrix (scripts/make-ocr-matrix.ts; the whole matrix is scored by
 * scripts/score-ocr-matrix.ts): a table screenshot at 2× (its resolution guessed from its text's
 * height), a table with light grey rulings (found in a lighter mask), and the rows and gutters a table
 * without rulings gets from its text's positions.
 */
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { extractCell } from '../scripts/score-ocr-matrix.js';
import { blankEvidence, virtualGrid } from '../extractors/ocr/layout.js';
import { settleSpans } from '../extractors/ocr/spans.js';
import { mapGrids } from '../extractors/labels.js';
import type { Cell, Grid } from '../extractors/types.js';

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

describe('printed blanks and figures not read (OCR cells)', () => {
  /** A cell's ink mask with strokes drawn in (1 = ink). */
  function cell(w: number, h: number, draw: (set: (x: number, y: number) => void) => void): Uint8Array {
    const m = new Uint8Array(w * h);
    draw((x, y) => {
      if (x >= 0 && y >= 0 && x < w && y < h) m[y * w + Math.round(x)] = 1;
    });
    return m;
  }
  const W = 60, H = 30, box: [number, number, number, number] = [0, 0, W, H];

  it('no ink, or a speck, is a printed blank', () => {
    expect(blankEvidence(new Uint8Array(W * H), W, box, 10, 96).kind).toBe('empty');
    expect(blankEvidence(cell(W, H, (set) => set(30, 15)), W, box, 10, 96).kind).toBe('empty');
  });

  it('a slash is the printed blank /, a dash the printed blank —', () => {
    const slash = blankEvidence(cell(W, H, (set) => { for (let y = 6; y < 22; y++) set(36 - (y - 6) * 0.45, y); }), W, box, 10, 96);
    expect(slash).toMatchObject({ kind: 'stroke', ch: '/' });
    const dash = blankEvidence(cell(W, H, (set) => { for (let x = 24; x < 36; x++) set(x, 15); }), W, box, 10, 96);
    expect(dash).toMatchObject({ kind: 'stroke', ch: '—' });
  });

  it('a 1 (an upright stem) and a figure are ink, not a blank', () => {
    const one = blankEvidence(cell(W, H, (set) => { for (let y = 6; y < 22; y++) set(30, y); set(29, 7); set(28, 8); }), W, box, 10, 96);
    expect(one.kind).toBe('ink');
    const eight = blankEvidence(cell(W, H, (set) => {
      for (let a = 0; a < 64; a++) {
        const t = (a / 64) * 2 * Math.PI;
        set(30 + 4 * Math.cos(t), 10 + 4 * Math.sin(t));
        set(30 + 4 * Math.cos(t), 18 + 4 * Math.sin(t));
      }
    }), W, box, 10, 96);
    expect(eight.kind).toBe('ink');
  });
});

describe('settleSpans: a spanning header over an empty column of a table ruled from its text', () => {
  it('moves the header to the column that holds its figures', () => {
    const c = (text: string, spanned = false): Cell => ({ text, where: {}, spanned, confidence: 1 });
    const g: Grid = {
      index: 1,
      aligned: true,
      where: {},
      rows: [
        [c('信息内容'), c('对外公开总数量'), c('对外公开总数量', true), c('对外公开总数量', true)],
        [c('规章'), c(''), c('43'), c('')],
        [c('规范性文件'), c(''), c('359'), c('')],
      ],
    };
    settleSpans(g);
    expect(g.rows[0].map((x) => !!x.spanned)).toEqual([false, true, false, true]);
  });

  it('leaves a column with a header of its own (all blank figures) alone', () => {
    const c = (text: string, spanned = false): Cell => ({ text, where: {}, spanned, confidence: 1 });
    const g: Grid = {
      index: 1,
      aligned: true,
      where: {},
      rows: [
        [c('申请人情况'), c('申请人情况', true)],
        [c('商业企业'), c('科研机构')],
        [c(''), c('5')],
      ],
    };
    settleSpans(g);
    expect(g.rows[0].map((x) => !!x.spanned)).toEqual([false, true]);
  });
});

describe('OCR matrix cells: nothing wrong or lost without a problem naming it', () => {
  it('dotted rules (1 px dots, restarting at each corner): the lattice is found, every figure exact or named', async () => {
    const { exp, s } = await extractCell(DIR('border-dotted-s1'));
    expect(s.wrong).toEqual([]);
    const requests = Object.keys(exp.figures).filter((k) => k.startsWith('requests.'));
    expect(requests.filter((k) => !s.exact.includes(k))).toEqual([]);
  }, T);

  it('no rulings: a figure under a spanning header is read; what is not read is named', async () => {
    const { r, s } = await extractCell(DIR('border-none-s1'));
    expect(s.wrong).toEqual([]);
    expect(r.figures['art20.rules.public_total']).toBe(43);
    expect(r.figures['art20.procurement.amount']).toBe(1541.53);
    expect(r.status).toBe('partial');
  }, T);

  it('every 0 printed as /: read as printed blanks, never as 1', async () => {
    const { r, exp, s } = await extractCell(DIR('blank-slash-s1'));
    expect(s.wrong).toEqual([]);
    expect(s.exact.length).toBe(Object.keys(exp.figures).length);
    const zeros = Object.keys(exp.figures).filter((k) => exp.figures[k] === 0);
    expect(zeros.length).toBeGreaterThan(20);
    expect(zeros.filter((k) => !['/', '／'].includes(r.provenance[k]?.text ?? ''))).toEqual([]);
  }, T);
});

describe('mapGrids: a blank beside a figure under no column (OCR)', () => {
  it('is named unreadable, not read as 0', () => {
    const c = (text: string): Cell => ({ text, where: { table: 1 }, confidence: 0.99 });
    const g: Grid = {
      index: 1,
      aligned: true,
      where: { table: 1 },
      rows: [
        [c('第二十条第（五）项'), c('第二十条第（五）项'), c('第二十条第（五）项'), c('第二十条第（五）项')],
        [c('信息内容'), c('上一年项目数量'), c('本年增/减'), c('处理决定数量')],
        [c('行政许可'), c('221'), c('+3'), c(''), c('2767')],
      ],
    };
    const m = mapGrids([g]);
    expect(m.figures['art20.licensing.prev_items']).toBe(221);
    expect(m.figures['art20.licensing.decisions']).toBeNull();
    expect(m.problems.find((p) => p.code === 'cell_unreadable')?.message).toContain('2767');
    // the same row printed with a blank and nothing stray: a printed blank
    g.rows[2].pop();
    expect(mapGrids([g]).figures['art20.licensing.decisions']).toBe(0);
  });
});

describe('virtualGrid: a header line under a spanning header, in narrow columns', () => {
  function page(w: number, h: number, words: [number, number, number, number][]): Uint8Array {
    const m = new Uint8Array(w * h);
    for (const [x0, y0, x1, y1] of words) for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x += 3) m.fill(1, y * w + x, y * w + Math.min(x1, x + 2));
    return m;
  }
  it('the lines of a page band joined by a label centred beside them are parted: the lower header line keeps its own columns', () => {
    const w = 400, h = 420;
    // label column 10..90; header words 120..159, 166..205, 212..250 (gaps of 7 px, a line under the spanning header)
    const words: [number, number, number, number][] = [[120, 10, 250, 22]]; // the spanning header
    words.push([10, 16, 90, 28]); // a label centred beside both header lines (its rows overlap)
    words.push([120, 26, 159, 38], [166, 26, 205, 38], [212, 26, 250, 38]); // the header line under it
    for (let r = 0; r < 12; r++) {
      const y = 60 + r * 30;
      words.push([10, y, 90, y + 12], [140, y, 156, y + 12], [185, y, 201, y + 12], [230, y, 246, y + 12]);
    }
    const g = virtualGrid(page(w, h, words), w, h, [], 6);
    // a rule between the first two data columns reaches up into the header line's band (y 26..38)
    const between = g.v.filter((q) => q.at > 156 && q.at < 185);
    expect(between.length).toBeGreaterThan(0);
    expect(Math.min(...between.map((q) => q.a0))).toBeLessThan(38);
  });
});
