/**
 * `npm run bench [-- NAME...]`: runs each benchmark module (bench/NAME.ts, compiled to dist/bench/NAME.js)
 * in this one process, one after the other, and prints their figures. Each module exports `run()`.
 * Names: extract (HTML extraction and storage), pdf (PDF extraction beside pdftotext), crawl (loopback crawl),
 * office (LibreOffice conversions, DOCX and XLSX reading), ocr (OCR pages per second per core and peak RSS
 * at 150 and 300 dpi).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ALL = ['extract', 'pdf', 'crawl', 'office', 'ocr'];
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = wanted.length ? wanted : ALL;

let failed = 0;
for (const name of names) {
  const url = new URL(`./${name}.js`, import.meta.url);
  if (!existsSync(fileURLToPath(url))) {
    console.log(`\n== bench ${name}: not present (bench/${name}.ts)`);
    continue;
  }
  console.log(`\n== bench ${name}`);
  try {
    const mod = (await import(url.href)) as { run: () => Promise<void> };
    await mod.run();
  } catch (err) {
    failed++;
    console.error(`bench ${name} failed:`, err);
  }
}
process.exit(failed ? 1 : 0);
