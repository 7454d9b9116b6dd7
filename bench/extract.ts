/**
 * HTML extraction speed: a few thousand report pages of about 25 KB, made from the samples
 * (agency, year and every figure varied so no two pages are the same bytes), timed for
 *   1. htmlparser2 alone (cheerio/slim load) — the floor any HTML extractor stands on;
 *   2. extraction alone (bytes → report with checks);
 *   3. extraction plus storage (ingest into a fresh SQLite database).
 * All in this process, one after the other, on one core.
 */
import { readdirSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { load } from 'cheerio/slim';
import { extractBytes } from '../src/extract.js';
import { openDb } from '../src/store/db.js';
import { ingestReport } from '../src/store/ingest.js';
import { projectRoot } from '../src/store/db.js';
import { gazetteer, lineage, type Division } from '../src/places/gazetteer.js';

const PAGES = Number(process.env.BENCH_PAGES ?? 3000);
const TARGET_BYTES = 25 * 1024;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

/**
 * The HTML report samples the page benchmarks vary (here and in bench/ingest.ts): UTF-8 ones only (the
 * variations edit the text), with a request table, of about `targetBytes` (Word exports of 80 KB are left out),
 * each with the agency its expected JSON names.
 */
export function reportPageSampleFiles(targetBytes: number): { html: string; agency: string | null }[] {
  const dir = join(projectRoot(), 'samples');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.html'))
    .map((f) => ({ f, b: readFileSync(join(dir, f)) }))
    .filter(({ b }) => !/charset=["']?(gbk|gb2312|gb18030|big5)/i.test(b.subarray(0, 2048).toString('latin1')))
    .map(({ f, b }) => {
      let agency: string | null = null;
      try {
        agency = (JSON.parse(readFileSync(join(dir, f.replace(/\.html$/, '.expected.json')), 'utf8')) as { agency?: string | null }).agency ?? null;
      } catch {
        /* no expected file: the agency stays as printed */
      }
      return { html: b.toString('utf8'), agency };
    })
    .filter((s) => /自然人/.test(s.html))
    .filter((s) => Buffer.byteLength(s.html) <= targetBytes * 1.3);
}

export function reportPageSamples(targetBytes: number): string[] {
  return reportPageSampleFiles(targetBytes).map((s) => s.html);
}

let places: { counties: Division[]; townships: Division[]; names: Map<string, Division[]>; maxLen: number } | undefined;

/** The names of a division from its city down (江苏省 left out: agencies name their city first). */
function localName(d: Division): string {
  const l = lineage(d);
  return l
    .slice(l.length > 1 && !/^(北京|天津|上海|重庆)市$/u.test(l[0].name) ? 1 : 0)
    .map((x) => x.name)
    .join('');
}

/**
 * Page i's own body: the sample's department moved to another county (the sample's k-th page, i = k ×
 * `samples` + its index, goes to the k-th county, cycling over the 2850), or, for a government report, to
 * the i-th township (38,642): 鹿邑县公安局 → 北京市西城区公安局,
 * 西华县人民政府 → 北京市东城区景山街道办事处. A year of the whole country is about one report per body, and
 * bodies are linked by place and department (src/places), so every page is a real body in a real place;
 * with the same body on every page, one body's year would hold thousands of reports, which no database has
 * (and which the cross-year step scans). 100,000 pages give about two reports per body.
 */
export function renameAgency(html: string, agency: string | null, i: number, samples: number): string {
  if (!agency) return html;
  if (!places) {
    const g = gazetteer();
    const all = [...g.byCode.values()].filter((d) => !d.historical);
    places = {
      counties: all.filter((d) => d.level === 'county'),
      townships: all.filter((d) => d.level === 'township'),
      names: g.byName,
      maxLen: g.maxNameLength,
    };
  }
  // the agency's place prefix (淮安市洪泽区) and its body (水利局)
  let at = 0;
  for (;;) {
    let hit = 0;
    for (let len = Math.min(places.maxLen, agency.length - at - 1); len >= 2 && !hit; len--) {
      if (places.names.has(agency.slice(at, at + len))) hit = len;
    }
    if (!hit) break;
    at += hit;
  }
  const body = agency.slice(at);
  if (at === 0 || !body) return html;
  let renamed: string;
  if (/^(人民政府|政府)/u.test(body)) {
    const t = places.townships[i % places.townships.length];
    renamed = localName(t) + (/街道$/u.test(t.name) ? '办事处' : '人民政府');
  } else {
    renamed = localName(places.counties[Math.floor(i / samples) % places.counties.length]) + body;
  }
  return html.split(agency).join(renamed);
}

function makePages(): { name: string; bytes: Uint8Array }[] {
  const sources = reportPageSampleFiles(TARGET_BYTES);
  if (sources.length === 0) throw new Error('no UTF-8 HTML report samples in samples/');
  const enc = new TextEncoder();
  const pages: { name: string; bytes: Uint8Array }[] = [];
  for (let i = 0; i < PAGES; i++) {
    const src = sources[i % sources.length];
    // vary every figure cell a little and the agency, so each page is distinct (and its own body)
    let html = src.html.replace(/>(\d{1,4})</g, (_m, d: string) => `>${(Number(d) + (i % 7)) % 10000}<`);
    html = renameAgency(html, src.agency, i, sources.length);
    const pad = TARGET_BYTES - Buffer.byteLength(html);
    if (pad > 0) {
      const para = '<p>本机关坚持以公开为常态、不公开为例外，持续推进决策、执行、管理、服务、结果公开。</p>\n';
      html = html.replace(/<\/body>/i, para.repeat(Math.ceil(pad / Buffer.byteLength(para))) + '</body>');
    }
    pages.push({ name: `bench-${i}.html`, bytes: enc.encode(html) });
  }
  return pages;
}

function rate(n: number, ms: number): string {
  return `${((n * 1000) / ms).toFixed(0)} reports/s (${(ms / n).toFixed(2)} ms each)`;
}

export async function run(): Promise<void> {
  const pages = makePages();
  const totalKb = pages.reduce((s, p) => s + p.bytes.length, 0) / 1024;
  console.log(`${pages.length} pages, ${(totalKb / pages.length).toFixed(1)} KB on average`);
  const dec = new TextDecoder();

  // warm-up (JIT) on a few pages, not timed
  for (const p of pages.slice(0, 20)) await extractBytes(p.bytes, { source: p.name });

  // The machine is shared (a VM): each pass runs ROUNDS times, parse and extraction interleaved, and the
  // fastest round of each counts, so a burst of load elsewhere does not decide the figures.
  let parseMs = Infinity;
  let extractMs = Infinity;
  let cells = 0;
  let ok = 0;
  for (let round = 0; round < ROUNDS; round++) {
    let t = performance.now();
    cells = 0;
    for (const p of pages) cells += load(dec.decode(p.bytes))('td').length;
    parseMs = Math.min(parseMs, performance.now() - t);
    t = performance.now();
    ok = 0;
    for (const p of pages) if ((await extractBytes(p.bytes, { source: p.name })).status === 'ok') ok++;
    extractMs = Math.min(extractMs, performance.now() - t);
  }
  console.log(`htmlparser2 parse alone (baseline):  ${rate(pages.length, parseMs)}  [${cells} cells; best of ${ROUNDS}]`);
  console.log(
    `extraction alone:                    ${rate(pages.length, extractMs)}  [${ok} ok; best of ${ROUNDS}]  = ${(extractMs / parseMs).toFixed(2)}x the parse time`,
  );

  const dir = mkdtempSync(join(tmpdir(), 'nianbao-bench-'));
  try {
    const db = openDb(join(dir, 'bench.db'));
    const t = performance.now();
    for (const p of pages) ingestReport(db, await extractBytes(p.bytes, { source: p.name }), p.bytes);
    const storeMs = performance.now() - t;
    const rows = (db.prepare('SELECT count(*) AS n FROM figures').get() as { n: number }).n;
    console.log(`extraction + storage (SQLite):       ${rate(pages.length, storeMs)}  [${rows} figure rows]`);
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`peak RSS so far ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
}
