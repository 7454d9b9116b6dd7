/** The overview page: three charts as server-side SVG, each with its numbers as a table under it. */
import { FAMILY_ZH } from '../review/labels-zh.js';
import { OUTCOMES, OUTCOME_ZH, type FamilyRow, type OutcomeRow, type YearRegionRow } from '../review/overview.js';
import { esc } from './esc.js';
import { layout, type PageUser } from './html.js';
import { groupedBars, shareBars, stackedBars } from './svg.js';

const COLORS = ['#2e86de', '#10ac84', '#ee5253', '#ff9f43', '#8395a7', '#5f27cd'];

function table(head: string[], rows: (string | number)[][], cls: string): string {
  return `<table class="${cls}"><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td${typeof c === 'number' ? ' class="num"' : ''}>${esc(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

export function overviewPage(years: YearRegionRow[], families: FamilyRow[], outcomes: OutcomeRow[], agency: string | undefined, user: PageUser): string {
  const byYear = new Map<string, [number, number, number]>();
  for (const r of years) {
    const k = r.year === null ? '年度不详' : String(r.year);
    const v = byYear.get(k) ?? [0, 0, 0];
    v[0] += r.found;
    v[1] += r.read;
    v[2] += r.flagged;
    byYear.set(k, v);
  }
  const chart1 = groupedBars('各年度报告数：找到、读出、有问题', [...byYear.keys()], [
    { name: '找到', color: COLORS[0]! }, { name: '读出', color: COLORS[1]! }, { name: '有问题', color: COLORS[2]! },
  ], [...byYear.values()]);
  const t1 = table(['年度', '地区', '找到', '读出', '有问题'], years.map((r) => [r.year ?? '不详', r.region ?? '不详', r.found, r.read, r.flagged]), 'ov-years');
  const fams = families.filter((f) => f.checked > 0);
  const chart2 = shareBars('各类核对不符（或提示）的报告比例', fams.map((f) => FAMILY_ZH[f.family] ?? f.family), fams.map((f) => f.share));
  const t2 = table(['核对类别', '核对的报告数', '不符或提示的报告数', '比例'], families.map((f) => [FAMILY_ZH[f.family] ?? f.family, f.checked, f.failing, `${(f.share * 100).toFixed(1)}%`]), 'ov-families');
  const labels = outcomes.map((o) => `${o.agency} ${o.year ?? '?'}`);
  const chart3 = stackedBars('各机关各年度申请办理结果', labels, OUTCOMES.map((o, i) => ({ name: OUTCOME_ZH[o], color: COLORS[i]! })), outcomes.map((o) => OUTCOMES.map((k) => o.values[k])));
  const t3 = table(['机关', '年度', ...OUTCOMES.map((o) => OUTCOME_ZH[o])], outcomes.map((o) => [o.agency, o.year ?? '?', ...OUTCOMES.map((k) => o.values[k])]), 'ov-outcomes');
  return layout(
    '总览',
    `<section id="chart-years"><h2>报告</h2>${chart1}${t1}</section>
<section id="chart-families"><h2>核对</h2>${chart2}${t2}</section>
<section id="chart-outcomes"><h2>申请办理结果（表三 总计栏）</h2>
<form method="get" action="/overview">机关 <input name="agency" value="${esc(agency)}"> <button type="submit">筛选</button>（默认显示报告最多的 12 个机关）</form>
${outcomes.length ? chart3 + t3 : '<p>没有数据。</p>'}</section>`,
    user,
  );
}
