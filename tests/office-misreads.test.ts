/**
 * Two misreads of known forms (issue 9, item 6):
 *  - a text copy that keeps every blank cell as a tab is read by position, even in a row of mostly
 *    blanks (table 4's fifteen numbers), instead of sliding the figures left over the blanks;
 *  - a number that wraps inside a narrow PDF cell (116 printed as 11 over 6) is one number
 *    (samples/pdf/pdf-2021-narrow.pdf, printed by Chromium from its HTML, scripts/make-pdf-samples.ts).
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { extractBytes } from '../src/extract.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

interface Expected {
  status: string;
  version: string | null;
  agency: string | null;
  year: number | null;
  figures: Record<string, number | null>;
  fails: string[];
}

const load = (rel: string) => JSON.parse(readFileSync(join(root, rel), 'utf8')) as Expected;

describe('a tab copy that keeps every blank cell', () => {
  const name = 'samples/xihua-natural-resources-2021-tabs';
  const exp = load(`${name}.expected.json`);
  // Blank the first two applicant columns of every request row (自然人, 商业企业) and, in table 4's row of
  // fifteen, the five review figures and the last total: the tabs stay, so each figure keeps its place.
  const lines = readFileSync(join(root, `${name}.txt`), 'utf8').split('\n');
  const blanked = lines.map((line) => {
    const f = line.split('\t');
    if (f.length === 10 && /^\d+$/.test(f[3]!) && /^\d+$/.test(f[9]!)) {
      f[3] = '';
      f[4] = '';
    } else if (f.length === 15 && f.every((x) => /^\d+$/.test(x))) {
      for (const i of [0, 1, 2, 3, 4, 14]) f[i] = '';
    }
    return f.join('\t');
  });
  const changed = blanked.filter((l, i) => l !== lines[i]).length;
  const want: Record<string, number | null> = { ...exp.figures };
  for (const k of Object.keys(want)) {
    if (/^requests\..*\.(natural|commercial)$/.test(k) || k.startsWith('review.') || k === 'litigation_after_review.total') want[k] = 0;
  }

  it('reads every figure at its position', async () => {
    expect(changed).toBe(26); // 25 request rows and table 4's row
    const r = await extractBytes(new TextEncoder().encode(blanked.join('\n')), { source: 'blanked.txt' });
    expect(r.status).toBe('ok');
    expect(r.figures).toEqual(want);
    expect(r.provenance['litigation_direct.upheld']).toMatchObject({ text: '10', blank: false, where: { col: 5 } });
    expect(r.provenance['review.total']).toMatchObject({ text: '', blank: true, where: { col: 4 } });
    expect(r.provenance['requests.new.research']).toMatchObject({ text: '111', where: { col: 5 } });
  });

  it('still reads the copies that dropped their blank cells, and the sample as it is', async () => {
    const r = await extractBytes(readFileSync(join(root, `${name}.txt`)), { source: `${name}.txt` });
    expect(r.figures).toEqual(exp.figures);
  });
});

describe('a number wrapped inside a narrow PDF cell', () => {
  const dir = 'samples/pdf-wrap';
  const exp = load(`${dir}/pdf-2021-narrow.expected.json`);

  it('is one number: every figure as in the page printed wide', async () => {
    const r = await extractBytes(new Uint8Array(readFileSync(join(root, dir, 'pdf-2021-narrow.pdf'))), { source: 'pdf-2021-narrow.pdf' });
    expect([r.kind, r.status, r.version, r.agency, r.year]).toEqual(['pdf', exp.status, exp.version, exp.agency, exp.year]);
    expect(r.problems.filter((p) => p.code === 'cell_unreadable')).toEqual([]);
    expect(r.figures).toEqual(exp.figures);
    expect(r.checks.filter((c) => c.status === 'fail').map((c) => c.id)).toEqual(exp.fails);
    // 350 is printed as 35 over 0, 911 as 91 over 1: the text as printed is the whole number
    expect(r.provenance['requests.new.natural']!.text).toBe('350');
    expect(r.provenance['requests.new.total']!.text).toBe('911');
  }, 60_000);
});
