/**
 * Text helpers for the PDF extractor: positioned glyphs, lines, joining text without
 * spurious spaces between CJK characters, Kangxi radical repair, page-number lines.
 */

/** One character with its estimated box (top-left origin, PDF points). */
export interface Glyph {
  ch: string;
  x0: number;
  x1: number;
  top: number;
  bottom: number;
  /** Vertical centre, used for rows and lines. */
  yc: number;
  size: number;
  space: boolean;
  /** Set in vertical writing (one character per line down a column). */
  vert: boolean;
  /** OCR: the recogniser's probability for this character (0..1); absent for a text layer's glyph. */
  conf?: number;
  /** OCR: the recogniser's next-best readings of this character, most likely first. */
  alts?: { ch: string; p: number }[];
}

/** A visual line of glyphs, sorted left to right. */
export interface Line {
  glyphs: Glyph[];
  x0: number;
  x1: number;
  top: number;
  bottom: number;
  yc: number;
  size: number;
}

const WIDE = /[\u1100-\u11ff\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3100-\u31ff\u3200-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7af\uf900-\ufaff\ufe10-\ufe6f\uff00-\uff60\uffe0-\uffe6]|[\ud840-\ud87f][\udc00-\udfff]/;
const CJK = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[\ud840-\ud87f][\udc00-\udfff]/;

export function isWide(ch: string): boolean {
  return WIDE.test(ch);
}

export function isCjk(ch: string): boolean {
  return CJK.test(ch);
}

/** Latin letters, digits and ASCII punctuation: the only characters a space may separate in a cell. */
function isNarrow(ch: string): boolean {
  return !WIDE.test(ch) && ch.trim() !== '';
}

/**
 * Type 3 / broken ToUnicode fonts yield Kangxi radicals (U+2F00–U+2FDF, `⼀` for `一`) and CJK
 * radicals supplement characters (U+2E80–U+2EFF). Map those characters one by one with NFKC;
 * never the whole string (NFKC would turn （）： into ASCII).
 */
export function fixRadicals(s: string): string {
  if (!/[\u2e80-\u2fdf]/.test(s)) return s;
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp >= 0x2e80 && cp <= 0x2fdf) {
      const n = ch.normalize('NFKC');
      out += n !== ch ? n : (SUPPLEMENT[ch] ?? ch);
    } else out += ch;
  }
  return out;
}

/**
 * CJK Radicals Supplement characters that stand for a whole ordinary character. NFKC leaves most
 * of them alone, yet fonts (Noto CJK through Chromium/Skia) map shared glyphs to them: 青 comes out
 * as ⻘ (U+2EC4). Only full characters are listed; component-only forms (⺅, ⺡…) are kept.
 */
const SUPPLEMENT: Record<string, string> = {
  '\u2e9d': '月', '\u2e9f': '母', '\u2ea0': '民',
  '\u2ea9': '王', '\u2eac': '示', '\u2eb7': '羊', '\u2ebc': '月', '\u2ec1': '虎', '\u2ec4': '西',
  '\u2ec5': '见', '\u2ec6': '角', '\u2ec9': '贝', '\u2ecb': '车', '\u2ed1': '長', '\u2ed3': '长',
  '\u2ed4': '门', '\u2ed7': '雨', '\u2ed8': '青', '\u2ed9': '韦', '\u2eda': '页', '\u2edb': '风',
  '\u2edc': '飞', '\u2edd': '食', '\u2ee0': '饣', '\u2ee2': '马', '\u2ee3': '骨', '\u2ee4': '鬼',
  '\u2ee5': '鱼', '\u2ee6': '鸟', '\u2ee7': '卤', '\u2ee8': '麦', '\u2ee9': '黄', '\u2eea': '黾',
  '\u2eeb': '斉', '\u2eec': '齐', '\u2eed': '歯', '\u2eee': '齿', '\u2eef': '竜', '\u2ef0': '龙',
  '\u2ef1': '龜', '\u2ef2': '亀', '\u2ef3': '龟',
};

/**
 * Group glyphs into visual lines: sort by vertical centre, start a new line when the centre moves
 * by more than half the font size. Vertical glyphs each make their own line (one character per line).
 */
export function toLines(glyphs: Glyph[]): Line[] {
  const gs = [...glyphs].sort((a, b) => a.yc - b.yc || a.x0 - b.x0);
  const lines: Line[] = [];
  let cur: Glyph[] = [];
  let curYc = 0;
  let curSize = 0;
  const flush = () => {
    if (!cur.length) return;
    cur.sort((a, b) => a.x0 - b.x0);
    const solid = cur.filter((g) => !g.space);
    if (solid.length) {
      let x0 = Infinity, x1 = -Infinity, top = Infinity, bottom = -Infinity, size = 0;
      for (const g of solid) {
        if (g.x0 < x0) x0 = g.x0;
        if (g.x1 > x1) x1 = g.x1;
        if (g.top < top) top = g.top;
        if (g.bottom > bottom) bottom = g.bottom;
        if (g.size > size) size = g.size;
      }
      lines.push({ glyphs: cur, x0, x1, top, bottom, yc: (top + bottom) / 2, size });
    }
    cur = [];
  };
  for (const g of gs) {
    if (cur.length && (g.vert || cur[0].vert || g.yc - curYc > 0.5 * Math.min(curSize, g.size))) flush();
    if (!cur.length) {
      curYc = g.yc;
      curSize = g.size;
    }
    cur.push(g);
  }
  flush();
  return lines;
}

/**
 * The text of one line (glyphs sorted by x). `cell` mode puts a space only between two Latin/digit
 * runs; prose mode keeps a space wherever there was one, except between two CJK characters.
 * Duplicated glyphs (fake bold drawn twice) are dropped.
 */
export function lineText(glyphs: Glyph[], mode: 'cell' | 'prose'): string {
  let out = '';
  let prev: Glyph | null = null;
  let pending = false;
  for (const g of glyphs) {
    if (g.space) {
      pending = true;
      continue;
    }
    if (prev) {
      if (g.ch === prev.ch && Math.abs(g.x0 - prev.x0) < 0.3 * g.size) continue;
      const gap = g.x0 - prev.x1;
      const em = Math.min(g.size, prev.size);
      // words set apart by positioning only (TJ offsets, no space glyph) are ~0.2–0.3 em apart; the
      // digits of one number spread over a cell by distributed alignment are not two numbers
      const digits = /\d/.test(prev.ch) && /\d/.test(g.ch);
      const sp = pending || gap > (digits && mode === 'cell' ? 0.5 : 0.15) * em;
      if (sp) {
        const a = prev.ch, b = g.ch;
        const want = mode === 'cell' ? isNarrow(a) && isNarrow(b) : !(isWide(a) && isWide(b));
        if (want) out += ' ';
      }
    }
    out += g.ch;
    prev = g;
    pending = false;
  }
  return out;
}

/** Join the lines of one cell top to bottom: no space between CJK, a space between two Latin/digit runs. */
export function joinLines(texts: string[]): string {
  let out = '';
  for (const t of texts) {
    if (!t) continue;
    if (out && isNarrow(out[out.length - 1]) && isNarrow(t[0])) out += ' ';
    out += t;
  }
  return out.replace(/\s+/g, ' ').trim();
}

/** A page number or page footer line: `-3-`, `— 4 —`, `第 3 页`, `第3页 共5页`, `3 / 5`, `3`. */
export function isPageNumber(text: string): boolean {
  const t = text.replace(/\s+/g, '');
  return (
    /^[-—–－_~·•―]*(第)?\d{1,4}(页)?[-—–－_~·•―]*$/.test(t) ||
    /^第\d{1,4}页[,，/]?共\d{1,4}页$/.test(t) ||
    /^\d{1,4}[/／]\d{1,4}$/.test(t) ||
    /^(page)?\d{1,4}(of\d{1,4})?$/i.test(t)
  );
}

/** Text yield of a page: counts that tell garbled extraction apart. */
export interface Yield {
  chars: number;
  cjk: number;
  replacement: number;
  pua: number;
  cid: number;
  latin: number;
}

export function textYield(s: string): Yield {
  const y: Yield = { chars: 0, cjk: 0, replacement: 0, pua: 0, cid: 0, latin: 0 };
  for (const ch of s) {
    if (ch.trim() === '') continue;
    y.chars++;
    const cp = ch.codePointAt(0)!;
    if (cp === 0xfffd) y.replacement++;
    else if ((cp >= 0xe000 && cp <= 0xf8ff) || cp >= 0xf0000) y.pua++;
    else if (CJK.test(ch)) y.cjk++;
    else if (/[A-Za-z]/.test(ch)) y.latin++;
  }
  y.cid = (s.match(/\(cid:\d+\)/g) ?? []).length;
  return y;
}
