/**
 * Findings: the failed checks of a report grouped by their cause, one finding per cause.
 *
 * DERIVED, never stored: a finding is computed on read from the stored check rows (which stay as they
 * are, every check keeps its own result), the cells' provenance and the extraction problems. A
 * decision on a finding is recorded on every check it groups (the `reviews` table is per check), so
 * the finding's state is the state of its checks, and nothing has to be kept in step when checks
 * are recomputed.
 *
 * Rules, in order (a check joins the first that claims it):
 *   blank      a check that fails only because cells left blank (nothing printed: not 0, not —) were
 *              read as 0: the blank cells are on the side of the equation that is short, so a figure
 *              there would make it pass. Grouped per column (≥ 2 blank cells in one column: "总计栏未填写"),
 *              else per row, else per cell; status `warn`. The arithmetic on the printed cells is still
 *              done: the value each blank cell must have is inferred from the checks with one blank cell,
 *              and the checks with several blank cells are recomputed with them; one that still fails is
 *              its own finding (kind `blank_arith`, status `fail`).
 *   shift      table 3: in ≥ 2 rows whose row sum fails, the same applicant column holds the sum of the
 *              others (the 总计 figures printed in that column): one finding, "某栏与总计栏错位".
 *   duplicate  the extraction problem `duplicate_cell` (a table printed twice with other values): the
 *              failing checks of that table are one finding (or a note when none fails).
 *   check      every other failed check or warning is a finding of its own.
 */
import { APPLICANT_COLS, REQUEST_COLS, tableOfKey } from '../keys.js';
import type { Db } from '../store/db.js';
import { checkFamily, checkZh, figuresZh, keyPlaceZh, keyZh, LIT_COL_ZH, REQUEST_COL_ZH, TABLE_ZH } from './labels-zh.js';
import { listFlagged, type EvidenceCell, type FlaggedCheck, type FlaggedFilter, type ReviewState } from './workflow.js';

export type FindingKind = 'blank' | 'blank_arith' | 'shift' | 'duplicate' | 'check';

export interface ArithLine {
  check_id: string;
  /** The check recomputed with the inferred figures of the blank cells. */
  expected: number;
  actual: number;
  ok: boolean;
}

export interface Finding {
  /** Stable within a report: blank:col:total, shift:col:other_org, duplicate:3, check:<check id>. */
  id: string;
  report_id: number;
  kind: FindingKind;
  status: 'fail' | 'warn';
  /** Chinese: 总计栏未填写, or the check's name. */
  title: string;
  /** Chinese: what the reviewer should look at, with figures. */
  detail: string;
  checks: FlaggedCheck[];
  /** The cells the cause names (the blank cells, the shifted column); for a check, its cells. */
  cells: EvidenceCell[];
  /** What each blank cell should hold, as the printed cells say (blank findings). */
  inferred: Record<string, number>;
  arithmetic: ArithLine[];
  /** The largest |expected − actual| of its checks. */
  discrepancy: number;
  /** open if a check is open, else reopened if one is, else closed; `note` for a finding with no check. */
  state: ReviewState | 'note';
}

export interface ProblemRow {
  code: string;
  message: string;
  where_text: string | null;
}

/** The two sides of an equation check: `expected` is the sum of `left`, `actual` of `right`. */
export function sidesOf(c: Pick<FlaggedCheck, 'check_id' | 'keys'>): { left: string[]; right: string[] } | null {
  const f = checkFamily(c.check_id);
  if (f === 'requests.balance') return { left: c.keys.slice(0, 2), right: c.keys.slice(2) };
  if (f === 'requests.total' || f === 'requests.row_sum' || f === 'litigation.total') return { left: c.keys.slice(0, -1), right: c.keys.slice(-1) };
  return null;
}

/** Blank as in nothing printed (a zero marker such as — or 无 is a printed zero). */
export function isBlankCell(c: EvidenceCell): boolean {
  return c.present && c.blank && (c.printed ?? '').trim() === '';
}

function colOf(key: string): string {
  return key.slice(key.lastIndexOf('.') + 1);
}
function rowOf(key: string): string {
  return key.slice(0, key.lastIndexOf('.'));
}
function colZh(key: string): string {
  const c = colOf(key);
  return key.startsWith('requests.') ? (REQUEST_COL_ZH[c] ?? c) : (LIT_COL_ZH[c] ?? c);
}

function discrepancyOf(c: FlaggedCheck): number {
  if (c.expected === null || c.actual === null) return 0;
  return Math.abs(c.expected - c.actual);
}

function stateOf(checks: FlaggedCheck[]): ReviewState | 'note' {
  if (!checks.length) return 'note';
  if (checks.some((c) => c.state === 'open')) return 'open';
  if (checks.some((c) => c.state === 'reopened')) return 'reopened';
  return 'closed';
}

function finding(reportId: number, id: string, kind: FindingKind, status: 'fail' | 'warn', title: string, detail: string, checks: FlaggedCheck[], cells: EvidenceCell[]): Finding {
  return {
    id, report_id: reportId, kind, status, title, detail, checks, cells, inferred: {}, arithmetic: [],
    discrepancy: checks.reduce((m, c) => Math.max(m, discrepancyOf(c)), 0),
    state: stateOf(checks),
  };
}

const fmt = (n: number) => String(Math.round(n * 10000) / 10000);

/** The blank short side of a failing equation check: the blank cells that, filled, would make it pass. */
function blankShortSide(c: FlaggedCheck): EvidenceCell[] | null {
  if (c.status !== 'fail' || c.expected === null || c.actual === null || c.expected === c.actual) return null;
  const s = sidesOf(c);
  if (!s) return null;
  const short = c.actual < c.expected ? s.right : s.left;
  const byKey = new Map(c.cells.filter((x) => x.report_id === c.report_id).map((x) => [x.key, x]));
  const blanks = short.map((k) => byKey.get(k)).filter((x): x is EvidenceCell => !!x && isBlankCell(x));
  return blanks.length ? blanks : null;
}

function blankRule(reportId: number, checks: FlaggedCheck[], taken: Set<FlaggedCheck>, figures: Record<string, number | null>): Finding[] {
  const explained = new Map<FlaggedCheck, EvidenceCell[]>();
  for (const c of checks) {
    const b = blankShortSide(c);
    if (b) explained.set(c, b);
  }
  if (!explained.size) return [];
  const allBlank = new Map<string, EvidenceCell>();
  for (const b of explained.values()) for (const x of b) allBlank.set(x.key, x);
  const perCol = new Map<string, number>();
  const perRow = new Map<string, number>();
  for (const k of allBlank.keys()) {
    const t = tableOfKey(k);
    perCol.set(`${t}:${colOf(k)}`, (perCol.get(`${t}:${colOf(k)}`) ?? 0) + 1);
    perRow.set(rowOf(k), (perRow.get(rowOf(k)) ?? 0) + 1);
  }
  const clusterOf = (k: string): string => {
    if ((perCol.get(`${tableOfKey(k)}:${colOf(k)}`) ?? 0) >= 2) return `col:${tableOfKey(k)}:${colOf(k)}`;
    if ((perRow.get(rowOf(k)) ?? 0) >= 2) return `row:${rowOf(k)}`;
    return `cell:${k}`;
  };
  const clusters = new Map<string, { checks: FlaggedCheck[]; cells: Map<string, EvidenceCell> }>();
  for (const [c, blanks] of explained) {
    const key = clusterOf(blanks[0]!.key);
    let cl = clusters.get(key);
    if (!cl) clusters.set(key, (cl = { checks: [], cells: new Map() }));
    cl.checks.push(c);
    for (const b of blanks) if (clusterOf(b.key) === key) cl.cells.set(b.key, b);
    taken.add(c);
  }

  // The arithmetic on the printed cells: infer each blank cell from a check where it is the only
  // blank on its side, then recompute the checks with several blanks.
  const inferred: Record<string, number> = {};
  const value = (k: string): number | null => (k in inferred ? inferred[k]! : (figures[k] ?? null));
  for (const [c, blanks] of explained) {
    if (blanks.length === 1 && c.expected !== null && c.actual !== null) inferred[blanks[0]!.key] = (figures[blanks[0]!.key] ?? 0) + Math.abs(c.expected - c.actual);
  }
  const arithmetic: ArithLine[] = [];
  for (const [c, blanks] of explained) {
    if (blanks.length < 2) continue;
    if (!blanks.every((b) => b.key in inferred)) continue;
    const s = sidesOf(c)!;
    const vals = [...s.left, ...s.right].map(value);
    if (vals.some((v) => v === null)) continue;
    const sum = (ks: string[]) => ks.reduce((a, k) => a + (value(k) as number), 0);
    const e = sum(s.left);
    const a = sum(s.right);
    arithmetic.push({ check_id: c.check_id, expected: e, actual: a, ok: Math.abs(e - a) < 1e-6 });
  }

  const out: Finding[] = [];
  for (const [key, cl] of clusters) {
    const cells = [...cl.cells.values()];
    const first = cells[0]!.key;
    const title = key.startsWith('col:')
      ? `${colZh(first)}栏未填写`
      : key.startsWith('row:')
        ? `${keyZh(first).row}一行未填写`
        : `${keyPlaceZh(first)}未填写`;
    const where = key.startsWith('col:') ? `${TABLE_ZH[tableOfKey(first)]}“${colZh(first)}”栏有 ${cells.length} 格空白` : `${cells.length} 格空白`;
    const f = finding(
      reportId, `blank:${key}`, 'blank', 'warn', title,
      `${where}（未印数字，不是印了 0）；按 0 计时以下 ${cl.checks.length} 项核对不符，原因都是这些空格。按已印数字推算，空格应为：` +
        cells.map((c) => `${keyZh(c.key).row.replace(/^三、本年度办理结果 /, '')}${c.key in inferred ? ` ${fmt(inferred[c.key]!)}` : ' ？'}`).join('；'),
      cl.checks, cells,
    );
    for (const c of cells) if (c.key in inferred) f.inferred[c.key] = inferred[c.key]!;
    f.arithmetic = arithmetic.filter((l) => cl.checks.some((c) => c.check_id === l.check_id));
    out.push(f);
    for (const l of f.arithmetic) {
      if (l.ok) continue;
      const c = cl.checks.find((x) => x.check_id === l.check_id)!;
      out.push(
        finding(reportId, `blank_arith:${c.check_id}`, 'blank_arith', 'fail', `${checkZh(c.check_id).name}（按已印数字推算）`,
          `空格按已印数字推算后仍不符：推算 ${fmt(l.expected)}，印 ${fmt(l.actual)}`, [], c.cells),
      );
      const last = out[out.length - 1]!;
      last.discrepancy = Math.abs(l.expected - l.actual);
      last.state = f.state;
    }
  }
  return out;
}

function shiftRule(reportId: number, checks: FlaggedCheck[], taken: Set<FlaggedCheck>, figures: Record<string, number | null>): Finding[] {
  const rowSums = checks.filter((c) => !taken.has(c) && c.status === 'fail' && c.check_id.startsWith('requests.row_sum.'));
  if (rowSums.length < 2) return [];
  for (const col of APPLICANT_COLS) {
    const hits = rowSums.filter((c) => {
      const row = c.check_id.slice('requests.row_sum.'.length);
      const vals = REQUEST_COLS.map((x) => figures[`requests.${row}.${x}`]);
      if (vals.some((v) => typeof v !== 'number')) return false;
      const all = (vals as number[]).reduce((a, b) => a + b, 0);
      const v = figures[`requests.${row}.${col}`] as number;
      return v > 0 && v * 2 === all;
    });
    if (hits.length < 2) continue;
    for (const c of hits) taken.add(c);
    const cells = hits.flatMap((c) => c.cells.filter((x) => colOf(x.key) === col || colOf(x.key) === 'total'));
    return [
      finding(reportId, `shift:col:${col}`, 'shift', 'fail', `“${REQUEST_COL_ZH[col]}”栏与“总计”栏错位`,
        `表三有 ${hits.length} 行的“${REQUEST_COL_ZH[col]}”栏数字恰等于本行其余各栏之和：这一栏印的是总计，数字与表头错开了一栏（或两栏对调）。`,
        hits, cells),
    ];
  }
  return [];
}

function duplicateRule(reportId: number, checks: FlaggedCheck[], taken: Set<FlaggedCheck>, problems: ProblemRow[]): Finding[] {
  const out: Finding[] = [];
  for (const p of problems) {
    if (p.code !== 'duplicate_cell') continue;
    const t = Number(/of table (\d)/.exec(p.message)?.[1] ?? NaN);
    if (!Number.isFinite(t)) continue;
    const members = checks.filter((c) => !taken.has(c) && c.keys.length > 0 && c.keys.every((k) => tableOfKey(k) === t) && !c.check_id.startsWith('narrative.'));
    for (const c of members) taken.add(c);
    const pairs = [...p.message.matchAll(/([a-z_.]+) (\S+) then ([^;)]+)/g)].map((m) => `${keyPlaceZh(m[1]!)}：先印「${m[2]}」，再印「${m[3]!.trim()}」`);
    const f = finding(reportId, `duplicate:${t}`, 'duplicate', members.some((c) => c.status === 'fail') ? 'fail' : 'warn', `${TABLE_ZH[t]}印了两遍，数字不同`,
      `文件里${TABLE_ZH[t]}出现两次，两次的数字不一致（可能附了另一年度的报告或表格的旧稿），读取时取第一份。${pairs.join('；')}` +
        (members.length ? `；第一份中以下 ${members.length} 项核对不符。` : ''),
      members, members.flatMap((c) => c.cells));
    out.push(f);
  }
  return out;
}

/** The findings of one report's flagged checks (all of one report), most discrepant first within each kind order. */
export function groupFindings(reportId: number, checks: FlaggedCheck[], figures: Record<string, number | null>, problems: ProblemRow[] = []): Finding[] {
  const mine = checks.filter((c) => c.report_id === reportId);
  const taken = new Set<FlaggedCheck>();
  const out: Finding[] = [];
  out.push(...blankRule(reportId, mine, taken, figures));
  out.push(...shiftRule(reportId, mine, taken, figures));
  out.push(...duplicateRule(reportId, mine, taken, problems));
  for (const c of mine) {
    if (taken.has(c)) continue;
    const z = checkZh(c.check_id);
    out.push(finding(reportId, `check:${c.check_id}`, 'check', c.status, z.name, figuresZh(c.check_id, c.expected, c.actual), [c], c.cells));
  }
  return out;
}

export function figuresOf(db: Db, reportId: number): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const f of db.prepare('SELECT key, value FROM figures WHERE report_id = ?').all(reportId) as { key: string; value: number | null }[]) out[f.key] = f.value;
  return out;
}

export function problemsOf(db: Db, reportId: number): ProblemRow[] {
  return db.prepare('SELECT code, message, where_text FROM problems WHERE report_id = ? ORDER BY id').all(reportId) as ProblemRow[];
}

/** The findings of one report from the database. */
export function reportFindings(db: Db, reportId: number, status: FlaggedFilter['status'] = 'all'): Finding[] {
  const checks = listFlagged(db, { status, reportId });
  return groupFindings(reportId, checks, figuresOf(db, reportId), problemsOf(db, reportId));
}

export interface QueueItem {
  finding: Finding;
  agency: string | null;
  agency_identity: string | null;
  region: string | null;
  year: number | null;
  title: string | null;
  source: string;
  source_url: string | null;
}

export interface QueueFilter {
  region?: string;
  /** Only these reports (a region of the divisions). */
  reportIds?: readonly number[];
  agency?: string;
  year?: number;
  /** A check family (labels-zh FAMILIES): findings with a check of that family. */
  family?: string;
  state?: ReviewState;
  status?: 'fail' | 'warn' | 'all';
}

/** The queue's order of states: open (and reopened) first, then closed, then notes (also the stored findings' rank). */
export const STATE_ORDER: Record<string, number> = { open: 0, reopened: 0, closed: 1, note: 2 };

/** Every finding matching the filter, in review order: open first, then by size of the discrepancy. */
export function findingQueue(db: Db, filter: QueueFilter = {}): QueueItem[] {
  const f: FlaggedFilter = { status: 'all' };
  if (filter.region) f.region = filter.region;
  if (filter.reportIds) f.reportIds = filter.reportIds;
  if (filter.agency) f.agency = filter.agency;
  if (filter.year !== undefined) f.year = filter.year;
  const byReport = new Map<number, FlaggedCheck[]>();
  for (const c of listFlagged(db, f)) {
    const l = byReport.get(c.report_id);
    if (l) l.push(c);
    else byReport.set(c.report_id, [c]);
  }
  const out: QueueItem[] = [];
  for (const [rid, checks] of byReport) {
    const c0 = checks[0]!;
    for (const fd of groupFindings(rid, checks, figuresOf(db, rid), problemsOf(db, rid))) {
      if (filter.status && filter.status !== 'all' && fd.status !== filter.status) continue;
      if (filter.family && !fd.checks.some((c) => checkFamily(c.check_id) === filter.family)) continue;
      if (filter.state && fd.state !== filter.state) continue;
      out.push({ finding: fd, agency: c0.agency, agency_identity: c0.agency_identity, region: c0.region, year: c0.year, title: c0.title, source: c0.source, source_url: c0.source_url });
    }
  }
  out.sort(
    (a, b) =>
      STATE_ORDER[a.finding.state]! - STATE_ORDER[b.finding.state]! ||
      b.finding.discrepancy - a.finding.discrepancy ||
      a.finding.report_id - b.finding.report_id ||
      (a.finding.id < b.finding.id ? -1 : a.finding.id > b.finding.id ? 1 : 0),
  );
  return out;
}
