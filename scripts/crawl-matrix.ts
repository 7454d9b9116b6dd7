/**
 * The vendors' list scripts as a seeded matrix (issue 16, tests): for each mechanism a crawler meets
 * on county portals, a loopback site whose list script is written in a style chosen by the seed:
 * transport (XMLHttpRequest, fetch, a jQuery-like `$.ajax`/`.load`), the page parameter's name
 * (page, pageNo, pageIndex, curPage, or an offset `start`), the answer (JSON in one of three shapes,
 * or an HTML fragment), the DOM container (ul, table, div, dl) and how it is filled, the pager
 * control's element and text, how the list ends, the detail pages' URL form.
 *
 * Mechanisms: `partial` (first page static, later pages fetched by script), `jsonpost` (a JSON POST
 * list API, the page number in the body), `load` (an HTML fragment loaded into the list, `$.load()`
 * style), `next` (a 下一页 control of script), `more` (a 加载更多 control), `postback` (ASP.NET
 * `__doPostBack` / submit pagers), `hash` (a hash-routed SPA whose details show the report or offer it
 * only behind a download control), `challenge` (a 521 JavaScript cookie challenge in front of the whole
 * column).
 *
 * `matrixSite(mechanism, seed, materials)` gives the site's routes (for tests/helpers/testsite.ts
 * `startHost`), its entry page and the URLs its reports must be stored under. Every list script also
 * asks for a path robots.txt forbids and posts to an out-of-scope origin: neither may be reached.
 *
 *   npx tsx scripts/crawl-matrix.ts [--seeds 101,102,103] [--only hash,next]
 *
 * crawls each seed's eight sites and prints found/expected per mechanism and style. Seeds 1-3 are the
 * tuning seeds: report figures on others.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export type Route =
  | ((req: IncomingMessage, res: ServerResponse) => void | Promise<void>)
  | { body: string | Uint8Array; type?: string; headers?: Record<string, string> };

export const MECHANISMS = ['partial', 'jsonpost', 'load', 'next', 'more', 'postback', 'hash', 'challenge'] as const;
export type Mechanism = (typeof MECHANISMS)[number];

export interface Materials {
  /** Report pages (HTML with their tables), used round-robin. */
  reports: Uint8Array[];
  /** Report PDFs, used round-robin (made distinct per site). */
  pdfs: Uint8Array[];
  /** An origin outside the crawl's scope that the scripts try to post to. */
  outOrigin: string;
}

export interface MatrixSite {
  mechanism: Mechanism;
  seed: number;
  /** The style chosen for each dimension. */
  style: Record<string, string>;
  entry: string;
  routes: Record<string, Route>;
  /** Where each report must be stored (source_url, relative to the origin). */
  expected: string[];
  /** Paths each asked for exactly once (report pages, downloads). */
  once: string[];
}

/** mulberry32: a small seeded generator (the same seed gives the same site). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const AGENCIES = ['县财政局', '县教育局', '县卫生健康委员会', '县水利局', '县审计局', '县民政局', '县自然资源局', '县市场监督管理局', '县司法局', '县农业农村局'];
const JQ = `(function (w) {
  function Q(sel) { this.els = typeof sel === 'string' ? Array.prototype.slice.call(document.querySelectorAll(sel)) : [sel]; }
  Q.prototype.html = function (h) { this.els.forEach(function (e) { e.innerHTML = h; }); return this; };
  Q.prototype.append = function (h) { this.els.forEach(function (e) { e.insertAdjacentHTML('beforeend', h); }); return this; };
  Q.prototype.hide = function () { this.els.forEach(function (e) { e.style.display = 'none'; }); return this; };
  Q.prototype.remove = function () { this.els.forEach(function (e) { e.parentNode && e.parentNode.removeChild(e); }); return this; };
  Q.prototype.text = function (t) { this.els.forEach(function (e) { e.textContent = t; }); return this; };
  Q.prototype.addClass = function (c) { this.els.forEach(function (e) { e.className += ' ' + c; }); return this; };
  Q.prototype.on = function (ev, fn) { this.els.forEach(function (e) { e.addEventListener(ev, fn); }); return this; };
  Q.prototype.click = function (fn) { return this.on('click', fn); };
  Q.prototype.load = function (url, data, cb) {
    var self = this;
    $.ajax({ url: url, type: data ? 'POST' : 'GET', data: data, success: function (t) { self.html(t); if (cb) cb(t); } });
    return this;
  };
  function $(a) {
    if (typeof a === 'function') { if (document.readyState !== 'loading') setTimeout(a, 0); else document.addEventListener('DOMContentLoaded', a); return; }
    return new Q(a);
  }
  $.param = function (o) { return Object.keys(o).map(function (k) { return encodeURIComponent(k) + '=' + encodeURIComponent(o[k]); }).join('&'); };
  $.ajax = function (o) {
    var x = new XMLHttpRequest(), m = (o.type || o.method || 'GET').toUpperCase(), d = o.data, u = o.url;
    if (d && typeof d === 'object') d = $.param(d);
    if (m === 'GET' && d) { u += (u.indexOf('?') < 0 ? '?' : '&') + d; d = null; }
    x.open(m, u, true);
    x.setRequestHeader('X-Requested-With', 'XMLHttpRequest');
    if (m === 'POST') x.setRequestHeader('Content-Type', o.contentType || 'application/x-www-form-urlencoded; charset=UTF-8');
    x.onreadystatechange = function () { if (x.readyState === 4 && x.status === 200) { var r = x.responseText; if (o.dataType === 'json') r = JSON.parse(r); if (o.success) o.success(r); } };
    x.send(d || null);
  };
  $.get = function (u, d, cb, t) { if (typeof d === 'function') { t = cb; cb = d; d = null; } $.ajax({ url: u, data: d, success: cb, dataType: t }); };
  $.post = function (u, d, cb, t) { if (typeof d === 'function') { t = cb; cb = d; d = null; } $.ajax({ url: u, type: 'POST', data: d, success: cb, dataType: t }); };
  w.$ = w.jQuery = $;
})(window);`;

interface Item {
  url: string;
  title: string;
}

const esc = (s: string) => s.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
async function readBody(req: IncomingMessage): Promise<string> {
  let s = '';
  for await (const chunk of req) s += chunk;
  return s;
}
const page = (title: string, body: string, head = '') =>
  `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title}</title>${head}</head><body><div class="top"><a href="/">首页</a> <a href="#top">返回顶部</a></div>${body}</body></html>`;
const json = (res: ServerResponse, v: unknown) => void res.writeHead(200, { 'content-type': 'application/json;charset=UTF-8' }).end(JSON.stringify(v));
const html = (res: ServerResponse, s: string) => void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(s);

/** A list item's markup in a container style (server side, and the same template in the client). */
const ITEM: Record<string, (u: string, t: string) => string> = {
  ul: (u, t) => `<li><a href="${u}" target="_blank">${t}</a><span class="date">2022-01-20</span></li>`,
  table: (u, t) => `<tr><td class="t"><a href="${u}" title="${t}">${t}</a></td><td>2022-01-20</td></tr>`,
  div: (u, t) => `<div class="item"><a href="${u}">${t}</a><i>2022-01-20</i></div>`,
  dl: (u, t) => `<dd><a href="${u}">${t}</a></dd>`,
};
const CLIENT_ITEM: Record<string, string> = {
  ul: `'<li><a href="' + u + '" target="_blank">' + t + '</a><span class="date">2022-01-20</span></li>'`,
  table: `'<tr><td class="t"><a href="' + u + '" title="' + t + '">' + t + '</a></td><td>2022-01-20</td></tr>'`,
  div: `'<div class="item"><a href="' + u + '">' + t + '</a><i>2022-01-20</i></div>'`,
  dl: `'<dd><a href="' + u + '">' + t + '</a></dd>'`,
};
/** The empty container (id given) in each style. */
const CONTAINER: Record<string, (id: string, inner?: string) => string> = {
  ul: (id, inner = '') => `<ul id="${id}" class="list">${inner}</ul>`,
  table: (id, inner = '') => `<table class="tb-list"><tbody id="${id}">${inner}</tbody></table>`,
  div: (id, inner = '') => `<div id="${id}" class="news_list">${inner}</div>`,
  dl: (id, inner = '') => `<dl id="${id}" class="data-list"><dt>年度报告</dt>${inner}</dl>`,
};
/** JSON answer shapes: the server's, and the client's reading of it (list, title, url, pages). */
const SHAPES: Record<string, { make: (items: Item[], pages: number, total: number) => unknown; list: string; t: string; u: string; pages: string }> = {
  flat: { make: (items, _p, total) => ({ total, data: items.map((i) => ({ title: i.title, url: i.url })) }), list: 'd.data', t: 'title', u: 'url', pages: 'Math.ceil(d.total / SIZE)' },
  nested: { make: (items, pages) => ({ code: 0, data: { pages, list: items.map((i) => ({ name: i.title, link: i.url })) } }), list: 'd.data.list', t: 'name', u: 'link', pages: 'd.data.pages' },
  rows: { make: (items, pages) => ({ totalPage: pages, rows: items.map((i) => ({ TITLE: i.title, URL: i.url })) }), list: 'd.rows', t: 'TITLE', u: 'URL', pages: 'd.totalPage' },
};
/** The request function each transport defines: req(method, url, body, contentType, cb(text)). */
const TRANSPORT: Record<string, string> = {
  xhr: `function req(m, u, b, ct, cb) {
  var x = new XMLHttpRequest();
  x.open(m, u, true);
  if (ct) x.setRequestHeader('Content-Type', ct);
  x.onreadystatechange = function () { if (x.readyState === 4 && x.status === 200) cb(x.responseText); };
  x.send(b || null);
}`,
  fetch: `const req = (m, u, b, ct, cb) => fetch(u, { method: m, headers: ct ? { 'Content-Type': ct } : {}, body: m === 'POST' ? b : undefined }).then((r) => r.text()).then(cb).catch(() => {});`,
  jq: `function req(m, u, b, ct, cb) { $.ajax({ url: u, type: m, data: b, contentType: ct || undefined, dataType: 'text', success: cb }); }`,
};
const INSERT: Record<string, (id: string, append: boolean) => string> = {
  innerHTML: (id, append) => (append ? `document.getElementById('${id}').innerHTML += h;` : `document.getElementById('${id}').innerHTML = h;`),
  adjacent: (id, append) => (append ? `document.getElementById('${id}').insertAdjacentHTML('beforeend', h);` : `document.getElementById('${id}').innerHTML = ''; document.getElementById('${id}').insertAdjacentHTML('beforeend', h);`),
  jq: (id, append) => (append ? `$('#${id}').append(h);` : `$('#${id}').html(h);`),
};

export function matrixSite(mechanism: Mechanism, seed: number, m: Materials): MatrixSite {
  const r = rng(seed * 7919 + MECHANISMS.indexOf(mechanism) * 104729 + 17);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)];
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const style: Record<string, string> = {};
  const choose = <T extends string>(name: string, a: readonly T[]): T => (style[name] = pick(a)) as T;

  const size = int(2, 3);
  const n = int(size + 2, size * 3);
  const pages = Math.ceil(n / size);
  const col = int(1000, 9999);
  const detailForm = choose('detail', ['hanweb', 'trs', 'jsp', 'plain'] as const);
  const tag = `${mechanism}-${seed}`;
  const routes: Record<string, Route> = {
    '/robots.txt': { body: 'User-agent: *\nDisallow: /private/\n', type: 'text/plain' },
  };
  const offset = (seed * 13 + MECHANISMS.indexOf(mechanism) * 5) % m.reports.length;
  const items: Item[] = [];
  for (let k = 0; k < n; k++) {
    const id = col * 10 + k;
    const url =
      detailForm === 'hanweb' ? `/art/2022/1/${10 + k}/art_${col}_${id}.html` : detailForm === 'trs' ? `/xxgk/ndbg/202201/t202201${10 + k}_${id}.html` : detailForm === 'jsp' ? `/content.jsp?id=${id}` : `/info/${id}.html`;
    items.push({ url, title: `某${AGENCIES[(k + seed) % AGENCIES.length]}${2019 + ((k + seed) % 4)}年政府信息公开工作年度报告` });
    const bytes = m.reports[(offset + k) % m.reports.length];
    // a distinct document per site and report: the same tables, its own bytes
    routes[url] = { body: Buffer.concat([Buffer.from(bytes), Buffer.from(`\n<!-- ${tag} ${k} -->\n`)]), type: 'text/html' };
  }
  const expected = items.map((i) => i.url);
  const once = [...expected];
  const beacon = `req('GET', '/private/stat?p=' + encodeURIComponent(location.pathname), null, null, function () {});
req('POST', '${m.outOrigin}/collect', '{"site":"${tag}"}', 'application/json', function () {});`;

  // the list machinery shared by the script mechanisms
  const transport = () => choose('transport', ['xhr', 'fetch', 'jq'] as const);
  const param = () => choose('param', ['page', 'pageNo', 'pageIndex', 'curPage', 'start'] as const);
  const container = () => choose('container', ['ul', 'table', 'div', 'dl'] as const);
  const value = (p: string) => (p === 'start' ? `(p - 1) * SIZE` : 'p');
  /** The page (1-based) a request asks for, from the page parameter's value. */
  const pageOf = (p: string, v: string | number | null | undefined) => (p === 'start' ? Math.floor(Number(v) / size) + 1 : Number(v));
  const slice = (p: number) => items.slice((p - 1) * size, p * size);
  const shell = (body: string, scripts: string[], head = '') =>
    page('政府信息公开年度报告', `<div class="main"><h2 class="col-title">政府信息公开年度报告</h2>${body}</div>`, head) +
    scripts.map((s) => `<script>${s}</script>`).join('');
  const withLib = (t: string, code: string) => (t === 'jq' ? [JQ, code] : [code]);

  /** A list API: reads the page from the query, a form or a JSON body; answers JSON (a shape) or an HTML fragment. */
  const listApi = (p: string, answer: string, shape: string, cont: string, fragmentExtra?: (pg: number) => string): Route => async (req, res) => {
    const q = new URL(req.url!, 'http://x').searchParams;
    let v: string | number | null = q.get(p);
    if (req.method === 'POST') {
      const body = await readBody(req);
      if (/json/.test(req.headers['content-type'] ?? '')) v = (JSON.parse(body) as Record<string, number>)[p];
      else v = new URLSearchParams(body).get(p);
    }
    const pg = pageOf(p, v);
    if (!(pg >= 1)) return void res.writeHead(400).end('bad page');
    if (answer === 'json') return json(res, SHAPES[shape].make(slice(pg), pages, n));
    html(res, slice(pg).map((i) => ITEM[cont](i.url, i.title)).join('') + (fragmentExtra?.(pg) ?? ''));
  };
  /** The client's reading of an answer into `h` and `pages`. */
  const readAnswer = (answer: string, shape: string, cont: string) =>
    answer === 'json'
      ? `var d = JSON.parse(text), L = ${SHAPES[shape].list}, h = '';
  for (var i = 0; i < L.length; i++) { var u = L[i].${SHAPES[shape].u}, t = L[i].${SHAPES[shape].t}; h += ${CLIENT_ITEM[cont]}; }
  var pages = ${SHAPES[shape].pages};`
      : `var h = text, pages = TOTAL;`;
  /** A request for page p: method, URL, body, Content-Type. */
  const request = (method: string, api: string, p: string) =>
    method === 'get'
      ? `req('GET', '${api}?catalog=ndbg&${p}=' + ${value(p)} + '&pageSize=' + SIZE, null, null, function (text) {`
      : method === 'form'
        ? `req('POST', '${api}', 'catalog=ndbg&${p}=' + ${value(p)} + '&pageSize=' + SIZE, 'application/x-www-form-urlencoded; charset=UTF-8', function (text) {`
        : `req('POST', '${api}', JSON.stringify({ catalog: 'ndbg', ${p}: ${value(p)}, pageSize: SIZE }), 'application/json;charset=UTF-8', function (text) {`;

  let entry = '/ndbg/index.html';
  switch (mechanism) {
    case 'partial':
    case 'jsonpost':
    case 'next':
    case 'more': {
      const t = transport();
      const p = param();
      const cont = container();
      const answer = mechanism === 'jsonpost' ? 'json' : choose('answer', ['json', 'html'] as const);
      const shape = answer === 'json' ? choose('shape', ['flat', 'nested', 'rows'] as const) : '';
      const method = mechanism === 'jsonpost' ? 'json' : mechanism === 'partial' ? choose('method', ['get', 'get', 'form'] as const) : choose('method', ['get', 'form', 'json'] as const);
      const insert = t === 'jq' ? 'jq' : choose('insert', ['innerHTML', 'adjacent'] as const);
      const id = choose('id', ['list', 'newsList', 'dataBox', 'xxgk_lb'] as const);
      const api = pick(['/api/list', '/common/search.do', '/module/web/jpage/list.jsp', '/gkml/queryList']);
      let body: string;
      let code: string;
      const head = `var SIZE = ${size}, TOTAL = ${pages};\n${TRANSPORT[t]}\n`;
      if (mechanism === 'partial') {
        // first page in the HTML, the rest fetched one after the other
        body = CONTAINER[cont](id, slice(1).map((i) => ITEM[cont](i.url, i.title)).join(''));
        code = `${head}function load(p) {
  ${request(method, api, p)}
    ${readAnswer(answer, shape, cont)}
    ${INSERT[insert](id, true)}
    if (p < pages) load(p + 1);
  });
}
load(2);
${beacon}`;
      } else if (mechanism === 'jsonpost') {
        const paging = choose('paging', ['chain', 'next'] as const);
        body = CONTAINER[cont](id) + (paging === 'next' ? `<div class="pagination"><a href="javascript:void(0)" id="btnNext">下一页</a></div>` : '');
        code =
          paging === 'chain'
            ? `${head}function load(p) {
  ${request(method, api, p)}
    ${readAnswer(answer, shape, cont)}
    ${INSERT[insert](id, true)}
    if (p < pages) load(p + 1);
  });
}
load(1);
${beacon}`
            : `${head}var cur = 1;
function load(p) {
  ${request(method, api, p)}
    ${readAnswer(answer, shape, cont)}
    ${INSERT[insert](id, false)}
    if (p >= pages) document.getElementById('btnNext').style.display = 'none';
  });
}
document.getElementById('btnNext').onclick = function () { cur++; load(cur); };
load(1);
${beacon}`;
      } else {
        const isNext = mechanism === 'next';
        const control = choose('control', isNext ? (['a-js', 'button', 'span', 'a-hash'] as const) : (['button', 'a-js', 'div'] as const));
        const text = choose('text', isNext ? (['下一页', '下页', '下一页>', '>'] as const) : (['加载更多', '查看更多', '点击加载更多'] as const));
        const end = choose('end', isNext ? (['hide', 'remove', 'disable'] as const) : (['hide', 'remove', 'text'] as const));
        const cls = text === '>' ? 'next' : isNext ? 'page-next' : 'load-more';
        const el =
          control === 'button'
            ? `<button type="button" id="ctl" class="${cls}">${text}</button>`
            : control === 'span'
              ? `<span id="ctl" class="${cls}" style="cursor:pointer">${text}</span>`
              : control === 'div'
                ? `<div id="ctl" class="${cls}">${text}</div>`
                : `<a id="ctl" class="${cls}" href="${control === 'a-hash' ? '#' : 'javascript:;'}">${text.replace('>', '&gt;')}</a>`;
        const ended =
          end === 'hide'
            ? `document.getElementById('ctl').style.display = 'none';`
            : end === 'remove'
              ? `var c = document.getElementById('ctl'); c.parentNode.removeChild(c);`
              : end === 'disable'
                ? `document.getElementById('ctl').className += ' disabled'; document.getElementById('ctl').onclick = null;`
                : `document.getElementById('ctl').textContent = '没有更多了'; document.getElementById('ctl').onclick = null;`;
        body = CONTAINER[cont](id) + `<div class="pager">${el}</div>`;
        code = `${head}var cur = 1;
function load(p) {
  ${request(method, api, p)}
    ${readAnswer(answer, shape, cont)}
    ${INSERT[insert](id, !isNext)}
    if (p >= pages) { ${ended} }
  });
}
document.getElementById('ctl').onclick = function (e) { if (e && e.preventDefault) e.preventDefault(); cur++; load(cur); };
load(1);
${beacon}`;
      }
      routes[api] = listApi(p, answer, shape, cont);
      routes[entry] = { body: shell(body, withLib(t, code)) };
      break;
    }
    case 'load': {
      // an HTML fragment loaded into the list: its own pager inside it, or every page one after the other
      const t = transport();
      const p = param();
      const cont = container();
      const paging = choose('paging', ['inner-next', 'chain'] as const);
      const id = choose('id', ['lmcontent', 'listContent', 'docList'] as const);
      const api = pick(['/frag/list.jsp', '/col/frag.do', '/module/jslib/list.html']);
      const innerPager = (pg: number) => {
        if (paging !== 'inner-next' || pg >= pages) return '';
        const a = `<a href="javascript:void(0)" onclick="go(${pg + 1})">下一页</a>`;
        return cont === 'table' ? `<tr class="fy"><td>${a}</td></tr>` : cont === 'ul' ? `<li class="fy">${a}</li>` : cont === 'dl' ? `<dd class="fy">${a}</dd>` : `<div class="fy">${a}</div>`;
      };
      routes[api] = listApi(p, 'html', '', cont, innerPager);
      const url = `'${api}?${p}=' + ${value(p)} + '&pageSize=' + SIZE`;
      const code =
        t === 'jq'
          ? paging === 'inner-next'
            ? `var SIZE = ${size}, TOTAL = ${pages};
${TRANSPORT.jq}
function go(p) { $('#${id}').load(${url}); }
$(function () { go(1); });
${beacon}`
            : `var SIZE = ${size}, TOTAL = ${pages};
${TRANSPORT.jq}
function more(p) { $.get(${url}, function (t) { $('#${id}').append(t); if (p < TOTAL) more(p + 1); }); }
$(function () { var p = 1; $('#${id}').load(${url}, null, function () { if (TOTAL > 1) more(2); }); });
${beacon}`
          : `var SIZE = ${size}, TOTAL = ${pages};
${TRANSPORT[t]}
function go(p) { req('GET', ${url}, null, null, function (text) { var h = text; ${INSERT[t === 'fetch' ? 'adjacent' : 'innerHTML'](id, paging === 'chain')} ${paging === 'chain' ? 'if (p < TOTAL) go(p + 1);' : ''} }); }
go(1);
${beacon}`;
      routes[entry] = { body: shell(CONTAINER[cont](id), withLib(t, code)) };
      style.fill = t === 'jq' ? '$.load' : t === 'fetch' ? 'insertAdjacentHTML' : 'innerHTML';
      break;
    }
    case 'postback': {
      const pager = choose('pager', ['next-link', 'numbered', 'submit'] as const);
      const cont = choose('container', ['table', 'ul'] as const);
      entry = pick(['/ndbg/list.aspx', '/gk/Default.aspx']);
      const view = (pg: number) => Buffer.from(`dDwtMTg2;page=${pg};`).toString('base64');
      const pagerHtml = (pg: number) => {
        if (pager === 'next-link') return pg < pages ? `<a id="lbtnNext" href="javascript:__doPostBack('ctl00$Main$lbtnNext','')">下一页</a>` : '<span class="dis">下一页</span>';
        if (pager === 'submit') return pg < pages ? `<input type="submit" name="ctl00$Main$btnNext" value="下一页" id="btnNext">` : '';
        const nums = Array.from({ length: pages }, (_, i) => i + 1).map((k) => (k === pg ? `<span>${k}</span>` : `<a href="javascript:__doPostBack('GridView1','Page$${k}')">${k}</a>`));
        return `<tr class="pgr"><td colspan="2">${nums.join('&nbsp;')}</td></tr>`;
      };
      const pageHtml = (pg: number) => {
        const rows = slice(pg).map((i) => ITEM[cont === 'table' ? 'table' : 'ul'](i.url, i.title)).join('');
        const list = cont === 'table' ? `<table id="GridView1" class="grid">${rows}${pager === 'numbered' ? pagerHtml(pg) : ''}</table>` : `<ul id="rptList">${rows}</ul>`;
        const under = pager === 'numbered' ? (cont === 'table' ? '' : `<table class="pgr">${pagerHtml(pg)}</table>`) : `<div class="pager">第${pg}页/共${pages}页 ${pagerHtml(pg)}</div>`;
        return page(
          '政府信息公开年度报告',
          `<form method="post" action="${entry.split('/').pop()}" id="aspnetForm">
<input type="hidden" name="__EVENTTARGET" id="__EVENTTARGET" value=""><input type="hidden" name="__EVENTARGUMENT" id="__EVENTARGUMENT" value="">
<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="${view(pg)}"><input type="hidden" name="__EVENTVALIDATION" value="/wEW${pg}">
<script type="text/javascript">
var theForm = document.forms['aspnetForm'];
if (!theForm) theForm = document.aspnetForm;
function __doPostBack(eventTarget, eventArgument) {
  if (!theForm.onsubmit || (theForm.onsubmit() != false)) { theForm.__EVENTTARGET.value = eventTarget; theForm.__EVENTARGUMENT.value = eventArgument; theForm.submit(); }
}
</script>
<h2>政府信息公开年度报告</h2>${list}${under}</form>`,
        );
      };
      routes[entry] = async (req, res) => {
        let pg = 1;
        if (req.method === 'POST') {
          const q = new URLSearchParams(await readBody(req));
          const was = Number(/page=(\d+)/.exec(Buffer.from(q.get('__VIEWSTATE') ?? '', 'base64').toString())?.[1] ?? 0);
          const target = q.get('__EVENTTARGET') ?? '';
          if (target === 'GridView1' && /^Page\$\d+$/.test(q.get('__EVENTARGUMENT') ?? '')) pg = Number(q.get('__EVENTARGUMENT')!.slice(5));
          else if (target.endsWith('lbtnNext') || q.get('ctl00$Main$btnNext')) pg = was + 1;
          else return void res.writeHead(400).end('bad postback');
        }
        html(res, pageHtml(Math.min(pg, pages)));
      };
      break;
    }
    case 'hash': {
      const prefix = choose('prefix', ['#/', '#!/'] as const);
      const t = transport();
      const dl = choose('download', ['fetch-blob', 'window-open', 'location', 'form-post'] as const);
      entry = pick(['/zfxxgk/', '/xxgk/index.html', '/gkpt/']);
      const base = entry.replace(/[^/]*$/, '');
      const cont = container();
      const detailWord = pick(['detail', 'info', 'content']);
      // reports 0..n-2 inline (their tables in the detail's JSON), the last behind a download control
      const nIn = n - 1;
      const pdf = Buffer.concat([Buffer.from(m.pdfs[seed % m.pdfs.length]), Buffer.from(`\n% ${tag}\n`)]);
      const fileUrl = dl === 'form-post' ? `${base}api/download` : `${base}api/file?fileId=F${col}`;
      const routeOf = (k: number) => `${prefix}${detailWord}/${col * 10 + k}`;
      expected.length = 0;
      once.length = 0;
      for (let k = 0; k < nIn; k++) expected.push(`${entry}${routeOf(k)}`);
      expected.push(fileUrl);
      once.push(dl === 'form-post' ? `${base}api/download` : fileUrl);
      // the detail pages are the app's routes: their report's body comes in the detail's JSON
      const inner = items.map((i) => {
        const doc = new TextDecoder('utf-8').decode((routes[i.url] as { body: Uint8Array }).body);
        return /<body[^>]*>([\s\S]*)<\/body>/i.exec(doc)?.[1] ?? doc;
      });
      for (const i of items) delete routes[i.url];
      const det = (k: number) =>
        k < nIn ? { title: items[k].title, content: inner[k] } : { title: items[k].title, file: { id: `F${col}`, name: items[k].title + '.pdf' } };
      routes[`${base}api/list`] = (req, res) => {
        const pg = Number(new URL(req.url!, 'http://x').searchParams.get('page')) || 1;
        const rows = items.slice((pg - 1) * size, pg * size).map((i, j) => ({ id: col * 10 + (pg - 1) * size + j, title: i.title }));
        json(res, { pages, rows });
      };
      routes[`${base}api/detail`] = (req, res) => {
        const k = Number(new URL(req.url!, 'http://x').searchParams.get('id')) - col * 10;
        if (!(k >= 0 && k < n)) return void res.writeHead(404).end();
        json(res, det(k));
      };
      const sendPdf = (res: ServerResponse) =>
        void res.writeHead(200, { 'content-type': dl === 'fetch-blob' ? 'application/octet-stream' : 'application/pdf', ...(dl === 'fetch-blob' ? {} : { 'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(items[n - 1].title)}.pdf` }) }).end(pdf);
      routes[`${base}api/file`] = (req, res) => (new URL(req.url!, 'http://x').searchParams.get('fileId') === `F${col}` ? sendPdf(res) : void res.writeHead(404).end());
      routes[`${base}api/download`] = async (req, res) => (req.method === 'POST' && new URLSearchParams(await readBody(req)).get('fileId') === `F${col}` ? sendPdf(res) : void res.writeHead(400).end());
      const P = prefix.replace('/', '\\/');
      const download =
        dl === 'fetch-blob'
          ? `function down(id) { fetch('${base}api/file?fileId=' + id).then(function (r) { return r.blob(); }).then(function (b) { var a = document.createElement('a'); a.href = URL.createObjectURL(b); a.download = 'report.pdf'; document.body.appendChild(a); a.click(); }); }`
          : dl === 'window-open'
            ? `function down(id) { window.open('${base}api/file?fileId=' + id); }`
            : dl === 'location'
              ? `function down(id) { location.href = '${base}api/file?fileId=' + id; }`
              : `function down(id) { var f = document.createElement('form'); f.method = 'post'; f.action = '${base}api/download'; var i = document.createElement('input'); i.type = 'hidden'; i.name = 'fileId'; i.value = id; f.appendChild(i); document.body.appendChild(f); f.submit(); }`;
      const control = choose('control', ['button', 'name-span'] as const);
      const [open, close] = CONTAINER[cont]('rows', '\u0001').split('\u0001');
      const code = `var SIZE = ${size};
${TRANSPORT[t]}
${download}
function view() {
  var h = location.hash, m, app = document.getElementById('app');
  if ((m = /^${P}${detailWord}\\/(\\d+)$/.exec(h))) {
    req('GET', '${base}api/detail?id=' + m[1], null, null, function (text) {
      var d = JSON.parse(text);
      var out = '<div class="art"><h1>' + d.title + '</h1>' + (d.content || '');
      if (d.file) out += ${control === 'button' ? `'<p>附件：<button type="button" onclick="down(\\'' + d.file.id + '\\')">下载附件</button></p>'` : `'<p class="fj">附件：<span onclick="down(\\'' + d.file.id + '\\')">' + d.file.name + '</span></p>'`};
      app.innerHTML = out + '</div>';
    });
    return;
  }
  var p = Number((/page\\/(\\d+)/.exec(h) || [0, 1])[1]);
  req('GET', '${base}api/list?page=' + p, null, null, function (text) {
    var d = JSON.parse(text), h = '';
    for (var i = 0; i < d.rows.length; i++) { var u = '${prefix}${detailWord}/' + d.rows[i].id, t = d.rows[i].title; h += ${CLIENT_ITEM[cont]}; }
    app.innerHTML = ${JSON.stringify(open)} + h + ${JSON.stringify(close)}
      + (p < d.pages ? '<div class="page"><a href="${prefix}list/page/' + (p + 1) + '">下一页</a></div>' : '');
  });
}
window.addEventListener('hashchange', view);
view();
${beacon}`;
      routes[entry] = { body: page('政务公开', '<div id="app"></div>') + withLib(t, code).map((s) => `<script>${s}</script>`).join('') };
      style.control = control;
      break;
    }
    case 'challenge': {
      // a static column (a 下一页 link per page) behind a 521 cookie challenge on every path
      const cookie = choose('cookie', ['__jsl_clearance', '__jsl_clearance_s', 'acw_sc__v2'] as const);
      const calc = choose('calc', ['eval-sum', 'char-codes', 'split-join'] as const);
      const reload = choose('reload', ['location.href', 'location.reload', 'setTimeout-replace'] as const);
      const salt = int(10, 99);
      const want = `${1700000000 + seed}.${salt * 3 + 7}|0|${seed}`;
      const valueJs =
        calc === 'eval-sum'
          ? `(${1700000000 + seed})+'.'+eval('(${salt}*3)+7')+'|0|${seed}'`
          : calc === 'char-codes'
            ? `String.fromCharCode(${[...want].map((c) => c.charCodeAt(0)).join(',')})`
            : `'${[...want].reverse().join('')}'.split('').reverse().join('')`;
      const go = reload === 'location.href' ? `location.href=location.pathname+location.search` : reload === 'location.reload' ? 'location.reload()' : 'setTimeout(function(){location.replace(location.href)},50)';
      const challengePage = `<html><head><meta charset="utf-8"></head><body><script>document.cookie='${cookie}='+${valueJs}+';max-age=3600;path=/';${go}</script></body></html>`;
      const listPages = Array.from({ length: pages }, (_, i) => i);
      const listUrl = (i: number) => (i === 0 ? '/ndbg/index.html' : `/ndbg/index_${i}.html`);
      const pagesHtml: Record<string, string | Uint8Array> = {};
      for (const i of listPages) {
        const lis = slice(i + 1).map((x) => ITEM.ul(x.url, x.title)).join('');
        pagesHtml[listUrl(i)] = page('政府信息公开年度报告', `<ul class="list">${lis}</ul>${i + 1 < pages ? `<div class="page"><a href="${listUrl(i + 1)}">下一页</a></div>` : ''}`);
      }
      for (const i of items) pagesHtml[i.url] = (routes[i.url] as { body: Uint8Array }).body;
      const cookieOf = (req: IncomingMessage) => new RegExp(`(?:^|;\\s*)${cookie.replace(/\$/g, '\\$')}=([^;]+)`).exec(req.headers.cookie ?? '')?.[1];
      for (const [path, body] of Object.entries(pagesHtml)) {
        routes[path] = (req, res) => {
          if (cookieOf(req) !== want) return void res.writeHead(521, { 'content-type': 'text/html' }).end(challengePage);
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body);
        };
      }
      break;
    }
  }
  return { mechanism, seed, style, entry, routes, expected, once };
}

/** A style's label: its dimensions, in a fixed order. */
export function styleLabel(s: MatrixSite): string {
  return Object.entries(s.style)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

// ---- running the matrix --------------------------------------------------------------------------

export interface SiteResult {
  site: MatrixSite;
  origin: string;
  /** Expected reports stored under their expected URL, and those missing. */
  found: string[];
  missing: string[];
  /** Reports stored on this site that were not expected. */
  extra: string[];
  /** Paths that should have been asked for once, with how often they were. */
  hits: Record<string, number>;
  /** Paths robots.txt forbids that reached the site. */
  forbidden: string[];
  maxConcurrent: number;
}

export interface MatrixRun {
  results: SiteResult[];
  /** Requests that reached the out-of-scope origin. */
  outOfScope: number;
  summary: import('../src/crawl/crawler.js').CrawlSummary;
}

/** Builds the sites of the seeds, crawls them all in one run on `db`, and reads what was stored. */
export async function runMatrix(
  db: import('better-sqlite3').Database,
  seeds: number[],
  materials: Omit<Materials, 'outOrigin'>,
  opts: { only?: readonly Mechanism[]; crawl?: Partial<import('../src/crawl/crawler.js').CrawlOptions> } = {},
): Promise<MatrixRun> {
  const { startHost } = await import('../tests/helpers/testsite.js');
  const { Crawler } = await import('../src/crawl/crawler.js');
  const out = await startHost({});
  const sites = seeds.flatMap((seed) => (opts.only ?? MECHANISMS).map((mech) => matrixSite(mech, seed, { ...materials, outOrigin: out.origin })));
  const hosts = await Promise.all(sites.map((s) => startHost(s.routes)));
  try {
    const summary = await new Crawler(db, {
      concurrency: 4,
      delayMs: 0,
      timeoutMs: 5000,
      connectTimeoutMs: 2000,
      maxTries: 2,
      backoffBaseMs: 30,
      maxWaitMs: 5000,
      renderTimeoutMs: 20_000,
      ...opts.crawl,
      seeds: sites.map((s, i) => hosts[i].origin + s.entry),
    }).run();
    const stored = (db.prepare('SELECT source_url FROM reports').all() as { source_url: string }[]).map((r) => r.source_url);
    const results = sites.map((site, i): SiteResult => {
      const h = hosts[i];
      const mine = stored.filter((u) => u.startsWith(h.origin + '/')).map((u) => u.slice(h.origin.length));
      return {
        site,
        origin: h.origin,
        found: site.expected.filter((e) => mine.includes(e)),
        missing: site.expected.filter((e) => !mine.includes(e)),
        extra: mine.filter((u) => !site.expected.includes(u)),
        hits: Object.fromEntries(site.once.map((p) => [p, h.hits(p)])),
        forbidden: h.paths().filter((p) => p.startsWith('/private/')),
        maxConcurrent: h.maxConcurrent,
      };
    });
    return { results, outOfScope: out.log.length, summary };
  } finally {
    await Promise.all(hosts.map((h) => h.close()));
    await out.close();
  }
}

/** The materials from the project's samples: UTF-8 report pages with their tables, and the text PDFs. */
export async function sampleMaterials(root: string): Promise<Omit<Materials, 'outOrigin'>> {
  const { readFileSync, readdirSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { discover } = await import('../src/crawl/discover.js');
  const reports: Uint8Array[] = [];
  for (const f of readdirSync(join(root, 'samples')).filter((f) => f.endsWith('.html')).sort()) {
    const b = readFileSync(join(root, 'samples', f));
    try {
      const text = new TextDecoder('utf-8', { fatal: true }).decode(b);
      // a page the crawler takes for a report by itself (the traditional-script sample is not: see README)
      if (/本年新收/.test(text) && /<body/i.test(text) && discover(text, 'http://x/a.html').role === 'report') reports.push(b);
    } catch {
      /* a GBK sample: the apps' JSON carries UTF-8 */
    }
  }
  const pdfs = ['pdf-2021-no-repeat', 'pdf-2019-no-lines', 'pdf-2021-repeat-header'].map((n) => readFileSync(join(root, 'samples', 'pdf', n + '.pdf')));
  return { reports, pdfs };
}

/** One line per site: mechanism, seed, found/expected, style. */
export function formatResults(run: MatrixRun): string {
  const lines = run.results.map(
    (r) =>
      `${r.site.mechanism.padEnd(9)} seed ${String(r.site.seed).padEnd(4)} ${`${r.found.length}/${r.site.expected.length}`.padEnd(6)}${r.extra.length ? ` +${r.extra.length} unexpected` : ''} ${styleLabel(r.site)}${r.missing.length ? `\n    missing: ${r.missing.join(' ')}` : ''}`,
  );
  const found = run.results.reduce((a, r) => a + r.found.length, 0);
  const expected = run.results.reduce((a, r) => a + r.site.expected.length, 0);
  lines.push(`total ${found}/${expected}; out-of-scope requests ${run.outOfScope}; forbidden paths reached ${run.results.reduce((a, r) => a + r.forbidden.length, 0)}; max concurrent per host ${Math.max(...run.results.map((r) => r.maxConcurrent))}`);
  return lines.join('\n');
}

/** Found/expected summed per mechanism and each of its style values, over runs (one row per value). */
export function formatByStyle(runs: MatrixRun[]): string {
  const rows = new Map<string, { found: number; expected: number; sites: number }>();
  const add = (key: string, r: SiteResult) => {
    const row = rows.get(key) ?? { found: 0, expected: 0, sites: 0 };
    row.found += r.found.length;
    row.expected += r.site.expected.length;
    row.sites++;
    rows.set(key, row);
  };
  for (const run of runs)
    for (const r of run.results) {
      add(`${r.site.mechanism} (all)`, r);
      for (const [k, v] of Object.entries(r.site.style)) add(`${r.site.mechanism} ${k}=${v}`, r);
    }
  return [...rows]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k.padEnd(40)} ${`${v.found}/${v.expected}`.padEnd(8)} (${v.sites} site${v.sites === 1 ? '' : 's'})`)
    .join('\n');
}

async function main(): Promise<void> {
  const { fileURLToPath } = await import('node:url');
  const path = await import('node:path');
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { openDb } = await import('../src/store/db.js');
  const args = process.argv.slice(2);
  const arg = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
  const seeds = (arg('--seeds') ?? '101,102,103').split(',').map(Number);
  const only = arg('--only')?.split(',') as Mechanism[] | undefined;
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const materials = await sampleMaterials(root);
  const runs: MatrixRun[] = [];
  for (const seed of seeds) {
    const dir = mkdtempSync(path.join(tmpdir(), 'nianbao-matrix-'));
    const db = openDb(path.join(dir, 'm.db'));
    try {
      const run = await runMatrix(db, [seed], materials, { only });
      runs.push(run);
      console.log(formatResults(run));
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log(`\nper style value, seeds ${seeds.join(',')}:\n${formatByStyle(runs)}`);
}

if (process.argv[1] && /crawl-matrix\.(ts|js)$/.test(process.argv[1])) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
