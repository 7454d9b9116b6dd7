/**
 * Prose checks (`narrative.*`): figures a report states in its text (全年共收到政府信息公开申请X件,
 * 上年结转X件, 予以公开X件, 行政复议X件…) compared with its tables.
 *
 * Conservative by design — a wrong narrative failure wastes an auditor's time:
 * - a statement is read only when the number follows its phrase directly within one clause
 *   (no comma, enumeration comma or bracket in between), and only with a count word after it (件/起/宗/个/份);
 * - a clause that compares (较上年, 同比, 增长…), counts a subset (其中…) or mentions another year
 *   than the report's is not read;
 * - 受理/收到 …申请N件 in a sentence that also mentions 上年结转 passes when N is either the new
 *   requests or the new plus the carried-over ones (reports use both meanings);
 * - combined statements (行政复议、行政诉讼共N件) are not read;
 * - a whole (all requests, all reviews) stated by a part of the body (区政府办代表区政府受理…17件,
 *   各部门…, 乡镇…) is not read: the table may count more than that part handled.
 *
 * Results: no check at all when the prose states nothing for it; `skipped` (with the sentence as
 * evidence) when the prose states a figure the table lacks or could not read; else `pass`/`fail`,
 * `evidence` = the sentence quoted. 主动公开信息X条 is not checked: no table of the national template
 * holds that total (table 2 counts documents by kind only).
 */
import type { Check } from './report.js';

export interface NarrativeOptions {
  /** The year the report covers: clauses naming another year are not read. */
  year?: number | null;
}

/** Full-width digits → ASCII; every other character kept. */
function asciiDigits(s: string): string {
  return s.replace(/[\uff10-\uff19]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xff10 + 0x30));
}

/** Joins the lines of a document's text into running prose (PDF lines break mid-sentence); drops page numbers. */
export function proseOf(text: string): string {
  const lines = asciiDigits(text)
    .split(/\r?\n/)
    .map((l) => l.replace(/[\s\u3000]+/g, ' ').trim())
    .filter((l) => l !== '' && !/^[-—–－]?\s*(?:第\s*)?\d{1,3}\s*(?:页)?\s*[-—–－]?$/.test(l));
  let out = '';
  // the last character of `out`, kept aside: reading it from the growing string flattens it each time (quadratic)
  let tail = '';
  for (const l of lines) {
    if (/[A-Za-z0-9]/.test(tail) && /^[A-Za-z0-9]/.test(l)) out += ' ';
    out += l;
    tail = l[l.length - 1];
    // A heading (一、总体情况, （二）…情况) or a short line without punctuation (a title, a signature, a
    // date) ends its own sentence; other lines run on (PDF lines break mid-sentence).
    const heading = /^[（(]?[一二三四五六七八九十]{1,3}[)）、.．]/u.test(l) && !/[。，,；;]/u.test(l);
    if (heading || (l.length <= 12 && !/[。，,；;！？!?：:、]$/u.test(l))) {
      out += BREAK;
      tail = BREAK;
    }
  }
  return out;
}

/** A sentence break that is not a character of the text. */
const BREAK = '\u2029';

/** The sentences of running prose (split after 。！？； and their ASCII forms). */
export function sentencesOf(prose: string): string[] {
  return prose
    .split(/(?<=[。！？；!?;])|\u2029/u)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

const CN_DIGITS: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };

/** 21, 3,119, 二十一, 十: the numbers of a statement (Chinese numerals below 100 only). */
export function parseNumber(s: string): number | null {
  const t = s.replace(/\s+/g, '');
  if (/^\d{1,3}(?:,\d{3})+$/.test(t)) return Number(t.replace(/,/g, ''));
  if (/^\d+$/.test(t)) return Number(t);
  if (/^[零〇一二两三四五六七八九十]+$/u.test(t)) {
    if (t.length === 1 && t in CN_DIGITS) return CN_DIGITS[t]!;
    const m = /^([一二两三四五六七八九])?十([一二三四五六七八九])?$/u.exec(t);
    if (m) return (m[1] ? CN_DIGITS[m[1]]! : 1) * 10 + (m[2] ? CN_DIGITS[m[2]]! : 0);
  }
  return null;
}

const NUM = String.raw`(\d{1,3}(?:,\d{3})+|\d+|[零〇一二两三四五六七八九十]{1,3})`;
/** A gap inside one clause: no digits, no clause punctuation, no brackets. */
const GAP = (max: number) => String.raw`[^，,。；;！？!?、\d（）()：:]{0,${max}}?`;
const COUNT = String.raw`\s*(?:件|起|宗|个|份)`;
/** A sentence any rule could read: a count or a denial in it. */
const WORTH_READING = new RegExp(String.raw`${NUM}${COUNT}|未|没有|无`, 'u');
/** Clause words that make a number something else than the year's figure. */
/** Clause words that make the speaker a part of the body (an office on its behalf, departments, townships). */
const SCOPE = /代表|代为|部门|乡镇|街道|单位|下属|所属/u;
const COMPARISON = /较|同比|环比|比上年|比去年|比\d{4}年|增长|减少|下降|上升|增加|多出|占比|百分之|%|％/u;

interface Pattern {
  re: RegExp;
  /** Text every match of `re` contains: a sentence without it is not searched (most sentences lack it). */
  needs: string;
  /** Fixed stated value (for 未收到…申请 = 0). */
  value?: number;
  /** Rejects the match when the clause text before the number matches. */
  reject?: RegExp;
}

interface Rule {
  id: string;
  /** The table figures whose sum the stated number is compared with. */
  keys: string[];
  /** Alternative sums that also count as agreement, when the sentence matches `when`. */
  alternatives?: { keys: string[]; when: RegExp }[];
  patterns: Pattern[];
  /** The sentence must match this (e.g. talk of 信息公开 for the review counts). */
  sentence?: RegExp;
  /** The figure is a whole (all requests, all reviews): a 其中 before it makes it a part. */
  whole?: boolean;
  label: string;
}

const RULES: Rule[] = [
  {
    id: 'narrative.requests_new',
    label: '本年新收政府信息公开申请',
    whole: true,
    keys: ['requests.new.total'],
    alternatives: [{ keys: ['requests.new.total', 'requests.carried_over.total'], when: /上[一]?年度?结转|上年度?遗留/u }],
    patterns: [
      {
        re: new RegExp(String.raw`(?:收到|受理|接收|接到|新收)${GAP(16)}申请(?!人|书|表|材料|事项)${GAP(6)}${NUM}${COUNT}`, 'gu'),
        needs: '申请',
        reject: /其中|结转|答复|办结|办理完|依法|行政复议|行政诉讼|投诉|举报|信访|咨询|热线|留言/u,
      },
      {
        re: new RegExp(String.raw`(?:未|没有)(?:收到|受理|接到|接收)${GAP(12)}申请`, 'gu'),
        needs: '申请',
        value: 0,
        reject: /其中|行政复议|行政诉讼/u,
      },
    ],
  },
  {
    id: 'narrative.carried_over',
    label: '上年结转政府信息公开申请',
    keys: ['requests.carried_over.total'],
    patterns: [
      { re: new RegExp(String.raw`(?:上一?年度?|去年)结转${GAP(12)}${NUM}${COUNT}`, 'gu'), needs: '结转' },
    ],
  },
  {
    id: 'narrative.carried_forward',
    label: '结转下年度继续办理',
    keys: ['requests.carried_forward.total'],
    patterns: [
      { re: new RegExp(String.raw`(?:结转|顺延)(?:至|到)?下一?年度?${GAP(8)}${NUM}${COUNT}`, 'gu'), needs: '下' },
      { re: new RegExp(String.raw`${NUM}${COUNT}${GAP(6)}(?:结转|顺延)(?:至|到)?下一?年`, 'gu'), needs: '下' },
    ],
  },
  {
    id: 'narrative.granted_partial',
    label: '予以公开及部分公开',
    keys: ['requests.granted.total', 'requests.partial.total'],
    patterns: [{ re: new RegExp(String.raw`予以公开(?:及|和|与|或|、)部分公开${GAP(6)}${NUM}${COUNT}`, 'gu'), needs: '部分公开' }],
  },
  {
    id: 'narrative.granted',
    label: '予以公开',
    keys: ['requests.granted.total'],
    patterns: [
      {
        // Not 不予以公开, not 予以公开及部分公开 (its own rule), not 部分予以公开.
        re: new RegExp(String.raw`(?<![不部分])予以公开(?![及和与或、]部分)(?!${GAP(6)}部分公开)${GAP(4)}${NUM}${COUNT}`, 'gu'),
        needs: '予以公开',
      },
    ],
  },
  {
    id: 'narrative.partial',
    label: '部分公开',
    keys: ['requests.partial.total'],
    patterns: [{ re: new RegExp(String.raw`(?<![及和与或、])部分(?:予以)?公开${GAP(4)}${NUM}${COUNT}`, 'gu'), needs: '部分' }],
  },
  {
    id: 'narrative.review',
    label: '行政复议',
    whole: true,
    keys: ['review.total'],
    sentence: /公开/u,
    patterns: [
      { re: new RegExp(String.raw`行政复议(?!${GAP(10)}诉讼)${GAP(6)}${NUM}${COUNT}`, 'gu'), needs: '行政复议', reject: /诉讼|其中|结果/u },
      {
        re: new RegExp(String.raw`(?:未发生|没有发生|未有|未收到|没有|无)${GAP(12)}行政复议(?!${GAP(10)}诉讼)`, 'gu'),
        needs: '行政复议',
        value: 0,
        reject: /诉讼|其中/u,
      },
    ],
  },
  {
    id: 'narrative.litigation',
    label: '行政诉讼',
    whole: true,
    keys: ['litigation_direct.total', 'litigation_after_review.total'],
    sentence: /公开/u,
    patterns: [
      { re: new RegExp(String.raw`行政诉讼(?!${GAP(10)}复议)${GAP(6)}${NUM}${COUNT}`, 'gu'), needs: '行政诉讼', reject: /复议|其中|结果/u },
      {
        re: new RegExp(String.raw`(?:未发生|没有发生|未有|没有|无)${GAP(12)}行政诉讼`, 'gu'),
        needs: '行政诉讼',
        value: 0,
        reject: /复议|其中/u,
      },
    ],
  },
];

/** Each prose check id with the template's words for the figure it reads (for the review page). */
export const NARRATIVE_LABELS: Record<string, string> = Object.fromEntries(RULES.map((r) => [r.id, r.label]));

/** One figure the prose states. */
export interface Statement {
  id: string;
  value: number;
  sentence: string;
}

/** The clause (between clause punctuation) of `sentence` that ends at `end`. */
function clauseBefore(sentence: string, start: number): string {
  const before = sentence.slice(0, start);
  const cut = Math.max(...['，', ',', '；', '：', '（', '(', '、'].map((p) => before.lastIndexOf(p)));
  return before.slice(cut + 1);
}

function quote(sentence: string): string {
  return sentence.length > 300 ? sentence.slice(0, 297) + '…' : sentence;
}

/** Every figure the prose states, per rule, in document order. */
export function findStatements(text: string, opts: NarrativeOptions = {}): Statement[] {
  const out: Statement[] = [];
  for (const sentence of sentencesOf(proseOf(text))) {
    // every rule reads a count (N件) or a denial (未/没有/无): most sentences hold neither
    if (!WORTH_READING.test(sentence)) continue;
    const years = [...sentence.matchAll(/((?:19|20)\d{2})\s*年(?!度报告)/gu)].map((m) => Number(m[1]));
    for (const rule of RULES) {
      if (rule.sentence && !rule.sentence.test(sentence)) continue;
      for (const p of rule.patterns) {
        if (!sentence.includes(p.needs)) continue;
        for (const m of sentence.matchAll(p.re)) {
          const start = m.index ?? 0;
          const clause = clauseBefore(sentence, start) + m[0];
          // A comparison anywhere before the figure in its sentence (较上年…，收到申请N件): not read.
          if (COMPARISON.test(sentence.slice(0, start) + m[0])) continue;
          // A subset (其中…) before the figure, for the rules that count a whole.
          if (rule.whole && /其中|包括/u.test(sentence.slice(0, start))) continue;
          // A part of the body speaking (区政府办代表区政府受理…, 各部门…, 乡镇…): its figure need not be the table's.
          if (rule.whole && SCOPE.test(clauseBefore(sentence, start))) continue;
          if (p.reject && p.reject.test(clauseBefore(sentence, start) + m[0].replace(/\d[\d,]*\s*(?:件|起|宗|个|份)$/u, ''))) continue;
          // Another year named in the clause (or in the sentence, with the report's year absent): not this year's figure.
          if (opts.year) {
            const clauseYears = [...clause.matchAll(/((?:19|20)\d{2})\s*年/gu)].map((y) => Number(y[1]));
            if (clauseYears.some((y) => y !== opts.year)) continue;
            if (clauseYears.length === 0 && years.length > 0 && !years.includes(opts.year)) continue;
          }
          const value = p.value ?? (m[1] !== undefined ? parseNumber(m[1]) : null);
          if (value === null) continue;
          out.push({ id: rule.id, value, sentence: quote(sentence) });
        }
      }
    }
  }
  // 予以公开及部分公开N件 also matches 部分公开N件: keep the combined reading only.
  const combined = new Set(out.filter((s) => s.id === 'narrative.granted_partial').map((s) => s.sentence + '\u0000' + s.value));
  return out.filter((s) => !(s.id === 'narrative.partial' && combined.has(s.sentence + '\u0000' + s.value)));
}

function sumOf(keys: string[], figures: Record<string, number | null>): { value: number | null; missing: string[]; unreadable: string[] } {
  const missing = keys.filter((k) => !(k in figures));
  const unreadable = keys.filter((k) => k in figures && figures[k] === null);
  if (missing.length || unreadable.length) return { value: null, missing, unreadable };
  return { value: keys.reduce((a, k) => a + (figures[k] as number), 0), missing, unreadable };
}

/**
 * The prose checks of a report: one check per rule whose figure the prose states. `version` is
 * accepted for symmetry with the other checks (the rules read keys both template versions share).
 */
export function narrativeChecks(
  text: string | null | undefined,
  figures: Record<string, number | null>,
  version: string | null = null,
  opts: NarrativeOptions = {},
): Check[] {
  void version;
  if (!text) return [];
  const statements = findStatements(text, opts);
  const checks: Check[] = [];
  for (const rule of RULES) {
    const mine = statements.filter((s) => s.id === rule.id);
    if (mine.length === 0) continue;
    const sum = sumOf(rule.keys, figures);
    if (sum.value === null) {
      checks.push({
        id: rule.id,
        status: 'skipped',
        expected: null,
        actual: mine[0]!.value,
        keys: rule.keys,
        reason: sum.missing.length
          ? `the prose states ${rule.label} ${mine[0]!.value}, but the table has no cell for ${sum.missing.join(', ')}`
          : `the prose states ${rule.label} ${mine[0]!.value}, but the table cell for ${sum.unreadable.join(', ')} is unreadable`,
        evidence: mine[0]!.sentence,
      });
      continue;
    }
    const agrees = (s: Statement): { ok: boolean; keys: string[]; expected: number } => {
      if (s.value === sum.value) return { ok: true, keys: rule.keys, expected: sum.value! };
      for (const alt of rule.alternatives ?? []) {
        if (!alt.when.test(s.sentence)) continue;
        const a = sumOf(alt.keys, figures);
        if (a.value !== null && a.value === s.value) return { ok: true, keys: alt.keys, expected: a.value };
      }
      return { ok: false, keys: rule.keys, expected: sum.value! };
    };
    const bad = mine.find((s) => !agrees(s).ok);
    if (!bad) {
      const first = agrees(mine[0]!);
      checks.push({ id: rule.id, status: 'pass', expected: first.expected, actual: mine[0]!.value, keys: first.keys, evidence: mine[0]!.sentence });
    } else {
      const others = mine.length > 1 ? ` (the prose states it ${mine.length} times: ${mine.map((s) => s.value).join(', ')})` : '';
      checks.push({
        id: rule.id,
        status: 'fail',
        expected: sum.value,
        actual: bad.value,
        keys: rule.keys,
        reason: `the prose states ${rule.label} ${bad.value}; the table gives ${rule.keys.map((k) => `${k} = ${figures[k]}`).join(' + ')}${rule.keys.length > 1 ? ` = ${sum.value}` : ''}${others}`,
        evidence: bad.sentence,
      });
    }
  }
  return checks;
}
