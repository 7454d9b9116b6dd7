/**
 * Cross-year checks: a body's report against its report for the year before.
 *
 * - `requests.carry_link.<col>` for the six applicant columns and the total: this year's
 *   requests.carried_over.<col> (上年结转) = last year's requests.carried_forward.<col> (结转下年度).
 *   pass / fail / skipped (no report of the body for last year, a cell missing or unreadable).
 * - `art20.in_force_link.rules` and `.normative` (both reports on the 2021 template): this year's
 *   in_force = last year's in_force + this year's issued − repealed. Real bodies re-baseline their
 *   counts, so a mismatch is a WARNING (status `warn`), never a failure.
 *
 * The checks are stored in the core `checks` table (upsertChecks). They are recomputed for a report
 * and its neighbours (the same body's reports for year−1 and year+1) after each ingestion, so a year
 * that arrives later completes the checks of the year after it.
 */
import { REQUEST_COLS } from './keys.js';
import type { Check } from './report.js';
import { linkOf, reportsOf } from './review/agencies.js';
import type { Db } from './store/db.js';
import { upsertChecks } from './store/ingest.js';

export type Figures = Record<string, number | null>;

export interface YearReport {
  id?: number;
  year: number | null;
  version: string | null;
  figures: Figures;
  /** For reasons: "洪泽区人民政府 2023 (report #3)". */
  label?: string;
}

export const CARRY_LINK_IDS = REQUEST_COLS.map((c) => `requests.carry_link.${c}`);
export const IN_FORCE_LINK_IDS = ['art20.in_force_link.rules', 'art20.in_force_link.normative'];
export const CROSS_YEAR_IDS = [...CARRY_LINK_IDS, ...IN_FORCE_LINK_IDS];

export function isCrossYearCheck(id: string): boolean {
  return id.startsWith('requests.carry_link.') || id.startsWith('art20.in_force_link.');
}

function val(f: Figures, k: string): { ok: true; v: number } | { ok: false; why: string } {
  if (!(k in f)) return { ok: false, why: 'has no cell for ' + k };
  const v = f[k];
  if (v === null || v === undefined) return { ok: false, why: 'could not read ' + k };
  return { ok: true, v };
}

/** The cross-year checks of `cur` given the body's report for the year before (null: none stored). */
export function crossYearChecks(cur: YearReport, prev: YearReport | null, whyNoPrev = 'no report of this body for last year'): Check[] {
  const out: Check[] = [];
  const prevLabel = prev?.label ?? `the ${cur.year !== null ? cur.year - 1 : 'previous'} report`;
  for (const col of REQUEST_COLS) {
    const id = `requests.carry_link.${col}`;
    const kCur = `requests.carried_over.${col}`;
    const kPrev = `requests.carried_forward.${col}`;
    const keys = [kCur, kPrev];
    if (!prev) {
      out.push({ id, status: 'skipped', expected: null, actual: null, keys, reason: whyNoPrev });
      continue;
    }
    const a = val(cur.figures, kCur);
    const e = val(prev.figures, kPrev);
    if (!a.ok || !e.ok) {
      const why = [!a.ok ? `this report ${a.why}` : null, !e.ok ? `${prevLabel} ${e.why}` : null].filter(Boolean).join('; ');
      out.push({ id, status: 'skipped', expected: e.ok ? e.v : null, actual: a.ok ? a.v : null, keys, reason: why });
      continue;
    }
    const pass = a.v === e.v;
    out.push({
      id,
      status: pass ? 'pass' : 'fail',
      expected: e.v,
      actual: a.v,
      keys,
      ...(pass
        ? {}
        : { reason: `上年结转 (${kCur}) is ${a.v}, but ${prevLabel} gives 结转下年度 (${kPrev}) = ${e.v}` }),
    });
  }
  for (const kind of ['rules', 'normative'] as const) {
    const id = `art20.in_force_link.${kind}`;
    const kIn = `art20.${kind}.in_force`;
    const kIss = `art20.${kind}.issued`;
    const kRep = `art20.${kind}.repealed`;
    const keys = [kIn, kIss, kRep];
    if (!prev) {
      out.push({ id, status: 'skipped', expected: null, actual: null, keys, reason: whyNoPrev });
      continue;
    }
    if (cur.version !== '2021' || prev.version !== '2021') {
      out.push({
        id, status: 'skipped', expected: null, actual: null, keys,
        reason: `needs two reports on the 2021 template (this one: ${cur.version ?? 'unknown'}, last year's: ${prev.version ?? 'unknown'})`,
      });
      continue;
    }
    const p = val(prev.figures, kIn);
    const i = val(cur.figures, kIss);
    const r = val(cur.figures, kRep);
    const n = val(cur.figures, kIn);
    const missing = [!p.ok ? `${prevLabel} ${p.why}` : null, ...[i, r, n].map((x) => (!x.ok ? `this report ${x.why}` : null))].filter(Boolean);
    if (!p.ok || !i.ok || !r.ok || !n.ok) {
      out.push({ id, status: 'skipped', expected: null, actual: n.ok ? n.v : null, keys, reason: missing.join('; ') });
      continue;
    }
    const expected = p.v + i.v - r.v;
    const ok = expected === n.v;
    out.push({
      id,
      status: ok ? 'pass' : 'warn',
      expected,
      actual: n.v,
      keys,
      ...(ok
        ? {}
        : {
            reason: `现行有效件数 ${n.v}, but ${prevLabel}'s ${p.v} + issued ${i.v} − repealed ${r.v} = ${expected} (a warning: bodies re-baseline these counts)`,
          }),
    });
  }
  return out;
}

/** The figures crossYearChecks reads (it reads no other). */
const LINK_KEYS = [
  ...REQUEST_COLS.flatMap((c) => [`requests.carried_over.${c}`, `requests.carried_forward.${c}`]),
  ...['rules', 'normative'].flatMap((k) => [`art20.${k}.in_force`, `art20.${k}.issued`, `art20.${k}.repealed`]),
];
const FIGURES_SQL = `SELECT key, value FROM figures WHERE report_id = ? AND key IN (${LINK_KEYS.map(() => '?').join(',')})`;

/** The figures of a report that the cross-year checks read. */
function figuresOf(db: Db, reportId: number): Figures {
  const f: Figures = {};
  for (const row of db.prepare(FIGURES_SQL).all(reportId, ...LINK_KEYS) as { key: string; value: number | null }[]) {
    f[row.key] = row.value;
  }
  return f;
}

interface Meta {
  id: number;
  year: number | null;
  version: string | null;
  status: string;
  agency: string | null;
}

/** The report the cross-year checks of `reportId` compare with (the same body, the year before), if any. */
export function previousReport(db: Db, reportId: number): { id: number; year: number } | undefined {
  const r = db.prepare('SELECT year FROM reports WHERE id = ?').get(reportId) as { year: number | null } | undefined;
  const link = linkOf(db, reportId);
  if (!r || r.year === null || !link) return undefined;
  const prev = reportsOf(db, link.agency_id, r.year - 1)[0];
  return prev ? { id: prev.id, year: r.year - 1 } : undefined;
}

/** Recomputes and stores the cross-year checks of one report. Reports not on a template (legacy, errors) get none. */
export function recomputeCrossYear(db: Db, reportId: number): Check[] {
  const r = db.prepare('SELECT id, year, version, status, agency FROM reports WHERE id = ?').get(reportId) as Meta | undefined;
  if (!r) throw new Error(`no report #${reportId}`);
  if (r.version !== '2019' && r.version !== '2021') {
    db.prepare(`DELETE FROM checks WHERE report_id = ? AND (check_id LIKE 'requests.carry_link.%' OR check_id LIKE 'art20.in_force_link.%')`).run(reportId);
    return [];
  }
  const link = linkOf(db, reportId);
  let prev: YearReport | null = null;
  let why = 'no report of this body for last year';
  if (r.year === null) why = 'the report year is unknown';
  else if (!link) why = 'the agency is unknown, so last year\'s report cannot be found';
  else {
    const p = previousReport(db, reportId);
    if (p) {
      const m = db.prepare('SELECT id, year, version, status, agency FROM reports WHERE id = ?').get(p.id) as Meta;
      prev = { id: m.id, year: m.year, version: m.version, figures: figuresOf(db, m.id), label: `last year's report #${m.id} (${m.agency ?? link.identity} ${m.year})` };
    } else why = `no report of ${link.identity} for ${r.year - 1} in the database`;
  }
  // with no report for last year every check is skipped without reading this report's figures
  const checks = crossYearChecks({ id: r.id, year: r.year, version: r.version, figures: prev ? figuresOf(db, reportId) : {} }, prev, why);
  upsertChecks(db, reportId, checks);
  return checks;
}

/** After report R arrived (or was relinked): recompute R and the same body's reports of year−1 and year+1. */
export function recomputeAround(db: Db, reportId: number, alsoAgencyIds: number[] = []): number[] {
  const r = db.prepare('SELECT year FROM reports WHERE id = ?').get(reportId) as { year: number | null } | undefined;
  if (!r) return [];
  const ids = new Set<number>([reportId]);
  const link = linkOf(db, reportId);
  const agencies = new Set<number>(alsoAgencyIds);
  if (link) agencies.add(link.agency_id);
  if (r.year !== null) {
    for (const a of agencies) {
      for (const y of [r.year - 1, r.year + 1]) for (const n of reportsOf(db, a, y)) ids.add(n.id);
    }
  }
  db.transaction(() => {
    for (const id of ids) recomputeCrossYear(db, id);
  })();
  return [...ids];
}
