import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readMetadata, regionOf, tidyText } from '../extractors/metadata.js';

const CORPUS = fileURLToPath(new URL('../corpus/real/', import.meta.url));
const FIXTURES = fileURLToPath(new URL('./fixtures/metadata/', import.meta.url));

/** Headings as a text extractor gives them: the first short non-empty lines. */
function headingsOf(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(0, 10)
    .filter((l) => l.length <= 40)
    .slice(0, 5);
}

/** A report body: prose long enough to be a report, no year, no agency, no period in it. */
const BODY = [
  '一、总体情况',
  '我单位认真贯彻落实《中华人民共和国政府信息公开条例》，坚持以公开为常态、不公开为例外，持续推进决策、执行、管理、服务、结果公开，不断提升政务公开质量和实效，切实保障人民群众的知情权、参与权、表达权和监督权。',
  '（一）主动公开情况。围绕重点工作，及时主动公开机构职能、政策文件、规划计划、财政预决算、行政执法等信息，做好政策解读和回应关切，畅通政府与群众之间的沟通渠道。',
  '（二）依申请公开情况。规范依申请公开受理、审查、答复流程，严格按照法定时限答复，加强与申请人的沟通，依法保障申请人的合理信息需求。',
  '（三）政府信息管理情况。落实公开属性源头认定，健全保密审查机制，对已公开的信息进行清理，做到应公开尽公开。',
  '（四）政府信息公开平台建设情况。加强政府网站和政务新媒体管理，持续优化栏目设置，提升平台的集约化水平。',
  '（五）监督保障情况。将政务公开工作纳入年度考核，加强培训和督促检查，推动各项要求落到实处。',
].join('\n');

function report(first: string, extra = ''): string {
  return `${first}\n${extra}${extra ? '\n' : ''}${BODY}`;
}

describe('the real corpus', () => {
  it('fugou-natural-resources-2021.txt (text copied out of the page)', () => {
    const text = readFileSync(CORPUS + 'fugou-natural-resources-2021.txt', 'utf8');
    const expected = JSON.parse(readFileSync(CORPUS + 'fugou-natural-resources-2021.expected.json', 'utf8'));
    const meta = readMetadata({ headings: headingsOf(text), text });
    expect(meta.agency).toBe(expected.agency);
    expect(meta.agency).toBe('扶沟县自然资源局');
    expect(meta.year).toBe(expected.year);
    expect(meta.title).toBe('扶沟县自然资源局2021年政府信息公开工作年度报告');
    expect(meta.region).toBe('扶沟县');
    expect(meta.isReport).toBe(true);
    expect(meta.legacy).toBe(false);
    expect(meta.periodYear).toBeNull(); // the page states no statistics period
    expect(meta.problems).toEqual([]);
  });

  // The first 40 lines of `pdftotext -layout` of each PDF (tests/fixtures/metadata/*.txt), with the
  // PDF's own Title metadata (pdfinfo), which names neither agency nor year in two of them.
  const pdfs = [
    {
      name: 'huaian-hongze-2023',
      pdfTitle: '洪泽区人民政府2023年政府信息公开工作年度报告',
      title: '洪泽区人民政府2023年政府信息公开工作年度报告',
      region: '洪泽区',
    },
    {
      name: 'huaian-hongze-2024',
      pdfTitle: '政府信息公开工作年度报告',
      title: '淮安市洪泽区人民政府2024年政府信息公开工作年度报告',
      region: '淮安市洪泽区',
    },
    {
      name: 'huaian-city-2024',
      pdfTitle: '政府信息公开工作年度报告',
      title: '淮安市人民政府2024年政府信息公开工作年度报告',
      region: '淮安市',
    },
  ];
  for (const pdf of pdfs) {
    const text = readFileSync(FIXTURES + pdf.name + '.txt', 'utf8');
    const expected = JSON.parse(readFileSync(CORPUS + pdf.name + '.expected.json', 'utf8'));
    it(`${pdf.name}.pdf: heading split over two lines, agency before the year`, () => {
      const meta = readMetadata({ title: pdf.pdfTitle, headings: headingsOf(text), text });
      expect(meta.agency).toBe(expected.agency);
      expect(meta.year).toBe(expected.year);
      expect(meta.title).toBe(pdf.title);
      expect(meta.region).toBe(pdf.region);
      expect(meta.periodYear).toBe(expected.year);
      expect(meta.isReport).toBe(true);
      expect(meta.legacy).toBe(false);
      expect(meta.problems).toEqual([]);
    });
    it(`${pdf.name}.pdf: the same from the text alone (no headings, no title)`, () => {
      const meta = readMetadata({ headings: [], text });
      expect([meta.agency, meta.year, meta.title]).toEqual([expected.agency, expected.year, pdf.title]);
    });
  }

  it('huaian-hongze-2023: the heading wins over the sentence (淮安市洪泽区人民政府办公室)', () => {
    const text = readFileSync(FIXTURES + 'huaian-hongze-2023.txt', 'utf8');
    expect(text).toContain('本报告由淮安市洪泽区人民政府办公室');
    expect(readMetadata({ headings: headingsOf(text), text }).agency).toBe('洪泽区人民政府');
    // without the title lines, the sentence names the agency
    const body = text.split('\n').slice(3).join('\n');
    expect(readMetadata({ headings: [], text: body }).agency).toBe('淮安市洪泽区人民政府办公室');
  });
});

describe('title', () => {
  it('takes the report part of a page title with a site suffix', () => {
    for (const pageTitle of [
      '扶沟县自然资源局2021年政府信息公开工作年度报告_扶沟县人民政府',
      '扶沟县自然资源局2021年政府信息公开工作年度报告 - 扶沟县人民政府门户网站',
      '扶沟县自然资源局2021年政府信息公开工作年度报告|扶沟县人民政府',
      '扶沟县自然资源局2021年政府信息公开工作年度报告—扶沟县人民政府',
      '扶沟县人民政府_扶沟县自然资源局2021年政府信息公开工作年度报告',
    ]) {
      const meta = readMetadata({ title: pageTitle, headings: ['首页 > 政务公开 > 政府信息公开年报'], text: BODY });
      expect(meta.title, pageTitle).toBe('扶沟县自然资源局2021年政府信息公开工作年度报告');
      expect(meta.agency).toBe('扶沟县自然资源局');
      expect(meta.year).toBe(2021);
      expect(meta.isReport).toBe(true);
    }
  });

  it('prefers a heading to the page title, and a title that names the agency', () => {
    const meta = readMetadata({
      title: '2022年政府信息公开工作年度报告_西华县人民政府',
      headings: ['西华县教育体育局2022年政府信息公开工作年度报告'],
      text: BODY,
    });
    expect(meta.title).toBe('西华县教育体育局2022年政府信息公开工作年度报告');
    expect(meta.agency).toBe('西华县教育体育局');
    const meta2 = readMetadata({
      title: '西华县教育体育局2022年政府信息公开工作年度报告_西华县人民政府',
      headings: ['2022年政府信息公开工作年度报告'],
      text: BODY,
    });
    expect(meta2.title).toBe('西华县教育体育局2022年政府信息公开工作年度报告');
  });

  it('removes the spaces a PDF puts between characters and digits, keeps a bracketed note', () => {
    expect(tidyText('淮安市 人民政府  2024 年政府信息公开工作年度报告')).toBe('淮安市人民政府2024年政府信息公开工作年度报告');
    expect(tidyText('PDF Title 2024 年')).toBe('PDF Title 2024年');
    const meta = readMetadata({ headings: ['《徐州市人民政府 2021 年度政府信息公开工作年度报告》（全文）'], text: BODY });
    expect(meta.title).toBe('徐州市人民政府2021年度政府信息公开工作年度报告');
    expect(meta.agency).toBe('徐州市人民政府');
    const noted = readMetadata({ headings: ['徐州市人民政府政府信息公开工作年度报告（2021年度）'], text: BODY });
    expect(noted.title).toBe('徐州市人民政府政府信息公开工作年度报告（2021年度）');
    expect([noted.agency, noted.year]).toEqual(['徐州市人民政府', 2021]);
  });

  it('drops a leading date or list marker', () => {
    const meta = readMetadata({ headings: ['2022-01-20 扶沟县自然资源局2021年政府信息公开工作年度报告'], text: BODY });
    expect(meta.title).toBe('扶沟县自然资源局2021年政府信息公开工作年度报告');
    expect([meta.agency, meta.year]).toEqual(['扶沟县自然资源局', 2021]);
  });

  it('reads letter-spaced titles, quoted agencies and an agency in the closing note', () => {
    const spaced = readMetadata({ headings: ['南京市教育局 2022 年 政 府 信 息 公 开 工 作 年 度 报 告'], text: BODY });
    expect([spaced.title, spaced.agency, spaced.year]).toEqual(['南京市教育局2022年政府信息公开工作年度报告', '南京市教育局', 2022]);
    const quoted = readMetadata({ headings: ['“南京市教育局”2022年政府信息公开工作年度报告'], text: BODY });
    expect([quoted.title, quoted.agency]).toEqual(['“南京市教育局”2022年政府信息公开工作年度报告', '南京市教育局']);
    const noted = readMetadata({ headings: ['2022年政府信息公开工作年度报告（南京市教育局）'], text: BODY });
    expect([noted.title, noted.agency, noted.year, noted.region]).toEqual([
      '2022年政府信息公开工作年度报告（南京市教育局）', '南京市教育局', 2022, '南京市',
    ]);
  });

  it('joins a title wrapped before its last word', () => {
    const meta = readMetadata({ headings: ['淮安市人民政府2024年政府信息公开工作', '年度报告'], text: BODY });
    expect(meta.title).toBe('淮安市人民政府2024年政府信息公开工作年度报告');
  });

  it('reads the agency when 政府 is written once or twice before 信息公开', () => {
    for (const [heading, agency] of [
      ['南京市人民政府政府信息公开工作年度报告（2021年度）', '南京市人民政府'],
      ['南京市人民政府信息公开工作年度报告（2021年度）', '南京市人民政府'],
      ['2021年南京市人民政府信息公开工作年度报告', '南京市人民政府'],
      ['南京市交通运输局政府信息公开工作年度报告（2021年度）', '南京市交通运输局'],
    ]) {
      const meta = readMetadata({ headings: [heading!], text: BODY });
      expect(meta.agency, heading).toBe(agency);
      expect(meta.year).toBe(2021);
    }
  });

  it('reads the agency between the year and 政府信息公开', () => {
    const meta = readMetadata({ headings: ['2021年扶沟县自然资源局政府信息公开工作年度报告'], text: BODY });
    expect(meta.agency).toBe('扶沟县自然资源局');
    expect(meta.year).toBe(2021);
    expect(meta.region).toBe('扶沟县');
  });

  it('maps Kangxi radicals from Type 3 fonts', () => {
    const meta = readMetadata({ headings: ['淮安市⼈民政府2024年政府信息公开⼯作年度报告'], text: BODY });
    expect(meta.title).toBe('淮安市人民政府2024年政府信息公开工作年度报告');
    expect(meta.agency).toBe('淮安市人民政府');
  });

  it('is never a sentence or a line longer than 60 characters', () => {
    const long = '关于进一步做好全县各乡镇各部门及各有关单位二〇二一年度政府信息公开工作年度报告编制和发布工作的若干具体事项的通知要求和说明';
    const meta = readMetadata({ headings: [long], text: '按照要求，现将2021年政府信息公开工作年度报告报送如下。' });
    expect(meta.title).toBeNull();
    expect(meta.isReport).toBe(false);
  });
});

describe('year', () => {
  it('reads Chinese numerals in the title', () => {
    const cases: [string, number][] = [
      ['江苏省人民政府办公厅二〇二一年政府信息公开工作年度报告', 2021],
      ['江苏省人民政府办公厅二○二○年政府信息公开工作年度报告', 2020], // U+25CB
      ['江苏省人民政府办公厅二零一九年度政府信息公开工作年度报告', 2019],
      ['江苏省人民政府办公厅２０２２年政府信息公开工作年度报告', 2022], // full-width digits
    ];
    for (const [heading, year] of cases) {
      const meta = readMetadata({ headings: [heading], text: BODY });
      expect(meta.year, heading).toBe(year);
      expect(meta.agency).toBe('江苏省人民政府办公厅');
      expect(meta.region).toBe('江苏省');
      expect(meta.title).toBe(heading);
    }
  });

  it('takes the year from the statistics period when the title has none', () => {
    const meta = readMetadata({
      headings: ['南京市市场监督管理局政府信息公开工作年度报告'],
      text: report('本报告中所列数据的统计期限自2022年1月1日起至2022年12月31日止。'),
    });
    expect(meta.year).toBe(2022);
    expect(meta.periodYear).toBe(2022);
    expect(meta.agency).toBe('南京市市场监督管理局');
    expect(meta.region).toBe('南京市');
    expect(meta.problems).toEqual([]);
  });

  it('reads the period forms 统计时限为…至12月31日 and 本年度报告数据统计期限…', () => {
    const a = readMetadata({ headings: [], text: report('统计时限为2020年1月1日至12月31日。') });
    expect(a.periodYear).toBe(2020);
    const b = readMetadata({
      headings: [],
      text: report('本年度报告数据统计期限为 2019 年 1 月 1 日\n至 2019 年 12 月 31 日。'),
    });
    expect(b.periodYear).toBe(2019);
    const c = readMetadata({ headings: [], text: report('本报告统计数据时间范围为2021.1.1-2021.12.31。') });
    expect(c.periodYear).toBe(2021);
    // a date that is not a period is no period
    const d = readMetadata({ headings: [], text: report('数据统计时间截至2021年12月31日。') });
    expect(d.periodYear).toBeNull();
  });

  it('keeps the title year when the period disagrees, with a problem', () => {
    const meta = readMetadata({
      headings: ['泰兴市人民政府2022年政府信息公开工作年度报告'],
      text: report('报告中所列数据统计期限自2021年1月1日起至2021年12月31日止。'),
    });
    expect(meta.year).toBe(2022);
    expect(meta.periodYear).toBe(2021);
    expect(meta.problems.map((p) => p.code)).toEqual(['year_mismatch']);
    expect(meta.problems[0]!.message).toContain('2021');
  });

  it('falls back to the opening sentence, then to nothing with a problem', () => {
    const a = readMetadata({
      headings: ['政府信息公开工作年度报告'],
      text: report('本报告由灌南县人民政府办公室编制，现向社会公布灌南县2020年度政府信息公开工作年度报告，请予监督。'),
    });
    expect(a.year).toBe(2020);
    expect(a.agency).toBe('灌南县人民政府办公室');
    const b = readMetadata({ headings: ['灌南县人民政府政府信息公开工作年度报告'], text: BODY });
    expect(b.year).toBeNull();
    expect(b.legacy).toBe(false);
    expect(b.isReport).toBe(true);
    expect(b.problems.map((p) => p.code)).toEqual(['year_missing']);
  });
});

describe('agency', () => {
  it('reads the opening sentence when the title names no agency', () => {
    const cases: [string, string][] = [
      ['本报告由睢宁县人民政府办公室根据《中华人民共和国政府信息公开条例》（以下简称《条例》）要求编制。', '睢宁县人民政府办公室'],
      ['本年度报告由“连云港市海州区人民政府办公室”依据《条例》编制。', '连云港市海州区人民政府办公室'],
      ['依照有关规定，由宿迁市宿城区司法局根据《中华人民共和国政府信息公开条例》编制本报告。', '宿迁市宿城区司法局'],
      ['根据上级部署，常州市武进区财政局根据《中华人民共和国政府信息公开条例》规定编制本报告。', '常州市武进区财政局'],
      ['本报告根据《中华人民共和国政府信息公开条例》要求，由南京市江宁区人民政府办公室编制。', '南京市江宁区人民政府办公室'],
      ['根据《条例》规定，特向社会公布2021年度沭阳县政府信息公开工作年度报告。', '沭阳县'],
      ['按照《条例》规定，现将南京市生态环境局2021年政府信息公开工作情况报告如下。', '南京市生态环境局'],
    ];
    for (const [sentence, agency] of cases) {
      const meta = readMetadata({
        title: '2021年政府信息公开工作年度报告_政府门户网站',
        headings: ['2021年政府信息公开工作年度报告'],
        text: report('2021年政府信息公开工作年度报告', sentence),
      });
      expect(meta.agency, sentence).toBe(agency);
      expect(meta.year).toBe(2021);
      expect(meta.title).toBe('2021年政府信息公开工作年度报告');
    }
  });

  it('does not take 我局, 我县人民政府办公室 or 本机关 for the agency', () => {
    for (const sentence of ['本报告由我局根据《条例》编制。', '本报告由我县人民政府办公室根据《条例》编制。', '本报告由本机关根据《条例》编制。']) {
      const meta = readMetadata({ headings: ['2021年政府信息公开工作年度报告'], text: report(sentence) });
      expect(meta.agency, sentence).toBeNull();
      expect(meta.region).toBeNull();
      expect(meta.problems.map((p) => p.code)).toEqual(['agency_missing']);
    }
  });

  it('takes the year of the opening sentence 现将…2021年政府信息公开工作情况报告如下', () => {
    const meta = readMetadata({
      headings: ['政府信息公开工作年度报告'],
      text: report('按照《条例》规定，现将南京市生态环境局2021年政府信息公开工作情况报告如下。'),
    });
    expect([meta.year, meta.agency, meta.title]).toEqual([2021, '南京市生态环境局', '政府信息公开工作年度报告']);
  });
});

describe('region', () => {
  const cases: [string, string | null][] = [
    ['扶沟县自然资源局', '扶沟县'],
    ['淮安市洪泽区人民政府', '淮安市洪泽区'],
    ['淮安市人民政府', '淮安市'],
    ['江苏省人民政府办公厅', '江苏省'],
    ['国家税务总局', null],
    ['南京市市场监督管理局', '南京市'],
    ['市场监督管理局', null],
    ['盐城市城市管理局', '盐城市'],
    ['沭阳县城市管理局', '沭阳县'],
    ['淮安市住房和城乡建设局', '淮安市'],
    ['淮安市经济技术开发区管理委员会', '淮安市'],
    ['上海市浦东新区人民政府', '上海市浦东新区'],
    ['内蒙古自治区人民政府', '内蒙古自治区'],
    ['鄂尔多斯市伊金霍洛旗人民政府', '鄂尔多斯市伊金霍洛旗'],
    ['锡林郭勒盟行政公署', '锡林郭勒盟'],
    ['延边朝鲜族自治州人民政府', '延边朝鲜族自治州'],
    ['长阳土家族自治县人民政府', '长阳土家族自治县'],
    ['阿克苏地区行政公署', '阿克苏地区'],
    ['沛县人民政府', '沛县'],
    ['济南市市中区人民政府', '济南市市中区'],
    ['宿迁市宿城区项里街道办事处', '宿迁市宿城区项里街道'],
    ['泗洪县双沟镇人民政府', '泗洪县双沟镇'],
    ['滨海县天场乡人民政府', '滨海县天场乡'],
    ['南京市公安局江宁分局', '南京市'],
    ['中共淮安市委办公室', '淮安市'],
    ['南京市区域发展办公室', '南京市'],
    ['香港特别行政区政府', '香港特别行政区'],
    ['扶溝縣自然資源局', '扶溝縣'],
  ];
  for (const [agency, region] of cases) {
    it(`${agency} → ${region}`, () => {
      expect(regionOf(agency)).toBe(region);
    });
  }
  it('is null without an agency', () => {
    expect(regionOf(null)).toBeNull();
  });
});

describe('isReport and legacy', () => {
  it('a news page about the report is not a report', () => {
    const meta = readMetadata({
      title: '扶沟县召开2021年政府信息公开工作年度报告编制工作推进会_扶沟县人民政府',
      headings: ['扶沟县召开2021年政府信息公开工作年度报告编制工作推进会'],
      text:
        '扶沟县召开2021年政府信息公开工作年度报告编制工作推进会\n' +
        '1月10日，县政府办公室召开会议，部署2021年政府信息公开工作年度报告编制工作，要求各单位按时报送。\n' +
        BODY,
    });
    expect(meta.isReport).toBe(false);
    expect(meta.title).toBeNull();
    expect(meta.problems).toEqual([]);
  });

  it('a notice that merely links a report is not a report', () => {
    const meta = readMetadata({
      title: '扶沟县自然资源局2021年政府信息公开工作年度报告_扶沟县人民政府',
      headings: ['扶沟县自然资源局2021年政府信息公开工作年度报告'],
      text: '扶沟县自然资源局2021年政府信息公开工作年度报告\n附件：扶沟县自然资源局2021年政府信息公开工作年度报告.pdf\n发布日期：2022-01-20',
    });
    expect(meta.title).toBe('扶沟县自然资源局2021年政府信息公开工作年度报告');
    expect(meta.isReport).toBe(false);
  });

  it('a budget table page is not a report', () => {
    const meta = readMetadata({
      title: '扶沟县自然资源局2021年部门预算公开_扶沟县人民政府',
      headings: ['扶沟县自然资源局2021年部门预算公开'],
      text: '扶沟县自然资源局2021年部门预算公开\n收支预算总表\n项目\t预算数\n一般公共预算拨款收入\t1234.56\n' + BODY,
    });
    expect(meta.isReport).toBe(false);
    expect(meta.title).toBeNull();
  });

  it('a page with the template tables but no title is a report', () => {
    const meta = readMetadata({
      headings: [],
      text: '二、主动公开政府信息情况\n三、收到和处理政府信息公开申请情况\n四、政府信息公开行政复议、行政诉讼情况',
    });
    expect(meta.isReport).toBe(true);
    expect(meta.problems.map((p) => p.code)).toEqual(['year_missing', 'agency_missing']);
  });

  it('a 2017 report is legacy', () => {
    const meta = readMetadata({
      title: '昆山市人民政府2017年政府信息公开工作年度报告_昆山市人民政府',
      headings: ['昆山市人民政府2017年政府信息公开工作年度报告'],
      text: report('昆山市人民政府2017年政府信息公开工作年度报告', '本报告统计期限自2017年1月1日至2017年12月31日。'),
    });
    expect([meta.year, meta.legacy, meta.isReport, meta.agency, meta.region]).toEqual([2017, true, true, '昆山市人民政府', '昆山市']);
    expect(meta.problems).toEqual([]);
  });

  it('a 2019 report is not legacy', () => {
    const meta = readMetadata({ headings: ['昆山市人民政府2019年政府信息公开工作年度报告'], text: BODY });
    expect([meta.year, meta.legacy]).toEqual([2019, false]);
  });

  it('reads a mirror page in traditional characters, title as printed', () => {
    const trad =
      '一、總體情況\n本單位認真貫徹落實《中華人民共和國政府資訊公開條例》，堅持以公開為常態、不公開為例外，持續推進決策、執行、管理、服務、結果公開，' +
      '不斷提升政務公開品質和實效，切實保障人民群眾的知情權、參與權、表達權和監督權。報告中所列資料統計期限自2021年1月1日起至2021年12月31日止。\n' +
      BODY.replace(/公开/g, '公開');
    for (const heading of ['扶溝縣自然資源局2021年政府資訊公開工作年度報告', '扶溝縣自然資源局2021年政府信息公開工作年度報告']) {
      const meta = readMetadata({ title: `${heading}_扶溝縣人民政府`, headings: [heading], text: `${heading}\n${trad}` });
      expect(meta.title).toBe(heading);
      expect(meta.agency).toBe('扶溝縣自然資源局');
      expect(meta.region).toBe('扶溝縣');
      expect(meta.year).toBe(2021);
      expect(meta.periodYear).toBe(2021);
      expect(meta.isReport).toBe(true);
      expect(meta.problems).toEqual([]);
    }
  });

  it('never throws on odd input', () => {
    const meta = readMetadata({ headings: ['', '   '], text: '' });
    expect(meta).toEqual({
      agency: null, year: null, title: null, region: null, isReport: false, legacy: false, periodYear: null, problems: [],
    });
    const big = readMetadata({ headings: [], text: '政府信息公开'.repeat(200000) });
    expect(big.isReport).toBe(false);
  });
});

describe('pages that are not one report', () => {
  it('a column page listing several reports is not a report', () => {
    const lines = [2023, 2022, 2021, 2020].map((y) => `扶沟县自然资源局${y}年政府信息公开工作年度报告 ${y + 1}-01-20`);
    const meta = readMetadata({
      title: '政府信息公开年报_扶沟县人民政府',
      headings: ['政府信息公开年报'],
      text: ['首页', '政务公开', '政府信息公开年报', ...lines, BODY].join('\n'),
    });
    expect(meta.isReport).toBe(false);
  });

  it('a navigation link before the title does not shadow it', () => {
    const meta = readMetadata({
      headings: [],
      text: ['首页', '政府信息公开年报', '扶沟县自然资源局2021年政府信息公开工作年度报告', BODY].join('\n'),
    });
    expect(meta.title).toBe('扶沟县自然资源局2021年政府信息公开工作年度报告');
    expect(meta.agency).toBe('扶沟县自然资源局');
    expect(meta.isReport).toBe(true);
  });
});
