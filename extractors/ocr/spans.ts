/**
 * Grids read by OCR, after assembly: spans settled where a table ruled from its text's positions put
 * a header's origin over an empty column.
 */
import type { Grid } from '../types.js';

const FIGURE = /^[+\-−]?[0-9][0-9,，.]*%?$|…$/;

/**
 * A header cell spanning columns whose first column holds no figure in any row while a later one
 * does (a table ruled from its text's positions: 对外公开总数量 spans three columns cut by other rows'
 * gutters, its figures stand in the middle one): the header's own place is the first column with
 * figures, so the mapper reads them and not the empty column's blank. Only when the empty column has
 * no text of its own.
 */
export function settleSpans(g: Grid): void {
  const width = Math.max(0, ...g.rows.map((r) => r.length));
  const figureIn = (c: number) => g.rows.some((r) => r[c] && !r[c].spanned && FIGURE.test(r[c].text.trim()));
  for (let c = 0; c + 1 < width; c++) {
    if (figureIn(c)) continue;
    // rows whose cell here is a span's origin going on into the next column
    const origins = g.rows.filter((r) => r[c] && !r[c].spanned && r[c].text.trim() !== '' && r[c + 1]?.spanned && r[c + 1].text === r[c].text);
    if (!origins.length) continue;
    // no other text of its own in the column
    if (g.rows.some((r) => r[c] && !r[c].spanned && r[c].text.trim() !== '' && !origins.includes(r))) continue;
    // the span's figures: a later column it covers
    let d = c + 1;
    while (d < width && !figureIn(d) && origins.every((r) => r[d]?.spanned && r[d].text === r[c].text)) d++;
    if (d >= width || !figureIn(d) || !origins.every((r) => r[d]?.spanned && r[d].text === r[c].text)) continue;
    for (const r of origins) {
      for (let k = c; k < d; k++) r[k].spanned = true;
      r[d].spanned = false;
    }
  }
}
