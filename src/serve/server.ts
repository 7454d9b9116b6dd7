/**
 * The review page: a local web server (node:http, no framework: five routes and form posts do not
 * need one). Pages carry no script at all and are served with a CSP that forbids scripts.
 *
 * Routes:
 *   GET  /                          flagged reports, with filters (agency, region, year, check, status, state)
 *   GET  /report/:id                the report: flagged checks with evidence and decision forms, its tables
 *                                   as extracted (offending cells marked), beside the source
 *   GET  /report/:id/source         HTML sources: the original page, decoded to UTF-8, for a sandboxed iframe
 *                                   (iframe sandbox="" plus CSP `sandbox; default-src 'none'; style-src
 *                                   'unsafe-inline'; img-src data:`), offending cells outlined by their domPath
 *   GET  /report/:id/page/:n.png    PDF sources: page n rendered server-side by poppler's pdftoppm (100 dpi);
 *                                   the report page overlays the offending cells' boxes
 *   GET  /report/:id/raw            the stored bytes, as a download
 *   POST /report/:id/decide         records a decision (form fields csrf, check, decision, value, note, by)
 *   POST /report/:id/link           links the report to another body (agency, by) or back to the automatic link (action=auto)
 *
 * CSRF: every form carries a per-server random token; a POST without it, or with an Origin header
 * other than the server's own, is refused (403). Requests whose Host is not the server's own address
 * are refused too (DNS rebinding).
 */
import { execFile } from 'node:child_process';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { decodeBytes } from '../decode.js';
import type { Db } from '../store/db.js';
import { linkOf } from '../review/agencies.js';
import { relink } from '../review/hook.js';
import { decide, listFlagged, DECISIONS, type Decision, type FlaggedFilter, type ReviewState } from '../review/workflow.js';
import { errorPage, esc, listPage, reportPage, type ListFilters, type ReportListItem, type ReportView } from './html.js';

export const PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
export const SOURCE_CSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'";
const DPI = 100;

export interface ServeOptions {
  host?: string;
  port?: number;
  /** Fixed CSRF token (tests); random by default. */
  token?: string;
}

export interface RunningServer {
  server: Server;
  url: string;
  token: string;
  close(): Promise<void>;
}

interface ReportRow {
  id: number;
  sha256: string;
  source: string;
  source_url: string | null;
  kind: string | null;
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

/** Renders one PDF page to PNG with pdftoppm. */
function renderPdfPage(bytes: Buffer, page: number): Promise<Buffer> {
  const dir = mkdtempSync(join(tmpdir(), 'nianbao-page-'));
  const pdf = join(dir, 'doc.pdf');
  writeFileSync(pdf, bytes);
  return new Promise<Buffer>((resolve, reject) => {
    execFile(
      'pdftoppm',
      ['-png', '-r', String(DPI), '-f', String(page), '-l', String(page), '-singlefile', pdf, join(dir, 'page')],
      { timeout: 30_000 },
      (err) => {
        try {
          if (err) reject(new Error(`pdftoppm could not render page ${page}: ${err.message}`));
          else resolve(readFileSync(join(dir, 'page.png')));
        } catch (e) {
          reject(e instanceof Error ? e : new Error(String(e)));
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    );
  });
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

export function startServer(db: Db, opts: ServeOptions = {}): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  const token = opts.token ?? randomBytes(24).toString('hex');
  const pageCache = new Map<string, Buffer>();

  const report = (id: number) =>
    db.prepare('SELECT id, sha256, source, source_url, kind, status, version, agency, year, title, region FROM reports WHERE id = ?').get(id) as
      | ReportRow
      | undefined;
  const bytesOf = (sha: string) => (db.prepare('SELECT bytes FROM blobs WHERE sha256 = ?').get(sha) as { bytes: Buffer } | undefined)?.bytes;

  async function pagePng(r: ReportRow, n: number): Promise<Buffer> {
    const k = `${r.sha256}:${n}`;
    const hit = pageCache.get(k);
    if (hit) return hit;
    const bytes = bytesOf(r.sha256);
    if (!bytes) throw new Error('the document bytes are not stored');
    const png = await renderPdfPage(bytes, n);
    if (pageCache.size > 64) pageCache.delete(pageCache.keys().next().value!);
    pageCache.set(k, png);
    return png;
  }

  function listItems(filters: ListFilters): ReportListItem[] {
    const f: FlaggedFilter = { noCells: true, status: (['fail', 'warn', 'all'].includes(filters.status ?? '') ? filters.status : 'fail') as FlaggedFilter['status'] };
    if (filters.agency) f.agency = filters.agency;
    if (filters.region) f.region = filters.region;
    if (filters.check) f.check = filters.check;
    if (filters.year && /^\d{4}$/.test(filters.year)) f.year = Number(filters.year);
    if (filters.state && ['open', 'closed', 'reopened'].includes(filters.state)) f.state = filters.state as ReviewState;
    const by = new Map<number, ReportListItem>();
    for (const c of listFlagged(db, f)) {
      let it = by.get(c.report_id);
      if (!it) {
        it = { report_id: c.report_id, agency: c.agency, agency_identity: c.agency_identity, region: c.region, year: c.year, failed: 0, warned: 0, open: 0, checks: [] };
        by.set(c.report_id, it);
      }
      if (c.status === 'fail') it.failed++;
      else it.warned++;
      if (c.state !== 'closed') it.open++;
      it.checks.push(c.check_id);
    }
    return [...by.values()];
  }

  async function sourceHtml(r: ReportRow, v: ReportView, pageParam: string | null): Promise<string> {
    const bytes = bytesOf(r.sha256);
    if (!bytes) return '<p>The document bytes are not stored.</p>';
    const raw = `<p><a href="/report/${r.id}/raw">download the stored document</a></p>`;
    if (r.kind === 'html') {
      return `<iframe sandbox="" src="/report/${r.id}/source" title="original page" referrerpolicy="no-referrer"></iframe>${raw}`;
    }
    const cells = v.flagged.flatMap((f) => f.cells.filter((c) => c.report_id === r.id && c.present));
    if (r.kind === 'pdf') {
      const pages = [...new Set(cells.map((c) => c.where?.page).filter((p): p is number => typeof p === 'number'))].sort((a, b) => a - b);
      const wanted = pageParam && /^\d{1,4}$/.test(pageParam) ? Number(pageParam) : (pages[0] ?? 1);
      let png: Buffer;
      try {
        png = await pagePng(r, wanted);
      } catch (err) {
        return `<p>Page ${wanted} could not be rendered: ${esc((err as Error).message)}</p>${raw}`;
      }
      const { width, height } = pngSize(png);
      const k = DPI / 72;
      const boxes = cells
        .filter((c) => c.where?.page === wanted && c.where.bbox)
        .map((c) => {
          const [x0, y0, x1, y1] = c.where!.bbox!;
          return `<div class="box" title="${esc(c.key)}" style="left:${(x0 * k).toFixed(1)}px;top:${(y0 * k).toFixed(1)}px;width:${((x1 - x0) * k).toFixed(1)}px;height:${((y1 - y0) * k).toFixed(1)}px"></div>`;
        })
        .join('');
      const nav = [
        wanted > 1 ? `<a href="/report/${r.id}?page=${wanted - 1}#source">← page ${wanted - 1}</a>` : '',
        ...pages.map((p) => (p === wanted ? `<b>page ${p}</b>` : `<a href="/report/${r.id}?page=${p}#source">page ${p}</a>`)),
        `<a href="/report/${r.id}?page=${wanted + 1}#source">page ${wanted + 1} →</a>`,
      ].join(' · ');
      return `<p>${nav}</p><div class="page"><img alt="page ${wanted}" src="/report/${r.id}/page/${wanted}.png" width="${width}" height="${height}">${boxes}</div>${raw}`;
    }
    if (r.kind === 'docx' || r.kind === 'doc' || r.kind === 'wps' || r.kind === 'xlsx') {
      // Word and spreadsheet files are not rendered here: their cells are named by table, row, column (and sheet)
      return `<p>A ${r.kind.toUpperCase()} file: the offending cells are named above by table, row and column${r.kind === 'xlsx' ? ' (and sheet and cell address)' : ''}.</p>${raw}`;
    }
    // Plain text: shown escaped, the offending lines highlighted.
    const text = decodeBytes(bytes, { kind: 'text' }).text;
    const lines = new Set(cells.map((c) => c.where?.line).filter((l): l is number => typeof l === 'number'));
    const body = text
      .split(/\r?\n/)
      .map((l, i) => (lines.has(i + 1) ? `<span class="hl" id="line-${i + 1}">${esc(l)}</span>` : esc(l)))
      .join('\n');
    return `<pre class="src">${body}</pre>${raw}`;
  }

  function reportView(r: ReportRow): ReportView {
    const figures: Record<string, number | null> = {};
    for (const f of db.prepare('SELECT key, value FROM figures WHERE report_id = ? ORDER BY ord').all(r.id) as { key: string; value: number | null }[]) {
      figures[f.key] = f.value;
    }
    const printed: Record<string, string> = {};
    for (const s of db.prepare('SELECT key, text FROM figure_sources WHERE report_id = ?').all(r.id) as { key: string; text: string }[]) {
      printed[s.key] = s.text;
    }
    return {
      id: r.id,
      agency: r.agency,
      identity: linkOf(db, r.id)?.identity ?? null,
      link_source: linkOf(db, r.id)?.source ?? null,
      region: r.region,
      year: r.year,
      version: r.version,
      status: r.status,
      kind: r.kind,
      title: r.title,
      source: r.source,
      source_url: r.source_url,
      sha256: r.sha256,
      figures,
      printed,
      flagged: listFlagged(db, { status: 'all', reportId: r.id }),
    };
  }

  async function handle(req: IncomingMessage, res: ServerResponse, self: string): Promise<void> {
    const url = new URL(req.url ?? '/', self);
    const path = url.pathname;
    const hostHeader = req.headers.host ?? '';
    const port = new URL(self).port;
    const allowedHosts = new Set([new URL(self).host, `localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]);
    if (!allowedHosts.has(hostHeader)) return html(res, 421, errorPage(421, 'unexpected Host header'));

    if (req.method === 'GET' && path === '/') {
      const q = url.searchParams;
      const filters: ListFilters = {};
      for (const k of ['agency', 'region', 'year', 'check', 'status', 'state'] as const) {
        const v = q.get(k);
        if (v) filters[k] = v;
      }
      const years = (db.prepare('SELECT DISTINCT year FROM reports WHERE year IS NOT NULL ORDER BY year').all() as { year: number }[]).map((y) => y.year);
      const checkIds = (db.prepare("SELECT DISTINCT check_id FROM checks WHERE status IN ('fail','warn') ORDER BY check_id").all() as { check_id: string }[]).map(
        (c) => c.check_id,
      );
      return html(res, 200, listPage(listItems(filters), filters, years, checkIds));
    }

    const m = /^\/report\/(\d+)(\/source|\/raw|\/decide|\/link|\/page\/(\d+)\.png)?$/.exec(path);
    if (!m) return html(res, 404, errorPage(404, 'no such page'));
    const r = report(Number(m[1]));
    if (!r) return html(res, 404, errorPage(404, `no report #${m[1]}`));
    const sub = m[2] ?? '';

    if (req.method === 'POST' && (sub === '/decide' || sub === '/link')) {
      const origin = req.headers.origin;
      let originHost: string | null = null;
      try {
        originHost = origin !== undefined && origin !== 'null' ? new URL(origin).host : null;
      } catch {
        originHost = '(unparsable)';
      }
      if (originHost !== null && !allowedHosts.has(originHost)) {
        return html(res, 403, errorPage(403, 'cross-origin form post refused'));
      }
      let form: URLSearchParams;
      try {
        form = new URLSearchParams(await readBody(req));
      } catch (err) {
        return html(res, 413, errorPage(413, (err as Error).message));
      }
      const given = Buffer.from(form.get('csrf') ?? '');
      const want = Buffer.from(token);
      if (given.length !== want.length || !timingSafeEqual(given, want)) return html(res, 403, errorPage(403, 'missing or wrong form token: reload the page'));
      if (sub === '/link') {
        const name = (form.get('agency') ?? '').trim();
        try {
          if (form.get('action') === 'auto') relink(db, r.id, null);
          else if (!name) throw new Error("give the body's name");
          else relink(db, r.id, name, (form.get('by') ?? '').trim() || 'web');
        } catch (err) {
          const v = reportView(r);
          return html(res, 400, reportPage(v, await sourceHtml(r, v, null), token, `Not linked: ${(err as Error).message}`));
        }
        res.writeHead(303, { Location: `/report/${r.id}`, 'Content-Security-Policy': PAGE_CSP });
        res.end();
        return;
      }
      const check = form.get('check') ?? '';
      const decision = form.get('decision') ?? '';
      const valueText = (form.get('value') ?? '').trim();
      const note = form.get('note') ?? '';
      const by = form.get('by') ?? '';
      let value: number | null = null;
      if (decision === 'corrected') {
        value = valueText === '' ? NaN : Number(valueText);
      }
      try {
        if (!(DECISIONS as readonly string[]).includes(decision)) throw new Error('choose a decision');
        decide(db, { reportId: r.id, checkId: check, decision: decision as Decision, value, note, by: by || 'web' });
      } catch (err) {
        const v = reportView(r);
        return html(res, 400, reportPage(v, await sourceHtml(r, v, null), token, `Not recorded: ${(err as Error).message}`));
      }
      res.writeHead(303, { Location: `/report/${r.id}#check-${check.replace(/[^A-Za-z0-9_.-]/g, '_')}`, 'Content-Security-Policy': PAGE_CSP });
      res.end();
      return;
    }
    if (req.method !== 'GET') return html(res, 405, errorPage(405, 'method not allowed'));

    if (sub === '') {
      const v = reportView(r);
      return html(res, 200, reportPage(v, await sourceHtml(r, v, url.searchParams.get('page')), token));
    }
    if (sub === '/raw') {
      const bytes = bytesOf(r.sha256);
      if (!bytes) return html(res, 404, errorPage(404, 'the document bytes are not stored'));
      const office = /\.(docx|doc|wps|xlsx|xls|et)$/i.exec(r.source)?.[1]?.toLowerCase() ?? (r.kind === 'docx' || r.kind === 'doc' || r.kind === 'wps' || r.kind === 'xlsx' ? r.kind : undefined);
      const ext = r.kind === 'pdf' ? 'pdf' : r.kind === 'html' ? 'html' : office ?? 'txt';
      return send(res, 200, bytes, 'application/octet-stream', { 'Content-Disposition': `attachment; filename="report-${r.id}.${ext}"`, 'Content-Security-Policy': SOURCE_CSP });
    }
    if (sub === '/source') {
      if (r.kind !== 'html') return html(res, 404, errorPage(404, 'only HTML sources are shown in a frame'));
      const bytes = bytesOf(r.sha256);
      if (!bytes) return html(res, 404, errorPage(404, 'the document bytes are not stored'));
      let text = decodeBytes(bytes, { kind: 'html' }).text;
      const flagged = listFlagged(db, { status: 'all', reportId: r.id });
      const selectors = [
        ...new Set(
          flagged.flatMap((f) => f.cells.filter((c) => c.report_id === r.id && c.where?.domPath).map((c) => selectorOf(c.where!.domPath!))).filter((s): s is string => !!s),
        ),
      ];
      if (selectors.length) {
        const style = `<style>${selectors.join(',')}{outline:3px solid #d00 !important;background:#ffd2d2 !important}</style>`;
        text = /<\/head>/i.test(text) ? text.replace(/<\/head>/i, style + '</head>') : style + text;
      }
      return send(res, 200, text, 'text/html; charset=utf-8', { 'Content-Security-Policy': SOURCE_CSP, 'Cache-Control': 'no-store' });
    }
    if (m[3]) {
      if (r.kind !== 'pdf') return html(res, 404, errorPage(404, 'not a PDF'));
      try {
        const png = await pagePng(r, Number(m[3]));
        return send(res, 200, png, 'image/png');
      } catch (err) {
        return html(res, 404, errorPage(404, (err as Error).message));
      }
    }
    return html(res, 404, errorPage(404, 'no such page'));
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
        close: () => new Promise<void>((res2) => { server.closeAllConnections(); server.close(() => res2()); }),
      });
    });
  });
}
