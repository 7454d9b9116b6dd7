/**
 * The in-report consistency checks of report-format.md: figures → Check[].
 *
 * Every check of the version is always present, in a stable order, so a report has a result for
 * every check that applies to it:
 *   requests.balance.<col>   (7, REQUEST_COLS order)
 *   requests.total.<col>     (7)
 *   requests.row_sum.<row>   (one per row of requestRows(version, otherAsOneRow))
 *   review.total, litigation_direct.total, litigation_after_review.total
 *   values.non_negative
 * A check with a figure missing (key absent or null) is `skipped`, never `pass`.
 * The cross-year checks (requests.carry_link, art20.in_force_link) and the prose checks
 * (narrative.*) live elsewhere.
 */
import type { Check } from './report.js';
import {
  APPLICANT_COLS,
  LITIGATION_GROUPS,
  REQUEST_COLS,
  isAmountKey,
  isSignedKey,
  requestRows,
  resultRows,
  type Version,
} from './keys.js';

export type Figures = Record<string, number | null>;

export interface CheckOptions {
  version: Version;
  /** A 2021-template report that prints （六）其他处理 as one row (keys requests.other.<col>). */
  otherAsOneRow: boolean;
}

/** Tolerance for sums that involve an amount (万元, fractional); counts are compared exactly. */
const AMOUNT_TOLERANCE = 1e-6;

function present(figures: Figures, key: string): boolean {
  const v = figures[key];
  return typeof v === 'number' && !Number.isNaN(v);
}

function sum(figures: Figures, keys: string[]): number {
  let s = 0;
  for (const k of keys) s += figures[k] as number;
  return s;
}

/** Round away binary noise in a sum that involves fractional amounts (e.g. 0.1 + 0.2). */
function tidy(n: number): number {
  return Number.isInteger(n) ? n : Number(n.toPrecision(15));
}

/**
 * A check of the form `sum(left) = sum(right)`: `expected` is the left side, `actual` the right.
 * `keys` is every key involved, left side first.
 */
interface Equation {
  id: string;
  left: string[];
  right: string[];
  keys: string[];
  fractional: boolean;
  describe: (expected: number, actual: number) => string;
}

function equationSpec(id: string, left: string[], right: string[], describe: Equation['describe']): Equation {
  const keys = [...left, ...right];
  return { id, left, right, keys, fractional: keys.some(isAmountKey), describe };
}

function equation(figures: Figures, e: Equation): Check {
  const keys = e.keys.slice();
  const missing = keys.filter((k) => !present(figures, k));
  if (missing.length > 0) {
    return {
      id: e.id,
      status: 'skipped',
      expected: null,
      actual: null,
      keys,
      reason: `missing figure${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`,
    };
  }
  const expected = tidy(sum(figures, e.left));
  const actual = tidy(sum(figures, e.right));
  const ok = e.fractional ? Math.abs(expected - actual) <= AMOUNT_TOLERANCE : expected === actual;
  const check: Check = { id: e.id, status: ok ? 'pass' : 'fail', expected, actual, keys };
  if (!ok) check.reason = e.describe(expected, actual);
  return check;
}

function nonNegative(figures: Figures): Check {
  const id = 'values.non_negative';
  const checked = Object.keys(figures).filter((k) => !isSignedKey(k) && figures[k] !== null && figures[k] !== undefined);
  if (checked.length === 0) {
    return { id, status: 'skipped', expected: null, actual: null, keys: [], reason: 'no figures to check' };
  }
  const offending: string[] = [];
  for (const k of checked) {
    const v = figures[k] as number;
    const bad = isAmountKey(k) ? !Number.isFinite(v) || v < 0 : !Number.isInteger(v) || v < 0;
    if (bad) offending.push(k);
  }
  // expected/actual: the number of values that break the rule (0 expected).
  if (offending.length === 0) return { id, status: 'pass', expected: 0, actual: 0, keys: [] };
  return {
    id,
    status: 'fail',
    expected: 0,
    actual: offending.length,
    keys: offending,
    reason:
      'not a whole number ≥ 0 (amounts: not ≥ 0): ' + offending.map((k) => `${k} = ${figures[k]}`).join(', '),
  };
}

/** The equations of a version, made once (their keys are the same strings every time: lookups stay cheap). */
const EQUATIONS = new Map<string, Equation[]>();

function equations(version: Version, otherAsOneRow: boolean): Equation[] {
  const memo = `${version} ${otherAsOneRow}`;
  const known = EQUATIONS.get(memo);
  if (known) return known;
  const list: Equation[] = [];
  const r = (row: string, col: string) => `requests.${row}.${col}`;

  for (const col of REQUEST_COLS) {
    list.push(
      equationSpec(
        `requests.balance.${col}`,
        [r('new', col), r('carried_over', col)],
        [r('total', col), r('carried_forward', col)],
        (e, a) =>
          `new + carried_over (${col}) = ${e} (expected) but total + carried_forward = ${a} (actual)`,
      ),
    );
  }

  const results = resultRows(version, otherAsOneRow);
  for (const col of REQUEST_COLS) {
    list.push(
      equationSpec(
        `requests.total.${col}`,
        results.map((row) => r(row, col)),
        [r('total', col)],
        (e, a) => `the result rows (${col}) add up to ${e} (expected) but the printed total is ${a} (actual)`,
      ),
    );
  }

  for (const row of requestRows(version, otherAsOneRow)) {
    list.push(
      equationSpec(
        `requests.row_sum.${row}`,
        APPLICANT_COLS.map((col) => r(row, col)),
        [r(row, 'total')],
        (e, a) => `the six applicant columns of ${row} add up to ${e} (expected) but its 总计 is ${a} (actual)`,
      ),
    );
  }

  for (const g of LITIGATION_GROUPS) {
    list.push(
      equationSpec(
        `${g}.total`,
        ['upheld', 'corrected', 'other', 'pending'].map((c) => `${g}.${c}`),
        [`${g}.total`],
        (e, a) => `upheld + corrected + other + pending = ${e} (expected) but the printed total is ${a} (actual)`,
      ),
    );
  }
  EQUATIONS.set(memo, list);
  return list;
}

/** Every in-report check of the version, in a stable order. */
export function runChecks(figures: Figures, opts: CheckOptions): Check[] {
  const checks = equations(opts.version, opts.otherAsOneRow).map((e) => equation(figures, e));
  checks.push(nonNegative(figures));
  return checks;
}

/** The ids of the failed checks, sorted. */
export function failedCheckIds(checks: Check[]): string[] {
  return checks
    .filter((c) => c.status === 'fail')
    .map((c) => c.id)
    .sort();
}
