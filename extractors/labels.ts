/**
 * Label matching: table grids → canonical keys, by the meaning of each label, never its exact text.
 *
 * All grids of a document are read as one stream of rows in document order, so a table split into
 * several <table>s, or across PDF pages, reads as one. Each row is a caption (第二十条第（一）项,
 * 三、收到和处理政府信息公开申请情况), a header row (column keywords, no values) or a data row (a
 * row label and values). Header rows before a data row make a header block; its columns resolve to
 * column keys (自然人 → natural, 本年制发件数 → issued, 复议后起诉 + 结果维持 → litigation_after_review.upheld).
 * A data row's label resolves to a row key; the cell at each keyed column is the figure.
 */
import type { Cell, Grid, Problem } from './types.js';
import { parseCell } from './values.js';
import { alignGrid, isOcrGrid } from './align.js';
import { normLabel, remembered, stripNumbering } from './normalize.js';
import { ART20_KEYS, LITIGATION_GROUPS, isAmountKey, type Version } from '../src/keys.js';

/** ART20_KEYS as sets (looked up for every figure of every report). */
const ART20_SETS = { '2021': new Set(ART20_KEYS['2021']), '2019': new Set(ART20_KEYS['2019']) };
import type { FigureSource } from '../src/report.js';

type Section = 't2' | 't3' | 't4';

export interface MappedTables {
  /** The template version the labels show, or null when they do not tell. */
  version: Version | null;
  /** True when （六）其他处理 is printed as one row (key requests.other.<col>). */
  otherAsOneRow: boolean;
  figures: Record<string, number | null>;
  provenance: Record<string, FigureSource>;
  /**
   * Keys whose cell an aligned grid (HTML, PDF, OCR) lacks: a short row, a lost column. They read as
   * blank but were not printed blank. (A text copy's short rows are not counted: copies drop the
   * trailing empty cells of a row, so a cell absent there is taken as printed blank.)
   */
  lost: string[];
  /** Which canonical tables were found (at least one figure read). */
  found: { art20: boolean; requests: boolean; litigation: boolean };
  problems: Problem[];
}

// ---------------------------------------------------------------------------------------------
// Vocabulary

/** Column keywords of the request matrix (table 3), tested in order on one header cell. */
const T3_COLS: [string, RegExp][] = [
  ['subtotal', /小计/],
  ['total', /总计|合计|总数/],
  ['natural', /自然人|公民/],
  ['commercial', /商业|企业/],
  ['research', /科研/],
  ['social', /公益|社会/],
  ['legal', /法律服务|律师|法律/],
  ['other_org', /^(?:\d+[.、]?)?其他(?:组织|法人)?(?:或个人)?$/],
];
/** Column keywords of table 4: the result (leaf) and the group. */
const T4_LEAVES: [string, RegExp][] = [
  ['total', /总计|合计/],
  ['upheld', /维持/],
  ['corrected', /纠正/],
  ['pending', /未审结|尚未|审理中/],
  ['other', /其他/],
];
const T4_GROUPS: [string, RegExp][] = [
  ['litigation_after_review', /复议后/],
  ['litigation_direct', /未经复议|直接起诉/],
  ['review', /行政复议/],
];
/** Column keywords of table 2 (Article 20). Order matters: 上一年项目数量 before 采购项目数量. */
const T2_COLS: [string, RegExp][] = [
  ['prev_items', /上一?年.*项目|上年项目/],
  ['items', /采购项目|项目数/],
  ['amount', /金额/],
  ['decisions', /处理决定|决定数/],
  ['delta', /增\/?减|增减|增加\/?减少/],
  ['issued', /制发/],
  ['repealed', /废止/],
  ['in_force', /现行有效/],
  ['made', /新?制作/],
  ['published', /新公开/],
  ['public_total', /对外公开总|公开总数/],
];
const T2_ROWS: [string, RegExp][] = [
  ['other_services', /对外管理服务/],
  ['rules', /规章/],
  ['normative', /规范性(?:文件|档案)|规范性/],
  ['licensing', /行政许可/],
  ['penalty', /行政处罚/],
  ['coercion', /行政强制/],
  ['fees', /事业性收费|收费/],
  ['procurement', /采购/],
];
/** Row labels of the request matrix. First match wins, tested on the most specific label first. */
const T3_ROWS: [string, RegExp][] = [
  ['carried_forward', /结转下年|下年度继续|转入下年|结转下一年/],
  ['carried_over', /上一?年度?结转/],
  ['new', /新收|本年度?收到|新受理|本年受理/],
  ['partial', /部[分份](?:予以)?公开|部分提供/],
  ['granted', /(?<!不)予[以与]?公开/],
  ['denied.state_secret', /国家秘密/],
  ['denied.law_forbidden', /止公开|禁止/],
  ['denied.three_safety', /三安全|一稳定|三个安全/],
  ['denied.third_party', /第三[方人]/],
  ['denied.internal', /内部事务/],
  ['denied.process', /过程/],
  ['denied.enforcement_file', /执法案卷/],
  ['denied.query', /查询/],
  ['unable.not_held', /不掌握/],
  ['unable.needs_creation', /另行制作|没有现成|无现成/],
  ['unable.unclear', /补正后|不明确/],
  ['not_processed.petition', /信访|举报|投诉/],
  ['not_processed.mass_repeat', /大量|反复/],
  ['not_processed.duplicate', /重复/],
  ['not_processed.publication', /出版物/],
  ['not_processed.confirm', /确认|重新出具/],
  ['other.no_correction', /不补正|逾期未补正/],
  ['other.no_fee', /缴纳费用|收费通知|缴费|交纳费用/],
];
const T3_GROUPS: [string, RegExp][] = [
  ['denied', /不予公开/],
  ['unable', /无法提供/],
  ['not_processed', /不予处理/],
  ['other', /其他处理/],
];
const TOTAL_ROW = /^(?:总计|合计|总数)$/;

/** Keywords that make a row a header row of a section. */
const SECTION_HEADER: [Section, RegExp][] = [
  ['t3', /自然人|商业企业|科研机构|公益组织|社会组织|法律服务机构|申请人情况|法人或其他组织/],
  ['t4', /行政复议|行政诉讼|维持|纠正|其他结果|未审结|审理中|复议后起诉|直接起诉/],
  ['t2', /信息内容|制发件数|废止件数|现行有效|新制作|新公开|对外公开总|上一年项目|增\/?减|处理决定数|收费金额|采购项目|采购总金额/],
];
/** Captions and section headings that switch section (a row with one distinct text). */
const SECTION_CAPTION: [Section, RegExp][] = [
  ['t2', /第二十条|主动公开政府信息情况/],
  ['t3', /收到和处理政府信息公开申请|依申请公开/],
  ['t4', /行政复议.*行政诉讼|复议、?诉讼/],
];

/**
 * The key of the first pattern of `table` that `s` matches. Remembered per table and text (the same
 * labels fill every report; the tables are constants, their patterns stateless).
 */
function firstMatch(table: [string, RegExp][], s: string): string | null {
  let match = matchers.get(table);
  if (match === undefined) {
    match = remembered((t: string) => {
      for (const [k, re] of table) if (re.test(t)) return k;
      return null;
    });
    matchers.set(table, match);
  }
  return match(s);
}
const matchers = new Map<[string, RegExp][], (s: string) => string | null>();

/** `${a}.${b}` for the figure keys (a small vocabulary of constants), built once each. */
function dotted(a: string, b: string): string {
  let m = dottedMemo.get(a);
  if (m === undefined) {
    m = new Map();
    dottedMemo.set(a, m);
  }
  let k = m.get(b);
  if (k === undefined) {
    k = `${a}.${b}`;
    m.set(b, k);
  }
  return k;
}
const dottedMemo = new Map<string, Map<string, string>>();

// ---------------------------------------------------------------------------------------------
// Rows

interface Row {
  grid: Grid;
  index: number;
  cells: Cell[];
  norms: string[];
}

/** A non-empty cell that does not read as a value (a label, a heading, a keyword). */
function isTextCell(raw: string, norm: string): boolean {
  if (norm === '') return false;
  if (UNREAD_FIGURE.test(raw)) return false;
  return parseCell(raw).value === null;
}
/**
 * A figure cell OCR saw ink in but could not read (extractors/ocr/layout.ts marks it with …): a value
 * cell that is unreadable, not a label (it must not move the row's label end or its columns).
 */
const UNREAD_FIGURE = /^[0-9０-９\s.,，+\-−—/\\]*…$/;
const keptCache = new WeakMap<Grid, { width: number; lastFilled: number } | null>();
const NUMBER_CELL_RE = /^[-+]?[0-9０-９][0-9０-９,，.．]*$/;

/**
 * A text copy that kept every blank cell as a field (a tab per cell): every row of the grid has the
 * same number of fields, and no figure stands right of the header's last cell (its 总计 over the last
 * figure column, which may be blank in every row). Then a cell's position is its column, and the figures are the last columns
 * of a row, blank or not; returns the width and that last column. Null for other copies: rows of
 * different lengths, or rows that lost cells and were padded at the end (figures further right than
 * the header), where a row's cells are read in order.
 */
function keptColumns(grid: Grid): { width: number; lastFilled: number } | null {
  if (keptCache.has(grid)) return keptCache.get(grid)!;
  let out: { width: number; lastFilled: number } | null = null;
  const width = grid.rows[0]?.length ?? 0;
  if (width >= 3 && grid.rows.every((r) => r.length === width)) {
    let lastNumber = -1;
    let lastText = -1;
    for (const r of grid.rows) {
      r.forEach((c, i) => {
        const t = c.text.trim();
        if (NUMBER_CELL_RE.test(t)) lastNumber = Math.max(lastNumber, i);
        else if (t !== '') lastText = Math.max(lastText, i);
      });
    }
    if (lastNumber >= 0 && lastNumber <= lastText) out = { width, lastFilled: lastText };
  }
  keptCache.set(grid, out);
  return out;
}

const gapCache = new WeakMap<Grid, boolean>();

/**
 * A text copy that kept every blank cell as a field and puts one empty label column between a row's
 * label and its figures (a Word table whose label cells span one column more than the copy shows):
 * every row has the same number of fields, in every row with figures the field right after the last
 * label is empty and no figure stands left of it, and that gap is not one fixed column (rows with one,
 * two and three label cells all have it), so it belongs to the label, not to a blank figure column.
 * The figures then start one field after the gap, blank or not, whatever the header's positions.
 */
function gappedColumns(grid: Grid): boolean {
  const hit = gapCache.get(grid);
  if (hit !== undefined) return hit;
  let out = false;
  const width = grid.rows[0]?.length ?? 0;
  if (width >= 3 && grid.rows.every((r) => r.length === width)) {
    const gaps = new Set<number>();
    let dataRows = 0;
    out = true;
    for (const r of grid.rows) {
      let lastText = -1;
      let firstNumber = -1;
      r.forEach((c, i) => {
        const t = c.text.trim();
        if (NUMBER_CELL_RE.test(t)) {
          if (firstNumber < 0) firstNumber = i;
        } else if (t !== '' && firstNumber < 0) lastText = i;
      });
      if (firstNumber < 0) continue;
      dataRows++;
      if (lastText < 0 || firstNumber <= lastText + 1 || r[lastText + 1].text.trim() !== '') {
        out = false;
        break;
      }
      gaps.add(lastText + 1);
    }
    out = out && dataRows >= 2 && gaps.size >= 2;
  }
  gapCache.set(grid, out);
  return out;
}

function hasValue(raw: string): boolean {
  const r = parseCell(raw);
  return r.value !== null && raw.trim() !== '';
}

interface ColumnKey {
  /** For t3: natural…total, subtotal. For t4: `${group}.${leaf}` or a partial (leaf only / group only). For t2: issued, made… */
  leaf: string | null;
  group: string | null;
  label: string;
  /** The amount unit a header names (元 → converted to 万元). */
  unit?: '元' | '万元';
  /** The leaf was not read from the header (cut, unreadable) but is the one its place in the template gives. */
  inferred?: boolean;
}

interface ColumnMap {
  section: Section;
  grid: Grid;
  width: number;
  /** Column index → key, for aligned grids. */
  byIndex: Map<number, ColumnKey>;
  /** Keyed columns in order, for unaligned grids and continuations. */
  ordered: { index: number; key: ColumnKey }[];
  firstKeyed: number;
}

/** Header rows of an unaligned grid lost their colspans: a header cell extends over the empty cells to its right. */
function fillRight(cells: { text: string; spanned: boolean }[], width: number): { text: string; spanned: boolean }[] {
  const out = cells.map((c) => ({ ...c }));
  while (out.length < width) out.push({ text: '', spanned: false });
  let last: string | null = null;
  for (const c of out) {
    if (c.text !== '') last = c.text;
    else if (last !== null) {
      c.text = last;
      c.spanned = true;
    }
  }
  return out;
}

const T3_ORDER = ['natural', 'commercial', 'research', 'social', 'legal', 'other_org', 'subtotal', 'total'];
const T4_LEAF_ORDER = ['upheld', 'corrected', 'other', 'pending', 'total'];
const T4_LEAF_LABEL: Record<string, string> = { upheld: '结果维持', corrected: '结果纠正', other: '其他结果', pending: '尚未审结', total: '总计' };
const T4_GROUP_LABEL: Record<string, string> = {
  review: '行政复议',
  litigation_direct: '未经复议直接起诉',
  litigation_after_review: '复议后起诉',
};

/**
 * The columns of a text copy's request table or table 4. A copy keeps each row's cells in order but
 * loses the colspans and rowspans that place a header cell over its column, so positions across header
 * rows mean nothing (a space-separated copy shows 自然人 and 商业企业 both as a row's first cell). The
 * template's column order is the truth there: the columns the header names, in template order.
 */
function templateColumns(section: 't3' | 't4', header: Row[], grid: Grid): ColumnMap | null {
  const cells = header.flatMap((r) => r.cells.map((c, i) => ({ raw: c.text.trim(), norm: r.norms[i] }))).filter((c) => c.norm !== '');
  const ordered: { index: number; key: ColumnKey }[] = [];
  if (section === 't3') {
    const found = new Map<string, string>();
    for (const c of cells) {
      const leaf = firstMatch(T3_COLS, c.norm.replace(/法人或其他组织|申请人情况/g, ''));
      if (leaf && !found.has(leaf)) found.set(leaf, c.raw);
    }
    for (const leaf of T3_ORDER) {
      if (found.has(leaf)) ordered.push({ index: ordered.length, key: { leaf, group: null, label: found.get(leaf)! } });
    }
  } else {
    const leaves = new Map<string, string>();
    const groups = new Set<string>();
    for (const c of cells) {
      const g = firstMatch(T4_GROUPS, c.norm);
      if (g) groups.add(g);
      else {
        const l = firstMatch(T4_LEAVES, c.norm);
        if (l && !leaves.has(l)) leaves.set(l, c.raw);
      }
    }
    const leafList = T4_LEAF_ORDER.filter((l) => leaves.has(l));
    // one row of fifteen under three groups, or five columns whose group each row's label names
    const groupList = groups.size >= 2 ? LITIGATION_GROUPS : [null];
    for (const g of groupList) {
      for (const l of leafList) {
        const label = g ? `${T4_GROUP_LABEL[g]} / ${leaves.get(l)}` : leaves.get(l)!;
        ordered.push({ index: ordered.length, key: { leaf: l, group: g, label } });
      }
    }
  }
  if (ordered.length === 0) return null;
  return { section, grid, width: -1, byIndex: new Map(ordered.map((o) => [o.index, o.key])), ordered, firstKeyed: 0 };
}

function resolveColumns(section: Section, header: Row[]): ColumnMap | null {
  if (header.length === 0) return null;
  const grid = header[header.length - 1].grid;
  if (!grid.aligned && section !== 't2') return templateColumns(section, header, grid);
  const width = Math.max(...header.map((r) => r.cells.length));
  const rows = header.map((r) => {
    const cells = r.cells.map((c, i) => ({ text: r.norms[i], raw: c.text, spanned: !!c.spanned }));
    if (r.grid.aligned) return cells;
    // the raw text follows the fill, so a column's label names the header cell that covers it
    const filled = fillRight(cells.map((c) => ({ text: c.raw.trim(), spanned: c.spanned })), width);
    return filled.map((c) => ({ text: normLabel(c.text), raw: c.text, spanned: c.spanned }));
  });
  const byIndex = new Map<number, ColumnKey>();
  const claimed = new Set<string>();
  const pending: { index: number; key: ColumnKey; fromSpan: boolean }[] = [];
  for (let c = 0; c < width; c++) {
    const col = rows.map((r) => r[c]).filter((x): x is { text: string; raw: string; spanned: boolean } => !!x && x.text !== '');
    if (col.length === 0) continue;
    const label = dedupe(col.map((x) => x.raw)).join(' / ');
    const path = col.map((x) => x.text).join('');
    let leaf: string | null = null;
    let fromSpan = false;
    let group: string | null = null;
    const leafTable = section === 't3' ? T3_COLS : section === 't4' ? T4_LEAVES : T2_COLS;
    // the leaf from the lowest cell that names one: the cells this column owns first, then spanned ones
    for (const pass of [false, true]) {
      for (let i = col.length - 1; i >= 0 && leaf === null; i--) {
        if (col[i].spanned !== pass) continue;
        let t = col[i].text;
        if (section === 't3') t = t.replace(/法人或其他组织|申请人情况/g, '');
        if (t === '') continue;
        leaf = firstMatch(leafTable, t);
        if (leaf !== null) fromSpan = pass;
      }
      if (leaf !== null) break;
    }
    if (section === 't4') group = firstMatch(T4_GROUPS, path);
    if (leaf === null && group === null) continue;
    let unit: '元' | '万元' | undefined;
    if (section === 't2' && leaf === 'amount') unit = /万元/.test(path) ? '万元' : /(?:^|[(（:：额])元/.test(path) ? '元' : undefined;
    const key: ColumnKey = { leaf, group, label, unit };
    pending.push({ index: c, key, fromSpan });
  }
  if (section === 't4') inferT4Leaves(pending.map((p) => p.key));
  // a leaf read only from a spanned cell never takes a key another column owns
  for (const p of pending) {
    const id = `${p.key.group ?? ''}.${p.key.leaf ?? ''}`;
    if (!p.fromSpan) claimed.add(id);
  }
  for (const p of pending) {
    const id = `${p.key.group ?? ''}.${p.key.leaf ?? ''}`;
    if (p.fromSpan && claimed.has(id)) continue;
    if (p.fromSpan) claimed.add(id);
    byIndex.set(p.index, p.key);
  }
  if (byIndex.size === 0) return null;
  const ordered = [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([index, key]) => ({ index, key }));
  return { section, grid, width, byIndex, ordered, firstKeyed: ordered[0].index };
}

/**
 * A table 4 group whose five columns are all there, four of them with their result read and one
 * unreadable (an OCR'd header cut by the picture's edge: 总…): that one is the result the template
 * puts at its place, marked `inferred` (its figure is then read, or named unreadable, at its cell).
 */
function inferT4Leaves(keys: ColumnKey[]): void {
  for (const g of LITIGATION_GROUPS) {
    const cols = keys.filter((k) => k.group === g);
    if (cols.length !== T4_LEAF_ORDER.length) continue;
    const blank = cols.filter((k) => k.leaf === null);
    if (blank.length !== 1) continue;
    const at = cols.indexOf(blank[0]);
    if (cols.every((k, i) => i === at || k.leaf === T4_LEAF_ORDER[i])) {
      blank[0].leaf = T4_LEAF_ORDER[at];
      blank[0].inferred = true;
    }
  }
}

/**
 * normLabel of a cell's text, with figures (12, 3.5, -: printable ASCII, no quotes) passed through
 * unchanged without a look-up: NFKC, the traditional table and the space and quote steps leave them as
 * they are. Most cells are figures.
 */
function normCell(t: string): string {
  if (t.length > 16) return normLabel(t);
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c < 0x21 || c > 0x7e || c === 0x22 || c === 0x27 || c === 0x60) return normLabel(t);
  }
  return t;
}

/**
 * An amount (万元) this large (100 亿元) is no agency's fees or procurement for a year: the unit was lost
 * (73802895.90元 read as 73802895.90 under a 万元 header) or a digit misread. Named, never silent.
 */
const IMPLAUSIBLE_AMOUNT = 1_000_000;
const round2 = (v: number) => Math.round(v * 1e6) / 1e6;

const NO_UNIT = Object.freeze({});
const UNIT_OPTS = { 元: Object.freeze({ unit: '元' as const }), 万元: Object.freeze({ unit: '万元' as const }) };

/** The distinct non-empty strings of xs[0..end), in order. */
function dedupe(xs: string[], end = xs.length): string[] {
  const out: string[] = [];
  for (let i = 0, n = Math.min(end, xs.length); i < n; i++) {
    const x = xs[i];
    if (x !== '' && out[out.length - 1] !== x && !out.includes(x)) out.push(x);
  }
  return out;
}

/** A row's label as printed: its distinct non-empty label cells (cells[0..end)) joined by " / ". */
function labelOf(cells: Cell[], end: number): string {
  let first: string | undefined;
  let parts: string[] | undefined;
  for (let i = 0; i < end; i++) {
    const t = cells[i].text.trim();
    if (t === '' || t === first) continue;
    if (first === undefined) first = t;
    else if (parts === undefined) parts = [first, t];
    else if (!parts.includes(t)) parts.push(t);
  }
  return parts ? parts.join(' / ') : (first ?? '');
}

/** How many keyed columns (in column order) lie within a row of `n` cells. */
function keyedWithin(ordered: { index: number }[], n: number): number {
  let j = 0;
  while (j < ordered.length && ordered[j].index < n) j++;
  return j;
}

// ---------------------------------------------------------------------------------------------
// The mapper

export function mapGrids(grids: Grid[]): MappedTables {
  const figures: Record<string, number | null> = {};
  const provenance: Record<string, FigureSource> = {};
  const problems: Problem[] = [];
  const evidence = { v2021: 0, v2019: 0, otherOneRow: false, otherSplit: false };
  let section: Section | null = null;
  let header: Row[] = [];
  let headerOpen = false; // the last row was a header row: the next header row extends the block
  const maps: Partial<Record<Section, ColumnMap>> = {};
  let group: string | null = null; // t3 group context: denied, unable, not_processed, other
  const missingByGrid = new Map<number, number>();
  const lost: string[] = [];
  /** Figures printed twice with different values, by canonical table: one problem per table at the end. */
  const duplicates = new Map<number, { key: string; first: number | null; again: number | null; where: string }[]>();

  /** The current row's figures outside the header's columns (OCR): its blank cells are doubtful. */
  let doubtBlank: string | null = null;
  const ocrGrids = new Map<Grid, boolean>();
  const canonicalTable = (s: Section): number => (s === 't2' ? 2 : s === 't3' ? 3 : 4);
  const placeOf = (section: Section, rowLabel: string, colLabel: string, where: Cell['where']) =>
    `table ${canonicalTable(section)}, row ${rowLabel || '(none)'}, column ${colLabel}${describeWhere(where)}`;
  /** The keys of `figures` (a look-up in a Set is cheaper than `in` on an object of ~200 keys). */
  const has = new Set<string>();

  const setFigure = (
    key: string,
    cell: Cell | undefined,
    grid: Grid,
    section: Section,
    rowLabel: string,
    colLabel: string,
    rowCells: Cell[],
    unit?: '元' | '万元',
  ) => {
    const text = cell?.text ?? '';
    let parsed = parseCell(text, unit === undefined ? NO_UNIT : UNIT_OPTS[unit]);
    if (parsed.blank && text.trim() === '' && doubtBlank !== null) {
      parsed = { value: null, blank: false, reason: `the cell is blank while the row has figures under no column of the header (${doubtBlank}): one of them may be this cell's` };
    }
    const amount = isAmountKey(key);
    if (!amount && parsed.value !== null && !Number.isInteger(parsed.value)) {
      // a count is whole: 1.282 is a misreading (of 1,282 or 1282), never stored as a figure
      parsed = { value: null, blank: false, reason: `a count cannot have a decimal point: a misreading${/^\s*\d{1,3}[.．]\d{3}\s*$/.test(text) ? ' (of a thousands separator?)' : ''}` };
    }
    // a cell the document lost (a short row) is placed at its row
    const rowWhere = rowCells[0]?.where;
    const where = cell?.where ?? (rowWhere ? { ...rowWhere, col: undefined } : { table: grid.index });
    if (where.col === undefined) delete where.col;
    if (has.has(key)) {
      const prev = figures[key];
      if (prev !== parsed.value) {
        const t = canonicalTable(section);
        const list = duplicates.get(t) ?? [];
        list.push({ key, first: prev, again: parsed.value, where: placeOf(section, rowLabel, colLabel, where) });
        duplicates.set(t, list);
      }
      return;
    }
    if (amount && parsed.value !== null && Math.abs(parsed.value) >= IMPLAUSIBLE_AMOUNT) {
      problems.push({
        code: 'amount_implausible',
        message:
          `the amount "${text}" reads as ${parsed.value} 万元 (${round2(parsed.value / 10000)} 亿元), more than any agency's fees or procurement` +
          (/[元圆]/.test(text) ? '' : `; if it is printed in 元 it is ${round2(parsed.value / 10000)} 万元`) +
          ': the unit was probably lost or misread',
        where: placeOf(section, rowLabel, colLabel, where),
      });
    }
    if (parsed.value === null) {
      problems.push({ code: 'cell_unreadable', message: `cannot read "${text}" as a number (${parsed.reason})`, where: placeOf(section, rowLabel, colLabel, where) });
    } else if (!cell) {
      missingByGrid.set(grid.index, (missingByGrid.get(grid.index) ?? 0) + 1);
      if (grid.aligned) lost.push(key);
    }
    figures[key] = parsed.value;
    has.add(key);
    provenance[key] = {
      text,
      blank: parsed.blank,
      table: canonicalTable(section),
      grid: grid.index,
      row_label: rowLabel,
      col_label: colLabel,
      where,
    };
    // a cell read by OCR: its confidence goes with it (the auditor sees which figures came from images)
    if (cell?.confidence !== undefined) {
      provenance[key].ocr = true;
      provenance[key].confidence = cell.confidence;
    }
  };

  const rows: Row[] = [];
  for (const grid of grids) {
    if (grid.caption) {
      const capCell: Cell = { text: grid.caption, where: { ...grid.where } };
      rows.push({ grid, index: -1, cells: [capCell], norms: [normLabel(grid.caption)] });
    }
    grid.rows.forEach((cells, index) => rows.push({ grid, index, cells, norms: cells.map((c) => normCell(c.text)) }));
  }

  // OCR'd grids: labels that match nothing, aligned against the template's order (the printed text stays)
  for (const grid of grids) {
    if (!isOcrGrid(grid)) continue;
    const own = rows.filter((r) => r.grid === grid && r.index >= 0);
    const aligned = alignGrid(grid, own.map((r) => r.norms), knownLabel, (c, n) => isTextCell(c.text, n));
    if (!aligned.replace.size) continue;
    for (const r of own) r.norms = r.norms.map((n) => aligned.replace.get(n) ?? n);
    problems.push(...aligned.problems);
  }

  for (const row of rows) {
    const { cells, norms } = row;
    const texts = dedupe(norms);
    if (texts.length === 0) continue;
    // cells that read as values, and the label-like ones (how many, the last)
    let valueCells = 0;
    let textCells = 0;
    let lastText = -1;
    for (let i = 0; i < cells.length; i++) {
      const t = cells[i].text;
      if (hasValue(t)) valueCells++;
      if (isTextCell(t, norms[i])) {
        textCells++;
        lastText = i;
      }
    }

    // captions and section headings: one distinct text, no values (第二十条第（一）项, 四、…行政复议、行政诉讼情况)
    if (valueCells === 0 && texts.length === 1) {
      const cap = firstMatch(SECTION_CAPTION as [string, RegExp][], texts[0]) as Section | null;
      if (cap && (texts[0].length > 8 || /第二十条/.test(texts[0]))) {
        section = cap;
        header = [];
        headerOpen = false;
        if (cap === 't3') group = null;
        continue;
      }
    }

    // header rows: section keywords and no values
    if (valueCells === 0) {
      const sec = headerSection(texts);
      // a row whose only keyword is its first cell (行政复议 | | | |) is a data row printed blank once columns are known
      let labelOnly = false;
      if (sec) {
        const re = SECTION_HEADER.find(([s]) => s === sec)![1];
        let hits = 0;
        for (const n of norms) if (n !== '' && re.test(n)) hits++;
        labelOnly = hits === 1 && textCells === 1;
      }
      if (sec && !(labelOnly && sec === section && !headerOpen && maps[sec])) {
        if (!headerOpen || sec !== section) header = [];
        section = sec;
        header.push(row);
        headerOpen = true;
        continue;
      }
    }

    if (section === null) {
      // a data row before any header: does its label say where we are?
      const guess = guessSectionFromLabel(texts);
      if (!guess) continue;
      section = guess;
    }

    // a data row: resolve the header block above it
    if (headerOpen) {
      const m = resolveColumns(section, header);
      if (m) maps[section] = m;
      for (const { key } of m?.ordered ?? []) {
        if (!key.inferred) continue;
        problems.push({
          code: 'header_unreadable',
          message: `the header "${key.label}" does not name its column; by its place among the template's five columns of ${T4_GROUP_LABEL[key.group!]} it is ${T4_LEAF_LABEL[key.leaf!]}`,
          where: `table ${canonicalTable(section)}, column ${key.label}${describeWhere(header[header.length - 1].cells[0]?.where)}`,
        });
      }
      headerOpen = false;
    }
    const map = maps[section];
    if (!map) {
      // e.g. a table 2 row before its header: try another section the label fits
      const guess = guessSectionFromLabel(texts);
      if (guess && guess !== section && maps[guess]) section = guess;
      else continue;
    }
    const cmap = maps[section]!;

    // which cells are labels and which are values
    let positional = row.grid.aligned && (row.grid === cmap.grid || cells.length === cmap.width);
    if (positional) {
      // a miscounted rowspan (a row deleted in Word, an editor's slip) shifts a row's cells: a value
      // left of the data columns, or a label inside them. When the cells after the label are exactly
      // one per column, they are the row's values in order.
      let shifted = false;
      for (let i = 0; i < cells.length && !shifted; i++) {
        const c = cells[i];
        shifted = i < cmap.firstKeyed ? !c.spanned && hasValue(c.text) : isTextCell(c.text, norms[i]);
      }
      if (shifted && cells.length - (lastText + 1) === cmap.ordered.length) {
        positional = false;
        problems.push({
          code: 'row_misaligned',
          message: `the row's cells do not sit under the header's columns (a rowspan or colspan miscounted); its ${cmap.ordered.length} values are read in column order`,
          where: `table ${canonicalTable(section)}${describeWhere(cells[0]?.where)}`,
        });
      }
    }
    let labelEnd: number; // cells[0..labelEnd) are the row's label cells
    if (positional) labelEnd = Math.min(cmap.firstKeyed, cells.length);
    else labelEnd = lastText + 1;
    const rowLabel = labelOf(cells, labelEnd);

    // section switches on a row label that belongs elsewhere (a continuation with no header)
    let sec: Section = section;
    const rk = rowKeyOf(sec, row, labelEnd, group);
    if (rk === null && sec !== 't4') {
      const other = guessSectionFromLabel(dedupe(norms, labelEnd));
      if (other && other !== sec && maps[other]) sec = other;
    }
    const m = maps[sec]!;
    const rowKey: RowKey | null = sec === section ? rk : rowKeyOf(sec, row, labelEnd, group);
    section = sec;
    if (sec === 't3' && rowKey?.group !== undefined) group = rowKey.group;

    // value cells for the keyed columns: the j-th keyed column's cell is cells[m.ordered[j].index]
    // (byIndex: columns past the row's end are left out), else cells[from + j] while from + j < to
    const byIndex = positional && m === cmap;
    let from = 0;
    let to = 0;
    if (!byIndex) {
      from = labelEnd;
      to = cells.length;
      const kept = row.grid.aligned || m.section === 't2' ? null : keptColumns(row.grid);
      const first = kept ? kept.lastFilled + 1 - m.ordered.length : -1;
      if (kept && cells.length === kept.width && first >= 0 && labelEnd <= first) {
        // a copy that keeps every blank cell: the figures are the last columns, blank or not
        from = first;
        to = kept.lastFilled + 1;
      } else if (!row.grid.aligned && m.section !== 't2' && labelEnd < cells.length && cells[labelEnd].text.trim() === '' && gappedColumns(row.grid)) {
        // a copy with an empty label column before the figures: they start one field after the label
        from = labelEnd + 1;
        to = Math.min(cells.length, from + m.ordered.length);
      } else if (!row.grid.aligned) {
        while (from < to && cells[from].text.trim() === '') from++;
        while (from < to && cells[to - 1].text.trim() === '') to--;
      } else if (to - from > m.ordered.length) {
        from = to - m.ordered.length;
      }
      if (to - from > m.ordered.length) {
        problems.push({
          code: 'row_extra_cells',
          message: `row has ${to - from} value cells for ${m.ordered.length} columns; the extra cells are ignored`,
          where: `table ${canonicalTable(sec)}, row ${rowLabel}${describeWhere(cells[0]?.where)}`,
        });
      }
    }
    /** How many keyed columns have a place in this row, and the j-th one's cell (undefined: absent). */
    const columns = byIndex ? keyedWithin(m.ordered, cells.length) : m.ordered.length;
    const cellOf = (j: number): Cell | undefined => (byIndex ? cells[m.ordered[j].index] : from + j < to ? cells[from + j] : undefined);
    // a row read by OCR with figures in cells no column of the header takes (a table ruled from its
    // text's positions, cut differently from its header): a blank in a keyed column may be where
    // such a figure belongs, so it is not read as 0
    doubtBlank = null;
    let ocrGrid = ocrGrids.get(row.grid);
    if (ocrGrid === undefined) ocrGrids.set(row.grid, (ocrGrid = isOcrGrid(row.grid)));
    if (ocrGrid) {
      const used = new Set<number>();
      for (let j = 0; j < columns; j++) used.add(byIndex ? m.ordered[j].index : from + j);
      const stray = cells.filter((c, i) => i >= labelEnd && !used.has(i) && !c.spanned && c.text.trim() !== '' && hasValue(c.text));
      if (stray.length) doubtBlank = stray.map((c) => c.text.trim()).join(', ');
    }

    if (sec === 't3') {
      if (!rowKey || rowKey.key === null) {
        let anyValue = false;
        for (let j = 0; j < columns && !anyValue; j++) {
          const cell = cellOf(j);
          anyValue = cell !== undefined && hasValue(cell.text);
        }
        if (anyValue && !isGroupOnly(row, labelEnd)) {
          problems.push({
            code: 'row_unrecognised',
            message: `a row of the request table whose label was not recognised: "${rowLabel}"`,
            where: `table 3${describeWhere(cells[0]?.where)}`,
          });
        }
        continue;
      }
      if (rowKey.key === 'other') {
        // （六）其他处理 printed beside its three rows is their subtotal, not a row of the matrix
        if (evidence.otherSplit) continue;
        evidence.otherOneRow = true;
      }
      if (rowKey.key.startsWith('other.') && !evidence.otherSplit) {
        evidence.otherSplit = true;
        if (evidence.otherOneRow) {
          for (const k of Object.keys(figures)) {
            if (/^requests\.other\.[a-z_]+$/.test(k)) {
              delete figures[k];
              delete provenance[k];
              has.delete(k);
            }
          }
          evidence.otherOneRow = false;
          problems.push({
            code: 'subtotal_row',
            message: 'the （六）其他处理 row printed above its three rows is their subtotal: its figures are not kept',
            where: `table 3${describeWhere(cells[0]?.where)}`,
          });
        }
      }
      const rowPrefix = dotted('requests', rowKey.key);
      for (let j = 0; j < columns; j++) {
        const key = m.ordered[j].key;
        if (!key.leaf || key.leaf === 'subtotal') continue;
        setFigure(dotted(rowPrefix, key.leaf), cellOf(j), row.grid, 't3', rowLabel, key.label, cells);
      }
    } else if (sec === 't4') {
      const rowGroup = firstMatch(T4_GROUPS, normLabel(rowLabel));
      const rowLeaf = rowLabel ? firstMatch(T4_LEAVES, stripNumbering(normLabel(cells[labelEnd - 1]?.text ?? ''))) : null;
      for (let j = 0; j < columns; j++) {
        const key = m.ordered[j].key;
        const g = key.group ?? rowGroup;
        const l = key.leaf ?? rowLeaf;
        if (!g || !l) continue;
        setFigure(dotted(g, l), cellOf(j), row.grid, 't4', rowLabel, key.label, cells);
      }
    } else {
      const r = rowKey?.key;
      if (!r) continue;
      const misfits: string[] = [];
      const rowPrefix = dotted('art20', r);
      for (let j = 0; j < columns; j++) {
        const key = m.ordered[j].key;
        if (!key.leaf) continue;
        const cell = cellOf(j);
        const k = dotted(rowPrefix, key.leaf);
        const in2021 = ART20_SETS['2021'].has(k);
        const in2019 = ART20_SETS['2019'].has(k);
        if (!in2021 && !in2019) {
          if (cell && hasValue(cell.text)) misfits.push(key.label);
          continue;
        }
        if (in2021 && !in2019) evidence.v2021++;
        if (in2019 && !in2021) evidence.v2019++;
        setFigure(k, cell, row.grid, 't2', rowLabel, key.label, cells, key.unit);
      }
      if (misfits.length) {
        // e.g. 行政事业性收费 printed with no header of its own, under the 处理决定数量 of the table above
        problems.push({
          code: 'row_unrecognised',
          message: `table 2 row "${rowLabel}" has figures under columns that do not fit it (${misfits.join(', ')}); they are not read`,
          where: `table 2${describeWhere(cells[0]?.where)}`,
        });
      }
    }
  }

  for (const [t, list] of duplicates) {
    const shown = list.slice(0, 5).map((d) => `${d.key} ${d.first} then ${d.again}`).join('; ');
    problems.push({
      code: 'duplicate_cell',
      message:
        `${list.length} figure(s) of table ${t} are printed again with other values (${shown}${list.length > 5 ? '; …' : ''}); ` +
        'the first of each is kept. The page may hold a second copy of the tables or another year\'s report.',
      where: list[0].where,
    });
  }

  for (const [gi, n] of missingByGrid) {
    problems.push({
      code: 'cell_missing',
      message: `${n} cells of table ${gi} were missing from the document (rows shorter than the header); they read as blank`,
      where: `table ${gi}`,
    });
  }

  let version: Version | null = null;
  if (evidence.v2021 > evidence.v2019) version = '2021';
  else if (evidence.v2019 > evidence.v2021) version = '2019';
  else if (evidence.otherSplit) version = '2021';
  if (version === '2019' && evidence.otherSplit) {
    problems.push({
      code: 'mixed_template',
      message: 'table 2 follows the 2019 template but table 3 splits （六）其他处理 as the 2021 template does',
    });
  }
  // 2019-template figures under a 2021 heading or the reverse
  if (version) {
    const foreign = Object.keys(figures).filter(
      (k) => k.startsWith('art20.') && !ART20_SETS[version!].has(k),
    );
    if (foreign.length) {
      problems.push({
        code: 'mixed_template',
        message: `figures of the other template version were read: ${foreign.join(', ')}`,
      });
    }
  }
  const keys = Object.keys(figures);
  return {
    version,
    otherAsOneRow: evidence.otherOneRow && !evidence.otherSplit,
    figures,
    provenance,
    lost,
    found: {
      art20: keys.some((k) => k.startsWith('art20.')),
      requests: keys.some((k) => k.startsWith('requests.')),
      litigation: keys.some((k) => !k.startsWith('art20.') && !k.startsWith('requests.')),
    },
    problems,
  };
}

function describeWhere(w: Grid['where'] | undefined): string {
  if (!w) return '';
  if (w.page !== undefined) return ` (page ${w.page})`;
  if (w.line !== undefined) return ` (line ${w.line})`;
  if (w.domPath) return ` (${w.domPath})`;
  return '';
}

/** A label the mapper recognises as it is (a row, group, column or section word of any table). */
const knownLabel = remembered((norm: string): boolean => {
  const t = stripNumbering(norm);
  if (TOTAL_ROW.test(t) || /^(?:信息内容|本年度办理结果|申请人情况|法人或其他组织|行政诉讼)$/.test(t)) return true;
  // row labels and captions, matched on the whole label (or each part of a label path)
  const rowTables: [string, RegExp][][] = [T3_ROWS, T3_GROUPS, T2_ROWS, SECTION_CAPTION];
  for (const part of labelParts(norm)) {
    const p = stripNumbering(part);
    for (const table of rowTables) if (firstMatch(table, p) !== null) return true;
  }
  // column words: short header cells only (a long label holding 其他 or 维持 is no column header)
  if ([...t].length > 12) return false;
  for (const table of [T3_COLS, T4_LEAVES, T4_GROUPS, T2_COLS]) if (firstMatch(table, t) !== null) return true;
  return false;
});

function headerSection(texts: string[]): Section | null {
  const score: Record<Section, number> = { t2: 0, t3: 0, t4: 0 };
  for (const t of texts) for (const [s, re] of SECTION_HEADER) if (re.test(t)) score[s]++;
  const best = (Object.keys(score) as Section[]).sort((a, b) => score[b] - score[a])[0];
  return score[best] > 0 ? best : null;
}

function guessSectionFromLabel(texts: string[]): Section | null {
  for (const t of texts) {
    const s = stripNumbering(t);
    if (firstMatch(T3_ROWS, s) || firstMatch(T3_GROUPS, s)) return 't3';
    if (firstMatch(T2_ROWS, s)) return 't2';
    if (firstMatch(T4_GROUPS, s)) return 't4';
  }
  return null;
}

/** A row whose only label is a group heading, e.g. （三）不予公开 printed as a subtotal row. */
function isGroupOnly(row: Row, labelEnd: number): boolean {
  const labels = dedupe(row.norms, labelEnd).map(stripNumbering);
  return labels.length > 0 && labels.every((l) => firstMatch(T3_GROUPS, l) !== null || /办理结果/.test(l));
}

interface RowKey {
  key: string | null;
  group?: string | null;
}

/** The row key of a data row in a section, from its label cells (most specific first). */
/**
 * A label cell may hold a whole path (三、本年度办理结果（六）其他处理 3.其他): its parts, split before
 * each inner outline number, most general first. Remembered: the arrays are shared, never changed by their callers.
 */
const labelParts = remembered((label: string): string[] =>
  label.split(/(?=\([一二三四五六七八九十]+\))|(?<=.)(?<![\d.])(?=\d+[.、](?!\d))/).filter(Boolean),
);

function rowKeyOf(section: Section, row: Row, labelEnd: number, group: string | null): RowKey | null {
  if (section === 't4') return null;
  const cellLabels = dedupe(row.norms, labelEnd);
  const labels = section === 't3' ? cellLabels.flatMap(labelParts) : cellLabels;
  if (labels.length === 0) return null;
  if (section === 't2') {
    for (let i = labels.length - 1; i >= 0; i--) {
      const k = firstMatch(T2_ROWS, stripNumbering(labels[i]));
      if (k) return { key: k };
    }
    return null;
  }
  // t3: the group context from any label cell that names one
  let g = group;
  let sawGroup = false;
  for (const l of labels) {
    const gg = firstMatch(T3_GROUPS, stripNumbering(l));
    if (gg) {
      g = gg;
      sawGroup = true;
    }
  }
  // a row-level label (一、二、四、（七）) resets the group
  for (let i = labels.length - 1; i >= 0; i--) {
    const l = stripNumbering(labels[i]);
    if (TOTAL_ROW.test(l)) return { key: 'total', group: null };
    const k = firstMatch(T3_ROWS, l);
    if (k) {
      const top = k === 'new' || k === 'carried_over' || k === 'carried_forward';
      return { key: k, group: top ? null : k.includes('.') ? k.split('.')[0] : g };
    }
    if (/^其他$/.test(l) && g === 'other') return { key: 'other.other', group: g };
    const gg = firstMatch(T3_GROUPS, l);
    if (gg) {
      // the most specific label is a group heading: （六）其他处理 as one row is a figure row
      if (gg === 'other') return { key: 'other', group: 'other' };
      return { key: null, group: gg };
    }
  }
  return sawGroup ? { key: null, group: g } : null;
}
