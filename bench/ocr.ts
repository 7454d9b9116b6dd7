/**
 * OCR speed: pages per second per core (pages over CPU seconds of this process) and peak RSS, on the
 * scanned fixtures at 150 and 300 dpi (samples/ocr/scan-*.pdf), after one warm-up page that loads the
 * model. Beside it, in the same run, the text-layer PDF reader on the sample PDFs (the baseline).
 * Aim: at least one OCR page per second per core at 150 dpi.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { extractPdf } from '../extractors/pdf.js';
import { extractBytes } from '../src/extract.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = [path.resolve(HERE, '..'), path.resolve(HERE, '../..')].find((d) => existsSync(path.join(d, 'samples/ocr')))!;

async function measure(files: string[], rounds = 1): Promise<{ pages: number; cpu: number; wall: number }> {
  let pages = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let r = 0; r < rounds; r++) {
    for (const f of files) {
      const doc = await extractPdf(new Uint8Array(readFileSync(f)));
      pages += doc.pages ?? 0;
    }
  }
  const c = process.cpuUsage(c0);
  return { pages, cpu: (c.user + c.system) / 1e6, wall: (performance.now() - t0) / 1000 };
}

const rss = () => Math.round(process.resourceUsage().maxRSS / 1024);

export async function run(): Promise<void> {
  const dir = path.join(ROOT, 'samples/ocr');
  // warm-up: the recogniser loads once per process
  await measure([path.join(dir, 'scan-100.pdf')]);
  const samplePdfs = readdirSync(path.join(ROOT, 'samples/pdf')).filter((f) => f.endsWith('.pdf') && !f.includes('scan')).map((f) => path.join(ROOT, 'samples/pdf', f));
  const base = await measure(samplePdfs, 3);
  console.log(`baseline  text-layer PDFs   ${base.pages} pages  ${(base.pages / base.cpu).toFixed(1)} pages/s per core`);
  for (const dpi of [150, 300]) {
    const m = await measure([path.join(dir, `scan-${dpi}.pdf`)]);
    console.log(`ocr       ${dpi} dpi scan     ${m.pages} pages  ${(m.pages / m.cpu).toFixed(2)} pages/s per core  (${(m.cpu / m.pages).toFixed(2)} CPU s/page, ${(m.wall / m.pages).toFixed(2)} s/page wall)  peak RSS ${rss()} MB`);
  }
  // the text-position path (rows and columns from where the text is, for tables printed without
  // rules): the same three table pictures of one report, ruled in black and printed without rules
  // (tests/fixtures/ocr-matrix, tuning seed), CPU per picture; the difference is that path's cost
  const cell = async (id: string) => {
    const f = path.join(ROOT, 'tests/fixtures/ocr-matrix', id, 'doc.html');
    const c0 = process.cpuUsage();
    await extractBytes(new Uint8Array(readFileSync(f)), { source: f });
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / 1e6 / readdirSync(path.dirname(f)).filter((x) => /^t\d+\.png$/.test(x)).length;
  };
  if (existsSync(path.join(ROOT, 'tests/fixtures/ocr-matrix/border-none-s1'))) {
    const ruled = await cell('border-black-s1');
    const bare = await cell('border-none-s1');
    console.log(`ocr       table pictures     ruled ${ruled.toFixed(2)} CPU s/picture, without rules (text-position path) ${bare.toFixed(2)} CPU s/picture: that path ${(bare - ruled >= 0 ? '+' : '')}${(bare - ruled).toFixed(2)} CPU s/picture`);
  }
  console.log('aim: >= 1 OCR page/s per core at 150 dpi');
}
