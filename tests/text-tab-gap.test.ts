/**
 * Issue 17 item 9: a text copy that keeps every blank cell as a tab and has an empty label column
 * between each row's label and its figures (corpus/real/fugou-natural-resources-2021.txt: rows whose
 * label takes one, two or three cells, each followed by one empty field). Its figures are read by
 * position from the field after that gap, so a blank first figure does not slide the others left.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { extractBytes } from '../src/extract.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const name = join(root, 'corpus/real/fugou-natural-resources-2021');

/** The copy with distinct figures in its request rows, and every third row's first figure blanked. */
function variant(): string {
  const lines = readFileSync(`${name}.txt`, 'utf8').split('\n');
  let n = 0;
  return lines
    .map((line, i) => {
      const f = line.split('\t');
      if (f.length === 10 && i >= 53 && i <= 77) {
        n++;
        let v = n * 10;
        for (let j = 0; j < 10; j++) if (f[j] === '0') f[j] = String(v++);
        if (n % 3 === 0) f[f.findIndex((x) => /^\d+$/.test(x))] = '';
      }
      return f.join('\t');
    })
    .join('\n');
}

describe('a tab copy with an empty label column before the figures', () => {
  it('reads each figure at its position after the gap, blank first figures included', async () => {
    const r = await extractBytes(new TextEncoder().encode(variant()), { source: 'gap.txt' });
    // 一、本年新收: label, gap, 10..16 (7 figures)
    expect(['natural', 'commercial', 'other_org', 'total'].map((c) => r.figures[`requests.new.${c}`])).toEqual([10, 11, 15, 16]);
    // （一）予以公开 (third row): two label cells, gap, natural blank, then 31..35, 总计 lost by the copy
    expect(['natural', 'commercial', 'research', 'other_org'].map((c) => r.figures[`requests.granted.${c}`])).toEqual([0, 31, 32, 35]);
    expect(r.provenance['requests.granted.natural']).toMatchObject({ text: '', blank: true, where: { col: 3 } });
    // three label cells, gap, 50..55: the 总计 cell was cut off with the row
    expect(['natural', 'commercial', 'other_org'].map((c) => r.figures[`requests.denied.state_secret.${c}`])).toEqual([50, 51, 55]);
    // the sixth row: natural blank, commercial 61
    expect([r.figures['requests.denied.law_forbidden.natural'], r.figures['requests.denied.law_forbidden.commercial']]).toEqual([0, 61]);
    expect(r.provenance['requests.denied.law_forbidden.commercial']).toMatchObject({ text: '61', where: { col: 5 } });
  });

  it('reads the real copy as before', async () => {
    const exp = JSON.parse(readFileSync(`${name}.expected.json`, 'utf8')) as { figures: Record<string, number> };
    const r = await extractBytes(readFileSync(`${name}.txt`), { source: 'fugou.txt' });
    expect(r.figures).toEqual(exp.figures);
  });
});
