/**
 * Hanweb (大汉) jpage columns (`/col/colNNN/index.html`). The first records sit in the page inside
 * `<script type="text/xml"><datastore><nextgroup>…</nextgroup><recordset><record><![CDATA[<li><a
 * href=…>…</a></li>]]></record>…`; a `$('#id').jpage({perPage, totalRecord, groupSize, proxyUrl,
 * ajaxParam: {col, appid, webid, path, columnid, sourceContentType, unitid, webname, permissiontype}})`
 * call fetches the rest window by window: POST `proxyUrl?startrecord=A&endrecord=B&perpage=N` with
 * the ajaxParam fields as the form body, answered by `<datastore><totalrecord>…<totalpage>…
 * <recordset>…`. All read from the markup, never run.
 */
import { braceBody, inlineScripts, objectLiteral } from './script.js';
import { MAX_API_REQUESTS, type ApiRequest, type CmsRead, type HanwebApi } from './types.js';

const RECORD = /<record>\s*<!\[CDATA\[([\s\S]*?)\]\]>\s*<\/record>/gi;
const DEFAULT_GROUP_SIZE = 3;

function records(xml: string): string[] {
  return [...xml.matchAll(RECORD)].map((m) => m[1]!);
}

/** The dataproxy.jsp windows from record `from` (1-based) to `total`. */
function windows(proxy: URL, from: number, total: number, api: HanwebApi, body: string): ApiRequest[] {
  const out: ApiRequest[] = [];
  for (let start = from; start <= total && out.length < MAX_API_REQUESTS; start += api.window) {
    const u = new URL(proxy.href);
    u.search = '';
    u.searchParams.set('startrecord', String(start));
    u.searchParams.set('endrecord', String(Math.min(start + api.window - 1, total)));
    u.searchParams.set('perpage', String(api.perPage));
    out.push({ url: u.href, method: 'POST', body, api });
  }
  return out;
}

/** A column page: its inline records, and the POST windows for the rest. */
export function readHanwebColumn(html: string, pageUrl: string, column: boolean): CmsRead {
  const out: CmsRead = { fragments: [], requests: [] };
  if (!/<datastore>/i.test(html) && !/\.jpage\s*\(/.test(html)) return out;
  let inline = 0;
  let nextgroup: string | undefined;
  for (const s of inlineScripts(html)) {
    if (s.type === 'text/xml' && /<datastore>/i.test(s.text)) {
      const recs = records(s.text);
      inline += recs.length;
      out.fragments.push(...recs);
      nextgroup ??= /<nextgroup>\s*<!\[CDATA\[[\s\S]*?href=["']([^"']+)["']/i.exec(s.text)?.[1];
    }
  }
  for (const s of inlineScripts(html)) {
    const at = s.text.search(/\.jpage\s*\(/);
    if (at < 0) continue;
    const call = braceBody(s.text, at);
    if (!call) continue;
    const o = objectLiteral(call);
    const num = (k: string) => {
      const v = o.get(k);
      return v?.kind === 'literal' && /^\d+$/.test(v.value) ? Number(v.value) : undefined;
    };
    const proxyV = o.get('proxyUrl');
    const perPage = num('perPage') ?? 15;
    const total = num('totalRecord');
    const proxyUrl = proxyV?.kind === 'literal' ? proxyV.value : '/module/web/jpage/dataproxy.jsp';
    const pAt = call.search(/ajaxParam\s*:/);
    const params = pAt >= 0 ? objectLiteral(braceBody(call, pAt) ?? '') : new Map();
    const form = new URLSearchParams();
    for (const [k, v] of params) if (v.kind === 'literal') form.set(k, v.value);
    const api: HanwebApi = { cms: 'hanweb', perPage, window: perPage * (num('groupSize') ?? DEFAULT_GROUP_SIZE), column };
    let proxy: URL;
    try {
      proxy = new URL(proxyUrl, pageUrl);
    } catch {
      continue;
    }
    // with no totalRecord, the first window's answer tells it; a column that is not one of annual
    // reports is read a window at a time, while its windows bring reports (see discoverAnswer)
    const last = total === undefined || !column ? inline + api.window : total;
    out.requests.push(...windows(proxy, inline + 1, Math.min(last, total ?? last), api, form.toString()));
    return out;
  }
  // no jpage call: the nextgroup link (the same proxy, by GET)
  if (nextgroup) {
    try {
      const u = new URL(nextgroup.replace(/&amp;/g, '&'), pageUrl);
      out.requests.push({ url: u.href, method: 'GET', api: { cms: 'hanweb', perPage: 15, window: 45, column } });
    } catch {
      /* a broken link: nothing to follow */
    }
  }
  return out;
}

/** A dataproxy.jsp answer: its records, and the windows after it up to `<totalrecord>`. */
export function readHanwebAnswer(xml: string, url: string, body: string | null, api: HanwebApi): CmsRead {
  const out: CmsRead = { fragments: records(xml), requests: [] };
  const total = Number(/<totalrecord>\s*(\d+)\s*<\/totalrecord>/i.exec(xml)?.[1] ?? NaN);
  const u = new URL(url);
  const end = Number(u.searchParams.get('endrecord') ?? NaN);
  if (Number.isFinite(total) && Number.isFinite(end) && total > end && body !== null) {
    out.requests.push(...windows(u, end + 1, api.column ? total : Math.min(total, end + api.window), api, body));
  }
  return out;
}
