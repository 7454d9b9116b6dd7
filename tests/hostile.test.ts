/**
 * Hostile files (tests/helpers/hostile.ts: small files declaring or inflating to huge sizes) through
 * `nianbao extract --json` between good documents: every document gets its answer, in order, each
 * hostile one an `error` whose problem names the limit it met (extractors/limits.ts), the good ones
 * read in full. Time and memory are the benchmark's (`npm run bench -- hostile`), not asserted here.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostileFiles, pdfManyOps, type HostileFile } from './helpers/hostile.js';
import { extractJsonLines } from './helpers/extract-cli.js';
import { extractBytes } from '../src/extract.js';
import { ExtractPool } from '../src/pool/pool.js';
import { LIMITS } from '../extractors/limits.js';
import type { Report } from '../src/report.js';

const root = resolve(import.meta.dirname, '..');
const good = join(root, 'samples', 'xihua-county-2021.html');
const expected = JSON.parse(readFileSync(good.replace(/\.html$/, '.expected.json'), 'utf8')) as { figures: Record<string, number> };

let dir: string;
let files: HostileFile[];
let lines: Report[];
let exitCode: number | null;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'nianbao-hostile-'));
  files = hostileFiles();
  const paths = files.map((f) => {
    const p = join(dir, f.name);
    writeFileSync(p, f.bytes);
    return p;
  });
  // good, hostile…, good: one process, the default workers
  ({ exitCode, lines } = extractJsonLines([good, ...paths, good]));
}, 600_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('hostile files through extract, between good documents', () => {
  it('answers every document, in order, and exits 1 (some could not be read)', () => {
    expect(exitCode).toBe(1);
    expect(lines.map((l) => l.source)).toEqual([good, ...files.map((f) => join(dir, f.name)), good]);
  });

  it('reads the good documents in full, before and after the hostile ones', () => {
    for (const r of [lines[0], lines.at(-1)!]) {
      expect(r.status).toBe('ok');
      expect(r.figures).toEqual(expected.figures);
    }
  });

  it('each hostile file is an error naming the limit it met (or, with no limit met, is simply answered)', () => {
    files.forEach((f, i) => {
      const r = lines[i + 1];
      if (f.limit === null) {
        expect(r.status, f.name).not.toBe('error');
        return;
      }
      expect(r.status, f.name).toBe('error');
      expect(r.problems[0].code, f.name).toBe('limit_exceeded');
      expect(r.problems[0].message, f.name).toContain(`(limit ${f.limit} = `);
      expect(r.problems[0].message, f.name).toMatch(/; not read$/);
    });
  });

  it('names the figure met beside the limit', () => {
    const by = (name: string) => lines[files.findIndex((f) => f.name === name) + 1].problems[0].message;
    expect(by('nested.html')).toBe("the page's nesting of tables or divisions is 10,000 levels, over the deepest nesting of tables or divisions read (limit htmlDepth = 256 levels); not read");
    expect(by('huge.png')).toBe("the image's frame 1 (100000×100000) is 10,000,000,000 pixels, over the largest image frame decoded (limit imagePixels = 60,000,000 pixels); not read");
    expect(by('frames.tiff')).toBe("the pixels of the image's 3 first frames is 176,947,200 pixels, over the most pixels decoded from one document (limit imageTotalPixels = 150,000,000 pixels); not read");
    expect(by('many-nodes.docx')).toBe("the XML part word/document.xml's element count is 2,500,002, over the most XML elements read from one part (limit xmlNodes = 2,000,000); not read");
    expect(by('bomb.xlsx')).toMatch(/^the ZIP entry xl\/worksheets\/sheet1\.xml (\(inflated so far\)|inflates past)/);
  });
});

describe('a PDF page over the per-page operator limit, under the document limit', () => {
  it('is not read, and the problem names the limit', async () => {
    const f = pdfManyOps(LIMITS.pdfOpsPerPage * 1.5);
    const r = await extractBytes(f.bytes, { source: 'ops.pdf' });
    expect(r.status).toBe('error');
    expect(r.problems[0]).toEqual({
      code: 'limit_exceeded',
      message: expect.stringMatching(/^page 1's drawing operator count is [\d,]+, over the most drawing operators read on one PDF page \(limit pdfOpsPerPage = 400,000\); not read$/),
      where: 'page 1',
    });
  }, 120_000);
});

describe('a time limit ends the work, not only the wait', () => {
  it("a PDF given up at its time limit has its worker thread stopped and replaced; the next document is read", async () => {
    const pool = new ExtractPool({ size: 1 });
    try {
      const slow = pdfManyOps(LIMITS.pdfOpsPerPage * 0.9);
      const [given, next] = await Promise.all([
        pool.extract(slow.bytes, { source: 'slow.pdf', pdfTimeoutMs: 1 }),
        pool.extract(new Uint8Array(readFileSync(good)), { source: 'next.html' }),
      ]);
      expect(given.problems.map((p) => p.code)).toEqual(['pdf_timeout']);
      expect(pool.retired).toBe(1);
      expect(pool.crashes).toBe(0);
      expect(next.status).toBe('ok');
      expect(next.figures).toEqual(expected.figures);
    } finally {
      await pool.close();
    }
  }, 120_000);
});
