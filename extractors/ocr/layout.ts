/**
 * A page image → what a PDF text layer gives: ruling lines and positioned glyphs, in "points" (the
 * image's pixels at 72 per inch), so extractors/pdf-tables.ts and pdf.ts read the tables with the
 * same lattice, merged-cell and page-break code as a born-digital PDF.
 *
 * Cells come first: the rulings found in the pixels give the lattice (pdf-tables.ts latticeParts), and
 * the recogniser reads only the text lines found inside each cell, plus the prose lines outside the
 * tables: no detection model over the whole page, and every crop goes to one batched recogniser.
 */
import sharp from 'sharp';
import { mergeSegs, type Rulings, type Seg } from '../pdf-geometry.js';
import { latticeParts, type BBox } from '../pdf-tables.js';
import type { Glyph } from '../pdf-text.js';
import { recognise, type RecognisedChar } from './engine.js';
import {
  binarise,
  crop,
  eraseRulings,
  fadeSeal,
  estimateSkew,
  findRulings,
  levelLight,
  otsu,
  quantile,
  rotate,
  textBands,
  toGreyNoRed,
  unrotatePoint,
  type Grey,
  type PixelSeg,
  type PxBox,
  type RgbImage,
  type Seal,
} from './pixels.js';

export interface OcrLayout {
  /** Page size in layout points. */
  width: number;
  height: number;
  rulings: Rulings;
  glyphs: Glyph[];
  /** Degrees the page was turned back by. */
  skew: number;
  /** Layout points → the caller's coordinates (PDF page points, or the image's pixels). */
  toSource: (b: BBox) => BBox;
  /** Text lines recognised. */
  lines: number;
}

/** Minimum character probability for a recognised line to count (noise read as text stays out). */
const MIN_LINE_CONF = 0.5;

const MIN_CELL_CONF = 0.2;
const NUMBER_TEXT = /^(?:[+\-−]?\d[\d,，]*(?:\.\d+)?%?|[+\-−]?\d+(?:\.\d+)?)$/;
const MARGIN = 24;

/** A line wider than about ten characters, cut at the emptiest column near each ten-character mark. */
function cutLine(mask: Uint8Array, w: number, b: PxBox): PxBox[] {
  const h = b[3] - b[1];
  const step = h * 10;
  if (b[2] - b[0] <= step * 1.3) return [b];
  const out: PxBox[] = [];
  let x0 = b[0];
  let target = x0 + step;
  while (b[2] - target > step * 0.3) {
    // the blank column nearest the mark (between two characters); none: try further on
    let best = -1;
    for (let d = 0; d <= h && best < 0; d++) {
      for (const x of [Math.round(target + d), Math.round(target - d)]) {
        if (x <= x0 || x >= b[2]) continue;
        let ink = 0;
        for (let y = b[1]; y < b[3] && !ink; y++) ink += mask[y * w + x];
        if (!ink) {
          best = x;
          break;
        }
      }
    }
    if (best < 0) {
      target += h;
      continue;
    }
    out.push([x0, b[1], best, b[3]]);
    x0 = best;
    target = x0 + step;
  }
  out.push([x0, b[1], b[2], b[3]]);
  return out;
}

/**
 * A line whose ink runs on past its cell's left or right edge (a ruling missed under skew, so the
 * cell found is narrower than the printed one: 59 cut to 5) is widened to where the ink stops.
 */
function reachInk(mask: Uint8Array, w: number, band: PxBox, cell: PxBox): PxBox {
  const [x0, y0, x1, y1] = band;
  const limit = (y1 - y0) * 2;
  const inkAt = (x: number) => {
    if (x < 0 || x >= w) return false;
    for (let y = y0; y < y1; y++) if (mask[y * w + x]) return true;
    return false;
  };
  let a = x0, z = x1;
  if (x0 <= cell[0] + 1) while (a > 0 && x0 - a < limit && inkAt(a - 1)) a--;
  if (x1 >= cell[2] - 1) while (z < w && z - x1 < limit && inkAt(z)) z++;
  return a === x0 && z === x1 ? band : [a, y0, z, y1];
}

/** The bounding box of the ink inside a box, if it has more than a speck's worth. */
function inkBox(mask: Uint8Array, w: number, b: PxBox): PxBox | undefined {
  let x0 = Infinity, y0 = Infinity, x1 = -1, y1 = -1, n = 0;
  for (let y = b[1]; y < b[3]; y++) {
    for (let x = b[0]; x < b[2]; x++) {
      if (!mask[y * w + x]) continue;
      n++;
      if (x < x0) x0 = x;
      if (x >= x1) x1 = x + 1;
      if (y < y0) y0 = y;
      if (y >= y1) y1 = y + 1;
    }
  }
  return n >= 12 ? [x0, y0, x1, y1] : undefined;
}

/**
 * Lines of a cell that are one short label wrapped: two to five lines of about the same height (not
 * a figure and a seal's fragment), each at most seven characters wide, one under the other.
 */
function wrappedLabel(ls: PxBox[]): boolean {
  if (ls.length < 2 || ls.length > 5) return false;
  const hs = ls.map((q) => q[3] - q[1]);
  const top = Math.max(...hs);
  return ls.every((q, k) => hs[k] >= top * 0.8 && q[2] - q[0] <= hs[k] * 7 && (k === 0 || q[1] - ls[k - 1][3] <= top));
}

/** Crops side by side (vertically centred, paper between), with each one's span along the result. */
function joinCrops(cs: Grey[]): { crop: Grey; spans: [number, number][] } {
  const height = Math.max(...cs.map((c) => c.height));
  const width = cs.reduce((a, c) => a + c.width, 0);
  const data = new Uint8Array(width * height).fill(255);
  const spans: [number, number][] = [];
  let x0 = 0;
  for (const c of cs) {
    const dy = Math.floor((height - c.height) / 2);
    for (let y = 0; y < c.height; y++) data.set(c.data.subarray(y * c.width, (y + 1) * c.width), (y + dy) * width + x0);
    spans.push([x0, x0 + c.width]);
    x0 += c.width;
  }
  return { crop: { data, width, height }, spans };
}

function withMargin(g: Grey, m: number): Grey {
  return { data: marginMask(g.data, g.width, g.height, m, 255), width: g.width + 2 * m, height: g.height + 2 * m };
}

/** Pixels (a grey image or a mask) with a margin of `fill` all round. */
function marginMask(d: Uint8Array, width: number, height: number, m: number, fill = 0): Uint8Array {
  const w = width + 2 * m;
  const out = new Uint8Array(w * (height + 2 * m)).fill(fill);
  for (let y = 0; y < height; y++) out.set(d.subarray(y * width, (y + 1) * width), (y + m) * w + m);
  return out;
}
/** What a thin stroke in a cell may be read as (a slash as 1, l, I, 7; a dash as 一, -). */
const STROKE_READINGS = /^[1lI|丨\/／7一\-－—_]$/;

/** Grey below this is ink when telling a printed blank from a figure not read (noise stays above). */
const EVIDENCE_GREY = 200;

/** Readings that are a printed blank (a dash, a slash): only when the picture shows just that stroke. */
const BLANK_MARKS = /^[-－‐‑‒–—―─━一_＿~～/／\\＼·•.。*＊]+$/;

type BlankEvidence = { kind: 'empty' } | { kind: 'ink'; box: PxBox } | { kind: 'stroke'; box: PxBox; ch: string };

/**
 * What the picture shows in a cell (its ink mask, rulings erased): nothing (a printed blank), one thin
 * straight stroke (a slash or a dash: the blank markers / — －), or other ink (a figure, or something
 * that hides one). A cell's edges (the last pixels of a ruling, a JPEG's ringing) are left out.
 */
export function blankEvidence(mask: Uint8Array, w: number, cell: PxBox, minH: number, dpi: number): BlankEvidence {
  const e = Math.max(1, Math.round(dpi / 100));
  const b: PxBox = [cell[0] + e, cell[1] + e, cell[2] - e, cell[3] - e];
  if (b[2] - b[0] < 2 || b[3] - b[1] < 2) return { kind: 'empty' };
  // ink pixels, and the rows' spans (for the stroke's shape)
  let n = 0, x0 = Infinity, y0 = Infinity, x1 = -1, y1 = -1;
  const rows: { y: number; a: number; z: number; n: number }[] = [];
  for (let y = b[1]; y < b[3]; y++) {
    let a = -1, z = -1, k = 0;
    for (let x = b[0]; x < b[2]; x++) {
      if (!mask[y * w + x]) continue;
      if (a < 0) a = x;
      z = x;
      k++;
    }
    if (k) {
      rows.push({ y, a, z, n: k });
      n += k;
      if (a < x0) x0 = a;
      if (z + 1 > x1) x1 = z + 1;
      if (y < y0) y0 = y;
      y1 = y + 1;
    }
  }
  // a speck (a dot of noise, a dust mark) is no ink: fewer pixels than a stroke of a tenth of a character
  const speck = Math.max(6, Math.round((minH * minH) / 40));
  if (n < speck || (x1 - x0 < Math.max(2, minH * 0.2) && y1 - y0 < Math.max(2, minH * 0.2))) return { kind: 'empty' };
  const box: PxBox = [x0, y0, x1, y1];
  const bw = x1 - x0, bh = y1 - y0;
  const stroke = Math.max(1, minH * 0.22);
  // a dash: a flat bar no taller than a stroke, wider than twice its height, every row of it full
  if (bh <= Math.max(2, stroke * 1.2) && bw >= Math.max(3, bh * 2.5) && n >= bw * bh * 0.6) return { kind: 'stroke', box, ch: '—' };
  // a slash: every row one short run, the runs moving steadily sideways (a 1's stem stays put), the
  // whole as tall as a character
  if (bh >= minH * 0.5 && bw >= bh * 0.3 && rows.length === bh && rows.every((r) => r.z - r.a + 1 <= stroke * 2.2 && r.n >= (r.z - r.a + 1) * 0.7)) {
    const cs = rows.map((r) => (r.a + r.z) / 2);
    const my = (y0 + y1 - 1) / 2, mc = cs.reduce((p, c) => p + c, 0) / cs.length;
    let sxy = 0, syy = 0, scc = 0;
    rows.forEach((r, k) => {
      sxy += (r.y - my) * (cs[k] - mc);
      syy += (r.y - my) ** 2;
      scc += (cs[k] - mc) ** 2;
    });
    const slope = sxy / Math.max(1e-9, syy);
    const corr = sxy / Math.max(1e-9, Math.sqrt(syy * scc));
    if (Math.abs(slope) >= 0.25 && Math.abs(corr) >= 0.95) return { kind: 'stroke', box, ch: slope < 0 ? '/' : '\\' };
  }
  return { kind: 'ink', box };
}

const WORK_DPI = 200;

/** The seal is faded only when the ink's median grey is below this share of the seal's level. */
const INK_UNDER_SEAL = 0.75;

/**
 * The page with a red seal faded to paper (`fadeSeal` on the luminance), when its ink is darker than
 * the seal: at 100 dpi a stroke is a pixel or two wide and as light as the seal's grey, and would
 * fade with it; there the seal is dropped by its colour alone (the red-dropped grey).
 */
function underSeal(grey0: Grey, mask: Uint8Array, seal: Seal, width: number, height: number, m: number): Grey | undefined {
  const zone = marginMask(seal.zone, width, height, m), core = marginMask(seal.core, width, height, m);
  const luma = levelLight(withMargin({ data: seal.luma, width, height }, m));
  const faded = fadeSeal(luma, zone, core);
  const inkOutside = new Uint8Array(mask.length);
  for (let i = 0; i < mask.length; i++) inkOutside[i] = mask[i] & (zone[i] ^ 1);
  const inkLevel = quantile(grey0.data, inkOutside, 0.5) ?? 255;
  if (process.env.NIANBAO_OCR_DEBUG) console.error('seal level', faded.level, 'ink median', inkLevel);
  return faded.level && inkLevel < faded.level * INK_UNDER_SEAL ? faded.grey : undefined;
}

/**
 * A digit's probability in a cell of figures: the recogniser splits a zero between 0 and the letter o
 * (a lone character, read without context); in a cell of digits those are one reading.
 */
function digitConfidence(chars: RecognisedChar[]): void {
  if (!chars.every((c) => DIGITLIKE.test(c.ch))) return;
  for (const c of chars) {
    if (!/^[0-9]$/.test(c.ch)) continue;
    const same = c.alts.filter((a) => AS_DIGIT[a.ch] === c.ch);
    c.p = Math.min(1, c.p + same.reduce((s, a) => s + a.p, 0));
    c.alts = c.alts.filter((a) => !same.includes(a));
  }
}

const AS_DIGIT: Record<string, string> = { o: '0', O: '0', 'о': '0', 'О': '0', l: '1', I: '1', '|': '1' };
const DIGITLIKE = /^[0-9oOоОlI|.,，%]$/;

/** Grey below this is ink of a faint ruling (light grey #c4c4c4 levelled on white paper). */
const LIGHT_RULE = 228;

/** A mask at a light threshold, every pixel kept (a dotted rule's dots have no inked neighbour). */
export function lightMask(g: Grey, thr: number, dark: Uint8Array, w: number): Uint8Array {
  const n = g.data.length;
  // a light pixel within two pixels of dark ink is a character's edge (its halo), not a faint rule
  let near = dark;
  for (let k = 0; k < 2; k++) {
    const d = new Uint8Array(near);
    for (let i = 0; i < n; i++) if (!near[i] && ((i % w > 0 && near[i - 1]) || (i % w < w - 1 && near[i + 1]) || (i >= w && near[i - w]) || (i + w < n && near[i + w]))) d[i] = 1;
    near = d;
  }
  const m = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (g.data[i] < thr && !near[i]) m[i] = 1;
  return m;
}

/**
 * Runs of a mask that are dotted lines: along the run its own pixel row (or column) is inked a third
 * to most of the way, on and off at a dot's pitch (a character's stroke is solid, a solid rule was
 * found in the ink already), and holds at least the ink of the rows three and four pixels away on
 * either side (a line of text is as inked beside its middle row).
 */
function thinRuns(m: Uint8Array, w: number, h: number, runs: PixelSeg[], dir: 'h' | 'v'): PixelSeg[] {
  const at = (a: number, b: number) => (dir === 'h' ? (b >= 0 && b < h ? m[b * w + a] : 0) : a >= 0 && a < h && b >= 0 && b < w ? m[a * w + b] : 0);
  return runs.filter((r) => {
    const c = Math.round(r.at);
    let own = 0, side = 0, flips = 0, prev = 0;
    for (let a = r.a0; a <= r.a1; a++) {
      const v = Math.max(at(a, c), at(a, c - 1), at(a, c + 1));
      own += v;
      if (v !== prev) flips++;
      prev = v;
      side = side + Math.max(at(a, c - 3), at(a, c + 3)) + Math.max(at(a, c - 4), at(a, c + 4));
    }
    const len = r.a1 - r.a0 + 1;
    // dots: ink along a third to most of the run, on and off at a dot's pitch (a stroke is solid)
    return own >= len * 0.3 && own <= len * 0.85 && flips >= len / 8 && own >= side;
  });
}

/**
 * A lattice with cells: some table with at least three vertical rules that each meet two horizontal
 * ones (a row's top and bottom; a character's stroke found as a short rule meets none).
 */
function hasColumns(parts: { bbox: BBox }[], r: Rulings): boolean {
  const T = 2;
  return parts.some((p) => r.v.filter((q) => q.at >= p.bbox[0] - T && q.at <= p.bbox[2] + T && r.h.filter((hh) => hh.at >= q.a0 - T && hh.at <= q.a1 + T && q.at >= hh.a0 - T && q.at <= hh.a1 + T).length >= 2).length >= 3);
}

/**
 * Rulings for a table printed without its vertical rules (三线表, rows ruled only) or with none: the
 * text's rows (blank pixel rows across the page between them) and words (blank gaps wider than their
 * height); a run of rows with three or more words each (at most two others between, a spanning title
 * or a wrapped label's line) is a table. Its columns are the gutters no row's words cross; a gutter
 * becomes a vertical rule in each row whose words do not cross it (a spanning header stays one cell);
 * its rows are the printed horizontal rules when there are some in it, else the middle of each blank
 * gap between text rows. Every coordinate in pixels.
 */
export function virtualGrid(text: Uint8Array, w: number, h: number, printedH: PixelSeg[], minH: number): { h: PixelSeg[]; v: PixelSeg[] } {
  // pieces of ink (split at any gap of 3 pixels), joined into words along each row at gaps under
  // most of a text line's height (a row of a wrapped label is two lines high: its own height would
  // join two narrow columns' figures)
  const pieces = textBands(text, w, [0, 0, w, h], minH, 0.01);
  const rows: { y0: number; y1: number; boxes: PxBox[]; pieces?: PxBox[] }[] = [];
  for (const b of pieces) {
    const r = rows[rows.length - 1];
    if (r && r.y0 === b[1] && r.y1 === b[3]) r.boxes.push(b);
    else rows.push({ y0: b[1], y1: b[3], boxes: [b] });
  }
  rows.sort((a, b) => a.y0 - b.y0);
  // a row of the page that is two or more lines of the table (a header cell wrapped over two lines
  // beside a spanning header's line, a label centred over two rows): cut where few of its lines
  // cross, so each line of headers has its own columns (商业企/业 under 法人或其他组织)
  {
    const med = [...rows.map((r) => r.y1 - r.y0)].sort((a, b) => a - b)[Math.floor(rows.length / 2)] ?? minH;
    const out: typeof rows = [];
    for (const r of rows) {
      if (r.y1 - r.y0 < med * 1.7) {
        out.push(r);
        continue;
      }
      // each piece's lines, and each line's own pieces (a spanning header's line covered the gaps of
      // the line under it)
      const lines = r.boxes.flatMap((b) => textBands(text, w, b, minH, 0.5).flatMap((q) => textBands(text, w, [b[0], q[1], b[2], q[3]], Math.min(minH, q[3] - q[1]), 0.01)));
      const cover = new Uint16Array(r.y1 - r.y0);
      for (const q of lines) for (let y = q[1]; y < q[3]; y++) cover[y - r.y0]++;
      const cuts: number[] = [];
      for (let y = r.y0 + 1, s0 = -1; y <= r.y1; y++) {
        const low = y < r.y1 && cover[y - r.y0] <= Math.max(1, Math.floor(lines.length * 0.15));
        if (low && s0 < 0) s0 = y;
        else if (!low && s0 >= 0) {
          const cy = Math.round((s0 + y) / 2);
          if (lines.filter((q) => (q[1] + q[3]) / 2 < cy).length >= 2 && lines.filter((q) => (q[1] + q[3]) / 2 >= cy).length >= 2) cuts.push(cy);
          s0 = -1;
        }
      }
      if (!cuts.length || lines.length < 4) {
        out.push(r);
        continue;
      }
      const edges = [r.y0, ...cuts, r.y1];
      for (let k = 0; k + 1 < edges.length; k++) {
        const mine = lines.filter((q) => (q[1] + q[3]) / 2 >= edges[k] && (q[1] + q[3]) / 2 < edges[k + 1]);
        if (!mine.length) continue;
        out.push({ y0: Math.min(...mine.map((q) => q[1])), y1: Math.max(...mine.map((q) => q[3])), boxes: mine });
      }
    }
    rows.length = 0;
    rows.push(...out);
  }
  const hs = rows.map((r) => r.y1 - r.y0).sort((a, b) => a - b);
  const wordGap = Math.max(4, (hs[Math.floor(hs.length / 4)] ?? minH) * 0.45);
  for (const r of rows) {
    r.boxes.sort((a, b) => a[0] - b[0]);
    const words: PxBox[] = [];
    for (const b of r.boxes) {
      const last = words[words.length - 1];
      if (last && b[0] - last[2] <= wordGap) last[2] = Math.max(last[2], b[2]);
      else words.push([...b] as PxBox);
    }
    r.pieces = r.boxes;
    r.boxes = words;
  }
  const out: { h: PixelSeg[]; v: PixelSeg[] } = { h: [], v: [] };
  const tab = (k: number) => rows[k].boxes.length >= 3;
  let k = 0;
  while (k < rows.length) {
    if (!tab(k)) {
      k++;
      continue;
    }
    // a zone: tabular rows with at most two others between them
    let end = k, gapRows = 0;
    for (let j = k + 1; j < rows.length; j++) {
      if (tab(j)) {
        end = j;
        gapRows = 0;
      } else if (++gapRows > 2) break;
    }
    // a spanning title just above the first tabular row belongs to the table
    const first = k > 0 && !tab(k - 1) && rows[k].y0 - rows[k - 1].y1 < (rows[k].y1 - rows[k].y0) * 2 ? k - 1 : k;
    const zone = rows.slice(first, end + 1);
    k = end + 1;
    const nTab = zone.filter((r) => r.boxes.length >= 3).length;
    if (nTab < 2 || zone.length < 3) continue;
    const zx0 = Math.min(...zone.flatMap((r) => r.boxes.map((b) => b[0])));
    const zx1 = Math.max(...zone.flatMap((r) => r.boxes.map((b) => b[2])));
    const lineH = [...zone.map((r) => r.y1 - r.y0)].sort((a, b) => a - b)[Math.floor(zone.length / 2)];
    const pad = Math.max(2, Math.round(lineH * 0.3));
    const top = Math.max(0, zone[0].y0 - pad), bottom = Math.min(h - 1, zone[zone.length - 1].y1 + pad);
    // row boundaries
    const printed = printedH.filter((q) => q.at > top - pad && q.at < bottom + pad && q.a1 - q.a0 >= (zx1 - zx0) * 0.5).map((q) => q.at);
    let ys: number[];
    if (printed.length >= 3) {
      ys = [...new Set([top, ...printed, bottom])].sort((a, b) => a - b);
      // rows with no printed rule between them (lines of a header cut apart above) are parted too
      for (let j = 1; j < zone.length; j++) {
        const a = zone[j - 1].y1, b = zone[j].y0;
        if (b > a && !ys.some((y) => y >= a - 1 && y <= b + 1) && zone[j - 1].boxes.length >= 2 && zone[j].boxes.length >= 2 && !printedH.some((q) => q.at > zone[j - 1].y0 && q.at < zone[j].y1)) ys.push(Math.round((a + b) / 2));
      }
      ys.sort((a, b) => a - b);
    }
    else {
      ys = [top];
      for (let j = 1; j < zone.length; j++) ys.push(Math.round((zone[j - 1].y1 + zone[j].y0) / 2));
      ys.push(bottom);
    }
    ys = ys.filter((y, j) => j === 0 || y - ys[j - 1] >= 2);
    const x0 = Math.max(0, zx0 - pad), x1 = Math.min(w - 1, zx1 + pad);
    for (const y of ys) out.h.push({ at: y, a0: x0, a1: x1 });
    out.v.push({ at: x0, a0: top, a1: bottom }, { at: x1, a0: top, a1: bottom });
    // gutters: columns of pixels (almost) no row's words cover
    const gutterXs = (rs: typeof zone, allow: number): number[] => {
      const cover = new Uint16Array(w);
      for (const r of rs) for (const b of r.boxes) for (let x = Math.max(0, b[0] - 1); x < Math.min(w, b[2] + 1); x++) cover[x]++;
      const out: number[] = [];
      for (let x = zx0, s0 = -1; x <= zx1; x++) {
        const free = x < zx1 && cover[x] <= allow;
        if (free && s0 < 0) s0 = x;
        else if (!free && s0 >= 0) {
          if (x - s0 >= 2) {
            // the gutter's place: the middle of its stretch covered by the fewest rows (a header
            // word narrower than the column's figures' gap allowed for is not cut)
            let lo = Infinity;
            for (let k = s0; k < x; k++) lo = Math.min(lo, cover[k]);
            let a = -1, b = -1, best = -1, bestLen = 0;
            for (let k = s0; k <= x; k++) {
              if (k < x && cover[k] === lo) {
                if (a < 0) a = k;
                b = k;
              } else if (a >= 0) {
                if (b - a + 1 > bestLen) (bestLen = b - a + 1), (best = Math.round((a + b + 1) / 2));
                a = -1;
              }
            }
            out.push(lo > 0 || bestLen < 2 ? Math.round((s0 + x) / 2) : best);
          }
          s0 = -1;
        }
      }
      return out;
    };
    const tabRows = zone.filter((r) => r.boxes.length >= 3);
    const gutters = gutterXs(tabRows, Math.floor(nTab * 0.1));
    // blocks: runs of rows between spanning titles (one word across a gutter: 第二十条第（五）项); each
    // block has its own columns (a block of two columns under the title stays two, not the page's four)
    const spans = (r: (typeof zone)[number]) => r.boxes.length === 1 && gutters.some((gx) => r.boxes[0][0] < gx && r.boxes[0][2] > gx);
    const blocks: (typeof zone)[] = [];
    for (const r of zone) {
      if (spans(r)) {
        blocks.push([]);
        continue;
      }
      if (!blocks.length) blocks.push([]);
      blocks[blocks.length - 1].push(r);
    }
    const mid = (r: (typeof zone)[number]) => (r.y0 + r.y1) / 2;
    if (process.env.NIANBAO_OCR_DEBUG) for (const r of zone.slice(0, 6)) console.error('  zone row', r.y0, r.y1, r.boxes.map((b) => `${b[0]}-${b[2]}`).join(' '));
    if (process.env.NIANBAO_OCR_DEBUG) console.error('virtual zone', zx0, top, zx1, bottom, 'rows', zone.length, 'tabular', nTab, 'row rules', ys.length, 'gutters', gutters.join(' '), 'blocks', blocks.filter((b) => b.length).length);
    for (const block of blocks) {
      if (!block.length) continue;
      const bg = block.length >= 10 ? gutterXs(block.filter((r) => r.boxes.length >= 3), Math.floor(block.length * 0.1)) : gutterXs(block, 0);
      // the block's boundaries: from the rule above its first row to the rule below its last
      const ya = [...ys].reverse().find((y) => y <= mid(block[0])) ?? ys[0];
      const yz = ys.find((y) => y >= mid(block[block.length - 1])) ?? ys[ys.length - 1];
      const bys = ys.filter((y) => y >= ya && y <= yz);
      // each gutter a rule in the rows (between boundaries) whose words do not cross it
      for (const gx of bg) {
        let a0 = -1;
        for (let j = 0; j + 1 < bys.length; j++) {
          const y0 = bys[j], y1 = bys[j + 1];
          // (crossed by a piece of ink, not by a word: narrow columns' header words stand closer
          // than the gap that joins a word's pieces)
          const crossed = block.some((r) => mid(r) > y0 && mid(r) < y1 && (r.pieces ?? r.boxes).some((b) => b[0] < gx && b[2] > gx));
          if (!crossed && a0 < 0) a0 = y0;
          if (crossed && a0 >= 0) {
            out.v.push({ at: gx, a0, a1: y0 });
            a0 = -1;
          }
        }
        if (a0 >= 0) out.v.push({ at: gx, a0, a1: bys[bys.length - 1] });
      }
    }
  }
  return out;
}

/**
 * The resolution of an image without one, from the height of its text lines (body text is about 10.5
 * pt), measured in narrow strips: across a whole table the vertical rulings join every row into one
 * band (a 2× screenshot of a table then looked like 96 ppi, and its rulings like character strokes).
 */
function guessDpi(mask: Uint8Array, w: number, h: number): number {
  const sw = Math.max(40, Math.round(w / 12));
  const hs: number[] = [];
  for (let x = 0; x < w; x += sw) {
    for (const b of textBands(mask, w, [x, 0, Math.min(w, x + sw), h], 4, 4)) {
      const bh = b[3] - b[1];
      if (bh >= 6 && bh <= Math.min(160, h / 3)) hs.push(bh);
    }
  }
  hs.sort((a, b) => a - b);
  if (hs.length < 3) return 96;
  const med = hs[Math.floor(hs.length / 2)];
  return Math.max(60, Math.min(600, (med / 10.5) * 72));
}

/**
 * Read one page image. `dpi` is its resolution when known (a PDF page: image width over page width);
 * `toSourcePx` maps a pixel of the (un-deskewed) image to the caller's coordinates.
 */
export async function layoutFromImage(img: RgbImage, opts: { dpi?: number; page: number; toSourcePx?: (x: number, y: number) => [number, number] }): Promise<OcrLayout> {
  // above 200 dpi nothing is gained: the picture is scaled down to 200 (faster, and the recogniser
  // reads 200 dpi crops best)
  const t0 = performance.now();
  let f = 1;
  if (opts.dpi && opts.dpi > WORK_DPI * 1.1) {
    f = WORK_DPI / opts.dpi;
    const width = Math.max(1, Math.round(img.width * f)), height = Math.max(1, Math.round(img.height * f));
    const data = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: img.channels } }).resize(width, height, { kernel: 'cubic' }).raw().toBuffer();
    img = { data, width, height, channels: img.channels };
  }
  // a margin of paper all round: a picture cropped at a table's border keeps the border through deskewing
  const m = MARGIN;
  const g0 = toGreyNoRed(img);
  const grey0 = levelLight(withMargin(g0, m));
  const { width: w, height: h } = grey0;
  const thr = Math.max(90, Math.min(200, otsu(grey0)));
  let mask = binarise(grey0, thr);
  const skew = estimateSkew(mask, w, h);
  // under a red seal the text is read from the luminance with the seal faded to paper (rulings and
  // the page's shape come from the red-dropped grey, where the seal is paper and lines stay whole)
  const seal = g0.seal;
  const read0 = seal ? underSeal(grey0, mask, seal, g0.width, g0.height, m) ?? grey0 : grey0;
  if (process.env.NIANBAO_OCR_DEBUG) console.error('skew', opts.page, skew, 'size', w, h);
  const grey = skew ? rotate(grey0, skew) : grey0;
  if (skew) mask = binarise(grey, thr);
  const readGrey = read0 === grey0 ? grey : skew ? rotate(read0, skew) : read0;
  const dpi = opts.dpi ? opts.dpi * f : guessDpi(mask, w, h);
  const s = 72 / dpi; // layout points per pixel

  // rulings: long dark runs. A character is about 0.15 in, but the top strokes of a few characters in a
  // row (结果维) line up into one run: horizontal rulings must be longer than a short label
  const lineMask = mask;
  let px = findRulings(lineMask, w, h, Math.round(dpi * 0.7), Math.max(1, Math.round(dpi / 100)), 'h');
  let pxV = findRulings(lineMask, w, h, Math.round(dpi * 0.2), Math.max(1, Math.round(dpi / 100)), 'v');
  const toPt = (l: { at: number; a0: number; a1: number }[]): Seg[] => l.map((q) => ({ at: q.at * s, a0: q.a0 * s, a1: q.a1 * s }));
  let rulings: Rulings = { h: mergeSegs(toPt(px.h), 1, 2), v: mergeSegs(toPt(pxV.v), 1, 2) };
  /** Dotted rules between rows whose columns were not found (rows for the text's columns). */
  let dottedRows: PixelSeg[] = [];
  let dotted = false;
  if (!opts.dpi && !hasColumns(latticeParts(rulings, opts.page), rulings)) {
    // no lattice in the ink of a picture (not a scan: a scanned page's faint layout boxes and the halos
    // of its noisy prose made lattices over prose): faint (light grey) or dotted rulings are looked for in a lighter mask
    // whose lone pixels stay (a dotted rule's dots), bridging a dot's gap
    const light = lightMask(grey, Math.max(thr, LIGHT_RULE), mask, w);
    // (stricter than in the ink: a noisy scan's prose has light halos that line up over short runs;
    // a faint table's rules run across a good part of the picture)
    // (a dotted border restarts its dots at each cell's corner: a gap of several pixels there; the
    // run's length, a third of the picture, keeps prose halos out)
    const gap = Math.max(3, Math.round(dpi / 10));
    const lh = findRulings(light, w, h, Math.max(Math.round(dpi * 0.7), Math.round(w * 0.3)), gap, 'h');
    const lv = findRulings(light, w, h, Math.round(dpi * 0.3), gap, 'v');
    const r2: Rulings = { h: mergeSegs(toPt(lh.h), 1, 2), v: mergeSegs(toPt(lv.v), 1, 2) };
    if (process.env.NIANBAO_OCR_DEBUG) console.error('light rulings', lh.h.length, lv.v.length, 'parts', latticeParts(r2, opts.page).length, 'columns', hasColumns(latticeParts(r2, opts.page), r2));
    if (lh.h.length >= 3 && hasColumns(latticeParts(r2, opts.page), r2)) {
      px = lh;
      pxV = lv;
      rulings = r2;
    } else {
      // dotted rules close to the text (a cell's padding of a pixel or two): the dots closed along
      // each line, every pixel kept, and a run kept only where it is a thin line (the pixel rows or
      // columns beside it hold far less ink: a line of text is as inked beside its middle)
      const dots = new Uint8Array(w * h);
      const dthr = Math.max(thr, LIGHT_RULE);
      for (let i = 0; i < dots.length; i++) dots[i] = grey.data[i] < dthr ? 1 : 0;
      let dh = thinRuns(dots, w, h, findRulings(dots, w, h, Math.max(Math.round(dpi * 0.7), Math.round(w * 0.3)), gap, 'h').h, 'h');
      // a vertical rule runs down much of the table at one place; a character's strokes bridged over
      // lines are short and scattered: runs at one x (±1) must add up to a third of the rows' height
      // (down a column only a dot's gap is bridged: the figures right-aligned in a column line up
      // over the rows' gaps; a dotted rule restarts in each row, so its runs are a row high)
      let dv = thinRuns(dots, w, h, findRulings(dots, w, h, Math.max(6, Math.round(dpi * 0.08)), 3, 'v').v, 'v');
      if (dh.length >= 2) {
        const span = Math.max(...dh.map((q) => q.at)) - Math.min(...dh.map((q) => q.at));
        dv = dv.filter((q) => dv.reduce((a, o) => a + (Math.abs(o.at - q.at) <= 1 ? o.a1 - o.a0 + 1 : 0), 0) >= span / 3);
      }
      // a dotted line's runs a pixel or two apart (its dots' rows or columns offset) are one line
      const snap = (runs: PixelSeg[]): PixelSeg[] => {
        const xs = [...new Set(runs.map((q) => q.at))].sort((a, b) => a - b);
        const to = new Map<number, number>();
        for (let i = 0; i < xs.length; ) {
          let j = i;
          while (j + 1 < xs.length && xs[j + 1] - xs[j] <= 3) j++;
          const group = runs.filter((q) => q.at >= xs[i] && q.at <= xs[j]);
          const len = group.reduce((a, q) => a + q.a1 - q.a0 + 1, 0);
          const at = Math.round(group.reduce((a, q) => a + q.at * (q.a1 - q.a0 + 1), 0) / len);
          for (let k = i; k <= j; k++) to.set(xs[k], at);
          i = j + 1;
        }
        return runs.map((q) => ({ ...q, at: to.get(q.at) ?? q.at }));
      };
      dv = snap(dv);
      dh = snap(dh);
      const r3: Rulings = { h: mergeSegs(toPt(dh), 1, 2), v: mergeSegs(toPt(dv), 1, 2) };
      if (process.env.NIANBAO_OCR_DEBUG) console.error('dotted rulings', dh.length, dv.length, 'columns', hasColumns(latticeParts(r3, opts.page), r3));
      if (dh.length >= 3 && hasColumns(latticeParts(r3, opts.page), r3)) {
        px = { h: dh, v: [] };
        pxV = { h: [], v: dv };
        rulings = r3;
        dotted = true;
      } else if (dh.length >= 3) dottedRows = dh;
    }
  }
  const thick = Math.max(1, Math.round(dpi / 100));
  const text = readGrey === grey ? new Uint8Array(mask) : binarise(readGrey, thr);
  // (a dotted line's dots stray a pixel either side of where its runs were snapped)
  eraseRulings(text, w, { h: px.h, v: pxV.v }, dotted ? thick + 1 : thick);
  // the grey image with the ruling pixels taken out, for crops
  const clean = new Uint8Array(readGrey.data);
  const lines = new Uint8Array(w * h);
  for (const seg of px.h) for (let y = Math.max(0, Math.round(seg.at - thick)); y <= Math.min(h - 1, Math.round(seg.at + thick)); y++) lines.fill(1, y * w + seg.a0, y * w + seg.a1 + 1);
  for (const seg of pxV.v) for (let y = seg.a0; y <= seg.a1; y++) for (let x = Math.max(0, Math.round(seg.at - thick)); x <= Math.min(w - 1, Math.round(seg.at + thick)); x++) lines[y * w + x] = 1;
  for (let i = 0; i < lines.length; i++) if (lines[i]) clean[i] = 255;
  const cleanGrey = { data: clean, width: w, height: h };

  // cells of the lattice, then the page outside the tables
  let parts = latticeParts(rulings, opts.page);
  let virtual = false;
  if (!opts.dpi && !hasColumns(parts, rulings)) {
    // rulings that do not make cells (only horizontal rules, or none): rows and columns from where the
    // text is, as rulings between them, into the same lattice
    const vg = virtualGrid(text, w, h, [...px.h, ...dottedRows], Math.max(4, Math.round(dpi * 0.045)));
    if (vg.v.length) {
      // (vertical runs found in the ink were character strokes: the text's gutters replace them)
      rulings = { h: mergeSegs([...rulings.h, ...toPt(vg.h)], 1, 2), v: mergeSegs(toPt(vg.v), 1, 2) };
      parts = latticeParts(rulings, opts.page);
      virtual = parts.length > 0;
    }
  }
  if (process.env.NIANBAO_OCR_DEBUG) console.error('tables', opts.page, parts.length, virtual ? '(from text positions)' : '');
  const minH = Math.max(4, Math.round(dpi * 0.045));
  // the picture's own edges, in the deskewed image (outside them is the margin's paper)
  const W0 = w - 2 * m, H0 = h - 2 * m;
  const inside = (x: number, y: number) => {
    const [ox, oy] = unrotatePoint(x, y, w, h, skew);
    return !(ox < m + 1.5 || ox > m + W0 - 2.5 || oy < m + 1.5 || oy > m + H0 - 2.5);
  };
  const offPicture = (b: PxBox): boolean => {
    // a box whose corners are inside the picture is inside it whole (turning keeps straight lines)
    if (inside(b[0], b[1]) && inside(b[2], b[1]) && inside(b[0], b[3]) && inside(b[2], b[3])) return false;
    // an ink pixel of the line at the picture's edge (not merely near it: a picture cropped tight at
    // a table's border keeps its figures whole)
    for (let y = b[1]; y < b[3]; y++) {
      for (let x = b[0]; x < b[2]; x++) {
        if (!text[y * w + x]) continue;
        if (!inside(x, y)) return true;
      }
    }
    return false;
  };
  const boxes: PxBox[] = [];
  const groups: { at: number; box: PxBox }[][] = [];
  /** Cells whose only ink is pieces of a figure cut by the picture's edge (no whole line). */
  const cutCells: PxBox[] = [];
  /** Every cell of the lattice (its inner box) and the text lines found in it (indices into `boxes`). */
  const cellList: { box: PxBox; bands: number[] }[] = [];
  const inset = thick + 1;
  for (const part of parts) {
    for (const reg of part.regions) {
      const b: PxBox = [Math.ceil(reg.bbox[0] / s) + inset, Math.ceil(reg.bbox[1] / s) + inset, Math.floor(reg.bbox[2] / s) - inset, Math.floor(reg.bbox[3] / s) - inset];
      if (b[2] - b[0] < 3 || b[3] - b[1] < 3) continue;
      // looked for a little beyond the cell's top and bottom (a table cut by a page break has an open
      // edge where its ruling was not printed, and a skew leaves a slant): a line belongs to the cell
      // its middle is in
      const ext = Math.round(dpi * 0.1);
      const wide: PxBox = [b[0], Math.max(0, b[1] - ext), b[2], Math.min(h, b[3] + ext)];
      const inCell = textBands(text, w, wide, minH, 1.2).filter((band) => {
        const mid = (band[1] + band[3]) / 2;
        return mid >= b[1] && mid < b[3];
      }).map((band) => reachInk(text, w, band, b));
      // a short label wrapped over lines (自然/人, 商业企/业) is read as one line, its pieces side by
      // side: a lone character read without its neighbours is often misread (人 as 天)
      if (wrappedLabel(inCell)) groups.push(inCell.map((q) => ({ at: boxes.length + inCell.indexOf(q), box: q })));
      cellList.push({ box: b, bands: inCell.map((_, k) => boxes.length + k) });
      boxes.push(...inCell);
      // a figure the picture's edge cut leaves only fragments, each thinner than a line (the left
      // strokes of a 3): the cell is not blank, it is unreadable
      if (!inCell.length) {
        const ink = inkBox(text, w, b);
        if (ink && offPicture(ink)) {
          cutCells.push(ink);
          cellList[cellList.length - 1].bands = [-1];
        }
      }
    }
  }
  let cellBands = boxes.length;
  // the page outside the tables: their areas masked out
  let inTable: Uint8Array | undefined;
  if (parts.length) {
    inTable = new Uint8Array(w * h);
    for (const p of parts) {
      const x0 = Math.max(0, Math.floor((p.bbox[0] - 2) / s)), x1 = Math.min(w - 1, Math.ceil((p.bbox[2] + 2) / s));
      const y0 = Math.max(0, Math.floor((p.bbox[1] - 2) / s)), y1 = Math.min(h - 1, Math.ceil((p.bbox[3] + 2) / s));
      for (let y = y0; y <= y1; y++) inTable.fill(1, y * w + x0, y * w + x1 + 1);
    }
  }
  boxes.push(...textBands(text, w, [0, 0, w, h], minH, 1.5, inTable));

  // long lines cut into pieces of about ten characters, between characters: the recogniser's cost
  // grows faster than a line's width, and it was trained on short crops
  const pieces: PxBox[] = [];
  let cellPieces = 0;
  const moved: number[] = [];
  boxes.forEach((b, i) => {
    const cut = cutLine(text, w, b);
    moved[i] = pieces.length;
    if (i < cellBands) cellPieces += cut.length;
    pieces.push(...cut);
  });
  cellBands = cellPieces;
  boxes.length = 0;
  boxes.push(...pieces);
  const pad = Math.max(3, Math.round(dpi / 30));
  const tRec = performance.now();
  // a wrapped label's lines are read joined (below), not each on its own; they still take their
  // place among the crops the recogniser groups by width, so every other crop reads as before
  const joinedLines = new Set(groups.flatMap((g) => g.map((q) => moved[q.at])));
  const results = await recognise(boxes.map((b) => crop(cleanGrey, b, pad)), joinedLines);
  // the joined readings, in their own batches (a crop's reading shifts a little with its batch's
  // padding: the other crops keep theirs), split back into their lines by each character's place
  const joined = groups.map((g) => joinCrops(g.map((q) => crop(cleanGrey, q.box, pad))));
  const joint = await recognise(joined.map((j) => j.crop));
  if (process.env.NIANBAO_OCR_DEBUG) groups.forEach((g, gi) => console.error('joined', opts.page, g.map((q) => q.box.join(',')).join(' + '), JSON.stringify(joint[gi].text)));
  groups.forEach((g, gi) => {
    const r = joint[gi];
    g.forEach((q, k) => {
      const [a0, a1] = joined[gi].spans[k];
      const inSpan = (c: RecognisedChar) => c.x >= a0 && c.x < a1;
      const numeric = r.numeric && { ...r.numeric, chars: r.numeric.chars.filter(inSpan) };
      results[moved[q.at]] = { ...r, chars: r.chars.filter(inSpan), numeric };
    });
  });
  if (process.env.NIANBAO_OCR_DEBUG) {
    // the recogniser's cost follows the crops' widths at its height of 48
    const mw = (bs: PxBox[]) => bs.reduce((a, b) => a + Math.round(((b[2] - b[0] + 2 * pad) * 48) / (b[3] - b[1] + 2 * pad)), 0);
    console.error('timing', opts.page, 'layout ms', Math.round(tRec - t0), 'recognise ms', Math.round(performance.now() - tRec), 'crops', boxes.length, 'widths: cells', mw(boxes.slice(0, cellBands)), 'prose', mw(boxes.slice(cellBands)));
  }
  const glyphs: Glyph[] = [];
  /** The glyphs each crop gave (first index, count). */
  const glyphsOf: [number, number][] = [];
  let nLines = 0;
  results.forEach((r, i) => {
    let chars = r.chars.filter((c) => c.ch.trim() !== '' || c.ch === ' ');
    // a cell that is mostly digits but not a number (7号, 营9: a stamp's stroke read as a character)
    // is read again as figures only
    if (i < cellBands && r.numeric?.chars.length) {
      const t = chars.map((c) => c.ch).join('').replace(/\s+/g, '');
      const digits = (t.match(/[0-9]/g) ?? []).length;
      // (a sign stays: 减37 and +3 are how 本年增/减 is printed)
      if (digits && digits * 2 >= [...t].length && !NUMBER_TEXT.test(t) && !/^[增减+\-−]\d/.test(t)) chars = r.numeric.chars;
    }
    // in a table cell, a lone round or upright stroke among digits is a digit (a cell is read without context)
    if (i < cellBands && chars.length && chars.every((c) => DIGITLIKE.test(c.ch)) && chars.some((c) => c.ch in AS_DIGIT)) {
      for (const c of chars) {
        if (!(c.ch in AS_DIGIT)) continue;
        const d = AS_DIGIT[c.ch];
        const alt = c.alts.find((a) => a.ch === d);
        c.ch = d;
        if (alt) {
          c.p = Math.min(1, c.p + alt.p);
          c.alts = c.alts.filter((a) => a !== alt);
        }
      }
    }
    if (!chars.length) return;
    if (i < cellBands) digitConfidence(chars);
    // a cell's line that runs off the picture (a skewed table cropped at the edge) lost characters
    // there (59 read as 5): it is not read as a number at all, so the figure is named unreadable
    if (i < cellBands && offPicture(boxes[i])) chars = [...chars, { ch: '…', p: 0, x: 0, alts: [] }];
    // two figures in one cell's line (108 911: a column's rule or gutter missed) are no one figure:
    // the cell is named unreadable, never read as 108911
    else if (i < cellBands && /^[0-9.,]+\s+[0-9.,]+$/.test(chars.map((c) => c.ch).join('').trim())) chars = [...chars, { ch: '…', p: 0, x: 0, alts: [] }];
    const mean = chars.reduce((a, c) => a + c.p, 0) / chars.length;
    if (process.env.NIANBAO_OCR_DEBUG) console.error('band', opts.page, boxes[i].join(','), JSON.stringify(chars.map((c) => c.ch).join('')), mean.toFixed(2));
    // a cell's line is kept however unsure (its confidence marks it for the misread analysis);
    // a prose line this unsure is noise read as text
    if (mean < (i < cellBands ? MIN_CELL_CONF : MIN_LINE_CONF)) return;
    nLines++;
    glyphsOf[i] = [glyphs.length, chars.length];
    const [x0, y0, x1, y1] = boxes[i];
    // characters laid out evenly over the line's ink: contiguous, so one number stays one number
    const pitch = (x1 - x0) / chars.length;
    chars.forEach((c, k) => {
      const gx0 = (x0 + k * pitch) * s, gx1 = (x0 + (k + 1) * pitch) * s;
      const top = y0 * s, bottom = y1 * s;
      glyphs.push({ ch: c.ch, x0: gx0, x1: gx1, top, bottom, yc: (top + bottom) / 2, size: bottom - top, space: c.ch === ' ', vert: false, conf: c.p, alts: c.alts });
    });
  });

  // a cell that gave no reading is a printed blank only when the picture shows nothing in it; ink
  // the text finder missed or the recogniser could not read is a missing figure (named unreadable),
  // and a lone thin stroke (/ — －, also when read as 1) is the printed blank it looks like
  // the evidence is the grey picture at a light threshold, not the binarised ink: a thin or faint
  // figure (a light 明体 at 96 ppi) the ink mask dropped is still ink here
  const evidence = new Uint8Array(w * h);
  const evThr = Math.max(thr, EVIDENCE_GREY);
  for (let i = 0; i < evidence.length; i++) evidence[i] = clean[i] < evThr ? 1 : 0;
  for (const cell of cellList) {
    if (cell.bands[0] === -1) continue;
    const pieces = cell.bands.flatMap((bi) => {
      const from = moved[bi], to = bi + 1 < moved.length ? moved[bi + 1] : boxes.length;
      return Array.from({ length: to - from }, (_, k) => from + k);
    });
    const read = pieces.filter((pi) => glyphsOf[pi]);
    const verdict = blankEvidence(evidence, w, cell.box, minH, dpi);
    if (!read.length) {
      if (verdict.kind === 'empty') continue;
      const [x0, y0, x1, y1] = verdict.box;
      nLines++;
      const ch = verdict.kind === 'stroke' ? verdict.ch : '…';
      glyphs.push({ ch, x0: x0 * s, x1: x1 * s, top: y0 * s, bottom: y1 * s, yc: ((y0 + y1) / 2) * s, size: (y1 - y0) * s, space: false, vert: false, conf: verdict.kind === 'stroke' ? 0.9 : 0, alts: [] });
      if (process.env.NIANBAO_OCR_DEBUG) console.error('unread cell', opts.page, cell.box.join(','), verdict.kind, JSON.stringify(ch));
      continue;
    }
    // figures on two lines of one cell (0 over 34: two rows' cells taken for one, where no ruling
    // parts them) are no one figure: named unreadable, never read as 034
    const figLines = read.filter((pi) => /^[+\-−]?[0-9][0-9.,]*$/.test(glyphs.slice(glyphsOf[pi][0], glyphsOf[pi][0] + glyphsOf[pi][1]).map((g) => g.ch).join('').trim()));
    if (figLines.length >= 2 && figLines.some((a) => figLines.some((b) => boxes[b][1] >= boxes[a][3]))) {
      const g = glyphs[glyphsOf[figLines[figLines.length - 1]][0] + glyphsOf[figLines[figLines.length - 1]][1] - 1];
      glyphs.push({ ...g, ch: '…', conf: 0, alts: [], x0: g.x1 - 0.01, x1: g.x1 });
      if (process.env.NIANBAO_OCR_DEBUG) console.error('stacked figures', opts.page, cell.box.join(','));
      continue;
    }
    // a blank marker read (- / —) where the picture holds more than one thin stroke (-5 read as -):
    // the figure is unreadable, not a printed blank
    const readText = read.map((pi) => glyphs.slice(glyphsOf[pi][0], glyphsOf[pi][0] + glyphsOf[pi][1]).map((g) => g.ch).join('')).join('').trim();
    if (verdict.kind === 'ink' && BLANK_MARKS.test(readText)) {
      const g = glyphs[glyphsOf[read[read.length - 1]][0] + glyphsOf[read[read.length - 1]][1] - 1];
      glyphs.push({ ...g, ch: '…', conf: 0, alts: [], x0: g.x1 - 0.01, x1: g.x1 });
      if (process.env.NIANBAO_OCR_DEBUG) console.error('mark over ink', opts.page, cell.box.join(','), JSON.stringify(readText));
      continue;
    }
    // one character read where the picture holds one thin straight stroke: a printed blank (/ read as 1)
    if (verdict.kind === 'stroke' && read.length === 1 && glyphsOf[read[0]][1] === 1) {
      const g = glyphs[glyphsOf[read[0]][0]];
      if (STROKE_READINGS.test(g.ch)) {
        if (process.env.NIANBAO_OCR_DEBUG) console.error('stroke cell', opts.page, cell.box.join(','), JSON.stringify(g.ch), '->', verdict.ch);
        g.ch = verdict.ch;
        g.alts = [];
      }
    }
  }

  for (const [x0, y0, x1, y1] of cutCells) {
    nLines++;
    glyphs.push({ ch: '…', x0: x0 * s, x1: x1 * s, top: y0 * s, bottom: y1 * s, yc: ((y0 + y1) / 2) * s, size: (y1 - y0) * s, space: false, vert: false, conf: 0, alts: [] });
  }

  const toSourcePx = opts.toSourcePx ?? ((x: number, y: number) => [x, y] as [number, number]);
  const srcPx = (x: number, y: number) => toSourcePx((x - m) / f, (y - m) / f);
  const toSource = (b: BBox): BBox => {
    const pts = [
      [b[0], b[1]],
      [b[2], b[1]],
      [b[0], b[3]],
      [b[2], b[3]],
    ].map(([x, y]) => srcPx(...unrotatePoint(x / s, y / s, w, h, skew)));
    const xs = pts.map((p) => p[0]), ys = pts.map((p) => p[1]);
    const r = (v: number) => Math.round(v * 100) / 100;
    return [r(Math.min(...xs)), r(Math.min(...ys)), r(Math.max(...xs)), r(Math.max(...ys))];
  };
  return { width: w * s, height: h * s, rulings, glyphs, skew, toSource, lines: nLines };
}
