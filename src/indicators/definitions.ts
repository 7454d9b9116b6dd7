/**
 * The indicators: the field's standard measures over the canonical keys of src/keys.ts, in one table.
 * Each has an id (a column name in the views and exports), a Chinese and an English name, its formula
 * as sums of canonical keys (numerator / denominator), and a version (raised whenever its formula
 * changes, so that a figure quoted with its id and version can be recomputed).
 *
 * An indicator is NULL, with its reason, when a figure it needs is missing or unreadable, when one of
 * its figures is among the keys of a failed check of the same report (the figure is in doubt), or when
 * its denominator is 0. src/indicators/schema.ts turns this table into SQL views; the README lists it.
 */
import { LITIGATION_GROUPS, requestRows } from '../keys.js';

/** A figure in a formula: a canonical key of this report, or (previousYear) of the same body's report of the year before. */
export interface Term {
  key: string;
  /** -1 to subtract. */
  sign?: 1 | -1;
  /** The body's report of the year before (the review layer links one body across years: agency_links). */
  previousYear?: boolean;
}

export interface IndicatorDef {
  /** The column name: snake_case, stable. */
  id: string;
  zh: string;
  en: string;
  /** Raised when the formula changes. */
  version: number;
  /**
   * `report`: from one report's figures; `previous_year`: this report's and the same body's report of
   * the year before; `division`: an aggregate over the reports of a division and year (no terms).
   */
  scope: 'report' | 'previous_year' | 'division';
  numerator: Term[];
  denominator: Term[];
  /** What it measures, in both languages. */
  descriptionZh: string;
  descriptionEn: string;
}

const t = (key: string, sign: 1 | -1 = 1, previousYear = false): Term => ({ key, sign, ...(previousYear ? { previousYear } : {}) });
const rowsOf = (group: string) => requestRows('2021').filter((r) => r.startsWith(`${group}.`)).map((r) => t(`requests.${r}.total`));

const GRANTED = t('requests.granted.total');
const PARTIAL = t('requests.partial.total');
const HANDLED = t('requests.total.total');
const DENIED = rowsOf('denied');
const UNABLE = rowsOf('unable');

function correction(group: (typeof LITIGATION_GROUPS)[number], zh: string, en: string, whatZh: string, whatEn: string): IndicatorDef {
  return {
    id: group === 'review' ? 'review_correction_rate' : `${group}_correction_rate`,
    zh,
    en,
    version: 1,
    scope: 'report',
    numerator: [t(`${group}.corrected`)],
    denominator: [t(`${group}.upheld`), t(`${group}.corrected`), t(`${group}.other`)],
    descriptionZh: `${whatZh}中结果纠正的占已审结（结果维持、结果纠正、其他结果）案件的比例；尚未审结的不计。`,
    descriptionEn: `Of the ${whatEn} concluded this year (upheld, corrected, other result), the share whose result corrected the agency; pending cases are left out.`,
  };
}

export const INDICATORS: IndicatorDef[] = [
  {
    id: 'disclosure_rate',
    zh: '公开率（予以公开/办理总数）',
    en: 'Disclosure rate (granted / all handled)',
    version: 1,
    scope: 'report',
    numerator: [GRANTED],
    denominator: [HANDLED],
    descriptionZh: '予以公开的申请占本年度办理结果总计（七）的比例。',
    descriptionEn: 'Requests granted in full, as a share of all requests handled this year (row (7) total of the request table).',
  },
  {
    id: 'disclosure_rate_with_partial',
    zh: '公开率（予以公开与部分公开/办理总数）',
    en: 'Disclosure rate, partial disclosure included ((granted + partial) / all handled)',
    version: 1,
    scope: 'report',
    numerator: [GRANTED, PARTIAL],
    denominator: [HANDLED],
    descriptionZh: '予以公开与部分公开的申请占本年度办理结果总计的比例。',
    descriptionEn: 'Requests granted in full or in part, as a share of all requests handled this year.',
  },
  {
    id: 'disclosure_rate_decided',
    zh: '公开率（按作出公开与否决定的申请）',
    en: 'Disclosure rate over requests decided ((granted + partial) / (granted + partial + denied))',
    version: 1,
    scope: 'report',
    numerator: [GRANTED, PARTIAL],
    denominator: [GRANTED, PARTIAL, ...DENIED],
    descriptionZh: '予以公开与部分公开的申请占作出公开与否决定的申请（予以公开、部分公开、不予公开）的比例；无法提供、不予处理和其他处理不计。',
    descriptionEn: 'Requests granted in full or in part, as a share of the requests on which the agency decided whether to disclose (granted, partial, denied); unable to provide, not processed and other handling are left out.',
  },
  {
    id: 'denial_rate',
    zh: '不予公开率',
    en: 'Denial rate (denied / all handled)',
    version: 1,
    scope: 'report',
    numerator: DENIED,
    denominator: [HANDLED],
    descriptionZh: '不予公开（第（三）项八种情形之和）的申请占本年度办理结果总计的比例。',
    descriptionEn: 'Requests denied (the eight grounds of row (3) summed), as a share of all requests handled this year.',
  },
  {
    id: 'unable_rate',
    zh: '无法提供率',
    en: 'Unable-to-provide rate (unable / all handled)',
    version: 1,
    scope: 'report',
    numerator: UNABLE,
    denominator: [HANDLED],
    descriptionZh: '无法提供（第（四）项三种情形之和）的申请占本年度办理结果总计的比例。',
    descriptionEn: 'Requests the agency could not answer (the three grounds of row (4) summed), as a share of all requests handled this year.',
  },
  correction('review', '行政复议纠错率', 'Administrative review correction rate', '本年度政府信息公开行政复议', 'administrative reviews of information-disclosure decisions'),
  correction('litigation_direct', '行政诉讼纠错率（未经复议直接起诉）', 'Litigation correction rate, suits filed directly', '未经复议直接起诉的政府信息公开行政诉讼', 'lawsuits filed without a prior administrative review'),
  correction('litigation_after_review', '行政诉讼纠错率（复议后起诉）', 'Litigation correction rate, suits after review', '复议后起诉的政府信息公开行政诉讼', 'lawsuits filed after an administrative review'),
  {
    id: 'new_requests_change',
    zh: '新收申请数量同比变化',
    en: 'New requests, change over the year before',
    version: 1,
    scope: 'previous_year',
    numerator: [t('requests.new.total'), t('requests.new.total', -1, true)],
    denominator: [t('requests.new.total', 1, true)],
    descriptionZh: '本年新收政府信息公开申请数量较同一机关上一年度报告的变化比例（0.25 即增长25%）。同一机关跨年度由审核层关联（agency_links）；上一年度取该机关当年最佳的一份报告。',
    descriptionEn: 'Relative change of new requests received against the same body\'s report of the year before (0.25 = 25% more). One body across years is the review layer\'s link (agency_links); the year before is that body\'s best report of that year.',
  },
  {
    id: 'failed_checks_share',
    zh: '核对未通过报告占比（按地区）',
    en: 'Share of reports with a failed check, per division',
    version: 1,
    scope: 'division',
    numerator: [],
    denominator: [],
    descriptionZh: '一个地区（省、市、县）某年度报告中，至少有一项核对未通过的报告所占比例（只计状态为 ok 或 partial 的报告）。',
    descriptionEn: 'Within a division (province, city, county) and year, the share of reports (status ok or partial) with at least one failed check.',
  },
];

/** The indicators computed per report (everything but the division aggregates). */
export const REPORT_INDICATORS = INDICATORS.filter((d) => d.scope !== 'division');

/** The formula as text: (requests.granted.total + requests.partial.total) / requests.total.total. */
export function formulaText(d: IndicatorDef): string {
  if (d.scope === 'division') return 'count(reports with a failed check) / count(reports), per division and year';
  const side = (terms: Term[]) => {
    const s = terms
      .map((x, i) => `${i === 0 ? (x.sign === -1 ? '−' : '') : x.sign === -1 ? ' − ' : ' + '}${x.key}${x.previousYear ? '[year − 1]' : ''}`)
      .join('');
    return terms.length > 1 ? `(${s})` : s;
  };
  return `${side(d.numerator)} / ${side(d.denominator)}`;
}

/** The canonical keys an indicator reads. */
export function indicatorKeys(d: IndicatorDef): string[] {
  return Array.from(new Set([...d.numerator, ...d.denominator].map((x) => x.key)));
}

/** For each canonical key, the ids of the indicators that read it (the codebook's "used by"). */
export function indicatorsUsingKey(key: string): string[] {
  return INDICATORS.filter((d) => indicatorKeys(d).includes(key)).map((d) => d.id);
}
