/**
 * The CMS platforms whose lists are not plain links (Hanweb jpage columns, TRS 动静结合 lists), read
 * from a page's markup and inline scripts without running them; and the answers of their list APIs.
 */
import { readHanwebAnswer, readHanwebColumn } from './hanweb.js';
import { readTrsAnswer, readTrsDynamicList } from './trs.js';
import { readReplayAnswer } from './replay.js';
import type { ApiInfo, CmsRead } from './types.js';

export type { ApiInfo, ApiRequest, CmsRead, ReplayApi } from './types.js';

/** Record HTML and list-API requests of a page. `column`: the page is a column of annual reports. */
export function readCmsPage(html: string, pageUrl: string, column: boolean): CmsRead {
  const hanweb = readHanwebColumn(html, pageUrl, column);
  if (hanweb.fragments.length || hanweb.requests.length) return hanweb;
  return readTrsDynamicList(html, pageUrl, column);
}

/** A list API's answer (the frontier row's `api` says which). */
export function readCmsAnswer(text: string, url: string, method: 'GET' | 'POST', body: string | null, api: ApiInfo): CmsRead {
  if (api.cms === 'replay') return readReplayAnswer(text, url, method, body, api);
  return api.cms === 'hanweb' ? readHanwebAnswer(text, url, body, api) : readTrsAnswer(text, url, method, body, api);
}

export function parseApiInfo(json: string | null): ApiInfo | null {
  if (!json) return null;
  try {
    const v = JSON.parse(json) as ApiInfo;
    return v && (v.cms === 'hanweb' || v.cms === 'trs' || v.cms === 'replay') ? v : null;
  } catch {
    return null;
  }
}
