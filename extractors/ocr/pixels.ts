/**
 * Pixels for OCR: decoding (sharp for JPEG/PNG/TIFF/GIF/WebP, our own reader for BMP, which sharp does
 * not read), a red seal taken out (red → paper before anything else, so digits under the seal stay),
 * uneven light levelled, binarisation, deskew, ruling lines (long dark runs) and text-line bands.
 */
import sharp from 'sharp';

/** A grey image: 0 = black, 255 = white. */
export interface Grey {
  data: Uint8Array;
  width: number;
  height: number;
}

export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
}

export class ImageDecodeError extends Error {}

/** The largest image we decode (pixels): beyond it the bytes are not a page scan. */
const MAX_PIXELS = 60_000_000;

/** Frames (pages) of an image file, decoded to raw pixels; a multi-page TIFF or GIF gives several. */
export async function decodeImageFile(bytes: Uint8Array, maxFrames = 20): Promise<{ frames: RgbImage[]; density?: number }> {
  if (bytes.length >= 2 && bytes[0] === 0x42 && bytes[1] === 0x4d) return { frames: [decodeBmp(bytes)] };
  let meta: sharp.Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: MAX_PIXELS }).metadata();
  } catch (e) {
    throw new ImageDecodeError(`the image could not be decoded: ${e instanceof Error ? e.message : String(e)}`);
  }
  const pages = Math.min(meta.pages ?? 1, maxFrames);
  const frames: RgbImage[] = [];
  for (let p = 0; p < pages; p++) {
    try {
      const { data, info } = await sharp(bytes, { page: p, limitInputPixels: MAX_PIXELS, failOn: 'truncated' })
        .removeAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      frames.push({ data, width: info.width, height: info.height, channels: info.channels as 1 | 3 });
    } catch (e) {
      throw new ImageDecodeError(`image frame ${p + 1} could not be decoded (truncated or corrupt): ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  // sharp reports density in pixels per inch when the file says so (72 is a common "unknown")
  const density = meta.density && meta.density > 72 && meta.density <= 1200 ? meta.density : undefined;
  return { frames, density };
}

/** A Windows bitmap: 1/4/8-bit palette, 24-bit or 32-bit, uncompressed or BI_BITFIELDS, either row order. */
export function decodeBmp(b: Uint8Array): RgbImage {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (b.length < 54) throw new ImageDecodeError('the BMP is truncated (no header)');
  const off = dv.getUint32(10, true);
  const hdr = dv.getUint32(14, true);
  if (hdr < 40) throw new ImageDecodeError('the BMP has an old OS/2 header, which is not read');
  const w = dv.getInt32(18, true);
  const hRaw = dv.getInt32(22, true);
  const bpp = dv.getUint16(28, true);
  const comp = dv.getUint32(30, true);
  const h = Math.abs(hRaw);
  if (w <= 0 || h === 0 || w * h > MAX_PIXELS) throw new ImageDecodeError(`the BMP has an impossible size ${w}×${h}`);
  if (comp !== 0 && comp !== 3) throw new ImageDecodeError(`the BMP is compressed (method ${comp}), which is not read`);
  if (![1, 4, 8, 24, 32].includes(bpp)) throw new ImageDecodeError(`the BMP has ${bpp} bits per pixel, which is not read`);
  const stride = Math.ceil((w * bpp) / 32) * 4;
  if (off + stride * h > b.length) throw new ImageDecodeError('the BMP is truncated (fewer pixel bytes than its size says)');
  const colours = dv.getUint32(46, true) || (bpp <= 8 ? 1 << bpp : 0);
  const palette = 14 + hdr;
  const out = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    const row = off + (hRaw > 0 ? h - 1 - y : y) * stride;
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * 3;
      if (bpp >= 24) {
        const p = row + x * (bpp / 8);
        out[o] = b[p + 2];
        out[o + 1] = b[p + 1];
        out[o + 2] = b[p];
      } else {
        const bit = x * bpp;
        const byte = b[row + (bit >> 3)];
        const idx = (byte >> (8 - bpp - (bit & 7))) & ((1 << bpp) - 1);
        const p = palette + Math.min(idx, Math.max(0, colours - 1)) * 4;
        out[o] = b[p + 2];
        out[o + 1] = b[p + 1];
        out[o + 2] = b[p];
      }
    }
  }
  return { data: out, width: w, height: h, channels: 3 };
}

/** A grey image and, when the picture has a red seal, how to read under it. */
export interface SealedGrey extends Grey {
  seal?: Seal;
}

export interface Seal {
  /** The seal's zone: its red pixels widened by a few (1 = in it). */
  zone: Uint8Array;
  /** The seal's own red pixels. */
  core: Uint8Array;
  /** The grey image with the luminance in the zone (the seal mid-grey, black ink black). */
  luma: Uint8Array;
}

/** Clearly red and not dark: an official seal's ink (also its JPEG-smeared fringe). */
const isRed = (r: number, g: number, b: number) => r > 100 && r - Math.max(g, b) > 0.25 * r;

/**
 * Colour → grey with the red of an official seal taken out (for ruling lines and the page's
 * shape), and, when there is a seal, what is needed to read the text under it (`fadeSeal`).
 */
export function toGreyNoRed(img: RgbImage): SealedGrey {
  const { width, height, channels } = img;
  const n = width * height;
  const out = new Uint8Array(n);
  const d = img.data;
  if (channels < 3) {
    for (let i = 0, o = 0; o < n; i += channels, o++) out[o] = d[i];
    return { data: out, width, height };
  }
  const red = new Uint8Array(n);
  let reds = 0;
  for (let i = 0, o = 0; o < n; i += channels, o++) {
    const r = d[i], g = d[i + 1], b = d[i + 2];
    // red dropout: the red channel is what the page looks like without the stamp (red is bright in
    // it, black ink stays dark, also under the stamp); the brighter of it and the luminance
    const luma = (r * 299 + g * 587 + b * 114) / 1000;
    // clearly red and not dark (the stamp itself, also a JPEG's darker fringe of it) → paper; black
    // ink under the stamp stays dark
    if (isRed(r, g, b)) (out[o] = 255), (red[o] = 1), reds++;
    else out[o] = r > luma ? r : luma;
  }
  if (!reds) return { data: out, width, height };
  // the seal's zone: red pixels with red neighbours (not a speck of colour noise), widened by a
  // few pixels (the fringe a JPEG leaves without colour)
  const core = new Uint8Array(n);
  let cores = 0;
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const o = y * width + x;
      if (red[o] && red[o - 1] + red[o + 1] + red[o - width] + red[o + width] >= 2) (core[o] = 1), cores++;
    }
  }
  if (!cores) return { data: out, width, height };
  const zone = dilate(core, width, height, SEAL_REACH);
  // a JPEG keeps luminance at full resolution but colour at half: a thin red stroke's colour smears
  // onto its neighbours (the black of a digit under the seal turns reddish, the stroke's own edges
  // lose their red), so in the zone the luminance is what tells ink from seal
  const luma = new Uint8Array(out);
  for (let i = 0, o = 0; o < n; i += channels, o++) if (zone[o]) luma[o] = (d[i] * 299 + d[i + 1] * 587 + d[i + 2] * 114) / 1000;
  return { data: out, width, height, seal: { zone, core, luma } };
}

/** Pixels a seal's zone reaches beyond its red. */
const SEAL_REACH = 4;

/** A mask widened by r pixels (a square neighbourhood), in two passes. */
function dilate(m: Uint8Array, w: number, h: number, r: number): Uint8Array {
  const a = new Uint8Array(m.length), out = new Uint8Array(m.length);
  for (let y = 0; y < h; y++) {
    let last = -1e9;
    for (let x = 0; x < w; x++) if (m[y * w + x]) last = x; else if (x - last <= r) a[y * w + x] = 1;
    last = 1e9;
    for (let x = w - 1; x >= 0; x--) if (m[y * w + x]) (last = x), (a[y * w + x] = 1); else if (last - x <= r) a[y * w + x] = 1;
  }
  for (let x = 0; x < w; x++) {
    let last = -1e9;
    for (let y = 0; y < h; y++) if (a[y * w + x]) (last = y), (out[y * w + x] = 1); else if (y - last <= r) out[y * w + x] = 1;
    last = 1e9;
    for (let y = h - 1; y >= 0; y--) if (a[y * w + x]) last = y; else if (last - y <= r) out[y * w + x] = 1;
  }
  return out;
}

/**
 * Inside a seal's zone of a levelled grey image, the seal's mid-grey (its luminance is about half the
 * paper's) becomes paper while black ink stays dark: values above half the seal's level are
 * stretched so that the seal's darker strokes (`level`: a low percentile of its red pixels, `core`)
 * reach paper.
 */
export function fadeSeal(g: Grey, zone: Uint8Array, core: Uint8Array): { grey: Grey; level: number } {
  const L = quantile(g.data, core, SEAL_QUANTILE);
  if (L === undefined) return { grey: g, level: 0 };
  const lo = Math.round(L / 2);
  const out = new Uint8Array(g.data);
  for (let i = 0; i < out.length; i++) {
    if (!zone[i]) continue;
    const v = out[i];
    if (v > lo) out[i] = Math.min(255, lo + ((v - lo) * (255 - lo)) / Math.max(1, L - lo));
  }
  return { grey: { data: out, width: g.width, height: g.height }, level: L };
}

/** The seal's level: the value below which this share of its red pixels lie. */
const SEAL_QUANTILE = 0.05;

/** The value below which a share q of the pixels where `where` is 1 lie (none when under 50 pixels). */
export function quantile(data: Uint8Array, where: Uint8Array, q: number): number | undefined {
  const hist = new Uint32Array(256);
  let n = 0;
  for (let i = 0; i < data.length; i++) if (where[i]) hist[data[i]]++, n++;
  if (n < 50) return undefined;
  let acc = 0;
  for (let v = 0; v < 256; v++) if ((acc += hist[v]) > n * q) return v;
  return 255;
}

/**
 * Even out the light: divide by an estimate of the paper's brightness (the brightest pixel of each
 * block, smoothed), so a shadow or a photo's fall-off does not turn into ink.
 */
export function levelLight(g: Grey): Grey {
  const { width: w, height: h, data } = g;
  const B = 32;
  const bw = Math.ceil(w / B), bh = Math.ceil(h / B);
  const bg = new Float32Array(bw * bh);
  for (let by = 0; by < bh; by++) {
    for (let bx = 0; bx < bw; bx++) {
      // a high percentile rather than the maximum: one white speck of noise must not set the paper
      const hist = new Uint32Array(256);
      let n = 0;
      for (let y = by * B; y < Math.min(h, by * B + B); y++) for (let x = bx * B; x < Math.min(w, bx * B + B); x++) hist[data[y * w + x]]++, n++;
      let acc = 0, v = 255;
      for (; v > 0; v--) if ((acc += hist[v]) >= n * 0.1) break;
      bg[by * bw + bx] = v;
    }
  }
  // blocks full of ink (a heavy table rule) take their neighbours' paper
  const sm = new Float32Array(bw * bh);
  for (let by = 0; by < bh; by++) {
    for (let bx = 0; bx < bw; bx++) {
      let m = 0;
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
        const y = by + dy, x = bx + dx;
        if (y >= 0 && y < bh && x >= 0 && x < bw) m = Math.max(m, bg[y * bw + x]);
      }
      sm[by * bw + bx] = Math.max(m, 60);
    }
  }
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const fy = Math.min(bh - 1, Math.max(0, (y + 0.5) / B - 0.5));
    const y0 = Math.floor(fy), y1 = Math.min(bh - 1, y0 + 1), wy = fy - y0;
    for (let x = 0; x < w; x++) {
      const fx = Math.min(bw - 1, Math.max(0, (x + 0.5) / B - 0.5));
      const x0 = Math.floor(fx), x1 = Math.min(bw - 1, x0 + 1), wx = fx - x0;
      const p = (sm[y0 * bw + x0] * (1 - wx) + sm[y0 * bw + x1] * wx) * (1 - wy) + (sm[y1 * bw + x0] * (1 - wx) + sm[y1 * bw + x1] * wx) * wy;
      out[y * w + x] = Math.min(255, (data[y * w + x] * 255) / p);
    }
  }
  return { data: out, width: w, height: h };
}

/** Otsu's threshold of a grey image. */
export function otsu(g: Grey): number {
  const hist = new Float64Array(256);
  for (let i = 0; i < g.data.length; i++) hist[g.data[i]]++;
  const total = g.data.length;
  let sum = 0;
  for (let i = 0; i < 256; i++) sum += i * hist[i];
  let sumB = 0, wB = 0, best = 0, thr = 128;
  for (let t = 0; t < 256; t++) {
    wB += hist[t];
    if (!wB) continue;
    const wF = total - wB;
    if (!wF) break;
    sumB += t * hist[t];
    const mB = sumB / wB, mF = (sum - sumB) / wF;
    const between = wB * wF * (mB - mF) ** 2;
    if (between > best) (best = between), (thr = t);
  }
  return thr;
}

/** Ink mask (1 = ink) at a threshold, with isolated specks (no inked neighbour) dropped. */
export function binarise(g: Grey, thr: number): Uint8Array {
  const { width: w, height: h, data } = g;
  const m = new Uint8Array(w * h);
  for (let i = 0; i < m.length; i++) m[i] = data[i] < thr ? 1 : 0;
  const out = new Uint8Array(m);
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      if (!m[i]) continue;
      if (!(m[i - 1] | m[i + 1] | m[i - w] | m[i + w] | m[i - w - 1] | m[i - w + 1] | m[i + w - 1] | m[i + w + 1])) out[i] = 0;
    }
  }
  return out;
}

/**
 * The skew angle (degrees, positive = the content turned clockwise) from projection profiles: the
 * angle at which the rows of ink are sharpest (text lines and rulings line up with pixel rows).
 */
export function estimateSkew(mask: Uint8Array, w: number, h: number, maxDeg = 5): number {
  // subsample the ink pixels: a few tens of thousands are plenty
  const xs: number[] = [], ys: number[] = [];
  let count = 0;
  for (let i = 0; i < mask.length; i++) count += mask[i];
  const step = Math.max(1, Math.floor(count / 60000));
  let k = 0;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (mask[y * w + x] && k++ % step === 0) xs.push(x), ys.push(y);
  if (xs.length < 50) return 0;
  const bins = new Float64Array(h + w + 10);
  const score = (deg: number): number => {
    const t = Math.tan((deg * Math.PI) / 180);
    bins.fill(0);
    const off = Math.ceil(Math.abs(t) * w) + 1;
    for (let i = 0; i < xs.length; i++) {
      const b = Math.round(ys[i] - xs[i] * t + off);
      if (b >= 0 && b < bins.length) bins[b]++;
    }
    let s = 0;
    for (let i = 0; i < bins.length; i++) s += bins[i] * bins[i];
    return s;
  };
  let best = 0, bs = -1;
  for (let d = -maxDeg; d <= maxDeg + 1e-9; d += 0.5) {
    const s = score(d);
    if (s > bs) (bs = s), (best = d);
  }
  const coarse = best;
  for (let d = coarse - 0.5; d <= coarse + 0.5 + 1e-9; d += 0.05) {
    const s = score(d);
    if (s > bs) (bs = s), (best = d);
  }
  return Math.abs(best) < 0.1 ? 0 : best;
}

/** Rotate a grey image about its centre by -deg (undoing a skew of deg), same size, paper outside. */
export function rotate(g: Grey, deg: number): Grey {
  if (!deg) return g;
  const { width: w, height: h, data } = g;
  const a = (deg * Math.PI) / 180;
  const c = Math.cos(a), s = Math.sin(a);
  const cx = w / 2, cy = h / 2;
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const dy = y - cy;
    for (let x = 0; x < w; x++) {
      // the source of an output pixel: rotate it back by +deg (skew is y' = y + x·tan)
      const dx = x - cx;
      const sx = c * dx - s * dy + cx;
      const sy = s * dx + c * dy + cy;
      const x0 = Math.floor(sx), y0 = Math.floor(sy);
      if (x0 < 0 || y0 < 0 || x0 >= w - 1 || y0 >= h - 1) {
        out[y * w + x] = 255;
        continue;
      }
      const fx = sx - x0, fy = sy - y0;
      const i = y0 * w + x0;
      out[y * w + x] = (data[i] * (1 - fx) + data[i + 1] * fx) * (1 - fy) + (data[i + w] * (1 - fx) + data[i + w + 1] * fx) * fy;
    }
  }
  return { data: out, width: w, height: h };
}

/** Where a point of the deskewed image was in the original (for provenance boxes). */
export function unrotatePoint(x: number, y: number, w: number, h: number, deg: number): [number, number] {
  if (!deg) return [x, y];
  const a = (deg * Math.PI) / 180;
  const c = Math.cos(a), s = Math.sin(a);
  const dx = x - w / 2, dy = y - h / 2;
  return [c * dx - s * dy + w / 2, s * dx + c * dy + h / 2];
}

/** A horizontal or vertical run of ink, in pixels: `at` the row (or column), `a0..a1` along it. */
export interface PixelSeg {
  at: number;
  a0: number;
  a1: number;
}

/**
 * Ruling lines: runs of ink at least `minLen` long along rows (horizontal) and columns (vertical),
 * bridging gaps of up to `gap` pixels (JPEG noise, a faint print), merged across the few adjacent
 * rows a thick line covers.
 */
export function findRulings(mask: Uint8Array, w: number, h: number, minLen: number, gap: number, which: 'h' | 'v' | 'both' = 'both'): { h: PixelSeg[]; v: PixelSeg[] } {
  const runs = (horizontal: boolean): PixelSeg[] => {
    const n = horizontal ? h : w, len = horizontal ? w : h;
    const segs: PixelSeg[] = [];
    for (let i = 0; i < n; i++) {
      let start = -1, last = -1;
      for (let j = 0; j <= len; j++) {
        const ink = j < len && mask[horizontal ? i * w + j : j * w + i] === 1;
        if (ink) {
          if (start < 0) start = j;
          last = j;
        } else if (start >= 0 && j - last > gap) {
          if (last - start + 1 >= minLen) segs.push({ at: i, a0: start, a1: last });
          start = -1;
        }
      }
    }
    // adjacent rows of one thick line → one segment at their middle
    segs.sort((p, q) => p.a0 - q.a0 || p.at - q.at);
    const used = new Uint8Array(segs.length);
    const out: PixelSeg[] = [];
    const byAt = new Map<number, number[]>();
    segs.forEach((s, k) => {
      const l = byAt.get(s.at) ?? [];
      l.push(k);
      byAt.set(s.at, l);
    });
    for (let k = 0; k < segs.length; k++) {
      if (used[k]) continue;
      used[k] = 1;
      let { at, a0, a1 } = segs[k];
      let lo = at, hi = at;
      for (;;) {
        const next = (byAt.get(hi + 1) ?? []).find((m) => !used[m] && segs[m].a0 <= a1 && segs[m].a1 >= a0);
        if (next === undefined) break;
        used[next] = 1;
        hi++;
        a0 = Math.min(a0, segs[next].a0);
        a1 = Math.max(a1, segs[next].a1);
      }
      void at;
      out.push({ at: (lo + hi) / 2, a0, a1 });
    }
    return out;
  };
  return { h: which === 'v' ? [] : runs(true), v: which === 'h' ? [] : runs(false) };
}

/** Remove ruling pixels from an ink mask (so text bands and crops see text only). */
export function eraseRulings(mask: Uint8Array, w: number, r: { h: PixelSeg[]; v: PixelSeg[] }, thick: number): void {
  const h = mask.length / w;
  for (const s of r.h) {
    for (let y = Math.max(0, Math.round(s.at - thick)); y <= Math.min(h - 1, Math.round(s.at + thick)); y++) mask.fill(0, y * w + s.a0, y * w + s.a1 + 1);
  }
  for (const s of r.v) {
    for (let y = s.a0; y <= s.a1; y++) for (let x = Math.max(0, Math.round(s.at - thick)); x <= Math.min(w - 1, Math.round(s.at + thick)); x++) mask[y * w + x] = 0;
  }
}

/** A box of ink in pixels [x0, y0, x1, y1], inclusive-exclusive. */
export type PxBox = [number, number, number, number];

/**
 * Text lines inside a box of an ink mask: bands of rows with ink, separated by blank rows; each band
 * split at gaps wider than `splitGap` times its height (two numbers side by side, a label and a figure).
 */
export function textBands(mask: Uint8Array, w: number, box: PxBox, minHeight: number, splitGap: number, skip?: Uint8Array): PxBox[] {
  const [bx0, by0, bx1, by1] = box;
  const rows = new Uint32Array(Math.max(0, by1 - by0));
  for (let y = by0; y < by1; y++) {
    let n = 0;
    for (let x = bx0; x < bx1; x++) if (mask[y * w + x] && !(skip && skip[y * w + x])) n++;
    rows[y - by0] = n;
  }
  const bands: [number, number][] = [];
  let start = -1;
  for (let y = 0; y <= rows.length; y++) {
    const ink = y < rows.length && rows[y] >= 1;
    if (ink && start < 0) start = y;
    else if (!ink && start >= 0) {
      bands.push([start + by0, y + by0]);
      start = -1;
    }
  }
  // a band too thin to be text next to another (the dot of a character, an accent) joins it
  const merged: [number, number][] = [];
  for (const b of bands) {
    const prev = merged[merged.length - 1];
    if (prev && (b[0] - prev[1] <= 1 || (b[1] - b[0] < minHeight * 0.5 && b[0] - prev[1] < minHeight * 0.4))) prev[1] = b[1];
    else merged.push([...b]);
  }
  const out: PxBox[] = [];
  for (const [y0, y1] of merged) {
    const bh = y1 - y0;
    if (bh < minHeight) continue;
    const cols = new Uint8Array(bx1 - bx0);
    for (let y = y0; y < y1; y++) for (let x = bx0; x < bx1; x++) if (mask[y * w + x] && !(skip && skip[y * w + x])) cols[x - bx0] = 1;
    let s = -1, last = -1;
    const gapMax = Math.max(3, bh * splitGap);
    for (let x = 0; x <= cols.length; x++) {
      if (x < cols.length && cols[x]) {
        if (s < 0) s = x;
        else if (x - last - 1 > gapMax) {
          out.push([s + bx0, y0, last + 1 + bx0, y1]);
          s = x;
        }
        last = x;
      }
    }
    if (s >= 0) out.push([s + bx0, y0, last + 1 + bx0, y1]);
  }
  // a speck (a lone dot of noise) is not a text line
  return out.filter((b) => b[2] - b[0] >= Math.max(2, minHeight * 0.25));
}

/** A grey crop with a margin of paper around it (the recogniser reads better with some space). */
export function crop(g: Grey, b: PxBox, pad: number): { data: Uint8Array; width: number; height: number } {
  const h = b[3] - b[1] + 2 * pad;
  const padX = pad;
  const w = b[2] - b[0] + 2 * padX;
  const out = new Uint8Array(w * h).fill(255);
  for (let y = 0; y < b[3] - b[1]; y++) {
    const sy = b[1] + y;
    if (sy < 0 || sy >= g.height) continue;
    for (let x = 0; x < b[2] - b[0]; x++) {
      const sx = b[0] + x;
      if (sx < 0 || sx >= g.width) continue;
      out[(y + pad) * w + x + padX] = g.data[sy * g.width + sx];
    }
  }
  return { data: out, width: w, height: h };
}
