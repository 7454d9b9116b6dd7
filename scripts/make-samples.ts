/**
 * Writes the sample documents of samples/ (top level) and their expected JSON.
 *
 *   npx tsx scripts/make-samples.ts
 *
 * Every sample starts from TRUTH defined here: the figures (every canonical key of its version, with
 * distinct, mostly non-zero values so a misplaced number is caught), its metadata and a renderer
 * variant (the markup and the label wording a real site uses). The script renders the document
 * from the truth and writes beside it NAME.expected.json = { agency, year, version, title, status,
 * figures, fails, notes }, where `fails` is the sorted list of in-report checks that fail on the truth
 * figures (computed here with a small implementation of the rules of report-format.md, not by the
 * tool). Figures a page shows as blank, —, -, /, ／ or 无 are 0 in the truth.
 *
 * The output is deterministic (seeded by the sample's name) and committed.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  APPLICANT_COLS,
  LITIGATION_COLS,
  LITIGATION_GROUPS,
  REQUEST_COLS,
  allKeys,
  isAmountKey,
  isSignedKey,
  requestRows,
  resultRows,
  TEMPLATE_REQUEST_GROUP_LABELS,
  TEMPLATE_REQUEST_ROW_LABELS,
  type Version,
} from '../src/keys.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'samples');

type Figures = Record<string, number>;

// ---------------------------------------------------------------------------------------------
// Deterministic randomness
// ---------------------------------------------------------------------------------------------

function hashString(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Rng {
  private next: () => number;
  constructor(seed: string) {
    this.next = mulberry32(hashString(seed));
  }
  float(): number {
    return this.next();
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  shuffle<T>(a: T[]): T[] {
    const b = a.slice();
    for (let i = b.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [b[i], b[j]] = [b[j], b[i]];
    }
    return b;
  }
  /** Distinct integers from [lo, hi], in random order. */
  distinct(n: number, lo: number, hi: number): number[] {
    const all: number[] = [];
    for (let v = lo; v <= hi; v++) all.push(v);
    return this.shuffle(all).slice(0, n);
  }
}

// ---------------------------------------------------------------------------------------------
// Truth figures
// ---------------------------------------------------------------------------------------------

interface RequestOpts {
  /** Share of leaf cells that are 0 (printed with the sample's zero marker). */
  zeroShare?: number;
  /** Applicant columns that are 0 on every row. */
  zeroCols?: string[];
  /** Largest leaf value. */
  max?: number;
}

/** Largest leaf value per applicant column (a county body's numbers: mostly natural persons). */
const COL_MAX: Record<string, number> = { natural: 36, commercial: 14, research: 7, social: 8, legal: 11, other_org: 9 };

function makeRequests(r: Rng, version: Version, oneRow: boolean, o: RequestOpts = {}): Figures {
  const f: Figures = {};
  const results = resultRows(version, oneRow);
  const scale = (o.max ?? 36) / 36;
  for (const row of [...results, 'carried_over']) {
    // the non-zero values of a row are distinct, so a value read into the wrong column is caught
    const seen = new Set<number>();
    for (const col of APPLICANT_COLS) {
      let v = 0;
      if (!o.zeroCols?.includes(col) && r.float() >= (o.zeroShare ?? 0.2)) {
        const max = Math.max(6, Math.round(COL_MAX[col] * scale * (row === 'carried_over' ? 0.4 : 1)));
        do v = r.int(1, max + seen.size);
        while (seen.has(v));
        seen.add(v);
      }
      f[`requests.${row}.${col}`] = v;
    }
  }
  for (const col of APPLICANT_COLS) {
    const total = results.reduce((s, row) => s + f[`requests.${row}.${col}`], 0);
    f[`requests.total.${col}`] = total;
    const cf = o.zeroCols?.includes(col) ? 0 : r.int(1, Math.max(2, Math.round(total / 6) + 2));
    if (total + cf - f[`requests.carried_over.${col}`] < 0) f[`requests.carried_over.${col}`] = 0;
    f[`requests.carried_forward.${col}`] = cf;
    f[`requests.new.${col}`] = total + cf - f[`requests.carried_over.${col}`];
  }
  for (const row of requestRows(version, oneRow)) {
    f[`requests.${row}.total`] = APPLICANT_COLS.reduce((s, c) => s + f[`requests.${row}.${c}`], 0);
  }
  return f;
}

function makeLitigation(r: Rng, zeroShare = 0.25): Figures {
  const f: Figures = {};
  const pool = r.distinct(12, 1, 24);
  let i = 0;
  for (const g of LITIGATION_GROUPS) {
    let sum = 0;
    for (const c of LITIGATION_COLS.slice(0, 4)) {
      let v = pool[i++];
      if (r.float() < zeroShare) v = 0;
      f[`${g}.${c}`] = v;
      sum += v;
    }
    f[`${g}.total`] = sum;
  }
  return f;
}

function amount4(r: Rng, lo: number, hi: number): number {
  return Math.round((lo + r.float() * (hi - lo)) * 10000) / 10000;
}

function makeArt20(r: Rng, version: Version): Figures {
  if (version === '2021') {
    const p = r.distinct(9, 1, 60);
    return {
      'art20.rules.issued': p[0] % 4 + 1,
      'art20.rules.repealed': 5 + (p[1] % 3),
      'art20.rules.in_force': 20 + p[2],
      'art20.normative.issued': 5 + p[3],
      'art20.normative.repealed': p[4] % 9 + 1,
      'art20.normative.in_force': 90 + p[5] * 3,
      'art20.licensing.decisions': r.int(300, 4800),
      'art20.penalty.decisions': r.int(60, 900),
      'art20.coercion.decisions': r.int(2, 58),
      'art20.fees.amount': amount4(r, 3, 900),
    };
  }
  const made = r.int(2, 9);
  const nMade = r.int(12, 40);
  return {
    'art20.rules.made': made,
    'art20.rules.published': made + 1,
    'art20.rules.public_total': r.int(30, 80),
    'art20.normative.made': nMade,
    'art20.normative.published': nMade - 2,
    'art20.normative.public_total': r.int(110, 400),
    'art20.licensing.prev_items': r.int(150, 300),
    'art20.licensing.delta': r.int(3, 19),
    'art20.licensing.decisions': r.int(1200, 4800),
    'art20.other_services.prev_items': r.int(40, 90),
    'art20.other_services.delta': -r.int(2, 9),
    'art20.other_services.decisions': r.int(300, 1100),
    'art20.penalty.prev_items': r.int(400, 900),
    'art20.penalty.delta': r.int(21, 38),
    'art20.penalty.decisions': r.int(90, 290),
    'art20.coercion.prev_items': r.int(10, 30),
    'art20.coercion.delta': -r.int(31, 39),
    'art20.coercion.decisions': r.int(40, 89),
    'art20.fees.prev_items': r.int(4, 9),
    'art20.fees.delta': -r.int(1, 2),
    'art20.procurement.items': r.int(91, 180),
    'art20.procurement.amount': amount4(r, 1000, 9000),
  };
}

// ---------------------------------------------------------------------------------------------
// The in-report checks of report-format.md (a small independent implementation)
// ---------------------------------------------------------------------------------------------

function failingChecks(f: Figures, version: Version, oneRow: boolean): string[] {
  const fails: string[] = [];
  const has = (...ks: string[]) => ks.every((k) => typeof f[k] === 'number');
  const eq = (a: number, b: number) => Math.abs(a - b) < 1e-6;
  for (const col of REQUEST_COLS) {
    const k = (row: string) => `requests.${row}.${col}`;
    if (has(k('new'), k('carried_over'), k('total'), k('carried_forward'))) {
      if (!eq(f[k('new')] + f[k('carried_over')], f[k('total')] + f[k('carried_forward')])) {
        fails.push(`requests.balance.${col}`);
      }
    }
    const rs = resultRows(version, oneRow).map(k);
    if (has(k('total'), ...rs)) {
      if (!eq(f[k('total')], rs.reduce((s, x) => s + f[x], 0))) fails.push(`requests.total.${col}`);
    }
  }
  for (const row of requestRows(version, oneRow)) {
    const parts = APPLICANT_COLS.map((c) => `requests.${row}.${c}`);
    const tk = `requests.${row}.total`;
    if (has(tk, ...parts) && !eq(f[tk], parts.reduce((s, x) => s + f[x], 0))) fails.push(`requests.row_sum.${row}`);
  }
  for (const g of LITIGATION_GROUPS) {
    const parts = LITIGATION_COLS.slice(0, 4).map((c) => `${g}.${c}`);
    if (has(`${g}.total`, ...parts) && !eq(f[`${g}.total`], parts.reduce((s, x) => s + f[x], 0))) {
      fails.push(`${g}.total`);
    }
  }
  const bad = Object.keys(f).filter((k) => {
    if (isSignedKey(k)) return false;
    const v = f[k];
    return isAmountKey(k) ? v < 0 : !Number.isInteger(v) || v < 0;
  });
  if (bad.length) fails.push('values.non_negative');
  return fails.sort();
}

// ---------------------------------------------------------------------------------------------
// Labels
// ---------------------------------------------------------------------------------------------

const ROW_LABELS = TEMPLATE_REQUEST_ROW_LABELS;

const GROUP_LABELS = TEMPLATE_REQUEST_GROUP_LABELS;

const COL_LABELS: Record<string, string> = {
  note: '（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）',
  applicant: '申请人情况',
  natural: '自然人',
  org: '法人或其他组织',
  commercial: '商业企业',
  research: '科研机构',
  social: '社会公益组织',
  legal: '法律服务机构',
  other_org: '其他',
  subtotal: '小计',
  total: '总计',
};

const LIT_LABELS: Record<string, string> = {
  review: '行政复议',
  litigation: '行政诉讼',
  litigation_direct: '未经复议直接起诉',
  litigation_after_review: '复议后起诉',
  upheld: '结果维持',
  corrected: '结果纠正',
  other: '其他结果',
  pending: '尚未审结',
  total: '总计',
};

/** Article 20 labels, by template version. */
const ART20_LABELS: Record<string, string> = {
  cap1: '第二十条第（一）项',
  cap5: '第二十条第（五）项',
  cap6: '第二十条第（六）项',
  cap8: '第二十条第（八）项',
  cap9: '第二十条第（九）项',
  content: '信息内容',
  issued: '本年制发件数',
  repealed: '本年废止件数',
  in_force: '现行有效件数',
  decisions21: '本年处理决定数量',
  fees21: '本年收费金额（单位：万元）',
  made: '本年新制作数量',
  published: '本年新公开数量',
  public_total: '对外公开总数量',
  prev_items: '上一年项目数量',
  delta: '本年增/减',
  decisions19: '处理决定数量',
  proc_items: '采购项目数量',
  proc_amount: '采购总金额',
  rules: '规章',
  normative21: '行政规范性文件',
  normative19: '规范性文件',
  licensing: '行政许可',
  other_services: '其他对外管理服务事项',
  penalty: '行政处罚',
  coercion: '行政强制',
  fees: '行政事业性收费',
  procurement: '政府集中采购',
};

// ---------------------------------------------------------------------------------------------
// An abstract table: rows of cells with spans, rendered as HTML (plain or Word) or text
// ---------------------------------------------------------------------------------------------

interface TCell {
  t: string;
  rs?: number;
  cs?: number;
  /** A value cell (numbers: rendered with lang=EN-US in Word markup). */
  v?: boolean;
}
type TRow = TCell[];
interface Table {
  rows: TRow[];
  /** Printed as a paragraph just before the table. */
  before?: string;
}

/** Expand spans to a full matrix; positions covered by a span hold '' (as a text copy shows them). */
function toMatrix(t: Table): string[][] {
  const m: (string | undefined)[][] = [];
  t.rows.forEach((row, ri) => {
    m[ri] ??= [];
    let ci = 0;
    for (const c of row) {
      while (m[ri][ci] !== undefined) ci++;
      for (let dr = 0; dr < (c.rs ?? 1); dr++) {
        for (let dc = 0; dc < (c.cs ?? 1); dc++) {
          m[ri + dr] ??= [];
          m[ri + dr][ci + dc] = dr === 0 && dc === 0 ? c.t.replace(/\n/g, '') : '';
        }
      }
      ci += c.cs ?? 1;
    }
  });
  return m.map((r) => Array.from(r, (x) => x ?? ''));
}

interface Style {
  word?: boolean;
  /** Word pages: the hidden zero-width row Word appends (<![if !supportMisalignedColumns]>). */
  wordMisaligned?: boolean;
  /** Pad value cells with &nbsp;. */
  nbsp?: boolean;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cell text to HTML: '\n' is a <br>; a leading/trailing '~' is an &nbsp;. */
function cellHtml(t: string): string {
  return esc(t)
    .replace(/\n/g, '<br>\n')
    .replace(/~/g, '&nbsp;');
}

function renderTableHtml(t: Table, st: Style): string {
  const out: string[] = [];
  if (t.before) {
    out.push(
      st.word
        ? `<p class=MsoNormal style='text-indent:21.0pt;line-height:150%'><b><span style='font-size:12.0pt;line-height:150%;font-family:宋体'>${esc(t.before)}</span></b></p>`
        : `<p style="text-indent:2em;"><strong>${esc(t.before)}</strong></p>`,
    );
  }
  if (st.word) {
    out.push(
      `<div align=center>\n<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0 width=${600} style='width:450.0pt;border-collapse:collapse;border:none;mso-border-alt:solid windowtext .5pt;mso-yfti-tbllook:1184;mso-padding-alt:0cm 5.4pt 0cm 5.4pt'>`,
    );
    t.rows.forEach((row, i) => {
      out.push(` <tr style='mso-yfti-irow:${i};height:${i < 3 ? 22 : 18}.0pt'>`);
      for (const c of row) {
        const span = `${c.rs && c.rs > 1 ? ` rowspan=${c.rs}` : ''}${c.cs && c.cs > 1 ? ` colspan=${c.cs}` : ''}`;
        const inner = c.v
          ? `<span lang=EN-US style='font-size:10.0pt;font-family:"Times New Roman"'>${cellHtml(st.nbsp ? `~${c.t}~` : c.t)}<o:p></o:p></span>`
          : c.t === ''
            ? `<span lang=EN-US><o:p>&nbsp;</o:p></span>`
            : `<span style='font-size:10.0pt;font-family:宋体'>${cellHtml(c.t)}<span lang=EN-US><o:p></o:p></span></span>`;
        out.push(
          `  <td${span} style='border:solid windowtext 1.0pt;padding:0cm 5.4pt'>\n  <p class=MsoNormal align=center style='text-align:center'>${inner}</p></td>`,
        );
      }
      out.push(' </tr>');
    });
    if (st.wordMisaligned) {
      const width = toMatrix(t)[0].length;
      out.push(' <![if !supportMisalignedColumns]>\n <tr height=0>');
      for (let i = 0; i < width; i++) out.push(`  <td width=${i < 3 ? 96 : 52} style='border:none'></td>`);
      out.push(' </tr>\n <![endif]>');
    }
    out.push('</table>\n</div>');
  } else {
    out.push(
      '<table border="1" cellspacing="0" cellpadding="0" width="100%" style="border-collapse:collapse;margin:0 auto;font-size:14px;">\n<tbody>',
    );
    for (const row of t.rows) {
      out.push('<tr>');
      for (const c of row) {
        const span = `${c.rs && c.rs > 1 ? ` rowspan="${c.rs}"` : ''}${c.cs && c.cs > 1 ? ` colspan="${c.cs}"` : ''}`;
        out.push(
          `<td${span} style="text-align:center;vertical-align:middle;">${cellHtml(st.nbsp && c.v ? `~${c.t}~` : c.t)}</td>`,
        );
      }
      out.push('</tr>');
    }
    out.push('</tbody>\n</table>');
  }
  return out.join('\n');
}

/** A text copy: one line per row, cells separated by tabs (spanned positions as empty cells). */
function renderTableTabs(t: Table): string {
  const lines: string[] = [];
  if (t.before) lines.push(t.before);
  for (const row of toMatrix(t)) lines.push(row.join('\t'));
  return lines.join('\n');
}

/** A text copy where cells are separated by runs of spaces: empty cells vanish. */
function renderTableSpaces(t: Table): string {
  const lines: string[] = [];
  if (t.before) lines.push(t.before);
  for (const row of toMatrix(t)) {
    const cells = row.filter((c) => c !== '');
    if (cells.length === 0) continue;
    let line = '';
    cells.forEach((c, i) => {
      if (i === 0) line = c;
      else {
        // pad like a monospace copy: labels to a column, numbers right after with 3-6 spaces
        const pad = 3 + ((i * 7 + c.length) % 4);
        line += ' '.repeat(pad) + c;
      }
    });
    lines.push(line);
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Sample definitions
// ---------------------------------------------------------------------------------------------

type Art20Layout = 'big' | 'captions';
type T3Layout = 'rowspan' | 'flat';
type T4Layout = 'standard' | 'three-rows' | 'flat-header' | 'three-rows-dash';

interface Sample {
  name: string;
  ext: 'html' | 'txt';
  notes: string;
  agency: string | null;
  year: number | null;
  title: string | null;
  /** The <title> of the page (defaults to `${title}_${site}`). */
  pageTitle?: string;
  site?: string;
  status: 'ok' | 'partial' | 'no_tables' | 'legacy' | 'not_a_report';
  version: Version | 'legacy' | null;
  oneRow?: boolean;
  charset?: 'utf-8' | 'gbk' | 'gb2312';
  charsetStyle?: 'meta' | 'http-equiv';
  style?: Style;
  art20?: Art20Layout;
  t3?: T3Layout;
  /** Split table 3 into two tables before this row key. */
  split?: { before: string; repeatHeader: boolean; between?: string };
  subtotal?: boolean;
  twoRowColHeader?: boolean;
  /** The columns under 法人或其他组织, in the order printed. */
  orgOrder?: string[];
  /** The charset the page declares, when it is not the one its bytes are in (a mislabelled page). */
  declaredCharset?: string;
  /** Start the file with a UTF-8 byte order mark. */
  bom?: boolean;
  t4?: T4Layout;
  /** Label overrides (row keys, group keys, column keys, litigation keys, art20 keys). */
  rowLabels?: Record<string, string>;
  groupLabels?: Record<string, string>;
  colLabels?: Record<string, string>;
  litLabels?: Record<string, string>;
  art20Labels?: Record<string, string>;
  /** Printed text for given keys (the truth stays the figure). */
  text?: Record<string, string>;
  /** How a 0 is printed: one marker, or markers used in turn. */
  zero?: string | string[];
  /** Digits printed full-width in these cells (keys) or everywhere (true). */
  fullWidth?: boolean | string[];
  figures: Figures;
  /** Markup of the text format (txt samples). */
  textFormat?: 'tabs' | 'spaces';
  /** Convert the page to traditional characters (a mirror site). */
  traditional?: boolean;
  /** Sentence(s) stating table figures in the prose (must agree with the truth). */
  prose?: string[];
  /** A custom document body (legacy, not-a-report, narrative-only). */
  customHtml?: string;
  publishDate?: string;
  /** Figures changed after generation so the report does not add up. */
}

function toFullWidth(s: string): string {
  return s.replace(/[0-9.,+\-]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0));
}

function fmtNumber(v: number): string {
  return String(v);
}

function valueText(s: Sample, key: string, counter: { n: number }): string {
  if (s.text && key in s.text) return s.text[key];
  const v = s.figures[key];
  if (v === undefined) throw new Error(`${s.name}: no truth for ${key}`);
  let t: string;
  if (v === 0) {
    const z = s.zero ?? '0';
    t = Array.isArray(z) ? z[counter.n++ % z.length] : z;
  } else t = fmtNumber(v);
  if (s.fullWidth === true || (Array.isArray(s.fullWidth) && s.fullWidth.includes(key))) t = toFullWidth(t);
  return t;
}

// ----- table 2 ---------------------------------------------------------------------------------

function art20Sections(s: Sample): { cap: string; head: string[]; rows: [string, string[]][] }[] {
  const L = { ...ART20_LABELS, ...(s.art20Labels ?? {}) };
  if (s.version === '2021') {
    return [
      {
        cap: L.cap1,
        head: [L.content, L.issued, L.repealed, L.in_force],
        rows: [
          [L.rules, ['art20.rules.issued', 'art20.rules.repealed', 'art20.rules.in_force']],
          [L.normative21, ['art20.normative.issued', 'art20.normative.repealed', 'art20.normative.in_force']],
        ],
      },
      { cap: L.cap5, head: [L.content, L.decisions21], rows: [[L.licensing, ['art20.licensing.decisions']]] },
      {
        cap: L.cap6,
        head: [L.content, L.decisions21],
        rows: [
          [L.penalty, ['art20.penalty.decisions']],
          [L.coercion, ['art20.coercion.decisions']],
        ],
      },
      { cap: L.cap8, head: [L.content, L.fees21], rows: [[L.fees, ['art20.fees.amount']]] },
    ];
  }
  return [
    {
      cap: L.cap1,
      head: [L.content, L.made, L.published, L.public_total],
      rows: [
        [L.rules, ['art20.rules.made', 'art20.rules.published', 'art20.rules.public_total']],
        [L.normative19, ['art20.normative.made', 'art20.normative.published', 'art20.normative.public_total']],
      ],
    },
    {
      cap: L.cap5,
      head: [L.content, L.prev_items, L.delta, L.decisions19],
      rows: [
        [L.licensing, ['art20.licensing.prev_items', 'art20.licensing.delta', 'art20.licensing.decisions']],
        [
          L.other_services,
          ['art20.other_services.prev_items', 'art20.other_services.delta', 'art20.other_services.decisions'],
        ],
      ],
    },
    {
      cap: L.cap6,
      head: [L.content, L.prev_items, L.delta, L.decisions19],
      rows: [
        [L.penalty, ['art20.penalty.prev_items', 'art20.penalty.delta', 'art20.penalty.decisions']],
        [L.coercion, ['art20.coercion.prev_items', 'art20.coercion.delta', 'art20.coercion.decisions']],
      ],
    },
    {
      cap: L.cap8,
      head: [L.content, L.prev_items, L.delta],
      rows: [[L.fees, ['art20.fees.prev_items', 'art20.fees.delta']]],
    },
    {
      cap: L.cap9,
      head: [L.content, L.proc_items, L.proc_amount],
      rows: [[L.procurement, ['art20.procurement.items', 'art20.procurement.amount']]],
    },
  ];
}

function table2(s: Sample, counter: { n: number }): Table[] {
  const secs = art20Sections(s);
  if ((s.art20 ?? 'big') === 'big') {
    const rows: TRow[] = [];
    for (const sec of secs) {
      rows.push([{ t: sec.cap, cs: 4 }]);
      const head: TRow = sec.head.map((h) => ({ t: h }));
      head[head.length - 1].cs = 4 - (head.length - 1);
      rows.push(head);
      for (const [label, keys] of sec.rows) {
        const row: TRow = [{ t: label }, ...keys.map((k) => ({ t: valueText(s, k, counter), v: true }))];
        row[row.length - 1].cs = 4 - (row.length - 1);
        rows.push(row);
      }
    }
    return [{ rows }];
  }
  return secs.map((sec) => ({
    before: sec.cap,
    rows: [
      sec.head.map((h) => ({ t: h })),
      ...sec.rows.map(([label, keys]) => [{ t: label }, ...keys.map((k) => ({ t: valueText(s, k, counter), v: true }))]),
    ],
  }));
}

// ----- table 3 ---------------------------------------------------------------------------------

interface BodyRow {
  key: string;
  /** Label path: [level0] for rows 一/二/四, [result, item] or [result, group, item]. */
  path: { group?: string; item: string; level: 0 | 1 | 2 };
}

function t3BodyRows(s: Sample): BodyRow[] {
  const version = s.version as Version;
  const R = { ...ROW_LABELS, ...(s.rowLabels ?? {}) };
  const G = { ...GROUP_LABELS, ...(s.groupLabels ?? {}) };
  const rows: BodyRow[] = [];
  for (const key of requestRows(version, s.oneRow)) {
    if (key === 'new' || key === 'carried_over' || key === 'carried_forward') {
      rows.push({ key, path: { item: R[key], level: 0 } });
    } else if (key === 'granted' || key === 'partial' || key === 'other' || key === 'total') {
      rows.push({ key, path: { item: R[key], level: 1 } });
    } else {
      const g = key.split('.')[0];
      rows.push({ key, path: { group: G[g], item: R[key], level: 2 } });
    }
  }
  return rows;
}

function t3Header(s: Sample, flat: boolean): TRow[] {
  const C = { ...COL_LABELS, ...(s.colLabels ?? {}) };
  const orgCols = (s.orgOrder ?? ORG_COLS).map((c) => C[c]);
  if (s.subtotal) orgCols.push(C.subtotal);
  const nOrg = orgCols.length;
  if (flat) {
    return [
      [{ t: C.note, cs: 3 }, { t: C.applicant, cs: nOrg + 1 }, { t: C.total }],
      [{ t: '', cs: 3 }, { t: C.natural }, { t: C.org, cs: nOrg }, { t: '' }],
      [{ t: '', cs: 3 }, { t: '' }, ...orgCols.map((t) => ({ t })), { t: '' }],
    ];
  }
  if (s.twoRowColHeader) {
    // 商业|科研|社会公益|法律服务 over 企业|机构|组织|机构; 其他 spans both rows
    const split = (label: string): [string, string] => {
      const n = label.length === 6 ? 4 : 2;
      return [label.slice(0, n), label.slice(n)];
    };
    const parts = ['commercial', 'research', 'social', 'legal'].map((c) => split(C[c]));
    return [
      [{ t: C.note, rs: 4, cs: 3 }, { t: C.applicant, cs: nOrg + 1 }, { t: C.total, rs: 4 }],
      [{ t: C.natural, rs: 3 }, { t: C.org, cs: nOrg }],
      [...parts.map((p) => ({ t: p[0] })), { t: C.other_org, rs: 2 }, ...(s.subtotal ? [{ t: C.subtotal, rs: 2 }] : [])],
      parts.map((p) => ({ t: p[1] })),
    ];
  }
  return [
    [{ t: C.note, rs: 3, cs: 3 }, { t: C.applicant, cs: nOrg + 1 }, { t: C.total, rs: 3 }],
    [{ t: C.natural, rs: 2 }, { t: C.org, cs: nOrg }],
    orgCols.map((t) => ({ t })),
  ];
}

const ORG_COLS = ['commercial', 'research', 'social', 'legal', 'other_org'];

function t3Values(s: Sample, key: string, counter: { n: number }): TRow {
  const cells: TRow = [];
  const cols = ['natural', ...(s.orgOrder ?? ORG_COLS)];
  for (const c of cols) cells.push({ t: valueText(s, `requests.${key}.${c}`, counter), v: true });
  if (s.subtotal) {
    const sub = cols.slice(1).reduce((a, c) => a + s.figures[`requests.${key}.${c}`], 0);
    cells.push({ t: sub === 0 ? valueText({ ...s, text: {}, figures: { x: 0 } }, 'x', counter) : String(sub), v: true });
  }
  cells.push({ t: valueText(s, `requests.${key}.total`, counter), v: true });
  return cells;
}

function table3(s: Sample, counter: { n: number }): Table[] {
  const flat = s.t3 === 'flat';
  const body = t3BodyRows(s);
  const G = { ...GROUP_LABELS, ...(s.groupLabels ?? {}) };
  const header = t3Header(s, flat);
  const splitAt = s.split ? body.findIndex((b) => b.key === s.split!.before) : -1;
  const parts: BodyRow[][] = splitAt > 0 ? [body.slice(0, splitAt), body.slice(splitAt)] : [body];

  const tables: Table[] = [];
  parts.forEach((part, pi) => {
    const rows: TRow[] = [];
    if (pi === 0 || s.split?.repeatHeader) rows.push(...header);
    const continuation = pi > 0;
    // label for the continuation of a span begun in the part before: repeated, or an empty merged cell
    const carry = (label: string) => (continuation && !s.split?.repeatHeader ? '' : label);
    part.forEach((b, i) => {
      const cells: TRow = [];
      if (b.path.level === 0) cells.push({ t: b.path.item, cs: 3 });
      else if (flat) {
        cells.push({ t: G.result });
        if (b.path.level === 1) cells.push({ t: b.path.item, cs: 2 });
        else cells.push({ t: b.path.group! }, { t: b.path.item });
      } else {
        // 三、本年度办理结果: rowspan over the result rows of this part
        const isResult = (x: BodyRow) => x.path.level > 0;
        if (isResult(b) && (i === 0 || !isResult(part[i - 1]))) {
          let n = 0;
          while (i + n < part.length && isResult(part[i + n])) n++;
          const startsHere = !continuation || i > 0 || body.indexOf(b) === 0 || !isResult(body[body.indexOf(b) - 1]);
          cells.push({ t: startsHere ? G.result : carry(G.result), rs: n });
        }
        if (b.path.level === 1) cells.push({ t: b.path.item, cs: 2 });
        else {
          const prev = part[i - 1];
          if (!prev || prev.path.group !== b.path.group) {
            let n = 0;
            while (i + n < part.length && part[i + n].path.group === b.path.group) n++;
            const gi = body.indexOf(b);
            const startsHere = gi === 0 || body[gi - 1].path.group !== b.path.group;
            cells.push({ t: startsHere ? b.path.group! : carry(b.path.group!), rs: n });
          }
          cells.push({ t: b.path.item });
        }
      }
      cells.push(...t3Values(s, b.key, counter));
      rows.push(cells);
    });
    tables.push({ rows, before: pi > 0 ? s.split?.between : undefined });
  });
  return tables;
}

// ----- table 4 ---------------------------------------------------------------------------------

function table4(s: Sample, counter: { n: number }): Table {
  const L = { ...LIT_LABELS, ...(s.litLabels ?? {}) };
  const names = LITIGATION_COLS.map((c) => L[c]);
  const vals = (g: string) => LITIGATION_COLS.map((c) => ({ t: valueText(s, `${g}.${c}`, counter), v: true }));
  switch (s.t4 ?? 'standard') {
    case 'standard':
      return {
        rows: [
          [{ t: L.review, cs: 5 }, { t: L.litigation, cs: 10 }],
          [...names.map((t) => ({ t, rs: 2 })), { t: L.litigation_direct, cs: 5 }, { t: L.litigation_after_review, cs: 5 }],
          [...names, ...names].map((t) => ({ t })),
          [...vals('review'), ...vals('litigation_direct'), ...vals('litigation_after_review')],
        ],
      };
    case 'flat-header':
      return {
        rows: [
          [{ t: L.review, cs: 5 }, { t: L.litigation, cs: 10 }],
          [{ t: '', cs: 5 }, { t: L.litigation_direct, cs: 5 }, { t: L.litigation_after_review, cs: 5 }],
          [...names, ...names, ...names].map((t) => ({ t })),
          [...vals('review'), ...vals('litigation_direct'), ...vals('litigation_after_review')],
        ],
      };
    case 'three-rows':
      return {
        rows: [
          [{ t: '', cs: 2 }, ...names.map((t) => ({ t }))],
          [{ t: L.review, cs: 2 }, ...vals('review')],
          [{ t: L.litigation, rs: 2 }, { t: L.litigation_direct }, ...vals('litigation_direct')],
          [{ t: L.litigation_after_review }, ...vals('litigation_after_review')],
        ],
      };
    case 'three-rows-dash':
      return {
        rows: [
          [{ t: '类别' }, ...names.map((t) => ({ t }))],
          [{ t: L.review }, ...vals('review')],
          [{ t: `${L.litigation}-${L.litigation_direct}` }, ...vals('litigation_direct')],
          [{ t: `${L.litigation}-${L.litigation_after_review}` }, ...vals('litigation_after_review')],
        ],
      };
  }
}

// ---------------------------------------------------------------------------------------------
// Page furniture and prose
// ---------------------------------------------------------------------------------------------

const SECTION = {
  s1: '一、总体情况',
  s2: '二、主动公开政府信息情况',
  s3: '三、收到和处理政府信息公开申请情况',
  s4: '四、政府信息公开行政复议、行政诉讼情况',
  s5: '五、存在的主要问题及改进情况',
  s6: '六、其他需要报告的事项',
};

function opening(s: Sample): string {
  const doc = s.version === '2019' ? '国办公开办函〔2019〕60号' : '国办公开办函〔2021〕30号';
  return `本报告由${s.agency}根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和《国务院办公厅政府信息与政务公开办公室关于印发〈中华人民共和国政府信息公开工作年度报告格式〉的通知》（${doc}）要求编制。全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议及行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项。本报告中所列数据的统计期限自${s.year}年1月1日起至${s.year}年12月31日止。本报告电子版可在“${s.site}”门户网站查阅或下载。如对本报告有疑问，请与${s.agency}办公室联系（电话：0394-${String(hashString(s.name) % 9000000 + 1000000)}）。`;
}

function overallProse(s: Sample): [string, string[]][] {
  const a = s.agency!;
  const y = s.year!;
  return [
    [
      '（一）主动公开',
      [
        `${y}年，${a}坚持以公开为常态、不公开为例外，围绕中心工作和群众关切，全面推进决策、执行、管理、服务、结果公开。通过门户网站、政务新媒体、公示栏等渠道及时发布机构职能、政策文件、规划计划、财政预决算、行政执法、重点项目等信息，切实保障人民群众的知情权、参与权、表达权和监督权。`,
        `围绕优化营商环境、乡村振兴、民生保障等重点领域，及时公开相关政策措施和实施情况；对涉及群众切身利益的重要政策文件，做到文件与解读材料同步组织、同步审签、同步发布，通过图文解读、简明问答等形式增强政策解读的针对性和可读性。`,
      ],
    ],
    [
      '（二）依申请公开',
      [
        `严格执行《条例》规定，进一步规范依申请公开的受理、登记、审查、答复等环节，畅通信函、网络、当面申请等渠道，明确办理时限和责任人，确保在法定期限内答复，答复内容准确、程序规范、格式统一。对申请内容不明确的，及时一次性告知申请人作出补正；对涉及第三方权益的，依法征求第三方意见。${(s.prose ?? []).join('')}`,
      ],
    ],
    [
      '（三）政府信息管理',
      [
        `严格落实政府信息公开保密审查制度，坚持“先审查、后公开”和“谁公开、谁审查、谁负责”的原则，规范信息发布流程，防止泄密和侵犯个人隐私的情况发生。及时对本机关制发的文件进行清理，动态调整主动公开基本目录，确保公开内容准确、完整、及时。`,
      ],
    ],
    [
      '（四）政府信息公开平台建设',
      [
        `加强政府网站信息公开专栏建设，按照政府信息公开标准化、规范化要求调整栏目设置，及时更新内容；充分发挥政务新媒体传播快、覆盖广的优势，提升信息发布的时效性和影响力。在政务服务大厅设置政府信息公开查阅点，方便群众现场查阅。`,
      ],
    ],
    [
      '（五）监督保障',
      [
        `成立由主要负责同志任组长的政务公开工作领导小组，明确分管领导和具体工作人员，将政务公开工作纳入年度目标考核内容。定期开展自查自纠，对发现的问题及时整改，主动接受社会监督，全年未发生因政府信息公开工作不到位引发的责任追究情况。`,
      ],
    ],
  ];
}

const PROBLEMS_PROSE = [
  '本年度政府信息公开工作取得了一定成效，但仍存在一些问题和不足：一是公开内容的深度和广度还需进一步拓展，部分信息更新不够及时；二是政策解读形式较为单一，图表图解、视频解读等方式运用不多；三是工作人员业务能力有待进一步提升。',
  '下一步，我们将重点做好以下工作：一是加大公开力度，围绕群众关心关注的重点领域，及时准确公开相关信息；二是丰富解读形式，提高政策解读的质量和实效；三是加强业务培训，提高工作人员的政策水平和业务能力，推动政府信息公开工作再上新台阶。',
];

function otherMattersProse(s: Sample): string[] {
  return [
    `依据《政府信息公开信息处理费管理办法》，本年度${s.agency}未收取信息处理费。`,
    `本年度无其他需要报告的事项。`,
  ];
}

const NAV = ['首页', '政务要闻', '政府信息公开', '政务服务', '互动交流', '走进本地', '专题专栏'];
const SIDE = ['政府信息公开指南', '政府信息公开制度', '法定主动公开内容', '政府信息公开年报', '依申请公开', '政策解读'];

function pageHtml(s: Sample, body: string, opts: { word?: boolean } = {}): string {
  const charset = s.declaredCharset ?? s.charset ?? 'utf-8';
  const meta =
    s.charsetStyle === 'http-equiv'
      ? `<meta http-equiv="Content-Type" content="text/html; charset=${charset}">`
      : `<meta charset="${charset}">`;
  const pageTitle = s.pageTitle ?? `${s.title}_${s.site}`;
  const nav = NAV.map((n, i) => `<li${i === 2 ? ' class="on"' : ''}><a href="/${['index', 'news', 'zwgk', 'zwfw', 'hdjl', 'zjbd', 'ztzl'][i]}/">${n}</a></li>`).join('\n');
  const side = SIDE.map((n, i) => `<li><a href="/zwgk/list${i + 1}.html">${n}</a></li>`).join('\n');
  const related = s.year
    ? [s.year - 1, s.year - 2, s.year - 3]
        .map((y) => `<li><a href="/zwgk/nb/${y}.html">${s.agency}${y}年政府信息公开工作年度报告</a><span>${y + 1}-01-2${y % 10}</span></li>`)
        .join('\n')
    : '';
  const wordHead = opts.word
    ? `<!--[if gte mso 9]><xml>\n<o:DocumentProperties>\n<o:Author>Administrator</o:Author>\n<o:Pages>6</o:Pages>\n</o:DocumentProperties>\n</xml><![endif]-->\n<style>\n<!--\n p.MsoNormal, li.MsoNormal, div.MsoNormal {mso-style-parent:""; margin:0cm; text-align:justify; text-justify:inter-ideograph; font-size:10.5pt; font-family:"Times New Roman",serif;}\n@page WordSection1 {size:595.3pt 841.9pt; margin:72.0pt 90.0pt 72.0pt 90.0pt;}\ndiv.WordSection1 {page:WordSection1;}\n-->\n</style>\n`
    : '';
  return `<!DOCTYPE html>
<html lang="zh-CN">
<head>
${meta}
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${esc(pageTitle)}</title>
<meta name="SiteName" content="${s.site}">
<meta name="ColumnName" content="政府信息公开年报">
<meta name="ArticleTitle" content="${esc(s.title ?? '')}">
<meta name="PubDate" content="${s.publishDate ?? `${(s.year ?? 2021) + 1}-01-25 09:30`}">
<link rel="stylesheet" href="/css/common.css">
<link rel="stylesheet" href="/css/article.css">
${wordHead}<script type="text/javascript">
var _hmt = _hmt || [];
(function() {
  var hm = document.createElement("script");
  hm.src = "https://hm.baidu.com/hm.js?${hashString(s.name).toString(16)}";
  var s = document.getElementsByTagName("script")[0];
  s.parentNode.insertBefore(hm, s);
})();
</script>
</head>
<body>
<div class="topbar"><div class="w1200"><span class="date" id="today"></span><a href="/wza/">无障碍</a> | <a href="/app/">移动版</a> | <a href="/search/">站内搜索</a></div></div>
<div class="header"><div class="w1200"><div class="logo"><a href="/"><img src="/images/logo.png" alt="${s.site}"></a></div>
<div class="search"><form action="/search/" method="get"><input type="text" name="q" placeholder="请输入关键字"><button type="submit">搜索</button></form></div></div></div>
<div class="nav"><ul class="w1200">
${nav}
</ul></div>
<div class="w1200 main">
<div class="sidebar"><h3>政府信息公开</h3><ul>
${side}
</ul></div>
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政府信息公开</a> &gt; <a href="/zwgk/nb/">政府信息公开年报</a></div>
<div class="article">
<h1 class="title">${esc(s.title ?? '')}</h1>
<div class="info"><span>发布时间：${s.publishDate ?? `${(s.year ?? 2021) + 1}-01-25`}</span><span>来源：${s.agency ?? s.site}</span><span>浏览次数：<em id="hits">1${hashString(s.name) % 900}</em></span><span>【字体：<a href="javascript:doZoom(16)">大</a> <a href="javascript:doZoom(14)">中</a> <a href="javascript:doZoom(12)">小</a>】</span></div>
<div class="content" id="zoom">
${body}
</div>
<div class="share">分享到：<a class="wx" href="javascript:;">微信</a><a class="wb" href="javascript:;">微博</a></div>
<div class="tools"><a href="javascript:window.print();">【打印本页】</a><a href="javascript:window.close();">【关闭窗口】</a></div>
</div>
<div class="related"><h3>相关文章</h3><ul>
${related}
</ul></div>
</div>
<div class="footer"><div class="w1200">
<p><a href="/about/">关于我们</a> | <a href="/map/">网站地图</a> | <a href="/contact/">联系我们</a></p>
<p>主办单位：${s.site}办公室　承办：${s.site}大数据中心</p>
<p>网站标识码：41160${hashString(s.name) % 100000}　<a href="https://beian.miit.gov.cn/">豫ICP备0500${hashString(s.name) % 10000}号</a>　豫公网安备 411621020000${hashString(s.name) % 100}号</p>
<p>建议使用1366×768分辨率 IE10以上版本浏览器浏览本站</p>
</div></div>
<script src="/js/jquery.min.js"></script>
<script>function doZoom(size){document.getElementById('zoom').style.fontSize=size+'px';}
document.getElementById('today').innerHTML=new Date().toLocaleDateString();</script>
</body>
</html>
`;
}

function para(text: string, st: Style, cls: 'p' | 'h' | 'right' = 'p'): string {
  if (st.word) {
    if (cls === 'h')
      return `<p class=MsoNormal style='text-indent:32.0pt;line-height:28.0pt;mso-line-height-rule:exactly'><b><span style='font-size:16.0pt;font-family:黑体;mso-hansi-font-family:"Times New Roman"'>${esc(text)}<span lang=EN-US><o:p></o:p></span></span></b></p>`;
    if (cls === 'right')
      return `<p class=MsoNormal align=right style='text-align:right;line-height:28.0pt'><span style='font-size:16.0pt;font-family:仿宋_GB2312'>${esc(text)}<span lang=EN-US><o:p></o:p></span></span></p>`;
    return `<p class=MsoNormal style='text-indent:32.0pt;line-height:28.0pt;mso-line-height-rule:exactly'><span style='font-size:16.0pt;font-family:仿宋_GB2312;mso-hansi-font-family:"Times New Roman"'>${esc(text)}<span lang=EN-US><o:p></o:p></span></span></p>`;
  }
  if (cls === 'h') return `<p style="text-indent:2em;"><strong>${esc(text)}</strong></p>`;
  if (cls === 'right') return `<p style="text-align:right;">${esc(text)}</p>`;
  return `<p style="text-indent:2em;">${esc(text)}</p>`;
}

function reportBodyHtml(s: Sample): string {
  const st = s.style ?? {};
  const counter = { n: 0 };
  const out: string[] = [];
  if (st.word) out.push(`<div class=WordSection1 style='layout-grid:15.6pt'>`);
  out.push(para(opening(s), st));
  out.push(para(SECTION.s1, st, 'h'));
  for (const [h, ps] of overallProse(s)) {
    out.push(para(h, st, 'h'));
    for (const p of ps) out.push(para(p, st));
  }
  out.push(para(SECTION.s2, st, 'h'));
  for (const t of table2(s, counter)) out.push(renderTableHtml(t, st));
  out.push(para(SECTION.s3, st, 'h'));
  for (const t of table3(s, counter)) out.push(renderTableHtml(t, st));
  out.push(para(SECTION.s4, st, 'h'));
  out.push(renderTableHtml(table4(s, counter), st));
  out.push(para(SECTION.s5, st, 'h'));
  for (const p of PROBLEMS_PROSE) out.push(para(p, st));
  out.push(para(SECTION.s6, st, 'h'));
  for (const p of otherMattersProse(s)) out.push(para(p, st));
  out.push(para(s.agency!, st, 'right'));
  out.push(para(`${s.year! + 1}年1月${10 + (hashString(s.name) % 18)}日`, st, 'right'));
  if (st.word) out.push('</div>');
  return out.join('\n');
}

function reportText(s: Sample): string {
  const counter = { n: 0 };
  const tbl = s.textFormat === 'spaces' ? renderTableSpaces : renderTableTabs;
  const out: string[] = ['', '', s.title!, '', opening(s), '', SECTION.s1, ''];
  for (const [h, ps] of overallProse(s)) {
    out.push(h, '', ...ps.flatMap((p) => [p, '']));
  }
  out.push(SECTION.s2, '');
  for (const t of table2(s, counter)) out.push(tbl(t), '');
  out.push(SECTION.s3, '');
  for (const t of table3(s, counter)) out.push(tbl(t), '');
  out.push(SECTION.s4, '');
  out.push(tbl(table4(s, counter)), '');
  out.push(SECTION.s5, '', ...PROBLEMS_PROSE.flatMap((p) => [p, '']));
  out.push(SECTION.s6, '', ...otherMattersProse(s).flatMap((p) => [p, '']));
  out.push(s.agency!, `${s.year! + 1}年1月${10 + (hashString(s.name) % 18)}日`, '');
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Traditional characters (a mirror site re-publishing the page): character by character
// ---------------------------------------------------------------------------------------------

const S2T = new Map<string, string>();
// a few more the report's labels use
for (const [a, b] of [
  ['开', '開'], ['护', '護'], ['补', '補'], ['产', '產'], ['级', '級'], ['紧', '緊'], ['续', '續'],
  ['获', '獲'], ['复', '復'], ['实', '實'], ['态', '態'], ['馈', '饋'], ['稳', '穩'], ['维', '維'],
  ['围', '圍'], ['绕', '繞'], ['众', '眾'], ['满', '滿'], ['务', '務'], ['单', '單'], ['严', '嚴'],
  ['执', '執'], ['线', '線'], ['渠', '渠'], ['畅', '暢'], ['间', '間'], ['时', '時'], ['隐', '隱'],
  ['应', '應'], ['进', '進'], ['动', '動'], ['杂', '雜'], ['图', '圖'], ['简', '簡'], ['读', '讀'],
  ['签', '簽'], ['织', '織'], ['关', '關'], ['惠', '惠'], ['兴', '興'], ['营', '營'], ['环', '環'],
  ['负', '負'], ['责', '責'], ['泄', '洩'], ['侵', '侵'], ['个', '個'], ['规', '規'], ['确', '確'],
  ['录', '錄'], ['调', '調'], ['专', '專'], ['栏', '欄'], ['设', '設'], ['置', '置'], ['传', '傳'],
  ['播', '播'], ['盖', '蓋'], ['势', '勢'], ['响', '響'], ['厅', '廳'], ['阅', '閱'], ['场', '場'],
  ['导', '導'], ['组', '組'], ['长', '長'], ['纳', '納'], ['标', '標'], ['核', '核'], ['纠', '糾'],
  ['发', '發'], ['现', '現'], ['问', '問'], ['题', '題'], ['题', '題'], ['改', '改'], ['绩', '績'],
  ['还', '還'], ['广', '廣'], ['较', '較'], ['视', '視'], ['频', '頻'], ['质', '質'], ['阶', '階'],
   ['层', '層'], ['据', '據'], ['馆', '館'], ['电', '電'], ['话', '話'], ['邮', '郵'],
  ['县', '縣'], ['区', '區'], ['讯', '訊'], ['处', '處'], ['费', '費'], ['办', '辦'], ['达', '達'],
  ['与', '與'], ['决', '決'], ['计', '計'], ['总', '總'], ['类', '類'], ['内', '內'], ['过', '過'],
  ['询', '詢'], ['访', '訪'], ['举', '舉'], ['诉', '訴'], ['议', '議'], ['审', '審'], ['讼', '訟'],
  ['请', '請'], ['数', '數'], ['量', '量'], ['结', '結'], ['转', '轉'], ['项', '項'], ['无', '無'],
  ['须', '須'], ['另', '另'], ['门', '門'], ['户', '戶'], ['网', '網'], ['站', '站'], ['为', '為'],
  ['对', '對'], ['们', '們'], ['将', '將'], ['体', '體'], ['领', '領'], ['经', '經'], ['济', '濟'],
  ['报', '報'], ['国', '國'], ['属', '屬'], ['权', '權'], ['业', '業'], ['机', '機'], ['构', '構'],
  ['会', '會'], ['许', '許'], ['罚', '罰'], ['强', '強'], ['额', '額'], ['采', '採'], ['购', '購'],
  ['减', '減'], ['统', '統'], ['编', '編'], ['条', '條'], ['观', '觀'], ['点', '點'], ['见', '見'],
  ['监', '監'], ['检', '檢'], ['训', '訓'], ['练', '練'], ['运', '運'], ['险', '險'], ['称', '稱'],
  ['缴', '繳'], ['准', '準'], ['乡', '鄉'], ['镇', '鎮'], ['号', '號'], ['页', '頁'], ['联', '聯'],
  ['码', '碼'], ['览', '覽'], ['浏', '瀏'], ['闭', '閉'], ['于', '於'], ['这', '這'], ['际', '際'],
  ['书', '書'], ['说', '說'], ['范', '範'], ['优', '優'], ['创', '創'], ['协', '協'], ['贯', '貫'],
  ['彻', '徹'], ['积', '積'], ['极', '極'], ['义', '義'], ['职', '職'], ['该', '該'], ['庄', '莊'],
  ['热', '熱'], ['络', '絡'], ['扩', '擴'], ['肃', '肅'], ['认', '認'], ['适', '適'], ['树', '樹'],
  ['亿', '億'], ['万', '萬'], ['钱', '錢'], ['财', '財'], ['货', '貨'], ['买', '買'], ['卖', '賣'],
  ['饮', '飲'], ['础', '礎'], ['继', '繼'], ['尽', '盡'], ['习', '習'], ['惯', '慣'], ['启', '啟'],
  ['宪', '憲'], ['违', '違'], ['邻', '鄰'], ['独', '獨'], ['选', '選'], ['连', '連'], ['变', '變'],
  ['废', '廢'], ['没', '沒'], ['后', '後'], ['当', '當'], ['况', '況'], ['系', '係'],
  ['让', '讓'], ['团', '團'], ['识', '識'], ['备', '備'], ['预', '預'], ['算', '算'], ['医', '醫'],
  ['疗', '療'], ['卫', '衛'], ['税', '稅'], ['证', '證'], ['赔', '賠'], ['偿', '償'], ['划', '劃'],
  ['铁', '鐵'], ['岗', '崗'], ['档', '檔'], ['汇', '匯'], ['库', '庫'], ['归', '歸'], 
  ['务', '務'], ['众', '眾'], ['纪', '紀'], ['规', '規'], ['确', '確'], ['护', '護'], ['满', '滿'],
  ['宽', '寬'], ['严', '嚴'], ['声', '聲'], ['脑', '腦'], ['脱', '脫'], ['贫', '貧'], ['兴', '興'],
  ['鲁', '魯'], ['华', '華'], ['东', '東'], ['车', '車'], ['轮', '輪'], ['钟', '鐘'], ['筑', '築'],
  ['层', '層'], ['状', '狀'], ['态', '態'], ['坚', '堅'], ['贴', '貼'], ['么', '麼'], ['虽', '雖'],
  ['难', '難'], ['队', '隊'], ['伍', '伍'], ['务', '務'], ['纲', '綱'], ['丰', '豐'], ['富', '富'],
  ['针', '針'], ['讲', '講'], ['图', '圖'], ['图', '圖'], ['时', '時'], ['效', '效'], ['响', '響'],
  ['办', '辦'], ['馈', '饋'], ['迟', '遲'], ['标', '標'], ['样', '樣'], ['规', '規'], ['门', '門'],
]) {
  S2T.set(a, b);
}

function toTraditional(s: string): string {
  let out = '';
  for (const ch of s) out += S2T.get(ch) ?? ch;
  return out;
}

// ---------------------------------------------------------------------------------------------
// The samples
// ---------------------------------------------------------------------------------------------

function full(version: Version, seed: string, o: RequestOpts & { oneRow?: boolean; litZero?: number } = {}): Figures {
  const r = new Rng(seed);
  const f = { ...makeArt20(r, version), ...makeRequests(r, version, o.oneRow ?? false, o), ...makeLitigation(r, o.litZero) };
  // the key order of allKeys
  const ordered: Figures = {};
  for (const k of allKeys(version, o.oneRow ?? false)) {
    if (!(k in f)) throw new Error(`missing truth for ${k}`);
    ordered[k] = f[k];
  }
  return ordered;
}

function report(name: string, version: Version, agency: string, year: number, site: string, rest: Partial<Sample> = {}): Sample {
  const oneRow = rest.oneRow ?? false;
  return {
    name,
    ext: 'html',
    notes: '',
    agency,
    year,
    title: `${agency}${year}年政府信息公开工作年度报告`,
    site,
    status: 'ok',
    version,
    figures: full(version, name, { oneRow }),
    ...rest,
  };
}

/** Keys whose truth is 0, printed as the sample's zero markers. */
function zeroKeys(s: Sample, keys: string[]): void {
  for (const k of keys) {
    if (!(k in s.figures)) throw new Error(`${s.name}: no key ${k}`);
    s.figures[k] = 0;
  }
}

/** Recompute totals after editing leaves (keeps the matrix consistent). */
function rebalance(s: Sample): void {
  const v = s.version as Version;
  const f = s.figures;
  for (const col of APPLICANT_COLS) {
    const total = resultRows(v, s.oneRow).reduce((a, row) => a + f[`requests.${row}.${col}`], 0);
    f[`requests.total.${col}`] = total;
    if (total + f[`requests.carried_forward.${col}`] - f[`requests.carried_over.${col}`] < 0) {
      f[`requests.carried_over.${col}`] = 0;
    }
    f[`requests.new.${col}`] = total + f[`requests.carried_forward.${col}`] - f[`requests.carried_over.${col}`];
  }
  for (const row of requestRows(v, s.oneRow)) {
    f[`requests.${row}.total`] = APPLICANT_COLS.reduce((a, c) => a + f[`requests.${row}.${c}`], 0);
  }
  for (const g of LITIGATION_GROUPS) {
    f[`${g}.total`] = LITIGATION_COLS.slice(0, 4).reduce((a, c) => a + f[`${g}.${c}`], 0);
  }
}

function samples(): Sample[] {
  const list: Sample[] = [];

  // 1. plain 2021 page, UTF-8, template layout with rowspan/colspan, Article 20 as one table with caption rows
  {
    const s = report('xihua-county-2021', '2021', '西华县人民政府', 2021, '西华县人民政府', {
      notes: 'plain 2021-template page in UTF-8: rowspan/colspan as the template prints them; Article 20 as one table with the 第二十条 captions as rows',
    });
    s.prose = [`全年共新收政府信息公开申请${s.figures['requests.new.total']}件，均在法定期限内予以答复。`];
    list.push(s);
  }

  // 2. plain 2019-template page, deltas printed -3, 减4, +5
  {
    const s = report('zhoukou-ecology-2019', '2019', '周口市生态环境局', 2019, '周口市人民政府', {
      notes: '2019 template (国办公开办函〔2019〕60号): Article 20 columns 本年新制作数量/本年新公开数量/对外公开总数量, 上一年项目数量/本年增/减/处理决定数量, 采购项目数量/采购总金额; one row （六）其他处理; deltas printed -3, 减4, +5',
    });
    const f = s.figures;
    s.text = {
      'art20.licensing.delta': `+${f['art20.licensing.delta']}`,
      'art20.other_services.delta': `${f['art20.other_services.delta']}`,
      'art20.penalty.delta': `+${f['art20.penalty.delta']}`,
      'art20.coercion.delta': `减${-f['art20.coercion.delta']}`,
      'art20.fees.delta': `${f['art20.fees.delta']}`,
    };
    s.art20Labels = { proc_amount: '采购总金额（万元）' };
    list.push(s);
  }

  // 3. GBK page declared with <meta charset="gbk">; table 4 with a header without rowspans
  {
    const s = report('luyi-education-2021-gbk', '2021', '鹿邑县教育体育局', 2021, '鹿邑县人民政府', {
      notes: 'GBK-encoded page declared with <meta charset="gbk">; table 4 header drawn without rowspans (empty cells under 行政复议)',
      charset: 'gbk',
      t4: 'flat-header',
      zero: '0',
    });
    zeroKeys(s, ['art20.rules.issued', 'art20.rules.repealed']);
    list.push(s);
  }

  // 4. GB2312 page declared with http-equiv, 2019 template for 2020
  {
    const s = report('dancheng-health-2020-gb2312', '2019', '郸城县卫生健康委员会', 2020, '郸城县人民政府', {
      notes: 'GB2312 page declared with <meta http-equiv="Content-Type" content="text/html; charset=gb2312">; 2019 template for the year 2020; zeros printed 0',
      charset: 'gb2312',
      charsetStyle: 'http-equiv',
    });
    s.text = { 'art20.coercion.delta': String(s.figures['art20.coercion.delta']) };
    s.art20Labels = { proc_amount: '采购总金额（万元）' };
    list.push(s);
  }

  // 5. Word-exported markup, 2021
  {
    const s = report('shangshui-housing-2021-word', '2021', '商水县住房和城乡建设局', 2021, '商水县人民政府', {
      notes: 'Word-exported markup: every cell <p class=MsoNormal><span lang=EN-US>…<o:p></o:p></span></p>; <br> inside labels; &nbsp; padding; spaces inside labels (商业 企业); full-width digits in some cells; full-width parentheses',
      style: { word: true, nbsp: true },
      art20: 'captions',
      colLabels: { commercial: '商业 企业', research: '科研 机构', legal: '法律服务\n机构', org: '法人或\n其他组织' },
      rowLabels: {
        new: '一、本年新收政府信息\n公开申请数量',
        carried_over: '二、上年结转政府信息\n公开申请数量',
        partial: '（二）部分公开（区分处理的，只计这一情形，\n不计其他情形）',
        'denied.third_party': '4.保护第三方 合法权益',
        carried_forward: '四、结转下年度\n继续办理',
      },
      groupLabels: { result: '三、本年度\n办理结果', denied: '（三）不予\n公开' },
      fullWidth: ['requests.granted.natural', 'requests.new.natural', 'requests.total.total', 'art20.penalty.decisions', 'review.total'],
    });
    list.push(s);
  }

  // 6. Article 20 as separate small tables with the captions as paragraphs before each
  {
    const s = report('taikang-finance-2021-captions', '2021', '太康县财政局', 2021, '太康县人民政府', {
      notes: 'Article 20 printed as four small tables, each caption (第二十条第（一）项 …) a paragraph before its table',
      art20: 'captions',
    });
    list.push(s);
  }

  // 7. Word-exported 2019 template (2020 report) with Word's hidden misaligned-columns row
  {
    const s = report('xiangcheng-market-2020-word', '2019', '项城市市场监督管理局', 2020, '项城市人民政府', {
      notes: 'Word-exported 2019-template report: MsoNormal/<o:p> markup, Word\'s <![if !supportMisalignedColumns]> row of zero-width cells after each table, full-width digits everywhere in table 4',
      style: { word: true, wordMisaligned: true },
      fullWidth: ['review.upheld', 'review.corrected', 'review.other', 'review.pending', 'review.total', 'litigation_direct.upheld', 'litigation_direct.total', 'litigation_after_review.total', 'litigation_after_review.upheld'],
      zero: '0',
    });
    s.text = {
      'art20.other_services.delta': String(s.figures['art20.other_services.delta']),
      'art20.coercion.delta': String(s.figures['art20.coercion.delta']),
      'art20.fees.delta': String(s.figures['art20.fees.delta']),
    };
    list.push(s);
  }

  // 8. table 3 split in two <table>s, header repeated (mid-group split)
  {
    const s = report('huaiyang-transport-2022-split', '2021', '周口市淮阳区交通运输局', 2022, '周口市淮阳区人民政府', {
      notes: 'table 3 split into two <table>s in the middle of （三）不予公开, the column header repeated on the second and the row labels (三、本年度办理结果, （三）不予公开) repeated; title with 年度',
      split: { before: 'denied.internal', repeatHeader: true, between: '（续表）' },
    });
    s.title = '周口市淮阳区交通运输局2022年度政府信息公开工作年度报告';
    list.push(s);
  }

  // 9. split without the header repeated, 2019 template
  {
    const s = report('shenqiu-civil-affairs-2019-split', '2019', '沈丘县民政局', 2019, '沈丘县人民政府', {
      notes: 'table 3 (2019 template) split into two <table>s before （四）无法提供 with no header on the second part; the continuing 三、本年度办理结果 cell is an empty merged cell',
      split: { before: 'unable.not_held', repeatHeader: false },
    });
    s.text = {
      'art20.other_services.delta': `减${-s.figures['art20.other_services.delta']}`,
      'art20.coercion.delta': String(s.figures['art20.coercion.delta']),
      'art20.fees.delta': String(s.figures['art20.fees.delta']),
    };
    list.push(s);
  }

  // 10. table 3 without rowspans: every row carries its full label path
  {
    const s = report('chuanhui-district-2021-flat', '2021', '周口市川汇区人民政府', 2021, '周口市川汇区人民政府', {
      notes: 'table 3 without rowspans: every row carries its full label path in separate cells (三、本年度办理结果 | （三）不予公开 | 1.属于国家秘密 | …); header cells left empty instead of merged',
      t3: 'flat',
    });
    list.push(s);
  }

  // 11. an extra 小计 column under 法人或其他组织
  {
    const s = report('hongze-water-2022-subtotal', '2021', '淮安市洪泽区水利局', 2022, '淮安市洪泽区人民政府', {
      notes: 'an extra 小计 subtotal column after 其他 under 法人或其他组织 (no canonical key: must be ignored, not taken for 总计 or 其他)',
      subtotal: true,
    });
    list.push(s);
  }

  // 12. table 4 as three rows of five
  {
    const s = report('qingjiangpu-2023-t4-rows', '2021', '淮安市清江浦区人民政府', 2023, '淮安市清江浦区人民政府', {
      notes: 'table 4 drawn as three rows of five (行政复议 / 行政诉讼: 未经复议直接起诉, 复议后起诉 × 结果维持 … 总计)',
      t4: 'three-rows',
    });
    list.push(s);
  }

  // 13. reworded/short labels, column headers over two rows
  {
    const s = report('lianshui-2021-labels', '2021', '涟水县人民政府', 2021, '涟水县人民政府', {
      notes: 'labels reworded/short: 社会组织, 规范性文件 in a 2021 table, 现行有效件, 其他法律法规禁止公开, 部分公开 without its parenthesis, 危及「三安全一稳定」, 1、 numbering, 合计 for 总计; column headers split over two rows (商业|科研 over 企业|机构)',
      twoRowColHeader: true,
      colLabels: { social: '社会组织', total: '合计' },
      rowLabels: {
        partial: '（二）部分公开',
        'denied.state_secret': '1、属于国家秘密',
        'denied.law_forbidden': '2、其他法律法规禁止公开',
        'denied.three_safety': '3、危及「三安全一稳定」',
        'denied.third_party': '4、保护第三方合法权益',
        'denied.internal': '5、属于三类内部事务信息',
        'denied.process': '6、属于四类过程性信息',
        'denied.enforcement_file': '7、属于行政执法案卷',
        'denied.query': '8、属于行政查询事项',
        'unable.not_held': '1、本机关不掌握相关政府信息',
        'unable.needs_creation': '2、没有现成信息需要另行制作',
        'unable.unclear': '3、补正后申请内容仍不明确',
        'not_processed.petition': '1、信访举报投诉类申请',
        'not_processed.duplicate': '2、重复申请',
        'not_processed.publication': '3、要求提供公开出版物',
        'not_processed.mass_repeat': '4、无正当理由大量反复申请',
        'not_processed.confirm': '5、要求行政机关确认或重新出具已获取信息',
        total: '（七）合计',
      },
      art20Labels: { normative21: '规范性文件', in_force: '现行有效件', fees21: '本年收费金额（单位：万元，保留4位小数）' },
      litLabels: { total: '合计' },
    });
    list.push(s);
  }

  // 14. 2019-template labels with other quotes, 1． numbering, the typo 其他法律行政止公开
  {
    const s = report('xuyi-2020-labels', '2019', '盱眙县人民政府', 2020, '盱眙县人民政府', {
      notes: '2019 template with label variants: 危及"三安全一稳定" (ASCII quotes), 1． numbering (full-width dot), the typo 2．其他法律行政止公开, (六)其他处理 with ASCII parentheses, 其他组织 for 其他',
      rowLabels: {
        'denied.state_secret': '1．属于国家秘密',
        'denied.law_forbidden': '2．其他法律行政止公开',
        'denied.three_safety': '3．危及"三安全一稳定"',
        'denied.third_party': '4．保护第三方合法权益',
        'denied.internal': '5．属于三类内部事务信息',
        'denied.process': '6．属于四类过程性信息',
        'denied.enforcement_file': '7．属于行政执法案卷',
        'denied.query': '8．属于行政查询事项',
        other: '(六)其他处理',
        total: '(七)总计',
      },
      colLabels: { other_org: '其他组织' },
    });
    s.text = {
      'art20.other_services.delta': `${s.figures['art20.other_services.delta']}`,
      'art20.coercion.delta': `减少${-s.figures['art20.coercion.delta']}`,
      'art20.fees.delta': `${s.figures['art20.fees.delta']}`,
    };
    list.push(s);
  }

  // 15. 2021 template printing （六）其他处理 as one row
  {
    const s = report('jinhu-2021-other-one-row', '2021', '金湖县人民政府', 2021, '金湖县人民政府', {
      notes: '2021 template whose table 3 prints （六）其他处理 as ONE row: figures under requests.other.<col>; ‘三安全一稳定’ with single curly quotes',
      oneRow: true,
      rowLabels: { 'denied.three_safety': '3.危及‘三安全一稳定’' },
    });
    list.push(s);
  }

  // 16. a 2022 report still on the 2019 template
  {
    const s = report('huaiyin-2022-template2019', '2019', '淮安市淮阴区人民政府', 2022, '淮安市淮阴区人民政府', {
      notes: 'a 2022 report still on the 2019 template: the version comes from the labels (本年新制作数量, one row （六）其他处理), not the year',
    });
    s.text = {
      'art20.other_services.delta': `${s.figures['art20.other_services.delta']}`,
      'art20.coercion.delta': `${s.figures['art20.coercion.delta']}`,
      'art20.fees.delta': `${s.figures['art20.fees.delta']}`,
    };
    list.push(s);
  }

  // 17. zero markers, separators, notes and units in cells
  {
    const s = report('fugou-agriculture-2021-values', '2021', '扶沟县农业农村局', 2021, '扶沟县人民政府', {
      notes: 'values: blank cells, —, -, /, ／ and 无 for 0 (used in turn); 1,234 with a thousands separator; 22（其中修订16件） is 22; the fee printed 251000元 in a 万元 column (truth 25.1)',
      zero: ['', '—', '-', '/', '／', '无'],
    });
    const f = s.figures;
    f['art20.licensing.decisions'] = 1234;
    f['art20.penalty.decisions'] = 2317;
    f['art20.normative.issued'] = 22;
    f['art20.fees.amount'] = 25.1;
    zeroKeys(s, ['art20.rules.issued', 'art20.rules.repealed', 'art20.coercion.decisions', 'requests.new.research', 'litigation_after_review.upheld']);
    for (const c of APPLICANT_COLS) f[`requests.denied.state_secret.${c}`] = 0;
    for (const c of ['research', 'social']) for (const row of resultRows('2021')) f[`requests.${row}.${c}`] = 0;
    for (const c of ['research', 'social']) f[`requests.carried_over.${c}`] = 0;
    for (const c of ['research', 'social']) f[`requests.carried_forward.${c}`] = 0;
    for (const k of LITIGATION_COLS.slice(0, 4)) f[`litigation_after_review.${k}`] = 0;
    rebalance(s);
    s.text = {
      'art20.licensing.decisions': '1,234',
      'art20.penalty.decisions': '2,317',
      'art20.normative.issued': '22（其中修订16件）',
      'art20.fees.amount': '251000元',
    };
    list.push(s);
  }

  // 18. units in cells, 2019 template
  {
    const s = report('zhoukou-finance-2020-units', '2019', '周口市财政局', 2020, '周口市人民政府', {
      notes: '2019 template with units in cells: 采购总金额 printed 160.5964万元 (header without a unit), counts printed with 件/项 units (35件, 1,208项), a delta printed --12 (a doubled dash is a minus)',
    });
    const f = s.figures;
    f['art20.procurement.amount'] = 160.5964;
    f['art20.licensing.decisions'] = 1208;
    f['art20.rules.public_total'] = 35;
    f['art20.coercion.delta'] = -12;
    s.text = {
      'art20.procurement.amount': '160.5964万元',
      'art20.licensing.decisions': '1,208项',
      'art20.rules.public_total': '35件',
      'art20.other_services.delta': `${f['art20.other_services.delta']}`,
      'art20.coercion.delta': '--12',
      'art20.fees.delta': `${f['art20.fees.delta']}`,
    };
    list.push(s);
  }

  // 19. text copy, tab-separated (like the fugou corpus file), non-zero values, 总计 present
  {
    const s = report('xihua-natural-resources-2021-tabs', '2021', '西华县自然资源局', 2021, '西华县人民政府', {
      notes: 'text copied out of the web page: cells separated by tabs, merged cells as empty cells, every value printed (no blanks), the 总计 cell present; 社会组织 and 其他法律法规禁止公开 as in the real fugou copy',
      ext: 'txt',
      textFormat: 'tabs',
      colLabels: { social: '社会组织' },
      rowLabels: { 'denied.law_forbidden': '2.其他法律法规禁止公开' },
      art20: 'captions',
    });
    s.figures = full('2021', s.name, { zeroShare: 0 });
    list.push(s);
  }

  // 20. text copy, cells separated by runs of spaces
  {
    const s = report('fugou-county-2022-spaces', '2021', '扶沟县人民政府', 2022, '扶沟县人民政府', {
      notes: 'text copy where cells are separated by runs of spaces (empty cells vanish); zeros printed 0; table 4 as three rows labelled 行政复议 / 行政诉讼-未经复议直接起诉 / 行政诉讼-复议后起诉',
      ext: 'txt',
      textFormat: 'spaces',
      art20: 'captions',
      t4: 'three-rows-dash',
      zero: '0',
    });
    list.push(s);
  }

  // 21. figures that do not add up: a balance failure and a row_sum failure
  {
    const s = report('taikang-education-2021-bad-sums', '2021', '太康县教育体育局', 2021, '太康县人民政府', {
      notes: 'printed figures do not add up: 本年新收 自然人 is 7 more than the identity allows (balance.natural and row_sum.new fail), and 予以公开 总计 is 2 less than its row (row_sum.granted and total.total fail)',
    });
    s.figures['requests.new.natural'] += 7;
    s.figures['requests.granted.total'] -= 2;
    list.push(s);
  }

  // 22. table 4 total that does not add up, 2019 template
  {
    const s = report('luyi-police-2019-bad-litigation', '2019', '鹿邑县公安局', 2019, '鹿邑县人民政府', {
      notes: '2019 template; table 4 as published does not add up: 行政复议 总计 is one more than its four results (review.total fails), 复议后起诉 总计 one less (litigation_after_review.total fails)',
    });
    s.figures['review.total'] += 1;
    s.figures['litigation_after_review.total'] = Math.max(0, s.figures['litigation_after_review.total'] - 1);
    if (s.figures['litigation_after_review.total'] === 0) s.figures['litigation_after_review.total'] = 30;
    s.text = {
      'art20.other_services.delta': `${s.figures['art20.other_services.delta']}`,
      'art20.coercion.delta': `${s.figures['art20.coercion.delta']}`,
      'art20.fees.delta': `${s.figures['art20.fees.delta']}`,
    };
    list.push(s);
  }

  // 26. mirror site, traditional characters
  {
    const s = report('huaian-city-2021-traditional', '2021', '淮安市人民政府', 2021, '淮安市人民政府', {
      notes: 'a mirror site re-publishing the page converted to traditional characters (自然人, 商業企業, 予以公開, 不予處理 …); the truth is the same numbers; agency 淮安市人民政府 reads the same in both scripts; title as printed (traditional)',
      traditional: true,
    });
    s.title = toTraditional(s.title!);
    s.site = '政府資訊公開鏡像站';
    list.push(s);
  }

  // 27. Word export + GBK + captions outside + three rows table 4 (a mix)
  {
    const s = report('yancheng-tax-2021-word-gbk', '2021', '漯河市郾城区人民政府', 2021, '漯河市郾城区人民政府', {
      notes: 'Word-exported page saved as GBK (<meta charset="gbk">), captions outside, table 4 in three rows of five, zeros printed as blank Word cells',
      charset: 'gbk',
      style: { word: true },
      art20: 'captions',
      t4: 'three-rows',
      zero: '',
    });
    list.push(s);
  }

  // 28. columns in another order, a UTF-8 BOM, a 7-digit figure
  {
    const s = report('xiping-2021-column-order', '2021', '西平县人民政府', 2021, '西平县人民政府', {
      notes: 'table 3 columns under 法人或其他组织 in another order (法律服务机构, 商业企业, 其他, 科研机构, 社会公益组织); file starts with a UTF-8 byte order mark; 行政许可 a 7-digit figure printed 1,234,567',
      orgOrder: ['legal', 'commercial', 'other_org', 'research', 'social'],
      bom: true,
    });
    s.figures['art20.licensing.decisions'] = 1234567;
    s.text = { 'art20.licensing.decisions': '1,234,567' };
    list.push(s);
  }

  // 29. the 总计 column left blank on every result row
  {
    const s = report('suiping-2021-total-blank', '2021', '遂平县人民政府', 2021, '遂平县人民政府', {
      notes: 'the 总计 column left blank on every result row (（一）予以公开 … （六）其他处理 3.其他): the truth is what is printed (0), so requests.row_sum fails on each of those rows and requests.total.total fails; zeros elsewhere printed 0',
      zero: '0',
    });
    s.text = {};
    for (const row of resultRows('2021')) {
      s.figures[`requests.${row}.total`] = 0;
      s.text[`requests.${row}.total`] = '';
    }
    list.push(s);
  }

  // 30. a page whose declared charset is wrong
  {
    const s = report('queshan-2022-mislabelled', '2021', '确山县人民政府', 2022, '确山县人民政府', {
      notes: 'a page that declares charset=gb2312 in its <meta http-equiv> but whose bytes are UTF-8 (the CMS template was not updated); decoding must notice',
      charset: 'utf-8',
      declaredCharset: 'gb2312',
      charsetStyle: 'http-equiv',
    });
    list.push(s);
  }

  // 31. the title names no agency: the agency comes from the opening sentence and the page
  {
    const s = report('zhoukou-police-2021-untitled-agency', '2021', '周口市公安局', 2021, '周口市公安局', {
      notes: 'the heading names no agency (2021年政府信息公开工作年度报告): the agency is in the opening sentence (本报告由周口市公安局…编制), the site name and the signature; the statistics period confirms the year',
    });
    s.title = '2021年政府信息公开工作年度报告';
    list.push(s);
  }

  // 32. text copy of a 2019-template report, tab-separated
  {
    const s = report('shangshui-county-2020-tabs', '2019', '商水县人民政府', 2020, '商水县人民政府', {
      notes: 'text copy (tabs) of a 2019-template report: Article 20 as one table with caption rows, （六）其他处理 one row, deltas -4 and +7 as printed, zeros printed 0',
      ext: 'txt',
      textFormat: 'tabs',
      zero: '0',
    });
    s.text = {
      'art20.licensing.delta': `+${s.figures['art20.licensing.delta']}`,
      'art20.penalty.delta': `+${s.figures['art20.penalty.delta']}`,
    };
    list.push(s);
  }

  return list;
}

// ---------------------------------------------------------------------------------------------
// Documents without the four tables
// ---------------------------------------------------------------------------------------------

function legacySample(): [Sample, string] {
  const s: Sample = {
    name: 'xihua-county-2017-legacy',
    ext: 'html',
    notes: 'a pre-2019 report (2017) in the old free format: prose sections and a simple 统计表 of 指标/单位/数量; no template tables, status legacy',
    agency: '西华县人民政府',
    year: 2017,
    title: '西华县人民政府2017年政府信息公开工作年度报告',
    site: '西华县人民政府',
    status: 'legacy',
    version: 'legacy',
    figures: {},
  };
  const p = (t: string) => `<p style="text-indent:2em;">${esc(t)}</p>`;
  const h = (t: string) => `<p style="text-indent:2em;"><strong>${esc(t)}</strong></p>`;
  const rows: [string, string, string][] = [
    ['一、主动公开情况', '', ''],
    ['（一）主动公开政府信息数', '条', '2386'],
    ['其中：主动公开规范性文件数', '条', '14'],
    ['制发规范性文件总数', '件', '17'],
    ['（二）通过不同渠道和方式公开政府信息的情况', '', ''],
    ['1.政府公报公开政府信息数', '条', '0'],
    ['2.政府网站公开政府信息数', '条', '2152'],
    ['3.政务微博公开政府信息数', '条', '611'],
    ['4.政务微信公开政府信息数', '条', '935'],
    ['二、回应解读情况', '', ''],
    ['（一）回应公众关注热点或重大舆情数', '次', '9'],
    ['（二）通过不同渠道和方式回应解读的情况', '', ''],
    ['1.参加或举办新闻发布会总次数', '次', '6'],
    ['2.政府网站在线访谈次数', '次', '4'],
    ['三、依申请公开情况', '', ''],
    ['（一）收到申请数', '件', '31'],
    ['1.当面申请数', '件', '12'],
    ['2.传真申请数', '件', '0'],
    ['3.网络申请数', '件', '16'],
    ['4.信函申请数', '件', '3'],
    ['（二）申请办结数', '件', '31'],
    ['1.按时办结数', '件', '31'],
    ['2.延期办结数', '件', '0'],
    ['（三）申请答复数', '件', '31'],
    ['1.属于已主动公开范围数', '件', '11'],
    ['2.同意公开答复数', '件', '9'],
    ['3.同意部分公开答复数', '件', '2'],
    ['4.不同意公开答复数', '件', '3'],
    ['5.不属于本行政机关公开数', '件', '4'],
    ['6.申请信息不存在数', '件', '2'],
    ['四、行政复议数量', '件', '1'],
    ['五、行政诉讼数量', '件', '1'],
    ['六、举报投诉数量', '件', '0'],
    ['七、依申请公开信息收取的费用', '万元', '0'],
    ['八、机构建设和保障经费情况', '', ''],
    ['1.政府信息公开工作专门机构数', '个', '1'],
    ['2.从事政府信息公开工作人员数', '人', '5'],
    ['3.政府信息公开专项经费', '万元', '3.5'],
  ];
  const table = [
    '<p style="text-align:center;"><strong>西华县人民政府2017年政府信息公开工作情况统计表</strong></p>',
    '<table border="1" cellspacing="0" cellpadding="0" width="100%" style="border-collapse:collapse;">',
    '<tbody><tr><td style="text-align:center;">统 计 指 标</td><td style="text-align:center;">单位</td><td style="text-align:center;">统计数</td></tr>',
    ...rows.map(([a, b, c]) => `<tr><td>${esc(a)}</td><td style="text-align:center;">${b}</td><td style="text-align:center;">${c}</td></tr>`),
    '</tbody></table>',
  ].join('\n');
  const body = [
    p('根据《中华人民共和国政府信息公开条例》（以下简称《条例》）要求，本报告由西华县人民政府办公室编制。全文包括概述，主动公开政府信息情况，依申请公开政府信息情况，政府信息公开的收费及减免情况，因政府信息公开申请提起行政复议、行政诉讼的情况，存在的主要问题及改进措施等六个部分。本报告中所列数据的统计期限自2017年1月1日起至2017年12月31日止。'),
    h('一、概述'),
    p('2017年，西华县人民政府认真贯彻落实《条例》和上级关于政务公开工作的部署要求，以推进决策、执行、管理、服务、结果公开为重点，不断完善公开制度，拓宽公开渠道，规范公开程序，政府信息公开工作取得了新成效。'),
    p('全县各级各部门进一步加强组织领导，明确分管领导和具体工作人员，形成了主要领导亲自抓、分管领导具体抓、工作人员具体办的工作格局。'),
    h('二、主动公开政府信息情况'),
    p('2017年，全县主动公开政府信息2386条，其中通过政府网站公开2152条，通过政务微博公开611条，通过政务微信公开935条。重点围绕财政预决算、重大建设项目、公共资源配置、社会公益事业等领域推进信息公开。'),
    h('三、依申请公开政府信息情况'),
    p('2017年，共收到政府信息公开申请31件，其中当面申请12件，网络申请16件，信函申请3件。所有申请均已按时办结。'),
    h('四、政府信息公开的收费及减免情况'),
    p('2017年，我县未收取政府信息公开相关费用。'),
    h('五、因政府信息公开申请提起行政复议、行政诉讼的情况'),
    p('2017年，发生因政府信息公开申请提起的行政复议1件，行政诉讼1件。'),
    h('六、存在的主要问题及改进措施'),
    p('我县政府信息公开工作虽然取得了一定成效，但仍存在公开内容不够全面、更新不够及时等问题。下一步，我们将进一步加强政府信息公开工作的组织领导，完善制度机制，拓宽公开渠道，不断提高政府信息公开工作水平。'),
    h('附件：'),
    table,
    `<p style="text-align:right;">西华县人民政府</p><p style="text-align:right;">2018年3月28日</p>`,
  ].join('\n');
  return [s, pageHtml({ ...s, publishDate: '2018-03-28' }, body)];
}

function notAReportSample(): [Sample, string] {
  const s: Sample = {
    name: 'xihua-news-not-a-report',
    ext: 'html',
    notes: 'a news article (not an annual report) about a work meeting on open government information, with a table of key projects and their investment: status not_a_report, no metadata, no figures',
    agency: null,
    year: null,
    title: null,
    site: '西华县人民政府',
    status: 'not_a_report',
    version: null,
    figures: {},
  };
  const p = (t: string) => `<p style="text-indent:2em;">${esc(t)}</p>`;
  const projects: [string, string, string, string][] = [
    ['西华县城区供水管网改造工程', '城市管理局', '12600', '完成年度计划的86%'],
    ['西华县第二高级中学新建项目', '教育体育局', '38500', '主体封顶'],
    ['县人民医院门诊综合楼', '卫生健康委员会', '27300', '内部装修'],
    ['黄泛区农场高标准农田建设', '农业农村局', '9800', '已完工'],
    ['西华县乡村道路提质工程', '交通运输局', '15400', '完成路基'],
    ['产业集聚区污水处理厂提标改造', '生态环境局', '6200', '设备安装'],
    ['县政务服务中心智能化改造', '政务服务和大数据管理局', '2100', '已完工'],
    ['西华县城乡冷链物流园', '商务局', '18700', '场地平整'],
  ];
  const table = [
    '<table border="1" cellspacing="0" cellpadding="0" width="100%" style="border-collapse:collapse;">',
    '<tbody><tr><td>序号</td><td>项目名称</td><td>责任单位</td><td>总投资（万元）</td><td>进展情况</td></tr>',
    ...projects.map((r, i) => `<tr><td>${i + 1}</td><td>${esc(r[0])}</td><td>${esc(r[1])}</td><td>${r[2]}</td><td>${esc(r[3])}</td></tr>`),
    '</tbody></table>',
  ].join('\n');
  const body = [
    p('5月18日上午，我县召开2022年政务公开暨重点项目推进工作会议，县政府副县长出席会议并讲话，县直各单位、各乡镇（街道）分管负责同志参加会议。'),
    p('会议通报了2021年度全县政务公开工作考核情况和政府信息公开工作年度报告编制发布情况，对做好2022年政务公开工作进行了安排部署。会议要求，各单位要严格按照《中华人民共和国政府信息公开条例》规定，认真做好主动公开、依申请公开工作，按时编制并公开本单位政府信息公开工作年度报告。'),
    p('会议强调，要聚焦重点项目建设，及时公开项目审批、实施、进展等信息，主动接受社会监督。会上通报了全县重点项目推进情况（见下表）。'),
    table,
    p('会议指出，各单位要进一步提高思想认识，压实工作责任，确保各项工作任务落到实处，为全县经济社会高质量发展营造公开透明的良好环境。'),
    p('会上，县政务服务和大数据管理局、县自然资源局作了典型发言。'),
    p('（来源：县政府办公室　编辑：李明）'),
  ].join('\n');
  const page = pageHtml(
    { ...s, title: '我县召开2022年政务公开暨重点项目推进工作会议', pageTitle: '我县召开2022年政务公开暨重点项目推进工作会议_西华县人民政府', agency: '西华县人民政府办公室', year: null, publishDate: '2022-05-18' },
    body,
  );
  return [s, page];
}

function narrativeOnlySample(): [Sample, string] {
  const s: Sample = {
    name: 'shenqiu-audit-2021-narrative',
    ext: 'html',
    notes: 'an annual report published as prose only, with none of the template tables (the figures were in an attachment image): status no_tables, no figures',
    agency: '沈丘县审计局',
    year: 2021,
    title: '沈丘县审计局2021年政府信息公开工作年度报告',
    site: '沈丘县人民政府',
    status: 'no_tables',
    version: null,
    figures: {},
  };
  const body: string[] = [];
  const st: Style = {};
  body.push(para(opening({ ...s, version: '2021' }), st));
  body.push(para(SECTION.s1, st, 'h'));
  for (const [h, ps] of overallProse({ ...s })) {
    body.push(para(h, st, 'h'));
    for (const p of ps) body.push(para(p, st));
  }
  body.push(para(SECTION.s2, st, 'h'));
  body.push(para('本年度，我局主动公开政府信息的具体情况详见附件图片《主动公开政府信息情况统计表》。', st));
  body.push('<p style="text-align:center;"><img src="/uploads/2022/01/t2.png" alt="主动公开政府信息情况统计表" width="600"></p>');
  body.push(para(SECTION.s3, st, 'h'));
  body.push(para('本年度，我局收到和处理政府信息公开申请的具体情况详见附件图片。', st));
  body.push('<p style="text-align:center;"><img src="/uploads/2022/01/t3.png" alt="收到和处理政府信息公开申请情况统计表" width="600"></p>');
  body.push(para(SECTION.s4, st, 'h'));
  body.push(para('本年度，我局未发生因政府信息公开引起的行政复议、行政诉讼案件。', st));
  body.push(para(SECTION.s5, st, 'h'));
  for (const p of PROBLEMS_PROSE) body.push(para(p, st));
  body.push(para(SECTION.s6, st, 'h'));
  for (const p of otherMattersProse(s)) body.push(para(p, st));
  body.push(para('沈丘县审计局', st, 'right'));
  body.push(para('2022年1月20日', st, 'right'));
  return [s, pageHtml(s, body.join('\n'))];
}

// ---------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------

function encode(text: string, charset: string): Buffer {
  if (charset === 'utf-8') return Buffer.from(text, 'utf8');
  // iconv (glibc) refuses characters the charset cannot hold, so a sample never carries a '?'
  return execFileSync('iconv', ['-f', 'UTF-8', '-t', charset.toUpperCase()], { input: Buffer.from(text, 'utf8') });
}

function expectedJson(s: Sample): string {
  const isReport = s.version === '2019' || s.version === '2021';
  const obj = {
    agency: s.agency,
    year: s.year,
    version: s.version,
    title: s.title,
    status: s.status,
    figures: s.figures,
    fails: isReport ? failingChecks(s.figures, s.version as Version, s.oneRow ?? false) : [],
    notes: s.notes,
  };
  return JSON.stringify(obj, null, 1) + '\n';
}

function main(): void {
  mkdirSync(OUT, { recursive: true });
  // remove what an earlier run wrote (top level only; samples/pdf and samples/site belong to others)
  for (const f of readdirSync(OUT)) {
    if (/\.(html|txt)$/.test(f) || f.endsWith('.expected.json')) unlinkSync(join(OUT, f));
  }
  const written: string[] = [];
  for (const s of samples()) {
    // the truth must hold every key of its version, nothing else
    const keys = allKeys(s.version as Version, s.oneRow ?? false);
    const extra = Object.keys(s.figures).filter((k) => !keys.includes(k));
    const missing = keys.filter((k) => !(k in s.figures));
    if (extra.length || missing.length) throw new Error(`${s.name}: extra ${extra} missing ${missing}`);
    let doc: string;
    if (s.ext === 'txt') doc = reportText(s);
    else {
      const word = s.style?.word ?? false;
      doc = pageHtml(s, reportBodyHtml(s), { word });
      if (s.traditional) doc = toTraditional(doc);
    }
    let bytes = encode(doc, s.charset ?? 'utf-8');
    if (s.bom) bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]);
    writeFileSync(join(OUT, `${s.name}.${s.ext}`), bytes);
    writeFileSync(join(OUT, `${s.name}.expected.json`), expectedJson(s));
    written.push(`${s.name}.${s.ext} (${Math.round(bytes.length / 1024)} KB)`);
  }
  for (const [s, doc] of [legacySample(), notAReportSample(), narrativeOnlySample()]) {
    const bytes = encode(doc, 'utf-8');
    writeFileSync(join(OUT, `${s.name}.${s.ext}`), bytes);
    writeFileSync(join(OUT, `${s.name}.expected.json`), expectedJson(s));
    written.push(`${s.name}.${s.ext} (${Math.round(bytes.length / 1024)} KB)`);
  }
  console.log(`wrote ${written.length} samples to samples/:\n  ${written.join('\n  ')}`);
}

main();
