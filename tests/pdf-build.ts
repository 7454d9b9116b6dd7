/**
 * Tiny hand-made PDFs for the failure-mode tests of the PDF extractor: one page of text in a font
 * whose ToUnicode map sends the bytes 0x20–0x7E to chosen code points, and an encrypted file whose
 * password is unknown.
 */

function assemble(objects: string[], trailerExtra = ''): Uint8Array {
  let out = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R ${trailerExtra}>>\nstartxref\n${xref}\n%%EOF\n`;
  return new Uint8Array(Buffer.from(out, 'latin1'));
}

const stream = (s: string, dict = '') => `<< /Length ${Buffer.byteLength(s, 'latin1')} ${dict}>>\nstream\n${s}\nendstream`;

/** Appends a page (font /F1 = object 3) and its content stream to `objects`, its object number to `pageRefs`. */
function addPage(objects: string[], pageRefs: number[], content: string): void {
  const pageNo = objects.length + 1;
  pageRefs.push(pageNo);
  objects.push(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents ${pageNo + 1} 0 R >>`);
  objects.push(stream(content));
}

/** Fills object 2, the page tree, with the pages added. */
function withPages(objects: string[], pageRefs: number[]): string[] {
  objects[1] = `<< /Type /Pages /Kids [${pageRefs.map((r) => `${r} 0 R`).join(' ')}] /Count ${pageRefs.length} >>`;
  return objects;
}

/**
 * One page per string; each string's characters are mapped (through ToUnicode) from the bytes
 * 0x21, 0x22, … in order, so any Unicode text (private-use characters included) comes out as given.
 */
export function buildPdf(pages: string[]): Uint8Array {
  const objects: string[] = [];
  const pageRefs: number[] = [];
  // 1 catalog, 2 pages, 3 font, 4 tounicode, then per page: page, content
  const chars = Array.from(new Set(pages.flatMap((p) => Array.from(p))));
  if (chars.length > 90) throw new Error('too many distinct characters');
  const code = new Map(chars.map((c, i) => [c, 0x21 + i]));
  const hex = (n: number, w: number) => n.toString(16).toUpperCase().padStart(w, '0');
  const cmap = [
    '/CIDInit /ProcSet findresource begin', '12 dict begin', 'begincmap',
    '/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def', '/CMapName /Adobe-Identity-UCS def', '/CMapType 2 def',
    '1 begincodespacerange', '<00> <FF>', 'endcodespacerange',
    `${chars.length} beginbfchar`,
    ...chars.map((c) => `<${hex(code.get(c)!, 2)}> <${Array.from(Buffer.from(c, 'utf16le')).reduce((s, b, i, a) => (i % 2 ? s : s + hex(a[i + 1], 2) + hex(b, 2)), '')}>`),
    'endbfchar', 'endcmap', 'CMapName currentdict /CMap defineresource pop', 'end', 'end',
  ].join('\n');
  objects.push('<< /Type /Catalog /Pages 2 0 R >>');
  objects.push(''); // pages, filled below
  objects.push('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 4 0 R >>');
  objects.push(stream(cmap));
  for (const text of pages) {
    const bytes = Array.from(text).map((c) => String.fromCharCode(code.get(c)!)).join('').replace(/[()\\]/g, (m) => '\\' + m);
    const content = `BT /F1 12 Tf 72 720 Td (${bytes}) Tj ET`;
    addPage(objects, pageRefs, content);
  }
  return assemble(withPages(objects, pageRefs));
}

/** A PDF encrypted with the standard security handler and a user password nobody knows. */
export function encryptedPdf(): Uint8Array {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>',
    `<< /Filter /Standard /V 1 /R 2 /Length 40 /P -4 /O <${'7a'.repeat(32)}> /U <${'3c'.repeat(32)}> >>`,
  ];
  return assemble(objects, `/Encrypt 4 0 R /ID [<${'11'.repeat(16)}> <${'11'.repeat(16)}>] `);
}

/** One page per content stream, with Helvetica as /F1 (widths from pdfjs's standard font data). */
export function rawPdf(contents: string[]): Uint8Array {
  const objects: string[] = ['<< /Type /Catalog /Pages 2 0 R >>', '', '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>'];
  const pageRefs: number[] = [];
  for (const content of contents) {
    addPage(objects, pageRefs, content);
  }
  return assemble(withPages(objects, pageRefs));
}
