/**
 * Table reconstruction for the PDF extractor.
 *
 * - Lattice tables: from ruling lines (horizontal and vertical segments that touch form one table),
 *   a cell lattice is built from the clustered line positions; two lattice cells with no ruling
 *   between them are one merged cell (a Region). Every glyph goes to the region under its centre,
 *   so an item holding several cells' text (`0 0 0`, `1 2`) is split by x position, while the
 *   digits of one number (all inside one cell) stay together.
 * - Text tables (no ruling lines): rows from visual lines, columns from the x extents of the
 *   numbers in the data rows.
 */
import { cluster, covered, DSU, locate, type Rulings, type Seg } from './pdf-geometry.js';
import { joinLines, lineText, toLines, type Glyph, type Line } from './pdf-text.js';

export type BBox = [number, number, number, number];

/** A cell of the part, possibly merged over several lattice rows/columns (r1, c1 exclusive). */
export interface Region {
  r0: number;
  r1: number;
  c0: number;
  c1: number;
  bbox: BBox;
  glyphs: Glyph[];
  text: string;
}

/** One table, or the piece of it on one page. */
export interface Part {
  page: number;
  kind: 'lattice' | 'text';
  /** Column boundaries, ascending (nc + 1 values). */
  xs: number[];
  /** Row boundaries, ascending (nr + 1 values). */
  ys: number[];
  nr: number;
  nc: number;
  regionOf: Int32Array;
  regions: Region[];
  bbox: BBox;
}

const TOUCH = 3;

/** Find lattice tables in a page's rulings. */
export function latticeParts(r: Rulings, page: number): Part[] {
  const { h, v } = r;
  const n = h.length + v.length;
  if (h.length < 2 || v.length < 2) return [];
  const dsu = new DSU(n);
  for (let i = 0; i < h.length; i++) {
    const hs = h[i];
    for (let j = 0; j < v.length; j++) {
      const vs = v[j];
      if (vs.at >= hs.a0 - TOUCH && vs.at <= hs.a1 + TOUCH && hs.at >= vs.a0 - TOUCH && hs.at <= vs.a1 + TOUCH) dsu.union(i, h.length + j);
    }
  }
  const comps = new Map<number, { h: Seg[]; v: Seg[] }>();
  for (let i = 0; i < n; i++) {
    const root = dsu.find(i);
    let c = comps.get(root);
    if (!c) comps.set(root, (c = { h: [], v: [] }));
    if (i < h.length) c.h.push(h[i]);
    else c.v.push(v[i - h.length]);
  }
  const parts: Part[] = [];
  for (const c of comps.values()) {
    if (c.h.length < 2 || c.v.length < 2) continue;
    let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
    for (const s of c.h) {
      minX = Math.min(minX, s.a0);
      maxX = Math.max(maxX, s.a1);
      minY = Math.min(minY, s.at);
      maxY = Math.max(maxY, s.at);
    }
    for (const s of c.v) {
      minY = Math.min(minY, s.a0);
      maxY = Math.max(maxY, s.a1);
      minX = Math.min(minX, s.at);
      maxX = Math.max(maxX, s.at);
    }
    const xs = withEdges(cluster(c.v.map((s) => s.at), 2.5), minX, maxX);
    const ys = withEdges(cluster(c.h.map((s) => s.at), 2.5), minY, maxY);
    const nc = xs.length - 1;
    const nr = ys.length - 1;
    if (nc < 2 || nr < 1) continue;
    const dsuC = new DSU(nr * nc);
    for (let ri = 0; ri < nr; ri++) {
      for (let ci = 1; ci < nc; ci++) {
        if (!covered(c.v, xs[ci], ys[ri], ys[ri + 1])) dsuC.union(ri * nc + ci - 1, ri * nc + ci);
      }
    }
    for (let ri = 1; ri < nr; ri++) {
      for (let ci = 0; ci < nc; ci++) {
        if (!covered(c.h, ys[ri], xs[ci], xs[ci + 1])) dsuC.union((ri - 1) * nc + ci, ri * nc + ci);
      }
    }
    const regionOf = new Int32Array(nr * nc).fill(-1);
    const regions: Region[] = [];
    const byRoot = new Map<number, number>();
    for (let ri = 0; ri < nr; ri++) {
      for (let ci = 0; ci < nc; ci++) {
        const root = dsuC.find(ri * nc + ci);
        let k = byRoot.get(root);
        if (k === undefined) {
          k = regions.length;
          byRoot.set(root, k);
          regions.push({ r0: ri, r1: ri + 1, c0: ci, c1: ci + 1, bbox: [0, 0, 0, 0], glyphs: [], text: '' });
        }
        const reg = regions[k];
        reg.r0 = Math.min(reg.r0, ri);
        reg.r1 = Math.max(reg.r1, ri + 1);
        reg.c0 = Math.min(reg.c0, ci);
        reg.c1 = Math.max(reg.c1, ci + 1);
        regionOf[ri * nc + ci] = k;
      }
    }
    for (const reg of regions) reg.bbox = [xs[reg.c0], ys[reg.r0], xs[reg.c1], ys[reg.r1]];
    parts.push({ page, kind: 'lattice', xs, ys, nr, nc, regionOf, regions, bbox: [minX, minY, maxX, maxY] });
  }
  parts.sort((a, b) => a.bbox[1] - b.bbox[1] || a.bbox[0] - b.bbox[0]);
  return parts;
}

function withEdges(vals: number[], lo: number, hi: number): number[] {
  const out = [...vals];
  if (!out.length || out[0] - lo > 2.5) out.unshift(lo);
  if (out[out.length - 1] < hi - 2.5) out.push(hi);
  return out;
}

/** Put each glyph into the lattice region under its centre; returns the glyphs outside every table. */
export function assignGlyphs(parts: Part[], glyphs: Glyph[]): Glyph[] {
  const free: Glyph[] = [];
  // A number is placed as a whole, by its own centre: the digits of one number set without a gap
  // (in drawing order) stay together even when the number overflows its cell across a ruling.
  const anchor = new Float64Array(glyphs.length);
  for (let i = 0; i < glyphs.length; ) {
    let j = i + 1;
    if (NUM_CHAR.test(glyphs[i].ch)) {
      while (
        j < glyphs.length &&
        NUM_CHAR.test(glyphs[j].ch) &&
        !glyphs[j].vert &&
        Math.abs(glyphs[j].yc - glyphs[j - 1].yc) < 0.2 * glyphs[j].size &&
        Math.abs(glyphs[j].x0 - glyphs[j - 1].x1) < 0.15 * glyphs[j].size
      ) j++;
    }
    const xc = (glyphs[i].x0 + glyphs[j - 1].x1) / 2;
    for (let k = i; k < j; k++) anchor[k] = j - i > 1 ? xc : (glyphs[k].x0 + glyphs[k].x1) / 2;
    i = j;
  }
  for (const [gi, g] of glyphs.entries()) {
    const xc = anchor[gi];
    let placed = false;
    for (const p of parts) {
      const [x0, y0, x1, y1] = p.bbox;
      if (xc < x0 - 1 || xc > x1 + 1 || g.yc < y0 - 1 || g.yc > y1 + 1) continue;
      const ci = clampIdx(locate(p.xs, Math.min(Math.max(xc, p.xs[0]), p.xs[p.nc])), p.nc);
      const ri = clampIdx(locate(p.ys, Math.min(Math.max(g.yc, p.ys[0]), p.ys[p.nr])), p.nr);
      p.regions[p.regionOf[ri * p.nc + ci]].glyphs.push(g);
      placed = true;
      break;
    }
    if (!placed) free.push(g);
  }
  for (const p of parts) for (const reg of p.regions) reg.text = regionText(reg.glyphs);
  return free;
}

const NUM_CHAR = /[0-9.,%]/;

function clampIdx(i: number, n: number): number {
  return i < 0 ? 0 : i >= n ? n - 1 : i;
}

/** A line of a cell that is only part of a number: digits, with the separators a number may wrap after. */
const NUMBER_PIECE = /^[0-9][0-9,，.]*$|^[0-9,，.]*[0-9]$/;

/**
 * A cell's text: its lines top to bottom, each left to right, joined without spaces between CJK. A
 * cell whose lines are all digits holds one number wrapped by a narrow column (116 printed as 11
 * over 6): its lines are joined with nothing between them.
 */
export function regionText(glyphs: Glyph[]): string {
  if (!glyphs.length) return '';
  const texts = toLines(glyphs).map((l) => lineText(l.glyphs, 'cell'));
  if (texts.length > 1 && texts.every((t) => NUMBER_PIECE.test(t))) return texts.join('');
  return joinLines(texts);
}

// ---------------------------------------------------------------------------------------------
// Text tables (no ruling lines)

/** A run of glyphs on one line separated from its neighbours by a wide gap. */
interface Chunk {
  text: string;
  glyphs: Glyph[];
  x0: number;
  x1: number;
  top: number;
  bottom: number;
}

const NUMERIC = /^(?:[+\-−]?\d[\d,，]*(?:\.\d+)?%?|[—–\-－/／无]|--)$/;
const DIGITISH = /[0-9.,%+\-−]/;

/**
 * Split a line into chunks at wide gaps; two numbers side by side are split at any visible gap or
 * space (the digits of one number are set without gaps, so they stay together).
 */
function chunks(line: Line): Chunk[] {
  const out: Chunk[] = [];
  let cur: Glyph[] = [];
  let last: Glyph | null = null;
  let spaced = false;
  const flush = () => {
    if (!cur.length) return;
    const text = lineText(cur, 'cell');
    if (text) {
      let x0 = Infinity, x1 = -Infinity, top = Infinity, bottom = -Infinity;
      for (const g of cur) {
        if (g.space) continue;
        x0 = Math.min(x0, g.x0);
        x1 = Math.max(x1, g.x1);
        top = Math.min(top, g.top);
        bottom = Math.max(bottom, g.bottom);
      }
      out.push({ text, glyphs: cur, x0, x1, top, bottom });
    }
    cur = [];
  };
  for (const g of line.glyphs) {
    if (g.space) {
      spaced = true;
      continue;
    }
    if (last) {
      const gap = g.x0 - last.x1;
      const size = Math.max(g.size, last.size);
      const digits = DIGITISH.test(g.ch) && DIGITISH.test(last.ch);
      if (gap > 1.0 * size || (digits && (spaced || gap > 0.15 * size))) flush();
    }
    cur.push(g);
    last = g;
    spaced = false;
  }
  flush();
  return out;
}

const isNum = (c: Chunk) => NUMERIC.test(c.text.replace(/\s+/g, ''));

function isRowLine(cs: Chunk[]): boolean {
  if (cs.length < 2) return false;
  const nums = cs.filter(isNum).length;
  const labels = cs.length - nums;
  return nums >= 1 && labels <= 3 && cs.every((c) => isNum(c) || c.text.length <= 40) && isNum(cs[cs.length - 1]);
}

function isHeaderLine(cs: Chunk[]): boolean {
  return cs.length >= 1 && cs.every((c) => !isNum(c) && c.text.length <= 40 && !/[。；]$/.test(c.text));
}

function box(chs: Chunk[]): BBox {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const c of chs) {
    x0 = Math.min(x0, c.x0);
    y0 = Math.min(y0, c.top);
    x1 = Math.max(x1, c.x1);
    y1 = Math.max(y1, c.bottom);
  }
  return [x0, y0, x1, y1];
}

/**
 * Find tables without ruling lines among a page's free lines: a body of lines ending in numbers
 * (with wrapped label lines between them), the header lines just above it. Columns come from the
 * x extents of the numbers in the body; header words over one column are joined top to bottom into
 * one header row, header words spread over several columns (申请人情况, 行政诉讼) become merged cells
 * in rows above it. Returns the parts and the lines they consumed.
 */
export function textParts(lines: Line[], page: number): { parts: Part[]; used: Set<Line> } {
  const used = new Set<Line>();
  const parts: Part[] = [];
  const cs = lines.map(chunks);
  const row = cs.map(isRowLine);
  let i = 0;
  while (i < lines.length) {
    if (!row[i]) {
      i++;
      continue;
    }
    const firstNumX0 = Math.min(...cs[i].filter(isNum).map((c) => c.x0));
    // the body: row lines, and label lines (left of the numbers) between them
    let end = i;
    for (let k = i + 1; k < lines.length; k++) {
      const gap = lines[k].top - lines[k - 1].bottom;
      if (gap > 2.5 * lines[k].size) break;
      if (row[k]) end = k;
      else if (!cs[k].every((c) => c.x1 <= firstNumX0 + 2 && c.text.length <= 40)) break;
    }
    const bodyRows: number[] = [];
    for (let j = i; j <= end; j++) if (row[j]) bodyRows.push(j);
    // the header: short non-numeric lines just above, close together
    let start = i;
    while (start > 0 && i - start < 12) {
      const prev = start - 1;
      const gap = lines[start].top - lines[prev].bottom;
      if (gap > 1.0 * lines[start].size || row[prev] || !isHeaderLine(cs[prev])) break;
      start = prev;
    }
    const headerChunks = cs.slice(start, i).flat();
    const digits = (j: number) => cs[j].filter((c) => isNum(c) && /\d/.test(c.text)).length;
    const evidence =
      bodyRows.length >= 2
        ? bodyRows.filter((j) => digits(j) > 0).length * 2 >= bodyRows.length
        : bodyRows.length === 1 && digits(i) >= 1 && start < i && cs.slice(start, i).some((l) => l.length >= 2);
    if (!evidence) {
      i = end + 1;
      continue;
    }
    // numeric columns from the body rows
    const intervals: [number, number][] = [];
    for (const j of bodyRows) for (const c of cs[j]) if (isNum(c)) intervals.push([c.x0, c.x1]);
    intervals.sort((a, b) => a[0] - b[0]);
    const numCols: [number, number][] = [];
    for (const iv of intervals) {
      const last = numCols[numCols.length - 1];
      if (last && iv[0] <= last[1] + 1) last[1] = Math.max(last[1], iv[1]);
      else numCols.push([iv[0], iv[1]]);
    }
    // label columns from the x0 of the body's label chunks
    const bodyLabels: Chunk[] = [];
    for (let j = i; j <= end; j++) for (const c of cs[j]) if (!isNum(c) && c.x1 <= numCols[0][0] + 2) bodyLabels.push(c);
    const allChunks = [...headerChunks, ...cs.slice(i, end + 1).flat()];
    const minX = Math.min(...allChunks.map((c) => c.x0));
    const maxX = Math.max(...allChunks.map((c) => c.x1));
    const size = lines[i].size;
    // label columns: x ranges of the narrower labels that overlap, merged (labels may be centred);
    // a label overlapping two such columns spans them (a colspan) and does not shape them
    const labelCols: [number, number][] = [];
    for (const c of [...bodyLabels].sort((a, b) => a.x1 - a.x0 - (b.x1 - b.x0))) {
      const hit = labelCols.filter((lc) => c.x0 < lc[1] && c.x1 > lc[0]);
      if (hit.length === 0) labelCols.push([c.x0, c.x1]);
      else if (hit.length === 1) {
        hit[0][0] = Math.min(hit[0][0], c.x0);
        hit[0][1] = Math.max(hit[0][1], c.x1);
      }
    }
    labelCols.sort((a, b) => a[0] - b[0]);
    if (labelCols.length > 3) labelCols.splice(3);
    const xs: number[] = [minX - 1];
    for (let li = 1; li < labelCols.length; li++) {
      const [prev, cur] = [labelCols[li - 1], labelCols[li]];
      xs.push(prev[1] < cur[0] ? (prev[1] + cur[0]) / 2 : cur[0] - 1);
    }
    if (labelCols.length) {
      const labelRight = Math.max(...bodyLabels.map((c) => c.x1));
      xs.push(labelRight < numCols[0][0] ? (labelRight + numCols[0][0]) / 2 : numCols[0][0] - 1);
    }
    for (let ci = 1; ci < numCols.length; ci++) xs.push((numCols[ci - 1][1] + numCols[ci][0]) / 2);
    xs.push(maxX + 1);
    const nc = xs.length - 1;
    const centers = xs.slice(0, -1).map((x, ci) => (x + xs[ci + 1]) / 2);
    const colAt = (x: number) => clampIdx(locate(xs, Math.min(Math.max(x, xs[0]), xs[nc])), nc);
    const labelEdge = xs[labelCols.length];
    // labels are placed by their left edge (a long label may run into the next label column), others by their centre
    const colOf = (c: Chunk) => (!isNum(c) && c.x1 <= labelEdge + 2 ? colAt(c.x0 + 1) : colAt((c.x0 + c.x1) / 2));

    // grid rows: levels of spanning header cells, one leaf header row, then the body rows
    type Cellish = { c0: number; c1: number; chunks: Chunk[] };
    const gridRows: Cellish[][] = [];
    const levels: Cellish[][] = [];
    const leaf = new Map<number, Chunk[]>();
    const hdr = [...headerChunks].sort((a, b) => a.top - b.top);
    const groups: { chunk: Chunk; c0: number; c1: number }[] = [];
    const numLo = labelCols.length;
    const colW = (xs[nc] - xs[numLo]) / Math.max(1, nc - numLo);
    /**
     * A header word over the number columns is a group label (申请人情况, 法人或其他组织, 行政诉讼) when
     * header words of two or more columns lie under it; its span is the widest run of columns it is
     * centred on, inside the span of the group above it, that no other word at its level claims.
     */
    const groupSpan = (c: Chunk): [number, number] | null => {
      const xc = (c.x0 + c.x1) / 2;
      if (xc < xs[numLo]) return null;
      const col = colOf(c);
      const below = hdr.filter((d) => d !== c && d.top >= c.bottom - 1 && (d.x0 + d.x1) / 2 >= xs[numLo]);
      if (new Set(below.map(colOf)).size < 2) return null;
      const nextTop = Math.min(...below.map((d) => d.top));
      let lo = numLo, hi = nc;
      for (const g of groups) if (g.chunk.bottom <= c.top + 1 && g.c0 <= col && col < g.c1) [lo, hi] = [Math.max(lo, g.c0), Math.min(hi, g.c1)];
      const blocked = new Set<number>();
      for (const d of hdr) if (d !== c && d.bottom > c.top && d.top < nextTop - 0.5 && colOf(d) !== col) blocked.add(colOf(d));
      const under = new Set(below.map(colOf));
      let best: [number, number] | null = null;
      for (let c0 = col; c0 >= lo && (c0 === col || !blocked.has(c0)); c0--) {
        for (let c1 = col + 1; c1 <= hi && (c1 === col + 1 || !blocked.has(c1 - 1)); c1++) {
          if (Math.abs((xs[c0] + xs[c1]) / 2 - xc) > 0.3 * colW) continue;
          let n = 0;
          for (let k = c0; k < c1; k++) if (under.has(k)) n++;
          if (c1 - c0 >= 2 && n >= 2 && (!best || c1 - c0 > best[1] - best[0])) best = [c0, c1];
        }
      }
      return best;
    };
    for (const c of hdr) {
      const g = groupSpan(c);
      const spanned = g ? [] : centers.map((cx, ci) => (cx > c.x0 && cx < c.x1 ? ci : -1)).filter((ci) => ci >= 0);
      if (g || spanned.length >= 2) {
        const [c0, c1] = g ?? [spanned[0], spanned[spanned.length - 1] + 1];
        if (g) groups.push({ chunk: c, c0, c1 });
        // the next line of a wrapped spanning cell joins it
        const prevLv = levels[levels.length - 1];
        const same = prevLv?.find((s) => s.c0 === c0 && s.c1 === c1 && c.top - Math.max(...s.chunks.map((x) => x.bottom)) < 0.6 * size);
        if (same) {
          same.chunks.push(c);
          continue;
        }
        let lv = levels.find((l) => l.every((s) => s.c1 <= c0 || s.c0 >= c1));
        if (!lv) levels.push((lv = []));
        lv.push({ c0, c1, chunks: [c] });
      } else {
        const col = colOf(c);
        const list = leaf.get(col) ?? [];
        list.push(c);
        leaf.set(col, list);
      }
    }
    gridRows.push(...levels);
    if (leaf.size) gridRows.push([...leaf.entries()].map(([col, chs]) => ({ c0: col, c1: col + 1, chunks: chs })));
    const firstBody = gridRows.length;
    const bodyRowOf = new Map<number, number>();
    for (const j of bodyRows) {
      bodyRowOf.set(j, gridRows.length);
      gridRows.push([]);
    }
    const bodyChunks = new Map<number, Chunk[]>();
    for (let j = i; j <= end; j++) {
      let r = bodyRowOf.get(j);
      if (r === undefined) {
        // a wrapped label line: the nearest row line
        let bd = Infinity;
        for (const b of bodyRows) {
          const d = Math.abs(lines[b].yc - lines[j].yc);
          if (d < bd) {
            bd = d;
            r = bodyRowOf.get(b);
          }
        }
      }
      const list = bodyChunks.get(r!) ?? [];
      list.push(...cs[j]);
      bodyChunks.set(r!, list);
    }
    for (const [r, chs] of bodyChunks) {
      const perCol = new Map<number, Chunk[]>();
      for (const c of chs) {
        const col = colOf(c);
        const list = perCol.get(col) ?? [];
        list.push(c);
        perCol.set(col, list);
      }
      gridRows[r] = [...perCol.entries()].map(([col, list]) => ({ c0: col, c1: col + 1, chunks: list }));
    }

    const nr = gridRows.length;
    const rowBox = gridRows.map((cells, r) => {
      const b = box(cells.flatMap((c) => c.chunks));
      return Number.isFinite(b[1]) ? [b[1], b[3]] : [r, r];
    });
    const ys: number[] = [];
    for (let r = 0; r < nr; r++) ys.push(r === 0 ? rowBox[0][0] - 1 : Math.max(ys[r - 1], (rowBox[r - 1][1] + rowBox[r][0]) / 2));
    ys.push(rowBox[nr - 1][1] + 1);

    const regionOf = new Int32Array(nr * nc).fill(-1);
    const regions: Region[] = [];
    for (let r = 0; r < nr; r++) {
      for (const cell of gridRows[r].sort((a, b) => a.c0 - b.c0)) {
        const k = regions.length;
        regions.push({ r0: r, r1: r + 1, c0: cell.c0, c1: cell.c1, bbox: box(cell.chunks), glyphs: cell.chunks.flatMap((c) => c.glyphs), text: '' });
        for (let ci = cell.c0; ci < cell.c1; ci++) if (regionOf[r * nc + ci] < 0) regionOf[r * nc + ci] = k;
      }
      for (let ci = 0; ci < nc; ci++) {
        if (regionOf[r * nc + ci] >= 0) continue;
        regionOf[r * nc + ci] = regions.length;
        regions.push({ r0: r, r1: r + 1, c0: ci, c1: ci + 1, bbox: [xs[ci], ys[r], xs[ci + 1], ys[r + 1]], glyphs: [], text: '' });
      }
    }
    for (const reg of regions) reg.text = regionText(reg.glyphs);
    void firstBody;
    for (let j = start; j <= end; j++) used.add(lines[j]);
    parts.push({ page, kind: 'text', xs, ys, nr, nc, regionOf, regions, bbox: [xs[0], ys[0], xs[nc], ys[nr]] });
    i = end + 1;
  }
  return { parts, used };
}
