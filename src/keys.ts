/** The canonical keys of report-format.md: the contract between extraction, storage, checks and exports. */

export type Version = '2019' | '2021';

export const REQUEST_COLS = ['natural', 'commercial', 'research', 'social', 'legal', 'other_org', 'total'] as const;
export type RequestCol = (typeof REQUEST_COLS)[number];
export const APPLICANT_COLS = REQUEST_COLS.slice(0, 6) as readonly RequestCol[];

/** Result rows shared by both versions, in template order. */
const RESULT_ROWS_COMMON = [
  'granted',
  'partial',
  'denied.state_secret',
  'denied.law_forbidden',
  'denied.three_safety',
  'denied.third_party',
  'denied.internal',
  'denied.process',
  'denied.enforcement_file',
  'denied.query',
  'unable.not_held',
  'unable.needs_creation',
  'unable.unclear',
  'not_processed.petition',
  'not_processed.duplicate',
  'not_processed.publication',
  'not_processed.mass_repeat',
  'not_processed.confirm',
] as const;

export const OTHER_SPLIT_ROWS = ['other.no_correction', 'other.no_fee', 'other.other'] as const;

/** The request-matrix rows of a version; `otherAsOneRow` for 2021 reports that still print （六）其他处理 as one row. */
export function requestRows(version: Version, otherAsOneRow = false): string[] {
  const other = version === '2019' || otherAsOneRow ? ['other'] : [...OTHER_SPLIT_ROWS];
  return ['new', 'carried_over', ...RESULT_ROWS_COMMON, ...other, 'total', 'carried_forward'];
}

/** The result rows whose sum is `total` (check requests.total.<col>). */
export function resultRows(version: Version, otherAsOneRow = false): string[] {
  const other = version === '2019' || otherAsOneRow ? ['other'] : [...OTHER_SPLIT_ROWS];
  return [...RESULT_ROWS_COMMON, ...other];
}

export const LITIGATION_GROUPS = ['review', 'litigation_direct', 'litigation_after_review'] as const;
export const LITIGATION_COLS = ['upheld', 'corrected', 'other', 'pending', 'total'] as const;

export const ART20_KEYS: Record<Version, string[]> = {
  '2021': [
    'art20.rules.issued', 'art20.rules.repealed', 'art20.rules.in_force',
    'art20.normative.issued', 'art20.normative.repealed', 'art20.normative.in_force',
    'art20.licensing.decisions', 'art20.penalty.decisions', 'art20.coercion.decisions',
    'art20.fees.amount',
  ],
  '2019': [
    'art20.rules.made', 'art20.rules.published', 'art20.rules.public_total',
    'art20.normative.made', 'art20.normative.published', 'art20.normative.public_total',
    'art20.licensing.prev_items', 'art20.licensing.delta', 'art20.licensing.decisions',
    'art20.other_services.prev_items', 'art20.other_services.delta', 'art20.other_services.decisions',
    'art20.penalty.prev_items', 'art20.penalty.delta', 'art20.penalty.decisions',
    'art20.coercion.prev_items', 'art20.coercion.delta', 'art20.coercion.decisions',
    'art20.fees.prev_items', 'art20.fees.delta',
    'art20.procurement.items', 'art20.procurement.amount',
  ],
};

export function requestKeys(version: Version, otherAsOneRow = false): string[] {
  return requestRows(version, otherAsOneRow).flatMap((r) => REQUEST_COLS.map((c) => `requests.${r}.${c}`));
}

export function litigationKeys(): string[] {
  return LITIGATION_GROUPS.flatMap((g) => LITIGATION_COLS.map((c) => `${g}.${c}`));
}

/** Every canonical key of a version, in template order (table 2, 3, 4). */
export function allKeys(version: Version, otherAsOneRow = false): string[] {
  return [...ART20_KEYS[version], ...requestKeys(version, otherAsOneRow), ...litigationKeys()];
}

/** Every key of either version (and both forms of （六）其他处理), in a stable order: for wide exports. */
export const ALL_KNOWN_KEYS: string[] = Array.from(
  new Set([...allKeys('2021'), ...allKeys('2021', true), ...allKeys('2019')]),
);

/** Keys whose value may be negative or fractional. */
export function isSignedKey(key: string): boolean {
  return key.endsWith('.delta');
}
export function isAmountKey(key: string): boolean {
  return key.endsWith('.amount');
}

/** The table (2, 3 or 4) a key belongs to. */
export function tableOfKey(key: string): 2 | 3 | 4 {
  if (key.startsWith('art20.')) return 2;
  if (key.startsWith('requests.')) return 3;
  return 4;
}

/** The request-matrix row labels exactly as the template prints them (for sample documents and displays). */
export const TEMPLATE_REQUEST_ROW_LABELS: Record<string, string> = {
  new: '一、本年新收政府信息公开申请数量',
  carried_over: '二、上年结转政府信息公开申请数量',
  granted: '（一）予以公开',
  partial: '（二）部分公开（区分处理的，只计这一情形，不计其他情形）',
  'denied.state_secret': '1.属于国家秘密',
  'denied.law_forbidden': '2.其他法律行政法规禁止公开',
  'denied.three_safety': '3.危及“三安全一稳定”',
  'denied.third_party': '4.保护第三方合法权益',
  'denied.internal': '5.属于三类内部事务信息',
  'denied.process': '6.属于四类过程性信息',
  'denied.enforcement_file': '7.属于行政执法案卷',
  'denied.query': '8.属于行政查询事项',
  'unable.not_held': '1.本机关不掌握相关政府信息',
  'unable.needs_creation': '2.没有现成信息需要另行制作',
  'unable.unclear': '3.补正后申请内容仍不明确',
  'not_processed.petition': '1.信访举报投诉类申请',
  'not_processed.duplicate': '2.重复申请',
  'not_processed.publication': '3.要求提供公开出版物',
  'not_processed.mass_repeat': '4.无正当理由大量反复申请',
  'not_processed.confirm': '5.要求行政机关确认或重新出具已获取信息',
  'other.no_correction': '1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请',
  'other.no_fee': '2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请',
  'other.other': '3.其他',
  other: '（六）其他处理',
  total: '（七）总计',
  carried_forward: '四、结转下年度继续办理',
};

/** The group labels of the request matrix as the template prints them. */
export const TEMPLATE_REQUEST_GROUP_LABELS: Record<string, string> = {
  result: '三、本年度办理结果',
  denied: '（三）不予公开',
  unable: '（四）无法提供',
  not_processed: '（五）不予处理',
  other: '（六）其他处理',
};
