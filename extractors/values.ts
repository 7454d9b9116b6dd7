/**
 * Reading a printed cell as a number. Never a guess: a cell that is not plainly a number (or a
 * zero marker) is unreadable, and the caller records a problem that says where.
 */

export interface CellValue {
  /** The number, or null when the cell cannot be read. */
  value: number | null;
  /** The cell was blank or a zero marker (—, -, /, ／, 无): read as 0, recorded as blank. */
  blank: boolean;
  /** Why the cell could not be read (value null). */
  reason?: string;
}

/** Characters that mark "nothing" in a cell. */
const ZERO_MARKERS = /^(?:[-－‐‑‒–—―─━一_＿~～/／\\＼·•.。*＊]+|无|無|没有|空|null|NULL|N\/A|n\/a)$/;

/** Full-width ASCII to ASCII, ideographic space to space: only the characters a number uses. */
export function toHalfWidth(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c >= 0xff01 && c <= 0xff5e) out += String.fromCodePoint(c - 0xfee0);
    else if (c === 0x3000) out += ' ';
    else out += ch;
  }
  return out;
}

/** Remove a parenthesised note: 22（其中修订16件） → 22; 15(含3件) → 15. */
function stripNotes(s: string): string {
  let prev: string;
  do {
    prev = s;
    s = s.replace(/[（(【\[［〔][^（()）【】\[\]［］〔〕]*[)）】\]］〕]/g, ' ');
  } while (s !== prev);
  return s;
}

const UNIT_RE = /(万元|萬元|亿元|元|件|个|個|条|條|项|項|次|宗|起|人次|人|家|份|篇|笔|筆|户|戶)$/;

/**
 * Parse a cell's text.
 * @param unit the unit the column header names for amounts: a value in 元 is converted to 万元.
 */
export function parseCell(raw: string, opts: { unit?: '万元' | '元' } = {}): Readonly<CellValue> {
  // the same few texts fill most cells ('0', '', '—', small counts): read each once
  if (raw.length > 200) return readCell(raw, opts);
  const cacheKey = opts.unit ? opts.unit + '\u0000' + raw : raw;
  let hit = cache.get(cacheKey);
  if (hit === undefined) {
    if (cache.size >= CACHE_MAX) cache.clear();
    hit = Object.freeze(readCell(raw, opts));
    cache.set(cacheKey, hit);
  }
  return hit;
}

const CACHE_MAX = 20_000;
const cache = new Map<string, Readonly<CellValue>>();

function readCell(raw: string, opts: { unit?: '万元' | '元' }): CellValue {
  let s = toHalfWidth(raw).replace(/[\s\u00a0\u200b\ufeff]+/g, ' ').trim();
  // two numbers in one cell are never one number: white space inside digits only as a thousands separator
  if (/\d \d/.test(s) && !/^[+-]?\d{1,3}(?: \d{3})+(?:\.\d+)?$/.test(s)) {
    return { value: null, blank: false, reason: `"${raw}" holds more than one number` };
  }
  s = s.replace(/ /g, '');
  if (s === '') return { value: 0, blank: true };
  if (ZERO_MARKERS.test(s)) return { value: 0, blank: true };
  if (s === '〇' || s === '零' || s === '○') return { value: 0, blank: false }; // zero written as a character
  s = stripNotes(s).replace(/\s+/g, '');
  if (s === '') return { value: null, blank: false, reason: `no number in "${raw}"` };
  // words for the sign
  let sign = 1;
  let m = s.match(/^(减少|减|降低|下降|少|增加|增|新增|上升|多)(.*)$/);
  if (m) {
    if (/^(减|降|下|少)/.test(m[1])) sign = -1;
    s = m[2];
  }
  // unit
  let unit: string | undefined;
  const u = s.match(UNIT_RE);
  if (u) {
    unit = u[1];
    s = s.slice(0, s.length - u[1].length);
  }
  // numeric sign: +5, -3, --253 (a doubled dash is a minus), －3, −3
  m = s.match(/^([+＋]|[-−－–—]{1,2})?(.*)$/)!;
  if (m[1]) {
    if (m[1] !== '+' && m[1] !== '＋') sign = -sign;
    s = m[2];
  }
  // thousands separators: 1,234,567 (also the ideographic comma used the same way)
  if (/^\d{1,3}([,，、]\d{3})+(\.\d+)?$/.test(s)) s = s.replace(/[,，、]/g, '');
  if (!/^\d+(\.\d+)?$/.test(s)) {
    return { value: null, blank: false, reason: `"${raw}" is not a number` };
  }
  let v = sign * Number(s);
  // amounts are stored in 万元: a cell's own unit wins over its header's
  const effectiveUnit = unit === '万元' || unit === '萬元' || unit === '元' || unit === '亿元' ? unit : opts.unit;
  if (effectiveUnit === '元') v = round(v / 10000);
  else if (effectiveUnit === '亿元') v = round(v * 10000);
  return { value: v === 0 ? 0 : v, blank: false };
}

function round(v: number): number {
  return Math.round(v * 1e8) / 1e8;
}

/** True when a cell looks like a value (a number, a zero marker or blank), so it is not a label. */
export function isValueLike(raw: string): boolean {
  return parseCell(raw).value !== null;
}

/** True when a cell holds something other than blank/zero markers. */
export function isBlankCell(raw: string): boolean {
  const r = parseCell(raw);
  return r.blank;
}
