import { describe, expect, it } from 'vitest';
import { formatReport } from '../src/format.js';
import type { Report } from '../src/report.js';

function report(over: Partial<Report>): Report {
  return {
    source: 'x', sha256: 'a'.repeat(64), status: 'ok', version: '2021', agency: '某县人民政府', year: 2021, title: null,
    figures: {}, checks: [], problems: [], region: null, source_url: null, kind: 'html', provenance: {}, ...over,
  };
}

describe('formatReport: the header names the form read', () => {
  it('says nothing for a plain page, the kind for other forms, and "read by OCR" when the figures came from images', () => {
    const head = (r: Report) => formatReport(r).split('\n')[1];
    expect(head(report({}))).toBe('某县人民政府 · 2021 · template 2021 · status ok');
    expect(head(report({ kind: 'docx' }))).toBe('某县人民政府 · 2021 · template 2021 · status ok · docx');
    expect(head(report({ kind: 'pdf', ocr: true }))).toBe('某县人民政府 · 2021 · template 2021 · status ok · pdf, read by OCR');
    expect(head(report({ kind: 'html', ocr: true }))).toBe('某县人民政府 · 2021 · template 2021 · status ok · html, read by OCR');
  });
});
