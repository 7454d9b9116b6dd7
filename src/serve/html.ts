/**
 * HTML for the review page: string templates with every value escaped. Nothing here runs script:
 * the pages work with plain links and forms, and are served with a CSP that forbids scripts, so a
 * report whose text holds `<script>` shows it as text (and could not run it even if escaping failed).
 */
import { REQUEST_COLS, requestRows, LITIGATION_GROUPS, LITIGATION_COLS, type Version } from '../keys.js';
import type { FlaggedCheck, EvidenceCell } from '../review/workflow.js';
import { describeWhere, DECISIONS } from '../review/workflow.js';

/** Escapes text for HTML element content and double-quoted attribute values. */
export function esc(v: unknown): string {
  if (v === null || v === undefined) return '';
  return String(v)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function num(v: number | null | undefined): string {
  if (v === null || v === undefined) return '—';
  return String(Math.round(v * 10000) / 10000);
}

const STYLE = `
body{font-family:"Noto Sans CJK SC","WenQuanYi Zen Hei",sans-serif;margin:0;color:#222;background:#fafafa}
header{background:#243b53;color:#fff;padding:.6em 1em}header a{color:#fff}
main{padding:1em}
table{border-collapse:collapse;margin:.5em 0;background:#fff}
td,th{border:1px solid #ccc;padding:2px 6px;font-size:13px;vertical-align:top}
th{background:#eef}
td.num{text-align:right}
td.bad{background:#ffd2d2;outline:2px solid #d00}
td.warn{background:#fff1c2;outline:2px solid #c90}
.cols{display:flex;gap:1em;align-items:flex-start}
.cols>section{flex:1;min-width:0;overflow:auto}
.check{border:1px solid #ccc;background:#fff;padding:.5em;margin:.5em 0}
.check.fail{border-left:5px solid #d00}.check.warn{border-left:5px solid #c90}
.state-open{color:#d00}.state-reopened{color:#c60;font-weight:bold}.state-closed{color:#070}
.evidence{background:#f4f4f4;padding:.3em;white-space:pre-wrap}
iframe{width:100%;height:80vh;border:1px solid #999;background:#fff}
pre.src{white-space:pre-wrap;background:#fff;border:1px solid #999;padding:.5em;max-height:80vh;overflow:auto}
pre.src .hl{background:#ffd2d2}
.page{position:relative;display:inline-block;border:1px solid #999}
.page img{display:block}
.box{position:absolute;border:2px solid #d00;background:rgba(255,0,0,.15)}
form.filters input,form.filters select{margin-right:.5em}
form.decide{margin-top:.4em}
`;

export function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>${esc(title)}</title><style>${STYLE}</style></head>
<body><header><a href="/">nianbao review</a> · ${esc(title)}</header><main>${body}</main></body></html>`;
}

export interface ReportListItem {
  report_id: number;
  agency: string | null;
  agency_identity: string | null;
  region: string | null;
  year: number | null;
  failed: number;
  warned: number;
  open: number;
  checks: string[];
}

export interface ListFilters {
  agency?: string;
  region?: string;
  year?: string;
  check?: string;
  status?: string;
  state?: string;
}

function option(value: string, label: string, selected: string | undefined): string {
  return `<option value="${esc(value)}"${selected === value ? ' selected' : ''}>${esc(label)}</option>`;
}

export function listPage(items: ReportListItem[], f: ListFilters, years: number[], checkIds: string[]): string {
  const form = `<form class="filters" method="get" action="/">
  <label>Agency <input name="agency" value="${esc(f.agency)}"></label>
  <label>Region <input name="region" value="${esc(f.region)}"></label>
  <label>Year <select name="year">${option('', 'any', f.year)}${years.map((y) => option(String(y), String(y), f.year)).join('')}</select></label>
  <label>Check <select name="check">${option('', 'any', f.check)}${checkIds.map((c) => option(c, c, f.check)).join('')}</select></label>
  <label>Status <select name="status">${option('fail', 'failed', f.status ?? 'fail')}${option('warn', 'warnings', f.status)}${option('all', 'both', f.status)}</select></label>
  <label>State <select name="state">${option('', 'any', f.state)}${option('open', 'open', f.state)}${option('reopened', 'reopened', f.state)}${option('closed', 'closed', f.state)}</select></label>
  <button type="submit">Filter</button></form>`;
  const rows = items
    .map(
      (r) => `<tr data-report="${r.report_id}"><td><a href="/report/${r.report_id}">#${r.report_id}</a></td><td class="agency">${esc(r.agency ?? '?')}</td>
<td>${esc(r.agency_identity ?? '')}</td><td>${esc(r.region ?? '')}</td><td>${esc(r.year ?? '?')}</td>
<td class="num">${r.failed}</td><td class="num">${r.warned}</td><td class="num">${r.open}</td><td>${r.checks.map(esc).join('<br>')}</td></tr>`,
    )
    .join('\n');
  return layout(
    'flagged reports',
    `${form}<p>${items.length} report${items.length === 1 ? '' : 's'}</p>
<table id="reports"><thead><tr><th>report</th><th>agency</th><th>identity</th><th>region</th><th>year</th><th>failed</th><th>warnings</th><th>open</th><th>checks</th></tr></thead>
<tbody>${rows}</tbody></table>`,
  );
}

export interface ReportView {
  id: number;
  agency: string | null;
  identity: string | null;
  /** auto | manual (a person linked it), null when not linked. */
  link_source: string | null;
  region: string | null;
  year: number | null;
  version: string | null;
  status: string;
  kind: string | null;
  title: string | null;
  source: string;
  source_url: string | null;
  sha256: string;
  figures: Record<string, number | null>;
  printed: Record<string, string>;
  flagged: FlaggedCheck[];
}

function cellHtml(key: string, v: ReportView, marks: Map<string, 'bad' | 'warn'>): string {
  if (!(key in v.figures)) return `<td class="num absent" data-key="${esc(key)}"></td>`;
  const cls = marks.get(key);
  const printed = v.printed[key];
  const shown = printed !== undefined && printed !== '' ? printed : num(v.figures[key]);
  return `<td class="num${cls ? ' ' + cls : ''}" data-key="${esc(key)}" title="${esc(key)} = ${esc(num(v.figures[key]))}">${esc(shown)}</td>`;
}

const COL_LABELS: Record<string, string> = { natural: '自然人', commercial: '商业企业', research: '科研机构', social: '社会公益组织', legal: '法律服务机构', other_org: '其他', total: '总计' };
const LIT_GROUPS: Record<string, string> = { review: '行政复议', litigation_direct: '未经复议直接起诉', litigation_after_review: '复议后起诉' };
const LIT_COLS: Record<string, string> = { upheld: '结果维持', corrected: '结果纠正', other: '其他结果', pending: '尚未审结', total: '总计' };

/** The three tables as extracted (cells as printed), offending cells marked. */
export function tablesHtml(v: ReportView): string {
  const marks = new Map<string, 'bad' | 'warn'>();
  for (const f of v.flagged) {
    for (const c of f.cells) if (c.report_id === v.id && c.present) marks.set(c.key, f.status === 'fail' ? 'bad' : marks.get(c.key) ?? 'warn');
  }
  const parts: string[] = [];
  const art20 = Object.keys(v.figures).filter((k) => k.startsWith('art20.'));
  if (art20.length) {
    parts.push(`<h3>主动公开政府信息情况 (table 2)</h3><table class="t2"><tbody>${art20
      .map((k) => `<tr><th>${esc(k)}</th>${cellHtml(k, v, marks)}</tr>`)
      .join('')}</tbody></table>`);
  }
  const version: Version = v.version === '2019' ? '2019' : '2021';
  const oneOther = Object.keys(v.figures).some((k) => k.startsWith('requests.other.') && !/requests\.other\.(no_correction|no_fee|other)\./.test(k));
  const rows = requestRows(version, oneOther);
  if (Object.keys(v.figures).some((k) => k.startsWith('requests.'))) {
    parts.push(`<h3>收到和处理政府信息公开申请情况 (table 3)</h3><table class="t3"><thead><tr><th></th>${REQUEST_COLS.map((c) => `<th>${esc(COL_LABELS[c])}</th>`).join('')}</tr></thead><tbody>${rows
      .map((r) => `<tr><th>${esc(r)}</th>${REQUEST_COLS.map((c) => cellHtml(`requests.${r}.${c}`, v, marks)).join('')}</tr>`)
      .join('')}</tbody></table>`);
  }
  if (LITIGATION_GROUPS.some((g) => Object.keys(v.figures).some((k) => k.startsWith(g + '.')))) {
    parts.push(`<h3>行政复议、行政诉讼情况 (table 4)</h3><table class="t4"><thead><tr><th></th>${LITIGATION_COLS.map((c) => `<th>${esc(LIT_COLS[c])}</th>`).join('')}</tr></thead><tbody>${LITIGATION_GROUPS.map(
      (g) => `<tr><th>${esc(LIT_GROUPS[g])}</th>${LITIGATION_COLS.map((c) => cellHtml(`${g}.${c}`, v, marks)).join('')}</tr>`,
    ).join('')}</tbody></table>`);
  }
  return parts.join('\n') || '<p>No tables were extracted.</p>';
}

function cellLine(c: EvidenceCell, reportId: number): string {
  const other = c.report_id !== reportId ? ` <a href="/report/${c.report_id}">report #${c.report_id} (${esc(c.year ?? '?')})</a>` : '';
  const printed = !c.present ? '(no cell)' : c.blank ? `blank “${esc(c.printed ?? '')}” = 0` : `“${esc(c.printed ?? '')}” = ${esc(num(c.value))}`;
  return `<li><code>${esc(c.key)}</code>${other}: ${printed} <small>at ${esc(describeWhere(c))}</small></li>`;
}

function checkHtml(f: FlaggedCheck, token: string): string {
  const r = f.review;
  const decided = r
    ? `<p class="decision">Decision: <b>${esc(r.decision)}</b>${r.decision === 'corrected' ? ` to ${esc(num(r.corrected_value))}` : ''} by ${esc(r.reviewer)} at ${esc(r.decided_at)}: ${esc(r.note)}${
        r.state === 'reopened' ? `<br><b>Reopened</b>: ${esc(r.reopened_reason ?? '')}` : ''
      }</p>`
    : '';
  const anchor = 'check-' + f.check_id.replace(/[^A-Za-z0-9_.-]/g, '_');
  return `<div class="check ${esc(f.status)}" id="${esc(anchor)}" data-check="${esc(f.check_id)}">
<b>${esc(f.check_id)}</b> ${esc(f.status)} — expected ${esc(num(f.expected))}, actual ${esc(num(f.actual))}
<span class="state state-${esc(f.state)}">[${esc(f.state)}]</span>
${f.reason ? `<p>${esc(f.reason)}</p>` : ''}
${f.evidence ? `<p class="evidence">“${esc(f.evidence)}”</p>` : ''}
<ul>${f.cells.map((c) => cellLine(c, f.report_id)).join('')}</ul>
${decided}
<form class="decide" method="post" action="/report/${f.report_id}/decide">
<input type="hidden" name="csrf" value="${esc(token)}"><input type="hidden" name="check" value="${esc(f.check_id)}">
<select name="decision">${DECISIONS.map((d) => `<option value="${d}">${d}</option>`).join('')}</select>
<input name="value" placeholder="right figure (corrected)" size="14">
<input name="note" placeholder="note (why)" size="30" required>
<input name="by" placeholder="your name" size="10">
<button type="submit">Record decision</button></form></div>`;
}

export function reportPage(v: ReportView, source: string, token: string, message?: string): string {
  const meta = `<p><b>${esc(v.agency ?? '(agency unknown)')}</b> ${esc(v.year ?? '?')} · identity ${esc(v.identity ?? '—')} · region ${esc(v.region ?? '—')} ·
template ${esc(v.version ?? '—')} · status ${esc(v.status)} · ${esc(v.kind ?? '')}<br>
<span class="title">${esc(v.title ?? '')}</span><br>
source: ${esc(v.source_url ?? v.source)} · sha256 <code>${esc(v.sha256.slice(0, 16))}…</code></p>`;
  const msg = message ? `<p class="message">${esc(message)}</p>` : '';
  const link = `<form class="link" method="post" action="/report/${v.id}/link">
<input type="hidden" name="csrf" value="${esc(token)}">
Body across years: <b class="identity">${esc(v.identity ?? '(not linked)')}</b>${v.link_source === 'manual' ? ' (linked by hand)' : ''} ·
<input name="agency" placeholder="the body's name, e.g. 淮安市洪泽区人民政府" size="28" value="">
<input name="by" placeholder="your name" size="10">
<button type="submit" name="action" value="link">Link to this body</button>
${v.link_source === 'manual' ? '<button type="submit" name="action" value="auto">Back to the automatic link</button>' : ''}</form>`;
  const checks = v.flagged.length ? v.flagged.map((f) => checkHtml(f, token)).join('\n') : '<p>No failed checks or warnings.</p>';
  return layout(
    `#${v.id} ${v.agency ?? ''} ${v.year ?? ''}`,
    `${msg}${meta}${link}<div class="cols"><section id="extracted"><h2>Flagged checks</h2>${checks}<h2>Tables as extracted</h2>${tablesHtml(v)}</section>
<section id="source"><h2>Source</h2>${source}</section></div>`,
  );
}

export function errorPage(status: number, message: string): string {
  return layout(String(status), `<p>${esc(message)}</p>`);
}
