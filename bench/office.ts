/**
 * Office files: time per document of the LibreOffice conversions (DOC → DOCX, XLS → XLSX, each a
 * fresh soffice with its own profile, as extraction runs them), of reading a DOCX and an XLSX, and of
 * the whole pipeline per form, beside the HTML page the fixtures were made from (the baseline,
 * measured in the same run). Files: samples/office (scripts/make-office-fixtures.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { extractDocx } from '../extractors/docx.js';
import { extractXlsx } from '../extractors/xlsx.js';
import { convertWithLibreOffice } from '../src/convert.js';
import { extractBytes } from '../src/extract.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = [path.resolve(HERE, '..'), path.resolve(HERE, '../..')].find((d) => existsSync(path.join(d, 'samples/office')))!;
const file = (rel: string) => new Uint8Array(readFileSync(path.join(ROOT, rel)));

/** Fastest of `rounds` runs of `fn`, in ms (the machine is shared: the fastest is the least disturbed). */
async function fastest(rounds: number, fn: () => Promise<unknown> | unknown): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    await fn();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

const row = (label: string, ms: number, note = '') => console.log(`${label.padEnd(44)} ${ms.toFixed(1).padStart(9)} ms${note ? `   ${note}` : ''}`);

export async function run(): Promise<void> {
  const html = file('samples/zhoukou-ecology-2019.html');
  const doc = file('samples/office/zhoukou-ecology-2019.doc');
  const xls = file('samples/office/zhoukou-ecology-2019.xls');
  const docx = file('samples/office/zhoukou-ecology-2019.docx');
  const xlsx = file('samples/office/xihua-county-2021.xlsx');

  console.log('per document (fastest of the rounds), sample zhoukou-ecology-2019 unless said');
  const base = await fastest(20, () => extractBytes(html, { source: 'a.html' }));
  row('baseline: HTML page, whole pipeline', base);
  const conv = async (bytes: Uint8Array, from: string, to: 'docx' | 'xlsx') => {
    const r = await convertWithLibreOffice(bytes, { from, to });
    if ('problem' in r) throw new Error(r.problem.message);
  };
  row('DOC → DOCX (LibreOffice, fresh profile)', await fastest(3, () => conv(doc, 'doc', 'docx')));
  row('XLS → XLSX (LibreOffice, fresh profile)', await fastest(3, () => conv(xls, 'xls', 'xlsx')));
  const docxRead = await fastest(20, () => extractDocx(docx));
  row('DOCX read (grids and text)', docxRead, `${(docxRead / base).toFixed(2)}× the HTML pipeline`);
  const xlsxRead = await fastest(20, () => extractXlsx(xlsx));
  row('XLSX read, xihua-county-2021 (exceljs)', xlsxRead, `${(xlsxRead / base).toFixed(2)}× the HTML pipeline`);
  row('DOCX, whole pipeline', await fastest(20, () => extractBytes(docx, { source: 'a.docx' })));
  row('DOC, whole pipeline (conversion included)', await fastest(3, () => extractBytes(doc, { source: 'a.doc' })));
}
