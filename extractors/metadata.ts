/**
 * Report metadata from a document's page title, headings and text: the report's title, the year
 * reported on, the publishing agency, its region, and whether the document is an annual report at all.
 *
 * Everything is matched on a "matching form" of the text that has exactly the same length as the
 * display form (traditional characters, full-width digits and Kangxi radicals mapped one character
 * to one character), so that what is returned is a slice of the text as printed: a mirror site's
 * 政府資訊公開工作年度報告 is recognised and kept in traditional characters.
 */
import type { Problem } from './types.js';
import { simplifiedChar, traditionalChars } from './normalize.js';
import { editDistance } from './align.js';

export interface MetadataInput {
  /** The page <title> or the PDF's title metadata. */
  title?: string;
  headings: string[];
  text: string;
  /** The text was read by OCR from pictures: a title may come with misread characters. */
  ocr?: boolean;
}

export interface Metadata {
  agency: string | null;
  /** The year reported on (not the year published). */
  year: number | null;
  title: string | null;
  region: string | null;
  /** The document is a 政府信息公开 annual report. */
  isReport: boolean;
  /** A report for a year before 2019 (no fixed template). */
  legacy: boolean;
  /** The year of the statistics period stated in the text (统计期限自…至…), if any. */
  periodYear: number | null;
  problems: Problem[];
}

const MAX_TITLE = 60;
/** How much of a long text to search for the opening sentences and the period. */
const HEAD_CHARS = 20000;
const TAIL_CHARS = 5000;

// ---------------------------------------------------------------------------------------------
// Character forms

/**
 * The matching form, one UTF-16 unit to one so every index of the display form stays: traditional →
 * simplified (OpenCC's table, shared with label matching), full-width digits → ASCII, Ｏ ○ ◯ (zero in
 * years) → 〇, Kangxi radicals (Type 3 fonts) → the characters they stand for. A table over every code
 * unit, 0 where nothing changes: the text is read a character at a time in the hot path.
 */
const MATCH_FORM = new Uint16Array(0x10000);
for (const t of traditionalChars()) {
  const s = simplifiedChar(t)!;
  if (t.length === 1 && s.length === 1 && s !== t) MATCH_FORM[t.charCodeAt(0)] = s.charCodeAt(0);
}
for (let c = 0xff10; c <= 0xff19; c++) MATCH_FORM[c] = c - 0xfee0;
for (const c of [0xff2f, 0x25cb, 0x25ef]) MATCH_FORM[c] = 0x3007;
for (let c = 0x2f00; c <= 0x2fdf; c++) {
  const n = String.fromCharCode(c).normalize('NFKC');
  if (n.length === 1) MATCH_FORM[c] = n.charCodeAt(0);
}

/** The matching form of a string: same length, index for index. */
function m(s: string): string {
  // the same head of the text is put in matching form by several readers in a row
  if (s.length > 200) for (const e of mMemo) if (e.in === s) return e.out;
  let out = '';
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const to = MATCH_FORM[s.charCodeAt(i)]!;
    if (to !== 0) {
      out += s.slice(from, i) + String.fromCharCode(to);
      from = i + 1;
    }
  }
  const result = from === 0 ? s : out + s.slice(from);
  if (s.length > 200) {
    mMemo.unshift({ in: s, out: result });
    mMemo.length = Math.min(mMemo.length, 3);
  }
  return result;
}
const mMemo: { in: string; out: string }[] = [];

function isWordChar(ch: string | undefined): boolean {
  return ch !== undefined && /[A-Za-z0-9]/.test(ch);
}

/**
 * The display form: Kangxi radicals mapped (NFKC, one character at a time), whitespace collapsed,
 * and the spaces PDFs and pages put between CJK characters and digits removed (`2023 年` → `2023年`).
 * A space between two ASCII words is kept.
 */
export function tidyText(s: string): string {
  let t = KANGXI_RE.test(s) ? s.replace(KANGXI_RE_G, (ch) => ch.normalize('NFKC')) : s;
  t = t.replace(/[\s\u00a0\u3000\u200b\ufeff]+/g, ' ').trim();
  if (!t.includes(' ')) return t;
  return t.replace(/ (?=\S)/g, (sp, off: number) => (isWordChar(t[off - 1]) && isWordChar(t[off + 1]) ? sp : ''));
}
const KANGXI_RE = /[\u2f00-\u2fdf]/;
const KANGXI_RE_G = /[\u2f00-\u2fdf]/g;

/** Text with every whitespace removed (Chinese prose has no meaningful spaces): for sentence patterns. */
function compact(s: string): string {
  return s.replace(/[\s\u00a0\u3000\u200b\ufeff]+/g, '');
}

// ---------------------------------------------------------------------------------------------
// Years

const CN_DIGIT: Record<string, number> = {
  〇: 0, 零: 0, 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9,
};

function plausibleYear(y: number): boolean {
  return y >= 1990 && y <= 2100;
}

/** A year written before 年: 2021年, 2021 年, 二〇二一年 (in matching form). Global regex, group 1 arabic, 2 numerals. */
const YEAR_RE = /(?<![0-9])((?:19|20)[0-9]{2})(?![0-9])\s*年|([一二][〇零一二三四五六七八九]{3})\s*年/g;

interface YearHit {
  year: number;
  index: number;
  end: number;
}

function yearsIn(mt: string): YearHit[] {
  const out: YearHit[] = [];
  for (const x of mt.matchAll(YEAR_RE)) {
    let y: number;
    if (x[1]) y = Number(x[1]);
    else y = Number([...x[2]!].map((c) => CN_DIGIT[c]).join(''));
    if (plausibleYear(y)) out.push({ year: y, index: x.index!, end: x.index! + x[0].length });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Titles

/** The words that name the report, in matching form. */
const REPORT_NAME_RE = /(?:信息|资讯)公开(?:工作)?[^，。；！？,;>＞»›→|｜_]{0,12}?(?:年度报告|年报|工作报告)|政务公开[^，。；！？,;>＞»›→|｜_]{0,8}?(?:年度报告|年报)/;
/** A breadcrumb or list line is not a title. */
const BREADCRUMB_RE = /[>＞»›→]|当前位置|您的位置/;
/** What may follow the report's name (and its note) in a line that is still its title. */
const TITLE_TAIL_RE = /^\s*(?:全文)?\s*(?:$|[\s_|｜—–-]|发布|来源|时间|日期|浏览|点击|作者|字号|(?:19|20)[0-9]{2}[-./年])/;

/** Quotes and brackets that may wrap a title or an agency. */
const WRAP_RE = /^[\s"'“”‘’《》〈〉「」『』【】\[\]]+|[\s"'“”‘’《》〈〉「」『』【】\[\]]+$/g;

const QUOTE_PAIRS: Record<string, string> = { '《': '》', '“': '”', '‘': '’', '「': '」', '『': '』', '【': '】', '〈': '〉', '"': '"', "'": "'" };
const CLOSERS = new Map(Object.entries(QUOTE_PAIRS).map(([o, c]) => [c, o]));

/** Remove quotes that wrap a title or dangle at its ends; keep a pair inside it (“南京市教育局”2022年…). */
function unwrapQuotes(s: string): string {
  let t = s.trim();
  for (let guard = 0; guard < 4 && t.length > 0; guard++) {
    const first = t[0]!;
    const last = t[t.length - 1]!;
    if (QUOTE_PAIRS[first] !== undefined && t.length > 1 && last === QUOTE_PAIRS[first] && t.indexOf(last, 1) === t.length - 1) {
      t = t.slice(1, -1).trim();
    } else if (QUOTE_PAIRS[first] !== undefined && !t.includes(QUOTE_PAIRS[first]!, 1)) {
      t = t.slice(1).trim();
    } else if (CLOSERS.has(last) && !t.slice(0, -1).includes(CLOSERS.get(last)!)) {
      t = t.slice(0, -1).trim();
    } else break;
  }
  return t;
}

/**
 * The report's title within one line (a heading, a title segment, a text line), or null: the line
 * up to and including the words that name the report, when only a note, a date or a separator follows.
 */
function titleIn(line: string): string | null {
  // every report name (…年度报告, …年报, …工作报告) holds 报 in matching form: most lines have none
  if (!hasBao(line)) return null;
  let raw = line
    .replace(/[\s\u00a0\u3000]+/g, ' ')
    .trim()
    // a leading date or list marker: 2022-01-20 …, · …, 1. …
    .replace(/^(?:(?:19|20)[0-9]{2}[-./][0-9]{1,2}[-./][0-9]{1,2}|[·•●◆■□▪*]|[0-9]{1,3}[.、．)] )\s*/, '');
  if (!raw || BREADCRUMB_RE.test(raw)) return null;
  let mt = m(raw);
  let hit = REPORT_NAME_RE.exec(mt);
  if (!hit) {
    // letter-spaced: 政 府 信 息 公 开 工 作 年 度 报 告
    raw = tidyText(raw);
    mt = m(raw);
    hit = REPORT_NAME_RE.exec(mt);
    if (!hit) return null;
  }
  const end = hit.index + hit[0].length;
  let rest = end;
  // a closing quote: 《…年度报告》
  const quote = /^\s*[》”"」』]/.exec(mt.slice(rest));
  if (quote) rest += quote[0].length;
  // a bracketed note that belongs to the title, （2021年度）, （南京市教育局）; （全文） is dropped
  let note = '';
  const n = /^\s*[（(【\[［〔]([^（(）)【】\[\]［］〔〕]{1,20})[）)】\]］〕]/.exec(mt.slice(rest));
  if (n) {
    if (!/^\s*全文\s*$/.test(n[1]!)) note = raw.slice(rest, rest + n[0].length);
    rest += n[0].length;
  }
  if (!TITLE_TAIL_RE.test(mt.slice(rest))) return null;
  const title = tidyText(unwrapQuotes(tidyText(raw.slice(0, end)) + (quote && !note ? quote[0].trim() : '')) + note);
  if (title.length > MAX_TITLE) return null;
  // a sentence is not a title
  if (/[，。；！？]/.test(title)) return null;
  return title;
}

/** Code units whose matching form is 报 (报 itself, 報, a radical…). tidyText's NFKC of Kangxi radicals agrees with MATCH_FORM. */
const BAO_FORMS = new Uint8Array(0x10000);
for (let c = 0; c < 0x10000; c++) if ((MATCH_FORM[c] || c) === 0x62a5) BAO_FORMS[c] = 1;

function hasBao(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (BAO_FORMS[s.charCodeAt(i)] === 1) return true;
  return false;
}

/** A title that starts with its year: 2023年政府信息公开工作年度报告. */
const YEAR_START_RE = /^(?:(?:19|20)[0-9]{2}|[一二][〇零一二三四五六七八九]{3})\s*年/;

/** A short line that can be the agency half of a title split over two lines (洪泽区人民政府 / 2023年…). */
function agencyLine(line: string): string | null {
  const t = tidyText(line).replace(WRAP_RE, '');
  if (t.length < 2 || t.length > 30) return null;
  if (/[0-9，。；：:！？,;>＞»›→]/.test(m(t))) return null;
  if (!/[\u4e00-\u9fff]/.test(t)) return null;
  if (/报告|公开|目录|附件|情况|首页/.test(m(t))) return null;
  // it names a body: a government, a department, a place
  if (!/(?:政府|局|厅|委|委员会|办|办公室|院|署|中心|会|所|站|处|队|馆|部|公署|街道|镇|乡|区|县|市|省|旗|盟|州|集团|公司|行|社|团|室|科)$/.test(m(t))) return null;
  return t;
}

/** Every title in a list of lines, in order, joining a title split over two lines. */
function titlesInLines(lines: string[]): string[] {
  const ls = lines.map((l) => l.trim()).filter((l) => l.length > 0);
  const out: string[] = [];
  for (let i = 0; i < ls.length; i++) {
    const start = i;
    let t = titleIn(ls[i]!);
    if (t === null && i + 1 < ls.length && ls[i]!.length <= 40 && /(?:信息|资讯)公开|政务公开/.test(m(ls[i]!))) {
      // a title wrapped before its last words: …政府信息公开工作 / 年度报告
      const next = ls[i + 1]!;
      if (next.length <= 12) {
        t = titleIn(ls[i] + next);
        if (t !== null) i += 1;
      }
    }
    if (t === null) continue;
    if (start > 0 && YEAR_START_RE.test(m(t)) && agencyFromTitle(t) === null) {
      // 洪泽区人民政府 / 2023 年政府信息公开工作年度报告
      const prev = agencyLine(ls[start - 1]!);
      if (prev !== null) {
        const joined = tidyText(prev + t);
        if (joined.length <= MAX_TITLE && agencyFromTitle(joined) !== null) t = joined;
      }
    }
    out.push(t);
  }
  return out;
}

/** The title among lines: the first that names an agency, else the first. */
function titleFromLines(titles: string[]): string | null {
  return titles.find((t) => agencyFromTitle(t) !== null) ?? titles[0] ?? null;
}

/** Title candidates from the page title: the segment that names the report, site suffix removed. */
function titleFromPageTitle(pageTitle: string): string | null {
  const segments = pageTitle.split(/\s*(?:_|\s-\s|\||｜|—+|--+|–)\s*/);
  for (const seg of segments) {
    const t = titleIn(seg);
    if (t !== null) return t;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Agency

const REPORT_WORDS_RE = /(?:政府)?(?:信息|资讯)公开|政务公开|年度报告|年报|工作报告/;
/** 我局, 我县人民政府办公室, 本机关: not a name (本溪市 is). */
const GENERIC_AGENCY_RE = /^我|^本(?:局|委|办|厅|院|署|中心|区|县|市|镇|乡|街道|单位|部门|机关|公司|所|站|级|部)/;

function cleanAgency(s: string): string | null {
  let t = tidyText(s).replace(WRAP_RE, '');
  t = t.replace(/^关于/, '').replace(/(?:关于|发布|公布|的|之)$/, '').replace(WRAP_RE, '');
  const mt = m(t);
  if (t.length < 2 || t.length > 40) return null;
  if (REPORT_WORDS_RE.test(mt)) return null;
  if (/[0-9]{4}|[，。；！？:：]/.test(mt)) return null;
  if (/^(?:年度?|度)/.test(mt)) return null;
  if (GENERIC_AGENCY_RE.test(mt)) return null;
  if (!/[\u4e00-\u9fff]/.test(t)) return null;
  return t;
}

/** The agency named in a title: before the year, or between the year and 政府信息公开. */
function agencyFromTitle(title: string): string | null {
  const mt = m(title);
  const name = REPORT_NAME_RE.exec(mt);
  const nameAt = name ? name.index : mt.length;
  // the 政府 of 政府信息公开 belongs to the report's words
  // (but 南京市人民政府信息公开… is 南京市人民政府 + 信息公开)
  const wordsAt = mt.slice(0, nameAt).endsWith('政府') && !mt.slice(0, nameAt).endsWith('人民政府') ? nameAt - 2 : nameAt;
  const years = yearsIn(mt).filter((y) => y.index < wordsAt);
  if (years.length > 0) {
    const y = years[0]!;
    const before = cleanAgency(title.slice(0, y.index));
    if (before) return before;
    const last = years[years.length - 1]!;
    let from = last.end;
    if (mt[from] === '度') from += 1;
    const between = cleanAgency(title.slice(from, wordsAt));
    if (between) return between;
    return agencyInNote(title);
  }
  return cleanAgency(title.slice(0, wordsAt)) ?? agencyInNote(title);
}

/** The template's title words after the year, in matching form. */
const REPORT_WORDS = '政府信息公开工作年度报告';

/**
 * A title read by OCR with misread, missing or extra characters: a short line with a year followed by
 * words within a few edits of 政府信息公开工作年度报告 (or 年度…). The agency is what stands before the
 * year; where the text (read in a smaller, surer size) spells a name within a quarter of its characters
 * more often, that spelling is the agency.
 */
function ocrTitleIn(lines: string[], ctext: string): { title: string; year: number; agency: string | null; read: string | null } | null {
  for (const line of lines) {
    const t = tidyText(line);
    if (t.length < 10 || t.length > MAX_TITLE || /[，。；！？]/.test(t)) continue;
    const mt = m(t);
    // the year, maybe with a stray mark before 年 (2021.年)
    const yr = /(?<![0-9])((?:19|20)[0-9]{2})(?![0-9])[^0-9\u4e00-\u9fff]{0,2}年/.exec(mt);
    if (!yr || !plausibleYear(Number(yr[1]))) continue;
    const y = { index: yr.index, end: yr.index + yr[0].length };
    let tail = mt.slice(y.end).replace(/^度/, '');
    tail = tail.replace(/[\s\p{P}]/gu, '');
    if (tail.length < 6) continue;
    const d = editDistance(tail, REPORT_WORDS);
    if (d > REPORT_WORDS.length / 2) continue;
    const read = cleanAgency(t.slice(0, y.index).replace(/[\s\p{P}\p{S}]+$/u, ''));
    return { title: t, year: Number(yr[1]), agency: read ? (spelledInText(read, ctext) ?? read) : null, read };
  }
  return null;
}

/**
 * The spelling of `name` the text uses most (one character more or less, or within a quarter of its
 * characters), when the text uses it more often than `name` itself outside the title (counted once).
 */
function spelledInText(name: string, ctext: string): string | null {
  const n = name.length;
  if (n < 3) return null;
  const max = Math.max(1, Math.floor(n / 4));
  const counts = new Map<string, number>();
  const mt = m(ctext);
  const mname = m(name);
  for (let len = n - 1; len <= n + 1; len++) {
    for (let i = 0; i + len <= mt.length; i++) {
      // a window sharing the first or last character (a cheap filter before the distance)
      if (mt[i] !== mname[0] && mt[i + len - 1] !== mname[n - 1]) continue;
      const w = ctext.slice(i, i + len);
      if (!/^[\u4e00-\u9fff]+$/.test(w)) continue;
      // a piece of the name as read, or the name with a neighbour, is not another spelling of it
      if (w !== name && (name.includes(w) || w.includes(name))) continue;
      if (editDistance(m(w), mname) <= max) counts.set(w, (counts.get(w) ?? 0) + 1);
    }
  }
  let best: string | null = null;
  let bestN = Math.max(0, (counts.get(name) ?? 0) - 1);
  for (const [w, c] of counts) {
    if (w !== name && c > bestN) {
      best = w;
      bestN = c;
    }
  }
  return best;
}

/** 2022年政府信息公开工作年度报告（南京市教育局）: the agency in the title's closing note. */
function agencyInNote(title: string): string | null {
  const n = /[（(【\[［〔]([^（(）)【】\[\]［］〔〕]{2,20})[）)】\]］〕]$/.exec(title);
  return n ? cleanAgency(n[1]!) : null;
}

/** The agency named in the opening sentence: 本报告由XX根据…编制 / 由XX根据…编制 / XX根据《…条例》…编制本报告. */
function agencyFromSentence(ctext: string): string | null {
  const mt = m(ctext.slice(0, 4000));
  const NAME = '([^，。；：:、《》（）()]{2,40}?)';
  const patterns = [
    new RegExp(`本(?:年度)?报告(?:是)?由${NAME}(?:根据|依据|按照|依照|遵照|结合|负责|编制|组织|汇总|撰写|起草|制作)`),
    new RegExp(`由${NAME}(?:根据|依据|按照|依照)[^。]{0,120}?编制`),
    new RegExp(`(?:^|[。，；！？])${NAME}(?:根据|依据|按照|依照)《[^》]{0,40}条例》[^。]{0,120}?编制(?:了)?本(?:年度)?报告`),
    new RegExp(`(?:^|[。，；！？])${NAME}(?:编制|制作)(?:了)?本(?:年度)?报告`),
    new RegExp(`本(?:年度)?报告[^。]{0,80}?[，,]由${NAME}(?:负责|组织)?(?:编制|制作|撰写|起草)`),
    // 特向社会公布2019年度沭阳县政府信息公开工作年度报告 / 现将南京市生态环境局2021年政府信息公开工作情况报告如下
    new RegExp(`(?:公布|发布|现将|形成)(?:了)?(?:(?:19|20)[0-9]{2}年度?)?${NAME}(?:(?:19|20)[0-9]{2}年度?)?(?:政府)?(?:信息|资讯|政务)公开`),
  ];
  for (const re of patterns) {
    const x = re.exec(mt);
    if (!x) continue;
    const start = x.index + x[0].indexOf(x[1]!);
    const a = cleanAgency(ctext.slice(start, start + x[1]!.length));
    if (a) return a;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Region

const UNIT_SUFFIXES = ['特别行政区', '自治区', '自治州', '自治县', '自治旗', '地区', '街道', '苏木', '省', '市', '县', '区', '旗', '盟', '镇', '乡'];
/** Words that are not places although they end like one. */
const NOT_PLACES = new Set(['城市', '都市', '超市', '门市', '城乡', '城镇', '乡镇', '县城', '社区', '小区', '园区', '景区', '辖区', '市区', '城区', '郊区', '矿区', '新区', '地区', '山区', '片区', '湖区', '库区']);
/** Zones that are not administrative divisions. */
const ZONE_RE = /(?:开发区|高新区|园区|保税区|示范区|试验区|实验区|合作区|工业区|产业区|集聚区|功能区|旅游区|风景区|度假区|管理区|综合区)$/;
/** A place name never contains these (they belong to the body's own name). */
const NOT_IN_PLACE_RE = /局|厅|署|委员|政府|人民|管理|办公|中心|公安|税务|法院|检察|医院|学校|银行|公司|集团|党|部|监督|服务|建设|规划|发展|改革|资源|卫生|教育|交通|财政|商务|文化|体育|农业|水利|应急|生态|环境|住房|市场|信息|科技|工业|民政|司法|审计|统计|城乡|城市/;
/** After a unit's last character, these start a word with it (市场, 区域, 县级): not a unit. */
const NOT_AFTER_UNIT_RE = /^[场域级属]/;

/** The leading place names of an agency: 淮安市洪泽区人民政府 → 淮安市洪泽区. */
export function regionOf(agency: string | null): string | null {
  if (!agency) return null;
  const display = tidyText(agency);
  const mt = m(display);
  let pos = 0;
  const lead = /^(?:中共|中国共产党)/.exec(mt);
  if (lead) pos = lead[0].length;
  const start = pos;
  const units: string[] = [];
  while (units.length < 5 && pos < mt.length) {
    const rest = mt.slice(pos);
    let found: { len: number; name: string; suffix: string } | null = null;
    // the shortest name that ends in a unit suffix
    outer: for (let n = 1; n <= 10 && n < rest.length; n++) {
      const name = rest.slice(0, n);
      if (!/^[\u4e00-\u9fff]+$/.test(name)) break;
      for (const suffix of UNIT_SUFFIXES) {
        if (rest.startsWith(suffix, n)) {
          found = { len: n + suffix.length, name, suffix };
          break outer;
        }
      }
    }
    if (!found) break;
    const token = rest.slice(0, found.len);
    const after = rest.slice(found.len);
    const single = found.name.length === 1;
    const ok =
      !NOT_PLACES.has(token) &&
      !ZONE_RE.test(token) &&
      !NOT_IN_PLACE_RE.test(found.name) &&
      !NOT_AFTER_UNIT_RE.test(after) &&
      // one-character names: only for counties and banners (沛县); 地区 needs a real name (阿克苏地区)
      !(single && !['县', '旗', '自治县'].includes(found.suffix)) &&
      !(found.suffix === '地区' && found.name.length < 2);
    if (!ok) break;
    units.push(token);
    pos += found.len;
  }
  if (units.length === 0) return null;
  return display.slice(start, pos);
}

// ---------------------------------------------------------------------------------------------
// Year sources in the text

/** The year of the statistics period: 统计期限自2023年1月1日起至2023年12月31日止, 统计时限为2021年1月1日至12月31日. */
const PERIOD_DATE = '((?:19|20)[0-9]{2})(?:年|\\.|/|-)([0-9]{1,2})(?:月|\\.|/|-)([0-9]{1,2})日?';
const PERIOD_END = '(?:((?:19|20)[0-9]{2})(?:年|\\.|/|-))?([0-9]{1,2})(?:月|\\.|/|-)([0-9]{1,2})日?';
const PERIOD_RE = new RegExp(
  `(?:统计|数据)[^。；]{0,12}?(?:期限|时限|时间|期间|区间|周期|范围|时段)[^。；0-9]{0,12}?${PERIOD_DATE}[^。；0-9]{0,6}?(?:至|到|—|－|-|~|～)[^。；0-9]{0,3}?${PERIOD_END}`,
);

function periodYearIn(ctext: string): number | null {
  const mt = m(ctext);
  const x = PERIOD_RE.exec(mt);
  if (x) {
    const startYear = Number(x[1]);
    const startMonth = Number(x[2]);
    const endYear = x[4] ? Number(x[4]) : startYear;
    const y = startYear === endYear ? startYear : startMonth <= 6 ? startYear : endYear;
    return plausibleYear(y) ? y : null;
  }
  // 统计期限为2021年度 / 统计时间为2021年全年
  const re2 = /(?:统计|数据)[^。；]{0,12}?(?:期限|时限|时间|期间|区间|周期|范围|时段)[为是:：]?((?:19|20)[0-9]{2})年(?:度|全年|1-12月|1至12月)/;
  const y2 = re2.exec(mt);
  if (y2 && plausibleYear(Number(y2[1]))) return Number(y2[1]);
  return null;
}

/** The year of the opening sentence that names the report: …2021年度政府信息公开工作年度报告… */
function openingYearIn(ctext: string): number | null {
  const mt = m(ctext.slice(0, 4000));
  const re = /((?:19|20)[0-9]{2})年度?[^。，；！？]{0,30}?(?:信息|资讯|政务)公开[^。，；！？]{0,12}?(?:年度报告|年报|工作报告|情况报告)/;
  const x = re.exec(mt);
  return x && plausibleYear(Number(x[1])) ? Number(x[1]) : null;
}

/** The year a title names: the last year before the report's words (二〇二一年 as 2021). */
function yearFromTitle(title: string): number | null {
  const mt = m(title);
  const name = REPORT_NAME_RE.exec(mt);
  const years = yearsIn(mt);
  if (years.length === 0) return null;
  const before = name ? years.filter((y) => y.index < name.index) : years;
  return (before.length > 0 ? before[before.length - 1]! : years[0]!).year;
}

// ---------------------------------------------------------------------------------------------
// Is it a report?

/** Captions of the template's tables (matching form, compacted). */
const CAPTION_RES = [/收到和处理政府信息公开申请情况/, /主动公开政府信息情况/, /政府信息公开行政复议[、,，]?行政诉讼情况/, /本年新收政府信息公开申请数量/];
/** A report's body is at least this long (compacted characters); a page that links a report is shorter. */
const MIN_REPORT_CHARS = 300;
/** A text whose first lines hold this many different report titles is a list of reports. */
const LISTING_TITLES = 3;

// ---------------------------------------------------------------------------------------------

function firstLines(text: string, n: number): string[] {
  const out: string[] = [];
  let from = 0;
  while (out.length < n && from < text.length) {
    let nl = text.indexOf('\n', from);
    if (nl < 0) nl = text.length;
    const line = text.slice(from, nl).trim();
    if (line) out.push(line.length > 200 ? line.slice(0, 200) : line);
    from = nl + 1;
  }
  return out;
}

/** Metadata of one document. Never throws: an internal error gives empty metadata and a problem. */
export function readMetadata(doc: MetadataInput, opts: { url?: string } = {}): Metadata {
  try {
    return read(doc, opts);
  } catch (err) {
    return {
      agency: null, year: null, title: null, region: null, isReport: false, legacy: false, periodYear: null,
      problems: [{ code: 'metadata_error', message: `metadata could not be read: ${(err as Error)?.message ?? String(err)}` }],
    };
  }
}

function read(doc: MetadataInput, opts: { url?: string }): Metadata {
  const problems: Problem[] = [];
  const text = typeof doc.text === 'string' ? doc.text : '';
  const headings = (Array.isArray(doc.headings) ? doc.headings : []).filter((h): h is string => typeof h === 'string');
  const head = text.length > HEAD_CHARS + TAIL_CHARS ? text.slice(0, HEAD_CHARS) : text;
  const ctextHead = compact(head);
  const ctextAll = text.length > HEAD_CHARS + TAIL_CHARS ? ctextHead + '。' + compact(text.slice(-TAIL_CHARS)) : ctextHead;

  // --- title: a heading, the page title, a line of the text; one that names the agency first
  const textTitles = titlesInLines(firstLines(text, 80));
  const candidates = [
    titleFromLines(titlesInLines(headings)),
    typeof doc.title === 'string' && doc.title ? titleFromPageTitle(doc.title) : null,
    titleFromLines(textTitles),
  ].filter((t): t is string => t !== null);
  let title = candidates.find((t) => agencyFromTitle(t) !== null) ?? candidates[0] ?? null;
  // a picture's title read with misread characters (平训综合实验区2023年旧非政府信息公开工作年告)
  let ocrTitle: { title: string; year: number; agency: string | null; read: string | null } | null = null;
  if (title === null && doc.ocr) {
    ocrTitle = ocrTitleIn([...headings, ...firstLines(text, 30)], ctextHead);
    if (ocrTitle) title = ocrTitle.title;
  }

  // --- year
  const titleYear = title ? (yearFromTitle(title) ?? ocrTitle?.year ?? null) : null;
  const periodYear = periodYearIn(ctextAll);
  let year: number | null = null;
  if (titleYear !== null) {
    year = titleYear;
    if (periodYear !== null && periodYear !== titleYear) {
      problems.push({
        code: 'year_mismatch',
        message: `the title names ${titleYear} but the statistics period is in ${periodYear}; ${titleYear} kept`,
      });
    }
  } else {
    const otherTitleYear = candidates.map(yearFromTitle).find((y) => y !== null) ?? null;
    year = otherTitleYear ?? periodYear ?? openingYearIn(ctextHead);
  }

  // --- agency: the title, else another title candidate, else the opening sentence
  let agency = ocrTitle ? ocrTitle.agency : title ? agencyFromTitle(title) : null;
  if (ocrTitle) {
    problems.push({
      code: 'title_misread',
      message:
        `the title was read by OCR as "${ocrTitle.title}", not in the template's words: taken as the title` +
        (ocrTitle.agency && ocrTitle.read && ocrTitle.read !== ocrTitle.agency
          ? `; its agency "${ocrTitle.read}" is "${ocrTitle.agency}" as the text spells it`
          : ocrTitle.agency
            ? `; agency "${ocrTitle.agency}"`
            : ''),
    });
  }
  if (agency === null) agency = candidates.map(agencyFromTitle).find((a) => a !== null) ?? null;
  if (agency === null) agency = agencyFromSentence(ctextHead);

  // --- is it a report?
  const mhead = m(ctextHead);
  const captions = CAPTION_RES.filter((re) => re.test(mhead)).length;
  const longEnough = ctextHead.length >= MIN_REPORT_CHARS && /公开|公開/.test(ctextHead);
  // a page listing several reports (a column page of the site) is not a report itself
  const listing = new Set(textTitles).size >= LISTING_TITLES;
  const isReport = captions >= 2 || (title !== null && !listing && (longEnough || captions >= 1));

  if (isReport) {
    const where = opts.url ? opts.url : undefined;
    if (year === null) {
      problems.push({
        code: 'year_missing',
        message: 'no report year in the title, the statistics period or the opening sentence',
        ...(where ? { where } : {}),
      });
    }
    if (agency === null) {
      problems.push({
        code: 'agency_missing',
        message: 'no publishing agency in the title or the opening sentence (本报告由……编制)',
        ...(where ? { where } : {}),
      });
    }
  }

  return {
    agency,
    year,
    title,
    region: regionOf(agency),
    isReport,
    legacy: year !== null && year < 2019,
    periodYear,
    problems,
  };
}
