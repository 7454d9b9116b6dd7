import { describe, expect, it } from 'vitest';
import { agencyIdentity, parseAgencyName } from '../src/agency.js';
import { findOrCreateAgency, linkReport, setManualLink, clearManualLink } from '../src/review/agencies.js';
import { openReviewDb } from '../src/review/schema.js';
import { ReportSchema } from '../src/report.js';
import { ingestReport, sha256Hex } from '../src/store/ingest.js';
import type { Db } from '../src/store/db.js';

describe('agencyIdentity', () => {
  it.each([
    ['洪泽区人民政府', '洪泽区人民政府'],
    ['淮安市洪泽区人民政府', '洪泽区人民政府'],
    ['江苏省淮安市洪泽区人民政府', '洪泽区人民政府'],
    ['淮安市洪泽区人民政府办公室', '洪泽区人民政府'],
    ['洪泽区政府办公室', '洪泽区人民政府'],
    ['洪泽区 人民政府', '洪泽区人民政府'],
    ['淮安市洪澤區人民政府', '洪泽区人民政府'],
    ['淮安市人民政府', '淮安市人民政府'],
    ['江苏省淮安市人民政府', '淮安市人民政府'],
    ['江苏省人民政府办公厅', '江苏省人民政府'],
    ['河南省周口市扶沟县自然资源局', '扶沟县自然资源局'],
    ['苏州市昆山市人民政府', '昆山市人民政府'],
    ['ＸＸ县人民政府', 'XX县人民政府'],
  ])('%s → %s', (name, identity) => {
    expect(agencyIdentity(name)).toBe(identity);
  });

  it('keeps the city and its district apart', () => {
    expect(agencyIdentity('淮安市人民政府')).not.toBe(agencyIdentity('淮安市洪泽区人民政府'));
  });

  it.each([
    // what follows the city is not a place: the prefix stays
    ['淮安市城市管理局', '淮安市城市管理局'],
    ['淮安市住房和城乡建设局', '淮安市住房和城乡建设局'],
    ['淮安市市场监督管理局', '淮安市市场监督管理局'],
    // every city has one: the prefix stays
    ['淮安市经济技术开发区管理委员会', '淮安市经济技术开发区管理委员会'],
  ])('does not drop a city before a department name: %s', (name, identity) => {
    expect(agencyIdentity(name)).toBe(identity);
  });

  it('records the prefixes it dropped', () => {
    expect(parseAgencyName('江苏省淮安市洪泽区人民政府').dropped).toEqual(['江苏省', '淮安市']);
    expect(parseAgencyName('洪泽区人民政府').dropped).toEqual([]);
  });
});

function addReport(db: Db, agency: string | null, year: number, salt: string): number {
  const bytes = new TextEncoder().encode(`<html>${salt}</html>`);
  const report = ReportSchema.parse({
    source: `t/${salt}.html`, sha256: sha256Hex(bytes), status: 'ok', version: '2021', agency, year, title: null, region: null,
    source_url: null, kind: 'html', figures: {}, checks: [], problems: [], provenance: {},
  });
  return ingestReport(db, report, bytes).reportId;
}

describe('agencies in the database', () => {
  it('links the reports of one body across years and keeps same-named districts of two cities apart', () => {
    const db = openReviewDb(':memory:');
    const a = addReport(db, '洪泽区人民政府', 2023, 'a');
    const b = addReport(db, '淮安市洪泽区人民政府', 2024, 'b');
    const c = addReport(db, '淮安市人民政府', 2024, 'c');
    const d = addReport(db, '南京市鼓楼区人民政府', 2023, 'd');
    const e = addReport(db, '福州市鼓楼区人民政府', 2023, 'e');
    const none = addReport(db, null, 2023, 'f');
    const [la, lb, lc, ld, le] = [a, b, c, d, e].map((id) => linkReport(db, id)!);
    expect(la.agency_id).toBe(lb.agency_id);
    expect(lb.qualifier).toBe('淮安市');
    expect(lc.agency_id).not.toBe(la.agency_id);
    expect(ld.identity).toBe(le.identity);
    expect(ld.agency_id).not.toBe(le.agency_id);
    expect(linkReport(db, none)).toBeUndefined();
    expect(db.prepare('SELECT count(*) AS n FROM agency_links WHERE report_id = ?').get(none)).toEqual({ n: 0 });
  });

  it('a manual link wins over the automatic one until cleared', () => {
    const db = openReviewDb(':memory:');
    const a = addReport(db, '淮安市洪泽区人民政府办公室', 2023, 'a');
    const auto = linkReport(db, a)!;
    expect(auto.identity).toBe('洪泽区人民政府');
    const manual = setManualLink(db, a, '淮安市洪泽区水利局', 'auditor');
    expect(manual).toMatchObject({ identity: '洪泽区水利局', source: 'manual' });
    expect(linkReport(db, a)!.agency_id).toBe(manual.agency_id);
    const back = clearManualLink(db, a)!;
    expect(back).toMatchObject({ agency_id: auto.agency_id, source: 'auto' });
    expect(findOrCreateAgency(db, '洪泽区人民政府').id).toBe(auto.agency_id);
  });
});

describe('agencies linked by place', () => {
  it('links names without a common pattern through the division code and department type; a manual link still wins', () => {
    const db = openReviewDb(':memory:');
    const old = addReport(db, '西华县文化广电新闻出版局', 2018, 'old');
    const now = addReport(db, '周口市西华县文化广电和旅游局', 2022, 'now');
    const other = addReport(db, '西华县自然资源局', 2022, 'other');
    const [lo, ln, lx] = [old, now, other].map((id) => linkReport(db, id)!);
    expect(lo.agency_id).toBe(ln.agency_id);
    expect(lx.agency_id).not.toBe(lo.agency_id);
    expect(db.prepare('SELECT place_key FROM agency_places WHERE agency_id = ?').pluck().get(lo.agency_id)).toBe('411622||culture_tourism');
    const manual = setManualLink(db, now, '西华县自然资源局', 'auditor');
    expect(manual.agency_id).toBe(lx.agency_id);
    expect(linkReport(db, now)).toMatchObject({ agency_id: lx.agency_id, source: 'manual' });
    expect(clearManualLink(db, now)).toMatchObject({ agency_id: lo.agency_id, source: 'auto' });
  });
});
