import { describe, it, expect } from 'vitest';
import { parseCell, toHalfWidth } from '../extractors/values.js';

describe('reading a printed cell', () => {
  it.each([
    ['53', 53],
    ['０', 0],
    ['１２３', 123],
    ['1,234', 1234],
    ['1，234，567', 1234567],
    ['3985758', 3985758],
    [' 7 ', 7],
    ['22（其中修订16件）', 22],
    ['15(含3件)', 15],
    ['35件', 35],
    ['12 件', 12],
    ['1 234 567', 1234567],
    ['7730.28', 7730.28],
    ['160.5964万元', 160.5964],
    ['〇', 0],
    ['零', 0],
  ])('%s reads as %s', (text, value) => {
    expect(parseCell(text)).toEqual({ value, blank: false });
  });

  it.each(['', ' ', '\u3000', '—', '——', '-', '－', '/', '／', '无', '無', '&nbsp;'.replace('&nbsp;', '\u00a0')])(
    '"%s" is blank and reads as 0',
    (text) => {
      expect(parseCell(text)).toEqual({ value: 0, blank: true });
    },
  );

  it.each([
    ['+5', 5],
    ['＋5', 5],
    ['-3', -3],
    ['－3', -3],
    ['--253', -253],
    ['减3', -3],
    ['减少4', -4],
    ['增5', 5],
    ['增加2', 2],
  ])('signed %s reads as %s', (text, value) => {
    expect(parseCell(text).value).toBe(value);
  });

  it('converts 元 to 万元, from the cell or from the header', () => {
    expect(parseCell('251000元').value).toBe(25.1);
    expect(parseCell('251000', { unit: '元' }).value).toBe(25.1);
    expect(parseCell('25.1万元', { unit: '元' }).value).toBe(25.1);
    expect(parseCell('25.1', { unit: '万元' }).value).toBe(25.1);
    expect(parseCell('1亿元').value).toBe(10000);
  });

  it('never guesses: what is not plainly a number is unreadable, with a reason', () => {
    for (const text of ['约10', '若干', '见附件', '3/5', '12 15', '0 0', '1.2.3', 'abc', '十二']) {
      const r = parseCell(text);
      expect(r.value, text).toBeNull();
      expect(r.blank).toBe(false);
      expect(r.reason).toContain(`"${text}"`);
    }
  });

  it('maps full-width ASCII only', () => {
    expect(toHalfWidth('（１２）')).toBe('(12)');
    expect(toHalfWidth('自然人')).toBe('自然人');
  });
});
