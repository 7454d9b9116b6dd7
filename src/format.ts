/** Printing reports and check results for a person (the CLI without --json). */
import { LITIGATION_COLS, LITIGATION_GROUPS, REQUEST_COLS, allKeys, requestRows, type Version } from './keys.js';
import type { Check, Report } from './report.js';
import { LIT_COL_ZH, REQUEST_COL_ZH } from './review/labels-zh.js';

/** Columns a character takes in a terminal: 2 for CJK and full-width forms, 0 for combining marks, else 1. */
export function charWidth(cp: number): number {
  if (cp === 0 || (cp >= 0x300 && cp <= 0x36f) || cp === 0x200b) return 0;
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0x303e) ||
    (cp >= 0x3041 && cp <= 0x33ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  ) {
    return 2;
  }
  return 1;
}

export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += charWidth(ch.codePointAt(0)!);
  return w;
}

export function padEndW(s: string, width: number): string {
  return s + ' '.repeat(Math.max(0, width - displayWidth(s)));
}

export function padStartW(s: string, width: number): string {
  return ' '.repeat(Math.max(0, width - displayWidth(s))) + s;
}

/** Aligned text columns; `right[i]` right-aligns column i (numbers). */
export function alignColumns(rows: string[][], right: boolean[] = [], gap = 2): string[] {
  const n = Math.max(0, ...rows.map((r) => r.length));
  const widths = Array.from({ length: n }, (_, i) => Math.max(0, ...rows.map((r) => displayWidth(r[i] ?? ''))));
  return rows.map((r) =>
    r
      .map((cell, i) => (right[i] ? padStartW(cell, widths[i]) : i === r.length - 1 ? cell : padEndW(cell, widths[i])))
      .join(' '.repeat(gap))
      .trimEnd(),
  );
}

/** A figure for a person: '' when absent, '?' when the cell was unreadable, otherwise the number. */
export function formatValue(v: number | null | undefined): string {
  if (v === undefined) return '';
  if (v === null) return '?';
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(12)));
}

interface Section {
  columns: string[];
  rows: [label: string, keys: (string | null)[]][];
}

const ART20: Record<Version, Section[]> = {
  '2021': [
    {
      columns: ['本年制发件数', '本年废止件数', '现行有效件数'],
      rows: [
        ['规章', ['art20.rules.issued', 'art20.rules.repealed', 'art20.rules.in_force']],
        ['行政规范性文件', ['art20.normative.issued', 'art20.normative.repealed', 'art20.normative.in_force']],
      ],
    },
    {
      columns: ['本年处理决定数量'],
      rows: [
        ['行政许可', ['art20.licensing.decisions']],
        ['行政处罚', ['art20.penalty.decisions']],
        ['行政强制', ['art20.coercion.decisions']],
      ],
    },
    { columns: ['本年收费金额（万元）'], rows: [['行政事业性收费', ['art20.fees.amount']]] },
  ],
  '2019': [
    {
      columns: ['本年新制作数量', '本年新公开数量', '对外公开总数量'],
      rows: [
        ['规章', ['art20.rules.made', 'art20.rules.published', 'art20.rules.public_total']],
        ['规范性文件', ['art20.normative.made', 'art20.normative.published', 'art20.normative.public_total']],
      ],
    },
    {
      columns: ['上一年项目数量', '本年增/减', '处理决定数量'],
      rows: [
        ['行政许可', ['art20.licensing.prev_items', 'art20.licensing.delta', 'art20.licensing.decisions']],
        ['其他对外管理服务事项', ['art20.other_services.prev_items', 'art20.other_services.delta', 'art20.other_services.decisions']],
        ['行政处罚', ['art20.penalty.prev_items', 'art20.penalty.delta', 'art20.penalty.decisions']],
        ['行政强制', ['art20.coercion.prev_items', 'art20.coercion.delta', 'art20.coercion.decisions']],
        ['行政事业性收费', ['art20.fees.prev_items', 'art20.fees.delta', null]],
      ],
    },
    {
      columns: ['采购项目数量', '采购总金额'],
      rows: [['政府集中采购', ['art20.procurement.items', 'art20.procurement.amount']]],
    },
  ],
};

/** Short Chinese labels of the request-matrix rows. */
export const REQUEST_ROW_LABELS: Record<string, string> = {
  new: '一、本年新收申请数量',
  carried_over: '二、上年结转申请数量',
  granted: '（一）予以公开',
  partial: '（二）部分公开',
  'denied.state_secret': '（三）不予公开 1.国家秘密',
  'denied.law_forbidden': '  2.法律行政法规禁止公开',
  'denied.three_safety': '  3.危及“三安全一稳定”',
  'denied.third_party': '  4.保护第三方合法权益',
  'denied.internal': '  5.三类内部事务信息',
  'denied.process': '  6.四类过程性信息',
  'denied.enforcement_file': '  7.行政执法案卷',
  'denied.query': '  8.行政查询事项',
  'unable.not_held': '（四）无法提供 1.本机关不掌握',
  'unable.needs_creation': '  2.没有现成信息需另行制作',
  'unable.unclear': '  3.补正后申请内容仍不明确',
  'not_processed.petition': '（五）不予处理 1.信访举报投诉',
  'not_processed.duplicate': '  2.重复申请',
  'not_processed.publication': '  3.要求提供公开出版物',
  'not_processed.mass_repeat': '  4.无正当理由大量反复申请',
  'not_processed.confirm': '  5.要求确认或重新出具已获取信息',
  'other.no_correction': '（六）其他处理 1.逾期不补正',
  'other.no_fee': '  2.逾期未缴纳费用',
  'other.other': '  3.其他',
  other: '（六）其他处理',
  total: '（七）总计',
  carried_forward: '四、结转下年度继续办理',
};

const LITIGATION_GROUP_LABELS: Record<string, string> = {
  review: '行政复议',
  litigation_direct: '未经复议直接起诉',
  litigation_after_review: '复议后起诉',
};

function renderSections(sections: Section[], figures: Report['figures']): string[] {
  const rows: string[][] = [];
  const right: boolean[] = [false];
  for (const s of sections) {
    rows.push(['', ...s.columns]);
    for (const [label, keys] of s.rows) rows.push([label, ...keys.map((k) => (k === null ? '' : formatValue(figures[k])))]);
  }
  for (let i = 1; i < 4; i++) right[i] = true;
  return alignColumns(rows, right).map((l) => '  ' + l);
}

function hasAny(figures: Report['figures'], prefix: string): boolean {
  return Object.keys(figures).some((k) => k.startsWith(prefix));
}

/** The three tables of a report as aligned text (only the tables it has figures for). */
export function formatTables(report: Report): string[] {
  const f = report.figures;
  const version: Version | null = report.version === '2019' || report.version === '2021' ? report.version : null;
  const out: string[] = [];
  if (!version) return out;
  if (hasAny(f, 'art20.')) {
    out.push('', '表二 主动公开政府信息情况');
    out.push(...renderSections(ART20[version], f));
  }
  if (hasAny(f, 'requests.')) {
    const otherAsOneRow = version === '2021' && hasAny(f, 'requests.other.') && !hasAny(f, 'requests.other.no_correction');
    const rows: string[][] = [['', ...REQUEST_COLS.map((c) => REQUEST_COL_ZH[c])]];
    for (const r of requestRows(version, otherAsOneRow)) {
      rows.push([REQUEST_ROW_LABELS[r] ?? r, ...REQUEST_COLS.map((c) => formatValue(f[`requests.${r}.${c}`]))]);
    }
    out.push('', '表三 收到和处理政府信息公开申请情况');
    out.push(...alignColumns(rows, [false, ...REQUEST_COLS.map(() => true)]).map((l) => '  ' + l));
  }
  if (LITIGATION_GROUPS.some((g) => hasAny(f, g + '.'))) {
    const rows: string[][] = [['', ...LITIGATION_COLS.map((c) => LIT_COL_ZH[c])]];
    for (const g of LITIGATION_GROUPS) {
      rows.push([LITIGATION_GROUP_LABELS[g], ...LITIGATION_COLS.map((c) => formatValue(f[`${g}.${c}`]))]);
    }
    out.push('', '表四 政府信息公开行政复议、行政诉讼情况');
    out.push(...alignColumns(rows, [false, ...LITIGATION_COLS.map(() => true)]).map((l) => '  ' + l));
  }
  // Figures outside the version's template (should not happen; shown rather than hidden).
  const known = new Set([...allKeys(version), ...allKeys(version, true)]);
  const extra = Object.keys(f).filter((k) => !known.has(k));
  if (extra.length) {
    out.push('', '其他数字 (keys outside the template)');
    out.push(...alignColumns(extra.map((k) => [k, formatValue(f[k])]), [false, true]).map((l) => '  ' + l));
  }
  return out;
}

/** One check for a person: `requests.balance.total: expected 5, actual 4 — reason`. */
export function formatCheck(c: Pick<Check, 'id' | 'expected' | 'actual' | 'reason'>): string {
  const parts = [c.id];
  if (c.expected !== null || c.actual !== null) {
    parts.push(`expected ${formatValue(c.expected)}, actual ${formatValue(c.actual)}`);
  }
  if (c.reason) parts.push(c.reason);
  return parts.join('  ');
}

/** A whole report for a person: header, tables, failed and warned checks, problems. */
export function formatReport(report: Report): string {
  const lines: string[] = [];
  lines.push(`== ${report.source}`);
  const head = [
    report.agency ?? '(agency unknown)',
    report.year !== null ? `${report.year}` : '(year unknown)',
    `template ${report.version ?? '?'}`,
    `status ${report.status}`,
  ];
  // the form read, when it is not a plain page: an OCR'd reading is said so, so that a person weighs it
  if (report.kind && (report.kind !== 'html' || report.ocr)) head.push(report.ocr ? `${report.kind}, read by OCR` : report.kind);
  lines.push(head.join(' · '));
  if (report.title) lines.push(report.title);
  if (report.source_url && report.source_url !== report.source) lines.push(report.source_url);
  // A document that could not be read at all has no bytes worth a hash.
  if (!(report.status === 'error' && report.kind === null)) lines.push(`sha256 ${report.sha256}`);
  lines.push(...formatTables(report));
  if (report.status !== 'error' && Object.keys(report.figures).length === 0) {
    lines.push('', 'No tables extracted.');
  }
  if (report.checks.length) {
    const count = (s: string) => report.checks.filter((c) => c.status === s).length;
    lines.push(
      '',
      `Checks: ${count('pass')} passed, ${count('fail')} failed, ${count('warn')} warnings, ${count('skipped')} skipped`,
    );
    for (const c of report.checks.filter((c) => c.status === 'fail')) lines.push(`  FAIL  ${formatCheck(c)}`);
    for (const c of report.checks.filter((c) => c.status === 'warn')) lines.push(`  WARN  ${formatCheck(c)}`);
  }
  if (report.problems.length) {
    lines.push('', `Problems (${report.problems.length}):`);
    for (const p of report.problems) lines.push(`  ${p.code}: ${p.message}${p.where ? ` (${p.where})` : ''}`);
  }
  return lines.join('\n') + '\n';
}
