/**
 * Builds the sample series: three annual reports of one body (西华县文化广电和旅游局, 2021-2023) as
 * small HTML pages on the 2021 template, named differently from year to year, with
 *  - a carry-over that holds from 2021 to 2022 and is broken from 2022 to 2023 (commercial, total);
 *  - 现行有效件数 of normative documents that follows from 2021 to 2022 and jumps in 2023 (a warning);
 *  - prose that agrees with the tables, except 2022's 予以公开及部分公开258件 (table: 272 + 3).
 * Each page comes with NAME.expected.json: agency, year, version, figures and the cross-year and
 * prose check results expected once all three are stored.
 *
 * Run: npx tsx samples/series/generate.ts  (writes next to itself)
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const COLS = ['natural', 'commercial', 'research', 'social', 'legal', 'other_org'] as const;
type Vec = Partial<Record<(typeof COLS)[number], number>>;

const RESULT_ROWS: [key: string, group: string | null, label: string][] = [
  ['granted', null, '（一）予以公开'],
  ['partial', null, '（二）部分公开（区分处理的，只计这一情形，不计其他情形）'],
  ['denied.state_secret', '（三）不予公开', '1.属于国家秘密'],
  ['denied.law_forbidden', '（三）不予公开', '2.其他法律行政法规禁止公开'],
  ['denied.three_safety', '（三）不予公开', '3.危及“三安全一稳定”'],
  ['denied.third_party', '（三）不予公开', '4.保护第三方合法权益'],
  ['denied.internal', '（三）不予公开', '5.属于三类内部事务信息'],
  ['denied.process', '（三）不予公开', '6.属于四类过程性信息'],
  ['denied.enforcement_file', '（三）不予公开', '7.属于行政执法案卷'],
  ['denied.query', '（三）不予公开', '8.属于行政查询事项'],
  ['unable.not_held', '（四）无法提供', '1.本机关不掌握相关政府信息'],
  ['unable.needs_creation', '（四）无法提供', '2.没有现成信息需要另行制作'],
  ['unable.unclear', '（四）无法提供', '3.补正后申请内容仍不明确'],
  ['not_processed.petition', '（五）不予处理', '1.信访举报投诉类申请'],
  ['not_processed.duplicate', '（五）不予处理', '2.重复申请'],
  ['not_processed.publication', '（五）不予处理', '3.要求提供公开出版物'],
  ['not_processed.mass_repeat', '（五）不予处理', '4.无正当理由大量反复申请'],
  ['not_processed.confirm', '（五）不予处理', '5.要求行政机关确认或重新出具已获取信息'],
  ['other.no_correction', '（六）其他处理', '1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请'],
  ['other.no_fee', '（六）其他处理', '2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请'],
  ['other.other', '（六）其他处理', '3.其他'],
];

interface YearSpec {
  file: string;
  agency: string;
  year: number;
  art20: { rules: [number, number, number]; normative: [number, number, number]; licensing: number; penalty: number; coercion: number; fees: number };
  new: Vec;
  carried_over: Vec;
  results: Record<string, Vec>;
  litigation: { review: number[]; litigation_direct: number[]; litigation_after_review: number[] };
  prose: string[];
  expect: Record<string, 'pass' | 'fail' | 'warn' | 'skipped'>;
}

const z = [0, 0, 0, 0, 0];
const SERIES: YearSpec[] = [
  {
    file: 'xihua-culture-2021',
    agency: '西华县文化广电和旅游局',
    year: 2021,
    art20: { rules: [0, 0, 0], normative: [3, 0, 10], licensing: 12, penalty: 5, coercion: 0, fees: 0 },
    new: { natural: 10, commercial: 2 },
    carried_over: { natural: 1 },
    results: { granted: { natural: 6, commercial: 1 }, partial: { natural: 2 }, 'unable.not_held': { natural: 1 } },
    litigation: { review: z, litigation_direct: z, litigation_after_review: z },
    prose: [
      '2021年，本局共收到政府信息公开申请12件，上年结转1件，均在法定期限内予以答复。',
      '本年度未发生因政府信息公开引起的行政复议、行政诉讼案件。',
    ],
    expect: {
      'requests.carry_link.total': 'skipped',
      'art20.in_force_link.normative': 'skipped',
      'narrative.requests_new': 'pass',
      'narrative.carried_over': 'pass',
    },
  },
  {
    file: 'xihua-culture-2022',
    agency: '周口市西华县文化广电和旅游局',
    year: 2022,
    art20: { rules: [0, 0, 0], normative: [2, 1, 11], licensing: 15, penalty: 7, coercion: 1, fees: 0 },
    new: { natural: 280, commercial: 20 },
    carried_over: { natural: 2, commercial: 1 },
    results: { granted: { natural: 255, commercial: 17 }, partial: { natural: 3 }, 'unable.not_held': { natural: 20 } },
    litigation: { review: [1, 0, 0, 0, 1], litigation_direct: z, litigation_after_review: z },
    prose: [
      '2022年，共收到政府信息公开申请300件，上年结转3件，予以公开及部分公开258件。',
      '因政府信息公开被申请行政复议1件，结果维持。',
    ],
    expect: {
      'requests.carry_link.natural': 'pass',
      'requests.carry_link.commercial': 'pass',
      'requests.carry_link.research': 'pass',
      'requests.carry_link.social': 'pass',
      'requests.carry_link.legal': 'pass',
      'requests.carry_link.other_org': 'pass',
      'requests.carry_link.total': 'pass',
      'art20.in_force_link.rules': 'pass',
      'art20.in_force_link.normative': 'pass',
      'narrative.requests_new': 'pass',
      'narrative.carried_over': 'pass',
      'narrative.granted_partial': 'fail',
      'narrative.review': 'pass',
    },
  },
  {
    file: 'xihua-culture-2023',
    agency: '西华县文化广电和旅游局',
    year: 2023,
    art20: { rules: [0, 0, 0], normative: [3, 0, 20], licensing: 9, penalty: 4, coercion: 0, fees: 0 },
    new: { natural: 40, commercial: 5 },
    // Broken on purpose: 2022 carried 4 commercial requests (8 in all) forward.
    carried_over: { natural: 4, commercial: 2 },
    results: { granted: { natural: 30, commercial: 5 }, partial: { natural: 4 }, 'unable.not_held': { natural: 8, commercial: 1 } },
    litigation: { review: [1, 1, 0, 0, 2], litigation_direct: [0, 0, 0, 1, 1], litigation_after_review: z },
    prose: [
      '2023年共新收政府信息公开申请45件，其中予以公开35件，部分公开4件。',
      '全年发生政府信息公开行政复议2件、行政诉讼1件。',
    ],
    expect: {
      'requests.carry_link.natural': 'pass',
      'requests.carry_link.commercial': 'fail',
      'requests.carry_link.research': 'pass',
      'requests.carry_link.total': 'fail',
      'art20.in_force_link.rules': 'pass',
      'art20.in_force_link.normative': 'warn',
      'narrative.requests_new': 'pass',
      'narrative.granted': 'pass',
      'narrative.partial': 'pass',
      'narrative.review': 'pass',
      'narrative.litigation': 'pass',
    },
  },
];

function total(v: Vec): number {
  return COLS.reduce((a, c) => a + (v[c] ?? 0), 0);
}

function row(label: string, v: Vec, lead = `<td colspan="3">${label}</td>`): string {
  return `<tr>${lead}${COLS.map((c) => `<td>${v[c] ?? 0}</td>`).join('')}<td>${total(v)}</td></tr>`;
}

function build(s: YearSpec): { html: string; figures: Record<string, number> } {
  const figures: Record<string, number> = {};
  const put = (row: string, v: Vec) => {
    for (const c of COLS) figures[`requests.${row}.${c}`] = v[c] ?? 0;
    figures[`requests.${row}.total`] = total(v);
  };
  const a = s.art20;
  Object.assign(figures, {
    'art20.rules.issued': a.rules[0], 'art20.rules.repealed': a.rules[1], 'art20.rules.in_force': a.rules[2],
    'art20.normative.issued': a.normative[0], 'art20.normative.repealed': a.normative[1], 'art20.normative.in_force': a.normative[2],
    'art20.licensing.decisions': a.licensing, 'art20.penalty.decisions': a.penalty, 'art20.coercion.decisions': a.coercion,
    'art20.fees.amount': a.fees,
  });
  put('new', s.new);
  put('carried_over', s.carried_over);
  const sum: Vec = {};
  for (const [k] of RESULT_ROWS) {
    const v = s.results[k] ?? {};
    put(k, v);
    for (const c of COLS) sum[c] = (sum[c] ?? 0) + (v[c] ?? 0);
  }
  put('total', sum);
  const fwd: Vec = {};
  for (const c of COLS) fwd[c] = (s.new[c] ?? 0) + (s.carried_over[c] ?? 0) - (sum[c] ?? 0);
  put('carried_forward', fwd);
  const LC = ['upheld', 'corrected', 'other', 'pending', 'total'];
  for (const g of ['review', 'litigation_direct', 'litigation_after_review'] as const) {
    s.litigation[g].forEach((v, i) => (figures[`${g}.${LC[i]}`] = v));
  }

  const groups = new Map<string, number>();
  for (const [, g] of RESULT_ROWS) if (g) groups.set(g, (groups.get(g) ?? 0) + 1);
  const seen = new Set<string>();
  const resultRows = RESULT_ROWS.map(([k, g, label], i) => {
    const first = i === 0 ? `<td rowspan="${RESULT_ROWS.length + 1}">三、本年度办理结果</td>` : '';
    let lead: string;
    if (!g) lead = `${first}<td colspan="2">${label}</td>`;
    else {
      const gcell = seen.has(g) ? '' : `<td rowspan="${groups.get(g)}">${g}</td>`;
      seen.add(g);
      lead = `${first}${gcell}<td>${label}</td>`;
    }
    return row(label, s.results[k] ?? {}, lead);
  }).join('\n');
  const title = `${s.agency}${s.year}年政府信息公开工作年度报告`;
  const t4 = [...s.litigation.review, ...s.litigation.litigation_direct, ...s.litigation.litigation_after_review];
  const html = `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>${title}</title>
</head>
<body>
<h1>${title}</h1>
<p>本报告由${s.agency}根据《中华人民共和国政府信息公开条例》要求编制。报告中所列数据统计期限自${s.year}年1月1日起至${s.year}年12月31日止。</p>
<p><strong>一、总体情况</strong></p>
${s.prose.map((p) => `<p>${p}</p>`).join('\n')}
<p><strong>二、主动公开政府信息情况</strong></p>
<table border="1" cellspacing="0" cellpadding="0">
<tbody>
<tr><td colspan="4">第二十条第（一）项</td></tr>
<tr><td>信息内容</td><td>本年制发件数</td><td>本年废止件数</td><td>现行有效件数</td></tr>
<tr><td>规章</td><td>${a.rules[0]}</td><td>${a.rules[1]}</td><td>${a.rules[2]}</td></tr>
<tr><td>行政规范性文件</td><td>${a.normative[0]}</td><td>${a.normative[1]}</td><td>${a.normative[2]}</td></tr>
<tr><td colspan="4">第二十条第（五）项</td></tr>
<tr><td>信息内容</td><td colspan="3">本年处理决定数量</td></tr>
<tr><td>行政许可</td><td colspan="3">${a.licensing}</td></tr>
<tr><td colspan="4">第二十条第（六）项</td></tr>
<tr><td>信息内容</td><td colspan="3">本年处理决定数量</td></tr>
<tr><td>行政处罚</td><td colspan="3">${a.penalty}</td></tr>
<tr><td>行政强制</td><td colspan="3">${a.coercion}</td></tr>
<tr><td colspan="4">第二十条第（八）项</td></tr>
<tr><td>信息内容</td><td colspan="3">本年收费金额（单位：万元）</td></tr>
<tr><td>行政事业性收费</td><td colspan="3">${a.fees}</td></tr>
</tbody>
</table>
<p><strong>三、收到和处理政府信息公开申请情况</strong></p>
<table border="1" cellspacing="0" cellpadding="0">
<tbody>
<tr><td rowspan="3" colspan="3">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td><td colspan="6">申请人情况</td><td rowspan="3">总计</td></tr>
<tr><td rowspan="2">自然人</td><td colspan="5">法人或其他组织</td></tr>
<tr><td>商业企业</td><td>科研机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td></tr>
${row('一、本年新收政府信息公开申请数量', s.new)}
${row('二、上年结转政府信息公开申请数量', s.carried_over)}
${resultRows}
${row('（七）总计', sum, '<td colspan="2">（七）总计</td>')}
${row('四、结转下年度继续办理', fwd)}
</tbody>
</table>
<p><strong>四、政府信息公开行政复议、行政诉讼情况</strong></p>
<table border="1" cellspacing="0" cellpadding="0">
<tbody>
<tr><td colspan="5">行政复议</td><td colspan="10">行政诉讼</td></tr>
<tr><td rowspan="2">结果维持</td><td rowspan="2">结果纠正</td><td rowspan="2">其他结果</td><td rowspan="2">尚未审结</td><td rowspan="2">总计</td><td colspan="5">未经复议直接起诉</td><td colspan="5">复议后起诉</td></tr>
<tr><td>结果维持</td><td>结果纠正</td><td>其他结果</td><td>尚未审结</td><td>总计</td><td>结果维持</td><td>结果纠正</td><td>其他结果</td><td>尚未审结</td><td>总计</td></tr>
<tr>${t4.map((v) => `<td>${v}</td>`).join('')}</tr>
</tbody>
</table>
<p><strong>五、存在的主要问题及改进情况</strong></p>
<p>公开内容的深度和广度还需进一步拓展。</p>
<p><strong>六、其他需要报告的事项</strong></p>
<p>本年度未收取信息处理费。</p>
<p>${s.agency}</p>
<p>${s.year + 1}年1月20日</p>
</body>
</html>
`;
  return { html, figures };
}

const here = dirname(fileURLToPath(import.meta.url));
for (const s of SERIES) {
  const { html, figures } = build(s);
  writeFileSync(join(here, s.file + '.html'), html);
  writeFileSync(
    join(here, s.file + '.expected.json'),
    JSON.stringify(
      {
        agency: s.agency,
        agency_identity: '西华县文化广电和旅游局',
        year: s.year,
        version: '2021',
        status: 'ok',
        figures,
        checks_after_series: s.expect,
        notes: 'sample series (samples/series/generate.ts): one body across three years; see the generator for what is broken on purpose',
      },
      null,
      1,
    ) + '\n',
  );
}
