/**
 * `npm run bench [-- NAME...]`: runs each benchmark module (bench/NAME.ts, compiled to dist/bench/NAME.js)
 * in this one process, one after the other, and prints their figures. Each module exports `run()`.
 * Names: extract (HTML extraction and storage), pdf (PDF extraction beside pdftotext), crawl (loopback crawl),
 * office (LibreOffice conversions, DOCX and XLSX reading), scale (a 1,000,000-URL frontier, and one rendered
 * page beside one plain fetch), render (200 columns on loopback, half built by script, crawled with and without
 * rendering: pages per second, pages rendered, reports found, the browser's RSS), ingest (100,000 reports through the worker pool and the batch writer;
 * BENCH_INGEST_N for fewer). Whole-number arguments go to the modules (`npm run bench -- scale 100000`: a
 * quicker run of 100,000 URLs), ocr (OCR pages per second per core and peak RSS at 150 and 300 dpi), archive (a
 * database of 100,000 reports, BENCH_ARCHIVE_N for fewer: bytes per report by table, the review page's p50/p95
 * before and right after a decision), hostile (each hostile file of tests/helpers/hostile.ts through `extract`:
 * seconds and peak RSS), sites (a loopback province of 200 sites crawled with --follow-sites: sites found per
 * minute, memory), export (Parquet export time and size beside the CSV export; BENCH_EXPORT_N reports,
 * default 5,000).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ALL = ['extract', 'pdf', 'crawl', 'render', 'office', 'ingest', 'scale', 'ocr', 'archive', 'hostile', 'sites', 'export'];
const FILES: Record<string, string> = { scale: 'crawl-scale', render: 'crawl-render' };
const params = process.argv.slice(2).filter((a) => /^\d+$/.test(a));
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-') && !/^\d+$/.test(a));
const names = wanted.length ? wanted : ALL;

let failed = 0;
for (const name of names) {
  const url = new URL(`./${FILES[name] ?? name}.js`, import.meta.url);
  if (!existsSync(fileURLToPath(url))) {
    console.log(`\n== bench ${name}: not present (bench/${FILES[name] ?? name}.ts)`);
    continue;
  }
  console.log(`\n== bench ${name}`);
  try {
    const mod = (await import(url.href)) as { run: (params: string[]) => Promise<void> };
    await mod.run(params);
  } catch (err) {
    failed++;
    console.error(`bench ${name} failed:`, err);
  }
}
process.exit(failed ? 1 : 0);
