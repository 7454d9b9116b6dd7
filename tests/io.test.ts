import { describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expandArgs } from '../src/io.js';

describe('expandArgs: a folder means the documents directly in it', () => {
  it('lists pages, PDFs, text, office files and images, sorted; skips expected JSON, other files and subfolders', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nianbao-io-'));
    try {
      for (const n of ['b.html', 'a.PDF', 'scan.JPG', 'table.png', 'page.tiff', 'old.bmp', 'r.docx', 'r.expected.json', 'notes.md', 'x.gif'])
        writeFileSync(join(dir, n), 'x');
      mkdirSync(join(dir, 'sub.html'));
      const { sources, notes } = await expandArgs([dir, 'https://example.gov.cn/nb.html']);
      expect(sources.slice(0, -1)).toEqual(
        ['a.PDF', 'b.html', 'old.bmp', 'page.tiff', 'r.docx', 'scan.JPG', 'table.png', 'x.gif'].map((n) => join(dir, n)),
      );
      // the URL passes through as given
      expect(sources[sources.length - 1]).toBe('https://example.gov.cn/nb.html');
      expect(notes).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says so when a folder holds no document', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nianbao-io-'));
    try {
      writeFileSync(join(dir, 'a.expected.json'), '{}');
      const { sources, notes } = await expandArgs([dir]);
      expect(sources).toEqual([]);
      expect(notes).toEqual([`${dir}: no documents (*.html, *.htm, *.pdf, *.txt, *.docx, *.doc, *.wps, *.xlsx, *.xls, *.et, *.ofd, or images) in this folder`]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
