/**
 * The codebook: every column of the analysts' exports (Parquet tables, the wide CSV) named in Chinese
 * and English; for a canonical key, the template's table, row and column labels in both template
 * versions (国办公开办函〔2019〕60号 and 〔2021〕30号), its unit and type, and the indicators that read it.
 * Built from src/keys.ts, src/review/labels-zh.ts and src/indicators/definitions.ts, so a new key or
 * indicator shows up here (tests/codebook.test.ts asserts every key of src/keys.ts has a row).
 */
import { ALL_KNOWN_KEYS, allKeys, isAmountKey, isSignedKey, tableOfKey } from '../keys.js';
import { keyZh, TABLE_TITLE_ZH, TABLE_ZH } from '../review/labels-zh.js';
import { formulaText, INDICATORS, indicatorsUsingKey, REPORT_INDICATORS } from '../indicators/definitions.js';
import { csvLine } from '../csv.js';

/** Columns other than canonical keys: [English, Chinese, type, unit]. Shared by the codebook and metadata.json. */
export const COLUMN_DOCS: Record<string, [string, string, ColumnType, string]> = {
  report_id: ['Report id (reports.id): one distinct document, by the sha256 of its bytes', '报告编号（同一文件按其字节的 sha256 只存一次）', 'integer', ''],
  agency: ['The publishing body as printed in the report', '发布报告的机关（报告所印名称）', 'text', ''],
  agency_identity: ['The body\'s normalised identity across years (src/agency.ts)', '机关跨年度统一名称（规范化后）', 'text', ''],
  agency_id: ['The body across years (agencies.id): one id for every year\'s report of one body', '机关编号：同一机关各年度报告共用', 'integer', ''],
  region: ['The region cut from the agency\'s name (for unplaced reports)', '从机关名称中截取的地区', 'text', ''],
  year: ['The year reported on (not the year published)', '报告年度（所报告的年份，非发布年份）', 'integer', 'year'],
  version: ['Template version: 2019 (国办公开办函〔2019〕60号), 2021 (〔2021〕30号) or legacy (before 2019)', '年报格式版本：2019、2021 或 legacy（2019 年以前）', 'text', ''],
  status: ['Extraction status: ok, partial, no_tables, legacy, not_a_report, unsupported_format, error', '提取状态', 'text', ''],
  kind: ['The form the figures were read from: html, text, pdf, docx, doc, wps, xlsx, image', '读取数字的文件形式', 'text', ''],
  title: ['The report\'s title', '报告标题', 'text', ''],
  source: ['The path or URL the document was read from', '来源路径或网址', 'text', ''],
  source_url: ['The URL, when it came from the web', '网址', 'text', ''],
  sha256: ['sha256 of the bytes fetched', '所下载文件字节的 sha256', 'text', ''],
  ocr: ['1 when some figures were read by OCR from images', '是否有数字由 OCR 从图片识别（1 是）', 'integer', ''],
  extracted_at: ['When the figures were extracted (UTC, ISO 8601)', '提取时间（UTC）', 'text', ''],
  ingested_at: ['When the report was stored (UTC, ISO 8601)', '入库时间（UTC）', 'text', ''],
  extractor_version: ['The nianbao version that extracted it', '提取所用 nianbao 版本', 'text', ''],
  province_code: ['Province division code (GB/T 2260, 6 digits)', '省级行政区划代码', 'text', ''],
  province: ['Province name', '省级行政区划名称', 'text', ''],
  city_code: ['Prefecture-level division code', '地级行政区划代码', 'text', ''],
  city: ['Prefecture-level division name', '地级行政区划名称', 'text', ''],
  county_code: ['County-level division code', '县级行政区划代码', 'text', ''],
  county: ['County-level division name', '县级行政区划名称', 'text', ''],
  township_code: ['Township-level division code (9 digits)', '乡级行政区划代码', 'text', ''],
  township: ['Township-level division name', '乡级行政区划名称', 'text', ''],
  division_code: ['The most precise division the body belongs to', '机关所属最细一级行政区划代码', 'text', ''],
  division_level: ['Level of division_code: province, city, county, township', '该区划的级别', 'text', ''],
  division_name: ['Name of division_code', '该区划名称', 'text', ''],
  zone: ['Development zone or similar the body belongs to, when named', '所属开发区等功能区', 'text', ''],
  zone_code: ['Code of the zone, when known', '功能区代码', 'text', ''],
  agency_kind: ['Kind of body: government, department, township…', '机关类别（人民政府、部门、乡镇等）', 'text', ''],
  department_type: ['Type of department (e.g. 自然资源局 → natural resources)', '部门类型', 'text', ''],
  place_status: ['How the report was placed: resolved, ambiguous, unresolved, unplaced', '定位状态', 'text', ''],
  body: ['The body\'s name after the place (自然资源局); in indicator_panel: the body\'s identity', '去除地名后的机关名称；在 indicator_panel 中为机关统一名称', 'text', ''],
  place_key: ['Identity of the body by place (division|kind|department type)', '按区划识别机关的键', 'text', ''],
  candidates_json: ['Candidate divisions considered (JSON)', '候选区划（JSON）', 'text', ''],
  evidence_json: ['Evidence used to place the report (JSON array of {source, text})', '定位依据（JSON）', 'text', ''],
  reason: ['Why (a check skipped, a place not found, an indicator NULL)', '原因说明', 'text', ''],
  basis: ['How the place was found: extraction, stored, manual', '定位方式', 'text', ''],
  report_status: ['The report\'s extraction status', '报告提取状态', 'text', ''],
  key: ['Canonical key of the figure (see the codebook rows of table figures_wide)', '数字的规范键', 'text', ''],
  value: ['The figure (NULL when the cell was present but unreadable); for indicators the ratio', '数值（单元格存在但无法读取时为空）；指标表中为比率', 'number', ''],
  check_id: ['Check id (report-format.md: requests.balance.<col>, review.total, …)', '核对项编号', 'text', ''],
  expected: ['What the figures should add up to', '应得数值', 'number', ''],
  actual: ['The figure as printed', '实际数值', 'number', ''],
  keys: ['The canonical keys the check involves (JSON array)', '核对涉及的规范键（JSON 数组）', 'text', ''],
  evidence: ['Prose checks: the sentence quoted', '正文核对所引语句', 'text', ''],
  review_state: ['open, closed or reopened (for a failed check or warning); empty otherwise', '审核状态', 'text', ''],
  review_decision: ['The reviewer\'s decision, when closed', '审核决定', 'text', ''],
  review_value: ['The corrected value a reviewer gave', '审核更正值', 'number', ''],
  indicator_id: ['Indicator id (indicator_definitions.id)', '指标编号', 'text', ''],
  indicator_version: ['Version of the indicator\'s definition', '指标定义版本', 'integer', ''],
  numerator: ['The indicator\'s numerator (sum of its figures)', '指标分子', 'number', ''],
  denominator: ['The indicator\'s denominator (sum of its figures)', '指标分母', 'number', ''],
  display_name: ['A name of the body as printed', '机关名称（所印）', 'text', ''],
  agency_as_printed: ['The agency as printed on this year\'s report', '本年度报告所印机关名称', 'text', ''],
  reports: ['Number of reports of this body and year (the best one is used)', '该机关该年度报告份数（取最佳一份）', 'integer', ''],
  prev_report_id: ['The same body\'s report of the year before (for new_requests_change)', '同一机关上一年度报告编号', 'integer', ''],
  province_failed_checks_share: ['Share of the province\'s reports that year with a failed check', '本省该年度核对未通过报告占比', 'number', 'ratio'],
  city_failed_checks_share: ['Share of the city\'s reports that year with a failed check', '本市该年度核对未通过报告占比', 'number', 'ratio'],
  id: ['Row id', '编号', 'text', ''],
  identity: ['The body\'s normalised identity across years (src/agency.ts)', '机关跨年度统一名称', 'text', ''],
  qualifier: ['The parent unit a name gave (淮安市), to tell same-named districts apart', '名称中的上级地名（区分同名区县）', 'text', ''],
  created_at: ['When the row was created (UTC)', '创建时间（UTC）', 'text', ''],
  linked_by: ['Who linked the report to the body (manual links)', '关联人（人工关联）', 'text', ''],
  linked_at: ['When the link was made (UTC)', '关联时间（UTC）', 'text', ''],
  link_source: ['auto (by name or place) or manual', '关联方式：auto 自动、manual 人工', 'text', ''],
  new_requests: ['requests.new.total: new requests received this year', '本年新收政府信息公开申请数量（总计）', 'integer', '件 (count)'],
  carried_over: ['requests.carried_over.total: carried over from last year', '上年结转政府信息公开申请数量（总计）', 'integer', '件 (count)'],
  granted: ['requests.granted.total: granted', '予以公开（总计）', 'integer', '件 (count)'],
  partial: ['requests.partial.total: partially disclosed', '部分公开（总计）', 'integer', '件 (count)'],
  handled: ['requests.total.total: all requests handled', '办理结果总计', 'integer', '件 (count)'],
  carried_forward: ['requests.carried_forward.total: carried forward to next year', '结转下年度继续办理（总计）', 'integer', '件 (count)'],
  reviews: ['review.total: administrative reviews', '行政复议总计', 'integer', '件 (count)'],
  review_total: ['review.total: administrative reviews', '行政复议总计', 'integer', '件 (count)'],
  litigation_direct: ['litigation_direct.total: lawsuits filed directly', '未经复议直接起诉总计', 'integer', '件 (count)'],
  litigation_direct_total: ['litigation_direct.total: lawsuits filed directly', '未经复议直接起诉总计', 'integer', '件 (count)'],
  litigation_after_review: ['litigation_after_review.total: lawsuits after review', '复议后起诉总计', 'integer', '件 (count)'],
  litigation_after_review_total: ['litigation_after_review.total: lawsuits after review', '复议后起诉总计', 'integer', '件 (count)'],
  litigation_total: ['Lawsuits in total (direct + after review)', '行政诉讼总计', 'integer', '件 (count)'],
  licensing_decisions: ['art20.licensing.decisions', '行政许可处理决定数量', 'integer', '件 (count)'],
  penalty_decisions: ['art20.penalty.decisions', '行政处罚处理决定数量', 'integer', '件 (count)'],
  failed_checks: ['Number of failed checks of the report', '未通过的核对数', 'integer', ''],
  warnings: ['Number of warnings of the report', '核对警告数', 'integer', ''],
  ord: ['Position in the report (template order)', '在报告中的顺序', 'integer', ''],
  printed: ['The cell as printed', '单元格所印文字', 'text', ''],
  text: ['The cell as printed (\'\' for a blank cell)', '单元格所印文字（空白为空串）', 'text', ''],
  blank: ['1 when the cell was blank or a zero marker (—, -, /, 无)', '空白或零标记（—、-、/、无）时为 1', 'integer', ''],
  canonical_table: ['Template table of the figure: 2, 3 or 4', '所属表（二、三、四）', 'integer', ''],
  grid: ['The table (1-based, document order) the cell is in', '单元格所在表格序号（文中顺序）', 'integer', ''],
  row_label: ['The row label as printed', '所印行标签', 'text', ''],
  col_label: ['The column label as printed', '所印列标签', 'text', ''],
  where_json: ['Where the cell is: {table,row,col,domPath,line,page,bbox} (JSON)', '单元格位置（JSON）', 'text', ''],
  confidence: ['OCR confidence (0 … 1)', 'OCR 置信度', 'number', ''],
  ocr_corrected: ['1 when an OCR misreading was corrected', 'OCR 误读经更正时为 1', 'integer', ''],
  ocr_read: ['What OCR read before correction', 'OCR 原始识别文字', 'text', ''],
  ocr_alternatives: ['Other readings OCR offered (JSON)', 'OCR 其他候选（JSON）', 'text', ''],
  code: ['Problem code (cell_unreadable, …)', '问题代码', 'text', ''],
  message: ['The problem, in words', '问题说明', 'text', ''],
  where_text: ['Where the problem is', '问题位置', 'text', ''],
  figures: ['Number of figures stored', '已存数字个数', 'integer', ''],
  unreadable: ['Number of unreadable figures', '无法读取的数字个数', 'integer', ''],
  passed: ['Checks passed', '通过的核对数', 'integer', ''],
  failed: ['Checks failed', '未通过的核对数', 'integer', ''],
  warned: ['Checks with a warning', '警告的核对数', 'integer', ''],
  skipped: ['Checks skipped (never counted as passed)', '跳过的核对数（不计为通过）', 'integer', ''],
  problems: ['Extraction problems', '提取问题个数', 'integer', ''],
  row: ['Request-matrix row key (granted, denied.state_secret, …)', '表三行键', 'text', ''],
  natural: ['Natural persons (自然人)', '自然人', 'integer', '件 (count)'],
  commercial: ['Commercial enterprises', '商业企业', 'integer', '件 (count)'],
  research: ['Research institutions', '科研机构', 'integer', '件 (count)'],
  social: ['Social welfare organisations', '社会公益组织', 'integer', '件 (count)'],
  legal: ['Legal service institutions', '法律服务机构', 'integer', '件 (count)'],
  other_org: ['Other organisations', '其他（法人或其他组织）', 'integer', '件 (count)'],
  total: ['Total', '总计', 'integer', '件 (count)'],
  row_order: ['Order of the row in the report', '行顺序', 'integer', ''],
  decision: ['The decision: confirmed, corrected, accepted, …', '审核决定', 'text', ''],
  corrected_value: ['The value a reviewer gave', '审核更正值', 'number', ''],
  note: ['The reviewer\'s note', '审核备注', 'text', ''],
  reviewer: ['Who decided', '审核人', 'text', ''],
  decided_at: ['When (UTC)', '决定时间（UTC）', 'text', ''],
  source_sha256: ['sha256 of the document decided on', '所审文件的 sha256', 'text', ''],
  state: ['open, closed or reopened', '状态：待审、已结、重开', 'text', ''],
  reopened_at: ['When it was reopened (UTC)', '重开时间（UTC）', 'text', ''],
  reopened_reason: ['Why it was reopened', '重开原因', 'text', ''],
  superseded_by: ['The later decision that replaced it', '取代它的后续决定', 'integer', ''],
  name_zh: ['Chinese name', '中文名称', 'text', ''],
  name_en: ['English name', '英文名称', 'text', ''],
  scope: ['report (one report), previous_year (this and last year\'s report of one body), division (an aggregate)', '计算范围', 'text', ''],
  formula: ['Formula over canonical keys', '计算公式（规范键）', 'text', ''],
  keys_json: ['The canonical keys it reads (JSON array)', '所用规范键（JSON 数组）', 'text', ''],
  description_zh: ['Description in Chinese', '中文说明', 'text', ''],
  description_en: ['Description in English', '英文说明', 'text', ''],
  level: ['Division level: province, city, county', '区划级别', 'text', ''],
  reports_failing: ['Reports with at least one failed check', '至少一项核对未通过的报告数', 'integer', ''],
  failed_checks_share: ['reports_failing / reports', '核对未通过报告占比', 'number', 'ratio'],
};

export type ColumnType = 'integer' | 'number' | 'text';

const REQUEST_ROW_EN: Record<string, string> = {
  new: 'new requests received this year',
  carried_over: 'requests carried over from last year',
  granted: 'result: granted (disclosed)',
  partial: 'result: partially disclosed',
  'denied.state_secret': 'result: denied, state secret',
  'denied.law_forbidden': 'result: denied, forbidden by other laws',
  'denied.three_safety': 'result: denied, endangers the "three safeties and one stability"',
  'denied.third_party': 'result: denied, third parties\' lawful rights',
  'denied.internal': 'result: denied, internal affairs',
  'denied.process': 'result: denied, process information',
  'denied.enforcement_file': 'result: denied, administrative enforcement file',
  'denied.query': 'result: denied, administrative query matter',
  'unable.not_held': 'result: unable to provide, not held by this agency',
  'unable.needs_creation': 'result: unable to provide, would need to be created',
  'unable.unclear': 'result: unable to provide, still unclear after correction',
  'not_processed.petition': 'result: not processed, petition or complaint',
  'not_processed.duplicate': 'result: not processed, duplicate request',
  'not_processed.publication': 'result: not processed, asks for a publication',
  'not_processed.mass_repeat': 'result: not processed, mass repeated requests without good reason',
  'not_processed.confirm': 'result: not processed, asks to confirm or reissue information already obtained',
  'other.no_correction': 'result: other, applicant did not complete the request in time',
  'other.no_fee': 'result: other, applicant did not pay the fee in time',
  'other.other': 'result: other, other',
  other: 'result: other handling (one row)',
  total: 'results total',
  carried_forward: 'carried forward to next year',
};
const REQUEST_COL_EN: Record<string, string> = {
  natural: 'natural persons', commercial: 'commercial enterprises', research: 'research institutions',
  social: 'social welfare organisations', legal: 'legal service institutions', other_org: 'other organisations', total: 'total',
};
const LIT_GROUP_EN: Record<string, string> = { review: 'administrative review', litigation_direct: 'lawsuits filed directly', litigation_after_review: 'lawsuits after review' };
const LIT_COL_EN: Record<string, string> = { upheld: 'upheld', corrected: 'corrected', other: 'other result', pending: 'pending', total: 'total' };
const ART20_ROW_EN: Record<string, string> = {
  rules: 'rules (规章)', normative: 'normative documents', licensing: 'administrative licensing', other_services: 'other external services',
  penalty: 'administrative penalties', coercion: 'administrative coercion', fees: 'administrative fees', procurement: 'government procurement',
};
const ART20_COL_EN: Record<string, string> = {
  issued: 'issued this year', repealed: 'repealed this year', in_force: 'in force', decisions: 'decisions this year', amount: 'amount (10,000 yuan)',
  made: 'made this year', published: 'published this year', public_total: 'public in total', prev_items: 'items last year', delta: 'change this year', items: 'items',
};

/** A canonical key in English: "Table 3, result: granted (disclosed), natural persons". */
export function keyEn(key: string): string {
  const parts = key.split('.');
  if (parts[0] === 'art20') return `Table 2 (Article 20), ${ART20_ROW_EN[parts[1]!] ?? parts[1]}, ${ART20_COL_EN[parts[2]!] ?? parts[2]}`;
  if (parts[0] === 'requests') {
    const col = parts[parts.length - 1]!;
    const row = parts.slice(1, -1).join('.');
    return `Table 3 (requests), ${REQUEST_ROW_EN[row] ?? row}, ${REQUEST_COL_EN[col] ?? col}`;
  }
  return `Table 4 (review and litigation), ${LIT_GROUP_EN[parts[0]!] ?? parts[0]}, ${LIT_COL_EN[parts[1]!] ?? parts[1]}`;
}

const KEYS_2021 = new Set([...allKeys('2021'), ...allKeys('2021', true)]);
const KEYS_2019 = new Set(allKeys('2019'));
/** The 2019 template heads the Article 20 decisions column 处理决定数量 and names 规范性文件 without 行政. */
function labels2019(key: string): { row: string; col: string } {
  const z = keyZh(key);
  if (/^art20\.(licensing|penalty|coercion)\.decisions$/.test(key)) return { row: z.row, col: '处理决定数量' };
  return { row: z.row, col: z.col };
}

export interface CodebookRow {
  table: string;
  column: string;
  key: string;
  name_zh: string;
  name_en: string;
  template_table: string;
  row_2019: string;
  col_2019: string;
  row_2021: string;
  col_2021: string;
  unit: string;
  type: ColumnType;
  indicators: string;
  description_en: string;
  description_zh: string;
}
export const CODEBOOK_COLS: (keyof CodebookRow)[] = ['table', 'column', 'key', 'name_zh', 'name_en', 'template_table', 'row_2019', 'col_2019', 'row_2021', 'col_2021', 'unit', 'type', 'indicators', 'description_en', 'description_zh'];

export function keyCodebookRow(table: string, key: string): CodebookRow {
  const z = keyZh(key);
  const t = tableOfKey(key);
  const in21 = KEYS_2021.has(key);
  const in19 = KEYS_2019.has(key);
  const l19 = in19 ? labels2019(key) : null;
  const unit = isAmountKey(key) ? '万元 (10,000 yuan)' : '件 (count)';
  const versionList = [in19 ? '2019' : '', in21 ? '2021' : ''].filter(Boolean);
  const versions = versionList.join(' and ');
  return {
    table,
    column: key,
    key,
    name_zh: [z.tableName, z.row, z.col].filter(Boolean).join(' '),
    name_en: keyEn(key),
    template_table: `${TABLE_ZH[t]} ${TABLE_TITLE_ZH[t]}`,
    row_2019: l19?.row ?? '',
    col_2019: l19?.col ?? '',
    row_2021: in21 ? z.row : '',
    col_2021: in21 ? z.col : '',
    unit,
    type: isAmountKey(key) || isSignedKey(key) ? 'number' : 'integer',
    indicators: indicatorsUsingKey(key).join(' '),
    description_en: `Canonical key ${key} (template ${versions}); empty when the report has no cell for it, or the cell was unreadable.${isSignedKey(key) ? ' May be negative.' : ''}`,
    description_zh: `规范键 ${key}（${versionList.join('、')} 版格式）；报告无此格或该格无法读取时为空。`,
  };
}

export function plainCodebookRow(table: string, column: string): CodebookRow {
  const ind = INDICATORS.find((d) => d.id === column);
  const m = /^(.+?)_(reason|numerator|denominator|pct_province|rank_province|pct_city|rank_city)$/.exec(column);
  const base = ind ?? (m ? REPORT_INDICATORS.find((d) => d.id === m[1]) : undefined);
  if (base) {
    const what = ind ? null : m![2];
    const en: Record<string, string> = {
      reason: `Why ${base.id} is NULL (a figure missing or unreadable, in a failed check, a zero denominator); empty when computed`,
      numerator: `Numerator of ${base.id}`,
      denominator: `Denominator of ${base.id}`,
      pct_province: `Percentile (percent_rank, 0 lowest … 1 highest) of ${base.id} among the bodies of the same province that year`,
      rank_province: `Rank (1 = highest) of ${base.id} among the bodies of the same province that year`,
      pct_city: `Percentile (0 … 1) of ${base.id} among the bodies of the same city that year`,
      rank_city: `Rank (1 = highest) of ${base.id} among the bodies of the same city that year`,
    };
    const zh: Record<string, string> = {
      reason: `${base.zh} 为空的原因`, numerator: `${base.zh} 分子`, denominator: `${base.zh} 分母`,
      pct_province: `${base.zh} 在本省同年度机关中的百分位`, rank_province: `${base.zh} 在本省同年度机关中的名次（1 为最高）`,
      pct_city: `${base.zh} 在本市同年度机关中的百分位`, rank_city: `${base.zh} 在本市同年度机关中的名次（1 为最高）`,
    };
    const type: ColumnType = what === 'reason' ? 'text' : what?.startsWith('rank') ? 'integer' : 'number';
    return {
      table, column, key: '', template_table: '', row_2019: '', col_2019: '', row_2021: '', col_2021: '',
      name_zh: what ? zh[what]! : base.zh,
      name_en: what ? en[what]! : base.en,
      unit: what === null || what.startsWith('pct') ? 'ratio' : what === 'reason' ? '' : what.startsWith('rank') ? 'rank' : '件 (count)',
      type,
      indicators: base.id,
      description_en: what ? en[what]! : `${base.descriptionEn} Formula: ${formulaText(base)} (version ${base.version}).`,
      description_zh: what ? zh[what]! : `${base.descriptionZh} 公式：${formulaText(base)}（第 ${base.version} 版）。`,
    };
  }
  const d = COLUMN_DOCS[column];
  return {
    table, column, key: '', template_table: '', row_2019: '', col_2019: '', row_2021: '', col_2021: '',
    name_zh: d?.[1] ?? '', name_en: d?.[0] ?? '', unit: d?.[3] ?? '', type: d?.[2] ?? 'text', indicators: '',
    description_en: d?.[0] ?? '', description_zh: d?.[1] ?? '',
  };
}

/** The codebook of a set of tables ({table: columns}): a key's row from the template, any other column from COLUMN_DOCS. */
export function codebook(tables: Record<string, string[]>): CodebookRow[] {
  const keys = new Set(ALL_KNOWN_KEYS);
  return Object.entries(tables).flatMap(([table, cols]) => cols.map((c) => (keys.has(c) ? keyCodebookRow(table, c) : plainCodebookRow(table, c))));
}

export function codebookCsv(rows: CodebookRow[]): string {
  return csvLine(CODEBOOK_COLS) + rows.map((r) => csvLine(CODEBOOK_COLS.map((c) => r[c]))).join('');
}

export function codebookJson(rows: CodebookRow[]): string {
  return JSON.stringify({ columns: CODEBOOK_COLS, rows }, null, 1) + '\n';
}
