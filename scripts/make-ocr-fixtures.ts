/**
 * Writes the OCR fixtures of samples/ocr/ from the project's own sample reports (samples/*.html):
 *
 *  - scan-<dpi>.pdf (dpi 100, 150, 200, 300): taikang-finance-2021-captions printed to PDF by Chromium,
 *    rasterised by pdftoppm, then "scanned": skewed (±2–3°, alternating per page), uneven light, noise, a
 *    red official seal over part of table 3 (page 2), JPEG-compressed and packed into an image-only PDF
 *    with img2pdf (so each page has one embedded JPEG at its own resolution).
 *  - long.png / long.jpg / long.tif / long.bmp: zhoukou-ecology-2019 as one long screenshot (the form
 *    sites publish a report in as a picture), each with its own degradation (JPEG noise, skew, seal).
 *  - tables-as-images.html + tables-as-images-t<N>.png: xihua-county-2021 with every table replaced
 *    by a screenshot of it (`<img src>` relative to the page); its prose stays text.
 *  - <name>.expected.json: the sample's expected JSON (its figures, agency, year, version), with the
 *    kind and `ocr: true` the OCR path must report.
 *
 *   npx tsx scripts/make-ocr-fixtures.ts
 *
 * Needs Debian's chromium (via playwright-core), poppler-utils (pdftoppm) and img2pdf.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import sharp from 'sharp';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SAMPLES = path.join(ROOT, 'samples');
const OUT = path.join(SAMPLES, 'ocr');

const SCAN_SAMPLE = 'taikang-finance-2021-captions';
const LONG_SAMPLE = 'zhoukou-ecology-2019';
const IMG_TABLE_SAMPLE = 'xihua-county-2021';
const DPIS = [100, 150, 200, 300];

/** A deterministic pseudo-random generator, so the fixtures are the same on every run. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Photo-like damage on an RGB image: uneven light (darker towards one corner) and grain. */
async function damage(img: Buffer, seed: number, opts: { angle: number; noise: number; seal?: { x: number; y: number; r: number } }): Promise<sharp.Sharp> {
  const meta = await sharp(img).metadata();
  const w = meta.width!, h = meta.height!;
  let base = sharp(img).removeAlpha();
  if (opts.angle) {
    const rotated = await base.rotate(opts.angle, { background: '#ffffff' }).toBuffer({ resolveWithObject: true });
    const { width: rw, height: rh } = rotated.info;
    base = sharp(rotated.data).extract({ left: Math.floor((rw - w) / 2), top: Math.floor((rh - h) / 2), width: w, height: h });
  }
  const layers: sharp.OverlayOptions[] = [];
  // uneven light: a radial fall-off to 75 % brightness in the bottom-right corner
  const light = `<svg width="${w}" height="${h}"><defs><radialGradient id="g" cx="0.2" cy="0.15" r="1.1"><stop offset="0" stop-color="#ffffff"/><stop offset="1" stop-color="#b8b4a8"/></radialGradient></defs><rect width="100%" height="100%" fill="url(#g)"/></svg>`;
  layers.push({ input: Buffer.from(light), blend: 'multiply' });
  if (opts.seal) {
    const { x, y, r } = opts.seal;
    const sw = Math.max(2, Math.round(r / 14));
    const fs = Math.round(r / 3.2);
    const seal = `<svg width="${w}" height="${h}"><g fill="none" stroke="#e0201c" stroke-width="${sw}" opacity="0.7">
      <circle cx="${x}" cy="${y}" r="${r}"/><circle cx="${x}" cy="${y}" r="${r - sw * 2}" stroke-width="${Math.max(1, sw / 3)}"/></g>
      <polygon fill="#e0201c" opacity="0.7" points="${star(x, y - r * 0.05, r * 0.28)}"/>
      <text x="${x}" y="${y + r * 0.55}" font-size="${fs}" fill="#e0201c" opacity="0.7" text-anchor="middle" font-family="Noto Sans CJK SC">信息公开专用章</text></svg>`;
    layers.push({ input: Buffer.from(seal), blend: 'multiply' });
  }
  const lit = await base.composite(layers).raw().toBuffer({ resolveWithObject: true });
  const rand = rng(seed);
  const px = lit.data;
  for (let i = 0; i < px.length; i++) {
    const n = (rand() + rand() + rand() - 1.5) * opts.noise;
    px[i] = Math.max(0, Math.min(255, px[i] + n));
  }
  return sharp(px, { raw: { width: lit.info.width, height: lit.info.height, channels: lit.info.channels } });
}

function star(cx: number, cy: number, r: number): string {
  const pts: string[] = [];
  for (let i = 0; i < 10; i++) {
    const a = -Math.PI / 2 + (i * Math.PI) / 5;
    const rr = i % 2 ? r * 0.4 : r;
    pts.push(`${(cx + rr * Math.cos(a)).toFixed(1)},${(cy + rr * Math.sin(a)).toFixed(1)}`);
  }
  return pts.join(' ');
}

function expected(sample: string, kind: string): unknown {
  const exp = JSON.parse(readFileSync(path.join(SAMPLES, `${sample}.expected.json`), 'utf8')) as Record<string, unknown>;
  return { sample, kind, ocr: true, ...exp };
}

function writeExpected(name: string, sample: string, kind: string): void {
  writeFileSync(path.join(OUT, `${name}.expected.json`), JSON.stringify(expected(sample, kind), null, 1) + '\n');
}

/** An 8-bit grey bottom-up BMP (BITMAPINFOHEADER with a grey palette), which sharp cannot write. */
function encodeBmp(grey: Buffer, w: number, h: number): Buffer {
  const stride = Math.ceil(w / 4) * 4;
  const off = 54 + 256 * 4;
  const out = Buffer.alloc(off + stride * h);
  out.write('BM', 0, 'latin1');
  out.writeUInt32LE(out.length, 2);
  out.writeUInt32LE(off, 10);
  out.writeUInt32LE(40, 14);
  out.writeInt32LE(w, 18);
  out.writeInt32LE(h, 22);
  out.writeUInt16LE(1, 26);
  out.writeUInt16LE(8, 28);
  out.writeUInt32LE(stride * h, 34);
  out.writeInt32LE(3780, 38);
  out.writeInt32LE(3780, 42);
  out.writeUInt32LE(256, 46);
  for (let i = 0; i < 256; i++) out.writeUInt32LE(i * 0x010101, 54 + i * 4);
  for (let y = 0; y < h; y++) grey.copy(out, off + (h - 1 - y) * stride, y * w, y * w + w);
  return out;
}

async function main(): Promise<void> {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'nianbao-ocr-fixtures-'));
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width: 900, height: 1200 } });

    // 1. scans of a printed report, at four resolutions
    await page.goto(`file://${path.join(SAMPLES, SCAN_SAMPLE + '.html')}`);
    const pdf = path.join(tmp, 'print.pdf');
    await page.pdf({ path: pdf, format: 'A4', printBackground: false, margin: { top: '15mm', bottom: '15mm', left: '15mm', right: '15mm' } });
    for (const dpi of DPIS) {
      const prefix = path.join(tmp, `p${dpi}`);
      execFileSync('pdftoppm', ['-r', String(dpi), '-png', pdf, prefix]);
      const pngs = readdirSync(tmp).filter((f) => f.startsWith(`p${dpi}-`) && f.endsWith('.png')).sort();
      const jpgs: string[] = [];
      for (const [i, f] of pngs.entries()) {
        const img = readFileSync(path.join(tmp, f));
        const s = dpi / 72;
        const angle = [2.5, -2, 3, -2.5, 2][i % 5];
        const seal = i === 2 ? { x: Math.round(420 * s), y: Math.round(300 * s), r: Math.round(60 * s) } : undefined;
        const out = path.join(tmp, `s${dpi}-${i}.jpg`);
        await (await damage(img, dpi * 10 + i, { angle, noise: dpi >= 200 ? 8 : 14, seal })).jpeg({ quality: dpi >= 200 ? 45 : 55 }).withMetadata({ density: dpi }).toFile(out);
        jpgs.push(out);
      }
      execFileSync('img2pdf', ['--pagesize', 'A4', '-o', path.join(OUT, `scan-${dpi}.pdf`), ...jpgs]);
      writeExpected(`scan-${dpi}`, SCAN_SAMPLE, 'pdf');
    }

    // 2. a report published as one long picture, in four image formats
    await page.setViewportSize({ width: 900, height: 1000 });
    await page.goto(`file://${path.join(SAMPLES, LONG_SAMPLE + '.html')}`);
    await page.addStyleTag({ content: '.topbar,.header,.nav,.sidebar,.footer{display:none!important} body{background:#fff}' });
    const shot = await page.screenshot({ fullPage: true, type: 'png' });
    const w = (await sharp(shot).metadata()).width!;
    await (await damage(shot, 1, { angle: 0, noise: 10 })).png({ palette: true, colours: 64 }).toFile(path.join(OUT, 'long.png'));
    // the skewed ones at twice the resolution (a phone's screenshot or photo): a 1-pixel ruling turned
    // by 2° at 96 dpi is beyond any reading
    const hiPage = await browser.newPage({ viewport: { width: 900, height: 1000 }, deviceScaleFactor: 2 });
    await hiPage.goto(`file://${path.join(SAMPLES, LONG_SAMPLE + '.html')}`);
    await hiPage.addStyleTag({ content: '.topbar,.header,.nav,.sidebar,.footer{display:none!important} body{background:#fff}' });
    const hiShot = await hiPage.screenshot({ fullPage: true, type: 'png' });
    await hiPage.close();
    const seal = { x: Math.round(w * 1.2), y: 3000, r: 140 };
    await (await damage(hiShot, 2, { angle: 1.5, noise: 20, seal })).jpeg({ quality: 60 }).toFile(path.join(OUT, 'long.jpg'));
    const tifGrey = await (await damage(hiShot, 3, { angle: -2, noise: 0 })).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
    await sharp(tifGrey.data, { raw: { width: tifGrey.info.width, height: tifGrey.info.height, channels: 1 } })
      .threshold(170)
      .tiff({ compression: 'deflate', predictor: 'none' })
      .toFile(path.join(OUT, 'long.tif'));
    const bmpRaw = await (await damage(shot, 4, { angle: 0, noise: 0 })).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
    writeFileSync(path.join(OUT, 'long.bmp'), encodeBmp(bmpRaw.data, bmpRaw.info.width, bmpRaw.info.height));
    for (const ext of ['png', 'jpg', 'tif', 'bmp']) writeExpected(`long.${ext}`, LONG_SAMPLE, 'image');

    // 3. a report page whose tables are pictures
    await page.setViewportSize({ width: 900, height: 1000 });
    await page.goto(`file://${path.join(SAMPLES, IMG_TABLE_SAMPLE + '.html')}`);
    const tables = await page.$$('table');
    for (const [i, t] of tables.entries()) {
      const png = await t.screenshot({ type: 'png' });
      await sharp(png).png({ palette: true, colours: 32 }).toFile(path.join(OUT, `tables-as-images-t${i + 1}.png`));
    }
    let html = readFileSync(path.join(SAMPLES, IMG_TABLE_SAMPLE + '.html'), 'utf8');
    let n = 0;
    html = html.replace(/<table[\s\S]*?<\/table>/g, () => `<p style="text-align:center"><img src="tables-as-images-t${++n}.png" alt=""></p>`);
    if (n !== tables.length) throw new Error(`replaced ${n} tables but screenshotted ${tables.length}`);
    writeFileSync(path.join(OUT, 'tables-as-images.html'), html);
    writeExpected('tables-as-images', IMG_TABLE_SAMPLE, 'html');
  } finally {
    await browser.close();
    rmSync(tmp, { recursive: true, force: true });
  }
  const files = readdirSync(OUT).sort();
  let total = 0;
  for (const f of files) {
    const size = readFileSync(path.join(OUT, f)).length;
    total += size;
    console.log(`${f.padEnd(40)} ${(size / 1024).toFixed(0).padStart(6)} KiB`);
  }
  console.log(`total ${(total / 1024 / 1024).toFixed(2)} MiB`);
}

await main();
