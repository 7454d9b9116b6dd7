/**
 * Does this page need a browser? Decided per page from the bytes the plain HTTP fetch got, as
 * Crawlee's adaptive crawler does: plain HTTP first, the browser only when the page's own scripts
 * build what the static HTML lacks. A page with its links, or with its report tables, is never
 * rendered; a page whose list container is empty, whose links sit only inside scripts, whose body
 * is an empty app root with a bundle, or whose (near-empty) body is filled by scripts fetching
 * JSON, is.
 */
import * as cheerio from 'cheerio/slim';
import type { PageLinks } from './discover.js';

export interface RenderDecision {
  render: boolean;
  /** Why (or why not), for the log. */
  reason: string;
}

/** Ids and classes of the elements that hold a list of items. */
const LIST_NAME = /list|items?([-_\s\d]|$)|(^|[-_\s])(news|data|results?|content|articles?|docs?|files?|grid|rows?)([-_\s\d]|$)/i;
/** …but not a pager's box (createPageHTML and its kin fill those, and discover() reads their scripts). */
const PAGER_NAME = /page|pager|pagination|fenye|paging/i;
/** Ids of single-page-app mount points. */
const APP_ROOT = /^(app|root|main-app|__next|__nuxt|q-app|vue-app|react-root)$/i;
/** Script calls that fetch data from the server. */
const FETCHES = /\bfetch\s*\(|XMLHttpRequest|\$\.(ajax|get|getJSON|post)\s*\(|\baxios\b|\.ajax\s*\(/;
/** Links written inside scripts: href assignments, URL strings of pages and documents. */
const SCRIPT_LINK = /(href\s*=|location(\.href)?\s*=|window\.open\s*\(|['"`][^'"`\s]*\.(s?html?|pdf|docx?|jsp|aspx?|php)(\?[^'"`\s]*)?['"`])/i;
/** A pager written by script: `?page=`, page-number variables. */
const SCRIPT_PAGER = /[?&](page|pageno|pagenum|pageindex|curpage)=|\b(pageNo|pageNum|pageIndex|currentPage|curPage|totalPage|pageCount)\b/;

/** Text of the body without scripts, styles and whitespace. */
function visibleText($: cheerio.CheerioAPI): string {
  const body = $('body').clone();
  body.find('script, style, noscript, template').remove();
  return body.text().replace(/\s+/g, '');
}

export function decideRender(html: string, page: PageLinks): RenderDecision {
  if (page.role === 'report') return { render: false, reason: 'the page has its report tables' };
  const $ = cheerio.load(html);
  const scripts = $('script').toArray();
  const external = scripts.filter((s) => $(s).attr('src')).length;
  const inline = scripts
    .filter((s) => !$(s).attr('src') && !/json|template|text\/(html|xml)/i.test($(s).attr('type') ?? ''))
    .map((s) => $(s).text())
    .join('\n');
  if (external === 0 && inline.trim() === '') return { render: false, reason: 'no scripts' };
  const found = page.links.filter((l) => l.kind === 'report' || l.kind === 'attachment').length;

  // an empty mount point of an app, with its bundle
  const appRoot = $('body [id]')
    .toArray()
    .find((el) => APP_ROOT.test($(el).attr('id') ?? '') && $(el).children().length === 0 && $(el).text().trim() === '');
  if (appRoot && (external > 0 || inline.length > 200)) return { render: true, reason: `empty app root #${$(appRoot).attr('id')} with scripts` };

  // the static HTML (and the platform readers) found reports: no browser needed
  if (found > 0) return { render: false, reason: `${found} report link(s) in the static HTML` };

  // an empty list container (ul/ol/tbody/table/div named like a list) that scripts fill
  const emptyList = $('ul, ol, tbody, table, div, section, dl')
    .toArray()
    .find((el) => {
      const e = $(el);
      const name = `${e.attr('id') ?? ''} ${e.attr('class') ?? ''}`;
      if (!LIST_NAME.test(name) || PAGER_NAME.test(name)) return false;
      if (e.find('a[href]').length > 0) return false;
      return e.text().trim() === '' || (e.children().length === 0 && e.text().trim().length < 20);
    });
  if (emptyList) {
    const e = $(emptyList);
    return { render: true, reason: `empty list container <${(emptyList as { tagName?: string }).tagName ?? 'element'}${e.attr('id') ? ' id="' + e.attr('id') + '"' : ''}${e.attr('class') ? ' class="' + e.attr('class') + '"' : ''}> with scripts` };
  }

  // links (or a pager) only inside scripts
  if (SCRIPT_LINK.test(inline) && (/document\.write|innerHTML|insertAdjacentHTML|appendChild|\.html\s*\(|\.append\s*\(/.test(inline) || SCRIPT_PAGER.test(inline))) {
    return { render: true, reason: 'links written by scripts only' };
  }
  // an (almost) empty body whose scripts fetch data
  const text = visibleText($);
  if (FETCHES.test(inline) && text.length < 200) return { render: true, reason: 'an empty page whose scripts fetch data' };
  return { render: false, reason: 'static page' };
}

/**
 * Is this page one that rendering might change, to be rendered once and compared (render-memory.ts)?
 * Not a report (its tables are in the HTML), and it has scripts; and it is a list (report-ish links or
 * a pager), or decideRender's signs say scripts build it (an empty list container or app root, links
 * only in scripts), or its scripts make requests.
 */
export function renderCandidate(html: string, page: PageLinks): RenderDecision {
  if (page.role === 'report') return { render: false, reason: 'the page has its report tables' };
  const $ = cheerio.load(html);
  const scripts = $('script').toArray();
  const external = scripts.filter((s) => $(s).attr('src')).length;
  const inline = scripts
    .filter((s) => !$(s).attr('src') && !/json|template|text\/(html|xml)/i.test($(s).attr('type') ?? ''))
    .map((s) => $(s).text())
    .join('\n');
  if (external === 0 && inline.trim() === '' && !/\bon(click|load)\s*=|href\s*=\s*["']\s*javascript:/i.test(html)) return { render: false, reason: 'no scripts' };
  const signs = decideRender(html, page);
  if (signs.render) return signs;
  const listed = page.links.filter((l) => l.kind === 'report' || l.kind === 'attachment' || l.kind === 'list' || l.kind === 'api').length;
  if (page.role === 'list' && listed > 0) return { render: true, reason: `a list page (${listed} link(s)) with scripts: rendered once to compare` };
  if (FETCHES.test(inline)) return { render: true, reason: 'scripts that make requests' };
  return { render: false, reason: 'no list and no requesting scripts' };
}
