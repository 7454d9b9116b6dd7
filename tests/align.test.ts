/**
 * Issue 17 item 6: labels of OCR'd grids matched by the template's order, not by exact text.
 * Grids as OCR gives them: the sample pages' tables with every cell marked as read by OCR and their
 * labels garbled, as the issue reports (太年度办理结昊, 总T, 尚天宙结, 郑研对，沟, Z年制发牛数) and by
 * seeded random edits (a character misread, dropped or doubled). The seeds asserted here were not
 * the ones the thresholds were tuned on (1-3).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { extractHtml } from '../extractors/html.js';
import { mapGrids } from '../extractors/labels.js';
import { parseCell } from '../extractors/values.js';
import { editDistance } from '../extractors/align.js';
import type { Grid } from '../extractors/types.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const samples = join(root, 'samples');

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** The page's grids as OCR would give them: every cell with a confidence, labels passed through `garble`. */
function ocrGrids(name: string, garble: (label: string) => string, ocr = true): Grid[] {
  const doc = extractHtml(readFileSync(join(samples, `${name}.html`), 'utf8'));
  const memo = new Map<string, string>();
  return doc.grids.map((g) => ({
    ...g,
    rows: g.rows.map((row) =>
      row.map((c) => {
        let text = c.text;
        if (text && parseCell(text).value === null) {
          if (!memo.has(text)) memo.set(text, garble(text));
          text = memo.get(text)!;
        }
        return ocr ? { ...c, text, confidence: 0.9 } : { ...c, text };
      }),
    ),
  }));
}

const expected = (name: string) => JSON.parse(readFileSync(join(samples, `${name}.expected.json`), 'utf8')).figures as Record<string, number>;

/** The misreadings the issue reports, each put in the place of its label. */
const ISSUE: Record<string, string> = {
  '三、本年度办理结果': '三、太年度办理结昊',
  '（七）总计': '（七）总T',
  尚未审结: '尚天宙结',
  科研机构: '郑研对，沟',
  本年制发件数: 'Z年制发牛数',
  '2.重复申请': '2.重夏申靖',
  '行政处罚': '行攻处罚',
};

describe('OCR labels aligned against the template', () => {
  const name = 'xihua-county-2021';
  const garble = (t: string) => ISSUE[t] ?? t;

  it('reads every figure of a grid with the issue\'s misread labels, naming each alignment', () => {
    const m = mapGrids(ocrGrids(name, garble));
    expect(m.figures).toEqual(expected(name));
    const aligned = m.problems.filter((p) => p.code === 'label_aligned').map((p) => p.message);
    for (const label of ['三、太年度办理结昊', '（七）总T', '尚天宙结', '郑研对，沟', '2.重夏申靖', '行攻处罚']) {
      expect(aligned.some((msg) => msg.includes(`"${label}"`))).toBe(true);
    }
    expect(aligned.find((msg) => msg.includes('"郑研对，沟"'))).toMatch(/taken as "科研机构" \(the place its neighbours leave open; 3 of 4 characters differ\)/);
    // Z年制发牛数 still names 制发: recognised as it is, no alignment needed
    expect(aligned.some((msg) => msg.includes('Z年制发牛数'))).toBe(false);
    // the printed (misread) text stays in the provenance
    expect(m.provenance['litigation_direct.pending']?.col_label).toContain('尚天宙结');
    expect(m.provenance['requests.total.natural']?.row_label).toContain('（七）总T');
  });

  it('never touches grids that were not read by OCR', () => {
    const m = mapGrids(ocrGrids(name, garble, false));
    expect(m.problems.some((p) => p.code === 'label_aligned')).toBe(false);
    // the rows 总T and 2.重夏申靖 stay unrecognised there, as before
    expect(m.figures['requests.total.natural']).toBeUndefined();
    expect(m.figures['requests.not_processed.duplicate.natural']).toBeUndefined();
    expect(m.problems.filter((p) => p.code === 'row_unrecognised').map((p) => p.message).join(' ')).toContain('2.重夏申靖');
  });

  it('reads an unchanged OCR grid exactly, with no alignment', () => {
    const m = mapGrids(ocrGrids(name, (t) => t));
    expect(m.figures).toEqual(expected(name));
    expect(m.problems.filter((p) => p.code === 'label_aligned')).toEqual([]);
  });

  it('edit distance counts misread, missing and extra characters', () => {
    expect(editDistance('太年度办理结昊', '本年度办理结果')).toBe(2);
    expect(editDistance('总T', '总计')).toBe(1);
    expect(editDistance('行政可', '行政许可')).toBe(1);
    expect(editDistance('科研机牛构', '科研机构')).toBe(1);
  });
});

describe('seeded random misreadings over every sample page (seeds 21-23, not tuned on)', () => {
  const POOL = [...'太昊天宙郑对沟牛乙甲申由田白日目自首百千干于子予了孑午生失矢未末本木术禾米来'];
  const names = readdirSync(samples)
    .filter((f) => f.endsWith('.html') && !/legacy|not-a-report|narrative/.test(f))
    .map((f) => f.replace(/\.html$/, ''));

  function run(seed: number, p: number, ocr: boolean) {
    let total = 0, exact = 0, wrong = 0;
    for (const name of names) {
      const r = rng(seed * 7919 + name.length * 31 + name.charCodeAt(3));
      const garble = (t: string) => {
        const out: string[] = [];
        for (const c of t) {
          if (!/\p{Script=Han}/u.test(c) || r() >= p) out.push(c);
          else if (r() < 0.6) out.push(POOL[Math.floor(r() * POOL.length)]);
          else if (r() < 0.5) continue;
          else out.push(c, POOL[Math.floor(r() * POOL.length)]);
        }
        return out.join('');
      };
      const m = mapGrids(ocrGrids(name, garble, ocr));
      for (const [k, v] of Object.entries(expected(name))) {
        total++;
        if (m.figures[k] === v) exact++;
        else if (m.figures[k] !== null && m.figures[k] !== undefined) wrong++;
      }
    }
    return { total, exact, wrong };
  }

  it('recovers most figures that exact matching loses, and puts almost none in a wrong place', () => {
    for (const seed of [21, 22, 23]) {
      const without = run(seed, 0.15, false);
      const withAlign = run(seed, 0.15, true);
      expect(withAlign.total).toBe(without.total);
      // exact matching alone loses about half; aligned, three quarters or more are exact
      expect(withAlign.exact / withAlign.total).toBeGreaterThan(0.7);
      expect(withAlign.exact - without.exact).toBeGreaterThan(withAlign.total * 0.15);
      expect(withAlign.wrong).toBeLessThanOrEqual(Math.max(5, without.wrong));
    }
  }, 60_000);
});
