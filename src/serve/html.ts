/**
 * HTML for the review page, in Chinese: string templates with every value escaped. Nothing here runs
 * script: the pages work with plain links, forms and accesskey attributes, and are served with a CSP
 * that forbids scripts, so a report whose text holds `<script>` shows it as text.
 */
import { REQUEST_COLS, requestRows, LITIGATION_GROUPS, LITIGATION_COLS, ART20_KEYS, type Version } from '../keys.js';
import type { Finding } from '../review/findings.js';
import type { StoredQueueItem } from '../review/stored-findings.js';
import { isBlankCell } from '../review/findings.js';
import {
  checkZh, DECISION_ZH, FAMILIES, FAMILY_ZH, figuresZh, KIND_ZH, keyPlaceZh, keyZh, LIT_COL_ZH, LIT_GROUP_ZH, REPORT_STATUS_ZH,
  REQUEST_COL_ZH, requestRowZh, STATE_ZH, STATUS_ZH, TABLE_TITLE_ZH,
} from '../review/labels-zh.js';
import type { EvidenceCell, FlaggedCheck } from '../review/workflow.js';
import { esc } from './esc.js';
import { placeHtml, regionSelects, regionTrail } from './places-html.js';
import { regionParams, type RegionNav } from './region.js';
import { placeLabel, type ReportPlaceRow } from '../places/query.js';

export { esc };

function num(v: number | null | undefined): string {
  if (v === null || v === undefined) return '—';
  return String(Math.round(v * 10000) / 10000);
}

const STYLE = `
body{font-family:"Noto Sans CJK SC","WenQuanYi Zen Hei",sans-serif;margin:0;color:#222;background:#fafafa}
header{background:#243b53;color:#fff;padding:.6em 1em;display:flex;gap:1.2em;align-items:center;flex-wrap:wrap}header a{color:#fff}
header form{display:inline;margin-left:auto}
main{padding:1em}
table{border-collapse:collapse;margin:.5em 0;background:#fff}
td,th{border:1px solid #ccc;padding:2px 6px;font-size:13px;vertical-align:top}
th{background:#eef;text-align:left;font-weight:normal}
td.num{text-align:right}
td.bad{background:#ffd2d2;outline:2px solid #d00}
td.warn{background:#fff1c2;outline:2px solid #c90}
td.cur{outline:3px solid #06c}
.cols{display:flex;gap:1em;align-items:flex-start}
.cols>section{flex:1;min-width:0;overflow:auto}
.finding{border:1px solid #ccc;background:#fff;padding:.5em;margin:.5em 0}
.finding.fail{border-left:5px solid #d00}.finding.warn{border-left:5px solid #c90}
.finding.current{box-shadow:0 0 0 3px #06c}
.finding h3{margin:.1em 0;font-size:16px}
small.id,code.id{color:#777;font-size:11px}
.state-open{color:#d00}.state-reopened{color:#c60;font-weight:bold}.state-closed{color:#070}
.evidence{background:#f4f4f4;padding:.3em;white-space:pre-wrap}
ul.cells{margin:.3em 0;padding-left:1.2em}
details{display:inline}details summary{cursor:pointer;color:#06c;font-size:12px}
iframe{width:100%;height:80vh;border:1px solid #999;background:#fff}
pre.src{white-space:pre-wrap;background:#fff;border:1px solid #999;padding:.5em;max-height:80vh;overflow:auto}
pre.src .hl{background:#ffd2d2}
.page{position:relative;display:inline-block;border:1px solid #999}
.page img{display:block}
.page svg.boxes{position:absolute;left:0;top:0}
.box{fill:rgba(255,0,0,.15);stroke:#d00;stroke-width:2}
form.filters input,form.filters select{margin-right:.5em}
form.decide{margin-top:.4em}
.keys{background:#eef6ff;border:1px solid #9bd;padding:.3em .6em;font-size:13px}
kbd{border:1px solid #999;border-radius:3px;padding:0 3px;background:#fff;font-size:12px}
.pager a,.pager b{margin-right:.6em}
p.trail a.down{margin-right:.4em}
#place h3{margin:.4em 0 0;font-size:15px}table.place ul{margin:0;padding-left:1.2em}
svg.chart{background:#fff;border:1px solid #ddd;margin:.5em 0;max-width:100%}
`;

export interface PageUser {
  /** The signed-in reviewer, null when not signed in. */
  name: string | null;
  /** The form token for this page's forms. */
  token: string;
  /** Whether the server has sign-in (then the header shows 登录/退出). */
  login: boolean;
}

export function layout(title: string, body: string, user?: PageUser): string {
  const who = user?.login
    ? user.name
      ? `<form method="post" action="/signout"><input type="hidden" name="csrf" value="${esc(user.token)}">审核人 <b class="who">${esc(user.name)}</b> <button type="submit">退出</button></form>`
      : `<a href="/signin">登录</a>`
    : '';
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>${esc(title)}</title><style>${STYLE}</style></head>
<body><header><a href="/" accesskey="l">待审清单</a><a href="/overview" accesskey="o">总览</a><span>${esc(title)}</span>${who}</header><main>${body}</main></body></html>`;
}

export interface ListFilters {
  agency?: string;
  /** The region by the divisions (src/serve/region.ts): codes chosen per level, province=none for 未定位. */
  province?: string;
  city?: string;
  county?: string;
  /** A free text: a division's name at any level, a code, or 未定位. */
  region?: string;
  year?: string;
  family?: string;
  status?: string;
  state?: string;
  page?: string;
}

function option(value: string, label: string, selected: string | undefined): string {
  return `<option value="${esc(value)}"${selected === value ? ' selected' : ''}>${esc(label)}</option>`;
}

export function filterQuery(f: ListFilters, extra: Record<string, string> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...f, ...extra })) if (v) q.set(k, v);
  const s = q.toString();
  return s ? '?' + s : '';
}

/** The state of a finding in Chinese. */
function stateZh(s: string): string {
  return s === 'note' ? '说明' : (STATE_ZH[s] ?? s);
}


/**
 * The queue page. `items` are the findings of page `f.page` only (the queue is paged in SQL:
 * src/review/stored-findings.ts queuePage); `total` counts the whole filtered queue.
 */
export function listPage(items: StoredQueueItem[], f: ListFilters, years: number[], total: { open: number; all: number }, user: PageUser, nav: RegionNav, PAGE_SIZE = 30): string {
  const page = Math.max(1, Math.floor(Number(f.page)) || 1);
  const pages = Math.max(1, Math.ceil(total.all / PAGE_SIZE));
  const shown = items;
  const form = `<form class="filters" method="get" action="/">
  ${regionSelects(nav)} <label>地名或代码 <input name="region" value="${esc(f.region)}" size="10" placeholder="如 淮安、411622"></label>
  <label>机关 <input name="agency" value="${esc(f.agency)}" size="12"></label>
  <label>年度 <select name="year">${option('', '全部', f.year)}${years.map((y) => option(String(y), String(y), f.year)).join('')}</select></label>
  <label>核对类别 <select name="family">${option('', '全部', f.family)}${FAMILIES.map((c) => option(c, FAMILY_ZH[c]!, f.family)).join('')}</select></label>
  <label>严重程度 <select name="status">${option('', '不符和提示', f.status)}${option('fail', '不符', f.status)}${option('warn', '提示', f.status)}</select></label>
  <label>审核状态 <select name="state">${option('', '全部', f.state)}${option('open', '待审', f.state)}${option('reopened', '重新待审', f.state)}${option('closed', '已处理', f.state)}</select></label>
  <button type="submit">筛选</button></form>`;
  const firstOpen = shown.find((i) => i.finding.state === 'open' || i.finding.state === 'reopened');
  const rows = shown
    .map((i) => {
      const fd = i.finding;
      const href = `/report/${fd.report_id}?f=${encodeURIComponent(fd.id)}#${findingAnchor(fd.id)}`;
      return `<tr data-report="${fd.report_id}" data-finding="${esc(fd.id)}" class="st-${esc(fd.status)}"><td><a href="${esc(href)}"${i === firstOpen ? ' accesskey="j"' : ''}>${esc(fd.title)}</a><br><small class="id">${esc(fd.checks.slice(0, 3).map((c) => c.check_id).join(' ') || fd.id)}${fd.checks.length > 3 ? ` 等 ${fd.checks.length} 项` : ''}</small></td>
<td class="agency">${esc(i.agency ?? '（机关不详）')}</td><td>${esc(i.region ?? '')}</td><td>${esc(i.year ?? '?')}</td>
<td>${esc(STATUS_ZH[fd.status])}</td><td class="num">${esc(num(fd.discrepancy))}</td><td class="num">${fd.checks.length}</td><td class="state state-${esc(fd.state)}">${esc(stateZh(fd.state))}</td></tr>`;
    })
    .join('\n');
  // the first and last pages and those near this one (a national queue has thousands of pages)
  const near = [...new Set([1, 2, page - 3, page - 2, page - 1, page, page + 1, page + 2, page + 3, pages - 1, pages])].filter((p) => p >= 1 && p <= pages).sort((a, b) => a - b);
  const pager = pages > 1
    ? `<p class="pager">${near
        .map((p, k) => (k > 0 && p > near[k - 1]! + 1 ? '<span>…</span>' : '') + (p === page ? `<b>第 ${p} 页</b>` : `<a href="/${esc(filterQuery(f, { page: String(p) }))}"${p === page + 1 ? ' accesskey="n" rel="next"' : ''}>第 ${p} 页</a>`))
        .join('')}（共 ${pages} 页）</p>`
    : '';
  const exportQ = filterQuery({ ...regionParams(nav.choice), agency: f.agency });
  const keep = { agency: f.agency, year: f.year, family: f.family, status: f.status, state: f.state };
  return layout(
    '待审清单',
    `${form}${regionTrail(nav, '/', keep)}
<p class="keys">快捷键（Alt+字母，Firefox 为 Alt+Shift+字母）：<kbd>J</kbd> 审核第一条待审问题 · <kbd>N</kbd> 下一页 · <kbd>O</kbd> 总览 · <kbd>L</kbd> 回到清单</p>
<p>共 ${total.all} 个问题（其中待审 ${total.open} 个），按“待审在前、差额大者在前”排列。导出待审问题：<a href="/export.xlsx${esc(exportQ)}">Excel</a> · <a href="/export.csv${esc(exportQ)}">CSV</a></p>
<table id="queue"><thead><tr><th>问题</th><th>机关</th><th>地区</th><th>年度</th><th>严重程度</th><th>差额</th><th>核对项数</th><th>审核状态</th></tr></thead>
<tbody>${rows}</tbody></table>${pager}`,
    user,
  );
}

export interface ReportView {
  id: number;
  agency: string | null;
  identity: string | null;
  link_source: string | null;
  region: string | null;
  /** The report's place in the divisions (view report_places). */
  place?: ReportPlaceRow;
  year: number | null;
  version: string | null;
  status: string;
  kind: string | null;
  ocr: boolean;
  title: string | null;
  source: string;
  source_url: string | null;
  sha256: string;
  figures: Record<string, number | null>;
  printed: Record<string, string>;
  findings: Finding[];
  /** The finding the keys act on (the first open one unless chosen). */
  current: string | null;
  /** Where 下一条 goes: the next open finding after the current one. */
  next: string | null;
}

export function findingAnchor(id: string): string {
  return 'f-' + id.replace(/[^A-Za-z0-9_.-]/g, '_');
}

function cellHtml(key: string, label: string, v: ReportView, marks: Map<string, string>): string {
  if (!(key in v.figures)) return `<td class="num absent" data-key="${esc(key)}"></td>`;
  const cls = marks.get(key);
  const printed = v.printed[key];
  const shown = printed !== undefined && printed !== '' ? printed : printed === '' ? '' : num(v.figures[key]);
  return `<td class="num${cls ? ' ' + cls : ''}" data-key="${esc(key)}" title="${esc(label)} = ${esc(num(v.figures[key]))}（${esc(key)}）">${esc(shown)}</td>`;
}

/** The three tables as extracted (cells as printed), the cells of flagged findings marked, the current finding's cells outlined. */
export function tablesHtml(v: ReportView): string {
  const marks = new Map<string, string>();
  for (const f of v.findings) {
    for (const c of f.cells) if (c.report_id === v.id && c.present && !marks.has(c.key)) marks.set(c.key, f.status === 'fail' ? 'bad' : 'warn');
  }
  const cur = v.findings.find((f) => f.id === v.current);
  for (const c of cur?.cells ?? []) if (c.report_id === v.id && c.present) marks.set(c.key, (marks.get(c.key) ?? 'bad') + ' cur');
  const parts: string[] = [];
  const version: Version = v.version === '2019' ? '2019' : '2021';
  const art20 = ART20_KEYS[version].filter((k) => k in v.figures);
  if (art20.length) {
    parts.push(`<h3>表二 ${TABLE_TITLE_ZH[2]}</h3><table class="t2"><tbody>${art20
      .map((k) => `<tr><th>${esc(keyZh(k).row)}</th><th>${esc(keyZh(k).col)}</th>${cellHtml(k, keyPlaceZh(k), v, marks)}</tr>`)
      .join('')}</tbody></table>`);
  }
  const oneOther = Object.keys(v.figures).some((k) => k.startsWith('requests.other.') && !/requests\.other\.(no_correction|no_fee|other)\./.test(k));
  const rows = requestRows(version, oneOther);
  if (Object.keys(v.figures).some((k) => k.startsWith('requests.'))) {
    parts.push(`<h3>表三 ${TABLE_TITLE_ZH[3]}</h3><table class="t3"><thead><tr><th></th>${REQUEST_COLS.map((c) => `<th>${esc(REQUEST_COL_ZH[c])}</th>`).join('')}</tr></thead><tbody>${rows
      .map((r) => `<tr><th>${esc(requestRowZh(r))}</th>${REQUEST_COLS.map((c) => cellHtml(`requests.${r}.${c}`, keyPlaceZh(`requests.${r}.${c}`), v, marks)).join('')}</tr>`)
      .join('')}</tbody></table>`);
  }
  if (LITIGATION_GROUPS.some((g) => Object.keys(v.figures).some((k) => k.startsWith(g + '.')))) {
    parts.push(`<h3>表四 ${TABLE_TITLE_ZH[4]}</h3><table class="t4"><thead><tr><th></th>${LITIGATION_COLS.map((c) => `<th>${esc(LIT_COL_ZH[c])}</th>`).join('')}</tr></thead><tbody>${LITIGATION_GROUPS.map(
      (g) => `<tr><th>${esc(LIT_GROUP_ZH[g])}</th>${LITIGATION_COLS.map((c) => cellHtml(`${g}.${c}`, keyPlaceZh(`${g}.${c}`), v, marks)).join('')}</tr>`,
    ).join('')}</tbody></table>`);
  }
  return parts.join('\n') || '<p>没有读出表格。</p>';
}

/** Where a cell is, for the one-click detail: the DOM path, the page and box, the line, the image. */
export function whereText(c: EvidenceCell): string {
  if (!c.present) return '文件中没有这一格';
  const w = c.where ?? {};
  const parts: string[] = [];
  if (c.row_label || c.col_label) parts.push(`印在“${[c.row_label, c.col_label].filter(Boolean).join(' / ')}”下`);
  if (w.sheet) parts.push(`工作表 ${w.sheet}`);
  if (w.image) parts.push(`图片 ${w.image}`);
  if (w.page !== undefined) parts.push(`第 ${w.page} 页`);
  if (w.bbox) parts.push(`框 [${w.bbox.map((n: number) => Math.round(n * 10) / 10).join(', ')}]`);
  if (w.line !== undefined) parts.push(`第 ${w.line} 行`);
  if (w.domPath) parts.push(`DOM ${w.domPath}`);
  else if (w.table !== undefined && w.row !== undefined && w.col !== undefined) parts.push(`表格 ${w.table} 第 ${w.row + 1} 行第 ${w.col + 1} 格`);
  return parts.join('；');
}

/** 表三 · 三、本年度办理结果 （七）总计 · 自然人: 印「337」 (the place one click away). */
export function cellLine(c: EvidenceCell, reportId: number): string {
  const other = c.report_id !== reportId ? ` <a href="/report/${c.report_id}">上年报告 #${c.report_id}（${esc(c.year ?? '?')}）</a>` : '';
  const printed = !c.present ? '文件中没有这一格' : isBlankCell(c) ? '空白（未填写）' : `印「${esc(c.printed ?? '')}」${c.blank ? '（按 0 计）' : ''}`;
  const ocr = (c as EvidenceCell & { ocr?: boolean; confidence?: number | null }).ocr ? ' <small>（OCR 识别）</small>' : '';
  return `<li data-key="${esc(c.key)}">${esc(keyPlaceZh(c.key))}${other}: ${printed}${ocr} <details><summary>位置</summary><small>${esc(whereText(c))}</small> <code class="id">${esc(c.key)}</code></details></li>`;
}

function checkLine(c: FlaggedCheck): string {
  const z = checkZh(c.check_id);
  return `<li class="check" data-check="${esc(c.check_id)}">${esc(z.name)}：${esc(figuresZh(c.check_id, c.expected, c.actual))} <small class="id">${esc(c.check_id)}</small>${c.state !== 'open' ? ` <span class="state state-${esc(c.state)}">${esc(stateZh(c.state))}</span>` : ''}</li>`;
}

function decisionHtml(f: Finding): string {
  const reviews = [...new Map(f.checks.filter((c) => c.review).map((c) => [c.review!.id, c])).values()];
  if (!reviews.length) return '';
  const r = reviews[0]!.review!;
  return `<p class="decision">审核结论：<b>${esc(DECISION_ZH[r.decision] ?? r.decision)}</b>${r.decision === 'corrected' ? ` 为 ${esc(num(r.corrected_value))}` : ''}，审核人 ${esc(r.reviewer)}，${esc(r.decided_at)}：${esc(r.note)}${
    r.state === 'reopened' ? `<br><b>已重新待审</b>：${esc(r.reopened_reason ?? '')}` : ''
  }</p>`;
}

function findingHtml(f: Finding, v: ReportView, user: PageUser, sourceHref: (c: EvidenceCell) => string | null): string {
  const current = f.id === v.current;
  const ak = (k: string) => (current ? ` accesskey="${k}"` : '');
  const kb = (k: string) => (current ? ` <kbd>Alt+${k.toUpperCase()}</kbd>` : '');
  const cells = f.cells.filter((c, i, a) => a.findIndex((x) => x.key === c.key && x.report_id === c.report_id) === i);
  const shownCells = cells.slice(0, 40);
  const jump = cells.map(sourceHref).find((h) => h);
  const list = `<ul class="checks">${f.checks.map(checkLine).join('')}</ul>`;
  const checks = f.checks.length > 5 ? `<details class="checks"><summary>按 0 计时不符的 ${f.checks.length} 项核对</summary>${list}</details>` : f.checks.length > 1 || f.kind !== 'check' ? list : '';
  const arith = f.arithmetic.length
    ? `<p>按已印数字推算：${f.arithmetic.map((l) => `${esc(checkZh(l.check_id).name)}：推算 ${esc(num(l.expected))}，印 ${esc(num(l.actual))}，${l.ok ? '相符' : '<b>不符</b>'}`).join('；')}</p>`
    : '';
  const form = f.checks.length
    ? `<form class="decide" method="post" action="/report/${f.report_id}/decide">
<input type="hidden" name="csrf" value="${esc(user.token)}"><input type="hidden" name="finding" value="${esc(f.id)}">
${f.checks.map((c) => `<input type="hidden" name="check" value="${esc(c.check_id)}">`).join('')}
<input name="note" placeholder="说明（必填）" size="30" required${ak('m')}>${kb('m')}
${user.name ? '' : '<input name="by" placeholder="审核人" size="8">'}
<button type="submit" name="decision" value="confirmed"${ak('c')}>确认有误${kb('c')}</button>
<button type="submit" name="decision" value="dismissed"${ak('d')}>不是问题${kb('d')}</button>
${f.checks.length === 1 ? `<input name="value" placeholder="正确数字" size="8"${ak('v')}>${kb('v')} <button type="submit" name="decision" value="corrected"${ak('r')}>更正数字${kb('r')}</button>` : ''}
</form>`
    : '';
  return `<div class="finding ${esc(f.status)}${current ? ' current' : ''}" id="${esc(findingAnchor(f.id))}" data-finding="${esc(f.id)}" data-kind="${esc(f.kind)}">
<h3>${current ? '▶ ' : ''}<a href="/report/${f.report_id}?f=${esc(encodeURIComponent(f.id))}#${esc(findingAnchor(f.id))}">${esc(f.title)}</a></h3>
<span class="status">${esc(STATUS_ZH[f.status])}</span> · <span class="state state-${esc(f.state)}">${esc(stateZh(f.state))}</span> · 差额 ${esc(num(f.discrepancy))}
${jump ? ` · <a href="${esc(jump)}">在原文中查看</a>` : ''} <small class="id">${esc(f.id)}</small>
<p class="detail">${esc(f.detail)}</p>${arith}
${f.checks.some((c) => c.evidence) ? `<p class="evidence">“${esc(f.checks.find((c) => c.evidence)!.evidence)}”</p>` : ''}
${checks}
<ul class="cells">${shownCells.map((c) => cellLine(c, f.report_id)).join('')}${cells.length > shownCells.length ? `<li>……另 ${cells.length - shownCells.length} 格</li>` : ''}</ul>
${decisionHtml(f)}${form}</div>`;
}

/** The place on one line: 河南省 周口市 西华县 411622, else the region cut from the name. */
function placeLine(v: ReportView): string {
  const l = v.place ? placeLabel(v.place) : null;
  if (l) return `${l} ${v.place!.division_code}`;
  return v.region ? `${v.region}（未定位）` : '未定位';
}

export function reportPage(v: ReportView, source: string, user: PageUser, sourceHref: (c: EvidenceCell) => string | null, message?: string): string {
  const meta = `<p><b>${esc(v.agency ?? '（机关不详）')}</b> ${esc(v.year ?? '?')} 年度 · 跨年机关 ${esc(v.identity ?? '—')} · 地区 ${esc(placeLine(v))} ·
模板 ${esc(v.version ?? '—')} · ${esc(REPORT_STATUS_ZH[v.status] ?? v.status)} · ${esc(KIND_ZH[v.kind ?? ''] ?? v.kind ?? '')}${v.ocr ? '（OCR 识别）' : ''}<br>
<span class="title">${esc(v.title ?? '')}</span><br>
来源：${v.source_url ? `<a href="${esc(v.source_url)}" rel="noreferrer noopener">${esc(v.source_url)}</a>` : esc(v.source)} · sha256 <code class="id">${esc(v.sha256.slice(0, 16))}…</code></p>`;
  const msg = message ? `<p class="message">${esc(message)}</p>` : '';
  const link = `<form class="link" method="post" action="/report/${v.id}/link">
<input type="hidden" name="csrf" value="${esc(user.token)}">
跨年机关：<b class="identity">${esc(v.identity ?? '（未关联）')}</b>${v.link_source === 'manual' ? '（人工关联）' : ''} ·
<input name="agency" placeholder="机关名称，如 淮安市洪泽区人民政府" size="28" value="">
${user.name ? '' : '<input name="by" placeholder="审核人" size="8">'}
<button type="submit" name="action" value="link">关联到这个机关</button>
${v.link_source === 'manual' ? '<button type="submit" name="action" value="auto">恢复自动关联</button>' : ''}</form>`;
  const keys = `<p class="keys">快捷键（Alt+字母）：<kbd>M</kbd> 填写说明 · <kbd>C</kbd> 确认有误 · <kbd>D</kbd> 不是问题 · <kbd>V</kbd>/<kbd>R</kbd> 填写并提交正确数字 · <kbd>J</kbd> 下一条 · <kbd>L</kbd> 回到清单。作用于标 ▶ 的问题；提交后自动转到下一条待审问题。
${v.next ? `<a href="${esc(v.next)}" accesskey="j" rel="next">下一条 →</a>` : '没有更多待审问题'}</p>`;
  const findings = v.findings.length ? v.findings.map((f) => findingHtml(f, v, user, sourceHref)).join('\n') : '<p>没有不符或提示。</p>';
  return layout(
    `#${v.id} ${v.agency ?? ''} ${v.year ?? ''}`,
    `${msg}${meta}${placeHtml(v.place)}${link}${keys}<div class="cols"><section id="extracted"><h2>问题（${v.findings.length}）</h2>${findings}<h2>读出的表格</h2>${tablesHtml(v)}</section>
<section id="source"><h2>原文</h2>${source}</section></div>`,
    user,
  );
}

export function signinPage(token: string, message?: string, next = '/', name = ''): string {
  return layout(
    '登录',
    `${message ? `<p class="message">${esc(message)}</p>` : ''}<form method="post" action="/signin" class="signin">
<input type="hidden" name="csrf" value="${esc(token)}"><input type="hidden" name="next" value="${esc(next)}">
<p><label>审核人 <input name="name" autocomplete="username" value="${esc(name)}" required></label></p>
<p><label>密码 <input name="password" type="password" autocomplete="current-password" required></label></p>
<p><button type="submit">登录</button></p></form><p>账号由管理员用 <code>nianbao review user add 名字</code> 建立。</p>`,
  );
}

export function errorPage(status: number, message: string, user?: PageUser): string {
  return layout(String(status), `<p>${esc(message)}</p>`, user);
}
