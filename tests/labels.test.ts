import { describe, it, expect } from 'vitest';
import { mapGrids } from '../extractors/labels.js';
import { normLabel, stripNumbering } from '../extractors/normalize.js';
import type { Grid } from '../extractors/types.js';

/** A grid from rows of strings; `^` copies the cell above (rowspan), `<` the cell to the left (colspan). */
function grid(index: number, rows: string[][], aligned = true): Grid {
  const out: Grid['rows'] = [];
  rows.forEach((r, ri) => {
    const row: Grid['rows'][number] = [];
    r.forEach((t, ci) => {
      if (t === '^') row.push({ ...out[ri - 1][ci], spanned: true });
      else if (t === '<') row.push({ ...row[ci - 1], spanned: true });
      else row.push({ text: t, where: { table: index, row: ri, col: ci } });
    });
    out.push(row);
  });
  return { index, rows: out, aligned, where: { table: index } };
}

const T3_HEADER = [
  ['（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）', '<', '<', '申请人情况', '<', '<', '<', '<', '<', '总计'],
  ['^', '^', '^', '自然人', '法人或其他组织', '<', '<', '<', '<', '^'],
  ['^', '^', '^', '^', '商业企业', '科研机构', '社会公益组织', '法律服务机构', '其他', '^'],
];

describe('label normalisation', () => {
  it('folds width, spaces, quotes, traditional characters', () => {
    expect(normLabel('３．危及“三安全 一稳定”')).toBe('3.危及三安全一稳定');
    expect(normLabel('商業 企業')).toBe('商业企业');
    expect(normLabel('⼀、本年新收')).toBe('一、本年新收');
    expect(normLabel('其它')).toBe('其他');
  });
  it('strips outline numbering', () => {
    expect(stripNumbering(normLabel('（三）不予公开'))).toBe('不予公开');
    expect(stripNumbering(normLabel('1．属于国家秘密'))).toBe('属于国家秘密');
    expect(stripNumbering(normLabel('1、属于国家秘密'))).toBe('属于国家秘密');
    expect(stripNumbering('三、本年度办理结果')).toBe('本年度办理结果');
    expect(stripNumbering('(七)总计')).toBe('总计');
  });
});

describe('the request matrix (table 3)', () => {
  it('reads an HTML-style grid with rowspans, group context and the one-row 其他处理', () => {
    const g = grid(1, [
      ...T3_HEADER,
      ['一、本年新收政府信息公开申请数量', '<', '<', '11', '12', '13', '14', '15', '16', '81'],
      ['二、上年结转政府信息公开申请数量', '<', '<', '1', '—', '', '无', '/', '0', '1'],
      ['三、本年度办理结果', '（一）予以公开', '<', '5', '1', '', '', '', '', '6'],
      ['^', '（二）部分公开', '<', '2', '', '', '', '', '', '2'],
      ['^', '（三）不予公开', '1.属于国家秘密', '3', '', '', '', '', '', '3'],
      ['^', '^', '2.其他法律行政止公开', '4', '', '', '', '', '', '4'],
      ['^', '（六）其他处理', '<', '7', '', '', '', '', '', '7'],
      ['^', '（七）总计', '<', '21', '1', '', '', '', '', '22'],
      ['四、结转下年度继续办理', '<', '<', '9', '', '', '', '', '', '9'],
    ]);
    const m = mapGrids([g]);
    expect(m.figures['requests.new.natural']).toBe(11);
    expect(m.figures['requests.new.other_org']).toBe(16);
    expect(m.figures['requests.new.total']).toBe(81);
    expect(m.figures['requests.carried_over.commercial']).toBe(0);
    expect(m.provenance['requests.carried_over.commercial'].blank).toBe(true);
    expect(m.provenance['requests.carried_over.commercial'].text).toBe('—');
    expect(m.figures['requests.granted.commercial']).toBe(1);
    expect(m.figures['requests.denied.state_secret.total']).toBe(3);
    expect(m.figures['requests.denied.law_forbidden.natural']).toBe(4);
    expect(m.figures['requests.other.natural']).toBe(7);
    expect(m.figures['requests.total.total']).toBe(22);
    expect(m.figures['requests.carried_forward.total']).toBe(9);
    expect(m.otherAsOneRow).toBe(true);
    expect(m.found).toEqual({ art20: false, requests: true, litigation: false });
    expect(m.provenance['requests.new.total']).toMatchObject({ table: 3, grid: 1, col_label: '总计', where: { row: 3, col: 9 } });
  });

  it('reads the split 其他处理 rows and 3.其他 by its group', () => {
    const g = grid(1, [
      ...T3_HEADER,
      ['三、本年度办理结果', '（六）其他处理', '1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请', '1', '', '', '', '', '', '1'],
      ['^', '^', '2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请', '2', '', '', '', '', '', '2'],
      ['^', '^', '3.其他', '3', '', '', '', '', '', '3'],
    ]);
    const m = mapGrids([g]);
    expect(m.figures['requests.other.no_correction.natural']).toBe(1);
    expect(m.figures['requests.other.no_fee.natural']).toBe(2);
    expect(m.figures['requests.other.other.total']).toBe(3);
    expect(m.version).toBe('2021');
    expect(m.otherAsOneRow).toBe(false);
  });

  it('reads a text copy whose rows lost cells (unaligned)', () => {
    const g = grid(
      1,
      [
        ['(本列数据的勾稽关系为: 第一项加第二项之和, 等于第三项加第四项之和)', '', '申请人情况', '', '', '', '', '', '总计', ''],
        ['', '', '自然人', '法人或其他组织', '', '', '', '', '', ''],
        ['', '', '', '商业企业', '科研机构', '社会组织', '法律服务机构', '其他', '', ''],
        ['一、本年新收政府信息公开申请数量', '', '1', '2', '3', '4', '5', '6', '21', ''],
        ['三、本年度办理结果', '(一) 予以公开', '', '7', '0', '0', '0', '0', '0', ''],
        ['', '(三) 不予公开', '1.属于国家秘密', '', '8', '0', '0', '0', '0', '0'],
        ['', '', '2.其他法律法规禁止公开', '', '9', '0', '0', '0', '0', '0'],
      ],
      false,
    );
    const m = mapGrids([g]);
    expect(m.figures['requests.new.natural']).toBe(1);
    expect(m.figures['requests.new.social']).toBe(4);
    expect(m.figures['requests.new.total']).toBe(21);
    expect(m.figures['requests.granted.natural']).toBe(7);
    expect(m.figures['requests.granted.total']).toBe(0);
    expect(m.provenance['requests.granted.total'].text).toBe('');
    expect(m.figures['requests.denied.state_secret.natural']).toBe(8);
    expect(m.figures['requests.denied.law_forbidden.natural']).toBe(9);
    expect(m.problems.map((p) => p.code)).toContain('cell_missing');
  });

  it('reads a space-separated copy whose header rows lost their positions by the template order', () => {
    const g = grid(
      1,
      [
        ['说明', '申请人情况', '总计'],
        ['自然人', '法人或其他组织'],
        ['商业企业', '科研机构', '社会公益组织', '法律服务机构', '其他'],
        ['一、本年新收政府信息公开申请数量', '410', '153', '72', '113', '5', '6', '759'],
      ],
      false,
    );
    const m = mapGrids([g]);
    expect(m.figures['requests.new.natural']).toBe(410);
    expect(m.figures['requests.new.commercial']).toBe(153);
    expect(m.figures['requests.new.other_org']).toBe(6);
    expect(m.figures['requests.new.total']).toBe(759);
    expect(m.provenance['requests.new.research'].col_label).toBe('科研机构');
  });

  it('leaves out the cells a truncated HTML row lacks (they are absent, not blank)', () => {
    const g = grid(1, [...T3_HEADER, ['一、本年新收政府信息公开申请数量', '<', '<', '1', '2', '3']]);
    const m = mapGrids([g]);
    expect(m.figures['requests.new.commercial']).toBe(2);
    expect(m.figures['requests.new.research']).toBe(3);
    expect('requests.new.social' in m.figures).toBe(false);
    expect('requests.new.total' in m.figures).toBe(false);
  });

  it('keeps the columns of a header across a split table without a repeated header', () => {
    const a = grid(1, [...T3_HEADER, ['一、本年新收政府信息公开申请数量', '<', '<', '1', '2', '3', '4', '5', '6', '21']]);
    const b = grid(2, [['四、结转下年度继续办理', '<', '<', '6', '5', '4', '3', '2', '1', '21']]);
    const m = mapGrids([a, b]);
    expect(m.figures['requests.carried_forward.natural']).toBe(6);
    expect(m.figures['requests.carried_forward.total']).toBe(21);
  });

  it('reads headers split over two rows and a 小计 column', () => {
    const g = grid(1, [
      ['项目', '<', '<', '申请人情况', '<', '<', '<', '<', '<', '<', '<'],
      ['^', '^', '^', '自然人', '法人或其他组织', '<', '<', '<', '<', '<', '总计'],
      ['^', '^', '^', '^', '商业', '科研', '社会公益组织', '法律服务机构', '其他', '小计', '^'],
      ['^', '^', '^', '^', '企业', '机构', '^', '^', '^', '^', '^'],
      ['一、本年新收政府信息公开申请数量', '<', '<', '1', '2', '3', '4', '5', '6', '20', '21'],
    ]);
    const m = mapGrids([g]);
    expect(m.figures['requests.new.commercial']).toBe(2);
    expect(m.figures['requests.new.research']).toBe(3);
    expect(m.figures['requests.new.other_org']).toBe(6);
    expect(m.figures['requests.new.total']).toBe(21);
    expect(Object.keys(m.figures)).toHaveLength(7);
  });

  it('records an unreadable cell as null with a problem saying where', () => {
    const g = grid(1, [...T3_HEADER, ['一、本年新收政府信息公开申请数量', '<', '<', '约10', '', '', '', '', '', '10']]);
    const m = mapGrids([g]);
    expect(m.figures['requests.new.natural']).toBeNull();
    const p = m.problems.find((x) => x.code === 'cell_unreadable')!;
    expect(p.message).toContain('约10');
    expect(p.where).toContain('table 3, row 一、本年新收政府信息公开申请数量, column');
  });
});

describe('what real pages get wrong', () => {
  it('reads a row shifted by a rowspan one short, in column order, and says so', () => {
    const g = grid(1, [
      ...T3_HEADER,
      ['三、本年度办理结果', '（一）予以公开', '<', '5', '1', '', '', '', '', '6'],
      // the rowspan of 三、本年度办理结果 stopped a row early: this row starts at column 0
      ['（七）总计', '<', '21', '1', '', '', '', '', '22'],
    ]);
    const m = mapGrids([g]);
    expect(m.figures['requests.total.natural']).toBe(21);
    expect(m.figures['requests.total.commercial']).toBe(1);
    expect(m.figures['requests.total.total']).toBe(22);
    expect(m.problems.map((p) => p.code)).toContain('row_misaligned');
  });

  it('reads a row pushed right by a rowspan one too long', () => {
    const g = grid(1, [
      ...T3_HEADER,
      ['三、本年度办理结果', '（七）总计', '<', '21', '1', '', '', '', '', '22'],
      ['^', '四、结转下年度继续办理', '<', '<', '9', '2', '', '', '', '', '11'],
    ]);
    const m = mapGrids([g]);
    expect(m.figures['requests.carried_forward.natural']).toBe(9);
    expect(m.figures['requests.carried_forward.commercial']).toBe(2);
    expect(m.figures['requests.carried_forward.total']).toBe(11);
  });

  it('does not keep a （六）其他处理 subtotal row printed above its three rows', () => {
    const g = grid(1, [
      ...T3_HEADER,
      ['三、本年度办理结果', '（六）其他处理', '<', '6', '', '', '', '', '', '6'],
      ['^', '^', '1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请', '1', '', '', '', '', '', '1'],
      ['^', '^', '2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请', '2', '', '', '', '', '', '2'],
      ['^', '^', '3.其他', '3', '', '', '', '', '', '3'],
    ]);
    const m = mapGrids([g]);
    expect(Object.keys(m.figures).filter((k) => /^requests\.other\.[a-z_]+$/.test(k))).toEqual([]);
    expect(m.figures['requests.other.other.natural']).toBe(3);
    expect(m.otherAsOneRow).toBe(false);
    expect(m.problems.map((p) => p.code)).toContain('subtotal_row');
  });

  it('reads labels that hold their whole path in one cell', () => {
    const g = grid(1, [
      ['项目', '自然人', '商业企业', '科研机构', '社会公益组织', '法律服务机构', '其他', '总计'],
      ['三、本年度办理结果（六）其他处理 3.其他', '3', '', '', '', '', '', '3'],
      ['三、本年度办理结果（七）总计', '21', '1', '', '', '', '', '22'],
    ]);
    const m = mapGrids([g]);
    expect(m.figures['requests.other.other.natural']).toBe(3);
    expect(m.figures['requests.total.total']).toBe(22);
    expect('requests.other.natural' in m.figures).toBe(false);
  });

  it('reads reworded and misspelt row labels', () => {
    const g = grid(1, [
      ...T3_HEADER,
      ['三、本年度办理结果', '（一）予与公开', '<', '1', '', '', '', '', '', '1'],
      ['^', '（二）部份公开', '<', '2', '', '', '', '', '', '2'],
      ['^', '（三）不予公开', '4.保护第三人合法权益', '4', '', '', '', '', '', '4'],
      ['^', '^', '6.属于四类过程信息', '6', '', '', '', '', '', '6'],
      ['^', '（五）不予处理', '2.重复提出申请', '7', '', '', '', '', '', '7'],
      ['^', '^', '4.无正当理由反复申请', '8', '', '', '', '', '', '8'],
    ]);
    const m = mapGrids([g]);
    expect(m.figures['requests.granted.natural']).toBe(1);
    expect(m.figures['requests.partial.natural']).toBe(2);
    expect(m.figures['requests.denied.third_party.natural']).toBe(4);
    expect(m.figures['requests.denied.process.natural']).toBe(6);
    expect(m.figures['requests.not_processed.duplicate.natural']).toBe(7);
    expect(m.figures['requests.not_processed.mass_repeat.natural']).toBe(8);
    expect(m.problems).toEqual([]);
  });

  it('reads table 4 under abbreviated column headers', () => {
    const g = grid(1, [
      ['行政复议', '<', '<', '<', '<', '行政诉讼', '<', '<', '<', '<', '<', '<', '<', '<', '<'],
      ['维持', '纠正', '其他', '未审结', '总计', '未经复议直接起诉', '<', '<', '<', '<', '复议后起诉', '<', '<', '<', '<'],
      ['^', '^', '^', '^', '^', '维持', '纠正', '其他', '未审结', '总计', '维持', '纠正', '其他', '未审结', '总计'],
      '1 2 3 4 10 5 6 7 8 26 9 10 11 12 42'.split(' '),
    ]);
    const m = mapGrids([g]);
    expect(m.figures['review.pending']).toBe(4);
    expect(m.figures['litigation_after_review.total']).toBe(42);
    expect(Object.keys(m.figures)).toHaveLength(15);
  });

  it('says so when a table 2 row sits under columns that do not fit it', () => {
    const g = grid(1, [
      ['第二十条第（五）项', '<'],
      ['信息内容', '本年处理决定数量'],
      ['行政许可', '53'],
      ['第二十条第（八）项', '<'],
      ['行政事业性收费', '910.1234'],
    ]);
    const m = mapGrids([g]);
    expect(m.figures['art20.licensing.decisions']).toBe(53);
    expect('art20.fees.amount' in m.figures).toBe(false);
    const p = m.problems.find((x) => x.code === 'row_unrecognised')!;
    expect(p.message).toContain('行政事业性收费');
  });
});

describe('table 4', () => {
  const header = [
    ['行政复议', '<', '<', '<', '<', '行政诉讼', '<', '<', '<', '<', '<', '<', '<', '<', '<'],
    ['结果维持', '结果纠正', '其他结果', '尚未审结', '总计', '未经复议直接起诉', '<', '<', '<', '<', '复议后起诉', '<', '<', '<', '<'],
    ['^', '^', '^', '^', '^', '结果维持', '结果纠正', '其他结果', '尚未审结', '总计', '结果维持', '结果纠正', '其他结果', '尚未审结', '总计'],
  ];
  it('reads one row of 15 numbers', () => {
    const m = mapGrids([grid(1, [...header, '1 2 3 4 10 5 6 7 8 26 9 10 11 12 42'.split(' ')])]);
    expect(m.figures['review.upheld']).toBe(1);
    expect(m.figures['review.total']).toBe(10);
    expect(m.figures['litigation_direct.upheld']).toBe(5);
    expect(m.figures['litigation_direct.total']).toBe(26);
    expect(m.figures['litigation_after_review.pending']).toBe(12);
    expect(m.figures['litigation_after_review.total']).toBe(42);
  });
  it('a header cut short (总…, an OCR\'d picture cropped at the edge) is the column its place in the group gives, said in a problem', () => {
    const cut = header.map((r, i) => (i === 2 ? [...r.slice(0, 14), '总…'] : r));
    const m = mapGrids([grid(1, [...cut, '1 2 3 4 10 5 6 7 8 26 9 10 11 12 …'.split(' ')])]);
    expect(m.figures['litigation_after_review.pending']).toBe(12);
    // its figure is at its cell: here a figure the edge cut too, named unreadable, not lost
    expect(m.figures['litigation_after_review.total']).toBeNull();
    expect(m.provenance['litigation_after_review.total'].col_label).toBe('行政诉讼 / 复议后起诉 / 总…');
    expect(m.problems.map((p) => p.code).sort()).toEqual(['cell_unreadable', 'header_unreadable']);
    expect(m.problems.find((p) => p.code === 'header_unreadable')!.message).toMatch(/复议后起诉 it is 总计/);
    // two unreadable headers in a group: neither is guessed
    const two = header.map((r, i) => (i === 2 ? [...r.slice(0, 13), '尚…', '总…'] : r));
    const m2 = mapGrids([grid(1, [...two, '1 2 3 4 10 5 6 7 8 26 9 10 11 12 42'.split(' ')])]);
    expect('litigation_after_review.total' in m2.figures).toBe(false);
    expect('litigation_after_review.pending' in m2.figures).toBe(false);
    expect(m2.problems).toEqual([]);
  });
  it('reads three rows of five', () => {
    const g = grid(1, [
      ['', '结果维持', '结果纠正', '其他结果', '尚未审结', '总计'],
      ['行政复议', '1', '2', '3', '4', '10'],
      ['行政诉讼（未经复议直接起诉）', '5', '6', '7', '8', '26'],
      ['行政诉讼（复议后起诉）', '9', '10', '11', '12', '42'],
    ]);
    const m = mapGrids([g]);
    expect(m.figures['review.corrected']).toBe(2);
    expect(m.figures['litigation_direct.other']).toBe(7);
    expect(m.figures['litigation_after_review.total']).toBe(42);
    expect(Object.keys(m.figures)).toHaveLength(15);
  });
  it('reads a space-separated copy of table 4 in the template order', () => {
    const g = grid(
      1,
      [
        ['行政复议', '行政诉讼'],
        ['结果维持', '结果纠正', '其他结果', '尚未审结', '总计', '未经复议直接起诉', '复议后起诉'],
        '结果维持 结果纠正 其他结果 尚未审结 总计 结果维持 结果纠正 其他结果 尚未审结 总计'.split(' '),
        '1 2 3 4 10 5 6 7 8 26 9 10 11 12 42'.split(' '),
      ],
      false,
    );
    const m = mapGrids([g]);
    expect(m.figures['review.pending']).toBe(4);
    expect(m.figures['litigation_direct.upheld']).toBe(5);
    expect(m.figures['litigation_after_review.total']).toBe(42);
    expect(m.provenance['litigation_after_review.total'].col_label).toBe('复议后起诉 / 总计');
  });

  it('reads a text copy with colspans lost', () => {
    const g = grid(
      1,
      [
        ['行政复议', '', '', '', '', '行政诉讼'],
        ['结果维持', '结果纠正', '其他结果', '尚未审结', '总计', '未经复议直接起诉', '', '', '', '', '复议后起诉'],
        ['', '', '', '', '', '结果维持', '结果纠正', '其他结果', '尚未审结', '总计', '结果维持', '结果纠正', '其他结果', '尚未审结', '总计'],
        '0 0 0 0 0 4 0 2 0 6 0 0 0 0 0'.split(' '),
      ],
      false,
    );
    const m = mapGrids([g]);
    expect(m.figures['litigation_direct.upheld']).toBe(4);
    expect(m.figures['litigation_direct.other']).toBe(2);
    expect(m.figures['litigation_direct.total']).toBe(6);
    expect(Object.keys(m.figures)).toHaveLength(15);
  });
});

describe('table 2 (Article 20)', () => {
  it('reads the 2021 template from captions and small tables', () => {
    const grids = [
      grid(1, [['第二十条第（一）项', '<', '<', '<'], ['信息内容', '本年制发件数', '本年废止件数', '现行有效件数'], ['规章', '1', '2', '3'], ['规范性文件', '4', '5', '6']]),
      grid(2, [['第二十条第（五）项', '<'], ['信息内容', '本年处理决定数量'], ['行政许可', '1,234']]),
      grid(3, [['信息内容', '本年收费金额（单位：万元）'], ['行政事业性收费', '7730.28']]),
    ];
    const m = mapGrids(grids);
    expect(m.figures['art20.rules.in_force']).toBe(3);
    expect(m.figures['art20.normative.issued']).toBe(4);
    expect(m.figures['art20.licensing.decisions']).toBe(1234);
    expect(m.figures['art20.fees.amount']).toBe(7730.28);
    expect(m.version).toBe('2021');
  });
  it('reads the 2019 template with signed deltas and amounts in 元', () => {
    const g = grid(1, [
      ['第二十条第（一）项', '<', '<', '<'],
      ['信息内容', '本年新制作数量', '本年新公开数量', '对外公开总数量'],
      ['规章', '1', '1', '10'],
      ['规范性文件', '2', '2', '20'],
      ['第二十条第（五）项', '<', '<', '<'],
      ['信息内容', '上一年项目数量', '本年增/减', '处理决定数量'],
      ['行政许可', '30', '-3', '500'],
      ['其他对外管理服务事项', '5', '+2', '6'],
      ['第二十条第（八）项', '<', '<', '<'],
      ['信息内容', '上一年项目数量', '本年增/减', ''],
      ['行政事业性收费', '4', '减4', ''],
      ['第二十条第（九）项', '<', '<', '<'],
      ['信息内容', '采购项目数量', '采购总金额（元）', ''],
      ['政府集中采购', '3', '251000', ''],
    ]);
    const m = mapGrids([g]);
    expect(m.version).toBe('2019');
    expect(m.figures['art20.rules.public_total']).toBe(10);
    expect(m.figures['art20.licensing.delta']).toBe(-3);
    expect(m.figures['art20.other_services.delta']).toBe(2);
    expect(m.figures['art20.fees.delta']).toBe(-4);
    expect(m.figures['art20.procurement.items']).toBe(3);
    expect(m.figures['art20.procurement.amount']).toBe(25.1);
    expect(m.provenance['art20.procurement.amount'].text).toBe('251000');
  });
});
