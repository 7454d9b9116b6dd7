import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeBytes, sniffKind } from '../src/decode.js';
import { extractText } from '../extractors/text.js';
import type { Grid } from '../extractors/types.js';

const FUGOU = new URL('../corpus/real/fugou-natural-resources-2021.txt', import.meta.url);
const texts = (g: Grid) => g.rows.map((r) => r.map((c) => c.text));
const zeros = (n: number) => new Array<string>(n).fill('0');

describe('extractText: the fugou report copied out of its web page', () => {
  const raw = readFileSync(FUGOU);
  const decoded = decodeBytes(new Uint8Array(raw), { kind: 'text' });
  const doc = extractText(decoded.text);

  it('is sniffed as UTF-8 text', () => {
    expect(sniffKind(new Uint8Array(raw), undefined, 'fugou.txt')).toBe('text');
    expect(decoded).toMatchObject({ charset: 'utf-8', source: 'sniff' });
    expect(decoded.replacements).toBe(0);
    expect(decoded.problems).toEqual([]);
  });

  it('finds the three table blocks with their captions', () => {
    expect(doc.kind).toBe('text');
    expect(doc.text).toBe(decoded.text);
    expect(doc.grids.map((g) => [g.index, g.caption, g.rows.length, g.aligned, g.where.line])).toEqual([
      [1, '二、主动公开政府信息情况', 14, false, 33],
      [2, '三、收到和处理政府信息公开申请情况', 28, false, 51],
      [3, '四、政府信息公开行政复议、行政诉讼情况', 4, false, 82],
    ]);
    expect(doc.headings).toEqual([
      '扶沟县自然资源局2021年政府信息公开工作年度报告',
      '一、总体情况',
      '（一）主动公开政府信息情况',
      '（二）政府信息依申请公开办理情况',
      '（三）政府信息资源的规范化、标准化管理情况',
    ]);
  });

  it('keeps Article 20 caption rows and the fees rows after a blank line in one grid', () => {
    const t = texts(doc.grids[0]!);
    expect(t[0]).toEqual(['第二十条第（一）项', '', '', '']);
    expect(t[1]).toEqual(['信息内容', '本年制发件数', '本年废止件数', '现行有效件数']);
    expect(t[6]).toEqual(['行政许可', '53', '', '']);
    expect(t[11]).toEqual(['第二十条第（八）项', '', '', '']);
    expect(t[12]).toEqual(['信息内容', '本年收费金额(单位:万元,保留4位小数)']);
    expect(t[13]).toEqual(['行政事业性收费', '0']);
    expect(doc.grids[0]!.rows[13]!.map((c) => c.where.line)).toEqual([47, 47]);
  });

  it('reads request rows cell by cell, empty cells and the trailing empty cell included', () => {
    const g = doc.grids[1]!;
    const t = texts(g);
    expect(t[3]).toEqual(['一、本年新收政府信息公开申请数量', '', ...zeros(7), '']);
    expect(g.rows[3]![0]!.where).toEqual({ table: 2, row: 3, col: 0, line: 54 });
    expect(g.rows[3]![9]!.where).toEqual({ table: 2, row: 3, col: 9, line: 54 });
    expect(t[5]).toEqual(['三、本年度办理结果', '(一) 予以公开', '', ...zeros(6), '']);
    expect(t[7]).toEqual(['', '(三) 不予公开', '1.属于国家秘密', '', ...zeros(6)]);
    expect(t[8]).toEqual(['', '', '2.其他法律法规禁止公开', '', ...zeros(6)]);
    expect(t[27]).toEqual(['', '四、结转下年度继续办理', '', ...zeros(7)]);
    expect(t[0]).toEqual(['(本列数据的勾稽关系为: 第一项加第二项之和, 等于第三项加第四项之和)', '', '申请人情况', '', '', '', '', '', '总计', '']);
    expect(t[2]).toEqual(['', '', '', '商业企业', '科研机构', '社会组织', '法律服务机构', '其他', '', '']);
  });

  it('reads the review and litigation figures', () => {
    const t = texts(doc.grids[2]!);
    expect(t[3]).toEqual(['0', '0', '0', '0', '0', '4', '0', '2', '0', '6', '0', '0', '0', '0', '0']);
    expect(t[1]!.slice(5, 7)).toEqual(['未经复议直接起诉', '']);
    expect(doc.grids[2]!.rows[3]![9]!.where).toEqual({ table: 3, row: 3, col: 9, line: 85 });
  });
});

describe('extractText: other copies', () => {
  it('reads tables whose cells are separated by runs of spaces', () => {
    const text = [
      '某局2020年政府信息公开工作年度报告',
      '',
      '四、政府信息公开行政复议、行政诉讼情况',
      '结果维持    结果纠正    其他结果    尚未审结    总计',
      '  1          0           2          0         3  ',
      '行政复议　　1　　0　　2',
      '',
      '五、存在的主要问题及改进情况',
      '工作人员  业务水平  有待提高。',
    ].join('\n');
    const d = extractText(text);
    expect(d.grids).toHaveLength(1);
    const g = d.grids[0]!;
    expect(g.caption).toBe('四、政府信息公开行政复议、行政诉讼情况');
    expect(texts(g)).toEqual([
      ['结果维持', '结果纠正', '其他结果', '尚未审结', '总计'],
      ['1', '0', '2', '0', '3'],
      ['行政复议', '1', '0', '2'],
    ]);
    expect(g.rows[2]!.map((c) => c.where.line)).toEqual([6, 6, 6, 6]);
    expect(d.headings).toEqual([
      '某局2020年政府信息公开工作年度报告',
      '四、政府信息公开行政复议、行政诉讼情况',
      '结果维持 结果纠正 其他结果 尚未审结 总计',
      '1 0 2 0 3',
      '行政复议 1 0 2',
    ]);
  });

  it('takes the small space-separated Article 20 tables once the document has a wider one', () => {
    const text = [
      '第二十条第（一）项',
      '信息内容    本年制发件数   本年废止件数      现行有效件数',
      '规章   2      5      45',
      '行政规范性文件    43      7   255',
      '',
      '第二十条第（五）项',
      '信息内容      本年处理决定数量',
      '行政许可      3532',
      '',
      '发布日期：2023-01-20  来源：本局',
      '浏览次数：5  字号：大 中 小',
    ].join('\n');
    const d = extractText(text);
    expect(d.grids.map((g) => [g.caption, texts(g)])).toEqual([
      ['第二十条第（一）项', [['信息内容', '本年制发件数', '本年废止件数', '现行有效件数'], ['规章', '2', '5', '45'], ['行政规范性文件', '43', '7', '255']]],
      ['第二十条第（五）项', [['信息内容', '本年处理决定数量'], ['行政许可', '3532']]],
    ]);
    // Alone, the small table is not enough evidence of a table.
    expect(extractText(text.split('\n').slice(5).join('\n')).grids).toEqual([]);
  });

  it('does not take prose with double spaces for a table', () => {
    const d = extractText('发布日期：2021-01-20  来源：本局\n浏览次数：5  字号：大 中 小\n正文。');
    expect(d.grids).toEqual([]);
  });

  it('starts a new grid at a caption line without tabs, and keeps one-cell tab rows', () => {
    const text = ['第二十条第（一）项', '信息内容\t本年制发件数', '规章\t1', '第二十条第（五）项', '信息内容\t本年处理决定数量', '行政许可\t7\t'].join('\r\n');
    const d = extractText(text);
    expect(d.grids.map((g) => [g.caption, texts(g)])).toEqual([
      ['第二十条第（一）项', [['信息内容', '本年制发件数'], ['规章', '1']]],
      ['第二十条第（五）项', [['信息内容', '本年处理决定数量'], ['行政许可', '7', '']]],
    ]);
    expect(d.grids[1]!.rows[1]![1]!.where.line).toBe(6);
  });

  it('reads a GBK text file once decoded', () => {
    const bytes = new Uint8Array(readFileSync(new URL('./fixtures/text/gbk-table.txt', import.meta.url)));
    const dec = decodeBytes(bytes, { kind: 'text' });
    expect(dec).toMatchObject({ charset: 'gb18030', source: 'sniff', replacements: 0 });
    const d = extractText(dec.text);
    expect(d.headings[0]).toBe('某县2021年政府信息公开工作年度报告');
    expect(d.grids).toHaveLength(1);
    expect(d.grids[0]!.caption).toBe('某县2021年政府信息公开工作年度报告');
    expect(texts(d.grids[0]!)).toEqual([['规章', '0', '0', '0'], ['行政规范性文件', '2', '1', '5']]);
  });

  it('does not take tab-indented paragraphs for table rows', () => {
    const text = ['\t一、总体情况', '', '\t本年度，我局认真贯彻落实政府信息公开条例，全面推进政务公开。', '\t\t', '规章\t0\t0\t0', '\t\t', '行政规范性文件\t2\t1\t5', '\t二、主动公开'].join('\n');
    const d = extractText(text);
    expect(d.grids).toHaveLength(1);
    expect(d.grids[0]!.caption).toBe('本年度，我局认真贯彻落实政府信息公开条例，全面推进政务公开。');
    expect(texts(d.grids[0]!)).toEqual([['规章', '0', '0', '0'], ['行政规范性文件', '2', '1', '5']]);
    expect(d.grids[0]!.rows[1]![0]!.where.line).toBe(7);
    expect(d.headings).toEqual(['一、总体情况', '本年度，我局认真贯彻落实政府信息公开条例，全面推进政务公开。', '二、主动公开']);
  });

  it('handles empty input', () => {
    expect(extractText('')).toEqual({ kind: 'text', headings: [], text: '', grids: [], problems: [] });
  });
});
