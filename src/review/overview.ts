/**
 * The numbers behind the overview page (and its tables): check families, request outcomes per body.
 * Reports per year and region are counted by the divisions: src/places/query.ts reportsByYearArea.
 */
import type { Db } from '../store/db.js';
import { FAMILIES } from './labels-zh.js';
import { familyCounts } from './stored-findings.js';

export interface FamilyRow {
  family: string;
  /** Reports with a result (pass/fail/warn) in the family. */
  checked: number;
  /** Reports with a fail or warn in the family. */
  failing: number;
  share: number;
}

export const OUTCOMES = ['granted', 'partial', 'denied', 'unable', 'not_processed', 'other'] as const;
export const OUTCOME_ZH: Record<(typeof OUTCOMES)[number], string> = {
  granted: '予以公开', partial: '部分公开', denied: '不予公开', unable: '无法提供', not_processed: '不予处理', other: '其他处理',
};

export interface OutcomeRow {
  agency: string;
  year: number | null;
  report_id: number;
  values: Record<(typeof OUTCOMES)[number], number>;
}

/**
 * Per check family, the reports checked in it and those failing it: summed from one row per report
 * (review_report_families, kept with the stored findings: stored-findings.ts), not from every check.
 */
export function familyShares(db: Db): FamilyRow[] {
  const counts = familyCounts(db);
  return FAMILIES.map((family) => {
    const c = counts.get(family)?.checked ?? 0;
    const n = counts.get(family)?.failing ?? 0;
    return { family, checked: c, failing: n, share: c ? n / c : 0 };
  });
}

/** The request outcomes (table 3, 总计 column) of each report, by body and year; `agency` filters by name. */
export function outcomesByAgency(db: Db, agency?: string, limitAgencies = 12): OutcomeRow[] {
  const reports = db
    .prepare(
      `SELECT r.id, r.year, coalesce(a.identity, r.agency) AS agency
       FROM reports r LEFT JOIN agency_links l ON l.report_id = r.id LEFT JOIN agencies a ON a.id = l.agency_id
       WHERE coalesce(a.identity, r.agency) IS NOT NULL AND (@q IS NULL OR instr(coalesce(a.identity, r.agency), @q) > 0)
         AND EXISTS (SELECT 1 FROM figures f WHERE f.report_id = r.id AND f.key = 'requests.granted.total')
       ORDER BY agency, r.year, r.id`,
    )
    .all({ q: agency ?? null }) as { id: number; year: number | null; agency: string }[];
  const counts = new Map<string, number>();
  for (const r of reports) counts.set(r.agency, (counts.get(r.agency) ?? 0) + 1);
  const keep = new Set([...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, limitAgencies).map((e) => e[0]));
  const figs = db.prepare("SELECT key, value FROM figures WHERE report_id = ? AND key LIKE 'requests.%.total'");
  const out: OutcomeRow[] = [];
  for (const r of reports) {
    if (!keep.has(r.agency)) continue;
    const values = { granted: 0, partial: 0, denied: 0, unable: 0, not_processed: 0, other: 0 };
    for (const f of figs.all(r.id) as { key: string; value: number | null }[]) {
      const row = f.key.slice('requests.'.length, -'.total'.length);
      const g = row.split('.')[0]! as keyof typeof values;
      if (g in values && f.value !== null) values[g] += f.value;
    }
    out.push({ agency: r.agency, year: r.year, report_id: r.id, values });
  }
  return out;
}
