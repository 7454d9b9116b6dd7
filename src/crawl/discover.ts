/**
 * Link discovery on a decoded HTML page (cheerio/slim): which links lead to annual reports, which
 * continue a paginated list, which are the report's own attachments, and whether the page itself is
 * a report, a page that wraps a report file, or a list/hub to be read for links only.
 */
import * as cheerio from 'cheerio/slim';
import { attachmentFormat, formRank, type LinkFormat } from './attachments.js';
import { readCmsAnswer, readCmsPage, type ApiInfo, type CmsRead } from './cms/index.js';
import { readSitemap } from './sitemap.js';

export type LinkKind = 'report' | 'attachment' | 'list' | 'hub' | 'api' | 'sitemap';

export interface FoundLink {
  url: string;
  kind: LinkKind;
  text: string;
  /** An attachment's form, as far as the link tells. */
  format?: LinkFormat;
  /** A list-API request (kind 'api'): POST with this form body, and what the API is. */
  method?: 'GET' | 'POST';
  body?: string;
  api?: ApiInfo;
}

export type PageRole = 'report' | 'wrapper' | 'list';

export interface PageLinks {
  title: string;
  role: PageRole;
  /** The links to follow for this role. */
  links: FoundLink[];
  /** Every link found (followed when a page taken for a report turns out not to be one). */
  allLinks: FoundLink[];
  /** A report page whose tables are pictures: its images (absolute URLs), to fetch with it. */
  images: string[];
}

/** Text that names an annual information-disclosure report or its column. */
const REPORT_TEXT =
  /(政府信息公开|政务信息公开|信息公开|政务公开).{0,40}(年度报告|年报|工作报告)|(年度报告|年报).{0,12}(政府信息公开|信息公开)|信息公开年报|公开年报/;
/** A report's own title: a year, then 年度报告/年报 (a column or list page names no year). */
const YEAR_REPORT = /(19|20)\d{2}年.{0,40}(年度报告|年报)/;
const REPORT_URL = /xxgknb|xxgkndbg|ndbg|gknb|zfxxgk.?nb|nianbao|ndxxgk|gkndbg/i;
/** Links towards the disclosure part of a site, followed only close to the seed. */
const HUB_TEXT = /^(政府信息公开|政务公开|信息公开|政府信息公开专栏|法定主动公开内容|政府信息公开目录)$/;
const HUB_URL = /^\/(xxgk|zwgk|zfxxgk|gkml|zfxxgkzl)\/?(index\.s?html?)?$/i;
const PAGER_TEXT = /^(下一页|下页|后页|尾页|末页|最后一页|上一页|上页|前页|首页|第?\d{1,4}页?|»|›|>|>>)$/;
const PAGER_URL = /(^|\/)(index|list|default)_\d+\.s?html?$|[?&](page|pageno|pagenum|pn|p|curpage|pageindex)=\d+/i;
const SKIP_EXT = /\.(jpe?g|png|gif|bmp|svg|ico|css|js|zip|rar|7z|exe|mp4|mp3|avi|wmv|flv|swf|pptx?)$/i;
/** Detail pages of the CMS platforms: Hanweb `/art/2023/1/18/art_7236_1234.html`, TRS `t20230118_1234.html`. */
const DETAIL_URL = /\/art\/\d{4}\/\d{1,2}\/\d{1,2}\/art_\d+_\d+\.s?html?$|\/t\d{8}_\d+\.s?html?$/i;
/** Images that are no table picture (site chrome). */
const CHROME_IMG = /logo|icon|banner|btn|button|arrow|spacer|blank|erweima|qrcode|\bqr|jiucuo|gongan|beian|dzjg|bg[_.]|share|weixin|weibo|print|close|top\./i;
const MAX_IMAGES = 40;
/** Markers of the report's statistical tables (any two of them make a report page). */
const TABLE_MARKERS = [
  /主动公开政府信息情况/,
  /收到和处理政府信息公开申请情况/,
  /本年新收政府信息公开申请数量/,
  /政府信息公开行政复议、?行政诉讼情况/,
  /行政复议/,
  /第二十条第[（(]/,
];

export function looksLikeReportText(s: string): boolean {
  return REPORT_TEXT.test(s.replace(/\s+/g, ''));
}

export function looksLikeReportUrl(u: string): boolean {
  return REPORT_URL.test(u);
}

function dirOf(u: URL): string {
  return u.origin + u.pathname.replace(/[^/]*$/, '');
}

/** A PDF.js-style viewer link (`viewer.html?file=…`, `viewer?file=…`): the file it shows. */
export function viewerTarget(u: URL): URL | null {
  if (!/viewer/i.test(u.pathname)) return null;
  const f = u.searchParams.get('file') ?? u.searchParams.get('src') ?? u.searchParams.get('url');
  if (!f) return null;
  try {
    return new URL(f, u);
  } catch {
    return null;
  }
}

/** `createPageHTML(N, cur, "index", "html")` and its variants → the URLs of pages 0 … N-1. */
export function scriptPagerUrls(html: string, base: URL): string[] {
  const out: string[] = [];
  const re = /createPageHTML\s*\(([^)]*)\)/g;
  for (let m = re.exec(html); m; m = re.exec(html)) {
    const args = m[1].split(',').map((a) => a.trim());
    const nums = args.filter((a) => /^\d+$/.test(a)).map(Number);
    const strs = args.filter((a) => /^(['"]).*\1$/.test(a)).map((a) => a.slice(1, -1));
    if (nums.length < 1) continue;
    const total = Math.min(nums[0], 1000);
    // the string arguments: an optional element id, then the file prefix and the extension
    const ext = strs.length >= 2 ? strs[strs.length - 1] : 'html';
    const prefix = strs.length >= 2 ? strs[strs.length - 2] : 'index';
    if (!/^[\w-]+$/.test(prefix) || !/^[\w]+$/.test(ext)) continue;
    for (let i = 0; i < total; i++) {
      out.push(new URL(i === 0 ? `${prefix}.${ext}` : `${prefix}_${i}.${ext}`, base).href);
    }
  }
  // other common pager scripts: `var countPage = N` with `index_` pages
  const cp = /countPage\s*=\s*(\d+)/.exec(html);
  if (out.length === 0 && cp && /index_/.test(html)) {
    const total = Math.min(Number(cp[1]), 1000);
    for (let i = 0; i < total; i++) out.push(new URL(i === 0 ? 'index.html' : `index_${i}.html`, base).href);
  }
  return out;
}

/** A hash route (`#/detail/123`, `#!/list`, also a bare `#/…` href): a page only its script shows; '' for none. */
export function hashRoute(url: string | URL): string {
  const h = typeof url === 'string' ? (url.includes('#') ? url.slice(url.indexOf('#')) : '') : url.hash;
  return h.startsWith('#/') || h.startsWith('#!/') ? h : '';
}

/**
 * A link's URL as the frontier keeps it: without its fragment (a plain anchor, `#top`), except a hash
 * route (`#/detail/123`, `#!/list`), which is the page a hash-routed app's script shows.
 */
export function clean(u: URL): string {
  u = new URL(u.href);
  if (!hashRoute(u)) u.hash = '';
  return u.href;
}

const RANK: Record<LinkKind, number> = { attachment: 3, report: 2, list: 1, api: 1, sitemap: 1, hub: 0 };

/** The links found on a page or in a list's records, each once (the strongest kind wins). */
export class LinkSet {
  private found = new Map<string, FoundLink>();

  constructor(private self: string) {}

  add(l: FoundLink): void {
    if (l.url === this.self && l.kind !== 'api') return;
    const key = l.method === 'POST' ? `${l.url}\n${l.body ?? ''}` : l.url;
    const prev = this.found.get(key);
    if (!prev || RANK[l.kind] > RANK[prev.kind]) this.found.set(key, l);
  }

  values(): FoundLink[] {
    return [...this.found.values()];
  }
}

function resolveHref(href: string | undefined, base: URL): URL | null {
  if (!href) return null;
  const h = href.trim();
  // a plain anchor (#top) is the page itself; a hash route (#/detail/1, #!/list) is a page of its own
  if (!h || /^(javascript|mailto|tel|data):/i.test(h) || (h.startsWith('#') && !hashRoute(h))) return null;
  try {
    const u = new URL(h, base);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
    return u;
  } catch {
    return null;
  }
}

/**
 * The kind of one link. `pageDir`: the directory of the list it is on (pager links stay in it);
 * `column`: the list is a column of annual reports, so its CMS detail pages are reports.
 */
function classify(u: URL, text: string, pageDir: string | null, column: boolean): FoundLink | undefined {
  const viewed = viewerTarget(u);
  if (viewed) return { url: clean(viewed), kind: 'attachment', text, format: 'pdf' };
  const bare = text.replace(/\s+/g, '');
  const reportLike = looksLikeReportText(bare) || looksLikeReportUrl(u.pathname);
  const format = attachmentFormat(u, text);
  // pictures are attachments only when they say they are a report (a page's own images: see images)
  if (format && (format !== 'image' || reportLike)) return { url: clean(u), kind: 'attachment', text, format };
  if (SKIP_EXT.test(u.pathname)) return undefined;
  if (reportLike || (column && DETAIL_URL.test(u.pathname))) return { url: clean(u), kind: 'report', text };
  if (pageDir !== null && dirOf(u) === pageDir && (PAGER_TEXT.test(bare) || PAGER_URL.test(u.pathname + u.search))) {
    return { url: clean(u), kind: 'list', text };
  }
  if (HUB_TEXT.test(bare) || HUB_URL.test(u.pathname)) return { url: clean(u), kind: 'hub', text };
  return undefined;
}

function readAnchors($: cheerio.CheerioAPI, base: URL, pageDir: string | null, column: boolean, into: LinkSet): void {
  $('a[href], area[href]').each((_, el) => {
    const a = $(el);
    const u = resolveHref(a.attr('href'), base);
    if (!u) return;
    const text = (a.text() + ' ' + (a.attr('title') ?? '')).replace(/\s+/g, ' ').trim();
    const l = classify(u, text, pageDir, column);
    if (l) into.add(l);
  });
}

/** The links of a CMS list's records and its list-API requests. */
function readCms(cms: CmsRead, base: URL, column: boolean, into: LinkSet): void {
  for (const f of cms.fragments) readAnchors(cheerio.load(f), base, null, column, into);
  for (const r of cms.requests) into.add({ url: r.url, kind: 'api', text: r.api.cms, method: r.method, body: r.body, api: r.api });
}

/**
 * On a list, a file in a form other than PDF or text is followed only when its link names a report
 * (a column's 申请表.doc is no report; a report page's own attachments are all its own).
 */
function listWorthy(l: FoundLink): boolean {
  if (l.kind !== 'attachment' || l.format === 'pdf' || l.format === 'text') return true;
  return looksLikeReportText(l.text.replace(/\s+/g, '')) || looksLikeReportUrl(l.url);
}

/** Of a wrapper's attachments, those in the most preferred form (see FORM_PREFERENCE): one report, one form. */
function preferredForm(attachments: FoundLink[]): FoundLink[] {
  if (attachments.length === 0) return attachments;
  const best = Math.min(...attachments.map((l) => formRank(l.format ?? 'unknown')));
  return attachments.filter((l) => formRank(l.format ?? 'unknown') === best);
}

/**
 * `extra`: links the page's own scripts gave (a rendered page's downloads, see render-step.ts),
 * counted with the anchors (a report page offering its report only behind a download control is a wrapper).
 */
export function discover(html: string, pageUrl: string, extra: FoundLink[] = []): PageLinks {
  const $ = cheerio.load(html);
  const page = new URL(pageUrl);
  let base = page;
  const baseHref = $('base[href]').attr('href');
  if (baseHref) {
    try {
      base = new URL(baseHref, page);
    } catch {
      /* keep the page URL */
    }
  }
  const title = ($('title').first().text() || $('h1').first().text()).replace(/\s+/g, ' ').trim();
  const heading = ($('h1').first().text() || $('.title, #title, .article-title, h2').first().text()).replace(/\s+/g, ' ').trim();
  const pageDir = dirOf(page);
  const column = looksLikeReportText((title + heading).replace(/\s+/g, '')) || looksLikeReportUrl(page.pathname);
  const found = new LinkSet(page.href);
  readAnchors($, base, pageDir, false, found);
  $('iframe[src], embed[src], object[data], frame[src]').each((_, el) => {
    const e = $(el);
    const u = resolveHref(e.attr('src') ?? e.attr('data'), base);
    if (!u) return;
    const viewed = viewerTarget(u);
    if (viewed) return void found.add({ url: clean(viewed), kind: 'attachment', text: 'embedded', format: 'pdf' });
    const format = attachmentFormat(u, '') ?? (/pdf/i.test(e.attr('type') ?? '') ? 'pdf' : undefined);
    if (format && format !== 'image') found.add({ url: clean(u), kind: 'attachment', text: 'embedded', format });
  });
  // JavaScript pagers: only the pages of the list this page belongs to
  for (const p of scriptPagerUrls(html, page)) if (dirOf(new URL(p)) === pageDir) found.add({ url: p, kind: 'list', text: 'pager' });
  // CMS lists whose records sit in scripts or come from a list API (Hanweb jpage, TRS 动静结合)
  readCms(readCmsPage(html, page.href, column), base, column, found);
  for (const l of extra) found.add(l);

  const all = found.values();
  const text = $('body').text();
  const markers = TABLE_MARKERS.filter((re) => re.test(text)).length;
  const tables = $('table').length;
  const yearLink = (l: FoundLink) => l.kind === 'report' && YEAR_REPORT.test(l.text.replace(/\s+/g, ''));
  const attachments = all.filter((l) => l.kind === 'attachment');
  const ownTitle = (heading || title).replace(/\s+/g, '');
  const named = looksLikeReportText(ownTitle) && YEAR_REPORT.test(ownTitle);
  let role: PageRole = 'list';
  if (markers >= 2 && (tables > 0 || /本年新收/.test(text))) role = 'report';
  else if (named && attachments.length > 0) role = 'wrapper';
  else if (named) role = 'report'; // a report in prose only (or its tables are pictures): extraction says
  const images: string[] = [];
  if (role === 'report' && !/本年新收/.test(text)) {
    // the tables are not text: pictures of them, fetched with the page for OCR
    $('body img[src]').each((_, el) => {
      const u = resolveHref($(el).attr('src'), base);
      if (u && !CHROME_IMG.test(u.pathname) && !images.includes(clean(u)) && images.length < MAX_IMAGES) images.push(clean(u));
    });
  }
  return {
    title: heading || title,
    role,
    // the order of preference (README, Crawling): a report page with its tables is the document (an
    // attached copy would store it twice) and may point to other years' reports; a wrapper yields its
    // files in the most preferred form; a list or hub page everything
    links: role === 'list' ? all.filter(listWorthy) : role === 'wrapper' ? preferredForm(attachments) : all.filter(yearLink),
    allLinks: all.filter(listWorthy),
    images,
  };
}

/** The links in a list API's answer (records, and the further pages or windows to ask for). */
export function discoverAnswer(text: string, url: string, method: 'GET' | 'POST', body: string | null, api: ApiInfo): FoundLink[] {
  const found = new LinkSet('');
  readCms(readCmsAnswer(text, url, method, body, api), new URL(url), api.column, found);
  const links = found.values().filter(listWorthy);
  // a list that is not a column of annual reports is read on only while its pages bring reports
  if (api.column || links.some((l) => l.kind === 'report' || l.kind === 'attachment')) return links;
  return links.filter((l) => l.kind !== 'api');
}

/** The links in a sitemap: further sitemaps, and the URLs that look like reports (URL or title). */
export function discoverSitemap(bytes: Uint8Array, url: string): FoundLink[] {
  const sm = readSitemap(bytes, url);
  const found = new LinkSet(url);
  for (const s of sm.sitemaps) found.add({ url: s, kind: 'sitemap', text: 'sitemap' });
  for (const p of sm.pages) {
    const l = classify(new URL(p.url), p.title, null, false);
    if (l && (l.kind === 'report' || l.kind === 'attachment')) found.add(l);
  }
  return found.values();
}
