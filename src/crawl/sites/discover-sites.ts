/**
 * Site discovery on a decoded HTML page (pure: no fetching, no SQLite): the government sites a page
 * links to (site directories — 政府网站导航, 市县政府, 区县政府网站, 部门网站, 乡镇街道 link blocks —,
 * select menus of sites, site-group pages, and any other link to a government host), the same-host
 * pages that are such directories (to be read for more sites), and what the page's footer says of its
 * own site (网站标识码, ICP and 公安备案 numbers).
 */
import * as cheerio from 'cheerio/slim';

/** A government host: *.gov.cn (the domain China's government sites are required to use). */
export function isGovHost(hostname: string): boolean {
  return /(^|\.)gov\.cn$/i.test(hostname.replace(/\.$/, ''));
}

/**
 * Government hosts that are services, not a body's site: the ICP and 公安 filing registries, the
 * national site-error reporting desk (footer links of every government site).
 */
export const NOT_A_SITE = /^(?:beian\.miit|(?:www\.)?beian|zfwzzc\.www|zfwzgl\.www|ipv6)\.gov\.cn$/i;

/** Words of a site directory: a link to such a page, or the heading of a block of site links. */
export const DIRECTORY_TEXT =
  /网站导航|政府网站|网站群|站群|市县政府|区县政府|县区政府|县市区政府|县(?:市)?区网站|市县网站|部门网站|部门链接|乡镇(?:街道)?(?:网站|政府|链接)?|街道(?:网站|链接)|政府链接|相关链接|友情链接|网站链接/u;

export interface SiteLink {
  /** The site's home page: the link's origin + '/'. */
  home: string;
  host: string;
  /** The link's text (the site's name as the directory gives it), or the option's label. */
  text: string;
  /** directory: in a site-directory block or a select menu of sites; link: any other link. */
  foundBy: 'directory' | 'link';
}

export interface SiteIdentity {
  title: string | null;
  /** 网站标识码: ten digits, or bm + digits for a central department. */
  siteCode: string | null;
  icp: string | null;
  gongan: string | null;
}

export interface PageSites {
  sites: SiteLink[];
  /** Same-host pages that list sites (政府网站导航…): to read for more sites. */
  directories: { url: string; text: string }[];
  identity: SiteIdentity;
}

const SITE_CODE = /网站标识码\s*[:：]?\s*((?:bm|BM)\d{2,10}|\d{10})/u;
const ICP = /([\u4e00-\u9fff]ICP[备備]\s*\d{6,10}\s*号?(?:\s*-\s*\d+)?)/u;
const GONGAN = /([\u4e00-\u9fff]公网安[备備]\s*\d{8,16}\s*号?)/u;
const SKIP = /\.(jpe?g|png|gif|pdf|docx?|xlsx?|zip|rar|css|js)$/i;

function clean(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** The footer numbers and title of a page. */
export function siteIdentity(html: string, $?: cheerio.CheerioAPI): SiteIdentity {
  const doc = $ ?? cheerio.load(html);
  const text = clean(doc('body').text() || html);
  const code = SITE_CODE.exec(text);
  const icp = ICP.exec(text);
  const ga = GONGAN.exec(text);
  return {
    title: clean(doc('title').first().text()) || null,
    siteCode: code ? code[1]!.toLowerCase() : null,
    icp: icp ? icp[1]!.replace(/\s+/g, '') : null,
    gongan: ga ? ga[1]!.replace(/\s+/g, ' ') : null,
  };
}

/** The nearest heading-like text of the block holding an element (its container's first text lines). */
function blockHeading($: cheerio.CheerioAPI, el: cheerio.Cheerio<never>): string {
  let x = el.parent();
  for (let i = 0; i < 4 && x.length; i++, x = x.parent()) {
    const head = x.children('h1,h2,h3,h4,h5,h6,dt,strong,b,.title,.tit,.hd,caption,legend,span').first().text();
    if (head && DIRECTORY_TEXT.test(head)) return head;
    const label = x.attr('title') ?? x.attr('aria-label') ?? x.attr('id') ?? x.attr('class') ?? '';
    if (DIRECTORY_TEXT.test(label) || /wzdh|zfwz|bmwz|xsq|qxwz|link|wzq/i.test(label)) return label;
    if (x.prev().length && DIRECTORY_TEXT.test(x.prev().text().slice(0, 30))) return x.prev().text();
  }
  return '';
}

/** Path words of a site group that come before the site's own name (/site/xihua/, /sites/luyi/). */
const GROUP_WORDS = /^(?:site|sites|web|websites|station|zhan)$/i;

/**
 * A site of a site group by its path: the first path segment (the first two after a group word such
 * as `site`), and its home (`http://host/xihua/`); null for a link to the host's root or a file there.
 */
export function pathSiteKey(u: URL): { path: string; home: string } | null {
  const segs = u.pathname.split('/').filter(Boolean);
  const n = segs.length && GROUP_WORDS.test(segs[0]!) ? 2 : 1;
  if (segs.length < n) return null;
  const key = segs.slice(0, n);
  // a file at the root (/index.html) names no site
  if (segs.length === n && !u.pathname.endsWith('/') && /\.[a-z0-9]{2,5}$/i.test(key[n - 1]!)) return null;
  const path = key.join('/');
  return { path, home: `${u.protocol}//${u.host}/${path}/` };
}

/** The government sites a page links to, its same-host directory pages, and its own identity. */
export function discoverSites(html: string, pageUrl: string): PageSites {
  const $ = cheerio.load(html);
  const base = new URL(pageUrl);
  const sites = new Map<string, SiteLink>();
  const directories = new Map<string, string>();
  const consider = (href: string | undefined, text: string, inDirectory: boolean) => {
    if (!href) return;
    let u: URL;
    try {
      u = new URL(href.trim(), base);
    } catch {
      return;
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return;
    u.hash = '';
    if (u.host === base.host) {
      if (!SKIP.test(u.pathname) && text.length <= 20 && DIRECTORY_TEXT.test(text)) directories.set(u.href, text);
      return;
    }
    if (!isGovHost(u.hostname) || NOT_A_SITE.test(u.hostname)) return;
    const prev = sites.get(u.host);
    const foundBy = inDirectory ? 'directory' : 'link';
    if (!prev || (prev.foundBy === 'link' && foundBy === 'directory') || (!prev.text && text)) {
      sites.set(u.host, { home: `${u.protocol}//${u.host}/`, host: u.host, text: text || prev?.text || '', foundBy: prev?.foundBy === 'directory' ? 'directory' : foundBy });
    }
  };
  $('a[href]').each((_, a) => {
    const el = $(a);
    const text = clean(el.text() || el.attr('title') || '');
    consider(el.attr('href'), text, blockHeading($, el as never) !== '');
  });
  // a site group (集约化 platform): several sites of one host told apart by their paths (/xihua/, /site/luyi/)
  const groups = new Map<string, Map<string, SiteLink>>();
  $('a[href]').each((_, a) => {
    const el = $(a);
    let u: URL;
    try {
      u = new URL((el.attr('href') ?? '').trim(), base);
    } catch {
      return;
    }
    const site = sites.get(u.host);
    const key = pathSiteKey(u);
    if (!site || site.foundBy !== 'directory' || !key || blockHeading($, el as never) === '') return;
    const g = groups.get(u.host) ?? new Map<string, SiteLink>();
    if (!g.has(key.path)) g.set(key.path, { home: key.home, host: `${u.host}/${key.path}`, text: clean(el.text() || el.attr('title') || ''), foundBy: 'directory' });
    groups.set(u.host, g);
  });
  for (const [host, g] of groups) {
    if (g.size < 2) continue;
    sites.delete(host);
    for (const l of g.values()) sites.set(l.host, l);
  }
  // select menus of sites: <select onchange="window.open(this.value)"><option value="http://…">
  $('select option').each((_, o) => {
    const el = $(o);
    const v = el.attr('value');
    if (v && /^(https?:)?\/\//i.test(v.trim())) consider(v, clean(el.text()), true);
  });
  return {
    sites: [...sites.values()],
    directories: [...directories].map(([url, text]) => ({ url, text })),
    identity: siteIdentity(html, $),
  };
}
