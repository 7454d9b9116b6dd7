/**
 * Writes the sample PDF reports of samples/pdf/: an HTML report per sample (figures chosen here,
 * distinct per cell so a misplaced number is caught), printed to PDF with Debian's chromium, and
 * the expected JSON written FROM THE FIGURES PUT IN (never from the tool's output). The PDFs are
 * committed so tests need no browser.
 *
 *   npx tsx scripts/make-pdf-samples.ts            # all samples
 *   npx tsx scripts/make-pdf-samples.ts NAME ...   # some
 *
 * Samples:
 *  - pdf-2021-repeat-header: 2021 template, ruled tables; table 3 runs over a page break with its
 *    header repeated (thead); narrow columns wrap labels over 2-3 lines, 三、本年度办理结果 is set one
 *    character per line, 商业/企业 header words split; Article 20 as one ruled table with caption rows.
 * - pdf-2021-no-repeat: 2021 template; several tables per page with captions above; table 3 split
 *   over a forced page break WITHOUT the header repeated, a page number `— 2 —` between; table 4 does
 *   not add up (litigation_direct.total fails).
 * - pdf-2019-no-lines: 2019 template (本年新制作数量…, 上一年项目数量/本年增/减, 政府集中采购, one row
 *   （六）其他处理); every table drawn with no ruling lines at all, the multi-level headers of tables
 *   3 and 4 (申请人情况 / 法人或其他组织, 行政复议 / 行政诉讼 / 未经复议直接起诉) included.
 * - pdf-scan: page 1 of pdf-2021-repeat-header rendered to a 50 dpi image and wrapped back into a PDF:
 *   no text layer.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { allKeys, requestRows, TEMPLATE_REQUEST_GROUP_LABELS, TEMPLATE_REQUEST_ROW_LABELS, type Version } from '../src/keys.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'samples/pdf');

type Figures = Record<string, number>;

const APPL = ['natural', 'commercial', 'research', 'social', 'legal', 'other_org'] as const;

/** Table 3 figures: distinct per cell, consistent (row sums, column totals, balance). */
function requestFigures(version: Version, seed: number): Figures {
  const rows = requestRows(version);
  const result = rows.filter((r) => !['new', 'carried_over', 'total', 'carried_forward'].includes(r));
  const f: Figures = {};
  result.forEach((r, i) => APPL.forEach((c, j) => (f[`requests.${r}.${c}`] = (j + 1) * 100 + i * 3 + seed)));
  APPL.forEach((c, j) => {
    const total = result.reduce((s, r) => s + f[`requests.${r}.${c}`], 0);
    f[`requests.total.${c}`] = total;
    f[`requests.carried_over.${c}`] = 11 + 2 * j + seed;
    f[`requests.carried_forward.${c}`] = 23 + 3 * j + seed;
    f[`requests.new.${c}`] = total + f[`requests.carried_forward.${c}`] - f[`requests.carried_over.${c}`];
  });
  for (const r of rows) f[`requests.${r}.total`] = APPL.reduce((s, c) => s + f[`requests.${r}.${c}`], 0);
  return f;
}

function litigationFigures(seed: number, breakDirectTotal: boolean): Figures {
  const f: Figures = {};
  ['review', 'litigation_direct', 'litigation_after_review'].forEach((g, gi) => {
    const vals = [3, 5, 7, 9].map((v) => v + gi * 10 + seed);
    ['upheld', 'corrected', 'other', 'pending'].forEach((c, ci) => (f[`${g}.${c}`] = vals[ci]));
    f[`${g}.total`] = vals.reduce((a, b) => a + b, 0);
  });
  if (breakDirectTotal) f['litigation_direct.total'] += 4;
  return f;
}

function complete(version: Version, f: Figures): Figures {
  const out: Figures = {};
  for (const k of allKeys(version)) {
    if (!(k in f)) throw new Error(`sample figures lack ${k}`);
    out[k] = f[k];
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// HTML

const STYLE = `
@page { size: A4; margin: 18mm 18mm 20mm 18mm; }
body { font-family: "Noto Sans CJK SC", "WenQuanYi Zen Hei", sans-serif; font-size: 12pt; line-height: 1.6; }
h1 { font-size: 18pt; text-align: center; font-weight: bold; margin: 0 0 14pt; }
h2 { font-size: 14pt; font-weight: bold; margin: 12pt 0 6pt; }
p { margin: 0 0 6pt; text-indent: 2em; }
p.cap { text-indent: 0; text-align: center; margin: 8pt 0 4pt; }
p.pageno { text-indent: 0; text-align: center; margin-top: 24pt; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; margin-bottom: 8pt; }
td, th { font-size: 9.5pt; font-weight: normal; text-align: center; vertical-align: middle; padding: 3pt 2pt; line-height: 1.3; }
table.ruled td, table.ruled th { border: 1px solid #000; }
table.bare td, table.bare th { border: none; padding: 3pt 4pt; }
td.l { text-align: left; }
.brk { page-break-before: always; }
`;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

function page(title: string, body: string): string {
  return `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>${esc(title)}</title><style>${STYLE}</style></head><body>\n${body}\n</body></html>\n`;
}

const FILLER = [
  '过去一年，本机关坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《中华人民共和国政府信息公开条例》，围绕中心工作，不断深化政务公开，持续提升政府信息公开工作质量和实效。',
  '在主动公开方面，依托政府门户网站、政务新媒体等平台，及时发布政策文件、规划计划、财政预决算、重大项目等信息，做好政策解读和回应关切，进一步提升公开的针对性和实效性。',
  '在依申请公开方面，严格落实受理、登记、审核、答复等工作流程，规范答复文书格式，按照法定时限答复申请人，切实保障人民群众的知情权、参与权、表达权和监督权。',
  '在政府信息管理方面，健全信息发布审核机制，严格执行“先审后发”和保密审查制度，对已公开信息开展动态梳理，确保公开内容准确规范、安全可控。',
];

const val = (f: Figures, k: string) => String(f[k]);

function td(text: string, attrs = ''): string {
  return `<td${attrs ? ' ' + attrs : ''}>${esc(text)}</td>`;
}

function art20_2021(f: Figures, tableClass: string, mode: 'one-table' | 'separate'): string {
  const sections: { cap: string; head: string[]; rows: [string, string[]][] }[] = [
    { cap: '第二十条第（一）项', head: ['信息内容', '本年制发件数', '本年废止件数', '现行有效件数'], rows: [['规章', ['art20.rules.issued', 'art20.rules.repealed', 'art20.rules.in_force']], ['行政规范性文件', ['art20.normative.issued', 'art20.normative.repealed', 'art20.normative.in_force']]] },
    { cap: '第二十条第（五）项', head: ['信息内容', '本年处理决定数量'], rows: [['行政许可', ['art20.licensing.decisions']]] },
    { cap: '第二十条第（六）项', head: ['信息内容', '本年处理决定数量'], rows: [['行政处罚', ['art20.penalty.decisions']], ['行政强制', ['art20.coercion.decisions']]] },
    { cap: '第二十条第（八）项', head: ['信息内容', '本年收费金额（单位：万元）'], rows: [['行政事业性收费', ['art20.fees.amount']]] },
  ];
  if (mode === 'one-table') {
    let h = `<table class="${tableClass}"><colgroup><col style="width:31%"><col style="width:23%"><col style="width:23%"><col style="width:23%"></colgroup>`;
    for (const s of sections) {
      h += `<tr>${td(s.cap, 'colspan="4"')}</tr>`;
      const span = s.head.length === 2 ? ' colspan="3"' : '';
      h += `<tr>${td(s.head[0])}${s.head.slice(1).map((x) => td(x, span.trim())).join('')}</tr>`;
      for (const [label, keys] of s.rows) h += `<tr>${td(label)}${keys.map((k) => td(val(f, k), span.trim())).join('')}</tr>`;
    }
    return h + '</table>';
  }
  let h = '';
  for (const s of sections) {
    h += `<p class="cap">${s.cap}</p><table class="${tableClass}">`;
    h += `<tr>${s.head.map((x) => td(x)).join('')}</tr>`;
    for (const [label, keys] of s.rows) h += `<tr>${td(label)}${keys.map((k) => td(val(f, k))).join('')}</tr>`;
    h += '</table>';
  }
  return h;
}

function art20_2019(f: Figures, tableClass: string): string {
  const sections: { cap: string; head: string[]; rows: [string, string[]][] }[] = [
    { cap: '第二十条第（一）项', head: ['信息内容', '本年新制作数量', '本年新公开数量', '对外公开总数量'], rows: [['规章', ['art20.rules.made', 'art20.rules.published', 'art20.rules.public_total']], ['规范性文件', ['art20.normative.made', 'art20.normative.published', 'art20.normative.public_total']]] },
    { cap: '第二十条第（五）项', head: ['信息内容', '上一年项目数量', '本年增/减', '处理决定数量'], rows: [['行政许可', ['art20.licensing.prev_items', 'art20.licensing.delta', 'art20.licensing.decisions']], ['其他对外管理服务事项', ['art20.other_services.prev_items', 'art20.other_services.delta', 'art20.other_services.decisions']]] },
    { cap: '第二十条第（六）项', head: ['信息内容', '上一年项目数量', '本年增/减', '处理决定数量'], rows: [['行政处罚', ['art20.penalty.prev_items', 'art20.penalty.delta', 'art20.penalty.decisions']], ['行政强制', ['art20.coercion.prev_items', 'art20.coercion.delta', 'art20.coercion.decisions']]] },
    { cap: '第二十条第（八）项', head: ['信息内容', '上一年项目数量', '本年增/减'], rows: [['行政事业性收费', ['art20.fees.prev_items', 'art20.fees.delta']]] },
    { cap: '第二十条第（九）项', head: ['信息内容', '采购项目数量', '采购总金额'], rows: [['政府集中采购', ['art20.procurement.items', 'art20.procurement.amount']]] },
  ];
  let h = '';
  for (const s of sections) {
    h += `<p class="cap">${s.cap}</p><table class="${tableClass}"><colgroup><col style="width:34%">${s.head.slice(1).map(() => `<col style="width:${66 / (s.head.length - 1)}%">`).join('')}</colgroup>`;
    h += `<tr>${s.head.map((x) => td(x)).join('')}</tr>`;
    for (const [label, keys] of s.rows) h += `<tr>${td(label)}${keys.map((k) => td(val(f, k))).join('')}</tr>`;
    h += '</table>';
  }
  return h;
}


interface T3Opts {
  tableClass: string;
  /** Column widths (%) of the 3 label columns; the 7 value columns share the rest. */
  labelWidths: [number, number, number];
  /** Put the header in <thead> (Chromium repeats it on every page). */
  thead: boolean;
  /** Split into two tables after this row key, with this HTML between (page number, break). */
  splitAfter?: string;
  between?: string;
  /** One header row (自然人 … 总计), without the 申请人情况 / 法人或其他组织 group rows. */
  flatHeader?: boolean;
}

function table3(version: Version, f: Figures, o: T3Opts): string {
  const rows = requestRows(version);
  const [w1, w2, w3] = o.labelWidths;
  const wv = (100 - w1 - w2 - w3) / 7;
  const colgroup = `<colgroup><col style="width:${w1}%"><col style="width:${w2}%"><col style="width:${w3}%">${`<col style="width:${wv}%">`.repeat(7)}</colgroup>`;
  const head = o.flatHeader
    ? `<tr>${td('项目', 'colspan="3"')}${['自然人', '商业企业', '科研机构', '社会公益组织', '法律服务机构', '其他', '总计'].map((x) => td(x)).join('')}</tr>`
    : `<tr>${td('（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）', 'colspan="3" rowspan="3"')}${td('申请人情况', 'colspan="7"')}</tr>` +
    `<tr>${td('自然人', 'rowspan="2"')}${td('法人或其他组织', 'colspan="5"')}${td('总计', 'rowspan="2"')}</tr>` +
    `<tr>${['商业企业', '科研机构', '社会公益组织', '法律服务机构', '其他'].map((x) => td(x)).join('')}</tr>`;
  const values = (r: string) => [...APPL, 'total'].map((c) => td(val(f, `requests.${r}.${c}`))).join('');
  const resultRows = rows.filter((r) => !['new', 'carried_over', 'carried_forward'].includes(r));
  const splitIdx = o.splitAfter ? rows.indexOf(o.splitAfter) : -1;
  // rows of each part, to size the rowspans of the group cells within a part
  const parts: string[][] = splitIdx >= 0 ? [rows.slice(0, splitIdx + 1), rows.slice(splitIdx + 1)] : [rows];
  const html: string[] = [];
  parts.forEach((partRows, pi) => {
    let h = `<table class="${o.tableClass}${pi > 0 ? ' brk' : ''}">${colgroup}`;
    if (pi === 0) h += o.thead ? `<thead>${head}</thead><tbody>` : `<tbody>${head}`;
    else h += '<tbody>';
    const inResult = partRows.filter((r) => resultRows.includes(r));
    let outerDone = false;
    const groupDone = new Set<string>();
    for (const r of partRows) {
      let tr = '<tr>';
      if (r === 'new') tr += td('一、本年新收政府信息公开申请数量', 'colspan="3" class="l"');
      else if (r === 'carried_over') tr += td('二、上年结转政府信息公开申请数量', 'colspan="3" class="l"');
      else if (r === 'carried_forward') tr += td('四、结转下年度继续办理', 'colspan="3" class="l"');
      else {
        if (!outerDone) {
          tr += td(pi === 0 ? '三、本年度办理结果' : '', `rowspan="${inResult.length}"`);
          outerDone = true;
        }
        const g = r.split('.')[0];
        if (r === 'granted') tr += td('（一）予以公开', 'colspan="2" class="l"');
        else if (r === 'partial') tr += td('（二）部分公开（区分处理的，只计这一情形，不计其他情形）', 'colspan="2" class="l"');
        else if (r === 'other') tr += td('（六）其他处理', 'colspan="2" class="l"');
        else if (r === 'total') tr += td('（七）总计', 'colspan="2" class="l"');
        else {
          if (!groupDone.has(g)) {
            const n = inResult.filter((x) => x.startsWith(g + '.')).length;
            const firstOfGroup = rows.find((x) => x.startsWith(g + '.'));
            tr += td(firstOfGroup === r ? TEMPLATE_REQUEST_GROUP_LABELS[g] : '', `rowspan="${n}"`);
            groupDone.add(g);
          }
          tr += td(TEMPLATE_REQUEST_ROW_LABELS[r], 'class="l"');
        }
      }
      tr += values(r) + '</tr>';
      h += tr;
    }
    html.push(h + '</tbody></table>');
  });
  return html.join(o.between ?? '');
}

function table4(f: Figures, tableClass: string): string {
  const cols = ['结果维持', '结果纠正', '其他结果', '尚未审结', '总计'];
  let h = `<table class="${tableClass}">`;
  h += `<tr>${td('行政复议', 'colspan="5"')}${td('行政诉讼', 'colspan="10"')}</tr>`;
  h += `<tr>${cols.map((c) => td(c, 'rowspan="2"')).join('')}${td('未经复议直接起诉', 'colspan="5"')}${td('复议后起诉', 'colspan="5"')}</tr>`;
  h += `<tr>${cols.map((c) => td(c)).join('')}${cols.map((c) => td(c)).join('')}</tr>`;
  const keys = ['review', 'litigation_direct', 'litigation_after_review'].flatMap((g) => ['upheld', 'corrected', 'other', 'pending', 'total'].map((c) => `${g}.${c}`));
  h += `<tr>${keys.map((k) => td(val(f, k))).join('')}</tr>`;
  return h + '</table>';
}

function prose(agency: string, year: number, paragraphs: number): string {
  let h = `<p>本报告由${agency}根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和相关规定要求编制。报告中所列数据统计期限自${year}年1月1日起至${year}年12月31日止。</p>`;
  h += '<h2>一、总体情况</h2>';
  for (let i = 0; i < paragraphs; i++) h += `<p>${FILLER[i % FILLER.length]}</p>`;
  return h;
}

function tail(): string {
  return '<h2>五、存在的主要问题及改进情况</h2><p>政府信息公开工作仍存在公开内容不够全面、解读回应不够及时等问题。下一步将进一步完善制度机制，加强队伍建设，不断提升公开质量。</p><h2>六、其他需要报告的事项</h2><p>本年度未收取信息处理费。</p>';
}

interface Sample {
  name: string;
  agency: string;
  year: number;
  version: Version;
  figures: Figures;
  fails: string[];
  html: string;
}

function samples(): Sample[] {
  const out: Sample[] = [];
  {
    const agency = '清河县交通运输局';
    const year = 2022;
    const f: Figures = {
      'art20.rules.issued': 2, 'art20.rules.repealed': 1, 'art20.rules.in_force': 13,
      'art20.normative.issued': 17, 'art20.normative.repealed': 4, 'art20.normative.in_force': 56,
      'art20.licensing.decisions': 1234, 'art20.penalty.decisions': 567, 'art20.coercion.decisions': 89,
      'art20.fees.amount': 12.3456,
      ...requestFigures('2021', 1),
      ...litigationFigures(0, false),
    };
    const title = `${agency}${year}年政府信息公开工作年度报告`;
    const body =
      `<h1>${title}</h1>` + prose(agency, year, 4) +
      '<h2>二、主动公开政府信息情况</h2>' + art20_2021(f, 'ruled', 'one-table') +
      '<h2>三、收到和处理政府信息公开申请情况</h2>' +
      table3('2021', f, { tableClass: 'ruled', labelWidths: [4, 9, 15], thead: true }) +
      '<h2>四、政府信息公开行政复议、行政诉讼情况</h2>' + table4(f, 'ruled') + tail();
    out.push({ name: 'pdf-2021-repeat-header', agency, year, version: '2021', figures: complete('2021', f), fails: [], html: page(title, body) });
  }
  {
    const agency = '临水县自然资源局';
    const year = 2021;
    const f: Figures = {
      'art20.rules.issued': 3, 'art20.rules.repealed': 5, 'art20.rules.in_force': 21,
      'art20.normative.issued': 8, 'art20.normative.repealed': 6, 'art20.normative.in_force': 47,
      'art20.licensing.decisions': 2468, 'art20.penalty.decisions': 135, 'art20.coercion.decisions': 79,
      'art20.fees.amount': 305.75,
      ...requestFigures('2021', 2),
      ...litigationFigures(1, true),
    };
    const title = `${agency}${year}年政府信息公开工作年度报告`;
    const body =
      `<h1>${title}</h1>` + prose(agency, year, 2) +
      '<h2>二、主动公开政府信息情况</h2>' + art20_2021(f, 'ruled', 'separate') +
      '<h2>三、收到和处理政府信息公开申请情况</h2>' +
      table3('2021', f, {
        tableClass: 'ruled', labelWidths: [8, 12, 20], thead: false, splitAfter: 'unable.not_held',
        between: '<p class="pageno">— 2 —</p>',
      }) +
      '<h2>四、政府信息公开行政复议、行政诉讼情况</h2>' + table4(f, 'ruled') + tail();
    out.push({ name: 'pdf-2021-no-repeat', agency, year, version: '2021', figures: complete('2021', f), fails: ['litigation_direct.total'], html: page(title, body) });
  }
  {
    const agency = '青山县教育局';
    const year = 2020;
    const f: Figures = {
      'art20.rules.made': 1, 'art20.rules.published': 2, 'art20.rules.public_total': 14,
      'art20.normative.made': 6, 'art20.normative.published': 5, 'art20.normative.public_total': 38,
      'art20.licensing.prev_items': 27, 'art20.licensing.delta': -3, 'art20.licensing.decisions': 412,
      'art20.other_services.prev_items': 19, 'art20.other_services.delta': 4, 'art20.other_services.decisions': 233,
      'art20.penalty.prev_items': 31, 'art20.penalty.delta': 2, 'art20.penalty.decisions': 58,
      'art20.coercion.prev_items': 9, 'art20.coercion.delta': -1, 'art20.coercion.decisions': 16,
      'art20.fees.prev_items': 7, 'art20.fees.delta': 1,
      'art20.procurement.items': 43, 'art20.procurement.amount': 876.5,
      ...requestFigures('2019', 3),
      ...litigationFigures(2, false),
    };
    const title = `${agency}${year}年政府信息公开工作年度报告`;
    const body =
      `<h1>${title}</h1>` + prose(agency, year, 1) +
      '<h2>二、主动公开政府信息情况</h2>' + art20_2019(f, 'bare') +
      '<h2 class="brk">三、收到和处理政府信息公开申请情况</h2>' +
      table3('2019', f, { tableClass: 'bare', labelWidths: [13, 11, 26], thead: false }) +
      '<h2>四、政府信息公开行政复议、行政诉讼情况</h2>' + table4(f, 'bare') + tail();
    out.push({ name: 'pdf-2019-no-lines', agency, year, version: '2019', figures: complete('2019', f), fails: [], html: page(title, body) });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

export function chromiumPrint(htmlPath: string, pdfPath: string): void {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'nianbao-chromium-'));
  try {
    execFileSync('chromium', [
      '--headless', '--no-sandbox', '--disable-gpu', '--no-pdf-header-footer', '--disable-background-networking',
      '--disable-component-update', '--no-first-run', `--user-data-dir=${profile}`, `--print-to-pdf=${pdfPath}`,
      'file://' + htmlPath,
    ], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 120_000 });
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

function writeExpected(name: string, e: object): void {
  writeFileSync(path.join(OUT, `${name}.expected.json`), JSON.stringify(e, null, 1) + '\n');
}

function main(): void {
  mkdirSync(OUT, { recursive: true });
  const only = process.argv.slice(2);
  const want = (n: string) => !only.length || only.includes(n);
  for (const s of samples()) {
    if (!want(s.name) && !(s.name === 'pdf-2021-repeat-header' && want('pdf-scan'))) continue;
    const htmlPath = path.join(OUT, `${s.name}.html`);
    writeFileSync(htmlPath, s.html);
    chromiumPrint(htmlPath, path.join(OUT, `${s.name}.pdf`));
    writeExpected(s.name, { agency: s.agency, year: s.year, version: s.version, figures: s.figures, fails: s.fails, status: 'ok' });
    console.log(`wrote samples/pdf/${s.name}.pdf`);
  }
  if (want('pdf-scan')) {
    // a scan: page 1 of a sample as a 50 dpi image, wrapped back into a PDF with no text
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'nianbao-scan-'));
    try {
      execFileSync('pdftoppm', ['-r', '50', '-png', '-f', '1', '-l', '1', path.join(OUT, 'pdf-2021-repeat-header.pdf'), path.join(tmp, 'page')]);
      const png = readdirSync(tmp).find((f) => f.endsWith('.png'))!;
      const data = readFileSync(path.join(tmp, png)).toString('base64');
      const html = `<!DOCTYPE html><html><head><meta charset="utf-8"><style>@page { size: A4; margin: 0 } body { margin: 0 } img { width: 210mm; height: 296mm; display: block }</style></head><body><img src="data:image/png;base64,${data}"></body></html>`;
      const htmlPath = path.join(OUT, 'pdf-scan.html');
      writeFileSync(htmlPath, html);
      chromiumPrint(htmlPath, path.join(OUT, 'pdf-scan.pdf'));
      writeExpected('pdf-scan', { agency: null, year: null, version: null, figures: {}, fails: [], status: 'no_tables' });
      console.log('wrote samples/pdf/pdf-scan.pdf');
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
}

// run as a script (scripts/make-pdf-wrap-fixture.ts imports chromiumPrint from here)
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
