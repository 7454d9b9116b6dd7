/** The grouping layer: one finding per cause, above the check rows (which stay as they are). */
import { readFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runChecks } from '../src/checks.js';
import { extractBytes } from '../src/extract.js';
import { ReportSchema, type Report } from '../src/report.js';
import { findingQueue, groupFindings, reportFindings } from '../src/review/findings.js';
import { afterIngest } from '../src/review/hook.js';
import { openReviewDb } from '../src/review/schema.js';
import { ingestReport, sha256Hex } from '../src/store/ingest.js';
import { REQUEST_COLS, requestRows } from '../src/keys.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

async function sample(name: string): Promise<{ report: Report; bytes: Uint8Array }> {
  const bytes = readFileSync(join(root, 'samples', name));
  return { report: await extractBytes(bytes, { source: `samples/${name}` }), bytes };
}

/** Stores a report (optionally with its figures changed and checks rerun) and returns its findings. */
function store(report: Report, bytes: Uint8Array, change?: (f: Record<string, number | null>, r: Report) => void) {
  const db = openReviewDb(':memory:');
  let r = report;
  let b = bytes;
  if (change) {
    r = structuredClone(report);
    change(r.figures, r);
    r.checks = runChecks(r.figures, { version: r.version as '2021', otherAsOneRow: false });
    b = new TextEncoder().encode(`changed ${Math.random()}`);
    r.sha256 = sha256Hex(b);
    r = ReportSchema.parse(r);
  }
  const { reportId } = ingestReport(db, r, b);
  afterIngest(db, reportId);
  return { db, reportId, findings: reportFindings(db, reportId) };
}

describe('blank cells', () => {
  it('the suiping report: the 总计 column left blank is ONE warn finding listing its 21 cells; the check rows stay 22 failures', async () => {
    const { report, bytes } = await sample('suiping-2021-total-blank.html');
    const { db, reportId, findings } = store(report, bytes);
    expect(db.prepare("SELECT count(*) AS n FROM checks WHERE report_id = ? AND status = 'fail'").get(reportId)).toEqual({ n: 22 });
    expect(findings.map((f) => [f.kind, f.status, f.title, f.checks.length, f.cells.length])).toEqual([['blank', 'warn', '总计栏未填写', 22, 21]]);
    const f = findings[0]!;
    expect(f.cells.every((c) => c.key.endsWith('.total') && c.printed === '')).toBe(true);
    // the blank cells are inferred from the printed cells: 予以公开 17+6+2+11+3+1 = 40
    expect(f.inferred['requests.granted.total']).toBe(40);
    expect(f.inferred['requests.other.other.total']).toBe(38);
    // and the arithmetic on the printed cells is still done: the inferred column adds up to the printed (七)总计 748
    expect(f.arithmetic).toEqual([{ check_id: 'requests.total.total', expected: 748, actual: 748, ok: true }]);
    expect(f.detail).toContain('（一）予以公开 40');
  });

  it('a printed figure that does not add up is still reported beside the blank column', async () => {
    const { report, bytes } = await sample('suiping-2021-total-blank.html');
    const { findings } = store(report, bytes, (f) => {
      f['requests.total.total'] = 700;
    });
    expect(findings.slice(0, 2).map((f) => [f.kind, f.status])).toEqual([['blank', 'warn'], ['blank_arith', 'fail']]);
    // 700 breaks the balance too: those are checks of their own (the blank cells do not explain them)
    expect(findings.slice(2).map((f) => f.id)).toEqual(['check:requests.balance.total', 'check:requests.row_sum.total']);
    expect(findings[1]!.detail).toBe('空格按已印数字推算后仍不符：推算 748，印 700');
    expect(findings[1]!.discrepancy).toBe(48);
  });

  it('a zero marker (—) is a printed zero, not a blank: the check stays its own finding', () => {
    const checks = [{
      report_id: 1, agency: null, agency_identity: null, region: null, year: 2021, version: '2021', kind: 'html', title: null, source: 's', source_url: null, sha256: 'x',
      check_id: 'review.total', status: 'fail' as const, expected: 3, actual: 0, keys: ['review.upheld', 'review.corrected', 'review.other', 'review.pending', 'review.total'],
      reason: null, evidence: null, state: 'open' as const, review: null,
      cells: ['review.upheld', 'review.corrected', 'review.other', 'review.pending', 'review.total'].map((key) => ({
        report_id: 1, year: 2021, key, value: key === 'review.upheld' ? 3 : 0, present: true, printed: key === 'review.upheld' ? '3' : '—', blank: key !== 'review.upheld',
        table: 4, grid: 1, row_label: '行政复议', col_label: null, where: null,
      })),
    }];
    const f = groupFindings(1, checks, { 'review.upheld': 3, 'review.total': 0 });
    expect(f.map((x) => [x.kind, x.title, x.detail])).toEqual([['check', '行政复议：结果维持、结果纠正、其他结果、尚未审结之和应等于总计', '印 0，应为 3']]);
    // the same cells left empty: a blank finding
    for (const c of checks[0]!.cells) if (c.key !== 'review.upheld') c.printed = '';
    expect(groupFindings(1, checks, {}).map((x) => [x.kind, x.status, x.title])).toEqual([['blank', 'warn', '表四 · 行政复议 · 总计未填写']]);
  });
});

describe('a column shifted against its header', () => {
  it('the 总计 figures printed under 其他 (the two columns swapped): one finding for every row', async () => {
    const { report, bytes } = await sample('xihua-county-2021.html');
    expect(report.checks.filter((c) => c.status === 'fail')).toEqual([]);
    const { findings, db, reportId } = store(report, bytes, (f) => {
      for (const row of requestRows('2021')) {
        const a = f[`requests.${row}.other_org`];
        f[`requests.${row}.other_org`] = f[`requests.${row}.total`]!;
        f[`requests.${row}.total`] = a!;
      }
    });
    const failing = (db.prepare("SELECT check_id FROM checks WHERE report_id = ? AND status = 'fail'").all(reportId) as { check_id: string }[]).map((c) => c.check_id);
    const shifted = findings.filter((f) => f.kind === 'shift');
    expect(shifted.map((f) => f.title)).toEqual(['“其他”栏与“总计”栏错位']);
    const rowSums = failing.filter((c) => c.startsWith('requests.row_sum.'));
    expect(rowSums.length).toBeGreaterThanOrEqual(2);
    expect(shifted[0]!.checks.map((c) => c.check_id).sort()).toEqual(rowSums.sort());
    expect(REQUEST_COLS).toContain('other_org');
  });
});

describe('a table printed twice', () => {
  it('the duplicate_cell problem groups the failing checks of that table', () => {
    const mk = (id: string, keys: string[]) => ({
      report_id: 1, agency: null, agency_identity: null, region: null, year: 2021, version: '2021', kind: 'html', title: null, source: 's', source_url: null, sha256: 'x',
      check_id: id, status: 'fail' as const, expected: 5, actual: 4, keys, reason: null, evidence: null, state: 'open' as const, review: null,
      cells: keys.map((key) => ({ report_id: 1, year: 2021, key, value: 1, present: true, printed: '1', blank: false, table: 4, grid: 1, row_label: null, col_label: null, where: null })),
    });
    const checks = [mk('review.total', ['review.upheld', 'review.total']), mk('litigation_direct.total', ['litigation_direct.upheld', 'litigation_direct.total']), mk('requests.balance.total', ['requests.new.total', 'requests.total.total'])];
    const problems = [{ code: 'duplicate_cell', message: '2 figure(s) of table 4 are printed again with other values (review.total 4 then 5; litigation_direct.total 1 then 2); the first of each is kept.', where_text: null }];
    const f = groupFindings(1, checks, {}, problems);
    expect(f.map((x) => [x.kind, x.title, x.checks.map((c) => c.check_id)])).toEqual([
      ['duplicate', '表四印了两遍，数字不同', ['review.total', 'litigation_direct.total']],
      ['check', '第一项加第二项之和应等于第三项加第四项之和（总计）', ['requests.balance.total']],
    ]);
    expect(f[0]!.detail).toContain('表四 · 行政复议 · 总计：先印「4」，再印「5」');
  });
});

describe('the queue', () => {
  it('orders open findings first, then by the size of the discrepancy', async () => {
    const db = openReviewDb(':memory:');
    for (const n of ['suiping-2021-total-blank.html', 'taikang-education-2021-bad-sums.html']) {
      const { report, bytes } = await sample(n);
      afterIngest(db, ingestReport(db, report, bytes).reportId);
    }
    const q = findingQueue(db);
    const d = q.map((i) => i.finding.discrepancy);
    expect(d).toEqual([...d].sort((a, b) => b - a));
    expect(q.filter((i) => i.agency === '遂平县人民政府').length).toBe(1);
    const first = q[0]!.finding;
    const { decide } = await import('../src/review/workflow.js');
    for (const c of first.checks) decide(db, { reportId: first.report_id, checkId: c.check_id, decision: 'confirmed', note: 'n', by: 't' });
    const q2 = findingQueue(db);
    expect(q2[q2.length - 1]!.finding.id).toBe(first.id);
    expect(q2[q2.length - 1]!.finding.state).toBe('closed');
    expect(findingQueue(db, { family: 'requests.row_sum' }).every((i) => i.finding.checks.some((c) => c.check_id.startsWith('requests.row_sum.')))).toBe(true);
  });
});
