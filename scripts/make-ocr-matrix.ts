/**
 * The OCR fixture matrix: the project's sample reports (both templates) rendered as pictures under
 * independent, seeded variations, one variation at a time over a plain base (Noto Sans, a 900 CSS px
 * page, 1×, black rulings, PNG), each cell's other choices drawn from its seed:
 *
 *   font     sans (Noto Sans CJK) | serif (Noto Serif CJK) | kai (AR PL UKai, 楷体) | ming (AR PL UMing)
 *   width    400 (a phone: labels wrap) | 600 | 1000 | 1400 CSS px
 *   scale    1× (about 96 ppi) | 2× | 3×
 *   border   black | grey | dotted | horizontal (三线表-like: rules between rows only) | none
 *   jpeg     quality 50 | 70 | 90
 *   noise    grain ±12 | ±24
 *   skew     ±1.5° | ±3°
 *   persp    a phone photo: perspective (corners moved 3-5 %), uneven light, blur (imagemagick)
 *   mark     a red seal over a table | a blue pen ring round a row label
 *   long     the whole report as one tall JPEG (title, prose and tables)
 *   split    the long picture printed over several PDF pages (img2pdf, one slice a page)
 *   scan     printed by Chromium, rasterised at 100 | 150 | 200 | 300 dpi (pdftoppm), skew, light,
 *            noise, JPEG, packed with img2pdf
 *   blank    every 0 of the tables printed as / (slash) or — (dash), as many reports print a blank
 *
 * Table-picture cells (font, width, scale, border, jpeg, noise, skew, mark) keep the sample's page with
 * each table replaced by a picture of it (kind html, as sites publish them); long/persp cells are one
 * image file (kind image); split/scan cells are image-only PDFs (kind pdf).
 *
 *   npx tsx scripts/make-ocr-matrix.ts [--out DIR] [--seeds 1,2,3] [--only ID,ID...]
 *
 * Default: every cell for seeds 1-3 into .cache/ocr-matrix (not committed). The cells the tests use are
 * committed under tests/fixtures/ocr-matrix/ (`--out tests/fixtures/ocr-matrix --only ...`).
 * Seed 1 is the tuning seed; figures are reported on seeds 2 and 3 (scripts/score-ocr-matrix.ts).
 * Needs chromium (playwright-core), poppler-utils, imagemagick (convert-im6.q16), img2pdf.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import sharp from 'sharp';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SAMPLES = path.join(ROOT, 'samples');
const CONVERT = '/usr/bin/convert-im6.q16';

/** Samples whose tables are the template's, cleanly (both templates). */
export const MATRIX_SAMPLES = ['xihua-county-2021', 'zhoukou-ecology-2019', 'taikang-finance-2021-captions', 'huaiyin-2022-template2019'];

export const VARIATIONS: Record<string, string[]> = {
  font: ['sans', 'serif', 'kai', 'ming'],
  width: ['400', '600', '1000', '1400'],
  scale: ['1', '2', '3'],
  border: ['black', 'grey', 'dotted', 'horizontal', 'none'],
  jpeg: ['50', '70', '90'],
  noise: ['12', '24'],
  skew: ['1.5', '3'],
  persp: ['photo'],
  mark: ['seal', 'pen'],
  long: ['jpeg'],
  split: ['3pages'],
  scan: ['100', '150', '200', '300'],
  blank: ['slash', 'dash'],
};

const FONTS: Record<string, string> = {
  sans: '"Noto Sans CJK SC"',
  serif: '"Noto Serif CJK SC"',
  kai: '"AR PL UKai CN"',
  ming: '"AR PL UMing CN"',
};

const BORDERS: Record<string, string> = {
  black: 'table{border-collapse:collapse!important} td,th{border:1px solid #000!important}',
  grey: 'table{border-collapse:collapse!important} td,th{border:1px solid #c4c4c4!important}',
  dotted: 'table{border-collapse:collapse!important} td,th{border:1px dotted #555!important}',
  horizontal: 'table{border-collapse:collapse!important;border-top:2px solid #000!important;border-bottom:2px solid #000!important} td,th{border:none!important;border-bottom:1px solid #333!important}',
  none: 'table{border-collapse:collapse!important;border:none!important} td,th{border:none!important}',
};

export interface Cell {
  id: string;
  variation: string;
  value: string;
  seed: number;
  sample: string;
}

export function cells(seeds: number[]): Cell[] {
  const out: Cell[] = [];
  for (const [variation, values] of Object.entries(VARIATIONS)) {
    for (const value of values) {
      for (const seed of seeds) {
        const sample = MATRIX_SAMPLES[(seed * 7 + values.indexOf(value) + variation.length) % MATRIX_SAMPLES.length];
        out.push({ id: `${variation}-${value}-s${seed}`, variation, value, seed, sample });
      }
    }
  }
  return out;
}

/** A deterministic pseudo-random generator (the same fixtures on every run). */
function rng(seed: number): () => number {
  let s = (seed * 2654435761) >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

interface Setup {
  font: string;
  width: number;
  scale: number;
  border: string;
}

function setup(c: Cell): Setup {
  const s: Setup = { font: 'sans', width: 900, scale: 1, border: 'black' };
  if (c.variation === 'font') s.font = c.value;
  if (c.variation === 'width') s.width = Number(c.value);
  if (c.variation === 'scale') s.scale = Number(c.value);
  if (c.variation === 'border') s.border = c.value;
  // skewed, perspective and long pictures at 2× (a phone's screenshot or photo): a 1-pixel ruling
  // turned by degrees at 96 ppi is beyond any reading
  if (['skew', 'persp', 'long'].includes(c.variation)) s.scale = 2;
  return s;
}

const CHROME = '.topbar,.header,.nav,.sidebar,.footer,.crumb,.share,.related{display:none!important} body{background:#fff!important;margin:8px!important} .w1200,.main,.content,.article{width:auto!important;max-width:none!important;float:none!important}';

function css(s: Setup): string {
  return `${CHROME} *{font-family:${FONTS[s.font]}!important} table{width:100%!important;max-width:100%!important} ${BORDERS[s.border]}`;
}

/** Grain, uneven light, skew on a picture (sharp). */
async function damage(img: Buffer, rand: () => number, o: { angle?: number; noise?: number; light?: boolean }): Promise<Buffer> {
  let base = sharp(img).removeAlpha();
  const meta = await sharp(img).metadata();
  let w = meta.width!, h = meta.height!;
  if (o.angle) {
    const r = await base.rotate(o.angle, { background: '#ffffff' }).png().toBuffer({ resolveWithObject: true });
    base = sharp(r.data);
    w = r.info.width;
    h = r.info.height;
  }
  if (o.light) {
    const cx = (0.1 + rand() * 0.3).toFixed(2), cy = (0.1 + rand() * 0.3).toFixed(2);
    const svg = `<svg width="${w}" height="${h}"><defs><radialGradient id="g" cx="${cx}" cy="${cy}" r="1.1"><stop offset="0" stop-color="#ffffff"/><stop offset="1" stop-color="#a8a49a"/></radialGradient></defs><rect width="100%" height="100%" fill="url(#g)"/></svg>`;
    base = sharp(await base.composite([{ input: Buffer.from(svg), blend: 'multiply' }]).png().toBuffer());
  }
  const raw = await base.raw().toBuffer({ resolveWithObject: true });
  if (o.noise) {
    const px = raw.data;
    for (let i = 0; i < px.length; i++) px[i] = Math.max(0, Math.min(255, px[i] + (rand() + rand() + rand() - 1.5) * o.noise));
  }
  return sharp(raw.data, { raw: { width: raw.info.width, height: raw.info.height, channels: raw.info.channels } }).png().toBuffer();
}

/** A red seal over (x, y), or a blue pen ring round a box. */
async function mark(img: Buffer, kind: 'seal' | 'pen', rand: () => number): Promise<Buffer> {
  const { width: w, height: h } = await sharp(img).metadata();
  let svg: string;
  if (kind === 'seal') {
    const r = Math.round(Math.min(w!, h!) * (0.18 + rand() * 0.08));
    const x = Math.round(w! * (0.4 + rand() * 0.4)), y = Math.round(h! * (0.3 + rand() * 0.4));
    const sw = Math.max(2, Math.round(r / 14));
    svg = `<svg width="${w}" height="${h}"><g fill="none" stroke="#e0201c" stroke-width="${sw}" opacity="0.7"><circle cx="${x}" cy="${y}" r="${r}"/></g>
      <text x="${x}" y="${y + r * 0.15}" font-size="${Math.round(r / 3.5)}" fill="#e0201c" opacity="0.7" text-anchor="middle" font-family="Noto Sans CJK SC">信息公开专用章</text></svg>`;
  } else {
    // a ring round a row label: the left third of the table, at a random row height
    const y = Math.round(h! * (0.25 + rand() * 0.5)), rx = Math.round(w! * 0.16), ry = Math.round(Math.max(14, h! * 0.03));
    svg = `<svg width="${w}" height="${h}"><ellipse cx="${Math.round(w! * 0.17)}" cy="${y}" rx="${rx}" ry="${ry}" fill="none" stroke="#1d3fb8" stroke-width="${Math.max(2, Math.round(w! / 400))}" opacity="0.85" transform="rotate(${(rand() * 6 - 3).toFixed(1)} ${Math.round(w! * 0.17)} ${y})"/></svg>`;
  }
  return sharp(img).composite([{ input: Buffer.from(svg), blend: 'multiply' }]).png().toBuffer();
}

function expected(c: Cell, kind: string): Record<string, unknown> {
  const exp = JSON.parse(readFileSync(path.join(SAMPLES, `${c.sample}.expected.json`), 'utf8')) as Record<string, unknown>;
  return { cell: c.id, variation: c.variation, value: c.value, seed: c.seed, sample: c.sample, kind, ocr: true, agency: exp.agency, year: exp.year, version: exp.version, figures: exp.figures };
}

async function tablePictures(browser: Browser, c: Cell, dir: string, rand: () => number): Promise<void> {
  const s = setup(c);
  const page = await browser.newPage({ viewport: { width: s.width, height: 1000 }, deviceScaleFactor: s.scale });
  try {
    await page.goto(`file://${path.join(SAMPLES, c.sample + '.html')}`);
    await page.addStyleTag({ content: css(s) });
    if (c.variation === 'blank') {
      const mark = c.value === 'slash' ? '/' : '—';
      await page.evaluate((m) => {
        for (const td of Array.from(document.querySelectorAll('td'))) if ((td.textContent ?? '').trim() === '0') td.textContent = m;
      }, mark);
    }
    const tables = await page.$$('table');
    const names: string[] = [];
    for (const [i, t] of tables.entries()) {
      let png = await t.screenshot({ type: 'png' });
      if (c.variation === 'mark' && i === (c.seed % tables.length)) png = await mark(png, c.value as 'seal' | 'pen', rand);
      if (c.variation === 'noise') png = await damage(png, rand, { noise: Number(c.value) });
      if (c.variation === 'skew') png = await damage(png, rand, { angle: (rand() < 0.5 ? -1 : 1) * Number(c.value), noise: 6 });
      const q = c.variation === 'jpeg' ? Number(c.value) : 0;
      const name = `t${i + 1}.${q ? 'jpg' : 'png'}`;
      if (q) await sharp(png).flatten({ background: '#fff' }).jpeg({ quality: q }).toFile(path.join(dir, name));
      else await sharp(png).png({ palette: true, colours: 64 }).toFile(path.join(dir, name));
      names.push(name);
    }
    let html = readFileSync(path.join(SAMPLES, c.sample + '.html'), 'utf8');
    let n = 0;
    html = html.replace(/<table[\s\S]*?<\/table>/g, () => `<p style="text-align:center"><img src="${names[n++]}" alt=""></p>`);
    if (n !== names.length) throw new Error(`${c.id}: replaced ${n} tables, pictured ${names.length}`);
    writeFileSync(path.join(dir, 'doc.html'), html);
    writeFileSync(path.join(dir, 'expected.json'), JSON.stringify(expected(c, 'html'), null, 1) + '\n');
  } finally {
    await page.close();
  }
}

async function longShot(browser: Browser, c: Cell, s: Setup): Promise<Buffer> {
  const page = await browser.newPage({ viewport: { width: s.width, height: 1000 }, deviceScaleFactor: s.scale });
  try {
    await page.goto(`file://${path.join(SAMPLES, c.sample + '.html')}`);
    await page.addStyleTag({ content: css(s) });
    return await page.screenshot({ fullPage: true, type: 'png' });
  } finally {
    await page.close();
  }
}

async function longPicture(browser: Browser, c: Cell, dir: string, rand: () => number, tmp: string): Promise<void> {
  const s = setup(c);
  let png = await longShot(browser, c, s);
  if (c.variation === 'persp') {
    // a phone photo: the page's corners moved inwards by 3-5 %, uneven light, a little blur
    const inPng = path.join(tmp, `${c.id}-in.png`), outPng = path.join(tmp, `${c.id}-out.png`);
    writeFileSync(inPng, await damage(png, rand, { light: true, noise: 8 }));
    const { width: w, height: h } = await sharp(inPng).metadata();
    const d = () => 0.03 + rand() * 0.02;
    const pts = [0, 0, w! * d(), h! * d() * 0.3, w!, 0, w! * (1 - d()), h! * d() * 0.3, 0, h!, w! * d() * 0.5, h!, w!, h!, w! * (1 - d() * 0.5), h!].map((v) => v.toFixed(1));
    const args = [inPng, '-virtual-pixel', 'white', '-distort', 'Perspective', pts.join(','), '-blur', `0x${(0.6 + rand() * 0.5).toFixed(2)}`, outPng];
    execFileSync(CONVERT, args);
    png = readFileSync(outPng);
  } else png = await damage(png, rand, { noise: 8 });
  await sharp(png).flatten({ background: '#fff' }).jpeg({ quality: 75 }).toFile(path.join(dir, 'doc.jpg'));
  writeFileSync(path.join(dir, 'expected.json'), JSON.stringify(expected(c, 'image'), null, 1) + '\n');
}

/** The long picture cut into page-high slices, one a PDF page (a picture printed over several pages). */
async function splitPicture(browser: Browser, c: Cell, dir: string, rand: () => number, tmp: string): Promise<void> {
  const s = { ...setup(c), scale: 1.25 };
  const png = await damage(await longShot(browser, c, s), rand, { noise: 6 });
  const { width: w, height: h } = await sharp(png).metadata();
  const n = 3;
  const sliceH = Math.ceil(h! / n);
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    const top = i * sliceH, height = Math.min(sliceH, h! - top);
    const f = path.join(tmp, `${c.id}-${i}.jpg`);
    await sharp(png).extract({ left: 0, top, width: w!, height }).flatten({ background: '#fff' }).jpeg({ quality: 80 }).withMetadata({ density: 116 }).toFile(f);
    parts.push(f);
  }
  execFileSync('img2pdf', ['-o', path.join(dir, 'doc.pdf'), ...parts]);
  writeFileSync(path.join(dir, 'expected.json'), JSON.stringify(expected(c, 'pdf'), null, 1) + '\n');
}

async function scan(browser: Browser, c: Cell, dir: string, rand: () => number, tmp: string): Promise<void> {
  const dpi = Number(c.value);
  const page = await browser.newPage({ viewport: { width: 900, height: 1200 } });
  const pdf = path.join(tmp, `${c.id}.pdf`);
  try {
    await page.goto(`file://${path.join(SAMPLES, c.sample + '.html')}`);
    await page.addStyleTag({ content: css(setup(c)) });
    await page.pdf({ path: pdf, format: 'A4', printBackground: false, margin: { top: '15mm', bottom: '15mm', left: '15mm', right: '15mm' } });
  } finally {
    await page.close();
  }
  const prefix = path.join(tmp, `${c.id}-p`);
  execFileSync('pdftoppm', ['-r', String(dpi), '-png', pdf, prefix]);
  const pngs = readdirSync(tmp).filter((f) => f.startsWith(`${c.id}-p-`) && f.endsWith('.png')).sort();
  const jpgs: string[] = [];
  for (const [i, f] of pngs.entries()) {
    const angle = (rand() < 0.5 ? -1 : 1) * (0.5 + rand() * 2);
    const img = await damage(readFileSync(path.join(tmp, f)), rand, { angle, light: true, noise: dpi >= 200 ? 8 : 12 });
    // rotating grew the page: back to its size, centred
    const { width: rw, height: rh } = await sharp(img).metadata();
    const { width: ow, height: oh } = await sharp(path.join(tmp, f)).metadata();
    const out = path.join(tmp, `${c.id}-s${i}.jpg`);
    await sharp(img).extract({ left: Math.floor((rw! - ow!) / 2), top: Math.floor((rh! - oh!) / 2), width: ow!, height: oh! }).jpeg({ quality: 50 + Math.round(rand() * 20) }).withMetadata({ density: dpi }).toFile(out);
    jpgs.push(out);
  }
  execFileSync('img2pdf', ['--pagesize', 'A4', '-o', path.join(dir, 'doc.pdf'), ...jpgs]);
  writeFileSync(path.join(dir, 'expected.json'), JSON.stringify(expected(c, 'pdf'), null, 1) + '\n');
}

export async function makeCell(browser: Browser, c: Cell, out: string, tmp: string): Promise<void> {
  const dir = path.join(out, c.id);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const rand = rng(c.seed * 1000 + c.id.length);
  if (c.variation === 'long' || c.variation === 'persp') await longPicture(browser, c, dir, rand, tmp);
  else if (c.variation === 'split') await splitPicture(browser, c, dir, rand, tmp);
  else if (c.variation === 'scan') await scan(browser, c, dir, rand, tmp);
  else await tablePictures(browser, c, dir, rand);
}

async function main(): Promise<void> {
  const arg = (k: string) => {
    const i = process.argv.indexOf(k);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const out = path.resolve(ROOT, arg('--out') ?? '.cache/ocr-matrix');
  const seeds = (arg('--seeds') ?? '1,2,3').split(',').map(Number);
  const only = arg('--only')?.split(',');
  const todo = cells(seeds).filter((c) => !only || only.includes(c.id));
  mkdirSync(out, { recursive: true });
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'nianbao-ocr-matrix-'));
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  try {
    for (const c of todo) {
      await makeCell(browser, c, out, tmp);
      const size = readdirSync(path.join(out, c.id)).reduce((a, f) => a + readFileSync(path.join(out, c.id, f)).length, 0);
      console.log(`${c.id.padEnd(22)} ${c.sample.padEnd(32)} ${(size / 1024).toFixed(0).padStart(6)} KiB`);
    }
  } finally {
    await browser.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) await main();
