import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CROSS_YEAR_IDS, crossYearChecks } from '../src/crossyear.js';
import { extractBytes } from '../src/extract.js';
import { setManualLink } from '../src/review/agencies.js';
import { afterIngest } from '../src/review/hook.js';
import { openReviewDb } from '../src/review/schema.js';
import type { Db } from '../src/store/db.js';
import { ingestReport } from '../src/store/ingest.js';

const REAL = join(__dirname, '..', 'corpus', 'real');
const SERIES = join(__dirname, '..', 'samples', 'series');

async function ingestFile(db: Db, path: string): Promise<number> {
  const bytes = readFileSync(path);
  const report = await extractBytes(bytes, { source: path });
  const { reportId } = ingestReport(db, report, bytes);
  afterIngest(db, reportId);
  return reportId;
}

function checksOf(db: Db, reportId: number): Record<string, { status: string; expected: number | null; actual: number | null; reason: string | null }> {
  const out: Record<string, { status: string; expected: number | null; actual: number | null; reason: string | null }> = {};
  for (const c of db.prepare('SELECT check_id, status, expected, actual, reason FROM checks WHERE report_id = ?').all(reportId) as {
    check_id: string;
    status: string;
    expected: number | null;
    actual: number | null;
    reason: string | null;
  }[]) {
    out[c.check_id] = { status: c.status, expected: c.expected, actual: c.actual, reason: c.reason };
  }
  return out;
}

describe('crossYearChecks (pure)', () => {
  const prev = { year: 2022, version: '2021', figures: { 'requests.carried_forward.natural': 4, 'requests.carried_forward.total': 8, 'art20.rules.in_force': 3 } };
  it('compares this year carried_over with last year carried_forward per column, skipping what is missing', () => {
    const cur = { year: 2023, version: '2021', figures: { 'requests.carried_over.natural': 4, 'requests.carried_over.total': 6, 'requests.carried_over.legal': 0 } };
    const byId = Object.fromEntries(crossYearChecks(cur, prev).map((c) => [c.id, c]));
    expect(byId['requests.carry_link.natural']).toMatchObject({ status: 'pass', expected: 4, actual: 4 });
    expect(byId['requests.carry_link.total']).toMatchObject({ status: 'fail', expected: 8, actual: 6 });
    expect(byId['requests.carry_link.total']!.reason).toContain('= 8');
    expect(byId['requests.carry_link.legal']!.status).toBe('skipped');
    expect(byId['requests.carry_link.legal']!.reason).toContain('requests.carried_forward.legal');
    expect(byId['requests.carry_link.social']!.status).toBe('skipped');
    expect(Object.keys(byId).sort()).toEqual([...CROSS_YEAR_IDS].sort());
  });
  it('art20.in_force_link is a warning, never a failure, and needs the 2021 template on both sides', () => {
    const cur = { year: 2023, version: '2021', figures: { 'art20.rules.in_force': 9, 'art20.rules.issued': 2, 'art20.rules.repealed': 1 } };
    const w = crossYearChecks(cur, prev).find((c) => c.id === 'art20.in_force_link.rules')!;
    expect(w).toMatchObject({ status: 'warn', expected: 4, actual: 9 });
    const ok = crossYearChecks({ ...cur, figures: { ...cur.figures, 'art20.rules.in_force': 4 } }, prev).find((c) => c.id === 'art20.in_force_link.rules')!;
    expect(ok.status).toBe('pass');
    const old = crossYearChecks(cur, { ...prev, version: '2019' }).find((c) => c.id === 'art20.in_force_link.rules')!;
    expect(old.status).toBe('skipped');
    expect(old.reason).toContain('2021 template');
  });
  it('without last year every cross-year check is skipped with the reason given', () => {
    const all = crossYearChecks({ year: 2023, version: '2021', figures: {} }, null, 'no report of X for 2022 in the database');
    expect(all.every((c) => c.status === 'skipped' && c.reason === 'no report of X for 2022 in the database')).toBe(true);
  });
});

describe('the two 洪泽区 reports (real PDFs, through extractBytes and ingest)', () => {
  it('link as one body and pass requests.carry_link, whichever arrives first', async () => {
    const db = openReviewDb(':memory:');
    // 2024 first: its carry link has no 2023 yet.
    const r24 = await ingestFile(db, join(REAL, 'huaian-hongze-2024.pdf'));
    expect(checksOf(db, r24)['requests.carry_link.total']!.status).toBe('skipped');
    const r23 = await ingestFile(db, join(REAL, 'huaian-hongze-2023.pdf'));
    const agencies = db.prepare('SELECT a.id, a.identity FROM agency_links l JOIN agencies a ON a.id = l.agency_id WHERE l.report_id IN (?, ?)').all(r23, r24) as {
      id: number;
      identity: string;
    }[];
    expect(agencies).toHaveLength(2);
    expect(agencies[0]!.id).toBe(agencies[1]!.id);
    expect(agencies[0]!.identity).toBe('洪泽区人民政府');
    // The later arrival (2023) completed 2024's checks: 2024 carried_over.total 0 vs 2023 carried_forward.total 0.
    const c24 = checksOf(db, r24);
    expect(c24['requests.carry_link.total']).toMatchObject({ status: 'pass', expected: 0, actual: 0 });
    for (const col of ['natural', 'commercial', 'research', 'social', 'legal', 'other_org']) {
      expect(c24[`requests.carry_link.${col}`]!.status).toBe('pass');
    }
    // 现行有效件数: normative 5 (2023) + 3 issued − 0 repealed = 8 (2024).
    expect(c24['art20.in_force_link.normative']).toMatchObject({ status: 'pass', expected: 8, actual: 8 });
    expect(checksOf(db, r23)['requests.carry_link.total']!.status).toBe('skipped');
    expect(checksOf(db, r23)['requests.carry_link.total']!.reason).toContain('2022');
    // The city is another body: no link to the district's series.
    const city = await ingestFile(db, join(REAL, 'huaian-city-2024.pdf'));
    const cityAgency = (db.prepare('SELECT agency_id FROM agency_links WHERE report_id = ?').get(city) as { agency_id: number }).agency_id;
    expect(cityAgency).not.toBe(agencies[0]!.id);
    const series = db.prepare('SELECT year, new_requests FROM agency_series WHERE identity = ? ORDER BY year').all('洪泽区人民政府');
    expect(series).toEqual([
      { year: 2023, new_requests: 21 },
      { year: 2024, new_requests: 95 },
    ]);
  }, 120_000);
});

describe('the sample series (samples/series: one body, three years, broken carry-over)', () => {
  const files = [2021, 2022, 2023].map((y) => join(SERIES, `xihua-culture-${y}`));

  it.each([
    ['in year order', [0, 1, 2]],
    ['latest first, the middle year last', [2, 0, 1]],
  ])('gives the expected cross-year results %s', async (_name, order) => {
    const db = openReviewDb(':memory:');
    const ids: number[] = [];
    for (const i of order) ids[i] = await ingestFile(db, files[i]! + '.html');
    const agencyIds = new Set(ids.map((id) => (db.prepare('SELECT agency_id FROM agency_links WHERE report_id = ?').get(id) as { agency_id: number }).agency_id));
    expect(agencyIds.size).toBe(1);
    for (let i = 0; i < 3; i++) {
      const expected = JSON.parse(readFileSync(files[i]! + '.expected.json', 'utf8')) as { checks_after_series: Record<string, string> };
      const got = checksOf(db, ids[i]!);
      for (const [id, status] of Object.entries(expected.checks_after_series)) {
        expect({ report: files[i], id, status: got[id]?.status }).toEqual({ report: files[i], id, status });
      }
    }
    const c23 = checksOf(db, ids[2]!);
    expect(c23['requests.carry_link.commercial']).toMatchObject({ expected: 4, actual: 2 });
    expect(c23['requests.carry_link.total']).toMatchObject({ expected: 8, actual: 6 });
    expect(c23['art20.in_force_link.normative']).toMatchObject({ status: 'warn', expected: 14, actual: 20 });
    // Warnings are kept apart from failures.
    const failed = (db.prepare("SELECT check_id FROM checks WHERE report_id = ? AND status = 'fail' ORDER BY check_id").all(ids[2]!) as { check_id: string }[]).map(
      (c) => c.check_id,
    );
    expect(failed).toEqual(['requests.carry_link.commercial', 'requests.carry_link.total']);
  }, 60_000);

  it('a manual link moves a report into another series and both series are rechecked', async () => {
    const db = openReviewDb(':memory:');
    const ids = [];
    for (const f of files) ids.push(await ingestFile(db, f + '.html'));
    // Say a person decides 2022 belongs to another body: 2023 loses its last year, 2022 its.
    setManualLink(db, ids[1]!, '西华县文物局');
    afterIngest(db, ids[1]!);
    for (const id of ids) afterIngest(db, id);
    expect(checksOf(db, ids[2]!)['requests.carry_link.total']!.status).toBe('skipped');
    expect(checksOf(db, ids[1]!)['requests.carry_link.total']!.reason).toContain('西华县文物局');
    // An automatic relink never overrides the manual one.
    afterIngest(db, ids[1]!);
    expect((db.prepare('SELECT source FROM agency_links WHERE report_id = ?').get(ids[1]!) as { source: string }).source).toBe('manual');
  }, 60_000);
});
