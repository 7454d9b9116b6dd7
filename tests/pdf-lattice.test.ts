/**
 * The lattice rebuild on hand-made PDFs whose geometry is known exactly: ruling lines drawn as
 * strokes and as thin filled rectangles under a transformation matrix, a text item holding two
 * cells' numbers (`7 8`), a merged cell, and bbox provenance with the origin at the top left.
 */
import { describe, expect, it } from 'vitest';
import { extractPdf } from '../extractors/pdf.js';
import { rawPdf } from './pdf-build.js';

// A 3-column, 3-row table in a coordinate system moved by `cm` (x+50, y+100):
// columns x 50..150..250..350, rows y (PDF, bottom-up) 700..680..660..640 → top-left y 142..162..182..202.
const TABLE = [
  'q 1 0 0 1 50 100 cm',
  '0.5 w',
  // horizontal rulings: two stroked, two as thin filled rectangles (Chromium/WPS style)
  '0 600 m 300 600 l S',
  '0 579.8 300 0.4 re f',
  '0 560 m 300 560 l S',
  '0 539.8 300 0.4 re f',
  // vertical rulings; the one at x=100 is missing in the top row (a merged header cell over columns 1-2)
  '0 540 m 0 600 l S',
  '99.8 540 0.4 40 re f',
  '200 540 m 200 600 l S',
  '300 540 m 300 600 l S',
  'Q',
].join('\n');

const TEXT = [
  'BT /F1 10 Tf 60 686 Td (Merged header) Tj ET',
  'BT /F1 10 Tf 260 686 Td (Total) Tj ET',
  'BT /F1 10 Tf 60 666 Td (1234) Tj ET',
  'BT /F1 10 Tf 160 666 Td (56) Tj ET',
  'BT /F1 10 Tf 260 666 Td (90) Tj ET',
  // one text item, two cells: the word spacing pushes the 8 over the ruling at x=150
  'BT /F1 10 Tf 120 646 Td 40 Tw (7 8) Tj ET',
  'BT /F1 10 Tf 260 646 Td (15) Tj ET',
].join('\n');

describe('lattice tables from ruling lines', () => {
  it('splits a text item over two cells, keeps numbers whole, expands a merged cell', async () => {
    const doc = await extractPdf(rawPdf([`${TABLE}\n${TEXT}`]));
    expect(doc.problems).toEqual([]);
    expect(doc.grids).toHaveLength(1);
    const g = doc.grids[0];
    expect(g.aligned).toBe(true);
    expect(g.rows.map((r) => r.map((c) => c.text))).toEqual([
      ['Merged header', 'Merged header', 'Total'],
      ['1234', '56', '90'],
      ['7', '8', '15'],
    ]);
    expect(g.rows[0].map((c) => !!c.spanned)).toEqual([false, true, false]);
    // provenance: page 1, cell boxes in PDF points from the top-left corner
    const c = g.rows[1][1];
    expect(c.where).toMatchObject({ table: 1, row: 1, col: 1, page: 1 });
    const [x0, y0, x1, y1] = c.where.bbox!;
    expect(x0).toBeCloseTo(150, 0);
    expect(x1).toBeCloseTo(250, 0);
    expect(y0).toBeCloseTo(162, 0);
    expect(y1).toBeCloseTo(182, 0);
    expect(g.rows[0][0].where.bbox![2]).toBeCloseTo(250, 0); // the merged cell spans both columns
    expect(g.where.page).toBe(1);
    expect(doc.text.split('\n')).toEqual(['Merged header\t\tTotal', '1234\t56\t90', '7\t8\t15']);
  });

  it('merges a table continued on the next page (columns aligned, no header repeated) and drops the page number', async () => {
    const page1 = `${TABLE}\n${TEXT}\nBT /F1 10 Tf 290 40 Td (- 1 -) Tj ET`;
    const page2 = [
      'q 1 0 0 1 50 100 cm 0.5 w',
      '0 700 m 300 700 l S 0 680 m 300 680 l S',
      '0 680 m 0 700 l S 100 680 m 100 700 l S 200 680 m 200 700 l S 300 680 m 300 700 l S',
      'Q',
      'BT /F1 10 Tf 60 786 Td (42) Tj ET BT /F1 10 Tf 160 786 Td (43) Tj ET BT /F1 10 Tf 260 786 Td (85) Tj ET',
    ].join('\n');
    const doc = await extractPdf(rawPdf([page1, page2]));
    expect(doc.pages).toBe(2);
    expect(doc.grids).toHaveLength(1);
    const rows = doc.grids[0].rows;
    expect(rows.map((r) => r.map((c) => c.text))).toEqual([
      ['Merged header', 'Merged header', 'Total'],
      ['1234', '56', '90'],
      ['7', '8', '15'],
      ['42', '43', '85'],
    ]);
    expect(rows[3].map((c) => c.where.page)).toEqual([2, 2, 2]);
    expect(rows[3][0].where.row).toBe(3);
    expect(doc.text).not.toMatch(/- 1 -/);
  });
});

describe('tables across a page break with a running footer and header', () => {
  it('still merges the parts when a footer and a header stand between them', async () => {
    const rows = (y0: number, n: number) => {
      const lines: string[] = ['0.5 w'];
      for (let r = 0; r <= n; r++) lines.push(`100 ${y0 - 20 * r} m 400 ${y0 - 20 * r} l S`);
      for (const x of [100, 200, 300, 400]) lines.push(`${x} ${y0 - 20 * n} m ${x} ${y0} l S`);
      return lines.join('\n');
    };
    const cell = (x: number, y: number, t: string) => `BT /F1 10 Tf ${x} ${y} Td (${t}) Tj ET`;
    const page1 = [rows(120, 2), cell(110, 106, 'Label'), cell(210, 106, 'A'), cell(310, 106, 'B'), cell(110, 86, 'row1'), cell(210, 86, '11'), cell(310, 86, '12'),
      cell(250, 30, 'Footer of the report')].join('\n');
    const page2 = [cell(250, 812, 'Running header'), rows(780, 1), cell(110, 766, 'row2'), cell(210, 766, '21'), cell(310, 766, '22')].join('\n');
    const doc = await extractPdf(rawPdf([page1, page2]));
    expect(doc.grids).toHaveLength(1);
    expect(doc.grids[0].rows.map((r) => r.map((c) => c.text))).toEqual([
      ['Label', 'A', 'B'],
      ['row1', '11', '12'],
      ['row2', '21', '22'],
    ]);
    // the footer and header are kept in the text (they are not page numbers)
    expect(doc.text).toContain('Footer of the report');
  });
});

describe('numbers are never split', () => {
  it('keeps a number that overflows its cell across a ruling in one cell', async () => {
    const grid = ['0.5 w', '100 700 m 400 700 l S', '100 680 m 400 680 l S', '100 660 m 400 660 l S',
      ...[100, 200, 230, 400].map((x) => `${x} 660 m ${x} 700 l S`)].join('\n');
    // 3985758 starts in the narrow middle column (200–230) and runs past its right ruling
    const text = ['BT /F1 10 Tf 110 686 Td (Label) Tj ET', 'BT /F1 10 Tf 203 686 Td (N) Tj ET', 'BT /F1 10 Tf 240 686 Td (Other) Tj ET',
      'BT /F1 10 Tf 110 666 Td (Fines) Tj ET', 'BT /F1 10 Tf 203 666 Td (3985758) Tj ET'].join('\n');
    const doc = await extractPdf(rawPdf([`${grid}\n${text}`]));
    expect(doc.grids[0].rows.map((r) => r.map((c) => c.text))).toEqual([
      ['Label', 'N', 'Other'],
      ['Fines', '3985758', ''],
    ]);
  });
});

describe('scanned pages', () => {
  const image = 'q 200 0 0 200 100 400 cm BI /W 2 /H 2 /CS /G /BPC 8 ID \x80\x40\x20\x10 EI Q';
  it('a page that is only an image, in a document with text, is named', async () => {
    const doc = await extractPdf(rawPdf(['BT /F1 12 Tf 72 720 Td (Some text on page one) Tj ET', image]));
    expect(doc.problems.map((p) => [p.code, p.where])).toEqual([['pdf_page_no_text', 'page 2']]);
    expect(doc.text).toBe('Some text on page one');
  });
  it('a document of images only has no text layer', async () => {
    const doc = await extractPdf(rawPdf([image, image]));
    expect(doc.problems.map((p) => p.code)).toEqual(['pdf_no_text_layer']);
    expect(doc.problems[0].message).toMatch(/2 page\(s\) of images/);
  });
});
