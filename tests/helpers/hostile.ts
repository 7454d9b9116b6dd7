/**
 * Hostile files, made on the spot: small files that declare or inflate to huge sizes, each aimed at
 * one limit of the document budget (extractors/limits.ts). Used by tests/hostile.test.ts (through
 * `nianbao extract` beside good documents) and by `npm run bench -- hostile` (seconds and peak RSS).
 * Everything is deterministic; nothing is read from outside the project.
 */
import { zlibSync, Zip, ZipDeflate, strToU8 } from 'fflate';

export interface HostileFile {
  /** File name (its extension is how a reader is chosen when the bytes do not say). */
  name: string;
  /** What it is, for a person. */
  what: string;
  bytes: Uint8Array;
  /** The limit it must meet (LIMITS key), or null when it must simply be answered (no limit met). */
  limit: string | null;
}

/** A ZIP of entries, each given as a function that yields its chunks (so 80 MB never sits in memory). */
function zipStream(entries: Record<string, () => Iterable<Uint8Array>>): Uint8Array {
  const parts: Uint8Array[] = [];
  const zip = new Zip((err, chunk) => {
    if (err) throw err;
    parts.push(chunk);
  });
  for (const [name, gen] of Object.entries(entries)) {
    const f = new ZipDeflate(name, { level: 6 });
    zip.add(f);
    let last: Uint8Array | undefined;
    for (const c of gen()) {
      if (last) f.push(last);
      last = c;
    }
    f.push(last ?? new Uint8Array(0), true);
  }
  zip.end();
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) (out.set(p, o), (o += p.length));
  return out;
}

function* repeat(head: string, unit: string, times: number, tail: string): Iterable<Uint8Array> {
  yield strToU8(head);
  const block = strToU8(unit.repeat(Math.max(1, Math.floor((1 << 20) / unit.length))));
  const per = Math.max(1, Math.floor((1 << 20) / unit.length));
  let left = times;
  while (left >= per) {
    yield block;
    left -= per;
  }
  if (left > 0) yield strToU8(unit.repeat(left));
  yield strToU8(tail);
}

const DOCX_TYPES = `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`;
const DOC_HEAD = '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>';
const DOC_TAIL = '</w:body></w:document>';

/** A DOCX whose document.xml is `mb` MB of paragraphs (the 581 KB file of the issue held 190 MB). */
export function docxHugeXml(mb = 80): HostileFile {
  const para = '<w:p><w:r><w:t>政府信息公开工作年度报告 一二三四五六七八九十</w:t></w:r></w:p>';
  const times = Math.ceil((mb * 1024 * 1024) / Buffer.byteLength(para));
  const bytes = zipStream({
    '[Content_Types].xml': () => [strToU8(DOCX_TYPES)],
    'word/document.xml': () => repeat(DOC_HEAD, para, times, DOC_TAIL),
  });
  return { name: 'huge-xml.docx', what: `DOCX whose document.xml is ${mb} MB of paragraphs`, bytes, limit: 'zipEntryBytes' };
}

/** A DOCX whose document.xml is small enough but holds millions of empty elements. */
export function docxManyNodes(n = 2_500_000): HostileFile {
  const bytes = zipStream({
    '[Content_Types].xml': () => [strToU8(DOCX_TYPES)],
    'word/document.xml': () => repeat(DOC_HEAD, '<w:p/>', n, DOC_TAIL),
  });
  return { name: 'many-nodes.docx', what: `DOCX of ${n.toLocaleString('en-US')} empty paragraphs`, bytes, limit: 'xmlNodes' };
}

/**
 * An XLSX zip bomb: a sheet whose entry declares a few kilobytes and inflates to `mb` MB (the
 * central directory and local header lie), beside a workbook that names it.
 */
export function xlsxBomb(mb = 300): HostileFile {
  const row = '<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>';
  const times = Math.ceil((mb * 1024 * 1024) / row.length);
  const head = '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>';
  const z = zipStream({
    '[Content_Types].xml': () => [strToU8('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>')],
    'xl/workbook.xml': () => [strToU8('<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>')],
    'xl/worksheets/sheet1.xml': () => repeat(head, row, times, '</sheetData></worksheet>'),
  });
  // the sheet's declared uncompressed size: 4096 bytes, in its local header and the central directory
  const dv = new DataView(z.buffer, z.byteOffset, z.byteLength);
  const name = strToU8('xl/worksheets/sheet1.xml');
  const matches = (at: number) => name.every((c, i) => z[at + i] === c);
  for (let i = 0; i + 46 < z.length; i++) {
    const sig = dv.getUint32(i, true);
    if (sig === 0x04034b50 && matches(i + 30) && dv.getUint16(i + 26, true) === name.length) {
      // streamed entries keep their sizes in a data descriptor: set the local header's too
      dv.setUint32(i + 22, 4096, true);
    } else if (sig === 0x02014b50 && matches(i + 46) && dv.getUint16(i + 28, true) === name.length) {
      dv.setUint32(i + 24, 4096, true);
    } else if (sig === 0x08074b50) {
      // a data descriptor (crc, compressed, uncompressed): the sheet's is the one whose size is huge
      if (dv.getUint32(i + 12, true) > 1 << 20) dv.setUint32(i + 12, 4096, true);
    }
  }
  return { name: 'bomb.xlsx', what: `XLSX whose sheet declares 4 KB and inflates to ${mb} MB`, bytes: z, limit: 'zipEntryBytes' };
}

/** A big-endian TIFF of `frames` IFDs, each declaring width × height pixels (strips of a few bytes). */
export function tiffFrames(frames = 25, width = 7680, height = 7680): HostileFile {
  const ifdSize = 2 + 8 * 12 + 4;
  const buf = new Uint8Array(8 + frames * ifdSize + 16);
  const dv = new DataView(buf.buffer);
  buf.set([0x4d, 0x4d, 0, 42]);
  dv.setUint32(4, 8);
  const data = 8 + frames * ifdSize;
  for (let f = 0; f < frames; f++) {
    const at = 8 + f * ifdSize;
    dv.setUint16(at, 8);
    const tags: [number, number, number][] = [
      [256, 4, width], [257, 4, height], [258, 3, 8], [259, 3, 1],
      [262, 3, 1], [273, 4, data], [278, 4, height], [279, 4, 16],
    ];
    tags.forEach(([tag, type, v], i) => {
      const e = at + 2 + i * 12;
      dv.setUint16(e, tag);
      dv.setUint16(e + 2, type);
      dv.setUint32(e + 4, 1);
      if (type === 3) dv.setUint16(e + 8, v);
      else dv.setUint32(e + 8, v);
    });
    dv.setUint32(at + 2 + 8 * 12, f + 1 < frames ? at + ifdSize : 0);
  }
  const mp = ((width * height) / 1e6).toFixed(0);
  return { name: 'frames.tiff', what: `TIFF of ${frames} frames of ${mp} megapixels`, bytes: buf, limit: 'imageTotalPixels' };
}

function crc32(b: Uint8Array): number {
  let c = ~0;
  for (const x of b) {
    c ^= x;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, data.length);
  out.set(strToU8(type), 4);
  out.set(data, 8);
  dv.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** A PNG declaring width × height (one row of real data: a decoder would allocate it all first). */
export function pngHuge(width = 100_000, height = 100_000): HostileFile {
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, width);
  dv.setUint32(4, height);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const idat = zlibSync(new Uint8Array(1 + width * 3));
  const parts = [new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', ihdr), pngChunk('IDAT', idat), pngChunk('IEND', new Uint8Array(0))];
  const bytes = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) (bytes.set(p, o), (o += p.length));
  return { name: 'huge.png', what: `PNG declaring ${width}×${height} pixels`, bytes, limit: 'imagePixels' };
}

/** A baseline JPEG header declaring width × height (SOF0), then nothing worth decoding. */
export function jpegHuge(width = 65_000, height = 65_000): HostileFile {
  const sof = [0xff, 0xc0, 0, 11, 8, height >> 8, height & 255, width >> 8, width & 255, 1, 1, 0x11, 0];
  const bytes = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, ...sof, 0xff, 0xd9]);
  return { name: 'huge.jpg', what: `JPEG declaring ${width}×${height} pixels`, bytes, limit: 'imagePixels' };
}

function pdf(objects: string[]): Uint8Array {
  let out = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new Uint8Array(Buffer.from(out, 'latin1'));
}

/**
 * A one-page PDF whose content is `ops` drawing operators, Flate-compressed: thin filled rectangles
 * all over the page (each a ruling candidate for the table reader: `x y w h re f`, two operators).
 */
export function pdfManyOps(ops = 2_500_000, size = 595): HostileFile {
  const units: string[] = [];
  for (let i = 0; i < Math.ceil(ops / 2); i++) units.push(`${(i * 37) % 500} ${(i * 53) % 800} ${20 + (i % 7) * 10} 0.5 re f\n`);
  const content = Buffer.from(units.join(''), 'latin1');
  const z = Buffer.from(zlibSync(content, { level: 9 })).toString('latin1');
  const bytes = pdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${size} ${size}] /Contents 4 0 R >>`,
    `<< /Length ${z.length} /Filter /FlateDecode >>\nstream\n${z}\nendstream`,
  ]);
  return { name: 'many-ops.pdf', what: `PDF page of ${ops.toLocaleString('en-US')} drawing operators`, bytes, limit: ops > 2_000_000 ? 'pdfOps' : 'pdfOpsPerPage' };
}

/** A PDF of one 14,400 pt square page (the largest PDF allows) with a line of text: read, no limit met. */
export function pdfHugePage(): HostileFile {
  const text = 'BT /F1 400 Tf 100 7000 Td (Annual report) Tj ET';
  const bytes = pdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 14400 14400] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>',
    `<< /Length ${text.length} >>\nstream\n${text}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ]);
  return { name: 'huge-page.pdf', what: 'PDF of one 14,400 pt page', bytes, limit: null };
}

/** An HTML page of tables nested `depth` deep. */
export function htmlNested(depth = 10_000): HostileFile {
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>nested</title></head><body>${'<table><tr><td>'.repeat(depth)}x${'</td></tr></table>'.repeat(depth)}</body></html>`;
  return { name: 'nested.html', what: `HTML of tables nested ${depth.toLocaleString('en-US')} deep`, bytes: strToU8(html), limit: 'htmlDepth' };
}

/** An HTML page of `n` elements (flat). */
export function htmlManyElements(n = 2_000_000): HostileFile {
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>many</title></head><body><p>${'<b>1</b>'.repeat(n)}</p></body></html>`;
  return { name: 'many-elements.html', what: `HTML of ${n.toLocaleString('en-US')} elements`, bytes: strToU8(html), limit: 'htmlElements' };
}

/** Every hostile file, in a fixed order. */
export function hostileFiles(): HostileFile[] {
  return [docxHugeXml(), docxManyNodes(), xlsxBomb(), tiffFrames(), pngHuge(), jpegHuge(), pdfManyOps(), pdfHugePage(), htmlNested(), htmlManyElements()];
}

