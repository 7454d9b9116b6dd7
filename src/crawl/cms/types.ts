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

export type ApiInfo = HanwebApi | TrsApi;

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
