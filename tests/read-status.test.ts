/**
 * Issue 17 items 7 and 8, on sample pages changed one cell or row at a time:
 *  - status says what was read: a report lacking template figures (a row not printed or not
 *    recognised, a cell missing from its row, a cell that cannot be read) is `partial`, with a
 *    `figures_missing` problem counting them; cells printed blank are read, so the report stays `ok`;
 *  - units and plausibility: a 元 amount is converted to 万元; an amount no unit makes plausible is
 *    named at its cell; a count read with a decimal point is a misreading, never a stored figure.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { extractBytes } from '../src/extract.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TD = '<td style="text-align:center;vertical-align:middle;">';
const html = (name: string) => readFileSync(join(root, 'samples', `${name}.html`), 'utf8');
const expected = (name: string) => JSON.parse(readFileSync(join(root, 'samples', `${name}.expected.json`), 'utf8')) as { figures: Record<string, number | null> };
const read = (page: string) => extractBytes(new TextEncoder().encode(page), { source: 'page.html' });

/** The n-th cell after the one holding `label`, its text replaced. */
function setCell(page: string, label: string, n: number, text: string): string {
  let at = page.indexOf(`>${label}</td>`);
  expect(at).toBeGreaterThan(0);
  for (let i = 0; i < n; i++) at = page.indexOf('<td', at + 1);
  const open = page.indexOf('>', at) + 1;
  const close = page.indexOf('</td>', open);
  return page.slice(0, open) + text + page.slice(close);
}

describe('status: ok only when every template cell was read or printed blank', () => {
  const name = 'xihua-county-2021';

  it('the sample as published is ok, with no figures_missing', async () => {
    const r = await read(html(name));
    expect(r.status).toBe('ok');
    expect(r.problems.map((p) => p.code)).not.toContain('figures_missing');
  });

  it('a row not recognised: partial, its seven figures counted', async () => {
    const r = await read(html(name).replace(`${TD}2.重复申请</td>`, `${TD}2.某某某某</td>`));
    expect(r.status).toBe('partial');
    const p = r.problems.find((x) => x.code === 'figures_missing');
    expect(p?.message).toMatch(/^7 of the template's 200 figures were not read: 7 not found/);
    expect(p?.message).toContain('requests.not_processed.duplicate.natural');
    // every other figure as published
    const want = { ...expected(name).figures };
    for (const k of Object.keys(want)) if (k.startsWith('requests.not_processed.duplicate.')) delete want[k];
    expect(r.figures).toEqual(want);
    expect(r.problems.find((x) => x.code === 'row_unrecognised')?.message).toContain('2.某某某某');
  });

  it('a cell that cannot be read: partial, one unreadable', async () => {
    const r = await read(setCell(html(name), '2.重复申请', 3, '5件多'));
    expect(r.figures['requests.not_processed.duplicate.research']).toBeNull();
    expect(r.status).toBe('partial');
    expect(r.problems.find((x) => x.code === 'figures_missing')?.message).toMatch(/^1 of the template's 200 figures were not read: 1 unreadable \(requests\.not_processed\.duplicate\.research\)/);
  });

  it('a cell missing from its row (a short row of an HTML table): partial, counted as missing', async () => {
    const page = html(name);
    // 2.重复申请's row loses its last cell (总计)
    const at = page.indexOf(`${TD}2.重复申请</td>`);
    const end = page.indexOf('</tr>', at);
    const lastTd = page.lastIndexOf('<td', end);
    const r = await read(page.slice(0, lastTd) + page.slice(page.indexOf('</td>', lastTd) + '</td>'.length));
    // the column lies past the row's end: no cell, so no figure
    expect(r.figures['requests.not_processed.duplicate.total']).toBeUndefined();
    expect(r.figures['requests.not_processed.duplicate.other_org']).toBe(11);
    expect(r.status).toBe('partial');
    expect(r.problems.find((x) => x.code === 'figures_missing')?.message).toMatch(/^1 of the template's 200 figures were not read: 1 not found .*\(requests\.not_processed\.duplicate\.total\)/);
  });

  it('cells printed blank (empty, —, /) are read: still ok', async () => {
    let page = setCell(html(name), '2.重复申请', 3, '');
    page = setCell(page, '2.重复申请', 4, '—');
    page = setCell(page, '2.重复申请', 5, '/');
    const r = await read(page);
    expect([3, 4, 5].map((i) => r.figures[`requests.not_processed.duplicate.${['natural', 'commercial', 'research', 'social', 'legal'][i - 1]}`])).toEqual([0, 0, 0]);
    expect(r.provenance['requests.not_processed.duplicate.legal']).toMatchObject({ text: '/', blank: true });
    expect(r.status).toBe('ok');
  });
});

describe('units and plausibility', () => {
  it('an amount printed in 元 is read in 万元', async () => {
    const r = await read(html('zhoukou-finance-2020-units').replace('160.5964万元', '73802895.90元'));
    expect(r.figures['art20.procurement.amount']).toBe(7380.28959);
    expect(r.problems.map((p) => p.code)).not.toContain('amount_implausible');
    expect(r.status).toBe('ok');
  });

  it('an amount whose unit was lost is named at its cell, with the 元 reading', async () => {
    const r = await read(html('zhoukou-finance-2020-units').replace('160.5964万元', '73802895.90'));
    expect(r.figures['art20.procurement.amount']).toBe(73802895.9);
    const p = r.problems.find((x) => x.code === 'amount_implausible');
    expect(p?.where).toMatch(/^table 2, row 政府集中采购, column 采购总金额/);
    expect(p?.message).toContain('if it is printed in 元 it is 7380.28959 万元');
  });

  it('a count read with a decimal point is a misreading: unreadable, named, partial', async () => {
    const r = await read(setCell(html('xihua-county-2021'), '行政许可', 1, '4.630'));
    expect(r.figures['art20.licensing.decisions']).toBeNull();
    const p = r.problems.find((x) => x.code === 'cell_unreadable');
    expect(p?.message).toMatch(/a count cannot have a decimal point: a misreading \(of a thousands separator\?\)/);
    expect(p?.where).toMatch(/^table 2, row 行政许可/);
    expect(r.status).toBe('partial');
  });

  it('a count read with a letter is unreadable too', async () => {
    const r = await read(setCell(html('xihua-county-2021'), '2.重复申请', 3, 'LO'));
    expect(r.figures['requests.not_processed.duplicate.research']).toBeNull();
    expect(r.problems.find((x) => x.code === 'cell_unreadable')?.message).toContain('"LO"');
  });
});
