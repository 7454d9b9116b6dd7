/**
 * The review page: a web server (node:http, no framework: a dozen routes and form posts do not need
 * one). Pages carry no script at all and are served with a CSP that forbids scripts.
 *
 * Routes:
 *   GET  /                          the queue: findings (one per cause), open first then by discrepancy;
 *                                   filters region (province, city, county codes, province=none for
 *                                   未定位, or region=TEXT: src/serve/region.ts), agency, year, check
 *                                   family, severity, review state; paging
 *   GET  /overview                  charts (server-side SVG) with their numbers as tables: reports per
 *                                   year and per province (per city of ?province=, per county of &city=)
 *   GET  /export.xlsx, /export.csv  the open findings (filters region, agency), 地区 the place and code
 *   GET  /report/:id[?f=FINDING]    the report: its findings with evidence and decision forms (the current
 *                                   one with accesskeys), its tables as extracted, beside the source
 *   GET  /report/:id/source         HTML sources: the original page, decoded, for a sandboxed iframe (CSP
 *                                   `sandbox; default-src 'none'…`), flagged cells outlined and given ids
 *                                   (nb-<key>) so a fragment scrolls to them
 *   GET  /report/:id/page/:n.png    PDF sources: page n rendered by poppler's pdftoppm (100 dpi)
 *   GET  /report/:id/image          image sources (kind image): the stored image
 *   GET  /report/:id/resource?u=URL an <img> of an HTML report page, from the crawl set's page_resources
 *   GET  /report/:id/raw            the stored bytes, as a download
 *   POST /report/:id/decide         a decision on a finding (every check it groups); then the next open finding
 *   POST /report/:id/link           links the report to another body, or back to the automatic link
 *   GET|POST /signin, POST /signout reviewer sign-in (accounts: `nianbao review user add`)
 *
 * Sign-in: on a non-loopback address every page but /signin answers 303 (pages) or 401 (anything else)
 * without a session; starting there without any account is refused. On loopback the page works without
 * sign-in unless `requireLogin` is set (and accounts exist). Sessions: random token in an HttpOnly
 * SameSite=Strict cookie, stored hashed with an expiry. A decision records the signed-in reviewer.
 *
 * CSRF: every form carries a token (per session when signed in, else per server); a POST without it, or
 * with an Origin other than the page's own, is refused (403). Without sign-in, requests whose Host is not
 * the server's own loopback address are refused (DNS rebinding).
 */
import { readBlob } from '../store/blobs.js';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { load } from 'cheerio/slim';
import { decodeBytes } from '../decode.js';
import type { Db } from '../store/db.js';
import { createSession, endSession, isLoopbackHost, reviewerCount, sessionFormToken, sessionReviewer, verifyPasswordAsync, SESSION_HOURS } from '../review/accounts.js';
import { PerKeySerial, renderPdfPage, safeNext, SigninThrottle, type ThrottleOptions } from './guard.js';
import { linkOf } from '../review/agencies.js';
import { findingsCsv, findingsXlsx } from '../review/export-findings.js';
import { reportFindings, type Finding, type QueueFilter } from '../review/findings.js';
import { nextOpenFinding, queuePage, syncFindings } from '../review/stored-findings.js';
import { relink } from '../review/hook.js';
import { FAMILIES } from '../review/labels-zh.js';
import { familyShares, outcomesByAgency } from '../review/overview.js';
import { placeLabel, placeOf, regionReportIds, reportsByYearArea, type ReportPlaceRow } from '../places/query.js';
import { ensurePlacesSchema } from '../places/schema.js';
import { regionChoice, regionFilterOf, regionFindingRows, regionNavOf, type RegionChoice } from './region.js';
import { decide, DECISIONS, type Decision, type EvidenceCell, type ReviewState } from '../review/workflow.js';
import { errorPage, esc, filterQuery, findingAnchor, listPage, reportPage, signinPage, type ListFilters, type PageUser, type ReportView } from './html.js';
import { overviewPage } from './overview-page.js';
import { coverageSection } from './coverage-map.js';

export const PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
export const SOURCE_CSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'";
const DPI = 100;
const COOKIE = 'nb_session';

export interface ServeOptions {
  host?: string;
  port?: number;
  /** Fixed form token for pages without a session (tests); random by default. */
  token?: string;
  /** On loopback too, require sign-in (needs accounts). */
  requireLogin?: boolean;
  /** Findings per page of the queue (default 30). */
  pageSize?: number;
  /** Sign-in throttling (guard.ts): failures allowed per account and per address, the window. */
  throttle?: ThrottleOptions;
  /** Largest PDF page image, in pixels (default guard.ts MAX_PAGE_PIXELS). */
  maxPagePixels?: number;
}

/** What the server did (tests read it: how often work ran, not how long it took). */
export interface ServerStats {
  /** PDF pages rendered by pdftoppm (a page served from the cache is not counted). */
  pageRenders: number;
  /** The most renders of one document seen running at once. */
  maxRendersPerDocument: number;
  /** Overviews computed (one served from the cache is not counted). */
  overviewBuilds: number;
  /** Sign-ins refused by the throttle (429). */
  throttled: number;
}

export interface RunningServer {
  server: Server;
  url: string;
  token: string;
  /** Whether pages need a signed-in reviewer. */
  loginRequired: boolean;
  stats: ServerStats;
  close(): Promise<void>;
}

/** Why the server will not start: the command turns it into exit status 2. */
export class ServeRefused extends Error {}

interface ReportRow {
  id: number;
  sha256: string;
  source: string;
  source_url: string | null;
  kind: string | null;
  ocr: number | null;
  status: string;
  version: string | null;
  agency: string | null;
  year: number | null;
  title: string | null;
  region: string | null;
}

function send(res: ServerResponse, status: number, body: string | Buffer, type: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Security-Policy': PAGE_CSP,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
    ...extra,
  });
  res.end(body);
}

function html(res: ServerResponse, status: number, body: string): void {
  send(res, status, body, 'text/html; charset=utf-8');
}

function redirect(res: ServerResponse, location: string, extra: Record<string, string | string[]> = {}): void {
  res.writeHead(303, { Location: location, 'Content-Security-Policy': PAGE_CSP, 'Cache-Control': 'no-store', ...extra });
  res.end();
}

function readBody(req: IncomingMessage, limit = 64 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new Error('request body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function pngSize(png: Buffer): { width: number; height: number } {
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** The MIME type of an image by its first bytes (null: not an image a browser shows). */
export function imageType(b: Buffer): string | null {
  if (b.length > 8 && b.readUInt32BE(0) === 0x89504e47) return 'image/png';
  if (b.length > 3 && b[0] === 0xff && b[1] === 0xd8) return 'image/jpeg';
  if (b.subarray(0, 4).toString('latin1') === 'GIF8') return 'image/gif';
  if (b.subarray(0, 2).toString('latin1') === 'BM') return 'image/bmp';
  if (b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  return null;
}

async function imageSize(b: Buffer): Promise<{ width: number; height: number } | null> {
  try {
    const sharp = (await import('sharp')).default;
    const m = await sharp(b).metadata();
    return m.width && m.height ? { width: m.width, height: m.height } : null;
  } catch {
    return null;
  }
}

/** A CSS selector from an extractor's domPath, made safe to put in a <style> (and matching the browser's implied tbody). */
export function selectorOf(domPath: string): string | null {
  if (!/^[A-Za-z0-9>:()\-_ ]+$/.test(domPath)) return null;
  const segs = domPath.split('>').map((s) => s.trim());
  const out: string[] = [];
  for (let i = 0; i < segs.length; i++) {
    out.push(segs[i]!);
    const next = segs[i + 1];
    if (/^table\b/.test(segs[i]!) && next && /^tr\b/.test(next)) out.push('tbody');
  }
  return out.join('>');
}

/** The id a flagged cell gets in the source page (a fragment scrolls to it). */
export function cellId(key: string): string {
  return 'nb-' + key.replace(/[^A-Za-z0-9_-]/g, '_');
}

function cookieOf(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

function sameToken(given: string, want: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(want);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The boxes of cells over a page image: an inline SVG in the image's own coordinates. */
function boxedImage(src: string, alt: string, width: number, height: number, boxes: { key: string; bbox: number[]; cur: boolean }[], scale: number): string {
  const shownW = Math.min(width, 900);
  const shownH = Math.round((height * shownW) / width);
  const rects = boxes
    .map((b) => {
      const [x0, y0, x1, y1] = b.bbox.map((n) => n * scale) as [number, number, number, number];
      return `<rect class="box${b.cur ? ' cur' : ''}" x="${x0.toFixed(1)}" y="${y0.toFixed(1)}" width="${(x1 - x0).toFixed(1)}" height="${(y1 - y0).toFixed(1)}"${b.cur ? ' style="stroke:#06c;stroke-width:4"' : ''}><title>${esc(b.key)}</title></rect>`;
    })
    .join('');
  return `<div class="page"><img alt="${esc(alt)}" src="${esc(src)}" width="${shownW}" height="${shownH}"><svg class="boxes" xmlns="http://www.w3.org/2000/svg" width="${shownW}" height="${shownH}" viewBox="0 0 ${width} ${height}">${rects}</svg></div>`;
}

export function startServer(db: Db, opts: ServeOptions = {}): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  const token = opts.token ?? randomBytes(24).toString('hex');
  const secret = randomBytes(32).toString('hex');
  const loopback = isLoopbackHost(host);
  const accounts = reviewerCount(db);
  if (!loopback && accounts === 0) {
    return Promise.reject(
      new ServeRefused(
        `refusing to serve on ${host}: it is not a loopback address and there is no reviewer account, so anyone on the network could record decisions. ` +
          'Create an account first (nianbao review user add NAME), or serve on 127.0.0.1.',
      ),
    );
  }
  if (opts.requireLogin && accounts === 0) return Promise.reject(new ServeRefused('--require-login needs a reviewer account (nianbao review user add NAME)'));
  const loginRequired = !loopback || !!opts.requireLogin;
  ensurePlacesSchema(db);
  // PDF page images: cached (64 pages), rendered one at a time per document (pdftoppm on a hostile page
  // is costly), within a pixel limit (guard.ts)
  const pageCache = new Map<string, { png: Buffer; dpi: number }>();
  const pageSerial = new PerKeySerial();
  const throttle = new SigninThrottle(opts.throttle);
  const stats: ServerStats = {
    pageRenders: 0,
    get maxRendersPerDocument() {
      return pageSerial.maxRunning;
    },
    overviewBuilds: 0,
    throttled: 0,
  };

  const report = (id: number) =>
    db.prepare('SELECT id, sha256, source, source_url, kind, ocr, status, version, agency, year, title, region FROM reports WHERE id = ?').get(id) as
      | ReportRow
      | undefined;
  const bytesOf = (sha: string) => readBlob(db, sha); // decompressed (store/blobs.ts)
  const hasTable = (name: string) => !!db.prepare("SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') AND name = ?").get(name);

  /** An <img> of a report page, from the crawl set's page_resources (when the table exists). */
  function resourceBytes(r: ReportRow, url: string): Buffer | undefined {
    if (!hasTable('page_resources')) return undefined;
    const row = db.prepare('SELECT resource_sha256 FROM page_resources WHERE page_sha256 = ? AND url = ?').get(r.sha256, url) as { resource_sha256: string } | undefined;
    return row ? bytesOf(row.resource_sha256) : undefined;
  }

  async function pagePng(r: ReportRow, n: number): Promise<{ png: Buffer; dpi: number }> {
    const k = `${r.sha256}:${n}`;
    const hit = pageCache.get(k);
    if (hit) return hit;
    return pageSerial.run(r.sha256, async () => {
      const again = pageCache.get(k); // rendered while this request waited its turn
      if (again) return again;
      const bytes = bytesOf(r.sha256);
      if (!bytes) throw new Error('文件未保存');
      stats.pageRenders++;
      const page = await renderPdfPage(bytes, n, DPI, opts.maxPagePixels);
      if (pageCache.size >= 64) pageCache.delete(pageCache.keys().next().value!);
      pageCache.set(k, page);
      return page;
    });
  }

  function queueFilter(f: ListFilters): QueueFilter {
    const q: QueueFilter = {};
    const region = regionFilterOf(regionChoice(f));
    if (region) q.reportIds = memo(`ids:${JSON.stringify(region)}`, () => regionReportIds(db, region));
    if (f.agency) q.agency = f.agency;
    if (f.year && /^\d{4}$/.test(f.year)) q.year = Number(f.year);
    if (f.family && FAMILIES.includes(f.family)) q.family = f.family;
    if (f.status === 'fail' || f.status === 'warn') q.status = f.status;
    if (f.state && ['open', 'closed', 'reopened'].includes(f.state)) q.state = f.state as ReviewState;
    return q;
  }

  // What is read for every page (the places, the region counts, the overview) is recomputed only when
  // the database changed: PRAGMA data_version moves on other connections' commits, total_changes()
  // on this connection's, less the changes of this server's decisions (reviews and the stored findings:
  // none of what is kept here reads them; the queue and the next open finding are read in SQL each time).
  const memoMap = new Map<string, unknown>();
  let memoVersion = '';
  let reviewChanges = 0;
  const totalChanges = () => (db.prepare('SELECT total_changes() AS t').get() as { t: number }).t;
  /** Runs a write that changes only reviews and the stored findings (a decision): the memos stay. */
  function reviewOnly<T>(write: () => T): T {
    const before = totalChanges();
    try {
      return write();
    } finally {
      reviewChanges += totalChanges() - before;
    }
  }
  function memo<T>(key: string, make: () => T): T {
    // the reports marked changed are recomputed first, as a review-only write: a memo that reads the stored
    // findings (the overview's family shares) must neither see stale ones nor move the version it is kept under
    reviewOnly(() => syncFindings(db));
    const version = `${db.pragma('data_version', { simple: true })}:${totalChanges() - reviewChanges}`;
    if (version !== memoVersion || memoMap.size > 64) {
      memoMap.clear();
      memoVersion = version;
    }
    if (memoMap.has(key)) return memoMap.get(key) as T;
    const value = make();
    memoMap.set(key, value);
    return value;
  }
  /** The place of each of these reports as one line (河南省 周口市 西华县（411622）; 未定位). */
  const labelsOf = (ids: number[]): Map<number, string> => {
    const out = new Map<number, string>();
    if (!ids.length) return out;
    const rows = db.prepare('SELECT * FROM report_places WHERE report_id IN (SELECT value FROM json_each(?))').all(JSON.stringify(ids)) as ReportPlaceRow[];
    for (const r of rows) {
      const l = placeLabel(r);
      out.set(r.report_id, l ? `${l}（${r.division_code}）` : '未定位');
    }
    return out;
  };
  const years = () =>
    memo('years', () => (db.prepare('SELECT DISTINCT year FROM reports WHERE year IS NOT NULL ORDER BY year').all() as { year: number }[]).map((y) => y.year));
  const nav = (choice: RegionChoice) => memo(`nav:${JSON.stringify(choice)}`, () => regionNavOf(db, choice));

  const findingHref = (reportId: number, id: string) => `/report/${reportId}?f=${encodeURIComponent(id)}#${findingAnchor(id)}`;

  /** The first open finding of the queue other than `except`. */
  function nextOpen(except?: { report: number; id: string }): string | null {
    const hit = reviewOnly(() => nextOpenFinding(db, except)); // it first recomputes the reports marked changed
    return hit ? findingHref(hit.report_id, hit.finding_id) : null;
  }

  function curCells(v: ReportView): EvidenceCell[] {
    const cur = v.findings.find((f) => f.id === v.current);
    return (cur?.cells ?? []).filter((c) => c.report_id === v.id && c.present);
  }

  async function sourceHtml(r: ReportRow, v: ReportView, pageParam: string | null): Promise<string> {
    const bytes = bytesOf(r.sha256);
    if (!bytes) return '<p>文件未保存。</p>';
    const raw = `<p><a href="/report/${r.id}/raw">下载保存的原文件</a></p>`;
    const all = v.findings.flatMap((f) => f.cells.filter((c) => c.report_id === r.id && c.present));
    const cur = curCells(v);
    const curKeys = new Set(cur.map((c) => c.key));
    const boxesOf = (cells: EvidenceCell[], pick: (c: EvidenceCell) => boolean) => {
      const seen = new Set<string>();
      return cells.filter((c) => c.where?.bbox && pick(c) && !seen.has(c.key) && seen.add(c.key)).map((c) => ({ key: c.key, bbox: c.where!.bbox!, cur: curKeys.has(c.key) }));
    };
    if (r.kind === 'html') {
      const first = cur.find((c) => c.where?.domPath) ?? all.find((c) => c.where?.domPath);
      const frag = first ? '#' + cellId(first.key) : '';
      let images = '';
      const imgCells = all.filter((c) => c.where?.image);
      for (const url of [...new Set(imgCells.map((c) => c.where!.image!))]) {
        const cells = imgCells.filter((c) => c.where!.image === url);
        const b = resourceBytes(r, url);
        const size = b && imageType(b) ? await imageSize(b) : null;
        if (b && size) {
          images += `<h3>表格图片（OCR）</h3>` + boxedImage(`/report/${r.id}/resource?u=${encodeURIComponent(url)}`, `图片 ${url}`, size.width, size.height, boxesOf(cells, () => true), 1);
        } else {
          images += `<h3>表格图片（OCR）：${esc(url)}</h3><p>图片未保存；识别的格子（图片像素坐标）：</p><ul>${cells
            .map((c) => `<li>${esc(c.key)}: [${(c.where!.bbox ?? []).map((n: number) => Math.round(n)).join(', ')}]</li>`)
            .join('')}</ul>`;
        }
      }
      return `<iframe name="src" sandbox="" src="/report/${r.id}/source?f=${encodeURIComponent(v.current ?? '')}${frag}" title="原网页" referrerpolicy="no-referrer"></iframe>${images}${raw}`;
    }
    if (r.kind === 'image') {
      const size = imageType(bytes) ? await imageSize(bytes) : null;
      if (!size) return `<p>这个图片格式浏览器无法显示。</p>${raw}`;
      return boxedImage(`/report/${r.id}/image`, '原图', size.width, size.height, boxesOf(all, () => true), 1) + raw;
    }
    if (r.kind === 'pdf') {
      const pages = [...new Set(all.map((c) => c.where?.page).filter((p): p is number => typeof p === 'number'))].sort((a, b) => a - b);
      const curPage = cur.find((c) => typeof c.where?.page === 'number')?.where?.page;
      const wanted = pageParam && /^\d{1,4}$/.test(pageParam) ? Number(pageParam) : (curPage ?? pages[0] ?? 1);
      let png: Buffer;
      let dpi: number;
      try {
        ({ png, dpi } = await pagePng(r, wanted));
      } catch (err) {
        return `<p>第 ${wanted} 页无法显示：${esc((err as Error).message)}</p>${raw}`;
      }
      const { width, height } = pngSize(png);
      const fq = v.current ? `&f=${encodeURIComponent(v.current)}` : '';
      const nav = [
        wanted > 1 ? `<a href="/report/${r.id}?page=${wanted - 1}${fq}#source">← 第 ${wanted - 1} 页</a>` : '',
        ...pages.map((p) => (p === wanted ? `<b>第 ${p} 页</b>` : `<a href="/report/${r.id}?page=${p}${fq}#source">第 ${p} 页</a>`)),
        `<a href="/report/${r.id}?page=${wanted + 1}${fq}#source">第 ${wanted + 1} 页 →</a>`,
      ].join(' · ');
      return `<p>${nav}</p>${boxedImage(`/report/${r.id}/page/${wanted}.png`, `第 ${wanted} 页`, width, height, boxesOf(all, (c) => c.where?.page === wanted), dpi / 72)}${raw}`;
    }
    if (r.kind === 'docx' || r.kind === 'doc' || r.kind === 'wps' || r.kind === 'xlsx') {
      // Word and spreadsheet files are not rendered here: their cells are named by table, row, column (and sheet)
      return `<p>${esc(r.kind.toUpperCase())} 文件不在页面中显示：有问题的格子已在上面按表、行、列${r.kind === 'xlsx' ? '（以及工作表和单元格地址）' : ''}列出。</p>${raw}`;
    }
    if (r.kind === 'text') {
      const text = decodeBytes(bytes, { kind: 'text' }).text;
      const lines = new Set(all.map((c) => c.where?.line).filter((l): l is number => typeof l === 'number'));
      const curLines = new Set(cur.map((c) => c.where?.line).filter((l): l is number => typeof l === 'number'));
      const body = text
        .split(/\r?\n/)
        .map((l, i) => (lines.has(i + 1) ? `<span class="hl${curLines.has(i + 1) ? ' cur' : ''}" id="line-${i + 1}">${esc(l)}</span>` : esc(l)))
        .join('\n');
      return `<pre class="src">${body}</pre>${raw}`;
    }
    return `<p>这类文件（${esc(r.kind ?? '')}）不在页面中显示；格子的位置见各问题的“位置”。</p>${raw}`;
  }

  /** Where "在原文中查看" goes for a cell. */
  function sourceHref(r: ReportRow, v: ReportView): (c: EvidenceCell) => string | null {
    return (c) => {
      if (c.report_id !== r.id || !c.present || !c.where) return null;
      if (r.kind === 'html' && c.where.domPath) return `/report/${r.id}/source?f=${encodeURIComponent(v.current ?? '')}#${cellId(c.key)}`;
      if (r.kind === 'text' && c.where.line) return `#line-${c.where.line}`;
      if (r.kind === 'pdf' && c.where.page) return `/report/${r.id}?page=${c.where.page}&f=${encodeURIComponent(v.current ?? '')}#source`;
      return null;
    };
  }

  function reportView(r: ReportRow, current: string | null): ReportView {
    const figures: Record<string, number | null> = {};
    for (const f of db.prepare('SELECT key, value FROM figures WHERE report_id = ? ORDER BY ord').all(r.id) as { key: string; value: number | null }[]) {
      figures[f.key] = f.value;
    }
    const printed: Record<string, string> = {};
    for (const s of db.prepare('SELECT key, text FROM figure_sources WHERE report_id = ?').all(r.id) as { key: string; text: string }[]) {
      printed[s.key] = s.text;
    }
    const findings: Finding[] = reportFindings(db, r.id);
    const isOpen = (f: Finding) => f.state === 'open' || f.state === 'reopened';
    const cur = (current && findings.find((f) => f.id === current)) || findings.find(isOpen) || findings[0];
    const link = linkOf(db, r.id);
    return {
      id: r.id, agency: r.agency, identity: link?.identity ?? null, link_source: link?.source ?? null, region: r.region, place: placeOf(db, r.id), year: r.year,
      version: r.version, status: r.status, kind: r.kind, ocr: r.ocr === 1, title: r.title, source: r.source, source_url: r.source_url, sha256: r.sha256,
      figures, printed, findings, current: cur?.id ?? null,
      next: nextOpen(cur ? { report: r.id, id: cur.id } : undefined),
    };
  }

  async function renderReport(res: ServerResponse, r: ReportRow, user: PageUser, current: string | null, page: string | null, status = 200, message?: string) {
    const v = reportView(r, current);
    return html(res, status, reportPage(v, await sourceHtml(r, v, page), user, sourceHref(r, v), message));
  }

  async function handle(req: IncomingMessage, res: ServerResponse, self: string): Promise<void> {
    const url = new URL(req.url ?? '/', self);
    const path = url.pathname;
    const hostHeader = req.headers.host ?? '';
    const port = new URL(self).port;
    const allowedHosts = new Set([new URL(self).host, `localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]);
    // Without sign-in the Host must be our own loopback name (DNS rebinding); with sign-in the session
    // cookie (SameSite=Strict, never sent to a rebound name) guards the pages and any name is served.
    if (!loginRequired && !allowedHosts.has(hostHeader)) return html(res, 421, errorPage(421, '请求的主机名不是本服务器的地址（unexpected Host header）'));

    const sessionToken = cookieOf(req, COOKIE);
    const who = sessionReviewer(db, sessionToken);
    const formToken = who && sessionToken ? sessionFormToken(secret, sessionToken) : token;
    const user: PageUser = { name: who, token: formToken, login: loginRequired || reviewerCount(db) > 0 };

    if (req.method === 'POST') {
      const origin = req.headers.origin;
      let originHost: string | null = null;
      try {
        originHost = origin !== undefined && origin !== 'null' ? new URL(origin).host : null;
      } catch {
        originHost = '(unparsable)';
      }
      if (originHost !== null && originHost !== hostHeader && !(!loginRequired && allowedHosts.has(originHost))) {
        return html(res, 403, errorPage(403, '拒绝来自其他网站的表单提交（cross-origin form post refused）'));
      }
    }

    if (path === '/signin') {
      if (req.method === 'GET') return html(res, 200, signinPage(token, undefined, safeNext(url.searchParams.get('next'))));
      if (req.method !== 'POST') return html(res, 405, errorPage(405, '不支持这种请求方法'));
      const form = new URLSearchParams(await readBody(req));
      if (!sameToken(form.get('csrf') ?? '', token)) return html(res, 403, signinPage(token, '表单已过期，请重新登录'));
      const name = (form.get('name') ?? '').trim();
      const next = safeNext(form.get('next')); // the site's own paths only (guard.ts)
      const address = req.socket.remoteAddress ?? '';
      const wait = throttle.retryAfter(name, address);
      if (wait > 0) {
        stats.throttled++;
        res.setHeader('Retry-After', String(wait));
        return html(res, 429, signinPage(token, `登录失败次数过多，请 ${Math.ceil(wait / 60)} 分钟后再试`, next, name));
      }
      // scrypt in libuv's thread pool: the pages of others go on while passwords are hashed
      if (!name || !(await verifyPasswordAsync(db, name, form.get('password') ?? ''))) {
        throttle.failed(name, address);
        return html(res, 401, signinPage(token, '审核人或密码不对', next, name));
      }
      throttle.succeeded(name);
      const t = createSession(db, name);
      return redirect(res, next, { 'Set-Cookie': `${COOKIE}=${t}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${SESSION_HOURS * 3600}` });
    }

    if (loginRequired && !who) {
      if (req.method === 'GET' && (path === '/' || path === '/overview' || /^\/report\/\d+$/.test(path))) {
        return redirect(res, `/signin?next=${encodeURIComponent(path + url.search)}`);
      }
      return send(res, 401, errorPage(401, '请先登录'), 'text/html; charset=utf-8');
    }

    const checkForm = (form: URLSearchParams) => sameToken(form.get('csrf') ?? '', formToken);

    if (path === '/signout' && req.method === 'POST') {
      const form = new URLSearchParams(await readBody(req));
      if (!checkForm(form)) return html(res, 403, errorPage(403, '表单令牌缺失或不对：请刷新页面后再提交'));
      endSession(db, sessionToken);
      return redirect(res, '/signin', { 'Set-Cookie': `${COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0` });
    }

    const filters: ListFilters = {};
    for (const k of ['agency', 'province', 'city', 'county', 'region', 'year', 'family', 'status', 'state', 'page'] as const) {
      const v = url.searchParams.get(k);
      if (v) filters[k] = v;
    }

    const choice = regionChoice(filters);
    if (req.method === 'GET' && path === '/') {
      // one page of the queue and its counts, in SQL (src/review/stored-findings.ts)
      const size = opts.pageSize ?? 30;
      const page = Math.max(1, Math.floor(Number(filters.page)) || 1);
      const q = reviewOnly(() => queuePage(db, queueFilter(filters), { offset: (page - 1) * size, limit: size }));
      const place = labelsOf(q.items.map((i) => i.finding.report_id));
      const items = q.items.map((i) => ({ ...i, region: place.get(i.finding.report_id) ?? i.region }));
      return html(res, 200, listPage(items, filters, years(), { open: q.open, all: q.total }, user, nav(choice), size));
    }
    if (req.method === 'GET' && path === '/overview') {
      const agency = url.searchParams.get('agency') || undefined;
      // the overview goes down to the city: a county chosen is its city's overview
      const area: RegionChoice = { province: choice.province, city: choice.city };
      const code = area.city ?? area.province;
      // the page's data is cached until the database changes (memo); only the user's bar is per request
      const covYear = url.searchParams.get('cov_year');
      const data = memo(`overview:${code ?? ''}:${agency ?? ''}:${covYear ?? ''}`, () => {
        stats.overviewBuilds++;
        return {
          years: reportsByYearArea(db, code),
          shares: familyShares(db),
          outcomes: outcomesByAgency(db, agency),
          // [h18] the coverage map: share of expected reports found, by area (src/serve/coverage-map.ts)
          cov: coverageSection(db, area, covYear),
        };
      });
      return html(res, 200, overviewPage(data.years, nav(area), data.shares, data.outcomes, agency, user, data.cov));
    }
    if (req.method === 'GET' && (path === '/export.csv' || path === '/export.xlsx')) {
      const rows = regionFindingRows(db, regionFilterOf(choice), filters.agency);
      const name = ['findings', choice.county ?? choice.city ?? choice.province ?? (choice.unplaced ? '未定位' : ''), choice.text ?? '', filters.agency ?? ''].filter(Boolean).join('-');
      const disp = (ext: string) => `attachment; filename="findings.${ext}"; filename*=UTF-8''${encodeURIComponent(name)}.${ext}`;
      if (path === '/export.csv') return send(res, 200, findingsCsv(rows), 'text/csv; charset=utf-8', { 'Content-Disposition': disp('csv') });
      return send(res, 200, await findingsXlsx(rows), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', { 'Content-Disposition': disp('xlsx') });
    }

    const m = /^\/report\/(\d+)(\/source|\/raw|\/decide|\/link|\/image|\/resource|\/page\/(\d+)\.png)?$/.exec(path);
    if (!m) return html(res, 404, errorPage(404, '没有这个页面', user));
    const r = report(Number(m[1]));
    if (!r) return html(res, 404, errorPage(404, `没有报告 #${m[1]}`, user));
    const sub = m[2] ?? '';

    if (req.method === 'POST' && (sub === '/decide' || sub === '/link')) {
      let form: URLSearchParams;
      try {
        form = new URLSearchParams(await readBody(req));
      } catch (err) {
        return html(res, 413, errorPage(413, (err as Error).message));
      }
      if (!checkForm(form)) return html(res, 403, errorPage(403, '表单令牌缺失或不对：请刷新页面后再提交'));
      const by = who ?? ((form.get('by') ?? '').trim() || 'web');
      if (sub === '/link') {
        const name = (form.get('agency') ?? '').trim();
        try {
          if (form.get('action') === 'auto') relink(db, r.id, null);
          else if (!name) throw new Error('请填写机关名称');
          else relink(db, r.id, name, by);
        } catch (err) {
          return renderReport(res, r, user, null, null, 400, `未关联：${(err as Error).message}`);
        }
        return redirect(res, `/report/${r.id}`);
      }
      const checks = form.getAll('check').filter(Boolean);
      const decision = form.get('decision') ?? '';
      const valueText = (form.get('value') ?? '').trim();
      const note = form.get('note') ?? '';
      const fid = form.get('finding') ?? '';
      let value: number | null = null;
      if (decision === 'corrected') value = valueText === '' ? NaN : Number(valueText);
      try {
        if (!(DECISIONS as readonly string[]).includes(decision)) throw new Error('请选择审核结论');
        if (!checks.length) throw new Error('没有要审核的核对项');
        if (decision === 'corrected' && checks.length > 1) throw new Error('“更正数字”只用于单项核对');
        reviewOnly(() =>
          db.transaction(() => {
            for (const c of checks) decide(db, { reportId: r.id, checkId: c, decision: decision as Decision, value, note, by });
          })(),
        );
      } catch (err) {
        const msg = (err as Error).message.replace('a decision needs a note saying why', '请填写说明（为什么）').replace(/a "corrected" decision needs the right figure \(--value N\)/, '“更正数字”需要填写正确数字（--value）');
        return renderReport(res, r, user, fid || null, null, 400, `未记录：${msg}`);
      }
      return redirect(res, nextOpen() ?? `/report/${r.id}${fid ? `?f=${encodeURIComponent(fid)}#${findingAnchor(fid)}` : ''}`);
    }
    if (req.method !== 'GET') return html(res, 405, errorPage(405, '不支持这种请求方法'));

    if (sub === '') return renderReport(res, r, user, url.searchParams.get('f'), url.searchParams.get('page'));
    if (sub === '/raw') {
      const bytes = bytesOf(r.sha256);
      if (!bytes) return html(res, 404, errorPage(404, '文件未保存'));
      const office = /\.(docx|doc|wps|xlsx|xls|et)$/i.exec(r.source)?.[1]?.toLowerCase() ?? (r.kind === 'docx' || r.kind === 'doc' || r.kind === 'wps' || r.kind === 'xlsx' ? r.kind : undefined);
      const ext = r.kind === 'pdf' ? 'pdf' : r.kind === 'html' ? 'html' : r.kind === 'text' ? 'txt' : r.kind === 'image' ? 'img' : office ?? 'bin';
      return send(res, 200, bytes, 'application/octet-stream', { 'Content-Disposition': `attachment; filename="report-${r.id}.${ext}"`, 'Content-Security-Policy': SOURCE_CSP });
    }
    if (sub === '/image' || sub === '/resource') {
      const bytes = sub === '/image' ? (r.kind === 'image' ? bytesOf(r.sha256) : undefined) : resourceBytes(r, url.searchParams.get('u') ?? '');
      const type = bytes ? imageType(bytes) : null;
      if (!bytes || !type) return html(res, 404, errorPage(404, '没有这个图片'));
      return send(res, 200, bytes, type, { 'Content-Security-Policy': SOURCE_CSP });
    }
    if (sub === '/source') {
      if (r.kind !== 'html') return html(res, 404, errorPage(404, '只有网页原文在框内显示'));
      const bytes = bytesOf(r.sha256);
      if (!bytes) return html(res, 404, errorPage(404, '文件未保存'));
      const text = decodeBytes(bytes, { kind: 'html' }).text;
      const findings = reportFindings(db, r.id);
      const current = url.searchParams.get('f');
      const cells = findings.flatMap((f) => f.cells.filter((c) => c.report_id === r.id && c.where?.domPath).map((c) => ({ c, cur: f.id === current })));
      const selectors = [...new Set(cells.map((x) => selectorOf(x.c.where!.domPath!)).filter((s): s is string => !!s))];
      const style = `<style>${selectors.length ? selectors.join(',') + '{outline:3px solid #d00 !important;background:#ffd2d2 !important}' : ''}[data-nb]{outline:3px solid #d00 !important;background:#ffd2d2 !important}[data-nb=cur]{outline:4px solid #06c !important}</style>`;
      let out: string;
      try {
        const $ = load(text);
        for (const { c, cur } of cells) {
          const el = $(c.where!.domPath!).first();
          if (!el.length) continue;
          if (!el.attr('id') || !el.attr('id')!.startsWith('nb-')) el.attr('id', cellId(c.key));
          if (cur || el.attr('data-nb') !== 'cur') el.attr('data-nb', cur ? 'cur' : 'bad');
        }
        const head = $('head');
        if (head.length) head.append(style);
        else $.root().prepend(style);
        out = $.html();
      } catch {
        out = /<\/head>/i.test(text) ? text.replace(/<\/head>/i, style + '</head>') : style + text;
      }
      return send(res, 200, out, 'text/html; charset=utf-8', { 'Content-Security-Policy': SOURCE_CSP, 'Cache-Control': 'no-store' });
    }
    if (m[3]) {
      if (r.kind !== 'pdf') return html(res, 404, errorPage(404, '不是 PDF 文件'));
      try {
        return send(res, 200, (await pagePng(r, Number(m[3]))).png, 'image/png');
      } catch (err) {
        return html(res, 404, errorPage(404, (err as Error).message));
      }
    }
    return html(res, 404, errorPage(404, '没有这个页面'));
  }

  return new Promise((resolve, reject) => {
    let self = '';
    const server = createServer((req, res) => {
      handle(req, res, self).catch((err: unknown) => {
        if (!res.headersSent) html(res, 500, errorPage(500, err instanceof Error ? err.message : String(err)));
        else res.end();
      });
    });
    server.once('error', reject);
    server.listen(opts.port ?? 8080, host, () => {
      const a = server.address() as AddressInfo;
      const h = a.family === 'IPv6' ? `[${a.address}]` : a.address;
      self = `http://${h}:${a.port}`;
      resolve({
        server,
        url: self,
        token,
        loginRequired,
        stats,
        close: () => new Promise<void>((res2) => { server.closeAllConnections(); server.close(() => res2()); }),
      });
    });
  });
}

export { filterQuery };
