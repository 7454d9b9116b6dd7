/**
 * [hA] Findings stored per report (src/review/stored-findings.ts, 'review' migration 3): the stored queue
 * gives exactly the rows of the queue derived on read (findings.ts findingQueue, kept as the reference),
 * after ingestion, re-extraction and decisions; paging and counts; the migration that builds them for an
 * existing database.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { runChecks } from '../src/checks.js';
import { extractBytes } from '../src/extract.js';
import { requestRows } from '../src/keys.js';
import { ReportSchema, type Report } from '../src/report.js';
import { findingQueue, type QueueFilter, type QueueItem } from '../src/review/findings.js';
import { afterIngest } from '../src/review/hook.js';
import { familyShares } from '../src/review/overview.js';
import { checkFamily, FAMILIES } from '../src/review/labels-zh.js';
import { ensureReviewSchema, openReviewDb, reviewMigrations } from '../src/review/schema.js';
import { nextOpenFinding, queueCounts, queuePage, storedQueue, type StoredQueueItem } from '../src/review/stored-findings.js';
import { decide } from '../src/review/workflow.js';
import type { Db } from '../src/store/db.js';
import { openDb } from '../src/store/db.js';
import { ingestReport, reextractReport, sha256Hex } from '../src/store/ingest.js';
import { applyMigrations } from '../src/store/migrate.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SAMPLES = readdirSync(join(root, 'samples')).filter((f) => f.endsWith('.html')).sort();

const cache = new Map<string, { report: Report; bytes: Uint8Array }>();
async function sample(name: string): Promise<{ report: Report; bytes: Uint8Array }> {
  let s = cache.get(name);
  if (!s) {
    const bytes = readFileSync(join(root, 'samples', name));
    s = { report: await extractBytes(bytes, { source: `samples/${name}` }), bytes };
    cache.set(name, s);
  }
  return { report: structuredClone(s.report), bytes: s.bytes };
}

/** A report with its figures changed and its checks rerun, as other bytes. */
function changed(report: Report, tag: string, change: (f: Record<string, number | null>) => void): { report: Report; bytes: Uint8Array } {
  const r = structuredClone(report);
  change(r.figures);
  r.checks = runChecks(r.figures, { version: r.version as '2021', otherAsOneRow: false });
  const bytes = new TextEncoder().encode(`changed ${tag}`);
  r.sha256 = sha256Hex(bytes);
  r.source = `${r.source}#${tag}`;
  return { report: ReportSchema.parse(r), bytes };
}

const swapOther = (f: Record<string, number | null>) => {
  for (const row of requestRows('2021')) {
    const a = f[`requests.${row}.other_org`];
    f[`requests.${row}.other_org`] = f[`requests.${row}.total`]!;
    f[`requests.${row}.total`] = a!;
  }
};

/** Every sample page, and changed copies giving the blank, blank_arith and shift kinds. */
async function fill(db: Db, store: (r: Report, b: Uint8Array) => number): Promise<number[]> {
  const ids: number[] = [];
  for (const n of SAMPLES) {
    const { report, bytes } = await sample(n);
    ids.push(store(report, bytes));
  }
  const blank = await sample('suiping-2021-total-blank.html');
  const b = changed(blank.report, '700', (f) => (f['requests.total.total'] = 700));
  ids.push(store(b.report, b.bytes));
  const xihua = await sample('xihua-county-2021.html');
  const x = changed(xihua.report, 'shift', swapOther);
  ids.push(store(x.report, x.bytes));
  return ids;
}

const norm = (i: QueueItem | StoredQueueItem) => ({
  report_id: i.finding.report_id, id: i.finding.id, kind: i.finding.kind, status: i.finding.status, state: i.finding.state,
  discrepancy: i.finding.discrepancy, title: i.finding.title, detail: i.finding.detail, checks: i.finding.checks.map((c) => c.check_id),
  agency: i.agency, agency_identity: i.agency_identity, region: i.region, year: i.year, report_title: i.title, source: i.source, source_url: i.source_url,
});

function filtersOf(db: Db): QueueFilter[] {
  const years = (db.prepare('SELECT DISTINCT year FROM reports WHERE year IS NOT NULL').pluck().all() as number[]).sort();
  const ids = db.prepare('SELECT id FROM reports ORDER BY id').pluck().all() as number[];
  return [
    {},
    { status: 'fail' },
    { status: 'warn' },
    { state: 'open' },
    { state: 'closed' },
    { state: 'reopened' },
    { year: years[0]! },
    { year: 2021, status: 'fail', state: 'open' },
    ...FAMILIES.map((family) => ({ family })),
    { agency: '县' },
    { agency: '遂平' },
    { reportIds: ids.filter((_, k) => k % 2 === 0) },
    { region: '周口' },
    { agency: '人民政府', year: 2021, family: 'requests.row_sum' },
  ];
}

/** The stored queue against the derived one, for every filter: rows, order, counts, pages. */
function expectSame(db: Db): number {
  let n = 0;
  for (const f of filtersOf(db)) {
    const want = findingQueue(db, f).map(norm);
    expect(storedQueue(db, f).map(norm), JSON.stringify(f)).toEqual(want);
    const open = want.filter((x) => x.state === 'open' || x.state === 'reopened').length;
    expect(queueCounts(db, f), JSON.stringify(f)).toEqual({ total: want.length, open });
    n += want.length;
  }
  return n;
}

function familySharesDerived(db: Db) {
  const rows = db.prepare("SELECT report_id, check_id, status FROM checks WHERE status IN ('pass', 'fail', 'warn')").all() as { report_id: number; check_id: string; status: string }[];
  const checked = new Map<string, Set<number>>();
  const failing = new Map<string, Set<number>>();
  for (const r of rows) {
    const f = checkFamily(r.check_id);
    (checked.get(f) ?? checked.set(f, new Set()).get(f)!).add(r.report_id);
    if (r.status !== 'pass') (failing.get(f) ?? failing.set(f, new Set()).get(f)!).add(r.report_id);
  }
  return FAMILIES.map((family) => {
    const c = checked.get(family)?.size ?? 0;
    const k = failing.get(family)?.size ?? 0;
    return { family, checked: c, failing: k, share: c ? k / c : 0 };
  });
}

// the reference (findingQueue) derives every finding of the database for each filter: slow on purpose
vi.setConfig({ testTimeout: 180_000 });

describe('stored findings', () => {
  it('after ingestion: the same rows as the queue derived on read, for every filter, with the same counts; kinds blank, blank_arith, shift', async () => {
    const db = openReviewDb(':memory:');
    const ids = await fill(db, (r, b) => {
      const id = ingestReport(db, r, b).reportId;
      afterIngest(db, id);
      return id;
    });
    expect(ids.length).toBe(SAMPLES.length + 2);
    expect(db.prepare('SELECT count(*) FROM review_findings_dirty').pluck().get()).toBe(0);
    const all = storedQueue(db);
    expect(new Set(all.map((i) => i.finding.kind))).toEqual(new Set(['blank', 'blank_arith', 'shift', 'check']));
    expect(all.length).toBe(findingQueue(db).length);
    expect(expectSame(db)).toBeGreaterThan(all.length);
    expect(familyShares(db)).toEqual(familySharesDerived(db));
    // the suiping report changed to 700: exactly these findings, in the report's order
    const rid = ids[ids.length - 2]!;
    expect(db.prepare('SELECT finding_id, kind, status, state, discrepancy, n_checks FROM review_findings WHERE report_id = ? ORDER BY seq').all(rid)).toEqual([
      { finding_id: 'blank:col:3:total', kind: 'blank', status: 'warn', state: 'open', discrepancy: expect.any(Number), n_checks: 22 },
      { finding_id: 'blank_arith:requests.total.total', kind: 'blank_arith', status: 'fail', state: 'open', discrepancy: 48, n_checks: 0 },
      { finding_id: 'check:requests.balance.total', kind: 'check', status: 'fail', state: 'open', discrepancy: expect.any(Number), n_checks: 1 },
      { finding_id: 'check:requests.row_sum.total', kind: 'check', status: 'fail', state: 'open', discrepancy: expect.any(Number), n_checks: 1 },
    ]);
  });

  it('after re-extraction: the report\'s rows replaced (a figure put right removes its findings; one broken adds them)', async () => {
    const db = openReviewDb(':memory:');
    const { report, bytes } = await sample('xihua-county-2021.html');
    const id = ingestReport(db, report, bytes).reportId;
    afterIngest(db, id);
    expect(db.prepare('SELECT count(*) FROM review_findings WHERE report_id = ?').pluck().get(id)).toBe(0);
    // the same bytes extracted again with the 总计 and 其他 columns swapped: one shift finding
    const broken = structuredClone(report);
    swapOther(broken.figures);
    broken.checks = runChecks(broken.figures, { version: '2021', otherAsOneRow: false });
    reextractReport(db, broken);
    afterIngest(db, id);
    const rows = db.prepare('SELECT finding_id, kind, status, state FROM review_findings WHERE report_id = ? ORDER BY seq').all(id) as { finding_id: string }[];
    expect(rows[0]).toEqual({ finding_id: 'shift:col:other_org', kind: 'shift', status: 'fail', state: 'open' });
    expect(storedQueue(db).map(norm)).toEqual(findingQueue(db).map(norm));
    // without afterIngest (the writer alone): the triggers marked the report, the next read recomputes it
    reextractReport(db, report);
    expect(db.prepare('SELECT report_id FROM review_findings_dirty').pluck().all()).toEqual([id]);
    expect(queuePage(db).total).toBe(0);
    expect(db.prepare('SELECT count(*) FROM review_findings').pluck().get()).toBe(0);
  });

  it('after decisions: exact rows of the report decided, and of another report the decision applies to (same body and year); counts and the next open finding', async () => {
    const db = openReviewDb(':memory:');
    const ids = await fill(db, (r, b) => {
      const id = ingestReport(db, r, b).reportId;
      afterIngest(db, id);
      return id;
    });
    const before = queueCounts(db);
    const first = storedQueue(db)[0]!.finding;
    expect(nextOpenFinding(db)).toEqual({ report_id: first.report_id, finding_id: first.id });
    for (const c of first.checks) decide(db, { reportId: first.report_id, checkId: c.check_id, decision: 'confirmed', note: 'n', by: 't' });
    expect(db.prepare('SELECT state, rank FROM review_findings WHERE report_id = ? AND finding_id = ?').get(first.report_id, first.id)).toEqual({ state: 'closed', rank: 1 });
    expect(queueCounts(db)).toEqual({ total: before.total, open: before.open - 1 });
    expect(queueCounts(db, { state: 'closed' })).toEqual({ total: 1, open: 0 });
    expect(nextOpenFinding(db)).not.toEqual({ report_id: first.report_id, finding_id: first.id });
    expect(expectSame(db)).toBeGreaterThan(0);

    // the xihua report with the columns swapped, and another document of the same body and year: a
    // decision on the first applies to the second (by body and year), whose stored state changes too
    const x = ids[ids.length - 1]!;
    const xr = db.prepare('SELECT * FROM reports WHERE id = ?').get(x) as { agency: string; year: number };
    const { report } = await sample('xihua-county-2021.html');
    const other = changed(report, 'other-copy', swapOther);
    const oid = ingestReport(db, other.report, other.bytes).reportId;
    afterIngest(db, oid);
    expect(db.prepare('SELECT year, agency FROM reports WHERE id = ?').get(oid)).toEqual({ year: xr.year, agency: xr.agency });
    const shift = storedQueue(db).find((i) => i.finding.report_id === x && i.finding.kind === 'shift')!.finding;
    expect(db.prepare("SELECT state FROM review_findings WHERE report_id = ? AND finding_id = 'shift:col:other_org'").pluck().get(oid)).toBe(
      findingQueue(db).find((i) => i.finding.report_id === oid && i.finding.kind === 'shift')!.finding.state,
    );
    for (const c of shift.checks) decide(db, { reportId: x, checkId: c.check_id, decision: 'dismissed', note: 'the columns are swapped', by: 't' });
    expect(db.prepare("SELECT state FROM review_findings WHERE report_id = ? AND finding_id = 'shift:col:other_org'").pluck().get(x)).toBe('closed');
    expect(db.prepare("SELECT state FROM review_findings WHERE report_id = ? AND finding_id = 'shift:col:other_org'").pluck().get(oid)).toBe('closed');
    expect(expectSame(db)).toBeGreaterThan(0);
  });

  it('pages: every page of every filter joined is the whole queue, in order; beyond the last page nothing', async () => {
    const db = openReviewDb(':memory:');
    await fill(db, (r, b) => {
      const id = ingestReport(db, r, b).reportId;
      afterIngest(db, id);
      return id;
    });
    for (const f of filtersOf(db)) {
      const whole = storedQueue(db, f).map(norm);
      const got: ReturnType<typeof norm>[] = [];
      for (let offset = 0; ; offset += 7) {
        const p = queuePage(db, f, { offset, limit: 7 });
        expect(p.total).toBe(whole.length);
        if (!p.items.length) break;
        expect(p.items.length).toBe(Math.min(7, whole.length - offset));
        got.push(...p.items.map(norm));
      }
      expect(got).toEqual(whole);
    }
  });

  it('the migration builds them for an existing database: the same rows as derived on read, decisions included; kept up to date after', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nianbao-stored-findings-'));
    const path = join(dir, 'db.sqlite');
    let db = openReviewDb(path);
    const ids = await fill(db, (r, b) => {
      const id = ingestReport(db, r, b).reportId;
      afterIngest(db, id);
      return id;
    });
    // the database as it was before migration 3: its tables, indexes and triggers gone, the migration not recorded
    const triggers = db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'review_dirty_%'").pluck().all() as string[];
    expect(triggers.length).toBe(13);
    for (const t of triggers) db.exec(`DROP TRIGGER ${t}`);
    db.exec(`DROP TABLE review_findings; DROP TABLE review_findings_dirty; DROP TABLE review_report_families; DROP TABLE review_finding_counts;
             DROP INDEX review_reports_source; DROP INDEX review_reports_source_url;
             DELETE FROM schema_migrations WHERE set_name = 'review' AND version = 3`);
    db.close();
    db = openDb(path);
    applyMigrations(db, 'review', reviewMigrations.filter((m) => m.version <= 2));
    // what the code before migration 3 wrote: a report by the writer alone, and a decision row
    const late = changed((await sample('hongze-water-2022-subtotal.html')).report, 'late', (f) => (f['requests.new.total'] = (f['requests.new.total'] ?? 0) + 5));
    ids.push(ingestReport(db, late.report, late.bytes).reportId);
    const r0 = db.prepare('SELECT * FROM reports WHERE id = ?').get(ids[ids.length - 1]) as { id: number; sha256: string; source: string };
    const check = db.prepare("SELECT check_id FROM checks WHERE report_id = ? AND status = 'fail' ORDER BY ord LIMIT 1").pluck().get(r0.id) as string;
    db.prepare(
      `INSERT INTO reviews (report_id, check_id, decision, note, reviewer, decided_at, source_sha256, source, state) VALUES (?, ?, 'confirmed', 'n', 't', '2026-01-01T00:00:00Z', ?, ?, 'closed')`,
    ).run(r0.id, check, r0.sha256, r0.source);
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'review_findings'").pluck().get()).toBe(0);
    ensureReviewSchema(db);
    expect(db.prepare("SELECT version FROM schema_migrations WHERE set_name = 'review' ORDER BY version").pluck().all()).toEqual([1, 2, 3]);
    expect(db.prepare('SELECT count(*) FROM review_findings_dirty').pluck().get()).toBe(0);
    expect(db.prepare('SELECT count(*) FROM review_findings').pluck().get()).toBe(findingQueue(db).length);
    expect(db.prepare("SELECT count(*) FROM review_findings WHERE state = 'closed'").pluck().get()).toBe(1);
    expect(expectSame(db)).toBeGreaterThan(0);
    expect(familyShares(db)).toEqual(familySharesDerived(db));
    // and after it, a report stored and a decision: still the same
    const { report } = await sample('taikang-education-2021-bad-sums.html');
    const more = changed(report, 'after-migration', (f) => (f['requests.new.total'] = (f['requests.new.total'] ?? 0) + 3));
    afterIngest(db, ingestReport(db, more.report, more.bytes).reportId);
    const next = nextOpenFinding(db)!;
    const q = storedQueue(db).find((i) => i.finding.report_id === next.report_id && i.finding.id === next.finding_id)!;
    for (const c of q.finding.checks) decide(db, { reportId: next.report_id, checkId: c.check_id, decision: 'confirmed', note: 'n', by: 't' });
    expect(expectSame(db)).toBeGreaterThan(0);
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
