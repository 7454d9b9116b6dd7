/**
 * PDF extraction speed beside poppler's `pdftotext -layout` on the same files in the same run, and
 * the peak memory (RSS) of extracting a 200-page PDF in a fresh process.
 *
 * Files: the sample PDFs (samples/pdf) and the real PDFs (corpus/real). The 200-page PDF is
 * printed on the fly with chromium into a temporary directory (the sample report repeated), never
 * kept in git. Aim: at least a fifth of pdftotext's pages/second, under 300 MB peak.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { extractPdf } from '../extractors/pdf.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
// bench/ from the sources, dist/bench/ compiled: find the repo root by its samples folder
const ROOT = [path.resolve(HERE, '..'), path.resolve(HERE, '../..')].find((d) => existsSync(path.join(d, 'samples/pdf')))!;
const CORPUS = path.resolve(ROOT, 'corpus/real');

function pdfFiles(): string[] {
  const out: string[] = [];
  for (const dir of [path.join(ROOT, 'samples/pdf'), CORPUS]) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort()) if (f.endsWith('.pdf')) out.push(path.join(dir, f));
  }
  return out;
}

function pageCount(file: string): number {
  const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
  return Number(/^Pages:\s+(\d+)/m.exec(info)?.[1] ?? 0);
}

/** CPU seconds of this process and of its waited-for children (/proc/self/stat utime+stime, cutime+cstime). */
function cpu(): { self: number; children: number } {
  const f = readFileSync('/proc/self/stat', 'utf8').replace(/^.*\) /, '').split(' ').map(Number);
  // after the command: state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14), in clock ticks of 1/100 s
  return { self: (f[11] + f[12]) / 100, children: (f[13] + f[14]) / 100 };
}

async function timeExtract(files: string[], rounds: number): Promise<{ pages: number; ms: number }> {
  let pages = 0;
  const t0 = performance.now();
  for (let r = 0; r < rounds; r++) {
    for (const f of files) {
      const doc = await extractPdf(new Uint8Array(readFileSync(f)));
      pages += doc.pages ?? 0;
    }
  }
  return { pages, ms: performance.now() - t0 };
}

function timePdftotext(files: string[], rounds: number, counts: Map<string, number>): { pages: number; ms: number } {
  let pages = 0;
  const t0 = performance.now();
  for (let r = 0; r < rounds; r++) {
    for (const f of files) {
      execFileSync('pdftotext', ['-layout', f, '-'], { stdio: ['ignore', 'ignore', 'ignore'] });
      pages += counts.get(f)!;
    }
  }
  return { pages, ms: performance.now() - t0 };
}

/** Print a ~200-page PDF: the sample HTML report's body repeated, each copy on new pages. */
function make200(dir: string): string | null {
  const src = path.join(ROOT, 'samples/pdf/pdf-2021-repeat-header.html');
  if (!existsSync(src)) return null;
  const html = readFileSync(src, 'utf8');
  const m = /^([\s\S]*<body>)([\s\S]*)(<\/body>[\s\S]*)$/.exec(html);
  if (!m) return null;
  const copies = Array.from({ length: 67 }, (_, i) => `<div style="${i ? 'page-break-before: always' : ''}">${m[2]}</div>`).join('\n');
  const htmlPath = path.join(dir, 'big.html');
  writeFileSync(htmlPath, m[1] + copies + m[3]);
  const pdf = path.join(dir, 'big.pdf');
  const profile = path.join(dir, 'profile');
  const res = spawnSync('chromium', [
    '--headless', '--no-sandbox', '--disable-gpu', '--no-pdf-header-footer', '--disable-background-networking',
    '--disable-component-update', '--no-first-run', `--user-data-dir=${profile}`, `--print-to-pdf=${pdf}`, pathToFileURL(htmlPath).href,
  ], { stdio: 'ignore', timeout: 300_000 });
  return res.status === 0 && existsSync(pdf) ? pdf : null;
}

/** Extract one PDF in a fresh Node process and read its peak RSS (VmHWM) there. */
function peakRss(pdf: string): { mb: number; ms: number; pages: number } | null {
  // the compiled extractor when running from dist/, else the TypeScript through tsx
  const compiled = path.join(ROOT, 'dist/extractors/pdf.js');
  const script = `
    const { extractPdf } = await import(${JSON.stringify(pathToFileURL(compiled).href)});
    const { readFileSync } = await import('node:fs');
    const t0 = performance.now();
    const doc = await extractPdf(new Uint8Array(readFileSync(${JSON.stringify(pdf)})));
    const ms = performance.now() - t0;
    const hwm = /VmHWM:\\s+(\\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    console.log(JSON.stringify({ kb: Number(hwm?.[1] ?? 0), ms, pages: doc.pages, grids: doc.grids.length }));
  `;
  if (!existsSync(compiled)) return null;
  const res = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 600_000 });
  if (res.status !== 0) {
    console.log(res.stderr);
    return null;
  }
  const out = JSON.parse(res.stdout.trim().split('\n').pop()!);
  return { mb: out.kb / 1024, ms: out.ms, pages: out.pages };
}

export async function run(): Promise<void> {
  const files = pdfFiles();
  const counts = new Map(files.map((f) => [f, pageCount(f)]));
  const totalPages = [...counts.values()].reduce((a, b) => a + b, 0);
  console.log(`${files.length} PDFs, ${totalPages} pages (samples/pdf and the corpus)`);
  await timeExtract(files, 1); // warm-up: loads pdfjs, cmaps, fonts
  const rounds = 5;
  const c0 = cpu();
  const ours = await timeExtract(files, rounds);
  const c1 = cpu();
  const theirs = timePdftotext(files, rounds, counts);
  const c2 = cpu();
  const ourRate = ours.pages / (ours.ms / 1000);
  const theirRate = theirs.pages / (theirs.ms / 1000);
  const ourCpu = c1.self - c0.self;
  const theirCpu = c2.children - c1.children;
  console.log(`extractPdf:         ${ourRate.toFixed(1)} pages/s wall (${ours.pages} pages in ${ours.ms.toFixed(0)} ms), ${(ours.pages / ourCpu).toFixed(1)} pages per CPU second`);
  console.log(`pdftotext -layout:  ${theirRate.toFixed(1)} pages/s wall (${theirs.pages} pages in ${theirs.ms.toFixed(0)} ms, one process per file), ${(theirs.pages / theirCpu).toFixed(1)} pages per CPU second`);
  console.log(`ratio: ${(ourRate / theirRate).toFixed(2)} of pdftotext's speed by wall clock, ${(ours.pages / ourCpu / (theirs.pages / theirCpu)).toFixed(2)} by CPU time (aim: >= 0.20)`);

  const tmp = mkdtempSync(path.join(os.tmpdir(), 'nianbao-bench-pdf-'));
  try {
    const big = make200(tmp);
    if (!big) {
      console.log('200-page PDF: skipped (chromium could not print it)');
      return;
    }
    const pages = pageCount(big);
    const t0 = performance.now();
    execFileSync('pdftotext', ['-layout', big, '-'], { stdio: ['ignore', 'ignore', 'ignore'], maxBuffer: 1 << 28 });
    const ptMs = performance.now() - t0;
    const peak = peakRss(big);
    if (!peak) {
      console.log('200-page PDF: peak RSS skipped (run `npm run build` first)');
      return;
    }
    console.log(`${pages}-page PDF: extractPdf ${(peak.pages / (peak.ms / 1000)).toFixed(1)} pages/s, pdftotext ${(pages / (ptMs / 1000)).toFixed(1)} pages/s`);
    console.log(`${pages}-page PDF: peak RSS ${peak.mb.toFixed(0)} MB in a fresh process (aim: < 300 MB)`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

// run directly: npx tsx bench/pdf.ts
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run();
