import { readFileSync } from 'node:fs';
import { load } from 'cheerio/slim';
import { describe, expect, it } from 'vitest';
import { decodeBytes } from '../src/decode.js';
import { expandTable, extractHtml, parseSpan, type SourceCell } from '../extractors/html.js';
import type { Cell, Grid } from '../extractors/types.js';

const texts = (g: Grid) => g.rows.map((r) => r.map((c) => c.text));
const marks = (g: Grid) => g.rows.map((r) => r.map((c) => (c.spanned ? `*${c.text}` : c.text)));
const src = (text: string, rowspan = 1, colspan = 1): SourceCell => ({ text, rowspan, colspan, where: { table: 1, domPath: `#${text}` } });
const wordFixture = () => {
  const bytes = new Uint8Array(readFileSync(new URL('./fixtures/html/word-export-gb2312.html', import.meta.url)));
  return decodeBytes(bytes, { kind: 'html' }).text;
};
const page = (body: string, head = '<title>测试页</title>') => `<!DOCTYPE html><html><head>${head}</head><body>${body}</body></html>`;
/** Whitespace-free text, to compare a cell with the element its domPath finds. */
const squash = (s: string) => s.replace(/[\s\u00a0\u3000]+/g, '');

describe('expandTable', () => {
  it('shifts a cell right past a rowspan from the row above (the classic case)', () => {
    const { rows } = expandTable([
      [src('A', 2), src('B'), src('C', 2)],
      [src('D')],
      [src('E', 1, 3)],
    ]);
    expect(rows.map((r) => r.map((c) => (c.spanned ? `*${c.text}` : c.text)))).toEqual([
      ['A', 'B', 'C'],
      ['*A', 'D', '*C'],
      ['E', '*E', '*E'],
    ]);
    // Copies keep the origin's domPath but carry their own grid position; the origin has no flag.
    expect(rows[1]![0]).toEqual({ text: 'A', where: { table: 1, domPath: '#A', row: 1, col: 0 }, spanned: true });
    expect(rows[0]![0]).toEqual({ text: 'A', where: { table: 1, domPath: '#A', row: 0, col: 0 } });
    expect(rows[1]![1]!.where).toEqual({ table: 1, domPath: '#D', row: 1, col: 1 });
  });

  it('places cells around a 2×2 block and several rowspans', () => {
    const { rows } = expandTable([
      [src('X', 2, 2), src('Y'), src('Z', 3)],
      [src('P')],
      [src('Q'), src('R'), src('S')],
    ]);
    expect(rows.map((r) => r.map((c) => (c.spanned ? `*${c.text}` : c.text)))).toEqual([
      ['X', '*X', 'Y', 'Z'],
      ['*X', '*X', 'P', '*Z'],
      ['Q', 'R', 'S', '*Z'],
    ]);
  });

  it('reads absurd or invalid spans as 1', () => {
    expect(parseSpan(undefined)).toBe(1);
    expect(parseSpan('abc')).toBe(1);
    expect(parseSpan('-2')).toBe(1);
    expect(parseSpan('0')).toBe(1);
    expect(parseSpan('1001')).toBe(1);
    expect(parseSpan('99999999')).toBe(1);
    expect(parseSpan(' 3 ')).toBe(3);
    expect(parseSpan('2.5')).toBe(2);
    const { rows } = expandTable([[src('a', 1, 5000), src('b', 70000, 1), src('z', 5)], [src('c')]]);
    // colspan 5000 and rowspan 70000 read as 1; rowspan 5 in a two-row table stops at the last row.
    expect(rows.map((r) => r.map((c) => c.text))).toEqual([['a', 'b', 'z'], ['c', '', 'z']]);
  });

  it('reads rowspan 0 as "to the last row"', () => {
    const { rows } = expandTable([[src('L', 0), src('1')], [src('2')], [src('3')]]);
    expect(rows.map((r) => r.map((c) => c.text))).toEqual([['L', '1'], ['L', '2'], ['L', '3']]);
  });

  it('stops expanding spans beyond the copy budget', () => {
    const hostile = Array.from({ length: 10 }, (_, i) => [src(`r${i}`, 1, 1000)]);
    const { rows, clippedSpans } = expandTable(hostile, { maxCopies: 2500 });
    expect(clippedSpans).toBe(8); // two rows of 999 copies fit, the other eight are read as colspan 1
    expect(rows.map((r) => r.length)).toEqual([1000, 1000, 1, 1, 1, 1, 1, 1, 1, 1]);
  });

  it('drops rows without a cell of their own and renumbers, or keeps them on request', () => {
    const input = [[src('A', 2), src('1')], [], [src('B'), src('2')]];
    const dropped = expandTable(input).rows;
    expect(dropped.map((r) => r.map((c) => c.text))).toEqual([['A', '1'], ['B', '2']]);
    expect(dropped[1]!.map((c) => c.where.row)).toEqual([1, 1]);
    const kept = expandTable(input, { dropEmptyRows: false }).rows;
    expect(kept.map((r) => r.map((c) => c.text))).toEqual([['A', '1'], ['A'], ['B', '2']]);
  });

  it('pads a hole left inside a row with an empty cell without a domPath', () => {
    const { rows } = expandTable([[src('a'), src('b'), src('c', 2)], [src('d')]]);
    expect(rows[1]!.map((c) => c.text)).toEqual(['d', '', 'c']);
    expect(rows[1]![1]).toEqual({ text: '', where: { table: 1, row: 1, col: 1 } });
  });
});

describe('extractHtml: a Word-exported report in GB2312', () => {
  const doc = extractHtml(wordFixture());

  it('finds the title, headings and text', () => {
    expect(doc.kind).toBe('html');
    expect(doc.title).toBe('某市自然资源局2021年政府信息公开工作年度报告');
    expect(doc.headings.slice(0, 3)).toEqual(['某市自然资源局2021年政府信息公开工作年度', '报告', '一、总体情况']);
    const lines = doc.text.split('\n');
    // <![if !supportLists]> list numbers are visible text; <!--[if gte mso 9]> XML and <style> are not.
    expect(lines).toContain('1. 本年度，我局认真贯彻落实政府信息公开条例，全年主动公开政府信息116条。');
    expect(doc.text).not.toContain('办公室');
    expect(doc.text).not.toContain('MsoNormal');
    expect(lines).toContain('规章\t0\t\t3');
    expect(doc.problems).toEqual([]);
  });

  it('reads Article 20 with its colspan caption row, <p><span> cells, <o:p> and &nbsp;', () => {
    expect(doc.grids).toHaveLength(2);
    const g = doc.grids[0]!;
    expect(g.index).toBe(1);
    expect(g.aligned).toBe(true);
    expect(g.caption).toBe('二、主动公开政府信息情况');
    expect(marks(g)).toEqual([
      ['第二十条第（一）项', '*第二十条第（一）项', '*第二十条第（一）项', '*第二十条第（一）项'],
      ['信息内容', '本年制发件数', '本年废止件数', '现行有效件数'],
      ['规章', '0', '', '3'],
      ['行政规范性 文件', '2', '1', '15'],
    ]);
  });

  it('expands the request matrix header and the nested rowspans of the result rows', () => {
    const g = doc.grids[1]!;
    expect(g.caption).toBe('三、收到和处理政府信息公开申请情况');
    const t = texts(g);
    expect(t).toHaveLength(7);
    expect(t.every((r) => r.length === 10)).toBe(true);
    expect(t[1]!.slice(3)).toEqual(['自然人', '法人或其他组织', '法人或其他组织', '法人或其他组织', '法人或其他组织', '法人或其他组织', '总计']);
    // <br> inside a label becomes a space; a rowspan from above fills the columns it covers.
    expect(marks(g)[2]!.slice(3)).toEqual(['*自然人', '商业 企业', '科研 机构', '社会公益组织', '法律服务机构', '其他', '*总计']);
    expect(t[3]).toEqual(['一、本年新收政府信息公开申请数量', '一、本年新收政府信息公开申请数量', '一、本年新收政府信息公开申请数量', '5', '1', '0', '0', '0', '0', '6']);
    // A Word line break inside Chinese text disappears (三、本年度办理\r\n结果).
    expect(marks(g)[4]).toEqual(['三、本年度办理结果', '（一）予以公开', '*（一）予以公开', '3', '1', '0', '0', '0', '0', '4']);
    expect(marks(g)[6]).toEqual(['*三、本年度办理结果', '*（三）不予公开', '2.其他法律行政法规禁止公开', '1', '0', '0', '0', '0', '0', '1']);
    expect(g.rows[6]![2]!.where).toMatchObject({ table: 2, row: 6, col: 2 });
  });

  it('gives every cell a domPath that finds exactly its <td> again', () => {
    const html = wordFixture();
    const $ = load(html);
    let checked = 0;
    for (const g of doc.grids) {
      expect($(g.where.domPath!).length).toBe(1);
      expect($(g.where.domPath!).is('table')).toBe(true);
      for (const row of g.rows) {
        for (const cell of row) {
          const found = $(cell.where.domPath!);
          expect(found.length).toBe(1);
          expect(found.is('td')).toBe(true);
          expect(squash(found.text())).toBe(squash(cell.text));
          checked++;
        }
      }
    }
    expect(checked).toBe(16 + 70);
    expect(doc.grids[1]!.rows[5]![2]!.where.domPath).toBe('body>div>table:nth-of-type(2)>tr:nth-of-type(6)>td:nth-of-type(2)');
  });

  it('survives the page cut off in the middle of a table', () => {
    const html = wordFixture();
    const cut = html.slice(0, html.indexOf('1.属于国家秘密') + 4);
    const d = extractHtml(cut);
    expect(d.grids).toHaveLength(2);
    expect(texts(d.grids[0]!)).toEqual(texts(doc.grids[0]!));
    const t = texts(d.grids[1]!);
    expect(t).toHaveLength(6);
    expect(t[5]!.slice(0, 3)).toEqual(['三、本年度办理结果', '（三）不予公开', '1.属于']);
  });
});

describe('extractHtml: cells', () => {
  it('keeps a cell as printed: breaks and blocks become spaces, nothing is normalised', () => {
    const d = extractHtml(
      page(`<table><tr>
        <td><p><span>行政</span><span>许可</span></p></td>
        <td>&nbsp;１２&nbsp;</td>
        <td>商业<br/>企业</td>
        <td><div>社会</div><div>公益组织</div></td>
        <td>　危及&ldquo;三安全一稳定&rdquo;　</td>
        <td>A&amp;B &lt;1&gt;</td>
        <td> </td>
      </tr></table>`),
    );
    expect(texts(d.grids[0]!)).toEqual([['行政许可', '１２', '商业 企业', '社会 公益组织', '危及\u201c三安全一稳定\u201d', 'A&B <1>', '']]);
  });

  it('handles thead/tbody/tfoot, th, rows straight in <table> and empty rows', () => {
    const d = extractHtml(
      page(`<table><caption>表一 行政复议</caption>
        <thead><tr><th>结果维持</th><th>总计</th></tr></thead>
        <tbody><tr><td>1</td><td>3</td></tr><tr></tr></tbody>
        <tfoot><tr><td>合计</td><td>3</td></tr></tfoot>
      </table>
      <table><tr><td>a</td><td>1</td></tr><td>b</td><td>2</td></table>`),
    );
    expect(d.grids).toHaveLength(2);
    expect(d.grids[0]!.caption).toBe('表一 行政复议');
    expect(texts(d.grids[0]!)).toEqual([['结果维持', '总计'], ['1', '3'], ['合计', '3']]);
    expect(texts(d.grids[1]!)).toEqual([['a', '1'], ['b', '2']]);
  });
});

describe('extractHtml: finding the report in the page', () => {
  const chrome = (content: string) =>
    page(`<div id="header"><div class="logo">某县人民政府</div>
      <ul class="nav"><li>首页</li><li>政务公开</li><li>依申请公开</li><li>互动交流</li></ul></div>
      <div class="breadcrumb">当前位置：首页 &gt; 政务公开 &gt; 年度报告</div>
      <div class="main-wrap">
        <div class="sidebar"><h3>热点新闻</h3><ul>${'<li>县委召开常委会议研究部署重点工作安排</li>'.repeat(10)}</ul></div>
        <div class="article">${content}</div>
      </div>
      <div class="share">分享到：微信 微博</div>
      <div class="related"><h3>相关文章</h3><ul><li>某县2021年政府信息公开工作年度报告</li></ul></div>
      <div id="footer"><p>版权所有：某县人民政府办公室 网站标识码1234567890</p></div>
      <script>document.write('<table><tr><td>脚本表格</td></tr></table>');</script>
      <style>td { color: red }</style><noscript>请开启脚本</noscript>`);
  const report = `<h1 class="article-title">某县2022年政府信息公开工作年度报告</h1>
    <p style="text-align:center">发布日期：2023-01-20</p>
    <p>一、总体情况</p><p>2022年，我县认真贯彻落实《中华人民共和国政府信息公开条例》，全面推进政务公开工作，取得了较好成效。</p>
    <p><strong>二、主动公开政府信息情况</strong></p>
    <div><table><tr><td colspan="4">第二十条第（一）项</td></tr><tr><td>信息内容</td><td>本年制发件数</td><td>本年废止件数</td><td>现行有效件数</td></tr>
    <tr><td>规章</td><td>0</td><td>0</td><td>0</td></tr><tr><td>行政规范性文件</td><td>5</td><td>1</td><td>20</td></tr></table></div>`;

  it('drops navigation, breadcrumbs, sidebars, share bars, footers, scripts and styles', () => {
    const d = extractHtml(chrome(report));
    expect(d.grids).toHaveLength(1);
    expect(d.grids[0]!.caption).toBe('二、主动公开政府信息情况');
    expect(d.grids[0]!.rows[3]!.map((c) => c.text)).toEqual(['行政规范性文件', '5', '1', '20']);
    for (const junk of ['依申请公开', '当前位置', '县委召开常委会议', '分享到', '相关文章', '2021年', '版权所有', '脚本表格', 'color', '请开启脚本', '某县人民政府']) {
      expect(d.text).not.toContain(junk);
    }
    expect(d.text.split('\n').slice(0, 4)).toEqual([
      '某县2022年政府信息公开工作年度报告',
      '发布日期：2023-01-20',
      '一、总体情况',
      '2022年，我县认真贯彻落实《中华人民共和国政府信息公开条例》，全面推进政务公开工作，取得了较好成效。',
    ]);
    // Headings come from the whole page (the sidebar's h3 is chrome and left out).
    expect(d.headings).toContain('某县2022年政府信息公开工作年度报告');
    expect(d.headings).toContain('二、主动公开政府信息情况');
    expect(d.headings).not.toContain('热点新闻');
    expect(d.headings).not.toContain('相关文章');
    expect(d.title).toBe('测试页');
    expect(d.grids[0]!.rows[0]![0]!.where.domPath).toBe(
      'body>div:nth-of-type(3)>div:nth-of-type(2)>div>table>tr:nth-of-type(1)>td',
    );
  });

  it('never drops a report table because of its container class', () => {
    const d = extractHtml(
      page(`<ul class="nav"><li>首页</li></ul><div class="bottom-box"><p>表3</p><table>
        <tr><td>行政复议</td><td>结果维持</td></tr><tr><td>本年</td><td>2</td></tr><tr><td>上年</td><td>1</td></tr><tr><td>合计</td><td>3</td></tr></table></div>`),
    );
    expect(d.grids).toHaveLength(1);
    expect(d.grids[0]!.caption).toBe('表3');
    expect(d.text).not.toContain('首页');
    // Figures printed with their unit still make a report table.
    const units = extractHtml(
      page(`<div class="sidebar"><table><tr><td>行政许可</td><td>5件</td></tr><tr><td>行政处罚</td><td>12 件</td></tr>
        <tr><td>收费</td><td>0.5万元</td></tr></table></div><div>${'<p>本年度我局认真贯彻落实政府信息公开条例。</p>'.repeat(5)}</div>`),
    );
    expect(texts(units.grids[0]!)).toEqual([['行政许可', '5件'], ['行政处罚', '12 件'], ['收费', '0.5万元']]);
  });

  it('skips hidden elements', () => {
    const d = extractHtml(page('<div><p>可见的段落内容</p><p style="display: none">隐藏的段落内容</p></div>'));
    expect(d.text).toBe('可见的段落内容');
  });

  it('looks through a layout table wrapping the page to the data tables inside it', () => {
    const d = extractHtml(
      page(`<table width="100%"><tr><td class="left">${'<p>栏目导航链接</p>'.repeat(3)}</td>
        <td><p>第二十条第（五）项</p>
          <table><tr><td>信息内容</td><td>本年处理决定数量</td></tr><tr><td>行政许可</td><td>53</td></tr></table>
          <p>第二十条第（六）项</p>
          <table><tr><td>信息内容</td><td>本年处理决定数量</td></tr><tr><td>行政处罚</td><td>18</td></tr><tr><td>行政强制</td><td>0</td></tr></table>
        </td></tr></table>`),
    );
    expect(d.grids).toHaveLength(2);
    expect(d.grids.map((g) => g.caption)).toEqual(['第二十条第（五）项', '第二十条第（六）项']);
    expect(texts(d.grids[1]!)).toEqual([['信息内容', '本年处理决定数量'], ['行政处罚', '18'], ['行政强制', '0']]);
    expect(d.grids[1]!.where.domPath).toBe('body>table>tr>td:nth-of-type(2)>table:nth-of-type(2)');
  });

  it('keeps a data table whole when a cell holds a small table of its own', () => {
    const d = extractHtml(
      page(`<table><tr><td>信息内容</td><td><table><tr><td>本年</td></tr><tr><td>处理决定数量</td></tr></table></td></tr>
        <tr><td>行政许可</td><td>12</td></tr><tr><td>行政处罚</td><td>3</td></tr><tr><td>行政强制</td><td>0</td></tr></table>`),
    );
    expect(d.grids).toHaveLength(1);
    expect(texts(d.grids[0]!)).toEqual([['信息内容', '本年 处理决定数量'], ['行政许可', '12'], ['行政处罚', '3'], ['行政强制', '0']]);
  });

  it('reads every <body> of a page that has several', () => {
    const d = extractHtml('<html><body><p>第一部分</p></body><body><p>第二部分</p><table><tr><td>规章</td><td>1</td></tr></table></body></html>');
    expect(d.text).toBe('第一部分\n第二部分\n规章\t1');
    expect(d.grids).toHaveLength(1);
    const $ = load('<html><body><p>第一部分</p></body><body><p>第二部分</p><table><tr><td>规章</td><td>1</td></tr></table></body></html>');
    expect($(d.grids[0]!.rows[0]![1]!.where.domPath!).text()).toBe('1');
  });

  it('emits two tables in a row as two grids, the second without a caption', () => {
    const d = extractHtml(
      page(`<p>四、政府信息公开行政复议、行政诉讼情况</p>
        <table><tr><td>行政复议</td></tr><tr><td>0</td></tr></table>
        <table><tr><td>行政诉讼</td></tr><tr><td>4</td></tr></table>`),
    );
    expect(d.grids.map((g) => [g.index, g.caption, texts(g)])).toEqual([
      [1, '四、政府信息公开行政复议、行政诉讼情况', [['行政复议'], ['0']]],
      [2, undefined, [['行政诉讼'], ['4']]],
    ]);
  });

  it('reads a fragment without <html>/<body>, with domPaths anchored at the top', () => {
    const html = '<p>表</p><table><tr><td>甲</td></tr></table><div><table><tr><td>乙</td></tr></table></div><table><tr><td>丙</td></tr></table>';
    const d = extractHtml(html);
    expect(d.grids.map((g) => g.rows[0]![0]!.text)).toEqual(['甲', '乙', '丙']);
    const $ = load(html);
    for (const g of d.grids) {
      const cell = g.rows[0]![0]!;
      expect($(cell.where.domPath!).length).toBe(1);
      expect($(cell.where.domPath!).text()).toBe(cell.text);
    }
    expect(d.grids[2]!.where.domPath).toBe('table:root:nth-of-type(2)');
  });

  it('never throws on junk', () => {
    for (const junk of ['', '<', '<<<>>>', '<td rowspan="x">a', '</table></tr><tr><td>', '<table><tr><td colspan="99999999">x']) {
      const d = extractHtml(junk);
      expect(d.kind).toBe('html');
      expect(Array.isArray(d.grids)).toBe(true);
    }
    expect(extractHtml('').grids).toEqual([]);
    expect(texts(extractHtml('<table><tr><td colspan="99999999">x<td>y').grids[0]!)).toEqual([['x', 'y']]);
  });

  it('extracts a 50 MB page with thousands of tables and deep junk', () => {
    const parts: string[] = ['<!DOCTYPE html><html><head><title>大页面</title><script>var s = "'];
    parts.push('<table><tr><td>0</td></tr></table>'.repeat(800_000)); // ~27 MB of markup inside a script
    parts.push('";</script></head><body><div class="nav">');
    for (let i = 0; i < 20_000; i++) parts.push(`<a href="/l${i}">链接${i}</a>`);
    parts.push('</div><div id="content">');
    parts.push('<font>'.repeat(20_000) + '深层嵌套' + '</font>'.repeat(20_000)); // deep nesting must not overflow the stack (recursion would)
    const para = '本机关严格落实政府信息公开各项制度要求，持续推进决策、执行、管理、服务、结果公开。'.repeat(8);
    const tables = 1500;
    for (let t = 0; t < tables; t++) {
      parts.push(`<p>${para}</p>`.repeat(12));
      parts.push(`<p>表${t + 1}</p><table><tbody><tr><td rowspan="2">信息内容</td><td colspan="2">本年</td></tr><tr><td>制发</td><td>废止</td></tr>`);
      for (let r = 0; r < 60; r++) parts.push(`<tr><td>行政许可${r}</td><td>${r}</td><td>${t}</td></tr>`);
      parts.push('</tbody></table>');
    }
    parts.push('</div><div class="footer">版权所有</div></body></html>');
    const html = parts.join('');
    expect(Buffer.byteLength(html)).toBeGreaterThan(50_000_000);
    const d = extractHtml(html);
    expect(d.grids).toHaveLength(tables);
    const last = d.grids[tables - 1]!;
    expect(last.caption).toBe(`表${tables}`);
    expect(last.rows).toHaveLength(62);
    expect(last.rows[1]!.map((c: Cell) => (c.spanned ? `*${c.text}` : c.text))).toEqual(['*信息内容', '制发', '废止']);
    expect(last.rows[61]!.map((c) => c.text)).toEqual(['行政许可59', '59', String(tables - 1)]);
    expect(d.text).toContain('深层嵌套');
    expect(d.text).not.toContain('链接19999');
  }, 240_000);
});
