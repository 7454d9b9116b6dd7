/**
 * The decoding layer: raw bytes (and the HTTP Content-Type, when there was one) → what kind of
 * document this is, and for HTML/text the decoded string.
 *
 * Chinese government sites serve UTF-8, GBK/GB2312 (often mislabelled), and now and then Big5; a
 * page's declaration is frequently wrong, so every declared charset is checked against the bytes.
 * Nothing here throws on bad input: problems are reported, and the best decoding is returned.
 */
import type { Problem } from '../extractors/types.js';

/** Office forms told by their container (ZIP or OLE2) or, when the bytes do not decide, by the name or Content-Type. */
export type OfficeKind = 'docx' | 'xlsx' | 'doc' | 'xls' | 'wps' | 'et' | 'ofd';

export type SniffedKind = 'html' | 'pdf' | 'text' | 'binary' | 'empty' | 'image' | OfficeKind;

export type CharsetSource = 'bom' | 'http' | 'meta' | 'sniff' | 'default';

export interface DecodeResult {
  /** The decoded text (a leading BOM removed). */
  text: string;
  /** The WHATWG encoding name actually used: `utf-8`, `gb18030`, `big5`, `utf-16le`, … */
  charset: string;
  /**
   * Where the charset came from: a byte order mark, the HTTP header, an HTML <meta>, `sniff`
   * (chosen by looking at the bytes: no usable declaration, or a declaration the bytes contradict),
   * or `default` (nothing to go on: ASCII-only bytes, read as UTF-8).
   */
  source: CharsetSource;
  /** Number of U+FFFD replacement characters in `text`. */
  replacements: number;
  problems: Problem[];
}

const UTF8_BOM = [0xef, 0xbb, 0xbf];

/** How many bytes of the start are examined for magic numbers, markup and control characters. */
const SNIFF_BYTES = 1024;
const META_SCAN_BYTES = 4096;
const BINARY_SAMPLE_BYTES = 64 * 1024;

/** BOM at the start of the bytes, if any. */
function detectBom(bytes: Uint8Array): { charset: 'utf-8' | 'utf-16le' | 'utf-16be'; length: number } | undefined {
  if (bytes.length >= 3 && bytes[0] === UTF8_BOM[0] && bytes[1] === UTF8_BOM[1] && bytes[2] === UTF8_BOM[2]) {
    return { charset: 'utf-8', length: 3 };
  }
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return { charset: 'utf-16le', length: 2 };
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return { charset: 'utf-16be', length: 2 };
  return undefined;
}

/**
 * UTF-16 without a BOM, recognised by its NUL bytes: text with ASCII in it (markup, digits) has a NUL in
 * the high byte of every ASCII character, so many NULs at one parity and few at the other (a CJK character
 * has a NUL low byte only now and then, e.g. 开 U+5F00).
 */
function detectUtf16NoBom(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | undefined {
  const n = Math.min(bytes.length, 4096) & ~1;
  if (n < 8) return undefined;
  let even = 0;
  let odd = 0;
  for (let i = 0; i < n; i += 2) {
    if (bytes[i] === 0) even++;
    if (bytes[i + 1] === 0) odd++;
  }
  const half = n / 2;
  if (odd >= 0.3 * half && even <= 0.1 * half) return 'utf-16le';
  if (even >= 0.3 * half && odd <= 0.1 * half) return 'utf-16be';
  return undefined;
}

/** Bytes as a Latin-1 string: a cheap ASCII view for scanning markup (non-ASCII bytes become junk, never an error). */
function asciiView(bytes: Uint8Array, start: number, end: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, Math.max(0, Math.min(end, bytes.length) - start)).toString('latin1');
}

function isAsciiWhitespace(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d || b === 0x0c;
}

/** Markup that says "this is HTML" when it appears at the start of a document. */
const HTML_START_RE = /^(?:<\?xml[^>]*>\s*)?(?:<!--[\s\S]*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title|table|div|p|span|center|font|link|script|style|h[1-6]|br|form)[\s/>]/i;
/** Markup that says "this is HTML" anywhere in the first kilobyte. */
const HTML_ANYWHERE_RE = /<(?:!doctype\s+html|html[\s>]|head>|body[\s>]|meta\s|table[\s>])/i;

function looksLikeHtml(head: string): boolean {
  const s = head.replace(/^[\s\ufeff]+/, '');
  return HTML_START_RE.test(s) || HTML_ANYWHERE_RE.test(s);
}

/** Kind from the Content-Type header's media type. */
function kindFromContentType(contentType?: string): SniffedKind | undefined {
  if (!contentType) return undefined;
  const mime = contentType.split(';')[0]!.trim().toLowerCase();
  if (mime === 'text/html' || mime === 'application/xhtml+xml') return 'html';
  if (mime === 'application/pdf' || mime === 'application/x-pdf') return 'pdf';
  if (mime === 'text/plain') return 'text';
  if (/^(?:image|audio|video|font)\//.test(mime)) return 'binary';
  if (/zip|msword|ms-excel|officedocument|octet-stream|x-rar|x-7z|gzip/.test(mime)) return undefined; // decided by the bytes
  return undefined;
}

/** Kind from a file name or URL path's extension. */
function kindFromName(name?: string): SniffedKind | undefined {
  if (!name) return undefined;
  const m = /\.([a-z0-9]{1,6})(?:[?#].*)?$/i.exec(name.trim());
  if (!m) return undefined;
  const ext = m[1]!.toLowerCase();
  if (['html', 'htm', 'shtml', 'xhtml', 'jhtml', 'asp', 'aspx', 'jsp', 'php', 'do'].includes(ext)) return 'html';
  if (ext === 'pdf') return 'pdf';
  if (ext === 'txt' || ext === 'text') return 'text';
  if (['doc', 'docx', 'xls', 'xlsx', 'wps', 'zip', 'rar', '7z', 'gz', 'jpg', 'jpeg', 'png', 'gif', 'bmp', 'ofd'].includes(ext)) return 'binary';
  return undefined;
}

/**
 * True when a byte sample looks like binary data rather than text: NUL bytes, or more than 10% control
 * characters other than tab/newline/form feed/carriage return/escape.
 */
function looksBinary(bytes: Uint8Array, start: number): boolean {
  const end = Math.min(bytes.length, start + BINARY_SAMPLE_BYTES);
  let control = 0;
  // Four bytes at a time where the view allows: a word with no byte below 0x20 and none 0x7f (nearly every
  // word of a text) holds nothing to count; the others are looked at byte by byte.
  let i = start;
  const firstWord = Math.min(end, ((bytes.byteOffset + i + 3) & ~3) - bytes.byteOffset);
  for (; i < firstWord; i++) {
    const c = controlByte(bytes[i]!);
    if (c < 0) return true;
    control += c;
  }
  const words = (end - i) >> 2;
  if (words > 0) {
    const w32 = new Uint32Array(bytes.buffer, bytes.byteOffset + i, words);
    for (let k = 0; k < words; k++) {
      const w = w32[k]!;
      const x = w ^ 0x7f7f7f7f;
      // a byte < 0x20 (hasless(w, 0x20)), or a byte equal to 0x7f (haszero(w ^ 0x7f7f7f7f)): exact tests
      if ((((w - 0x20202020) & ~w) | ((x - 0x01010101) & ~x)) & 0x80808080) {
        for (let j = i + 4 * k, e = j + 4; j < e; j++) {
          const c = controlByte(bytes[j]!);
          if (c < 0) return true;
          control += c;
        }
      }
    }
    i += 4 * words;
  }
  for (; i < end; i++) {
    const c = controlByte(bytes[i]!);
    if (c < 0) return true;
    control += c;
  }
  const n = end - start;
  return n > 0 && control / n > 0.1;
}

/** -1 for NUL, 1 for another control character (not tab, newline, form feed, carriage return, escape), else 0. */
function controlByte(b: number): number {
  if (b === 0) return -1;
  return (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c && b !== 0x1b) || b === 0x7f ? 1 : 0;
}

export type ImageFormat = 'jpeg' | 'png' | 'gif' | 'tiff' | 'bmp' | 'webp';

/** A picture (a scanned or photographed report, a table image), told by its magic bytes. */
export function imageFormat(b: Uint8Array): ImageFormat | undefined {
  if (b.length < 12) return undefined;
  const ascii = (o: number, n: number) => String.fromCharCode(...b.subarray(o, o + n));
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b[0] === 0x89 && ascii(1, 3) === 'PNG' && b[4] === 0x0d && b[5] === 0x0a && b[6] === 0x1a && b[7] === 0x0a) return 'png';
  if (ascii(0, 6) === 'GIF87a' || ascii(0, 6) === 'GIF89a') return 'gif';
  if ((ascii(0, 2) === 'II' && b[2] === 42 && b[3] === 0) || (ascii(0, 2) === 'MM' && b[2] === 0 && b[3] === 42)) return 'tiff';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 4) === 'WEBP') return 'webp';
  if (ascii(0, 2) === 'BM' && b.length >= 18) {
    // "BM" starts plenty of text files: the DIB header size must be one of the known ones
    const dib = b[14] | (b[15] << 8) | (b[16] << 16) | (b[17] << 24);
    if ([12, 40, 52, 56, 64, 108, 124].includes(dib)) return 'bmp';
  }
  return undefined;
}

/**
 * What kind of document the bytes are. The bytes decide first (PDF magic, HTML markup, binary
 * noise, emptiness), then the Content-Type, then the file name's extension; text otherwise.
 */
export function sniffKind(bytes: Uint8Array, contentType?: string, name?: string): SniffedKind {
  const office = sniffOffice(bytes, contentType, name);
  if (office) return office;
  const bom = detectBom(bytes);
  let start = bom ? bom.length : 0;

  // UTF-16 (with a BOM, or plainly UTF-16 without one): look at the decoded start instead of the bytes.
  const utf16 = bom && bom.charset !== 'utf-8' ? bom.charset : bom ? undefined : detectUtf16NoBom(bytes);
  if (utf16) {
    const text = new TextDecoder(utf16).decode(bytes.subarray(start, start + SNIFF_BYTES * 2));
    if (text.trim() === '') return 'empty';
    if (looksLikeHtml(text)) return 'html';
    const byHeader = kindFromContentType(contentType) ?? kindFromName(name);
    return byHeader === 'html' ? 'html' : 'text';
  }

  // Empty: nothing but whitespace (ASCII whitespace and ideographic spaces in UTF-8).
  let i = start;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (isAsciiWhitespace(b)) i++;
    else if (b === 0xe3 && bytes[i + 1] === 0x80 && bytes[i + 2] === 0x80) i += 3; // U+3000
    else break;
  }
  if (i >= bytes.length) return 'empty';
  start = i;

  const head = asciiView(bytes, 0, SNIFF_BYTES);
  if (head.includes('%PDF-')) return 'pdf';
  if (imageFormat(bytes)) return 'image';
  if (looksBinary(bytes, start)) return officeFromName(contentType, name) ?? 'binary';
  if (looksLikeHtml(asciiView(bytes, start, start + SNIFF_BYTES))) return 'html';

  const declared = kindFromContentType(contentType) ?? kindFromName(name);
  if (declared === 'pdf') return 'binary'; // said PDF, but no PDF magic: not something we can read as text
  if (declared === 'binary') return officeFromName(contentType, name) ?? 'binary'; // a .docx that is not one: its reader says why
  if (declared === 'html') return 'html';
  return 'text';
}

// ---------------------------------------------------------------------------------------------
// Office files.

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
const OLE2_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

function startsWith(bytes: Uint8Array, magic: number[]): boolean {
  return bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);
}

/** The office form a file name's extension or a Content-Type names, if any. */
export function officeFromName(contentType?: string, name?: string): OfficeKind | undefined {
  const m = name ? /\.([a-z]{2,5})(?:[?#].*)?$/i.exec(name.trim()) : null;
  const ext = m ? m[1]!.toLowerCase() : '';
  if (['docx', 'docm', 'dotx'].includes(ext)) return 'docx';
  if (['xlsx', 'xlsm', 'xltx'].includes(ext)) return 'xlsx';
  if (ext === 'doc' || ext === 'dot') return 'doc';
  if (ext === 'xls' || ext === 'xlt') return 'xls';
  if (ext === 'wps' || ext === 'wpt') return 'wps';
  if (ext === 'et' || ext === 'ett') return 'et';
  if (ext === 'ofd') return 'ofd';
  const mime = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (mime.includes('wordprocessingml')) return 'docx';
  if (mime.includes('spreadsheetml')) return 'xlsx';
  if (mime === 'application/msword') return 'doc';
  if (mime === 'application/vnd.ms-excel') return 'xls';
  if (mime === 'application/kswps' || mime === 'application/vnd.ms-works' || mime === 'application/wps-office.wps') return 'wps';
  if (mime === 'application/kset' || mime === 'application/wps-office.et') return 'et';
  if (mime === 'application/ofd') return 'ofd';
  return undefined;
}

/** Whether the bytes contain `s` as ASCII (a ZIP entry name) or as UTF-16LE (an OLE2 directory entry name). */
function containsName(bytes: Uint8Array, s: string, utf16: boolean): boolean {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  return buf.indexOf(Buffer.from(s, utf16 ? 'utf16le' : 'latin1')) >= 0;
}

/**
 * ZIP: a DOCX holds `word/document.xml`, an XLSX `xl/workbook.xml`, an OFD `OFD.xml` (the entry names
 * are stored uncompressed in the local headers and the central directory). OLE2 (DOC, XLS, WPS, ET):
 * a Word-like file has a `WordDocument` stream, a workbook a `Workbook` or `Book` stream; WPS and ET
 * share those layouts, so the name or Content-Type tells them from DOC and XLS. Undefined when the
 * bytes are neither container (or a ZIP of something else, e.g. an archive of attachments).
 */
function sniffOffice(bytes: Uint8Array, contentType?: string, name?: string): OfficeKind | undefined {
  const declared = officeFromName(contentType, name);
  if (startsWith(bytes, ZIP_MAGIC)) {
    if (containsName(bytes, 'word/document.xml', false)) return 'docx';
    if (containsName(bytes, 'xl/workbook.xml', false)) return 'xlsx';
    if (containsName(bytes, 'OFD.xml', false)) return 'ofd';
    return declared === 'docx' || declared === 'xlsx' || declared === 'ofd' ? declared : undefined;
  }
  if (startsWith(bytes, OLE2_MAGIC)) {
    const word = containsName(bytes, 'WordDocument', true);
    const book = containsName(bytes, 'Workbook', true) || containsName(bytes, 'Book', true);
    if (word && !book) return declared === 'wps' ? 'wps' : 'doc';
    if (book && !word) return declared === 'et' ? 'et' : 'xls';
    if (declared && declared !== 'docx' && declared !== 'xlsx' && declared !== 'ofd') return declared;
    return word ? 'doc' : book ? 'xls' : undefined;
  }
  return undefined;
}

/** The forms told apart by their bytes: sniffKind's kinds, and for other binary data pictures and ZIP archives. */
export type DocFormat = SniffedKind | 'image' | 'zip';

const IMAGE_MAGIC: { at: number; magic: number[] }[] = [
  { at: 0, magic: [0x89, 0x50, 0x4e, 0x47] }, // PNG
  { at: 0, magic: [0xff, 0xd8, 0xff] }, // JPEG
  { at: 0, magic: [0x47, 0x49, 0x46, 0x38] }, // GIF
  { at: 0, magic: [0x49, 0x49, 0x2a, 0x00] }, // TIFF (little-endian)
  { at: 0, magic: [0x4d, 0x4d, 0x00, 0x2a] }, // TIFF (big-endian)
  { at: 8, magic: [0x57, 0x45, 0x42, 0x50] }, // WebP (after RIFF....)
  { at: 0, magic: [0x42, 0x4d] }, // BMP
];

/**
 * The form of a document: sniffKind's answer (HTML, PDF, text, the office forms, OFD), and for
 * what it calls binary, a picture (PNG, JPEG, GIF, TIFF, WebP, BMP by magic) or a ZIP archive.
 */
export function sniffFormat(bytes: Uint8Array, contentType?: string, name?: string): DocFormat {
  const kind = sniffKind(bytes, contentType, name);
  if (kind !== 'binary') return kind;
  if (IMAGE_MAGIC.some(({ at, magic }) => bytes.length >= at + magic.length && magic.every((b, i) => bytes[at + i] === b))) return 'image';
  if (startsWith(bytes, ZIP_MAGIC)) return 'zip';
  return 'binary';
}

/** Charset labels mapped to the decoder actually used. GBK and GB2312 are subsets of GB18030. */
const GB_LABELS = new Set([
  'gb2312', 'gbk', 'gb18030', 'x-gbk', 'cp936', 'ms936', 'windows-936', 'euc-cn', 'csgb2312', 'csgbk', 'chinese',
  'iso-ir-58', 'gb_2312', 'gb_2312-80', 'csiso58gb231280', 'hz-gb-2312', 'x-euc-cn',
]);
const BIG5_LABELS = new Set(['big5', 'big5-hkscs', 'cn-big5', 'csbig5', 'x-x-big5', 'x-big5', 'cp950', 'ms950']);
/** Single-byte Western charsets: Chinese reports are never really in these; a page declaring one is mislabelled. */
const WESTERN_ENCODINGS = new Set(['windows-1252']);

/** The TextDecoder encoding for a charset label, or undefined when the label is unknown. */
export function normaliseCharset(label: string): string | undefined {
  const l = label.trim().toLowerCase().replace(/^["']|["']$/g, '');
  if (!l) return undefined;
  if (GB_LABELS.has(l)) return 'gb18030';
  if (BIG5_LABELS.has(l)) return 'big5';
  if (l === 'utf8' || l === 'utf-8' || l === 'unicode-1-1-utf-8') return 'utf-8';
  if (l === 'unicode' || l === 'utf-16') return 'utf-16le';
  try {
    return new TextDecoder(l).encoding;
  } catch {
    return undefined;
  }
}

/** The `charset=` parameter of a Content-Type value. */
function charsetFromContentType(contentType?: string): string | undefined {
  if (!contentType) return undefined;
  const m = /charset\s*=\s*["']?\s*([^"';\s,]+)/i.exec(contentType);
  return m ? m[1] : undefined;
}

/** `<meta charset=…>` or `<meta http-equiv="Content-Type" content="…charset=…">` in the first 4 KB. */
function charsetFromMeta(bytes: Uint8Array, start: number): string | undefined {
  const head = asciiView(bytes, start, start + META_SCAN_BYTES);
  const re = /<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([a-zA-Z0-9_:.\-]+)/gi;
  const m = re.exec(head);
  return m ? m[1] : undefined;
}

function countReplacements(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\ufffd'); i !== -1; i = text.indexOf('\ufffd', i + 1)) n++;
  return n;
}

/** One decoder for every document (decode() without `stream` keeps nothing from one call to the next). */
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Strict UTF-8 decoding, or undefined when the bytes are not valid UTF-8. */
function decodeUtf8Strict(bytes: Uint8Array): string | undefined {
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    return undefined;
  }
}

function hasHighBytes(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! >= 0x80) return true;
  return false;
}

/** Number of non-ASCII UTF-16 code units in a string (stops counting at `limit`). */
function countNonAscii(text: string, limit: number): number {
  let n = 0;
  for (let i = 0; i < text.length && n < limit; i++) if (text.charCodeAt(i) >= 0x80) n++;
  return n;
}

interface Candidate {
  text: string;
  charset: string;
  replacements: number;
}

function decodeWith(bytes: Uint8Array, charset: string): Candidate {
  const text = new TextDecoder(charset).decode(bytes);
  return { text, charset, replacements: countReplacements(text) };
}

/**
 * The decoding chosen from the bytes alone: strict UTF-8 when the bytes are valid UTF-8, GB18030 otherwise
 * (GBK and GB2312 being its subsets, it reads every Chinese government page that is not UTF-8 or Big5).
 */
function sniffDecode(bytes: Uint8Array): Candidate & { source: 'sniff' | 'default' } {
  const utf8 = decodeUtf8Strict(bytes);
  if (utf8 !== undefined) {
    return { text: utf8, charset: 'utf-8', replacements: countReplacements(utf8), source: hasHighBytes(bytes) ? 'sniff' : 'default' };
  }
  const gb = decodeWith(bytes, 'gb18030');
  // Big5 pages are rare but exist (mirror sites): take Big5 only when GB18030 plainly fails and Big5 does far better.
  if (gb.replacements > 0) {
    const big5 = decodeWith(bytes, 'big5');
    if (big5.replacements * 4 < gb.replacements) return { ...big5, source: 'sniff' };
  }
  return { ...gb, source: 'sniff' };
}

/**
 * Decode a document's bytes. Order: BOM, then the HTTP charset, then (HTML) a <meta> charset in the
 * first 4 KB, then the bytes themselves (strict UTF-8, else GB18030). A declared charset that the
 * bytes contradict is overridden: when decoding as declared yields far more U+FFFD than the sniffed
 * decoding, or when a non-UTF-8 declaration meets bytes that are plainly valid multi-byte UTF-8.
 */
export function decodeBytes(
  bytes: Uint8Array,
  opts: { contentType?: string; kind: 'html' | 'text' },
): DecodeResult {
  const problems: Problem[] = [];
  const finish = (c: Candidate, source: CharsetSource): DecodeResult => {
    const text = c.text.charCodeAt(0) === 0xfeff ? c.text.slice(1) : c.text;
    const replacements = c.replacements;
    const length = Math.max(1, text.length);
    if (replacements > 20 || replacements / length > 0.005) {
      problems.push({
        code: 'decode_replacement_chars',
        message: `${replacements} replacement characters after decoding as ${c.charset} (source: ${source}) out of ${text.length} characters: some text is unreadable`,
      });
    }
    return { text, charset: c.charset, source, replacements, problems };
  };

  if (bytes.length === 0) return { text: '', charset: 'utf-8', source: 'default', replacements: 0, problems };

  // 1. Byte order mark: authoritative.
  const bom = detectBom(bytes);
  if (bom) {
    return finish(decodeWith(bytes.subarray(bom.length), bom.charset), 'bom');
  }

  // UTF-16 without a BOM: no declaration can be right for it (they are all ASCII-compatible, or utf-16 itself).
  const utf16 = detectUtf16NoBom(bytes);
  if (utf16) return finish(decodeWith(bytes, utf16), 'sniff');

  // 2. HTTP charset, 3. <meta> charset.
  let declared: { label: string; source: 'http' | 'meta' } | undefined;
  const httpLabel = charsetFromContentType(opts.contentType);
  const metaLabel = opts.kind === 'html' ? charsetFromMeta(bytes, 0) : undefined;
  for (const [label, source] of [[httpLabel, 'http'], [metaLabel, 'meta']] as const) {
    if (!label) continue;
    const charset = normaliseCharset(label);
    if (!charset) {
      problems.push({ code: 'decode_unknown_charset', message: `Unknown charset "${label}" declared in the ${source === 'http' ? 'HTTP Content-Type' : 'HTML <meta>'}; ignored` });
      continue;
    }
    declared = { label: charset, source };
    break;
  }

  const sniffed = sniffDecode(bytes);
  if (!declared) return finish(sniffed, sniffed.source);

  const charset = declared.label;
  if (charset === sniffed.charset) return finish(sniffed, declared.source);
  if (!hasHighBytes(bytes)) {
    // ASCII only: every ASCII-compatible charset reads it the same way.
    return finish(charset.startsWith('utf-16') ? decodeWith(bytes, charset) : { ...sniffed, charset }, declared.source);
  }

  if (WESTERN_ENCODINGS.has(charset)) {
    problems.push({
      code: 'decode_charset_mismatch',
      message: `Declared charset ${charset} (${declared.source}) cannot be right for a Chinese document; decoded as ${sniffed.charset}`,
    });
    return finish(sniffed, 'sniff');
  }

  const asDeclared = decodeWith(bytes, charset);
  // A declared legacy charset (GBK, Big5…) while the bytes are valid UTF-8 with several multi-byte
  // characters: legacy multi-byte text is almost never valid UTF-8 by accident, so the label is wrong.
  const utf8Plain = sniffed.charset === 'utf-8' && countNonAscii(sniffed.text, 4) >= 4;
  // Decoding as declared produced far more U+FFFD than the sniffed decoding, and the U+FFFD are not a few
  // stray bytes in an otherwise readable text (a UTF-8 page with two broken bytes stays UTF-8).
  const farWorse =
    asDeclared.replacements >= 3 * sniffed.replacements + 2 &&
    asDeclared.replacements * 10 >= countNonAscii(asDeclared.text, Infinity) - asDeclared.replacements;
  if ((charset !== 'utf-8' && utf8Plain) || farWorse) {
    problems.push({
      code: 'decode_charset_mismatch',
      message: `Declared charset ${charset} (${declared.source}) does not fit the bytes (${asDeclared.replacements} replacement characters as declared, ${sniffed.replacements} as ${sniffed.charset}); decoded as ${sniffed.charset}`,
    });
    return finish(sniffed, 'sniff');
  }
  return finish(asDeclared, declared.source);
}
