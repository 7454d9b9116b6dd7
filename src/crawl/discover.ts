/**
 * Link discovery on a decoded HTML page (cheerio/slim): which links lead to annual reports, which
 * continue a paginated list, which are the report's own attachments, and whether the page itself is
 * a report, a page that wraps a report file, or a list/hub to be read for links only.
 */
import * as cheerio from 'cheerio/slim';

export type LinkKind = 'report' | 'attachment' | 'list' | 'hub';

export interface FoundLink {
  url: string;
  kind: LinkKind;
  text: string;
}

export type PageRole = 'report' | 'wrapper' | 'list';

export interface PageLinks {
  title: string;
  role: PageRole;
  /** The links to follow for this role. */
  links: FoundLink[];
  /** Every link found (followed when a page taken for a report turns out not to be one). */
  allLinks: FoundLink[];
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
const DOC_EXT = /\.(pdf|txt)$/i;
const SKIP_EXT = /\.(jpe?g|png|gif|bmp|svg|ico|css|js|zip|rar|7z|exe|mp4|mp3|avi|wmv|flv|swf|xlsx?|docx?|wps|pptx?|ofd)$/i;
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

function clean(u: URL): string {
  u.hash = '';
  return u.href;
}

export function discover(html: string, pageUrl: string): PageLinks {
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
  const found = new Map<string, FoundLink>();
  const add = (url: string, kind: LinkKind, text: string) => {
    if (url === page.href) return;
    const prev = found.get(url);
    const rank: Record<LinkKind, number> = { attachment: 3, report: 2, list: 1, hub: 0 };
    if (!prev || rank[kind] > rank[prev.kind]) found.set(url, { url, kind, text });
  };
  const resolve = (href: string | undefined): URL | null => {
    if (!href) return null;
    const h = href.trim();
    if (!h || /^(javascript|mailto|tel|data):/i.test(h) || h.startsWith('#')) return null;
    try {
      const u = new URL(h, base);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
      return u;
    } catch {
      return null;
    }
  };

  $('a[href], area[href]').each((_, el) => {
    const a = $(el);
    const u = resolve(a.attr('href'));
    if (!u) return;
    const text = (a.text() + ' ' + (a.attr('title') ?? '')).replace(/\s+/g, ' ').trim();
    const viewed = viewerTarget(u);
    if (viewed) return void add(clean(viewed), 'attachment', text);
    if (DOC_EXT.test(u.pathname)) return void add(clean(u), 'attachment', text);
    if (SKIP_EXT.test(u.pathname)) return;
    const bare = text.replace(/\s+/g, '');
    if (looksLikeReportText(bare) || looksLikeReportUrl(u.pathname)) return void add(clean(u), 'report', text);
    if (dirOf(u) === pageDir && (PAGER_TEXT.test(bare) || PAGER_URL.test(u.pathname + u.search))) {
      return void add(clean(u), 'list', text);
    }
    if (HUB_TEXT.test(bare) || HUB_URL.test(u.pathname)) return void add(clean(u), 'hub', text);
  });
  $('iframe[src], embed[src], object[data], frame[src]').each((_, el) => {
    const e = $(el);
    const u = resolve(e.attr('src') ?? e.attr('data'));
    if (!u) return;
    const viewed = viewerTarget(u);
    if (viewed) return void add(clean(viewed), 'attachment', 'embedded');
    if (DOC_EXT.test(u.pathname) || /pdf/i.test(e.attr('type') ?? '')) add(clean(u), 'attachment', 'embedded');
  });
  // JavaScript pagers: only the pages of the list this page belongs to
  for (const p of scriptPagerUrls(html, page)) if (dirOf(new URL(p)) === pageDir) add(p, 'list', 'pager');

  const links = [...found.values()];
  const text = $('body').text();
  const markers = TABLE_MARKERS.filter((re) => re.test(text)).length;
  const tables = $('table').length;
  const yearLink = (l: FoundLink) => l.kind === 'report' && YEAR_REPORT.test(l.text.replace(/\s+/g, ''));
  const attachments = links.filter((l) => l.kind === 'attachment');
  const ownTitle = (heading || title).replace(/\s+/g, '');
  const named = looksLikeReportText(ownTitle) && YEAR_REPORT.test(ownTitle);
  let role: PageRole = 'list';
  if (markers >= 2 && (tables > 0 || /本年新收/.test(text))) role = 'report';
  else if (named && attachments.length > 0) role = 'wrapper';
  else if (named) role = 'report'; // a report in prose only: extraction says no_tables (or not_a_report)
  return {
    title: heading || title,
    role,
    // a report page with its tables is the document (an attached copy would store it twice) and may
    // point to other years' reports; a wrapper yields its files; a list or hub page everything
    links: role === 'list' ? links : role === 'wrapper' ? attachments : links.filter(yearLink),
    allLinks: links,
  };
}
