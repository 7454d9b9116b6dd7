/**
 * List-API replay (issue 16 item 3): a rendered list page whose list came from one API request with
 * a page parameter (`page`, `pageNo`, `pageIndex`, `curPage`, `start`/`offset`… in the query, a form
 * or a JSON body; answered JSON or an HTML fragment) is read further by asking that request again with
 * the next values, through the frontier and the crawler's fetcher like any list API (polite, in scope,
 * logged), instead of clicking on: a list longer than the render's click and time bounds is read to
 * its end. Each answer that brings records asks for the next value; one that brings none ends it.
 * Knows nothing of the browser: requests and answers in, requests and record HTML out.
 */
import { jsonRecords } from './trs.js';
import { MAX_API_REQUESTS, type ApiRequest, type CmsRead, type ReplayApi } from './types.js';

/** Names of a list's page parameter: a page number, or an offset (start, offset). */
const PAGE_PARAM = /^(page|pageno|pagenum|pageindex|pagenumber|curpage|currpage|currentpage|cp|pn|start|offset|startrow|firstresult)$/i;
const OFFSET_PARAM = /^(start|offset|startrow|firstresult)$/i;
/** Names of a page's size beside an offset (its step). */
const SIZE_PARAM = /^(pagesize|size|limit|rows|perpage|pernum|length|count)$/i;

export interface SeenRequest {
  url: string;
  method: 'GET' | 'POST';
  body: string | null;
  contentType: string;
}

/** Where a request carries its page parameter, the parameter's name and value, and the page size beside it. */
export function pageParameter(r: SeenRequest): { where: ReplayApi['where']; param: string; value: number; size: number | null } | null {
  const find = (entries: [string, unknown][], where: ReplayApi['where']) => {
    const hit = entries.find(([k, v]) => PAGE_PARAM.test(k) && /^\d{1,6}$/.test(String(v)));
    if (!hit) return null;
    const size = entries.find(([k, v]) => SIZE_PARAM.test(k) && /^\d{1,4}$/.test(String(v)));
    return { where, param: hit[0], value: Number(hit[1]), size: size ? Number(size[1]) : null };
  };
  let u: URL;
  try {
    u = new URL(r.url);
  } catch {
    return null;
  }
  if (r.method === 'POST' && r.body) {
    if (/json/i.test(r.contentType) || /^\s*\{/.test(r.body)) {
      try {
        const v = JSON.parse(r.body) as unknown;
        if (v && typeof v === 'object' && !Array.isArray(v)) {
          const hit = find(Object.entries(v as Record<string, unknown>), 'json');
          if (hit) return hit;
        }
      } catch {
        /* not JSON */
      }
    } else {
      const hit = find([...new URLSearchParams(r.body)], 'form');
      if (hit) return hit;
    }
  }
  return find([...u.searchParams], 'query');
}

/** The same request with the page parameter set to `value`. */
export function withValue(r: Pick<SeenRequest, 'url' | 'method' | 'body'>, api: ReplayApi, value: number): ApiRequest {
  const next = { ...api, value };
  if (api.where === 'query') {
    const u = new URL(r.url);
    u.searchParams.set(api.param, String(value));
    return { url: u.href, method: r.method, ...(r.method === 'POST' ? { body: r.body ?? '' } : {}), api: next };
  }
  if (api.where === 'form') {
    const f = new URLSearchParams(r.body ?? '');
    f.set(api.param, String(value));
    return { url: r.url, method: 'POST', body: f.toString(), api: next };
  }
  const o = JSON.parse(r.body ?? '{}') as Record<string, unknown>;
  o[api.param] = typeof o[api.param] === 'string' ? String(value) : value;
  return { url: r.url, method: 'POST', body: JSON.stringify(o), api: next };
}

/** The records of an answer: JSON objects with a title and a URL, or the HTML fragment itself. */
export function answerRecords(text: string): string[] {
  const records = jsonRecords(text);
  if (records !== null) return records;
  return /<a\s[^>]*href/i.test(text) ? [text] : [];
}

/** A replayed answer: its records, and the next value's request while it brings any. */
export function readReplayAnswer(text: string, url: string, method: 'GET' | 'POST', body: string | null, api: ReplayApi): CmsRead {
  const fragments = answerRecords(text);
  const first = fragments[0]?.slice(0, 300);
  if (first !== undefined && first === api.prev) return { fragments, requests: [] }; // the same page again: the end
  const hops = (api.hops ?? 0) + 1;
  const requests = fragments.length > 0 && hops < MAX_API_REQUESTS ? [withValue({ url, method, body }, { ...api, hops, prev: first }, api.value + api.step)] : [];
  return { fragments, requests };
}

/**
 * Of the requests a rendered page made (with their answers), the list APIs to replay: those with a
 * page parameter whose answer holds one of the page's report links (its URL, as written in the
 * answer), grouped by everything but the page value; each is asked next at the highest value seen
 * plus its step (1; for an offset, the page size beside it, else the records one answer held).
 */
export function replayRequests(seen: { req: SeenRequest; answer: string }[], reportUrls: string[], column: boolean): ApiRequest[] {
  const paths = reportUrls
    .map((u) => {
      try {
        const x = new URL(u);
        return x.pathname + x.search;
      } catch {
        return '';
      }
    })
    .filter((p) => p.length > 1);
  const groups = new Map<string, { req: SeenRequest; api: ReplayApi }>();
  for (const { req, answer } of seen) {
    const p = pageParameter(req);
    if (!p) continue;
    const plain = answer.replace(/\\\//g, '/');
    if (!paths.some((path) => plain.includes(path))) continue;
    const records = answerRecords(answer).length;
    const offset = OFFSET_PARAM.test(p.param);
    const step = offset ? (p.size ?? Math.max(1, records)) : 1;
    const key = JSON.stringify([req.method, withValue(req, { cms: 'replay', ...p, step, column }, 0)]);
    const prev = groups.get(key);
    if (!prev || p.value > prev.api.value) groups.set(key, { req, api: { cms: 'replay', where: p.where, param: p.param, value: p.value, step, column } });
  }
  return [...groups.values()].map((g) => withValue(g.req, g.api, g.api.value + g.api.step));
}
