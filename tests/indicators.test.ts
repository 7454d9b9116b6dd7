/**
 * Indicators (issue 19 item 1) on the samples, against figures worked out by hand from the tables as
 * printed (the samples' expected.json), including a zero denominator, a failed check, a missing figure
 * and the change over the year before for one body.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractBytes } from '../src/extract.js';
import { INDICATORS, formulaText, REPORT_INDICATORS } from '../src/indicators/definitions.js';
import { ensureIndicatorSchema, indicatorViewsSql } from '../src/indicators/schema.js';
import { ALL_KNOWN_KEYS } from '../src/keys.js';
import { ReportSchema } from '../src/report.js';
import { afterIngest } from '../src/review/hook.js';
import { openReviewDb } from '../src/review/schema.js';
import type { Db } from '../src/store/db.js';
import { ingestReport, sha256Hex } from '../src/store/ingest.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const tmp = mkdtempSync(join(tmpdir(), 'nianbao-indicators-'));
let db: Db;
const id: Record<string, number> = {};

const SAMPLES: Record<string, string> = {
  luyi: 'samples/luyi-police-2019-bad-litigation.html',
  taikang: 'samples/taikang-education-2021-bad-sums.html',
  fugou: 'samples/fugou-agriculture-2021-values.html',
  c2021: 'samples/series/xihua-culture-2021.html',
  c2022: 'samples/series/xihua-culture-2022.html',
  c2023: 'samples/series/xihua-culture-2023.html',
};

beforeAll(async () => {
  db = openReviewDb(join(tmp, 'ind.db'));
  for (const [name, rel] of Object.entries(SAMPLES)) {
    const bytes = readFileSync(join(root, rel));
    const { reportId } = ingestReport(db, await extractBytes(bytes, { source: rel }), bytes);
    afterIngest(db, reportId);
    id[name] = reportId;
  }
  // a report with an unreadable 予以公开 总计 and no table 4 at all
  const bytes = new TextEncoder().encode('missing');
  const r = ReportSchema.parse({
    source: 'm.html', sha256: sha256Hex(bytes), status: 'partial', version: '2021', agency: '某县民政局', year: 2021, title: null, region: null,
    source_url: null, kind: 'html', figures: { 'requests.granted.total': null, 'requests.partial.total': 3, 'requests.total.total': 10 },
    checks: [], problems: [], provenance: {},
  });
  id.missing = ingestReport(db, r, bytes).reportId;
  afterIngest(db, id.missing);
  ensureIndicatorSchema(db);
}, 120_000);
afterAll(() => {
  db.close();
  rmSync(tmp, { recursive: true, force: true });
});

type Wide = Record<string, number | string | null>;
const wide = (name: string) => db.prepare('SELECT * FROM report_indicator_values WHERE report_id = ?').get(id[name]) as Wide;

describe('the definitions', () => {
  it('one table: ids unique, names in both languages, a version, a formula over canonical keys', () => {
    expect(new Set(INDICATORS.map((d) => d.id)).size).toBe(INDICATORS.length);
    for (const d of INDICATORS) {
      expect(d.zh).toMatch(/[\u4e00-\u9fff]/);
      expect(d.en).toMatch(/[a-z]/);
      expect(d.version).toBeGreaterThanOrEqual(1);
      for (const x of [...d.numerator, ...d.denominator]) expect(ALL_KNOWN_KEYS).toContain(x.key);
    }
    expect(formulaText(INDICATORS.find((d) => d.id === 'review_correction_rate')!)).toBe('review.corrected / (review.upheld + review.corrected + review.other)');
    const rows = db.prepare('SELECT id, version, formula FROM indicator_definitions ORDER BY rowid').all() as { id: string }[];
    expect(rows.map((r) => r.id)).toEqual(INDICATORS.map((d) => d.id));
  });
});

describe('per report, against the tables worked out by hand', () => {
  it('鹿邑县公安局 2019: every request rate; 行政复议 and 复议后起诉 NULL (their totals fail their check)', () => {
    const w = wide('luyi');
    // 予以公开 33, 部分公开 28, 总计 695; 不予公开 19+42+23+59+28+57+31+43 = 302; 无法提供 50+30+15 = 95
    expect(w.disclosure_rate).toBeCloseTo(33 / 695, 12);
    expect(w.disclosure_rate_with_partial).toBeCloseTo(61 / 695, 12);
    expect(w.disclosure_rate_decided).toBeCloseTo(61 / 363, 12);
    expect(w.denial_rate_numerator).toBe(302);
    expect(w.denial_rate).toBeCloseTo(302 / 695, 12);
    expect(w.unable_rate).toBeCloseTo(95 / 695, 12);
    // 未经复议直接起诉: 维持 13, 纠正 4, 其他 5
    expect(w.litigation_direct_correction_rate).toBeCloseTo(4 / 22, 12);
    expect(w.review_correction_rate).toBeNull();
    expect(w.review_correction_rate_reason).toBe('in a failed check: review.upheld, review.corrected, review.other');
    expect(w.review_correction_rate_numerator).toBe(24);
    expect(w.litigation_after_review_correction_rate).toBeNull();
    expect(w.litigation_after_review_correction_rate_reason).toMatch(/^in a failed check: /);
    for (const d of REPORT_INDICATORS.filter((x) => x.scope === 'report' && !/review_correction/.test(x.id))) expect(w[`${d.id}_reason`]).toBeNull();
  });

  it('太康县教育体育局 2021: the request rates NULL (总计 and 予以公开 fail their checks), table 4 computed, 0 corrections is 0', () => {
    const w = wide('taikang');
    for (const k of ['disclosure_rate', 'disclosure_rate_with_partial', 'denial_rate', 'unable_rate']) {
      expect(w[k]).toBeNull();
      expect(w[`${k}_reason`]).toMatch(/^in a failed check: .*requests\.(granted|total)\.total/);
    }
    expect(w.review_correction_rate).toBeCloseTo(17 / 41, 12);
    expect(w.litigation_direct_correction_rate).toBeCloseTo(8 / 47, 12);
    expect(w.litigation_after_review_correction_rate).toBe(0); // 0 / (12 + 0 + 0)
  });

  it('扶沟县农业农村局 2021', () => {
    const w = wide('fugou');
    expect(w.disclosure_rate).toBeCloseTo(46 / 620, 12);
    expect(w.disclosure_rate_decided).toBeCloseTo(80 / (80 + 236), 12);
    expect(w.review_correction_rate).toBeCloseTo(15 / 43, 12);
  });

  it('a zero denominator: 西华县文化广电和旅游局 2021 had no review (0 + 0 + 0)', () => {
    const w = wide('c2021');
    expect(w.review_correction_rate).toBeNull();
    expect(w.review_correction_rate_denominator).toBe(0);
    expect(w.review_correction_rate_reason).toBe('denominator is 0');
    expect(w.disclosure_rate).toBeCloseTo(7 / 10, 12);
    expect(w.unable_rate).toBeCloseTo(1 / 10, 12);
  });

  it('a figure missing or unreadable', () => {
    const w = wide('missing');
    expect(w.disclosure_rate).toBeNull();
    expect(w.disclosure_rate_reason).toBe('missing or unreadable: requests.granted.total');
    expect(w.review_correction_rate_reason).toBe('missing or unreadable: review.upheld, review.corrected, review.other');
  });

  it('新收申请 over the year before, for the same body (named 周口市西华县… in 2022)', () => {
    expect(wide('c2021').new_requests_change).toBeNull();
    expect(wide('c2021').new_requests_change_reason).toBe('no report of the same body for the year before');
    expect(wide('c2022').prev_report_id).toBe(id.c2021);
    expect(wide('c2022').new_requests_change).toBeCloseTo((300 - 12) / 12, 12);
    expect(wide('c2023').new_requests_change).toBeCloseTo((45 - 300) / 300, 12);
  });

  it('report_indicators: the same values, long, with the year', () => {
    const rows = db.prepare('SELECT * FROM report_indicators WHERE report_id = ? ORDER BY indicator_id').all(id.c2023) as Wide[];
    expect(rows.map((r) => r.indicator_id)).toEqual(REPORT_INDICATORS.map((d) => d.id).sort());
    const w = wide('c2023');
    for (const r of rows) {
      expect(r.year).toBe(2023);
      expect(r.value).toBe(w[r.indicator_id as string]);
      expect(r.reason).toBe(w[`${r.indicator_id}_reason`]);
    }
  });
});

describe('per division and the panel', () => {
  it('division_check_failures: the share of reports with a failed check in 周口市, 2021', () => {
    const failing = (rid: number) => !!db.prepare("SELECT 1 FROM checks WHERE report_id = ? AND status = 'fail'").get(rid);
    expect(failing(id.taikang!)).toBe(true);
    expect(failing(id.fugou!)).toBe(false);
    const row = db.prepare("SELECT * FROM division_check_failures WHERE level = 'city' AND division_code = '411600' AND year = 2021").get() as Wide;
    // 2021 in 周口市: taikang (fails), fugou, xihua-culture 2021 (and the 某县 report is not placed in 周口)
    const n = [id.taikang, id.fugou, id.c2021].length;
    const f = [id.taikang, id.fugou, id.c2021].filter((r) => failing(r!)).length;
    expect(row.reports).toBe(n);
    expect(row.reports_failing).toBe(f);
    expect(row.failed_checks_share).toBeCloseTo(f / n, 12);
  });

  it('indicator_panel: one row per body and year, ranks and percentiles within the city', () => {
    const rows = db.prepare("SELECT * FROM indicator_panel WHERE year = 2021 AND city_code = '411600' ORDER BY report_id").all() as Wide[];
    const by = (rid: number) => rows.find((r) => r.report_id === rid)!;
    expect(rows).toHaveLength(3);
    // disclosure_rate in 2021: 西华文旅 0.7 > 扶沟农业 0.0742; 太康教体 NULL (failed check): no rank
    expect(by(id.c2021!).disclosure_rate_rank_city).toBe(1);
    expect(by(id.fugou!).disclosure_rate_rank_city).toBe(2);
    expect(by(id.c2021!).disclosure_rate_pct_city).toBe(1);
    expect(by(id.fugou!).disclosure_rate_pct_city).toBe(0);
    expect(by(id.taikang!).disclosure_rate_rank_city).toBeNull();
    expect(by(id.taikang!).disclosure_rate_reason).toMatch(/failed check/);
    expect(by(id.fugou!).province_code).toBe('410000');
    expect(by(id.fugou!).city_failed_checks_share).toBeCloseTo(1 / 3, 12);
    const y2022 = db.prepare('SELECT body, new_requests_change FROM indicator_panel WHERE report_id = ?').get(id.c2022) as Wide;
    expect(y2022.new_requests_change).toBeCloseTo(24, 12);
  });

  it('views are recreated when their SQL differs from the definitions (a changed definition reaches old databases)', () => {
    db.exec('DROP VIEW indicator_panel; CREATE VIEW indicator_panel AS SELECT 1 AS x');
    const fresh = openReviewDb(join(tmp, 'ind.db'));
    try {
      ensureIndicatorSchema(fresh);
      const sql = fresh.prepare("SELECT sql FROM sqlite_master WHERE name = 'indicator_panel'").pluck().get();
      expect(sql).toBe(indicatorViewsSql().find((v) => v.name === 'indicator_panel')!.sql);
    } finally {
      fresh.close();
    }
  });
});
