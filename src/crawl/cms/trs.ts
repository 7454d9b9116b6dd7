/**
 * TRS WCM "动静结合" lists: the first page is static (published by WCM), the later ones come from
 * an API the page's script calls with a page number — a JSON or JSONP endpoint (TRS WAS
 * `/was5/web/search?channelid=…&page=N`, or an `$.ajax({url, data: {…, page: N}})`), answering
 * records with titles and URLs and, mostly, the page count. Found in the inline scripts without
 * running them: a URL literal ending in a page parameter (`'…&page=' + page`), or an ajax call whose
 * `data` has a page key; the page count from `var totalPage = N`-style constants or the answers.
 */
import { braceBody, inlineScripts, objectLiteral, recordHtml, scriptConstants } from './script.js';
import { MAX_API_REQUESTS, type ApiRequest, type CmsRead, type TrsApi } from './types.js';

const PAGE_KEY = /^(page|pageno|pagenum|pageindex|pagenumber|curpage|currpage|currentpage|cp|pn|p)$/i;
const PAGE_COUNT = /\b(totalPages?|pageCount|countPage|pageTotal|pagecount|totalpage|pages)\s*[=:]\s*['"]?(\d{1,5})\b/;
const AJAX = /\$\.(ajax|getJSON|get|post)\s*\(|\bfetch\s*\(|XMLHttpRequest|jsonp/i;

function pageRequest(base: URL, method: 'GET' | 'POST', form: URLSearchParams | null, api: TrsApi, page: number): ApiRequest {
  const u = new URL(base.href);
  if (method === 'POST' && form) {
    const f = new URLSearchParams(form);
    f.set(api.param, String(page));
    return { url: u.href, method, body: f.toString(), api: { ...api, page } };
  }
  u.searchParams.set(api.param, String(page));
  return { url: u.href, method: 'GET', api: { ...api, page } };
}

function pagesFrom(base: URL, method: 'GET' | 'POST', form: URLSearchParams | null, api: TrsApi, from: number, to: number): ApiRequest[] {
  const out: ApiRequest[] = [];
  for (let p = from; p <= to && out.length < MAX_API_REQUESTS; p++) out.push(pageRequest(base, method, form, api, p));
  return out;
}

/** The list API of a 动静结合 page, if its script calls one: the requests for pages 2 … N. */
export function readTrsDynamicList(html: string, pageUrl: string, column: boolean): CmsRead {
  const out: CmsRead = { fragments: [], requests: [] };
  for (const s of inlineScripts(html)) {
    if (!/javascript|ecmascript|module/.test(s.type) || !AJAX.test(s.text)) continue;
    const consts = scriptConstants(s.text);
    const countM = PAGE_COUNT.exec(s.text);
    const pages = countM ? Number(countM[2]) : null;
    const found = fromUrlLiteral(s.text, pageUrl) ?? fromAjaxData(s.text, pageUrl, consts);
    if (!found) continue;
    const api: TrsApi = { cms: 'trs', param: found.param, page: 2, pages, column };
    // page 1 is the static page itself
    // a list that is not one of annual reports is read a page at a time, while it brings reports
    out.requests.push(...pagesFrom(found.base, found.method, found.form, api, 2, column ? (pages ?? 2) : 2));
    return out;
  }
  return out;
}

/** `'/api/list?channelid=12&page=' + page` */
function fromUrlLiteral(text: string, pageUrl: string) {
  const re = /(["'])([^"'\s]*\?[^"'\s]*?[?&]([A-Za-z]+)=)\1\s*\+/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (!PAGE_KEY.test(m[3]!)) continue;
    try {
      const base = new URL(m[2]!, pageUrl);
      return { base, param: m[3]!, method: 'GET' as const, form: null };
    } catch {
      /* not a URL */
    }
  }
  return undefined;
}

/** `$.ajax({url: '/api/list', type: 'post', data: {channelId: 12, page: page}})` */
function fromAjaxData(text: string, pageUrl: string, consts: Map<string, string>) {
  const re = /\$\.(ajax|getJSON|get|post)\s*\(/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const after = text.slice(m.index);
    let url: string | undefined;
    let data: ReturnType<typeof objectLiteral>;
    let method: 'GET' | 'POST' = m[1] === 'post' ? 'POST' : 'GET';
    if (m[1] === 'ajax') {
      const body = braceBody(after, 0);
      if (!body) continue;
      const o = objectLiteral(body);
      const u = o.get('url');
      url = u?.kind === 'literal' ? u.value : u?.kind === 'name' ? consts.get(u.name) : undefined;
      const t = o.get('type') ?? o.get('method');
      if (t?.kind === 'literal' && /post/i.test(t.value)) method = 'POST';
      const dAt = body.search(/\bdata\s*:\s*\{/);
      data = dAt >= 0 ? objectLiteral(braceBody(body, dAt) ?? '') : new Map();
    } else {
      const lit = /^\$\.\w+\s*\(\s*(["'])([^"']+)\1\s*,\s*\{/.exec(after);
      if (!lit) continue;
      url = lit[2];
      data = objectLiteral(braceBody(after, lit[0].length - 1) ?? '');
    }
    if (!url) continue;
    const param = [...data.keys()].find((k) => PAGE_KEY.test(k));
    if (!param) continue;
    let base: URL;
    try {
      base = new URL(url, pageUrl);
    } catch {
      continue;
    }
    const form = new URLSearchParams();
    for (const [k, v] of data) {
      if (k === param) continue;
      const value = v.kind === 'literal' ? v.value : consts.get(v.name);
      if (value !== undefined) form.set(k, value);
    }
    if (method === 'GET') for (const [k, v] of form) base.searchParams.set(k, v);
    return { base, param, method, form: method === 'POST' ? form : null };
  }
  return undefined;
}

const TITLE_KEY = /^(title|doctitle|docTitle|name|subject|bt|wzbt|text)$/i;
const URL_KEY = /^(url|docpuburl|docPubUrl|puburl|link|href|docurl|pageurl|path|detailurl|linkurl)$/i;
const COUNT_KEY = /^(pagecount|totalpage|totalpages|pages|countpage|pagetotal)$/i;

function walk(v: unknown, visit: (o: Record<string, unknown>) => void, depth = 0): void {
  if (depth > 8 || v === null || typeof v !== 'object') return;
  if (Array.isArray(v)) for (const x of v) walk(x, visit, depth + 1);
  else {
    visit(v as Record<string, unknown>);
    for (const x of Object.values(v as Record<string, unknown>)) walk(x, visit, depth + 1);
  }
}

/** JSON, or JSONP (`callback({...})`), or undefined. */
export function parseJsonish(text: string): unknown {
  const t = text.trim().replace(/^\uFEFF/, '');
  const m = /^[\w$.]+\s*\(([\s\S]*)\)\s*;?$/.exec(t);
  try {
    return JSON.parse(m ? m[1]! : t);
  } catch {
    return undefined;
  }
}

/** An API answer: its records as links, and the pages after it. */
export function readTrsAnswer(text: string, url: string, method: 'GET' | 'POST', body: string | null, api: TrsApi): CmsRead {
  const out: CmsRead = { fragments: [], requests: [] };
  const json = parseJsonish(text);
  if (json === undefined) return out;
  let pages = api.pages;
  let records = 0;
  walk(json, (o) => {
    const tKey = Object.keys(o).find((k) => TITLE_KEY.test(k) && typeof o[k] === 'string');
    const uKey = Object.keys(o).find((k) => URL_KEY.test(k) && typeof o[k] === 'string');
    if (tKey && uKey) {
      out.fragments.push(recordHtml(o[uKey] as string, o[tKey] as string));
      records++;
    }
    for (const [k, v] of Object.entries(o)) {
      const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
      if (COUNT_KEY.test(k) && Number.isFinite(n)) pages = Math.max(pages ?? 0, n);
    }
  });
  const base = new URL(url);
  const form = method === 'POST' ? new URLSearchParams(body ?? '') : null;
  if (pages !== null && pages > api.page) {
    out.requests.push(...pagesFrom(base, method, form, { ...api, pages }, api.page + 1, api.column ? pages : api.page + 1));
  }
  else if (pages === null && records > 0 && api.page < MAX_API_REQUESTS) out.requests.push(pageRequest(base, method, form, api, api.page + 1));
  return out;
}

/** The record HTML of every object with a title and a URL in a JSON(P) answer; null when it is no JSON. */
export function jsonRecords(text: string): string[] | null {
  const json = parseJsonish(text);
  if (json === undefined) return null;
  const out: string[] = [];
  walk(json, (o) => {
    const tKey = Object.keys(o).find((k) => TITLE_KEY.test(k) && typeof o[k] === 'string');
    const uKey = Object.keys(o).find((k) => URL_KEY.test(k) && typeof o[k] === 'string');
    if (tKey && uKey) out.push(recordHtml(o[uKey] as string, o[tKey] as string));
  });
  return out;
}
