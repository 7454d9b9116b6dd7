/** The overview page: charts as server-side SVG, each with its numbers as a table under it. */
import { FAMILY_ZH } from '../review/labels-zh.js';
import { OUTCOMES, OUTCOME_ZH, type FamilyRow, type OutcomeRow } from '../review/overview.js';
import type { AreaYearRow } from '../places/query.js';
import { regionSelects, regionTrail } from './places-html.js';
import type { RegionNav } from './region.js';
import { esc } from './esc.js';
import { layout, type PageUser } from './html.js';
import { groupedBars, shareBars, stackedBars, type Series } from './svg.js';

const COLORS = ['#2e86de', '#10ac84', '#ee5253', '#ff9f43', '#8395a7', '#5f27cd'];

/** A table of cells: numbers right-aligned, `{html}` already escaped markup. */
function table(head: string[], rows: (string | number | { html: string })[][], cls: string): string {
  return `<table class="${cls}"><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => (typeof c === 'object' ? `<td>${c.html}</td>` : `<td${typeof c === 'number' ? ' class="num"' : ''}>${esc(c)}</td>`)).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

/** Sums found, read, flagged by a key, in first-seen order. */
function sums<T>(rows: AreaYearRow[], key: (r: AreaYearRow) => T): Map<T, [number, number, number]> {
  const out = new Map<T, [number, number, number]>();
  for (const r of rows) {
    const k = key(r);
    const v = out.get(k) ?? [0, 0, 0];
    v[0] += r.found;
    v[1] += r.read;
    v[2] += r.flagged;
    out.set(k, v);
  }
  return out;
}

const FRF = (): Series[] => [{ name: '找到', color: COLORS[0]! }, { name: '读出', color: COLORS[1]! }, { name: '有问题', color: COLORS[2]! }];

/**
 * The overview: reports per year and per region (found, read, flagged) within the area chosen
 * (`nav.choice`: the whole country by province, a province by city, a city by county), then the
 * check families and the request outcomes.
 */
export function overviewPage(years: AreaYearRow[], nav: RegionNav, families: FamilyRow[], outcomes: OutcomeRow[], agency: string | undefined, user: PageUser, coverageHtml = ''): string {
  const c = nav.choice;
  const areaName = nav.trail.length ? nav.trail[nav.trail.length - 1]!.name : '全国';
  const byYear = sums(years, (r) => (r.year === null ? '年度不详' : String(r.year)));
  const chart1 = groupedBars(`${areaName}各年度报告数：找到、读出、有问题`, [...byYear.keys()], FRF(), [...byYear.values()]);
  const t1 = table(['年度', '找到', '读出', '有问题'], [...byYear].map(([y, v]) => [y, ...v]), 'ov-years');
  const regionKey = (r: AreaYearRow) => `${r.kind}|${r.code ?? ''}`;
  const byRegion = sums(years, regionKey);
  const regions = new Map(years.map((r) => [regionKey(r), r]));
  const ordered = [...byRegion.keys()].sort((a, b) => {
    const x = regions.get(a)!;
    const y = regions.get(b)!;
    const o = (r: AreaYearRow) => (r.kind === 'own' ? 0 : r.kind === 'division' ? 1 : 2);
    return o(x) - o(y) || (x.code ?? '').localeCompare(y.code ?? '');
  });
  const level = c.city ? '县（区）' : c.province ? '市' : '省';
  const chartR = groupedBars(`${areaName}各${level}报告数：找到、读出、有问题`, ordered.map((k) => { const r = regions.get(k)!; return r.code ? `${r.name} ${r.code}` : r.name; }), FRF(), ordered.map((k) => byRegion.get(k)!));
  // a region's name links to the next level (down to the city's counties) and to its findings
  const drill = (r: AreaYearRow): string | null => {
    if (r.kind !== 'division' || !r.code || c.city) return null;
    return c.province ? `/overview?province=${c.province}&city=${r.code}` : `/overview?province=${r.code}`;
  };
  const nameCell = (r: AreaYearRow) => {
    const d = drill(r);
    return d ? { html: `<a href="${esc(d)}">${esc(r.name)}</a>` } : r.name;
  };
  const tR = table(['地区', '区划代码', '找到', '读出', '有问题'], ordered.map((k) => [nameCell(regions.get(k)!), regions.get(k)!.code ?? '—', ...byRegion.get(k)!]), 'ov-regions');
  const tRY = table(['年度', '地区', '区划代码', '找到', '读出', '有问题'], years.map((r) => [r.year ?? '不详', r.name, r.code ?? '—', r.found, r.read, r.flagged]), 'ov-region-years');
  // the check families and the outcomes are not split by region
  const everywhere = c.province || c.unplaced ? '（全部地区）' : '';
  const fams = families.filter((f) => f.checked > 0);
  const chart2 = shareBars('各类核对不符（或提示）的报告比例', fams.map((f) => FAMILY_ZH[f.family] ?? f.family), fams.map((f) => f.share));
  const t2 = table(['核对类别', '核对的报告数', '不符或提示的报告数', '比例'], families.map((f) => [FAMILY_ZH[f.family] ?? f.family, f.checked, f.failing, `${(f.share * 100).toFixed(1)}%`]), 'ov-families');
  const labels = outcomes.map((o) => `${o.agency} ${o.year ?? '?'}`);
  const chart3 = stackedBars('各机关各年度申请办理结果', labels, OUTCOMES.map((o, i) => ({ name: OUTCOME_ZH[o], color: COLORS[i]! })), outcomes.map((o) => OUTCOMES.map((k) => o.values[k])));
  const t3 = table(['机关', '年度', ...OUTCOMES.map((o) => OUTCOME_ZH[o])], outcomes.map((o) => [o.agency, o.year ?? '?', ...OUTCOMES.map((k) => o.values[k])]), 'ov-outcomes');
  return layout(
    '总览',
    `<form method="get" action="/overview" class="filters">${regionSelects(nav, 2)} <button type="submit">选择地区</button></form>${regionTrail(nav, '/overview', {}, 2)}
${coverageHtml /* [h18] the coverage map (src/serve/coverage-map.ts) */}
<section id="chart-years"><h2>报告</h2>${chart1}${t1}</section>
<section id="chart-regions"><h2>各地区报告</h2>${chartR}${tR}<h3>各年度各地区</h3>${tRY}</section>
<section id="chart-families"><h2>核对${everywhere}</h2>${chart2}${t2}</section>
<section id="chart-outcomes"><h2>申请办理结果（表三 总计栏）${everywhere}</h2>
<form method="get" action="/overview">机关 <input name="agency" value="${esc(agency)}"> <button type="submit">筛选</button>（默认显示报告最多的 12 个机关）</form>
${outcomes.length ? chart3 + t3 : '<p>没有数据。</p>'}</section>`,
    user,
  );
}
