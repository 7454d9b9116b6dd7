/**
 * [hA] The review page at national scale (issue 19 item 4), for bench/archive.ts.
 *
 * `buildArchiveFast(db, n)`: the database of bench/archive.ts built without extracting every page. Its
 * pages (`reviewPages`) are made as bench/ingest.ts makes its own (the samples padded to ~25 KB, each page's
 * body renamed to a real place, a comment with its number at the end), with one difference: half the
 * pages print the figures as they are, the other half have one figure one more than printed (a misprint,
 * at a place that varies), so that the archive holds about one open finding per report, as issue 19
 * asks (100,000 reports with 100,000 open findings), rather than dozens. Page i differs from a smaller
 * page j only by the body's name and the comment, so only the distinct pages j are extracted (in this
 * thread); report i is page j's report with the name and source changed, its place resolved again from the
 * new name (placeReport, as extraction does), its sha256 that of page i's own bytes, which are stored
 * (brotli at quality 1; the writer's default is 5). Every report goes through the store's own writer
 * (`storeReports`, batches of 500, with the places writer) and the step after ingestion (`afterIngest`:
 * the body's link, cross-year checks, the stored findings), as `nianbao ingest` stores what its threads
 * extracted.
 *
 * `reviewTimings(...)`: p50/p95 of the review page's answers (the queue, a filtered queue, the overview,
 * a report's page), before and right after a decision; printed by bench/archive.ts.
 */
import { brotliCompressSync, constants } from 'node:zlib';
import { request } from 'node:http';
import { extractDocument } from '../src/extract.js';
import { placeReport } from '../src/places/index.js';
import { placeRowsWriter } from '../src/places/store.js';
import type { Report } from '../src/report.js';
import { sha256Hex } from '../src/report.js';
import { afterIngest } from '../src/review/hook.js';
import { ensureReviewSchema } from '../src/review/schema.js';
import { startServer } from '../src/serve/server.js';
import type { Db } from '../src/store/db.js';
import { storeReports, type StoreItem } from '../src/store/ingest.js';
import { renameAgency, reportPageSampleFiles } from './extract.js';

const TARGET_BYTES = 25 * 1024;

/** Variants per sample: half print the figures as they are, half have one cell's figure one more (a misprint). */
const VARIANTS = 16;

/**
 * Page i: sample i mod S, variant ⌊i/S⌋ mod VARIANTS (variants below VARIANTS/2 as printed; the others
 * with the k-th figure of the page one more, k spread over the page), padded to ~25 KB as bench/ingest.ts
 * pads, the body renamed to a real place (renameAgency) and a comment with i at the end (no two pages the
 * same bytes). `templateIndex(i)`: the smallest j whose page differs from page i only by name and comment.
 */
export function reviewPages(sources: { html: string; agency: string | null }[]): { page: (i: number) => Uint8Array; templateIndex: (i: number) => number } {
  const S = sources.length;
  const para = '<p>本机关坚持以公开为常态、不公开为例外，持续推进决策、执行、管理、服务、结果公开。</p>\n';
  const variants = sources.map((src) => {
    const count = (src.html.match(/>(\d{1,4})</g) ?? []).length;
    return Array.from({ length: VARIANTS }, (_, v) => {
      let html = src.html;
      if (v >= VARIANTS / 2 && count) {
        const k = ((v - VARIANTS / 2) * 23 + 5) % count;
        let at = 0;
        html = html.replace(/>(\d{1,4})</g, (m, d: string) => (at++ === k ? `>${Number(d) + 1}<` : m));
      }
      const pad = TARGET_BYTES - Buffer.byteLength(html);
      if (pad > 0) html = html.replace(/<\/body>/i, para.repeat(Math.ceil(pad / Buffer.byteLength(para))) + '</body>');
      return html;
    });
  });
  const enc = new TextEncoder();
  const variantOf = (i: number) => Math.floor(i / S) % VARIANTS;
  return {
    page: (i) => enc.encode(renameAgency(variants[i % S]![variantOf(i)]!, sources[i % S]!.agency, i, S) + `<!-- ${i} -->`),
    templateIndex: (i) => {
      const v = variantOf(i);
      return (i % S) + S * (v < VARIANTS / 2 ? 0 : v);
    },
  };
}

/** Builds the archive up to n reports (those there are kept); returns the ms it took (0: nothing to do). */
export async function buildArchiveFast(db: Db, n: number, log: (s: string) => void = () => {}): Promise<number> {
  const have = db.prepare('SELECT count(*) FROM reports').pluck().get() as number;
  if (have >= n) return 0;
  ensureReviewSchema(db);
  const t0 = performance.now();
  const sources = reportPageSampleFiles(TARGET_BYTES);
  const S = sources.length;
  const { page, templateIndex } = reviewPages(sources);
  const nameOf = (i: number): string | null => {
    const a = sources[i % S]!.agency;
    return a ? renameAgency(a, a, i, S) : null;
  };
  // the distinct pages, extracted once
  const templates = new Map<number, string>();
  const templateOf = async (j: number): Promise<string> => {
    let t = templates.get(j);
    if (t === undefined) {
      const { report } = await extractDocument(page(j), { source: `bench-${j}.html` });
      t = JSON.stringify(report);
      templates.set(j, t);
    }
    return t;
  };
  const BATCH = 500;
  let done = have;
  while (done < n) {
    const items: StoreItem[] = [];
    for (let i = done; i < Math.min(n, done + BATCH); i++) {
      const j = templateIndex(i);
      let json = await templateOf(j);
      const from = nameOf(j);
      const to = nameOf(i);
      if (from && to && from !== to) json = json.split(from).join(to);
      const bytes = page(i);
      const report = JSON.parse(json) as Report;
      report.sha256 = sha256Hex(bytes);
      report.source = `bench-${i}.html`;
      const placed = placeReport({ agency: report.agency, title: report.title });
      report.place = placed.place;
      report.problems = report.problems.filter((p) => !p.code.startsWith('division_'));
      if (placed.problem) report.problems.push(placed.problem);
      const packed = brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 1, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.byteLength } });
      items.push({ report, bytes, stored: { encoding: 'br', bytes: packed } });
    }
    const out = storeReports(db, items, (res) => {
      if (res.created) afterIngest(db, res.reportId);
    }, [placeRowsWriter]);
    const bad = out.find((o) => !o.ok || o.afterError);
    if (bad) throw new Error(`fast build: ${!bad.ok ? bad.error.message : bad.afterError?.message}`);
    done += items.length;
    if (done % 10_000 < BATCH) log(`  ${done} reports (${((done - have) / ((performance.now() - t0) / 1000)).toFixed(0)}/s)`);
  }
  return performance.now() - t0;
}

type Sample = { status: number; bytes: number; ms: number; location?: string };

function get(url: string, method = 'GET', body = ''): Promise<Sample> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => resolve({ status: res.statusCode!, bytes, ms: performance.now() - t0, location: res.headers.location }));
    });
    req.setTimeout(600_000, () => req.destroy(new Error('timed out after 600 s')));
    req.on('error', reject);
    req.end(body);
  });
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
};

/**
 * The review page's answers on loopback: each page `samples` times (the first of each is the first read
 * after the server started: no cache of its own yet), then `samples` decisions (POST, each on another
 * report's open finding, through the page's own form), each followed by one request of every page (the
 * first read after the change).
 */
export async function reviewTimings(db: Db, opts: { samples: number; capMs: number }): Promise<void> {
  const { samples, capMs } = opts;
  const open = db.prepare("SELECT count(*) FROM review_findings WHERE state IN ('open', 'reopened')").pluck().get() as number;
  const all = db.prepare('SELECT count(*) FROM review_findings').pluck().get() as number;
  const year = db.prepare('SELECT year FROM reports WHERE year IS NOT NULL GROUP BY year ORDER BY count(*) DESC LIMIT 1').pluck().get() as number;
  const n = db.prepare('SELECT count(*) FROM reports').pluck().get() as number;
  const someReport = db.prepare("SELECT report_id FROM review_findings WHERE status = 'fail' ORDER BY report_id LIMIT 1 OFFSET ?").pluck().get(Math.floor(all / 2)) as number;
  console.log(`review page (loopback; ${n} reports, ${all} findings, ${open} open; ${samples} requests each, the first one cold):`);
  const srv = await startServer(db, { port: 0 });
  try {
    const pages: [string, string][] = [
      ['queue', '/'],
      ['filtered queue (a year, failed)', `/?year=${year}&status=fail`],
      ['queue, page 1000', '/?page=1000'],
      ['overview', '/overview'],
      ['a report', `/report/${someReport}`],
    ];
    const line = (label: string, xs: Sample[]) =>
      console.log(
        `  ${label.padEnd(56)} p50 ${pct(xs.map((x) => x.ms), 50).toFixed(0).padStart(6)} ms  p95 ${pct(xs.map((x) => x.ms), 95).toFixed(0).padStart(6)} ms  first ${xs[0]!.ms.toFixed(0).padStart(6)} ms  ${(Math.max(...xs.map((x) => x.bytes)) / 1024).toFixed(0)} KB` +
          (xs.some((x) => x.status !== 200) ? `  (status ${[...new Set(xs.map((x) => x.status))].join(',')})` : ''),
      );
    let slow = false;
    for (const [label, p] of pages) {
      const xs: Sample[] = [];
      for (let i = 0; i < samples; i++) {
        xs.push(await get(srv.url + p));
        if (xs[i]!.ms > capMs) break;
      }
      if (xs.some((x) => x.ms > capMs)) slow = true;
      line(label + (xs.length < samples ? ` (${xs.length} of ${samples}: over the cap)` : ''), xs);
    }
    if (slow) {
      console.log(`  after a decision: not measured (a page took over the cap of ${capMs / 1000} s)`);
      return;
    }
    // decisions on open findings of different reports, each with every check of the finding, as the form sends
    const targets = db
      .prepare(
        `SELECT report_id, finding_id, check_ids FROM review_findings WHERE state = 'open' AND n_checks > 0
         GROUP BY report_id ORDER BY report_id DESC LIMIT ?`,
      )
      .all(samples) as { report_id: number; finding_id: string; check_ids: string }[];
    const after: Record<string, Sample[]> = {};
    const decided: Sample[] = [];
    for (const t of targets) {
      const form = new URLSearchParams({ csrf: srv.token, finding: t.finding_id, decision: 'confirmed', note: 'bench', by: 'bench' });
      for (const c of JSON.parse(t.check_ids) as string[]) form.append('check', c);
      decided.push(await get(`${srv.url}/report/${t.report_id}/decide`, 'POST', form.toString()));
      for (const [label, p] of pages) (after[label] ??= []).push(await get(srv.url + p));
    }
    line('a decision (POST; answers 303)', decided.map((d) => ({ ...d, status: d.status === 303 ? 200 : d.status })));
    for (const [label] of pages) line(`${label}, right after a decision`, after[label]!);
    const openAfter = db.prepare("SELECT count(*) FROM review_findings WHERE state IN ('open', 'reopened')").pluck().get() as number;
    console.log(`  open findings after ${targets.length} decisions: ${openAfter} (was ${open})`);
  } finally {
    await srv.close();
  }
}
