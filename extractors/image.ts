/**
 * Image bytes (a scanned or photographed report, a long screenshot of one, a table picture) →
 * ExtractedDoc, by OCR: every frame (a multi-page TIFF's pages) becomes a page of rulings and glyphs
 * (extractors/ocr/layout.ts) read by the PDF table reader (pdf.ts pageData/assemble). Boxes are in
 * the image's pixels, `page` is the frame (1-based). Never throws.
 */
import { assemble, pageData, type PageData } from './pdf.js';
import type { BBox } from './pdf-tables.js';
import type { ExtractedDoc, Grid, Problem, Where } from './types.js';
import { ImageDecodeError, decodeImageFile, type RgbImage } from './ocr/pixels.js';
import { LIMITS, LimitError, checkImage, limitProblem } from './limits.js';
import { settleSpans } from './ocr/spans.js';

/** Frames and pages of images, read by OCR into grids (boxes in each image's own pixels). */
export async function ocrImages(images: { img: RgbImage; dpi?: number }[], where: (i: number) => Partial<Where>): Promise<{ grids: Grid[]; text: string; headings: string[]; problems: Problem[]; lines: number }> {
  const { layoutFromImage } = await import('./ocr/layout.js');
  const pages: PageData[] = [];
  const maps = new Map<number, (b: BBox) => BBox>();
  const problems: Problem[] = [];
  let lines = 0;
  for (const [i, { img, dpi }] of images.entries()) {
    try {
      const lay = await layoutFromImage(img, { dpi, page: i + 1 });
      lines += lay.lines;
      pages.push(pageData(i + 1, lay.height, lay.rulings, lay.glyphs));
      maps.set(i + 1, lay.toSource);
    } catch (e) {
      problems.push({ code: 'ocr_failed', message: `image ${i + 1} could not be read by OCR: ${e instanceof Error ? e.message : String(e)}` });
    }
  }
  const { grids, text, headings } = assemble(pages);
  for (const g of grids) settleSpans(g);
  const fix = (w: Where) => {
    const p = w.page ?? 1;
    const f = maps.get(p);
    if (f && w.bbox) w.bbox = f(w.bbox);
    Object.assign(w, where(p - 1));
    if (w.page === undefined) delete w.page;
  };
  for (const g of grids) {
    for (const row of g.rows) for (const c of row) fix(c.where);
    fix(g.where);
  }
  return { grids, text, headings, problems, lines };
}

export async function extractImage(bytes: Uint8Array): Promise<ExtractedDoc> {
  let frames: RgbImage[];
  let density: number | undefined;
  const limitProblems: Problem[] = [];
  try {
    // the declared sizes, before anything is decoded (the budget: extractors/limits.ts)
    const declared = checkImage(bytes);
    if (declared.frames > LIMITS.imageFrames) {
      limitProblems.push({ code: 'image_frames_skipped', message: `the image has ${declared.frames} frames; the first ${LIMITS.imageFrames} are read (limit imageFrames = ${LIMITS.imageFrames})` });
    }
  } catch (e) {
    if (e instanceof LimitError) return { kind: 'image', headings: [], text: '', grids: [], problems: [limitProblem(e)] };
    throw e;
  }
  try {
    ({ frames, density } = await decodeImageFile(bytes));
  } catch (e) {
    const message = e instanceof ImageDecodeError ? e.message : `the image could not be decoded: ${e instanceof Error ? e.message : String(e)}`;
    return { kind: 'image', headings: [], text: '', grids: [], problems: [{ code: 'image_corrupt', message }] };
  }
  const r = await ocrImages(frames.map((img) => ({ img, dpi: density })), () => ({}));
  const problems = [...limitProblems, ...r.problems];
  if (r.lines === 0) problems.push({ code: 'ocr_no_text', message: `OCR found no text in the image (${frames.length} frame(s))` });
  return { kind: 'image', headings: r.headings, text: r.text, grids: r.grids, problems, pages: frames.length, ocr: true };
}

/** The `src` of every `<img>` of a page, in document order, once each. */
export function imageSources(html: string): string[] {
  const out: string[] = [];
  const re = /<img\b[^>]*?\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi;
  for (let m; (m = re.exec(html)); ) {
    const src = (m[1] ?? m[2] ?? m[3] ?? '').trim().replace(/&amp;/g, '&');
    if (src && !/^data:/i.test(src) && !out.includes(src)) out.push(src);
  }
  return out;
}

/** A picture too small to hold a table (a logo, an icon, a spacer). */
const MIN_TABLE_IMAGE = { width: 200, height: 60 };

/**
 * A report page whose tables are pictures: each `<img>` whose bytes are at hand is read by OCR and
 * its tables join the page's own grids (after them, in the order of the images); the page's prose
 * stays what the HTML says. Boxes are in each image's pixels, `where.image` names it.
 */
export async function addImageTables(doc: ExtractedDoc, images: { src: string; bytes: Uint8Array }[]): Promise<ExtractedDoc> {
  const decoded: { src: string; img: RgbImage; dpi?: number }[] = [];
  const problems: Problem[] = [];
  let pixels = 0;
  for (const { src, bytes } of images) {
    try {
      // the declared size of the first frame, before it is decoded, within the page's budget
      pixels += checkImage(bytes, `the page's image ${src}`, 1, pixels).pixels;
    } catch (e) {
      if (!(e instanceof LimitError)) throw e;
      problems.push({ ...limitProblem(e), where: src });
      continue;
    }
    try {
      const { frames, density } = await decodeImageFile(bytes, 1);
      const img = frames[0];
      if (img && img.width >= MIN_TABLE_IMAGE.width && img.height >= MIN_TABLE_IMAGE.height) decoded.push({ src, img, dpi: density });
    } catch (e) {
      problems.push({ code: 'image_corrupt', message: `the page's image ${src} could not be decoded: ${e instanceof Error ? e.message : String(e)}`, where: src });
    }
  }
  if (!decoded.length) return problems.length ? { ...doc, problems: [...doc.problems, ...problems] } : doc;
  const r = await ocrImages(decoded, (i) => ({ image: decoded[i].src, page: undefined }));
  const offset = doc.grids.length;
  for (const g of r.grids) {
    g.index += offset;
    g.where.table = g.index;
    for (const row of g.rows) for (const c of row) c.where.table = g.index;
  }
  const ocr = r.grids.length > 0;
  return {
    ...doc,
    grids: [...doc.grids, ...r.grids],
    text: r.text ? `${doc.text}\n${r.text}` : doc.text,
    problems: [...doc.problems, ...problems, ...r.problems],
    ...(ocr ? { ocr: true } : {}),
  };
}
