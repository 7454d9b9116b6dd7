/**
 * Sitemaps (sitemaps.org) as a further source of report URLs: `Sitemap:` lines of robots.txt, a
 * seed site's `/sitemap.xml`, sitemap index files, gzip'd sitemaps (`.xml.gz`, served as a file, not
 * a Content-Encoding) and plain-text sitemaps (one URL a line). Which of the URLs are followed is
 * discovery's decision (report-like URL or title), as for links.
 */
import zlib from 'node:zlib';

export interface SitemapEntry {
  url: string;
  /** A title the sitemap gives (`<news:title>`, `<image:title>`, `<title>`), if any. */
  title: string;
}

export interface Sitemap {
  /** Pages listed (urlset). */
  pages: SitemapEntry[];
  /** Further sitemaps (sitemapindex). */
  sitemaps: string[];
}

const MAX_BYTES = 50 * 1024 * 1024; // the sitemaps.org limit for one (uncompressed) sitemap
const MAX_ENTRIES = 50_000;

export function sitemapsFromRobots(robotsTxt: string): string[] {
  const out: string[] = [];
  for (const line of robotsTxt.split(/\r\n|\r|\n/)) {
    const m = /^\s*sitemap\s*:\s*(\S+)/i.exec(line);
    if (m) out.push(m[1]!);
  }
  return out;
}

function unescapeXml(s: string): string {
  return s
    .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, n) => String.fromCodePoint(Number(n)))
    .replace(/&#x([0-9a-f]+);/gi, (_, n) => String.fromCodePoint(parseInt(n, 16)))
    .replace(/&amp;/g, '&')
    .trim();
}

/** The text of a sitemap's bytes: gunzipped when they are gzip. Undefined when they cannot be read. */
export function sitemapText(bytes: Uint8Array): string | undefined {
  let b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (b[0] === 0x1f && b[1] === 0x8b) {
    try {
      b = zlib.gunzipSync(b, { maxOutputLength: MAX_BYTES });
    } catch {
      return undefined;
    }
  }
  return new TextDecoder('utf-8').decode(b);
}

export function readSitemap(bytes: Uint8Array, sitemapUrl: string): Sitemap {
  const out: Sitemap = { pages: [], sitemaps: [] };
  const text = sitemapText(bytes);
  if (text === undefined) return out;
  const resolve = (loc: string) => {
    try {
      const u = new URL(unescapeXml(loc), sitemapUrl);
      u.hash = '';
      return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
    } catch {
      return undefined;
    }
  };
  if (!/<(urlset|sitemapindex)\b/i.test(text)) {
    // a text sitemap
    for (const line of text.split(/\r?\n/)) {
      const u = /^\s*https?:\/\/\S+\s*$/.test(line) ? resolve(line.trim()) : undefined;
      if (u && out.pages.length < MAX_ENTRIES) out.pages.push({ url: u, title: '' });
    }
    return out;
  }
  for (const m of text.matchAll(/<sitemap\b[^>]*>([\s\S]*?)<\/sitemap>/gi)) {
    const loc = /<loc>([\s\S]*?)<\/loc>/i.exec(m[1]!)?.[1];
    const u = loc ? resolve(loc) : undefined;
    if (u && out.sitemaps.length < MAX_ENTRIES) out.sitemaps.push(u);
  }
  for (const m of text.matchAll(/<url\b[^>]*>([\s\S]*?)<\/url>/gi)) {
    const loc = /<loc>([\s\S]*?)<\/loc>/i.exec(m[1]!)?.[1];
    const u = loc ? resolve(loc) : undefined;
    const title = /<(?:[\w]+:)?title>([\s\S]*?)<\/(?:[\w]+:)?title>/i.exec(m[1]!)?.[1];
    if (u && out.pages.length < MAX_ENTRIES) out.pages.push({ url: u, title: title ? unescapeXml(title) : '' });
  }
  return out;
}
