/**
 * Writes samples/ocr/title-scan.pdf (issue 17 item 5): the first page of a sample report whose title,
 * agency and year are only in the picture. The page is printed by Chromium with its title set large in
 * a 楷体 face (AR PL UKai, fonts-arphic-ukai), its prose in a 宋体-like face (AR PL UMing), the page's
 * <title> removed; rasterised at 150 dpi in grey by pdftoppm, JPEG-compressed (quality 70) by sharp and
 * packed into an image-only PDF by img2pdf. No text layer: every word comes from OCR.
 *
 *   npx tsx scripts/make-title-scan.ts [sample-name]
 *
 * Needs Debian's chromium (via playwright-core), poppler-utils (pdftoppm), img2pdf, fonts-arphic-ukai/uming.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import sharp from 'sharp';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const name = process.argv[2] ?? 'xihua-county-2021';
const OUT = path.join(ROOT, 'samples', 'ocr', 'title-scan.pdf');

const html = readFileSync(path.join(ROOT, 'samples', `${name}.html`), 'utf8')
  .replace(/<title>[\s\S]*?<\/title>/i, '')
  .replace(
    /<\/head>/i,
    `<style>body{font-family:"AR PL UMing CN","AR PL UMing",serif;font-size:15px}` +
      `h1,.title{font-family:"AR PL UKai CN","AR PL UKai",cursive;font-size:30px;font-weight:bold;text-align:center}</style></head>`,
  );
const tmp = mkdtempSync(path.join(os.tmpdir(), 'title-scan-'));
try {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  const page = await browser.newPage();
  await page.setContent(html, { waitUntil: 'load' });
  const pdf = path.join(tmp, 'page.pdf');
  await page.pdf({ path: pdf, format: 'A4', printBackground: false, margin: { top: '15mm', bottom: '15mm', left: '15mm', right: '15mm' } });
  await browser.close();
  execFileSync('pdftoppm', ['-r', '150', '-gray', '-png', '-f', '1', '-l', '1', pdf, path.join(tmp, 'p')]);
  const png = path.join(tmp, 'p-1.png');
  const jpg = path.join(tmp, 'p-1.jpg');
  await sharp(png).jpeg({ quality: 70 }).withMetadata({ density: 150 }).toFile(jpg);
  execFileSync('img2pdf', ['--pagesize', 'A4', '-o', OUT, jpg]);
  console.log(`wrote ${OUT}`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
