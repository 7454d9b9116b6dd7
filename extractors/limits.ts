/**
 * The budget of one document: what each reader checks before it inflates, decodes or parses, so a
 * small hostile file (a ZIP bomb, an image declaring 60 megapixels × 25 frames, tables nested 10,000
 * deep, millions of drawing operators) stops at a named limit instead of taking the process's memory
 * or minutes of work. The numbers are far above any real annual report (the largest real ones: a
 * 3 MB document.xml, 40,000 HTML elements, 60 pages of 9 MP scans, 20,000 operators per page).
 *
 * A reader that meets a limit throws a LimitError (or returns its problem); the problem's code is
 * `limit_exceeded` and its message names the limit and the figure met. Nothing here allocates more
 * than the bytes it is handed.
 */
import { Unzip, UnzipInflate, Unzlib } from 'fflate';
import type { Problem } from './types.js';

export const LIMITS = {
  /** One ZIP entry's uncompressed size (DOCX document.xml, an XLSX sheet), as declared and as inflated. */
  zipEntryBytes: 64 * 1024 * 1024,
  /** All the ZIP entries read from one file, uncompressed. */
  zipTotalBytes: 192 * 1024 * 1024,
  /** XML elements in one entry (counted as `<` before parsing). */
  xmlNodes: 2_000_000,
  /** HTML elements in a page (counted as tags before parsing). */
  htmlElements: 1_500_000,
  /** Tables or divisions nested inside one another in an HTML page. */
  htmlDepth: 256,
  /** One image frame's pixels (width × height as the file declares them). */
  imagePixels: 60_000_000,
  /** All frames of one image file (or all pictures of one page), in pixels. */
  imageTotalPixels: 150_000_000,
  /** Frames of one image file (a multi-page TIFF or GIF). */
  imageFrames: 20,
  /** Drawing operators on one PDF page. */
  pdfOpsPerPage: 400_000,
  /** Drawing operators over a whole PDF (counted in its content streams before pdfjs reads them). */
  pdfOps: 2_000_000,
  /** An image inside a PDF, in pixels (pdfjs's maxImageSize: bigger ones are not decoded). */
  pdfImagePixels: 60_000_000,
} as const;

export type LimitName = keyof typeof LIMITS;

/** What each limit is called in a message, for a person. */
const NAMES: Record<LimitName, string> = {
  zipEntryBytes: 'the largest ZIP entry read (uncompressed)',
  zipTotalBytes: 'the most read from one ZIP file (uncompressed)',
  xmlNodes: 'the most XML elements read from one part',
  htmlElements: 'the most HTML elements read from one page',
  htmlDepth: 'the deepest nesting of tables or divisions read',
  imagePixels: 'the largest image frame decoded',
  imageTotalPixels: 'the most pixels decoded from one document',
  imageFrames: 'the most image frames read',
  pdfOpsPerPage: 'the most drawing operators read on one PDF page',
  pdfOps: 'the most drawing operators read from one PDF',
  pdfImagePixels: 'the largest picture decoded inside a PDF',
};

export const LIMIT_CODE = 'limit_exceeded';

function fmt(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / 1024 / 1024} MiB`;
  return n.toLocaleString('en-US');
}

/** The message for a limit met: "<what> is <figure>, over the limit <name> (<limit>)". */
export function limitMessage(limit: LimitName, what: string, figure: number | string, unit = ''): string {
  const fig = typeof figure === 'number' ? figure.toLocaleString('en-US') : figure;
  const lim = limit === 'zipEntryBytes' || limit === 'zipTotalBytes' ? fmt(LIMITS[limit]) : `${LIMITS[limit].toLocaleString('en-US')}${unit}`;
  return `${what} is ${fig}${unit}, over ${NAMES[limit]} (limit ${limit} = ${lim}); not read`;
}

export class LimitError extends Error {
  readonly code = LIMIT_CODE;
  constructor(
    readonly limit: LimitName,
    message: string,
  ) {
    super(message);
  }
}

export function limitProblem(e: LimitError, where?: string): Problem {
  return where ? { code: LIMIT_CODE, message: e.message, where } : { code: LIMIT_CODE, message: e.message };
}

/** Throws a LimitError when `figure` is over `limit`. */
export function check(limit: LimitName, figure: number, what: string, unit = ''): void {
  if (figure > LIMITS[limit]) throw new LimitError(limit, limitMessage(limit, what, figure, unit));
}

/** Elements in XML or HTML text, counted as `<` followed by a name (an upper bound: no parsing). */
export function countTags(text: string | Uint8Array): number {
  let n = 0;
  if (typeof text === 'string') {
    for (let i = text.indexOf('<'); i >= 0; i = text.indexOf('<', i + 1)) {
      const c = text.charCodeAt(i + 1);
      if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) n++;
    }
    return n;
  }
  for (let i = text.indexOf(0x3c); i >= 0; i = text.indexOf(0x3c, i + 1)) {
    const c = text[i + 1];
    if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) n++;
  }
  return n;
}

/**
 * Reads the named entries of a ZIP within the budget: each entry's declared size is checked before it
 * is inflated, and inflation is counted as it goes (a streaming inflate), so an entry that lies about
 * its size or inflates past the limit is stopped there, never held whole. XML entries have their
 * elements counted. `names`: which entries (null: all).
 * Throws LimitError for a limit met, Error for a ZIP that cannot be read.
 */
export function unzipWithin(bytes: Uint8Array, names: ((name: string) => boolean) | null): Record<string, Uint8Array> {
  // a ZIP ends with its central directory's end record (a file cut short, or not a ZIP, has none)
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 65_557); i--) {
    if (bytes[i] === 0x50 && bytes[i + 1] === 0x4b && bytes[i + 2] === 5 && bytes[i + 3] === 6) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a valid ZIP archive (no end of central directory: not a ZIP, or cut short)');
  const out: Record<string, Uint8Array> = {};
  const open = new Set<string>();
  let total = 0;
  let failure: Error | undefined;
  const uz = new Unzip();
  uz.register(UnzipInflate);
  uz.onfile = (f) => {
    if (failure || (names && !names(f.name))) return;
    try {
      if (f.originalSize !== undefined && f.originalSize > 0) check('zipEntryBytes', f.originalSize, `the ZIP entry ${f.name} (declared uncompressed size)`, ' bytes');
    } catch (e) {
      failure = e as Error;
      return;
    }
    const declared = f.originalSize && f.originalSize > 0 ? f.originalSize : undefined;
    const chunks: Uint8Array[] = [];
    let got = 0;
    open.add(f.name);
    f.ondata = (err, chunk, final) => {
      if (failure) return;
      if (err) {
        failure = new Error(`not a valid ZIP archive (${err.message})`);
        return;
      }
      got += chunk.length;
      total += chunk.length;
      try {
        if (declared !== undefined && got > declared) {
          throw new LimitError('zipEntryBytes', `the ZIP entry ${f.name} inflates past the ${declared.toLocaleString('en-US')} bytes it declares (a ZIP bomb); not read (limit zipEntryBytes)`);
        }
        check('zipEntryBytes', got, `the ZIP entry ${f.name} (inflated so far)`, ' bytes');
        check('zipTotalBytes', total, 'the ZIP entries read (inflated together)', ' bytes');
      } catch (e) {
        failure = e as Error;
        f.terminate();
        return;
      }
      chunks.push(chunk);
      if (final) {
        open.delete(f.name);
        const data = new Uint8Array(got);
        let o = 0;
        for (const c of chunks) (data.set(c, o), (o += c.length));
        out[f.name] = data;
      }
    };
    f.start();
  };
  try {
    // fed in small pieces, so each entry inflates in small chunks that are counted as they come
    const STEP = 16 * 1024;
    for (let o = 0; o < bytes.length && !failure; o += STEP) uz.push(bytes.subarray(o, o + STEP), o + STEP >= bytes.length);
  } catch (err) {
    if (!failure) failure = err instanceof LimitError ? err : new Error(`not a valid ZIP archive (${(err as Error).message})`);
  }
  if (failure) throw failure;
  if (open.size) throw new Error(`not a valid ZIP archive (${[...open][0]} is cut short)`);
  for (const [name, data] of Object.entries(out)) {
    if (/\.(xml|rels)$/i.test(name)) check('xmlNodes', countTags(data), `the XML part ${name}'s element count`);
  }
  return out;
}

/**
 * The deepest nesting of `<table>` (and of `<div>`) in HTML text, found by a scan of the tags (no
 * parsing): the parser's tree for a page nested 10,000 deep is what costs gigabytes.
 */
export function htmlNesting(html: string): number {
  let table = 0, div = 0, max = 0;
  const re = /<(\/?)(table|div)\b/gi;
  for (let m; (m = re.exec(html)); ) {
    const isTable = m[2].length === 5;
    if (m[1]) {
      if (isTable) table = Math.max(0, table - 1);
      else div = Math.max(0, div - 1);
    } else {
      if (isTable) table++;
      else div++;
      if (table > max) max = table;
      if (div > max) max = div;
    }
  }
  return max;
}

/** Checks an HTML page against its budget before it is parsed; throws LimitError. */
export function checkHtml(html: string): void {
  check('htmlElements', countTags(html), "the page's element count");
  check('htmlDepth', htmlNesting(html), "the page's nesting of tables or divisions", ' levels');
}

/**
 * The frames an image file declares (width × height each), read from its headers without decoding:
 * PNG (IHDR), JPEG (SOFn), GIF (each image descriptor), TIFF (every IFD, as the chain of offsets
 * goes: a loop ends it), WebP (VP8/VP8L/VP8X), BMP. null for a format not known here (the decoder's
 * own limit then holds).
 */
export function declaredFrames(b: Uint8Array): { width: number; height: number }[] | null {
  const u16be = (o: number) => (b[o] << 8) | b[o + 1];
  const u32be = (o: number) => ((b[o] << 24) >>> 0) + (b[o + 1] << 16) + (b[o + 2] << 8) + b[o + 3];
  const u16le = (o: number) => b[o] | (b[o + 1] << 8);
  const u24le = (o: number) => b[o] | (b[o + 1] << 8) | (b[o + 2] << 16);
  const u32le = (o: number) => (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16)) + ((b[o + 3] << 24) >>> 0);
  if (b.length >= 24 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) {
    return [{ width: u32be(16), height: u32be(20) }];
  }
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
    let o = 2;
    while (o + 9 < b.length) {
      if (b[o] !== 0xff) return null;
      const m = b[o + 1];
      if (m === 0xff) {
        o++;
        continue;
      }
      if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) return [{ width: u16be(o + 7), height: u16be(o + 5) }];
      if (m === 0xd8 || (m >= 0xd0 && m <= 0xd7) || m === 0x01) {
        o += 2;
        continue;
      }
      o += 2 + u16be(o + 2);
    }
    return null;
  }
  if (b.length >= 10 && b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46) {
    // the logical screen, then every image descriptor (0x2C) found by walking the blocks
    const frames: { width: number; height: number }[] = [];
    const screen = { width: u16le(6), height: u16le(8) };
    let o = 13 + (b[10] & 0x80 ? 3 * (1 << ((b[10] & 7) + 1)) : 0);
    const skipSub = (p: number) => {
      while (p < b.length && b[p] !== 0) p += b[p] + 1;
      return p + 1;
    };
    while (o < b.length && frames.length <= LIMITS.imageFrames) {
      if (b[o] === 0x2c) {
        frames.push({ width: Math.max(u16le(o + 5), screen.width), height: Math.max(u16le(o + 7), screen.height) });
        const flags = b[o + 9];
        o += 10 + (flags & 0x80 ? 3 * (1 << ((flags & 7) + 1)) : 0);
        o = skipSub(o + 1);
      } else if (b[o] === 0x21) o = skipSub(o + 2);
      else break;
    }
    return frames.length ? frames : [screen];
  }
  if (b.length >= 8 && ((b[0] === 0x49 && b[1] === 0x49 && b[2] === 42) || (b[0] === 0x4d && b[1] === 0x4d && b[3] === 42))) {
    const le = b[0] === 0x49;
    const r16 = le ? u16le : u16be;
    const r32 = le ? u32le : u32be;
    const frames: { width: number; height: number }[] = [];
    const seen = new Set<number>();
    let ifd = r32(4);
    while (ifd > 0 && ifd + 2 <= b.length && !seen.has(ifd) && frames.length <= LIMITS.imageFrames) {
      seen.add(ifd);
      const n = r16(ifd);
      let width = 0, height = 0;
      for (let i = 0; i < n; i++) {
        const e = ifd + 2 + i * 12;
        if (e + 12 > b.length) break;
        const tag = r16(e), type = r16(e + 2);
        const v = type === 3 ? r16(e + 8) : r32(e + 8);
        if (tag === 256) width = v;
        else if (tag === 257) height = v;
      }
      frames.push({ width, height });
      const next = ifd + 2 + n * 12;
      if (next + 4 > b.length) break;
      ifd = r32(next);
    }
    return frames;
  }
  if (b.length >= 30 && b[0] === 0x52 && b[1] === 0x49 && b[8] === 0x57 && b[9] === 0x45) {
    const chunk = String.fromCharCode(b[12], b[13], b[14], b[15]);
    if (chunk === 'VP8X') return [{ width: u24le(24) + 1, height: u24le(27) + 1 }];
    if (chunk === 'VP8L') {
      const bits = u32le(21);
      return [{ width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 }];
    }
    if (chunk === 'VP8 ') return [{ width: u16le(26) & 0x3fff, height: u16le(28) & 0x3fff }];
    return null;
  }
  if (b.length >= 26 && b[0] === 0x42 && b[1] === 0x4d) {
    return [{ width: Math.abs(u32le(18) | 0), height: Math.abs(u32le(22) | 0) }];
  }
  return null;
}

/**
 * Checks an image file's declared frames against the budget before any is decoded; `already`:
 * pixels decoded for the document so far. Returns the pixels of the frames read (the first `maxFrames`)
 * and the frames declared. Throws LimitError.
 */
export function checkImage(bytes: Uint8Array, what = 'the image', maxFrames: number = LIMITS.imageFrames, already = 0): { pixels: number; frames: number } {
  const frames = declaredFrames(bytes);
  if (!frames) return { pixels: 0, frames: 0 };
  let total = already;
  for (const [i, f] of frames.slice(0, maxFrames).entries()) {
    const px = f.width * f.height;
    check('imagePixels', px, `${what}'s frame ${i + 1} (${f.width}×${f.height})`, ' pixels');
    total += px;
    check('imageTotalPixels', total, `the pixels of ${what}${frames.length > 1 ? `'s ${i + 1} first frames` : ''}${already ? ' with the pictures before it' : ''}`, ' pixels');
  }
  return { pixels: total - already, frames: frames.length };
}

/** A content-stream operator: a bare word of letters (with `*`, `'`, `"`) between white space or delimiters. */
function countOps(chunk: Uint8Array, state: { inWord: number; ops: number }): void {
  for (let i = 0; i < chunk.length; i++) {
    const c = chunk[i];
    const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 42 || c === 39 || c === 34;
    if (letter) state.inWord++;
    else {
      // a word of 1-3 letters after a delimiter: an operator (names, strings and numbers are not words)
      if (state.inWord > 0 && state.inWord <= 3) state.ops++;
      state.inWord = c === 47 || (c >= 48 && c <= 57) || c === 46 || c === 45 ? -1e9 : 0;
    }
  }
}

/**
 * The drawing operators of a PDF's content streams, counted before pdfjs builds its operator lists
 * (for a page of millions of operators pdfjs takes a minute and a gigabyte before anything can be
 * checked): every stream that is not an image, font, object stream or cross-reference stream is
 * inflated (FlateDecode, in small counted chunks) or read as it is, and its operator words counted.
 * Streams in other filters are not counted (pdfjs's own per-page count still holds for them).
 * Throws LimitError('pdfOps') as soon as the count passes the limit.
 */
export function checkPdfOps(bytes: Uint8Array): number {
  const s = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
  const state = { inWord: 0, ops: 0 };
  const over = () => state.ops > LIMITS.pdfOps;
  for (let i = s.indexOf('stream'); i >= 0 && !over(); i = s.indexOf('stream', i + 6)) {
    if (s.startsWith('end', i - 3)) continue;
    let start = i + 6;
    if (s[start] === '\r') start++;
    if (s[start] !== '\n') continue;
    start++;
    const objAt = s.lastIndexOf(' obj', i);
    const dict = s.slice(objAt < 0 ? Math.max(0, i - 2000) : objAt, i);
    if (/\/(?:Length[123]|Width|N\b|W\b|Type\s*\/(?:XRef|ObjStm|Metadata))/.test(dict) || (/\/Subtype/.test(dict) && !/\/Subtype\s*\/Form/.test(dict))) continue;
    const end = s.indexOf('endstream', start);
    if (end < 0) break;
    const data = bytes.subarray(start, end);
    const filter = /\/Filter\s*\[?\s*\/(\w+)/.exec(dict)?.[1];
    state.inWord = 0;
    if (!filter) countOps(data, state);
    else if (filter === 'FlateDecode' || filter === 'Fl') {
      const inf = new Unzlib((chunk) => countOps(chunk, state));
      try {
        for (let o = 0; o < data.length && !over(); o += 8192) inf.push(data.subarray(o, o + 8192), o + 8192 >= data.length);
      } catch {
        /* a damaged stream: pdfjs says what it can */
      }
    }
    i = end;
  }
  check('pdfOps', state.ops, "the PDF's drawing operators (counted in its content streams)");
  return state.ops;
}
