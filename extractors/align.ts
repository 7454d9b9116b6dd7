/**
 * OCR'd labels matched by the template, not by exact text (issue 17 item 6).
 *
 * A table picture read by OCR gives labels with misread, missing or extra characters (太年度办理结昊
 * for 本年度办理结果, 总T for 总计, 郑研对，沟 for 科研机构). The template prints its labels in a known
 * order, so the labels of an OCR'd grid, in reading order, are aligned against that order: a label
 * that matches nothing takes the template label whose place its recognised neighbours leave open
 * (the one label between them, or the run of labels between them when as many are unrecognised), or,
 * wherever it stands, a template label within a small edit distance with no close rival.
 *
 * Only the matching form (`norms`) of the grid's cells changes: the printed text stays as read, for
 * the report's labels and provenance, and every aligned label is named in a `label_aligned` problem
 * (the alignment's doubt). Grids not read by OCR are never touched.
 */
import type { Cell, Grid, Problem } from './types.js';
import { normLabel, stripNumbering } from './normalize.js';

/** The template's labels in reading order, per table: row labels and header cells as they come row by row. */
const ORDERS: string[][] = [
  // table 2, both templates (2019's rows and columns where they differ, in their place)
  [
    '第二十条第(一)项', '信息内容', '本年新制作数量', '本年新公开数量', '对外公开总数量', '本年制发件数', '本年废止件数', '现行有效件数',
    '规章', '规范性文件', '第二十条第(五)项', '信息内容', '上一年项目数量', '本年增/减', '本年处理决定数量', '行政许可',
    '其他对外管理服务事项', '第二十条第(六)项', '信息内容', '上一年项目数量', '本年增/减', '本年处理决定数量', '行政处罚', '行政强制',
    '第二十条第(八)项', '信息内容', '上一年项目数量', '本年增/减', '本年收费金额(单位:万元)', '行政事业性收费', '第二十条第(九)项',
    '信息内容', '采购项目数量', '采购总金额', '政府集中采购',
  ],
  // table 3
  [
    '申请人情况', '自然人', '法人或其他组织', '总计', '商业企业', '科研机构', '社会公益组织', '法律服务机构', '其他',
    '一、本年新收政府信息公开申请数量', '二、上年结转政府信息公开申请数量', '三、本年度办理结果', '(一)予以公开',
    '(二)部分公开(区分处理的,只计这一情形,不计其他情形)', '(三)不予公开', '1.属于国家秘密', '2.其他法律行政法规禁止公开',
    '3.危及三安全一稳定', '4.保护第三方合法权益', '5.属于三类内部事务信息', '6.属于四类过程性信息', '7.属于行政执法案卷',
    '8.属于行政查询事项', '(四)无法提供', '1.本机关不掌握相关政府信息', '2.没有现成信息需要另行制作', '3.补正后申请内容仍不明确',
    '(五)不予处理', '1.信访举报投诉类申请', '2.重复申请', '3.要求提供公开出版物', '4.无正当理由大量反复申请',
    '5.要求行政机关确认或重新出具已获取信息', '(六)其他处理', '1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请',
    '2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请', '3.其他', '(七)总计', '四、结转下年度继续办理',
  ],
  // table 4
  [
    '行政复议', '行政诉讼', '结果维持', '结果纠正', '其他结果', '尚未审结', '总计', '未经复议直接起诉', '复议后起诉',
    '结果维持', '结果纠正', '其他结果', '尚未审结', '总计', '结果维持', '结果纠正', '其他结果', '尚未审结', '总计',
  ],
];

/** The comparable form: no outline numbering, no punctuation or spaces. */
function core(s: string): string {
  return stripNumbering(normLabel(s)).replace(/[\s\p{P}\p{S}]/gu, '');
}

const CORES = ORDERS.map((o) => o.map(core));
const ALL_CORES = new Set(CORES.flat());

/** Levenshtein distance over characters (code points). */
export function editDistance(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[y.length];
}

/** Distance relative to the longer form: 0 the same, 1 nothing in common. */
function ratio(a: string, b: string): number {
  const n = Math.max([...a].length, [...b].length);
  return n === 0 ? 1 : editDistance(a, b) / n;
}

/** Close enough between its neighbours when other places are open there too. */
const LOOSE_RATIO = 0.5;
/** Close enough when the place agrees: at least a character in common with the label its neighbours leave open. */
const PLACE_RATIO = 0.76;

/**
 * A monotone alignment of labels to places minimising the summed distance, where leaving a label
 * unmatched costs SKIP (a label too far from every place stays unmatched) and a place may go unused.
 * Returns the matched pairs [label index, place index].
 */
function alignRun(labels: string[], places: string[]): [number, number][] {
  const SKIP = 0.8;
  const n = labels.length;
  const m = places.length;
  const cost: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  const move: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = 1; i <= n; i++) {
    cost[i][0] = i * SKIP;
    move[i][0] = 1;
  }
  for (let i = 1; i <= n; i++) {
    for (let j = 1; j <= m; j++) {
      const match = cost[i - 1][j - 1] + ratio(labels[i - 1], places[j - 1]);
      const skipLabel = cost[i - 1][j] + SKIP;
      const skipPlace = cost[i][j - 1];
      const best = Math.min(match, skipLabel, skipPlace);
      cost[i][j] = best;
      move[i][j] = best === match ? 0 : best === skipPlace ? 2 : 1;
    }
  }
  const pairs: [number, number][] = [];
  for (let i = n, j = m; i > 0; ) {
    if (j === 0 || move[i][j] === 1) i--;
    else if (move[i][j] === 2) j--;
    else {
      pairs.push([i - 1, j - 1]);
      i--;
      j--;
    }
  }
  return pairs.reverse();
}

interface Token {
  core: string;
  norm: string;
  /** The cell it was first read in (for the problem's place). */
  cell: Cell;
  /** Index in the order when recognised. */
  at: number | null;
}

/** True when a grid's text was read by OCR (its cells carry the recogniser's confidence). */
export function isOcrGrid(grid: Grid): boolean {
  return grid.rows.some((r) => r.some((c) => c.confidence !== undefined));
}

export interface Aligned {
  /** Grid norm (as printed, in matching form) → the template label it is taken for. */
  replace: Map<string, string>;
  problems: Problem[];
}

/**
 * Align the labels of one OCR'd grid against the template. `known(norm)` tells whether the mapper
 * recognises a label as it is; `isLabel(cell, norm)` whether a cell is a label (not a value).
 */
export function alignGrid(grid: Grid, norms: string[][], known: (norm: string) => boolean, isLabel: (cell: Cell, norm: string) => boolean): Aligned {
  // a label printed as the template prints it is recognised, whatever the mapper's patterns say
  const recognised = known;
  known = (norm: string) => recognised(norm) || ALL_CORES.has(core(norm));
  const out: Aligned = { replace: new Map(), problems: [] };
  // the labels in reading order, each distinct text once
  const seen = new Set<string>();
  const tokens: Token[] = [];
  grid.rows.forEach((row, r) => {
    row.forEach((cell, c) => {
      const norm = norms[r][c];
      if (!norm || seen.has(norm) || !isLabel(cell, norm)) return;
      const k = core(norm);
      if (k.length === 0 || k.length > 40 || !/\p{Script=Han}/u.test(k)) return;
      seen.add(norm);
      tokens.push({ core: k, norm, cell, at: null });
    });
  });
  if (tokens.length < 2) return out;
  // which table: the order most recognised labels sit in
  let best = -1;
  let bestHits = 0;
  CORES.forEach((order, o) => {
    const hits = tokens.filter((t) => known(t.norm) && order.includes(t.core)).length;
    if (hits > bestHits) {
      best = o;
      bestHits = hits;
    }
  });
  if (best < 0) return out;
  const order = CORES[best];
  const labels = ORDERS[best];
  // anchors: recognised labels at their place in the order, kept increasing (a label out of order is no anchor)
  let last = -1;
  for (const t of tokens) {
    if (!known(t.norm)) continue;
    let i = order.indexOf(t.core, last + 1);
    if (i < 0) {
      // recognised in other words (社会组织 for 社会公益组织): the closest label after the last anchor
      let r = 0.5001;
      for (let s = last + 1; s < order.length; s++) {
        const x = ratio(t.core, order[s]);
        if (x < r) {
          r = x;
          i = s;
        }
      }
    }
    if (i > last) {
      t.at = i;
      last = i;
    }
  }
  const take = (t: Token, i: number, how: string) => {
    const label = labels[i];
    out.replace.set(t.norm, normLabel(label));
    const d = editDistance(t.core, order[i]);
    out.problems.push({
      code: 'label_aligned',
      message: `the label "${t.cell.text}" matches none of the template's; it is taken as "${label}" (${how}; ${d} of ${[...order[i]].length} characters differ)`,
      where: `table ${grid.index}${t.cell.where.page !== undefined ? ` (page ${t.cell.where.page})` : ''}`,
    });
  };
  const used = new Set(tokens.filter((t) => t.at !== null).map((t) => t.at!));
  for (let i = 0; i < tokens.length; ) {
    if (tokens[i].at !== null || known(tokens[i].norm)) {
      i++;
      continue;
    }
    // a run of unrecognised labels between two anchors
    let j = i;
    while (j < tokens.length && tokens[j].at === null && !known(tokens[j].norm)) j++;
    const run = tokens.slice(i, j);
    const prev = tokens.slice(0, i).reverse().find((t) => t.at !== null)?.at ?? -1;
    const next = tokens.slice(j).find((t) => t.at !== null)?.at ?? order.length;
    const slots: number[] = [];
    for (let s = prev + 1; s < next; s++) if (!used.has(s)) slots.push(s);
    // the run against the open places, in order (an edit-distance alignment of the two sequences: a
    // label may be extra, a place may have no label), then each pair taken when close enough: more
    // loosely when the run fills every open place (the neighbours agree)
    const exact = slots.length === run.length;
    for (const [k, s] of alignRun(run.map((t) => t.core), slots.map((x) => order[x]))) {
      const r = ratio(run[k].core, order[slots[s]]);
      if (r > (exact ? PLACE_RATIO : LOOSE_RATIO)) continue;
      used.add(slots[s]);
      take(run[k], slots[s], exact ? 'the place its neighbours leave open' : 'the closest template label between its neighbours');
    }
    i = j;
  }
  return out;
}
