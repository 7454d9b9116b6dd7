/** The pipeline (src/extract.ts): what it does with documents that cannot be read in time or at all. */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { extractBytes, extractDocument } from '../src/extract.js';
import { ReportSchema } from '../src/report.js';

const PDF = resolve(__dirname, '../corpus/real/huaian-hongze-2024.pdf');
const SAMPLE = resolve(__dirname, '../samples/xihua-county-2021');

describe('the extraction pipeline', () => {
  it('gives up a PDF that does not finish in time, as an error that says so', async () => {
    const bytes = new Uint8Array(readFileSync(PDF));
    const r = await extractBytes(bytes, { source: 'slow.pdf', pdfTimeoutMs: 1 });
    expect(r.status).toBe('error');
    expect(r.kind).toBe('pdf');
    expect(r.figures).toEqual({});
    expect(r.problems).toEqual([{ code: 'pdf_timeout', message: 'the PDF could not be read within 0 s; given up' }]);
    expect(() => ReportSchema.parse(r)).not.toThrow();
  });

  it('reads the same PDF in full with the default time', async () => {
    const r = await extractBytes(new Uint8Array(readFileSync(PDF)), { source: 'huaian-hongze-2024.pdf' });
    expect(r.status).toBe('ok');
    expect(r.figures['requests.new.total']).toBe(95);
  }, 60_000);

  it('never throws: bytes of every kind give a valid report', async () => {
    const inputs: [string, Uint8Array][] = [
      ['empty.html', new Uint8Array()],
      ['nul.txt', new Uint8Array([0, 0, 0, 1, 2, 3])],
      ['fake.pdf', new TextEncoder().encode('%PDF-1.7\n garbage')],
      ['tags.html', new TextEncoder().encode('<table><tr><td rowspan="99999999">自然人</td>'.repeat(50))],
    ];
    for (const [source, bytes] of inputs) {
      const { report } = await extractDocument(bytes, { source });
      expect(() => ReportSchema.parse(report), source).not.toThrow();
      expect(report.problems.length, source).toBeGreaterThan(0);
    }
  });

  it.each([
    ['style="display:none"', 'before'],
    ['hidden', 'before'],
    ['style="visibility: hidden"', 'after'],
  ])('reads the visible tables, not a hidden copy of them (%s, %s)', async (attr, where) => {
    const html = readFileSync(SAMPLE + '.html', 'utf8');
    const expected = JSON.parse(readFileSync(SAMPLE + '.expected.json', 'utf8'));
    const start = html.indexOf('<table');
    const end = html.lastIndexOf('</table>') + '</table>'.length;
    // a print version of the tables, hidden, with other figures in every cell
    const copy = `<div ${attr} class="print-version">${html.slice(start, end).replace(/>(\d+)</g, '>9$1<')}</div>`;
    const page = where === 'before' ? html.slice(0, start) + copy + html.slice(start) : html.slice(0, end) + copy + html.slice(end);
    const r = await extractBytes(new TextEncoder().encode(page), { source: 'hidden-copy.html' });
    expect(r.status).toBe('ok');
    expect(r.figures).toEqual(expected.figures);
    expect(r.problems.filter((p) => p.code === 'duplicate_cell')).toEqual([]);
  });

  it('keeps the first of two sets of tables on one page and says so once per table', async () => {
    const html = readFileSync(SAMPLE + '.html', 'utf8');
    const expected = JSON.parse(readFileSync(SAMPLE + '.expected.json', 'utf8'));
    const start = html.indexOf('<table');
    const end = html.lastIndexOf('</table>') + '</table>'.length;
    const lastYear = `<h2>2020年政府信息公开工作年度报告</h2>${html.slice(start, end).replace(/>(\d+)</g, '>9$1<')}`;
    const r = await extractBytes(new TextEncoder().encode(html.slice(0, end) + lastYear + html.slice(end)), { source: 'two.html' });
    expect(r.figures).toEqual(expected.figures);
    const dups = r.problems.filter((p) => p.code === 'duplicate_cell');
    expect(dups.map((p) => p.message.match(/of table (\d)/)![1]).sort()).toEqual(['2', '3', '4']);
    expect(dups[0].message).toContain("another year's report");
  });
});
