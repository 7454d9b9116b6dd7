/**
 * PDF bytes → ExtractedDoc: the tables rebuilt from the text layer (positioned text items and ruling
 * lines) as grids of cells with page + bbox provenance, the page text in reading order, headings and
 * problems. Never throws: an encrypted or corrupt PDF is a document with a problem code and no grids.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Cell, ExtractedDoc, Grid, Problem } from './types.js';
import { cluster, nearest, scanOps, type FontInfo, type ImagePlacement, type Matrix, type OpCodes, type Rulings } from './pdf-geometry.js';
import type { RgbImage } from './ocr/pixels.js';
import { settleSpans } from './ocr/spans.js';
import { LIMITS, LIMIT_CODE, LimitError, check, checkPdfOps, limitProblem } from './limits.js';
import { assignGlyphs, latticeParts, textParts, type BBox, type Part } from './pdf-tables.js';
import { fixRadicals, isPageNumber, joinLines, lineText, textYield, toLines, type Glyph, type Line, type Yield } from './pdf-text.js';

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');

const require = createRequire(import.meta.url);
const PDFJS_DIR = path.dirname(require.resolve('pdfjs-dist/package.json'));
// pdfjs in Node reads these with fs: plain directory paths ending in a separator.
const CMAP_URL = path.join(PDFJS_DIR, 'cmaps') + path.sep;
const STANDARD_FONT_URL = path.join(PDFJS_DIR, 'standard_fonts') + path.sep;

let loading: Promise<PdfJs> | undefined;

/** Load pdfjs once, with its worker code in this thread (no worker thread in Node). */
function pdfjs(): Promise<PdfJs> {
  loading ??= (async () => {
    const worker = await import(pathToFileURL(path.join(PDFJS_DIR, 'legacy/build/pdf.worker.mjs')).href);
    // pdfjs's "fake worker" picks this up instead of spawning a worker thread.
    (globalThis as Record<string, unknown>).pdfjsWorker = worker;
    const lib = (await import('pdfjs-dist/legacy/build/pdf.mjs')) as PdfJs;
    lib.GlobalWorkerOptions.workerSrc = pathToFileURL(path.join(PDFJS_DIR, 'legacy/build/pdf.worker.mjs')).href;
    return lib;
  })();
  return loading;
}

/** A document for pdfjs's FontLoader that takes @font-face rules and drops them. */
const NULL_DOCUMENT = {
  fonts: undefined,
  createElement: () => ({ sheet: { cssRules: [] as unknown[], insertRule: () => 0 }, remove: () => undefined }),
  documentElement: { getElementsByTagName: () => [{ append: () => undefined }] },
} as unknown as HTMLDocument;

/** Everything kept from one page. */
export interface PageData {
  page: number;
  height: number;
  /** Lines outside every table, top to bottom. */
  lines: Line[];
  parts: Part[];
  text: string;
}

interface Block {
  top: number;
  bottom: number;
  line?: Line;
  part?: Part;
  ignorable: boolean;
}

export async function extractPdf(bytes: Uint8Array): Promise<ExtractedDoc> {
  const fail = (code: string, message: string): ExtractedDoc => ({ kind: 'pdf', headings: [], text: '', grids: [], problems: [{ code, message }] });
  if (!bytes || bytes.length < 8) return fail('pdf_corrupt', 'The PDF is empty or truncated (fewer than 8 bytes).');
  const head = Buffer.from(bytes.subarray(0, Math.min(bytes.length, 1024))).toString('latin1');
  if (!head.includes('%PDF-')) return fail('pdf_corrupt', 'Not a PDF: no %PDF- header in the first 1024 bytes.');

  try {
    // the operators of the content streams, counted before pdfjs builds its lists (the budget: extractors/limits.ts)
    checkPdfOps(bytes);
  } catch (e) {
    if (e instanceof LimitError) return { kind: 'pdf', headings: [], text: '', grids: [], problems: [limitProblem(e)] };
    throw e;
  }
  let lib: PdfJs;
  try {
    lib = await pdfjs();
  } catch (e) {
    return fail('pdf_corrupt', `The PDF library could not be loaded: ${errMsg(e)}`);
  }
  const task = lib.getDocument({
    // pdfjs takes ownership of (detaches) the buffer it is given: hand it a copy.
    data: new Uint8Array(bytes),
    cMapUrl: CMAP_URL,
    cMapPacked: true,
    standardFontDataUrl: STANDARD_FONT_URL,
    isEvalSupported: false,
    useSystemFonts: false,
    // Glyph outlines are what cost most of the time: pdfjs builds them for every glyph shown when
    // font faces are disabled (its Node default) or when loading a font face fails. We need positions
    // only, so font faces stay enabled and are "loaded" into a stand-in document that accepts and
    // ignores them (no globals touched): no outlines are built.
    disableFontFace: false,
    ownerDocument: NULL_DOCUMENT,
    fontExtraProperties: false,
    stopAtErrors: false,
    verbosity: 0,
    // a picture bigger than this is not decoded (the budget: extractors/limits.ts)
    maxImageSize: LIMITS.pdfImagePixels,
  });
  let doc: Awaited<typeof task.promise>;
  try {
    doc = await task.promise;
  } catch (e) {
    await task.destroy().catch(() => undefined);
    if ((e as { name?: string })?.name === 'PasswordException') {
      return fail('pdf_encrypted', 'The PDF is encrypted with a password; its text cannot be read.');
    }
    return fail('pdf_corrupt', `The PDF is corrupt or truncated and could not be opened: ${errMsg(e)}`);
  }

  const problems: Problem[] = [];
  const pages: PageData[] = [];
  let title: string | undefined;
  let imagesSeen = 0;
  let charsSeen = 0;
  let pageErrors = 0;
  /** Drawing operators read so far (the budget: extractors/limits.ts). */
  let opsSeen = 0;
  let overBudget: LimitError | undefined;
  const yields: [number, Yield][] = [];
  const scannedPages: number[] = [];
  const scans = new Map<number, ScanImage>();
  const numPages = doc.numPages;
  try {
    try {
      const meta = await doc.getMetadata();
      title = cleanTitle((meta.info as Record<string, unknown> | undefined)?.Title);
    } catch {
      /* metadata is optional */
    }
    const OPS = lib.OPS as unknown as OpCodes;
    for (let p = 1; p <= doc.numPages; p++) {
      let page: Awaited<ReturnType<typeof doc.getPage>> | undefined;
      try {
        page = await doc.getPage(p);
        const data = await readPage(page, p, OPS, opsSeen);
        opsSeen += data.ops;
        imagesSeen += data.images;
        charsSeen += data.yield.chars;
        const y = data.yield;
        yields.push([p, y]);
        if (y.chars === 0 && data.images > 0) scannedPages.push(p);
        if (data.scanImage) scans.set(p, data.scanImage);
        if (y.chars >= 20) {
          const bad = y.replacement + y.pua + y.cid * 4;
          if (bad / y.chars > 0.1) {
            problems.push({ code: 'pdf_garbled_text', message: `Page ${p} came out garbled: ${y.replacement} replacement characters, ${y.pua} private-use characters, ${y.cid} (cid:) runs in ${y.chars} characters.`, where: `page ${p}` });
          }
        }
        pages.push(data.page);
      } catch (e) {
        if (e instanceof LimitError) {
          // a page over its budget is not read; the document over its budget stops here
          pageErrors++;
          problems.push({ code: 'page_over_limit', message: e.message, where: `page ${p}` });
          if (e.limit === 'pdfOps') {
            overBudget = e;
            break;
          }
          continue;
        }
        pageErrors++;
        problems.push({ code: 'pdf_page_error', message: `Page ${p} could not be read: ${errMsg(e)}`, where: `page ${p}` });
      } finally {
        try {
          page?.cleanup();
        } catch {
          /* ignore */
        }
      }
    }
  } finally {
    await task.destroy().catch(() => undefined);
  }
  // a page of Latin letters in a document that is otherwise Chinese: a font without a usable ToUnicode map
  const docChars = yields.reduce((a, [, y]) => a + y.chars, 0);
  const docCjk = yields.reduce((a, [, y]) => a + y.cjk, 0);
  if (docChars > 0 && docCjk / docChars >= 0.3) {
    for (const [p, y] of yields) {
      if (y.chars >= 50 && y.cjk / y.chars < 0.05 && y.latin / y.chars > 0.6 && !problems.some((q) => q.code === 'pdf_garbled_text' && q.where === `page ${p}`)) {
        problems.push({ code: 'pdf_garbled_text', message: `Page ${p} has almost no Chinese characters (${y.cjk} of ${y.chars}) in a Chinese document: its fonts probably lack a usable ToUnicode map.`, where: `page ${p}` });
      }
    }
  }

  if (overBudget) {
    // the document over its budget: what was read is not a whole report
    return { kind: 'pdf', title, headings: [], text: '', grids: [], problems: [limitProblem(overBudget), ...problems.filter((q) => q.code !== 'page_over_limit')], pages: numPages };
  }
  const overPages = problems.filter((q) => q.code === 'page_over_limit');
  if (pageErrors === numPages && numPages > 0 && overPages.length) {
    return { kind: 'pdf', title, headings: [], text: '', grids: [], problems: [{ code: LIMIT_CODE, message: overPages[0].message, where: overPages[0].where }, ...problems.filter((q) => q !== overPages[0])], pages: numPages };
  }
  if (pageErrors === numPages && numPages > 0) {
    problems.unshift({ code: 'pdf_corrupt', message: `None of the ${numPages} pages could be read.` });
    return { kind: 'pdf', title, headings: [], text: '', grids: [], problems, pages: numPages };
  }
  // scanned pages: their pictures read by OCR into the same rulings and glyphs a text layer gives
  const ocrPages = new Map<number, (b: BBox) => BBox>();
  const coarse: number[] = [];
  for (const [p, sc] of scans) {
    // below 75 dpi a character is a few pixels: OCR would guess, so the page is left unread
    if (scanDpi(sc) < MIN_OCR_DPI) {
      coarse.push(Math.round(scanDpi(sc)));
      continue;
    }
    try {
      const lay = await ocrScan(sc, p);
      const at = pages.findIndex((pg) => pg.page === p);
      const data = pageData(p, lay.height, lay.rulings, lay.glyphs);
      if (at >= 0) pages[at] = data;
      else pages.push(data);
      ocrPages.set(p, lay.toSource);
    } catch (e) {
      problems.push({ code: 'ocr_failed', message: `Page ${p} is a scan and could not be read by OCR: ${errMsg(e)}`, where: `page ${p}` });
    }
  }
  pages.sort((a, b) => a.page - b.page);
  if (charsSeen === 0 && ocrPages.size === 0) {
    problems.push({
      code: 'pdf_no_text_layer',
      message: imagesSeen > 0
        ? coarse.length
          ? `The PDF has no text layer (${numPages} page(s) of images: a scan) and its pictures are too coarse for OCR (${Math.min(...coarse)} dpi; ${MIN_OCR_DPI} or more is needed).`
          : `The PDF has no text layer (${numPages} page(s) of images: a scan), and OCR found nothing to read on them.`
        : `The PDF has no text on any of its ${numPages} page(s).`,
    });
    return { kind: 'pdf', title, headings: [], text: '', grids: [], problems, pages: numPages };
  }

  // a document with text, some of whose pages are images only (scanned pages bound in)
  for (const p of scannedPages) {
    if (ocrPages.has(p)) continue;
    problems.push({ code: 'pdf_page_no_text', message: `Page ${p} is an image with no text layer (a scanned page); anything on it is not read.`, where: `page ${p}` });
  }
  const { grids, text, headings } = assemble(pages);
  if (ocrPages.size) {
    // boxes on OCR'd pages: from the deskewed picture back to the page, in PDF points
    for (const g of grids) {
      if (g.where.page !== undefined && ocrPages.has(g.where.page)) settleSpans(g);
      for (const row of g.rows) for (const c of row) mapBox(c.where, ocrPages);
      mapBox(g.where, ocrPages);
    }
    return { kind: 'pdf', title, headings, text, grids, problems, pages: numPages, ocr: true };
  }
  return { kind: 'pdf', title, headings, text, grids, problems, pages: numPages };
}

function mapBox(w: { page?: number; bbox?: BBox }, maps: Map<number, (b: BBox) => BBox>): void {
  const f = w.page !== undefined ? maps.get(w.page) : undefined;
  if (f && w.bbox) w.bbox = f(w.bbox);
}

/** The lowest resolution OCR reads (dots per inch of the page's picture). */
const MIN_OCR_DPI = 75;

function scanDpi(sc: ScanImage): number {
  return (sc.img.width / Math.max(1e-6, Math.hypot(sc.m[0], sc.m[1]))) * 72;
}

/** OCR one scanned page: its picture's pixels → page points through the placement of the picture. */
async function ocrScan(sc: ScanImage, p: number) {
  const { img, m } = sc;
  const W = img.width, H = img.height;
  // the picture's row 0 is the top of the unit square it fills (v = 1)
  const toSourcePx = (x: number, y: number): [number, number] => {
    const u = x / W, v = 1 - y / H;
    return [m[0] * u + m[2] * v + m[4], m[1] * u + m[3] * v + m[5]];
  };
  const { layoutFromImage } = await import('./ocr/layout.js');
  return layoutFromImage(img, { dpi: scanDpi(sc), page: p, toSourcePx });
}

function errMsg(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function cleanTitle(t: unknown): string | undefined {
  if (typeof t !== 'string') return undefined;
  const s = fixRadicals(t).replace(/^Microsoft Word\s*-\s*/i, '').replace(/\.(docx?|wps|pdf|xlsx?|html?|txt)$/i, '').replace(/\s+/g, ' ').trim();
  if (/\uFFFD/.test(s)) return undefined;
  if (!s || /^(untitled|无标题|document\d*|新建.*文档.*)$/i.test(s)) return undefined;
  // a Chinese report's title has Chinese in it; anything else is a file name or a producer's default
  if (!/[\u4e00-\u9fff]/.test(s)) return undefined;
  return s;
}

type PdfPage = Awaited<ReturnType<Awaited<ReturnType<PdfJs['getDocument']>['promise']>['getPage']>>;

async function readPage(page: PdfPage, p: number, OPS: OpCodes, opsBefore = 0) {
  const vp = page.getViewport({ scale: 1 });
  const vt = vp.transform as Matrix;
  // One pass over the operator list gives the ruling lines and every glyph with its exact position
  // (the text state replayed as pdfjs's canvas does). pdfjs's getTextContent() would parse the page
  // a second time and drops characters of vertical runs laid out one Td per character (WPS).
  const ol = await page.getOperatorList();
  // operators as drawn: pdfjs folds runs of path operators into one constructPath, whose path holds them
  let ops = ol.fnArray.length;
  for (let i = 0; i < ol.fnArray.length; i++) {
    if (ol.fnArray[i] === OPS.constructPath) {
      const buf = (ol.argsArray[i] as [number, [ArrayLike<number> | null]] | null)?.[1]?.[0];
      if (buf) ops += Math.floor(buf.length / 3);
    }
  }
  check('pdfOpsPerPage', ops, `page ${p}'s drawing operator count`);
  check('pdfOps', opsBefore + ops, `the drawing operators of pages 1 to ${p}`);
  const commonObjs = (page as unknown as { commonObjs: { has(id: string): boolean; get(id: string): unknown } }).commonObjs;
  const fontInfo = (name: string): FontInfo => {
    const f = commonObjs.has(name) ? (commonObjs.get(name) as { vertical?: boolean; fontMatrix?: number[] } | string | null) : null;
    if (!f || typeof f !== 'object') return { vertical: false, fontMatrix: [0.001, 0, 0, 0.001, 0, 0] };
    return { vertical: !!f.vertical, fontMatrix: f.fontMatrix ?? [0.001, 0, 0, 0.001, 0, 0] };
  };
  const scan = scanOps(ol.fnArray, ol.argsArray, vt, OPS, fontInfo);
  const { rulings, images } = scan;
  const glyphs: Glyph[] = [];
  let raw = '';
  for (const g of scan.glyphs) {
    const ch = fixRadicals(g.ch);
    raw += ch;
    glyphs.push(ch === g.ch ? g : { ...g, ch });
  }
  const y = textYield(raw);
  // a page of images and no text: a scan, kept for OCR with its biggest picture
  let scanImage: ScanImage | undefined;
  if (y.chars === 0 && scan.placed.length) scanImage = await pageImage(page, scan.placed, vp.width, vp.height);
  return { page: pageData(p, vp.height, rulings, glyphs), images, yield: y, scanImage, ops };
}

/** A scanned page's picture: decoded pixels and where they are on the page. */
interface ScanImage {
  img: RgbImage;
  m: Matrix;
  pageWidth: number;
  pageHeight: number;
}

/** The biggest image painted on a page, decoded by pdfjs at its own resolution. */
async function pageImage(page: PdfPage, placed: ImagePlacement[], pw: number, ph: number): Promise<ScanImage | undefined> {
  const area = (m: Matrix) => Math.abs(m[0] * m[3] - m[1] * m[2]);
  const best = [...placed].sort((a, b) => area(b.m) - area(a.m))[0];
  // a picture smaller than a quarter of the page is a logo or a seal, not the page
  if (!best || area(best.m) < (pw * ph) / 4) return undefined;
  const objs = (page as unknown as { objs: { get(id: string, cb: (v: unknown) => void): void } }).objs;
  const obj = await new Promise<unknown>((resolve) => {
    const t = setTimeout(() => resolve(undefined), 10_000);
    try {
      objs.get(best.id, (v) => (clearTimeout(t), resolve(v)));
    } catch {
      clearTimeout(t);
      resolve(undefined);
    }
  });
  const o = obj as { width?: number; height?: number; data?: Uint8Array | Uint8ClampedArray; kind?: number } | undefined;
  if (!o?.width || !o.height || !o.data) return undefined;
  const n = o.width * o.height;
  let img: RgbImage;
  if (o.kind === 1) {
    // 1 bit per pixel, rows padded to bytes, 1 = white (pdfjs's GRAYSCALE_1BPP)
    const stride = Math.ceil(o.width / 8);
    const d = new Uint8Array(n);
    for (let yy = 0; yy < o.height; yy++) for (let x = 0; x < o.width; x++) d[yy * o.width + x] = (o.data[yy * stride + (x >> 3)] >> (7 - (x & 7))) & 1 ? 255 : 0;
    img = { data: d, width: o.width, height: o.height, channels: 1 };
  } else {
    const channels = o.data.length >= n * 4 ? 4 : 3;
    // a copy: the page's objects are released when the document is closed
    img = { data: Uint8Array.from(o.data.subarray(0, n * channels)), width: o.width, height: o.height, channels };
  }
  return { img, m: best.m, pageWidth: pw, pageHeight: ph };
}

/**
 * One page's tables and free lines from its ruling lines and glyphs: the text layer's, or what OCR
 * found in a scanned page's pixels (extractors/ocr/layout.ts). The one table reader for both.
 */
export function pageData(p: number, height: number, rulings: Rulings, glyphs: Glyph[]): PageData {
  const parts = latticeParts(rulings, p);
  const free = assignGlyphs(parts, glyphs);
  // page numbers are dropped before looking for tables without rulings (`- 2 -` reads like a row of numbers)
  let lines = toLines(free).filter((l) => !ignorable(l, height));
  const tp = textParts(lines, p);
  if (tp.parts.length) {
    lines = lines.filter((l) => !tp.used.has(l));
    parts.push(...tp.parts);
    parts.sort((a, b) => a.bbox[1] - b.bbox[1]);
  }
  return { page: p, height, lines, parts, text: '' };
}

/** Lines in the page margins that are page numbers or short running headers/footers. */
function ignorable(l: Line, height: number): boolean {
  const t = lineText(l.glyphs, 'prose').replace(/\s+/g, '');
  if (!isPageNumber(t)) return false;
  // `-3-`, `— 4 —` are page numbers wherever they stand; a bare `3` or `第3页` only in the margins
  if (/^[-—–－―]+\d{1,4}[-—–－―]+$/.test(t)) return true;
  return l.top > height * 0.8 || l.bottom < height * 0.12;
}

function blocksOf(pg: PageData): Block[] {
  const blocks: Block[] = [];
  for (const l of pg.lines) blocks.push({ top: l.top, bottom: l.bottom, line: l, ignorable: ignorable(l, pg.height) });
  for (const part of pg.parts) blocks.push({ top: part.bbox[1], bottom: part.bbox[3], part, ignorable: false });
  blocks.sort((a, b) => a.top - b.top);
  return blocks;
}

/** A short line in the top or bottom margin of its page: a running header or footer. */
function isRunningLine(d: { page: PageData; block: Block }): boolean {
  const l = d.block.line;
  if (!l) return false;
  const h = d.page.height;
  return (l.top > h * 0.92 || l.bottom < h * 0.08) && lineText(l.glyphs, 'prose').trim().length <= 30;
}

/** Can `b` (first block on its page) continue `a` (last block on the previous page)? */
function continues(a: Part, b: Part): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'lattice') return Math.abs(a.bbox[0] - b.bbox[0]) <= 3 && Math.abs(a.bbox[2] - b.bbox[2]) <= 3;
  if (a.nc !== b.nc) return false;
  for (let i = 1; i < a.nc; i++) if (Math.abs(a.xs[i] - b.xs[i]) > 12) return false;
  return true;
}

export function assemble(pages: PageData[]): { grids: Grid[]; text: string; headings: string[] } {
  // document order of blocks, dropping page numbers
  const docBlocks: { page: PageData; block: Block }[] = [];
  for (const pg of pages) for (const b of blocksOf(pg)) if (!b.ignorable) docBlocks.push({ page: pg, block: b });

  // tables: runs of parts, merged across a page break when nothing but page furniture lies between
  const tables: { parts: Part[]; caption?: string; firstBlock: number }[] = [];
  for (let i = 0; i < docBlocks.length; i++) {
    const { block } = docBlocks[i];
    if (!block.part) continue;
    const prev = i > 0 ? docBlocks[i - 1] : undefined;
    const last = tables[tables.length - 1];
    // the block before, looking past running headers and footers (short lines in the page margins)
    // when they stand at a page break
    let k = i - 1;
    while (k >= 0 && isRunningLine(docBlocks[k])) k--;
    const before = k >= 0 ? docBlocks[k] : undefined;
    if (before?.block.part && last && last.parts[last.parts.length - 1] === before.block.part && before.page.page + 1 === block.part.page && continues(before.block.part, block.part)) {
      last.parts.push(block.part);
      continue;
    }
    let caption: string | undefined;
    if (prev?.block.line) {
      const gap = prev.page === docBlocks[i].page ? block.top - prev.block.bottom : 0;
      const t = lineText(prev.block.line.glyphs, 'prose').trim();
      if (gap < 60 && t.length <= 40 && !/[。；]$/.test(t)) caption = t.replace(/\s+/g, ' ');
    }
    tables.push({ parts: [block.part], caption, firstBlock: i });
  }

  const grids: Grid[] = [];
  const rowTexts = new Map<Part, string[]>();
  tables.forEach((t, ti) => {
    const index = ti + 1;
    const { grid, ranges } = buildGrid(t.parts, index, t.caption);
    grids.push(grid);
    for (const part of t.parts) {
      const texts: string[] = [];
      const [from, to] = ranges.get(part) ?? [0, 0];
      for (let r = from; r < to; r++) {
        const cells = grid.rows[r] ?? [];
        const tx = cells.map((c) => (c.spanned ? '' : c.text));
        while (tx.length && !tx[tx.length - 1]) tx.pop();
        if (tx.length) texts.push(tx.join('\t'));
      }
      rowTexts.set(part, texts);
    }
  });

  const out: string[] = [];
  for (const { block } of docBlocks) {
    if (block.line) {
      const t = lineText(block.line.glyphs, 'prose').replace(/\s+/g, ' ').trim();
      if (t) out.push(t);
    } else if (block.part) out.push(...(rowTexts.get(block.part) ?? []));
  }

  const headings: string[] = [];
  for (const { page, block } of docBlocks) {
    if (page.page !== 1 || !block.line || headings.length >= 4) break;
    const t = lineText(block.line.glyphs, 'prose').replace(/\s+/g, ' ').trim();
    if (!t) continue;
    if (t.length > 40 || /^本报告/.test(t) || /^[一二三四五六七八九十]+、/.test(t) || /[。；，]$/.test(t)) break;
    headings.push(t);
  }
  return { grids, text: out.join('\n'), headings };
}

const round = (v: number) => Math.round(v * 100) / 100;
const rbox = (b: BBox): BBox => [round(b[0]), round(b[1]), round(b[2]), round(b[3])];

const NUM = /^[+\-−]?\d[\d,，]*(\.\d+)?%?$/;

/**
 * A row cut in two by a page break: the first row of the next page holds only the rest of the
 * labels (no figures where the row before has them). Append its texts to the row before and drop it.
 * Returns the index of the first row of the part after the change.
 */
function joinSplitRow(rows: Cell[][], base: number): number {
  const prev = rows[base - 1];
  // skip a header repeated at the top of the page
  const key = (row: Cell[] | undefined) => (row ?? []).map((c) => c.text).join('\t');
  let h = 0;
  while (base + h < rows.length && h < base - 1 && key(rows[base + h]) === key(rows[h])) h++;
  const at = base + h;
  const cont = rows[at];
  if (!prev || !cont) return base;
  const numericCols = prev.map((c, i) => (!c.spanned && NUM.test(c.text.replace(/\s+/g, '')) ? i : -1)).filter((i) => i >= 0);
  if (numericCols.length < 2) return base;
  if (numericCols.some((i) => cont[i]?.text)) return base;
  const origins = cont.filter((c) => !c.spanned && c.text);
  if (!origins.length || origins.some((c) => NUM.test(c.text))) return base;
  for (const c of origins) {
    const col = c.where.col!;
    const target = prev[col];
    if (!target) continue;
    const joined = joinLines([target.text, c.text]);
    // every copy of the merged cell gets the joined text
    for (const cell of prev) if (cell.text === target.text && bboxEq(cell.where.bbox, target.where.bbox)) cell.text = joined;
  }
  rows.splice(at, 1);
  return base;
}

const LIST_MARK = /^\s*(?:[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+[、.．]|\d+[、.．])/;

/**
 * A group label (a cell merged down several rows, left of the row labels) cut by a page break:
 * `（四）无` at the bottom of one page, `法提供` at the top of the next. When the cell at the top
 * of the new page does not start a new item (no list mark such as （五）, 四、, 2.), the two pieces
 * are one label: both get the joined text.
 */
function joinSplitGroupLabel(rows: Cell[][], base: number): void {
  const prev = rows[base - 1];
  if (!prev) return;
  const key = (row: Cell[] | undefined) => (row ?? []).map((c) => c.text).join('\t');
  let h = 0;
  while (base + h < rows.length && h < base - 1 && key(rows[base + h]) === key(rows[h])) h++;
  const at = base + h;
  const cont = rows[at];
  if (!cont) return;
  const firstNum = prev.findIndex((c) => NUM.test(c.text.replace(/\s+/g, '')));
  if (firstNum < 2) return;
  // label columns with another label column to their right: group labels
  for (let c = 0; c < firstNum - 1; c++) {
    const a = prev[c]?.text, b = cont[c]?.text;
    if (!a || !b || a === b || LIST_MARK.test(b) || !prev[c + 1]?.text || !cont[c + 1]?.text) continue;
    if (prev[c + 1].text === a || cont[c + 1].text === b) continue; // a label spanning the columns, not a group
    const joined = a + b;
    for (let r = base - 1; r >= 0 && rows[r][c]?.text === a; r--) for (const cell of rows[r]) if (cell.text === a) cell.text = joined;
    for (let r = at; r < rows.length && rows[r][c]?.text === b; r++) for (const cell of rows[r]) if (cell.text === b) cell.text = joined;
  }
}

/**
 * An OCR'd cell: its confidence (the least sure character) and its likely other readings, each with
 * one character read as its runner-up (digits only: a figure misread is a digit misread).
 */
function ocrMarks(cell: Cell, glyphs: Glyph[]): void {
  const gs = [...glyphs].filter((g) => !g.space).sort((a, b) => a.top - b.top || a.x0 - b.x0);
  cell.confidence = Math.round(Math.min(1, ...gs.map((g) => g.conf ?? 1)) * 1000) / 1000;
  const text = cell.text;
  const alts: { t: string; p: number }[] = [];
  for (const g of gs) {
    if (!/[0-9]/.test(g.ch)) continue;
    const i = text.indexOf(g.ch, 0);
    if (i < 0) continue;
    for (const a of g.alts ?? []) {
      if (!/^[0-9]$/.test(a.ch)) continue;
      // the character's place in the cell text: the glyphs run in reading order like the text
      const pos = gs.filter((q) => !q.space).indexOf(g);
      const chars = [...text.replace(/\s+/g, '')];
      if (chars[pos] !== g.ch) continue;
      chars[pos] = a.ch;
      alts.push({ t: chars.join(''), p: a.p });
    }
  }
  if (alts.length) cell.alternatives = alts.sort((a, b) => b.p - a.p).slice(0, 6).map((a) => a.t);
}

function bboxEq(a?: BBox, b?: BBox): boolean {
  return !!a && !!b && a.every((v, i) => v === b[i]);
}

/** Turn the parts of one table into a Grid: union of column boundaries, rows stacked in page order. */
function buildGrid(parts: Part[], index: number, caption: string | undefined): { grid: Grid; ranges: Map<Part, [number, number]> } {
  const ranges = new Map<Part, [number, number]>();
  let xsU: number[];
  if (parts.length === 1 || parts[0].kind === 'text') xsU = parts[0].xs;
  else xsU = cluster(parts.flatMap((p) => p.xs), 3);
  const nc = xsU.length - 1;
  const rows: Cell[][] = [];
  for (const [pi, part] of parts.entries()) {
    const colMap = part.kind === 'text' || parts.length === 1 ? part.xs.map((_, i) => i) : part.xs.map((x) => nearest(xsU, x));
    let base = rows.length;
    for (let r = 0; r < part.nr; r++) rows.push(new Array<Cell>(nc));
    for (const reg of part.regions) {
      const c0 = colMap[reg.c0], c1 = Math.max(colMap[reg.c1], c0 + 1);
      for (let r = reg.r0; r < reg.r1; r++) {
        for (let c = c0; c < c1 && c < nc; c++) {
          const origin = r === reg.r0 && c === c0;
          const cell: Cell = { text: reg.text, where: { table: index, row: base + r, col: c, page: part.page, bbox: rbox(reg.bbox) } };
          if (!origin) cell.spanned = true;
          if (reg.glyphs.some((g) => g.conf !== undefined)) ocrMarks(cell, reg.glyphs);
          rows[base + r][c] = cell;
        }
      }
    }
    for (let r = 0; r < part.nr; r++) {
      const row = rows[base + r];
      for (let c = 0; c < nc; c++) {
        row[c] ??= { text: '', where: { table: index, row: base + r, col: c, page: part.page, bbox: rbox([xsU[c], part.ys[r], xsU[c + 1], part.ys[r + 1]]) } };
      }
    }
    if (pi > 0 && base > 0) {
      base = joinSplitRow(rows, base);
      joinSplitGroupLabel(rows, base);
    }
    ranges.set(part, [base, rows.length]);
  }
  rows.forEach((row, r) => row.forEach((c) => (c.where.row = r)));
  const first = parts[0];
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const p of parts.filter((q) => q.page === first.page)) {
    x0 = Math.min(x0, p.bbox[0]);
    y0 = Math.min(y0, p.bbox[1]);
    x1 = Math.max(x1, p.bbox[2]);
    y1 = Math.max(y1, p.bbox[3]);
  }
  const grid: Grid = { index, rows, aligned: true, where: { table: index, page: first.page, bbox: rbox([x0, y0, x1, y1]) } };
  if (caption) grid.caption = caption;
  return { grid, ranges };
}
