/**
 * The reviewer's language: every canonical key and every check id named in Chinese, in the words of
 * the national template (国务院办公厅政府信息公开工作年度报告格式). Built from the structures of
 * src/keys.ts, src/checks.ts, src/crossyear.ts and src/narrative.ts, so a new row or check shows up
 * here (tests/review-labels.test.ts asserts that every check id the checks code can produce has a name).
 */
import { APPLICANT_COLS, LITIGATION_COLS, LITIGATION_GROUPS, REQUEST_COLS, TEMPLATE_REQUEST_GROUP_LABELS, TEMPLATE_REQUEST_ROW_LABELS } from '../keys.js';
import { NARRATIVE_LABELS } from '../narrative.js';

export const TABLE_ZH: Record<number, string> = { 1: '表一', 2: '表二', 3: '表三', 4: '表四' };
export const TABLE_TITLE_ZH: Record<number, string> = {
  2: '主动公开政府信息情况',
  3: '收到和处理政府信息公开申请情况',
  4: '政府信息公开行政复议、行政诉讼情况',
};

export const REQUEST_COL_ZH: Record<string, string> = {
  natural: '自然人',
  commercial: '商业企业',
  research: '科研机构',
  social: '社会公益组织',
  legal: '法律服务机构',
  other_org: '其他',
  total: '总计',
};
/** The column as the template heads it (the five organisation columns under 法人或其他组织). */
export function requestColPath(col: string): string {
  if (col === 'natural' || col === 'total') return REQUEST_COL_ZH[col]!;
  return `法人或其他组织 ${REQUEST_COL_ZH[col] ?? col}`;
}

export const LIT_GROUP_ZH: Record<string, string> = {
  review: '行政复议',
  litigation_direct: '行政诉讼 未经复议直接起诉',
  litigation_after_review: '行政诉讼 复议后起诉',
};
export const LIT_COL_ZH: Record<string, string> = { upheld: '结果维持', corrected: '结果纠正', other: '其他结果', pending: '尚未审结', total: '总计' };

const ART20_ZH: Record<string, [string, string]> = {
  'art20.rules.issued': ['第二十条第（一）项 规章', '本年制发件数'],
  'art20.rules.repealed': ['第二十条第（一）项 规章', '本年废止件数'],
  'art20.rules.in_force': ['第二十条第（一）项 规章', '现行有效件数'],
  'art20.normative.issued': ['第二十条第（一）项 行政规范性文件', '本年制发件数'],
  'art20.normative.repealed': ['第二十条第（一）项 行政规范性文件', '本年废止件数'],
  'art20.normative.in_force': ['第二十条第（一）项 行政规范性文件', '现行有效件数'],
  'art20.licensing.decisions': ['第二十条第（五）项 行政许可', '本年处理决定数量'],
  'art20.penalty.decisions': ['第二十条第（六）项 行政处罚', '本年处理决定数量'],
  'art20.coercion.decisions': ['第二十条第（六）项 行政强制', '本年处理决定数量'],
  'art20.fees.amount': ['第二十条第（八）项 行政事业性收费', '本年收费金额（万元）'],
  'art20.rules.made': ['第二十条第（一）项 规章', '本年新制作数量'],
  'art20.rules.published': ['第二十条第（一）项 规章', '本年新公开数量'],
  'art20.rules.public_total': ['第二十条第（一）项 规章', '对外公开总数量'],
  'art20.normative.made': ['第二十条第（一）项 规范性文件', '本年新制作数量'],
  'art20.normative.published': ['第二十条第（一）项 规范性文件', '本年新公开数量'],
  'art20.normative.public_total': ['第二十条第（一）项 规范性文件', '对外公开总数量'],
  'art20.licensing.prev_items': ['第二十条第（五）项 行政许可', '上一年项目数量'],
  'art20.licensing.delta': ['第二十条第（五）项 行政许可', '本年增/减'],
  'art20.other_services.prev_items': ['第二十条第（五）项 其他对外管理服务事项', '上一年项目数量'],
  'art20.other_services.delta': ['第二十条第（五）项 其他对外管理服务事项', '本年增/减'],
  'art20.other_services.decisions': ['第二十条第（五）项 其他对外管理服务事项', '处理决定数量'],
  'art20.penalty.prev_items': ['第二十条第（六）项 行政处罚', '上一年项目数量'],
  'art20.penalty.delta': ['第二十条第（六）项 行政处罚', '本年增/减'],
  'art20.coercion.prev_items': ['第二十条第（六）项 行政强制', '上一年项目数量'],
  'art20.coercion.delta': ['第二十条第（六）项 行政强制', '本年增/减'],
  'art20.fees.prev_items': ['第二十条第（八）项 行政事业性收费', '上一年项目数量'],
  'art20.fees.delta': ['第二十条第（八）项 行政事业性收费', '本年增/减'],
  'art20.procurement.items': ['第二十条第（九）项 政府集中采购', '采购项目数量'],
  'art20.procurement.amount': ['第二十条第（九）项 政府集中采购', '采购总金额'],
};

/** The template's words for a request-matrix row, with its group: 三、本年度办理结果 （三）不予公开 1.属于国家秘密. */
export function requestRowZh(row: string): string {
  const label = TEMPLATE_REQUEST_ROW_LABELS[row] ?? row;
  const short = label.replace(/（区分处理的，只计这一情形，不计其他情形）/, '');
  if (row === 'new' || row === 'carried_over' || row === 'carried_forward') return short;
  const group = row.includes('.') ? row.split('.')[0]! : null;
  const parts = [TEMPLATE_REQUEST_GROUP_LABELS.result!];
  if (group && TEMPLATE_REQUEST_GROUP_LABELS[group]) parts.push(TEMPLATE_REQUEST_GROUP_LABELS[group]!);
  parts.push(short);
  return parts.join(' ');
}

export interface KeyZh {
  table: number;
  /** 表三 */
  tableName: string;
  row: string;
  col: string;
}

/** A canonical key in the template's words. */
export function keyZh(key: string): KeyZh {
  if (key.startsWith('art20.')) {
    const [row, col] = ART20_ZH[key] ?? [key, ''];
    return { table: 2, tableName: '表二', row, col };
  }
  if (key.startsWith('requests.')) {
    const rest = key.slice('requests.'.length);
    const i = rest.lastIndexOf('.');
    const row = rest.slice(0, i);
    const col = rest.slice(i + 1);
    return { table: 3, tableName: '表三', row: requestRowZh(row), col: requestColPath(col) };
  }
  const [g, c] = key.split('.');
  return { table: 4, tableName: '表四', row: LIT_GROUP_ZH[g!] ?? g!, col: LIT_COL_ZH[c!] ?? c ?? '' };
}

/** 表三 · 三、本年度办理结果 （七）总计 · 自然人 */
export function keyPlaceZh(key: string): string {
  const k = keyZh(key);
  return [k.tableName, k.row, k.col].filter(Boolean).join(' · ');
}

export interface CheckZh {
  /** The check in the template's words (a rule a reviewer can verify by hand). */
  name: string;
  /** The check family: 表三平衡, 表三行合计… (filters and the overview). */
  family: string;
}

function shortRow(row: string): string {
  return (TEMPLATE_REQUEST_ROW_LABELS[row] ?? row).replace(/（区分处理的，只计这一情形，不计其他情形）/, '');
}

/** The check family id (the part of a check id before its column or row): requests.row_sum, narrative, carry_link… */
export function checkFamily(id: string): string {
  if (id.startsWith('narrative.')) return 'narrative';
  if (id.startsWith('requests.carry_link.')) return 'requests.carry_link';
  if (id.startsWith('art20.in_force_link.')) return 'art20.in_force_link';
  if (id.startsWith('requests.balance.')) return 'requests.balance';
  if (id.startsWith('requests.total.')) return 'requests.total';
  if (id.startsWith('requests.row_sum.')) return 'requests.row_sum';
  if (/^(review|litigation_direct|litigation_after_review)\.total$/.test(id)) return 'litigation.total';
  if (id === 'values.non_negative') return 'values.non_negative';
  return id;
}

export const FAMILY_ZH: Record<string, string> = {
  'requests.balance': '表三 收支平衡（一加二等于三加四）',
  'requests.total': '表三 办理结果合计（（一）至（六）之和等于（七）总计）',
  'requests.row_sum': '表三 各栏合计（各类申请人之和等于总计）',
  'litigation.total': '表四 复议诉讼合计',
  'values.non_negative': '数字格式（不小于0的整数）',
  'requests.carry_link': '跨年 上年结转与上年报告结转下年度',
  'art20.in_force_link': '跨年 现行有效件数',
  narrative: '正文与表格一致',
};
export const FAMILIES = Object.keys(FAMILY_ZH);

/** A check id in Chinese, or null when the id is not one the checks code produces. */
export function checkZhOrNull(id: string): CheckZh | null {
  const family = checkFamily(id);
  const fam = FAMILY_ZH[family];
  if (!fam) return null;
  let m: RegExpExecArray | null;
  if ((m = /^requests\.balance\.(\w+)$/.exec(id)) && REQUEST_COL_ZH[m[1]!]) {
    return { family, name: `第一项加第二项之和应等于第三项加第四项之和（${REQUEST_COL_ZH[m[1]!]}）` };
  }
  if ((m = /^requests\.total\.(\w+)$/.exec(id)) && REQUEST_COL_ZH[m[1]!]) {
    return { family, name: `三、本年度办理结果（一）至（六）各项之和应等于（七）总计（${REQUEST_COL_ZH[m[1]!]}）` };
  }
  if ((m = /^requests\.row_sum\.(.+)$/.exec(id)) && TEMPLATE_REQUEST_ROW_LABELS[m[1]!]) {
    return { family, name: `${shortRow(m[1]!)}：自然人与法人或其他组织各栏之和应等于总计` };
  }
  if ((m = /^requests\.carry_link\.(\w+)$/.exec(id)) && REQUEST_COL_ZH[m[1]!]) {
    return { family, name: `本年“二、上年结转政府信息公开申请数量”应等于上年报告“四、结转下年度继续办理”（${REQUEST_COL_ZH[m[1]!]}）` };
  }
  if ((m = /^art20\.in_force_link\.(rules|normative)$/.exec(id))) {
    const what = m[1] === 'rules' ? '规章' : '行政规范性文件';
    return { family, name: `${what}：本年现行有效件数应等于上年现行有效件数加本年制发件数减本年废止件数` };
  }
  if ((m = /^(review|litigation_direct|litigation_after_review)\.total$/.exec(id))) {
    return { family, name: `${LIT_GROUP_ZH[m[1]!]}：结果维持、结果纠正、其他结果、尚未审结之和应等于总计` };
  }
  if (id === 'values.non_negative') return { family, name: '各项数字应为不小于0的整数（金额不小于0）' };
  if (id.startsWith('narrative.') && NARRATIVE_LABELS[id]) {
    return { family, name: `正文所述“${NARRATIVE_LABELS[id]}”件数应与表格一致` };
  }
  return null;
}

/** A check id in Chinese (an unknown id is shown as itself). */
export function checkZh(id: string): CheckZh {
  return checkZhOrNull(id) ?? { family: checkFamily(id), name: id };
}

/** 印 391，应为 398 — for a narrative check: 正文 17，表格 15. */
export function figuresZh(id: string, expected: number | null, actual: number | null): string {
  const n = (v: number | null) => (v === null ? '—' : String(Math.round(v * 10000) / 10000));
  if (id.startsWith('narrative.')) return `正文 ${n(actual)}，表格 ${n(expected)}`;
  if (id === 'values.non_negative') return `${n(actual)} 项不符`;
  if (id.startsWith('requests.carry_link.')) return `本年印 ${n(expected)}，上年报告印 ${n(actual)}`;
  return `印 ${n(actual)}，应为 ${n(expected)}`;
}

export const STATUS_ZH: Record<string, string> = { fail: '不符', warn: '提示', pass: '相符', skipped: '未核对' };
export const STATE_ZH: Record<string, string> = { open: '待审', closed: '已处理', reopened: '重新待审' };
export const DECISION_ZH: Record<string, string> = { confirmed: '确认有误', dismissed: '不是问题', corrected: '更正数字' };
export const KIND_ZH: Record<string, string> = {
  html: '网页', pdf: 'PDF', text: '文本', docx: 'Word（DOCX）', doc: 'Word（DOC）', wps: 'WPS', xlsx: '电子表格', image: '图片',
};
export const REPORT_STATUS_ZH: Record<string, string> = {
  ok: '完整读取', partial: '部分读取', no_tables: '未找到表格', legacy: '旧版模板', not_a_report: '不是年报', unsupported_format: '格式不支持', error: '无法读取',
};

/** Every applicant column and table-4 column, for tests and displays. */
export const ALL_COLS = { request: [...REQUEST_COLS], applicant: [...APPLICANT_COLS], litigation: [...LITIGATION_COLS], groups: [...LITIGATION_GROUPS] };
