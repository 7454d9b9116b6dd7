/**
 * Geometry helpers for the PDF extractor: ruling lines from a page's operator list, and small
 * clustering utilities. Everything here works in page coordinates with the origin at the TOP-left
 * (the viewport transform at scale 1 is applied to every point), in PDF points.
 */
import type { Glyph } from './pdf-text.js';

/** A horizontal (y fixed) or vertical (x fixed) ruling segment. */
export interface Seg {
  /** The fixed coordinate: y for a horizontal segment, x for a vertical one. */
  at: number;
  /** Start and end along the segment (x for horizontal, y for vertical), a0 <= a1. */
  a0: number;
  a1: number;
}

export interface Rulings {
  h: Seg[];
  v: Seg[];
}

export type Matrix = [number, number, number, number, number, number];

/** m1 · m2 in canvas semantics (a point is transformed by m2 first, then m1). */
export function mul(m1: Matrix, m2: ArrayLike<number>): Matrix {
  return [
    m1[0] * m2[0] + m1[2] * m2[1],
    m1[1] * m2[0] + m1[3] * m2[1],
    m1[0] * m2[2] + m1[2] * m2[3],
    m1[1] * m2[2] + m1[3] * m2[3],
    m1[0] * m2[4] + m1[2] * m2[5] + m1[4],
    m1[1] * m2[4] + m1[3] * m2[5] + m1[5],
  ];
}

/** Operator codes we need (pdfjs OPS), passed in so this module does not import pdfjs. */
export interface OpCodes {
  save: number;
  restore: number;
  transform: number;
  constructPath: number;
  paintFormXObjectBegin: number;
  paintFormXObjectEnd: number;
  stroke: number;
  closeStroke: number;
  fill: number;
  eoFill: number;
  fillStroke: number;
  eoFillStroke: number;
  closeFillStroke: number;
  closeEOFillStroke: number;
  paintImageXObject: number;
  paintInlineImageXObject: number;
  paintImageMaskXObject: number;
  paintImageXObjectRepeat: number;
  beginText: number;
  setFont: number;
  setTextMatrix: number;
  moveText: number;
  setLeadingMoveText: number;
  setLeading: number;
  nextLine: number;
  showText: number;
  showSpacedText: number;
  nextLineShowText: number;
  nextLineSetSpacingShowText: number;
  setCharSpacing: number;
  setWordSpacing: number;
  setHScale: number;
  setTextRise: number;
}

/** What the text engine needs to know of a font (pdfjs's font object: commonObjs.get(loadedName)). */
export interface FontInfo {
  vertical: boolean;
  /** Glyph space → text space; [0.001, 0, 0, 0.001, 0, 0] for most fonts, other for Type 3. */
  fontMatrix: number[];
}

/** An image XObject painted on the page: its object id and the transform of the unit square it fills. */
export interface ImagePlacement {
  id: string;
  m: Matrix;
}

/** A rectangle filled this thin (points) is a ruling line, as Chromium, WPS and Word draw borders. */
const THIN = 2.5;
/** A ruling shorter than this is noise (bullets, dots, glyph fragments). */
const MIN_LEN = 3;

/**
 * Collect the ruling lines of a page from its operator list: stroked straight segments and thin
 * filled rectangles, with the current transformation matrix tracked through save/restore/transform
 * and form XObjects. Also counts image paints (for telling a scan apart).
 */
export function scanOps(
  fnArray: ArrayLike<number>,
  argsArray: ArrayLike<unknown>,
  base: Matrix,
  OPS: OpCodes,
  fontInfo: (name: string) => FontInfo,
): { rulings: Rulings; images: number; glyphs: Glyph[]; placed: ImagePlacement[] } {
  const glyphs: Glyph[] = [];
  const placed: ImagePlacement[] = [];
  // the text state (saved and restored with the graphics state, as pdfjs's canvas does)
  interface TextState {
    tm: Matrix;
    lineX: number; lineY: number; x: number; y: number;
    leading: number; charSpacing: number; wordSpacing: number; hScale: number; rise: number;
    font: string; size: number; dir: number;
  }
  let ts: TextState = { tm: [1, 0, 0, 1, 0, 0], lineX: 0, lineY: 0, x: 0, y: 0, leading: 0, charSpacing: 0, wordSpacing: 0, hScale: 1, rise: 0, font: '', size: 0, dir: 1 };
  const tstack: TextState[] = [];
  const fonts = new Map<string, FontInfo>();
  const h: Seg[] = [];
  const v: Seg[] = [];
  let images = 0;
  let ctm: Matrix = base;
  const stack: Matrix[] = [];
  const strokeOps = new Set([OPS.stroke, OPS.closeStroke, OPS.fillStroke, OPS.eoFillStroke, OPS.closeFillStroke, OPS.closeEOFillStroke]);
  const fillOps = new Set([OPS.fill, OPS.eoFill, OPS.fillStroke, OPS.eoFillStroke, OPS.closeFillStroke, OPS.closeEOFillStroke]);
  const imageOps = new Set([OPS.paintImageXObject, OPS.paintInlineImageXObject, OPS.paintImageMaskXObject, OPS.paintImageXObjectRepeat]);

  const addLine = (x0: number, y0: number, x1: number, y1: number) => {
    const dx = Math.abs(x1 - x0);
    const dy = Math.abs(y1 - y0);
    if (dy < 1 && dx >= MIN_LEN) h.push({ at: (y0 + y1) / 2, a0: Math.min(x0, x1), a1: Math.max(x0, x1) });
    else if (dx < 1 && dy >= MIN_LEN) v.push({ at: (x0 + x1) / 2, a0: Math.min(y0, y1), a1: Math.max(y0, y1) });
  };
  const addThinRect = (x0: number, y0: number, x1: number, y1: number) => {
    const w = x1 - x0;
    const ht = y1 - y0;
    if (ht < THIN && w >= MIN_LEN && w > ht) h.push({ at: (y0 + y1) / 2, a0: x0, a1: x1 });
    else if (w < THIN && ht >= MIN_LEN && ht > w) v.push({ at: (x0 + x1) / 2, a0: y0, a1: y1 });
  };

  /** Place the glyphs of one showText as pdfjs's canvas would draw them. */
  const showText = (list: unknown[], font: FontInfo) => {
    const { size, dir, charSpacing, wordSpacing, rise } = ts;
    const hs = ts.hScale * dir;
    const m = mul(mul(ctm, ts.tm), [1, 0, 0, 1, ts.x, ts.y + rise]);
    const sizeDev = size * Math.hypot(m[2], m[3]);
    const was = size * (font.fontMatrix[0] || 0.001);
    const vertical = font.vertical;
    let adv = 0;
    for (const g of list) {
      if (typeof g === 'number') {
        adv += ((vertical ? 1 : -1) * g * size) / 1000;
        continue;
      }
      const gl = g as { unicode?: string; width?: number; vmetric?: number[]; isSpace?: boolean };
      const spacing = (gl.isSpace ? wordSpacing : 0) + charSpacing;
      const text = gl.unicode ?? '';
      if (vertical) {
        // one character per em down the page from the current point (as pdftotext places them)
        const w = gl.vmetric ? -gl.vmetric[0] : (gl.width ?? 1000);
        const X = m[2] * -adv + m[4];
        const Y = m[3] * -adv + m[5];
        if (text) glyphs.push({ ch: text, x0: X, x1: X + sizeDev, top: Y - sizeDev, bottom: Y, yc: Y - sizeDev / 2, size: sizeDev, space: !text.trim(), vert: true });
        adv += w * was - spacing * dir;
      } else {
        const w = (gl.width ?? 0) * was + spacing * dir;
        const gx = adv * hs;
        const X = m[0] * gx + m[4];
        const Y = m[1] * gx + m[5];
        const dx = m[0] * w * hs;
        if (text) {
          const chars = Array.from(text);
          const step = dx / chars.length;
          const space = !text.trim();
          for (let k = 0; k < chars.length; k++) {
            const a = X + k * step, b = a + step;
            glyphs.push({ ch: chars[k], x0: Math.min(a, b), x1: Math.max(a, b), top: Y - 0.88 * sizeDev, bottom: Y + 0.12 * sizeDev, yc: Y - 0.38 * sizeDev, size: sizeDev, space, vert: false });
          }
        }
        adv += w;
      }
    }
    if (vertical) ts.y -= adv;
    else ts.x += adv * hs;
  };

  for (let i = 0; i < fnArray.length; i++) {
    const fn = fnArray[i];
    if (fn === OPS.save) {
      stack.push(ctm);
      tstack.push({ ...ts });
    } else if (fn === OPS.restore) {
      ctm = stack.pop() ?? base;
      ts = tstack.pop() ?? ts;
    }
    else if (fn === OPS.transform) ctm = mul(ctm, argsArray[i] as number[]);
    else if (fn === OPS.paintFormXObjectBegin) {
      stack.push(ctm);
      const m = (argsArray[i] as unknown[])?.[0] as number[] | null | undefined;
      if (m && m.length === 6) ctm = mul(ctm, m);
    } else if (fn === OPS.paintFormXObjectEnd) ctm = stack.pop() ?? base;
    else if (imageOps.has(fn)) {
      images++;
      // where an image XObject is painted (the unit square through the CTM): a scanned page's picture, for OCR
      const id = fn === OPS.paintImageXObject ? (argsArray[i] as unknown[])?.[0] : undefined;
      if (typeof id === 'string') placed.push({ id, m: ctm });
    }
    else if (fn === OPS.beginText) {
      ts.tm = [1, 0, 0, 1, 0, 0];
      ts.lineX = ts.lineY = ts.x = ts.y = 0;
    } else if (fn === OPS.setFont) {
      const a = argsArray[i] as [string, number];
      ts.font = a[0];
      ts.size = Math.abs(a[1]);
      ts.dir = a[1] < 0 ? -1 : 1;
    } else if (fn === OPS.setTextMatrix) {
      const a = argsArray[i] as unknown[];
      ts.tm = Array.from((a.length === 1 ? a[0] : a) as ArrayLike<number>) as Matrix;
      ts.lineX = ts.lineY = ts.x = ts.y = 0;
    } else if (fn === OPS.moveText || fn === OPS.setLeadingMoveText) {
      const [x, y] = argsArray[i] as number[];
      if (fn === OPS.setLeadingMoveText) ts.leading = y;
      ts.x = ts.lineX += x;
      ts.y = ts.lineY += y;
    } else if (fn === OPS.setLeading) ts.leading = -(argsArray[i] as number[])[0];
    else if (fn === OPS.setCharSpacing) ts.charSpacing = (argsArray[i] as number[])[0];
    else if (fn === OPS.setWordSpacing) ts.wordSpacing = (argsArray[i] as number[])[0];
    else if (fn === OPS.setHScale) ts.hScale = (argsArray[i] as number[])[0] / 100;
    else if (fn === OPS.setTextRise) ts.rise = (argsArray[i] as number[])[0];
    else if (fn === OPS.nextLine) {
      ts.x = ts.lineX;
      ts.y = ts.lineY += ts.leading;
    } else if (fn === OPS.showText || fn === OPS.showSpacedText || fn === OPS.nextLineShowText || fn === OPS.nextLineSetSpacingShowText) {
      const args = argsArray[i] as unknown[];
      if (fn === OPS.nextLineSetSpacingShowText) {
        ts.wordSpacing = args[0] as number;
        ts.charSpacing = args[1] as number;
      }
      if (fn === OPS.nextLineShowText || fn === OPS.nextLineSetSpacingShowText) {
        ts.x = ts.lineX;
        ts.y = ts.lineY += ts.leading;
      }
      const list = (fn === OPS.nextLineSetSpacingShowText ? args[2] : args[0]) as unknown[];
      if (!Array.isArray(list) || ts.size === 0) continue;
      let font = fonts.get(ts.font);
      if (!font) fonts.set(ts.font, (font = fontInfo(ts.font)));
      showText(list, font);
    }
    else if (fn === OPS.constructPath) {
      const args = argsArray[i] as [number, [ArrayLike<number> | null], unknown];
      const op = args?.[0];
      const buf = args?.[1]?.[0];
      if (!buf || !(strokeOps.has(op) || fillOps.has(op))) continue;
      const stroke = strokeOps.has(op);
      const fill = fillOps.has(op);
      const [a, b, c, d, e, f] = ctm;
      // Walk the path: moveTo 0 (x y), lineTo 1 (x y), curveTo 2 (6 numbers), closePath 3.
      let sx = 0, sy = 0, px = 0, py = 0;
      let curved = false;
      let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
      let pts = 0;
      const flushSub = () => {
        if (fill && !curved && pts >= 2) addThinRect(minX, minY, maxX, maxY);
        curved = false;
        pts = 0;
        minX = minY = Infinity;
        maxX = maxY = -Infinity;
      };
      const point = (x: number, y: number) => {
        const X = a * x + c * y + e;
        const Y = b * x + d * y + f;
        if (X < minX) minX = X;
        if (X > maxX) maxX = X;
        if (Y < minY) minY = Y;
        if (Y > maxY) maxY = Y;
        pts++;
        return [X, Y] as const;
      };
      for (let k = 0; k < buf.length; ) {
        const cmd = buf[k++];
        if (cmd === 0) {
          flushSub();
          [sx, sy] = point(buf[k], buf[k + 1]);
          px = sx;
          py = sy;
          k += 2;
        } else if (cmd === 1) {
          const [X, Y] = point(buf[k], buf[k + 1]);
          if (stroke) addLine(px, py, X, Y);
          px = X;
          py = Y;
          k += 2;
        } else if (cmd === 2) {
          const [X, Y] = point(buf[k + 4], buf[k + 5]);
          curved = true;
          px = X;
          py = Y;
          k += 6;
        } else if (cmd === 3) {
          if (stroke) addLine(px, py, sx, sy);
          px = sx;
          py = sy;
        } else break;
      }
      flushSub();
    }
  }
  return { rulings: { h: mergeSegs(h), v: mergeSegs(v) }, images, glyphs, placed };
}

/** Merge collinear segments (same `at` within 1pt) that overlap or nearly touch. */
export function mergeSegs(segs: Seg[], atTol = 1, gapTol = 2): Seg[] {
  if (segs.length === 0) return segs;
  const sorted = [...segs].sort((p, q) => p.at - q.at || p.a0 - q.a0);
  // group by `at`
  const out: Seg[] = [];
  let group: Seg[] = [];
  const flush = () => {
    if (!group.length) return;
    const at = group.reduce((s, g) => s + g.at, 0) / group.length;
    group.sort((p, q) => p.a0 - q.a0);
    let cur = { at, a0: group[0].a0, a1: group[0].a1 };
    for (let i = 1; i < group.length; i++) {
      const g = group[i];
      if (g.a0 <= cur.a1 + gapTol) cur.a1 = Math.max(cur.a1, g.a1);
      else {
        out.push(cur);
        cur = { at, a0: g.a0, a1: g.a1 };
      }
    }
    out.push(cur);
    group = [];
  };
  for (const s of sorted) {
    if (group.length && s.at - group[group.length - 1].at > atTol) flush();
    group.push(s);
  }
  flush();
  return out;
}

/** Cluster sorted-or-not numbers whose neighbours are within tol; returns the cluster means, ascending. */
export function cluster(values: number[], tol: number): number[] {
  if (!values.length) return [];
  const v = [...values].sort((p, q) => p - q);
  const out: number[] = [];
  let sum = v[0], n = 1, last = v[0];
  for (let i = 1; i < v.length; i++) {
    if (v[i] - last <= tol) {
      sum += v[i];
      n++;
    } else {
      out.push(sum / n);
      sum = v[i];
      n = 1;
    }
    last = v[i];
  }
  out.push(sum / n);
  return out;
}

/** Index i such that bounds[i] <= x < bounds[i+1], or -1 when outside. bounds ascending. */
export function locate(bounds: number[], x: number): number {
  if (x < bounds[0] || x > bounds[bounds.length - 1]) return -1;
  let lo = 0, hi = bounds.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (bounds[mid] <= x) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** Index of the value in sorted `bounds` nearest to x. */
export function nearest(bounds: number[], x: number): number {
  let best = 0;
  let bd = Infinity;
  for (let i = 0; i < bounds.length; i++) {
    const d = Math.abs(bounds[i] - x);
    if (d < bd) {
      bd = d;
      best = i;
    }
  }
  return best;
}

/** Simple union-find. */
export class DSU {
  p: Int32Array;
  constructor(n: number) {
    this.p = new Int32Array(n);
    for (let i = 0; i < n; i++) this.p[i] = i;
  }
  find(x: number): number {
    while (this.p[x] !== x) {
      this.p[x] = this.p[this.p[x]];
      x = this.p[x];
    }
    return x;
  }
  union(a: number, b: number): void {
    const ra = this.find(a), rb = this.find(b);
    if (ra !== rb) this.p[Math.max(ra, rb)] = Math.min(ra, rb);
  }
}

/** Does the union of segments at coordinate `at` (within tol) cover [from, to] for at least `share` of its length? */
export function covered(segs: Seg[], at: number, from: number, to: number, tol = 2, share = 0.6): boolean {
  const len = to - from;
  if (len <= 0) return true;
  let cov = 0;
  for (const s of segs) {
    if (Math.abs(s.at - at) > tol) continue;
    const lo = Math.max(s.a0, from), hi = Math.min(s.a1, to);
    if (hi > lo) cov += hi - lo;
  }
  return cov >= share * len;
}
