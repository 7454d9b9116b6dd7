/** What the CMS readers give discovery: record HTML to read for links, and list-API requests to queue. */

export interface HanwebApi {
  cms: 'hanweb';
  /** Records per page (`perpage=`) and per dataproxy.jsp window (perPage × groupSize). */
  perPage: number;
  window: number;
  /** The column names annual reports: its detail pages are reports whatever their titles. */
  column: boolean;
}

export interface TrsApi {
  cms: 'trs';
  /** The page parameter, in the query (GET) or the form body (POST). */
  param: string;
  page: number;
  /** Pages in all, when the page's script or an answer says. */
  pages: number | null;
  column: boolean;
}

/** A list API a rendered page called, replayed with the next values of its page parameter (replay.ts). */
export interface ReplayApi {
  cms: 'replay';
  /** Where the page parameter is: the query, a form body, or a JSON body. */
  where: 'query' | 'form' | 'json';
  param: string;
  /** The value this request asks for, and the step to the next (1, or the page size of an offset). */
  value: number;
  step: number;
  column: boolean;
  /** Requests replayed so far in this chain, and the first record of the answer before (an API that
   * answers its last page again for any later value ends the chain). */
  hops?: number;
  prev?: string;
}

export type ApiInfo = HanwebApi | TrsApi | ReplayApi;

export interface ApiRequest {
  url: string;
  method: 'GET' | 'POST';
  body?: string;
  api: ApiInfo;
}

export interface CmsRead {
  /** HTML holding record links (`<li><a href=…>…</a></li>`). */
  fragments: string[];
  requests: ApiRequest[];
}

/** At most this many list-API requests from one page or answer. */
export const MAX_API_REQUESTS = 1000;
