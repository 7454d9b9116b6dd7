import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ReportSchema, type Report } from '../src/report.js';
import { openDb, type Db } from '../src/store/db.js';
import { ingestReport, reextractReport, sha256Hex, storeBlob, upsertChecks } from '../src/store/ingest.js';
import { checkCounts, listChecks, loadReport } from '../src/store/queries.js';
import { applyMigrations, type Migration } from '../src/store/migrate.js';
import { ensurePlacesSchema } from '../src/places/schema.js';

const enc = new TextEncoder();

/** A small report as extraction would produce it, for the given bytes. */
function makeReport(bytes: Uint8Array, over: Partial<Report> = {}): Report {
  return ReportSchema.parse({
    source: 'samples/test-2021.html',
    sha256: sha256Hex(bytes),
    status: 'partial',
    version: '2021',
    agency: '扶沟县自然资源局',
    year: 2021,
    title: '扶沟县自然资源局2021年政府信息公开工作年度报告',
    region: '河南省周口市扶沟县',
    source_url: null,
    kind: 'html',
    ocr: false,
    figures: {
      'art20.licensing.decisions': 53,
      'art20.fees.amount': 1.2345,
      'requests.new.total': 3,
      'requests.granted.natural': null,
    },
    checks: [
      {
        id: 'requests.balance.total',
        status: 'fail',
        expected: 3,
        actual: 2,
        keys: ['requests.new.total', 'requests.carried_over.total', 'requests.total.total', 'requests.carried_forward.total'],
        reason: 'new + carried_over = 3, total + carried_forward = 2',
      },
      { id: 'review.total', status: 'pass', expected: 0, actual: 0, keys: ['review.total', 'review.upheld'] },
      {
        id: 'requests.row_sum.granted',
        status: 'skipped',
        expected: null,
        actual: null,
        keys: ['requests.granted.natural'],
        reason: 'requests.granted.natural is missing',
      },
    ],
    problems: [
      { code: 'cell_unreadable', message: 'cannot read "约三件"', where: 'table 3, row 予以公开, column 自然人' },
      { code: 'decode_replacement_chars', message: '2 replacement characters' },
    ],
    provenance: {
      'art20.licensing.decisions': {
        text: '53',
        blank: false,
        table: 2,
        grid: 1,
        row_label: '行政许可',
        col_label: '本年处理决定数量',
        where: { table: 1, row: 5, col: 1, domPath: 'body>table:nth-of-type(1)>tr:nth-of-type(6)>td:nth-of-type(2)' },
      },
      'requests.new.total': {
        text: '３',
        blank: false,
        table: 3,
        grid: 2,
        row_label: '一、本年新收政府信息公开申请数量',
        col_label: '总计',
        where: { table: 2, row: 3, col: 9 },
      },
      'requests.granted.natural': {
        text: '约三件',
        blank: false,
        table: 3,
        grid: 2,
        row_label: '（一）予以公开',
        col_label: '自然人',
        where: { table: 2, row: 5, col: 3 },
      },
    },
    ...over,
  });
}

function counts(db: Db): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of ['blobs', 'reports', 'figures', 'figure_sources', 'checks', 'problems']) {
    out[t] = (db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
  }
  return out;
}

let dir: string;
let db: Db;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nianbao-store-'));
  db = openDb(join(dir, 'sub', 'test.db'));
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('openDb', () => {
  it('creates the folder, turns on WAL and foreign keys, and records the core migration', () => {
    expect(existsSync(join(dir, 'sub', 'test.db'))).toBe(true);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    const migrations = db.prepare('SELECT set_name, version FROM schema_migrations').all();
    expect(migrations).toEqual([
      { set_name: 'core', version: 1 },
      { set_name: 'core', version: 2 },
      { set_name: 'core', version: 3 },
      { set_name: 'core', version: 4 },
      { set_name: 'core', version: 5 },
      { set_name: 'core', version: 6 },
      { set_name: 'core', version: 7 },
    ]);
    const objects = db
      .prepare("SELECT type, name FROM sqlite_master WHERE type IN ('table','view') ORDER BY type, name")
      .all() as { type: string; name: string }[];
    expect(objects.filter((o) => o.type === 'view').map((o) => o.name)).toEqual([
      'check_results',
      'checks',
      'failed_checks',
      'figure_sources',
      'figures',
      'report_summary',
    ]);
    for (const t of ['blobs', 'reports', 'figure_rows', 'figure_keys', 'provenance', 'check_rows', 'check_defs', 'problems']) {
      expect(objects.some((o) => o.type === 'table' && o.name === t)).toBe(true);
    }
  });

  it('opening again applies nothing twice', () => {
    db.close();
    db = openDb(join(dir, 'sub', 'test.db'));
    expect((db.prepare('SELECT count(*) AS n FROM schema_migrations').get() as { n: number }).n).toBe(7);
  });
});

describe('ingestReport', () => {
  it('writes the report, its bytes, figures, provenance, checks and problems', () => {
    const bytes = enc.encode('<html><body><table><tr><td>53</td></tr></table></body></html>');
    const report = makeReport(bytes);
    const res = ingestReport(db, report, bytes, { sourceUrl: 'https://example.gov.cn/nb/2021.html' });
    expect(res).toEqual({ reportId: 1, created: true });

    const blob = db.prepare('SELECT sha256, size, bytes FROM blobs').get() as { sha256: string; size: number; bytes: Buffer };
    expect(blob.sha256).toBe(report.sha256);
    expect(blob.size).toBe(bytes.byteLength);
    expect(Buffer.compare(blob.bytes, Buffer.from(bytes))).toBe(0);

    const r = db
      .prepare('SELECT id, sha256, source, source_url, kind, status, version, agency, year, title, region, extractor_version FROM reports')
      .get();
    expect(r).toEqual({
      id: 1,
      sha256: report.sha256,
      source: 'samples/test-2021.html',
      source_url: 'https://example.gov.cn/nb/2021.html',
      kind: 'html',
      status: 'partial',
      version: '2021',
      agency: '扶沟县自然资源局',
      year: 2021,
      title: '扶沟县自然资源局2021年政府信息公开工作年度报告',
      region: '河南省周口市扶沟县',
      extractor_version: '0.1.0',
    });

    expect(db.prepare('SELECT report_id, key, value FROM figures ORDER BY ord').all()).toEqual([
      { report_id: 1, key: 'art20.licensing.decisions', value: 53 },
      { report_id: 1, key: 'art20.fees.amount', value: 1.2345 },
      { report_id: 1, key: 'requests.new.total', value: 3 },
      { report_id: 1, key: 'requests.granted.natural', value: null },
    ]);
    // NUMERIC affinity: whole numbers are stored as integers (sqlite3 shows 53, not 53.0).
    expect(db.prepare('SELECT key, typeof(value) AS t FROM figures ORDER BY ord').all()).toEqual([
      { key: 'art20.licensing.decisions', t: 'integer' },
      { key: 'art20.fees.amount', t: 'real' },
      { key: 'requests.new.total', t: 'integer' },
      { key: 'requests.granted.natural', t: 'null' },
    ]);
    expect(
      db.prepare("SELECT text, blank, canonical_table, grid, row_label, col_label, where_json FROM figure_sources WHERE key = 'requests.new.total'").get(),
    ).toEqual({
      text: '３',
      blank: 0,
      canonical_table: 3,
      grid: 2,
      row_label: '一、本年新收政府信息公开申请数量',
      col_label: '总计',
      where_json: '{"table":2,"row":3,"col":9}',
    });
    expect(db.prepare('SELECT check_id, status, expected, actual, keys_json, reason, evidence FROM checks ORDER BY ord').all()).toEqual([
      {
        check_id: 'requests.balance.total',
        status: 'fail',
        expected: 3,
        actual: 2,
        keys_json: JSON.stringify(report.checks[0].keys),
        reason: 'new + carried_over = 3, total + carried_forward = 2',
        evidence: null,
      },
      { check_id: 'review.total', status: 'pass', expected: 0, actual: 0, keys_json: '["review.total","review.upheld"]', reason: null, evidence: null },
      {
        check_id: 'requests.row_sum.granted',
        status: 'skipped',
        expected: null,
        actual: null,
        keys_json: '["requests.granted.natural"]',
        reason: 'requests.granted.natural is missing',
        evidence: null,
      },
    ]);
    expect(db.prepare('SELECT report_id, code, message, where_text FROM problems ORDER BY id').all()).toEqual([
      { report_id: 1, code: 'cell_unreadable', message: 'cannot read "约三件"', where_text: 'table 3, row 予以公开, column 自然人' },
      { report_id: 1, code: 'decode_replacement_chars', message: '2 replacement characters', where_text: null },
    ]);

    // The views analysts query.
    expect(db.prepare('SELECT report_id, agency, year, check_id, expected, actual FROM failed_checks').all()).toEqual([
      { report_id: 1, agency: '扶沟县自然资源局', year: 2021, check_id: 'requests.balance.total', expected: 3, actual: 2 },
    ]);
    expect(db.prepare('SELECT figures, unreadable, passed, failed, warned, skipped, problems FROM report_summary').get()).toEqual({
      figures: 4,
      unreadable: 1,
      passed: 1,
      failed: 1,
      warned: 0,
      skipped: 1,
      problems: 2,
    });
  });

  it('keeps the OCR mark: reports.ocr, figure_sources.ocr and .confidence, read back as stored', () => {
    const bytes = enc.encode('scanned report');
    const report = makeReport(bytes);
    report.ocr = true;
    const key = Object.keys(report.provenance)[0];
    report.provenance[key] = { ...report.provenance[key], ocr: true, confidence: 0.87 };
    const { reportId } = ingestReport(db, report, bytes);
    expect(db.prepare('SELECT ocr FROM reports WHERE id = ?').get(reportId)).toEqual({ ocr: 1 });
    expect(db.prepare('SELECT ocr, confidence FROM figure_sources WHERE report_id = ? AND key = ?').get(reportId, key)).toEqual({ ocr: 1, confidence: 0.87 });
    const back = loadReport(db, reportId)!;
    expect(back.ocr).toBe(true);
    expect(back.provenance[key].ocr).toBe(true);
    expect(back.provenance[key].confidence).toBe(0.87);
  });

  it('keeps an OCR correction in provenance: ocr_corrected, ocr_read and ocr_alternatives, in figure_sources too', () => {
    const bytes = enc.encode('scanned report, one figure corrected');
    const report = makeReport(bytes);
    const [k1, k2] = Object.keys(report.provenance);
    report.provenance[k1] = { ...report.provenance[k1], ocr: true, confidence: 0.41, ocr_corrected: true, ocr_read: 16 };
    report.provenance[k2] = { ...report.provenance[k2], ocr: true, confidence: 0.52, ocr_alternatives: [7, 1] };
    const { reportId } = ingestReport(db, report, bytes);
    const row = (k: string) =>
      db.prepare('SELECT ocr, confidence, ocr_corrected, ocr_read, ocr_alternatives FROM figure_sources WHERE report_id = ? AND key = ?').get(reportId, k);
    expect(row(k1)).toEqual({ ocr: 1, confidence: 0.41, ocr_corrected: 1, ocr_read: 16, ocr_alternatives: null });
    expect(row(k2)).toEqual({ ocr: 1, confidence: 0.52, ocr_corrected: 0, ocr_read: null, ocr_alternatives: '[7,1]' });
    const back = loadReport(db, reportId)!;
    expect(back.provenance).toEqual(report.provenance);
  });

  it('reads back the same report (integers stay integers)', () => {
    const bytes = enc.encode('report one');
    const report = makeReport(bytes);
    const { reportId } = ingestReport(db, report, bytes);
    const back = loadReport(db, reportId)!;
    const { id, ...rest } = back;
    expect(id).toBe(reportId);
    expect(rest).toEqual(report);
    expect(JSON.stringify(back.figures)).toBe(
      '{"art20.licensing.decisions":53,"art20.fees.amount":1.2345,"requests.new.total":3,"requests.granted.natural":null}',
    );
  });

  it('ingesting the same bytes twice changes nothing', () => {
    const bytes = enc.encode('the same bytes');
    const first = ingestReport(db, makeReport(bytes), bytes);
    const before = counts(db);
    const reportRow = db.prepare('SELECT * FROM reports').all();
    // Even a different extraction of the same bytes (another source name, other figures) is not written.
    const second = ingestReport(db, makeReport(bytes, { source: 'elsewhere.html', figures: { 'review.total': 9 } }), bytes);
    expect(second).toEqual({ reportId: first.reportId, created: false });
    expect(counts(db)).toEqual(before);
    expect(db.prepare('SELECT * FROM reports').all()).toEqual(reportRow);
    expect(before).toEqual({ blobs: 1, reports: 1, figures: 4, figure_sources: 3, checks: 3, problems: 2 });

    const other = enc.encode('other bytes');
    expect(ingestReport(db, makeReport(other), other)).toEqual({ reportId: first.reportId + 1, created: true });
    expect(counts(db).reports).toBe(2);
  });

  it('a report that fails mid-way leaves nothing behind', () => {
    const good = enc.encode('good');
    ingestReport(db, makeReport(good), good);
    const before = counts(db);
    const bytes = enc.encode('bad');
    const base = makeReport(bytes);
    // Two checks with one id: the second insert violates the primary key after the blob, the report,
    // its figures, provenance and first check were written.
    const bad = { ...base, checks: [base.checks[0], base.checks[1], { ...base.checks[0], status: 'pass' as const }] };
    expect(() => ingestReport(db, bad, bytes)).toThrow(/UNIQUE constraint failed: checks/);
    expect(counts(db)).toEqual(before);
    expect(db.prepare('SELECT count(*) AS n FROM blobs WHERE sha256 = ?').get(base.sha256)).toEqual({ n: 0 });
  });

  it('rejects an invalid report or bytes that do not match its sha256, writing nothing', () => {
    const bytes = enc.encode('x');
    const report = makeReport(bytes);
    expect(() => ingestReport(db, { ...report, status: 'fine' as never }, bytes)).toThrow(/status/);
    expect(() => ingestReport(db, report, enc.encode('y'))).toThrow(/does not match its bytes/);
    expect(counts(db)).toEqual({ blobs: 0, reports: 0, figures: 0, figure_sources: 0, checks: 0, problems: 0 });
  });

  it('uses bytes already stored as a blob (by the crawler) without storing them twice', () => {
    const bytes = enc.encode('fetched earlier');
    storeBlob(db, bytes);
    const res = ingestReport(db, makeReport(bytes), bytes);
    expect(res.created).toBe(true);
    expect(counts(db).blobs).toBe(1);
  });
});

describe('reextractReport and upsertChecks', () => {
  it('replaces figures, checks and problems, keeping the report id', () => {
    const bytes = enc.encode('to re-extract');
    const { reportId } = ingestReport(db, makeReport(bytes), bytes);
    const fresh = makeReport(bytes, {
      status: 'ok',
      figures: { 'review.total': 2 },
      provenance: {},
      checks: [{ id: 'review.total', status: 'fail', expected: 2, actual: 1, keys: ['review.total'] }],
      problems: [],
    });
    expect(reextractReport(db, fresh)).toEqual({ reportId, created: false });
    expect(counts(db)).toEqual({ blobs: 1, reports: 1, figures: 1, figure_sources: 0, checks: 1, problems: 0 });
    const back = loadReport(db, reportId)!;
    expect(back.status).toBe('ok');
    expect(back.figures).toEqual({ 'review.total': 2 });
    expect(back.checks).toEqual(fresh.checks);

    upsertChecks(db, reportId, [
      { id: 'requests.carry_link.total', status: 'fail', expected: 4, actual: 5, keys: ['requests.carried_over.total'] },
      { id: 'review.total', status: 'pass', expected: 2, actual: 2, keys: ['review.total'] },
    ]);
    expect(checkCounts(db, reportId)).toEqual({ fail: 1, warn: 0, skipped: 0, pass: 1 });
    expect(listChecks(db, { reportId }).map((c) => [c.check_id, c.status])).toEqual([
      ['requests.carry_link.total', 'fail'],
      ['review.total', 'pass'],
    ]);
  });

  it('without a stored report, needs the bytes and then ingests', () => {
    const bytes = enc.encode('new one');
    expect(() => reextractReport(db, makeReport(bytes))).toThrow(/no stored report/);
    expect(reextractReport(db, makeReport(bytes), bytes)).toEqual({ reportId: 1, created: true });
  });
});

describe('listChecks', () => {
  it('lists failed checks first, then warn, skipped and pass, and filters', () => {
    const a = enc.encode('a');
    const b = enc.encode('b');
    ingestReport(db, makeReport(a, { agency: '乙局', year: 2022 }), a);
    ingestReport(
      db,
      makeReport(b, {
        agency: '甲局',
        checks: [
          { id: 'art20.in_force_link', status: 'warn', expected: 1, actual: 2, keys: [] },
          { id: 'requests.balance.natural', status: 'fail', expected: 1, actual: 0, keys: [] },
        ],
      }),
      b,
    );
    const all = listChecks(db);
    expect(all.map((c) => `${c.status} ${c.agency} ${c.check_id}`)).toEqual([
      'fail 乙局 requests.balance.total',
      'fail 甲局 requests.balance.natural',
      'warn 甲局 art20.in_force_link',
      'skipped 乙局 requests.row_sum.granted',
      'pass 乙局 review.total',
    ]);
    expect(listChecks(db, { status: 'fail', agency: '甲' }).map((c) => c.check_id)).toEqual(['requests.balance.natural']);
    expect(listChecks(db, { check: 'requests.*' }).map((c) => c.check_id)).toEqual([
      'requests.balance.total',
      'requests.balance.natural',
      'requests.row_sum.granted',
    ]);
    expect(listChecks(db, { year: 2022, status: 'pass' })[0]).toMatchObject({
      report_id: 1,
      agency: '乙局',
      year: 2022,
      check_id: 'review.total',
      expected: 0,
      actual: 0,
      keys: ['review.total', 'review.upheld'],
    });
  });
});

describe('applyMigrations', () => {
  const set: Migration[] = [{ version: 1, description: 'a table', up: 'CREATE TABLE t (x INTEGER)' }];
  const hasTable = (db: Db) => !!db.prepare("SELECT 1 FROM sqlite_master WHERE name = 't'").get();

  it('a migration applied inside a transaction that is rolled back is applied again by the next call', () => {
    const db = openDb(':memory:');
    expect(() =>
      db.transaction(() => {
        applyMigrations(db, 'test', set);
        expect(hasTable(db)).toBe(true);
        throw new Error('the batch fails');
      })(),
    ).toThrow('the batch fails');
    expect(hasTable(db)).toBe(false);
    db.transaction(() => applyMigrations(db, 'test', set))();
    expect(hasTable(db)).toBe(true);
    expect(db.prepare("SELECT version FROM schema_migrations WHERE set_name = 'test'").all()).toEqual([{ version: 1 }]);
    db.close();
  });

  it('so does the review and places schema the step after ingestion asks for (a first batch that fails whole)', () => {
    const db = openDb(':memory:');
    const tables = () => db.prepare("SELECT name FROM sqlite_master WHERE name IN ('agency_links', 'report_places_data') ORDER BY name").pluck().all();
    expect(() =>
      db.transaction(() => {
        ensurePlacesSchema(db);
        throw new Error('the batch fails');
      })(),
    ).toThrow('the batch fails');
    expect(tables()).toEqual([]);
    db.transaction(() => ensurePlacesSchema(db))();
    expect(tables()).toEqual(['agency_links', 'report_places_data']);
    db.close();
  });

  it('once a set is applied and committed, a call on the same connection runs no SQL; a longer list still runs', () => {
    const db = openDb(':memory:');
    applyMigrations(db, 'test', set);
    const calls: string[] = [];
    const exec = db.exec.bind(db);
    db.exec = ((sql: string) => (calls.push(sql), exec(sql))) as Db['exec'];
    applyMigrations(db, 'test', set);
    db.transaction(() => applyMigrations(db, 'test', set))();
    expect(calls).toEqual([]);
    applyMigrations(db, 'test', [...set, { version: 2, description: 'another', up: 'CREATE TABLE u (y INTEGER)' }]);
    expect(calls).toContain('CREATE TABLE u (y INTEGER)');
    db.close();
  });
});
