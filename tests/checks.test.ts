import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { failedCheckIds, runChecks, type Figures } from '../src/checks.js';
import { allKeys, requestRows, REQUEST_COLS, type Version } from '../src/keys.js';
import type { Check } from '../src/report.js';

const CORPUS = fileURLToPath(new URL('../corpus/real/', import.meta.url));

/** A complete, consistent 2021 report (other split into three rows). */
function goodFigures(version: Version = '2021', otherAsOneRow = false): Figures {
  const f: Figures = {};
  for (const k of allKeys(version, otherAsOneRow)) f[k] = 0;
  const set = (row: string, natural: number, commercial: number) => {
    f[`requests.${row}.natural`] = natural;
    f[`requests.${row}.commercial`] = commercial;
    f[`requests.${row}.total`] = natural + commercial;
  };
  // new 10 + carried 2 = total 11 + forward 1; total 11 = granted 6 + partial 3 + not_held 2
  set('new', 8, 2);
  set('carried_over', 2, 0);
  set('granted', 5, 1);
  set('partial', 2, 1);
  set('unable.not_held', 2, 0);
  set('total', 9, 2);
  set('carried_forward', 1, 0);
  Object.assign(f, {
    'review.upheld': 3, 'review.corrected': 1, 'review.other': 0, 'review.pending': 1, 'review.total': 5,
    'litigation_direct.upheld': 2, 'litigation_direct.total': 2,
    'litigation_after_review.pending': 1, 'litigation_after_review.total': 1,
  });
  if (version === '2021') f['art20.fees.amount'] = 7730.28;
  else {
    f['art20.procurement.amount'] = 12.5;
    f['art20.licensing.delta'] = -3;
  }
  return f;
}

function byId(checks: Check[], id: string): Check {
  const c = checks.find((x) => x.id === id);
  if (!c) throw new Error(`no check ${id}`);
  return c;
}

describe('runChecks: the set of checks', () => {
  it('has every check of the 2021 version once, in a stable order', () => {
    const checks = runChecks(goodFigures(), { version: '2021', otherAsOneRow: false });
    const ids = checks.map((c) => c.id);
    const rows = requestRows('2021');
    expect(ids).toEqual([
      ...REQUEST_COLS.map((c) => `requests.balance.${c}`),
      ...REQUEST_COLS.map((c) => `requests.total.${c}`),
      ...rows.map((r) => `requests.row_sum.${r}`),
      'review.total', 'litigation_direct.total', 'litigation_after_review.total',
      'values.non_negative',
    ]);
    expect(ids).toContain('requests.row_sum.other.no_fee');
    expect(ids).not.toContain('requests.row_sum.other');
    expect(new Set(ids).size).toBe(ids.length);
    expect(checks.every((c) => c.status === 'pass')).toBe(true);
  });

  it('uses the one-row （六）其他处理 for 2019 and for 2021 with otherAsOneRow', () => {
    for (const [version, one] of [['2019', false], ['2021', true]] as const) {
      const checks = runChecks(goodFigures(version, true), { version, otherAsOneRow: one });
      const ids = checks.map((c) => c.id);
      expect(ids).toContain('requests.row_sum.other');
      expect(ids).not.toContain('requests.row_sum.other.other');
      expect(checks.length).toBe(7 + 7 + requestRows(version, true).length + 3 + 1);
      expect(failedCheckIds(checks)).toEqual([]);
      expect(checks.filter((c) => c.status === 'skipped')).toEqual([]);
    }
  });

  it('lists every check as skipped on empty figures, never as passed', () => {
    const checks = runChecks({}, { version: '2021', otherAsOneRow: false });
    expect(checks.length).toBe(7 + 7 + requestRows('2021').length + 3 + 1);
    expect(checks.every((c) => c.status === 'skipped' && c.expected === null && c.actual === null && !!c.reason)).toBe(true);
  });
});

describe('requests.balance.<col>', () => {
  it('passes with both sides as expected and actual', () => {
    const c = byId(runChecks(goodFigures(), { version: '2021', otherAsOneRow: false }), 'requests.balance.total');
    expect(c).toEqual({
      id: 'requests.balance.total', status: 'pass', expected: 12, actual: 12,
      keys: ['requests.new.total', 'requests.carried_over.total', 'requests.total.total', 'requests.carried_forward.total'],
    });
  });
  it('fails with expected = new + carried_over and actual = total + carried_forward', () => {
    const f = goodFigures();
    f['requests.carried_forward.natural'] = 4;
    const checks = runChecks(f, { version: '2021', otherAsOneRow: false });
    const c = byId(checks, 'requests.balance.natural');
    expect(c.status).toBe('fail');
    expect(c.expected).toBe(10);
    expect(c.actual).toBe(13);
    expect(c.keys).toEqual([
      'requests.new.natural', 'requests.carried_over.natural', 'requests.total.natural', 'requests.carried_forward.natural',
    ]);
    expect(c.reason).toBe('new + carried_over (natural) = 10 (expected) but total + carried_forward = 13 (actual)');
    // the natural row of carried_forward no longer adds up to its total either
    expect(failedCheckIds(checks)).toEqual(['requests.balance.natural', 'requests.row_sum.carried_forward']);
  });
  it('is skipped when a figure is missing or null, naming it', () => {
    const f = goodFigures();
    delete f['requests.carried_over.legal'];
    f['requests.carried_forward.legal'] = null;
    const c = byId(runChecks(f, { version: '2021', otherAsOneRow: false }), 'requests.balance.legal');
    expect(c.status).toBe('skipped');
    expect(c.expected).toBeNull();
    expect(c.actual).toBeNull();
    expect(c.reason).toBe('missing figures: requests.carried_over.legal, requests.carried_forward.legal');
  });
});

describe('requests.total.<col>', () => {
  it('passes when the result rows add up to the total', () => {
    const c = byId(runChecks(goodFigures(), { version: '2021', otherAsOneRow: false }), 'requests.total.natural');
    expect(c.status).toBe('pass');
    expect(c.expected).toBe(9);
    expect(c.actual).toBe(9);
    expect(c.keys[0]).toBe('requests.granted.natural');
    expect(c.keys).toContain('requests.other.no_correction.natural');
    expect(c.keys).not.toContain('requests.new.natural');
    expect(c.keys.at(-1)).toBe('requests.total.natural');
    expect(c.keys.length).toBe(21 + 1);
  });
  it('fails with the sum as expected and the printed total as actual', () => {
    const f = goodFigures();
    f['requests.other.other.commercial'] = 3;
    f['requests.other.other.total'] = 3;
    const checks = runChecks(f, { version: '2021', otherAsOneRow: false });
    const c = byId(checks, 'requests.total.commercial');
    expect(c.status).toBe('fail');
    expect(c.expected).toBe(5);
    expect(c.actual).toBe(2);
    expect(c.reason).toBe('the result rows (commercial) add up to 5 (expected) but the printed total is 2 (actual)');
    expect(failedCheckIds(checks)).toEqual(['requests.total.commercial', 'requests.total.total']);
  });
  it('sums the one-row other for the 2019 version', () => {
    const f = goodFigures('2019', true);
    f['requests.other.natural'] = 1;
    f['requests.other.total'] = 1;
    const c = byId(runChecks(f, { version: '2019', otherAsOneRow: false }), 'requests.total.natural');
    expect(c.status).toBe('fail');
    expect(c.expected).toBe(10);
    expect(c.actual).toBe(9);
    expect(c.keys).toContain('requests.other.natural');
  });
  it('is skipped when a result row is missing', () => {
    const f = goodFigures();
    delete f['requests.denied.query.research'];
    const c = byId(runChecks(f, { version: '2021', otherAsOneRow: false }), 'requests.total.research');
    expect(c.status).toBe('skipped');
    expect(c.reason).toBe('missing figure: requests.denied.query.research');
    expect(c.keys).toContain('requests.denied.query.research');
  });
  it('is skipped when a 2021 report with the one-row other is checked as split', () => {
    const f = goodFigures('2021', true);
    const c = byId(runChecks(f, { version: '2021', otherAsOneRow: false }), 'requests.total.total');
    expect(c.status).toBe('skipped');
    expect(c.reason).toMatch(/requests\.other\.no_correction\.total/);
  });
});

describe('requests.row_sum.<row>', () => {
  it('passes when the six applicant columns add up to the total column', () => {
    const c = byId(runChecks(goodFigures(), { version: '2021', otherAsOneRow: false }), 'requests.row_sum.granted');
    expect(c).toEqual({
      id: 'requests.row_sum.granted', status: 'pass', expected: 6, actual: 6,
      keys: [
        'requests.granted.natural', 'requests.granted.commercial', 'requests.granted.research',
        'requests.granted.social', 'requests.granted.legal', 'requests.granted.other_org', 'requests.granted.total',
      ],
    });
  });
  it('fails with the sum as expected and the printed total as actual', () => {
    const f = goodFigures();
    f['requests.new.total'] = 11;
    const checks = runChecks(f, { version: '2021', otherAsOneRow: false });
    const c = byId(checks, 'requests.row_sum.new');
    expect(c.status).toBe('fail');
    expect(c.expected).toBe(10);
    expect(c.actual).toBe(11);
    expect(c.reason).toBe('the six applicant columns of new add up to 10 (expected) but its 总计 is 11 (actual)');
    expect(failedCheckIds(checks)).toEqual(['requests.balance.total', 'requests.row_sum.new']);
  });
  it('is skipped when the total cell is missing', () => {
    const f = goodFigures();
    delete f['requests.not_processed.confirm.total'];
    const c = byId(runChecks(f, { version: '2021', otherAsOneRow: false }), 'requests.row_sum.not_processed.confirm');
    expect(c.status).toBe('skipped');
    expect(c.reason).toBe('missing figure: requests.not_processed.confirm.total');
  });
});

describe('review / litigation totals', () => {
  it('passes when upheld + corrected + other + pending = total', () => {
    const c = byId(runChecks(goodFigures(), { version: '2021', otherAsOneRow: false }), 'review.total');
    expect(c).toEqual({
      id: 'review.total', status: 'pass', expected: 5, actual: 5,
      keys: ['review.upheld', 'review.corrected', 'review.other', 'review.pending', 'review.total'],
    });
  });
  it('fails with the sum as expected and the printed total as actual', () => {
    const f = goodFigures();
    f['litigation_direct.total'] = 0;
    const checks = runChecks(f, { version: '2021', otherAsOneRow: false });
    const c = byId(checks, 'litigation_direct.total');
    expect(c.status).toBe('fail');
    expect(c.expected).toBe(2);
    expect(c.actual).toBe(0);
    expect(c.keys).toEqual([
      'litigation_direct.upheld', 'litigation_direct.corrected', 'litigation_direct.other',
      'litigation_direct.pending', 'litigation_direct.total',
    ]);
    expect(failedCheckIds(checks)).toEqual(['litigation_direct.total']);
  });
  it('is skipped when a figure is null', () => {
    const f = goodFigures();
    f['litigation_after_review.other'] = null;
    const c = byId(runChecks(f, { version: '2019', otherAsOneRow: true }), 'litigation_after_review.total');
    expect(c.status).toBe('skipped');
    expect(c.reason).toBe('missing figure: litigation_after_review.other');
  });
});

describe('values.non_negative', () => {
  it('passes on whole counts, a fractional amount and a negative delta', () => {
    const f = goodFigures('2019', true);
    expect(f['art20.licensing.delta']).toBe(-3);
    const c = byId(runChecks(f, { version: '2019', otherAsOneRow: false }), 'values.non_negative');
    expect(c).toEqual({ id: 'values.non_negative', status: 'pass', expected: 0, actual: 0, keys: [] });
  });
  it('fails on a negative count, a fractional count and a negative amount, naming them', () => {
    const f = goodFigures();
    f['art20.penalty.decisions'] = -1;
    f['review.pending'] = 0.5;
    f['art20.fees.amount'] = -2.5;
    f['requests.new.research'] = null; // missing, not offending
    const c = byId(runChecks(f, { version: '2021', otherAsOneRow: false }), 'values.non_negative');
    expect(c.status).toBe('fail');
    expect(c.expected).toBe(0);
    expect(c.actual).toBe(3);
    expect(c.keys).toEqual(['art20.penalty.decisions', 'art20.fees.amount', 'review.pending']);
    expect(c.reason).toBe(
      'not a whole number ≥ 0 (amounts: not ≥ 0): art20.penalty.decisions = -1, art20.fees.amount = -2.5, review.pending = 0.5',
    );
  });
  it('is skipped when there is no figure at all', () => {
    const c = byId(runChecks({ 'review.total': null }, { version: '2021', otherAsOneRow: false }), 'values.non_negative');
    expect(c.status).toBe('skipped');
    expect(c.reason).toBe('no figures to check');
  });
});

describe('failedCheckIds', () => {
  it('returns the failed ids sorted, ignoring skipped ones', () => {
    const checks: Check[] = [
      { id: 'review.total', status: 'fail', expected: 1, actual: 0, keys: [] },
      { id: 'requests.balance.total', status: 'skipped', expected: null, actual: null, keys: [], reason: 'x' },
      { id: 'litigation_after_review.total', status: 'fail', expected: 5, actual: 0, keys: [] },
      { id: 'values.non_negative', status: 'pass', expected: 0, actual: 0, keys: [] },
    ];
    expect(failedCheckIds(checks)).toEqual(['litigation_after_review.total', 'review.total']);
  });
});

describe('the real corpus', () => {
  const files = readdirSync(CORPUS).filter((f) => f.endsWith('.expected.json')).sort();
  it('has the four expected files', () => {
    expect(files.length).toBe(4);
  });
  for (const file of files) {
    it(`${file}: the failed checks are exactly the expected ones`, () => {
      const exp = JSON.parse(readFileSync(join(CORPUS, file), 'utf8')) as {
        version: Version; figures: Figures; fails: string[];
      };
      const otherAsOneRow = 'requests.other.total' in exp.figures;
      const checks = runChecks(exp.figures, { version: exp.version, otherAsOneRow });
      expect(failedCheckIds(checks)).toEqual([...exp.fails].sort());
      // every figure is there, so nothing is skipped
      expect(checks.filter((c) => c.status === 'skipped').map((c) => c.id)).toEqual([]);
    });
  }
  it('huaian-hongze-2023: table 4 as published does not add up', () => {
    const exp = JSON.parse(readFileSync(join(CORPUS, 'huaian-hongze-2023.expected.json'), 'utf8'));
    const checks = runChecks(exp.figures, { version: '2021', otherAsOneRow: true });
    const review = byId(checks, 'review.total');
    expect([review.status, review.expected, review.actual]).toEqual(['fail', 11, 0]);
    const after = byId(checks, 'litigation_after_review.total');
    expect([after.status, after.expected, after.actual]).toEqual(['fail', 5, 0]);
  });
});
