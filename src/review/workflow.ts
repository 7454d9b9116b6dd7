/**
 * The review workflow: failed checks (and cross-year warnings) with their evidence, and the decisions
 * people record on them (confirmed / dismissed / corrected with the right figure), kept in `reviews`.
 *
 * A decision is found again for a report by its report id, the sha256 of the bytes decided on, the
 * source URL (or path), or the (agency identity, year) pair: re-ingesting or re-extracting a report
 * never loses it. A closed decision is reopened when a different document (another sha256) arrives
 * for the same source or the same agency and year.
 */
import { isCrossYearCheck, previousReport } from '../crossyear.js';
import type { z } from 'zod';
import type { WhereSchema } from '../report.js';
type Where = z.infer<typeof WhereSchema>;
import type { Db } from '../store/db.js';
import { linkOf } from './agencies.js';
import { syncFindings } from './stored-findings.js';

export const DECISIONS = ['confirmed', 'dismissed', 'corrected'] as const;
export type Decision = (typeof DECISIONS)[number];
export type ReviewState = 'open' | 'closed' | 'reopened';

export interface ReviewRow {
  id: number;
  report_id: number | null;
  check_id: string;
  decision: Decision;
  corrected_value: number | null;
  note: string;
  reviewer: string;
  decided_at: string;
  source_sha256: string;
  source: string | null;
  source_url: string | null;
  agency_identity: string | null;
  year: number | null;
  state: ReviewState;
  reopened_at: string | null;
  reopened_reason: string | null;
  superseded_by: number | null;
}

/** One figure involved in a check, as printed and where it is. */
export interface EvidenceCell {
  report_id: number;
  year: number | null;
  key: string;
  value: number | null;
  /** False when the report has no cell for the key. */
  present: boolean;
  printed: string | null;
  blank: boolean;
  table: number | null;
  grid: number | null;
  row_label: string | null;
  col_label: string | null;
  where: Where | null;
}

export interface FlaggedCheck {
  report_id: number;
  agency: string | null;
  agency_identity: string | null;
  region: string | null;
  year: number | null;
  version: string | null;
  kind: string | null;
  title: string | null;
  source: string;
  source_url: string | null;
  sha256: string;
  check_id: string;
  status: 'fail' | 'warn';
  expected: number | null;
  actual: number | null;
  keys: string[];
  reason: string | null;
  /** Prose checks: the sentence quoted. */
  evidence: string | null;
  cells: EvidenceCell[];
  /** open when no decision applies; closed when decided; reopened when the source changed since. */
  state: ReviewState;
  review: ReviewRow | null;
}

/** A report's row as the review reads it (also the stored findings' `Meta`). */
export interface ReportMeta {
  id: number;
  sha256: string;
  source: string;
  source_url: string | null;
  agency: string | null;
  year: number | null;
  region: string | null;
  version: string | null;
  kind: string | null;
  title: string | null;
}

function reportMeta(db: Db, id: number): ReportMeta | undefined {
  return db
    .prepare('SELECT id, sha256, source, source_url, agency, year, region, version, kind, title FROM reports WHERE id = ?')
    .get(id) as ReportMeta | undefined;
}

/** The decision that applies to a report's check: the newest not superseded one found by id, sha, source or agency-year. */
export function currentReview(db: Db, reportId: number, checkId: string): ReviewRow | null {
  const r = reportMeta(db, reportId);
  if (!r) return null;
  const identity = linkOf(db, reportId)?.identity ?? null;
  return (
    (db
      .prepare(
        `SELECT * FROM reviews
         WHERE check_id = @check AND superseded_by IS NULL AND (
           report_id = @id OR source_sha256 = @sha
           OR (@url IS NOT NULL AND source_url = @url)
           OR (source_url IS NULL AND @url IS NULL AND source = @source)
           OR (@identity IS NOT NULL AND agency_identity = @identity AND year IS @year))
         ORDER BY id DESC LIMIT 1`,
      )
      .get({ check: checkId, id: reportId, sha: r.sha256, url: r.source_url, source: r.source, identity, year: r.year }) as
      | ReviewRow
      | undefined) ?? null
  );
}

function cellOf(db: Db, reportId: number, year: number | null, key: string): EvidenceCell {
  const f = db.prepare('SELECT value FROM figures WHERE report_id = ? AND key = ?').get(reportId, key) as { value: number | null } | undefined;
  const s = db
    .prepare('SELECT text, blank, canonical_table, grid, row_label, col_label, where_json FROM figure_sources WHERE report_id = ? AND key = ?')
    .get(reportId, key) as
    | { text: string; blank: number; canonical_table: number; grid: number; row_label: string; col_label: string; where_json: string }
    | undefined;
  return {
    report_id: reportId,
    year,
    key,
    value: f ? f.value : null,
    present: f !== undefined,
    printed: s ? s.text : null,
    blank: s ? s.blank === 1 : false,
    table: s ? s.canonical_table : null,
    grid: s ? s.grid : null,
    row_label: s ? s.row_label : null,
    col_label: s ? s.col_label : null,
    where: s ? (JSON.parse(s.where_json) as Where) : null,
  };
}

/** The cells a check involves; for cross-year checks the other year's cells come from that year's report. */
export function evidenceCells(db: Db, reportId: number, checkId: string, keys: string[]): EvidenceCell[] {
  const r = reportMeta(db, reportId);
  if (!r) return [];
  if (!isCrossYearCheck(checkId)) return keys.map((k) => cellOf(db, reportId, r.year, k));
  const prev = previousReport(db, reportId);
  const cells: EvidenceCell[] = [];
  for (const k of keys) {
    if (k.startsWith('requests.carried_forward.')) {
      if (prev) cells.push(cellOf(db, prev.id, prev.year, k));
    } else cells.push(cellOf(db, reportId, r.year, k));
  }
  if (checkId.startsWith('art20.in_force_link.') && prev) {
    const k = keys.find((x) => x.endsWith('.in_force'));
    if (k) cells.unshift(cellOf(db, prev.id, prev.year, k));
  }
  return cells;
}

/** "table 3 (grid 2), row 予以公开, column 自然人, page 4 at [x0,y0,x1,y1]" */
export function describeWhere(c: EvidenceCell): string {
  if (!c.present) return 'no cell in the document';
  const parts: string[] = [];
  if (c.table !== null) parts.push(`table ${c.table}${c.grid !== null ? ` (grid ${c.grid})` : ''}`);
  if (c.row_label) parts.push(`row ${c.row_label}`);
  if (c.col_label) parts.push(`column ${c.col_label}`);
  const w = c.where ?? {};
  if (w.page !== undefined) parts.push(`page ${w.page}${w.bbox ? ` at [${w.bbox.map((n: number) => Math.round(n * 10) / 10).join(', ')}]` : ''}`);
  if (w.line !== undefined) parts.push(`line ${w.line}`);
  if (w.domPath) parts.push(w.domPath);
  return parts.join(', ');
}

export interface FlaggedFilter {
  /** fail (default), warn, or both. */
  status?: 'fail' | 'warn' | 'all';
  /** A check id, or a prefix ending in `.` or `*`. */
  check?: string;
  /** Substring of the agency name as printed or of its identity. */
  agency?: string;
  region?: string;
  /** Only these reports (a region of the divisions: src/places/query.ts regionReportIds). */
  reportIds?: readonly number[];
  year?: number;
  reportId?: number;
  /** Only checks in this review state. */
  state?: ReviewState;
  /** Leave out the evidence cells (for overviews): default false. */
  noCells?: boolean;
}

/** Failed checks (and/or warnings) with their evidence and review state, by agency, year, report, check order. */
export function listFlagged(db: Db, filter: FlaggedFilter = {}): FlaggedCheck[] {
  const where: string[] = [];
  const p: Record<string, string | number> = {};
  const status = filter.status ?? 'fail';
  if (status === 'all') where.push("c.status IN ('fail', 'warn')");
  else {
    where.push('c.status = @status');
    p.status = status;
  }
  if (filter.check) {
    const c = filter.check;
    if (c.endsWith('*') || c.endsWith('.')) {
      const prefix = c.endsWith('*') ? c.slice(0, -1) : c;
      where.push('substr(c.check_id, 1, @plen) = @prefix');
      p.plen = prefix.length;
      p.prefix = prefix;
    } else {
      where.push('c.check_id = @check');
      p.check = c;
    }
  }
  if (filter.agency) {
    where.push("(instr(coalesce(r.agency, ''), @agency) > 0 OR instr(coalesce(a.identity, ''), @agency) > 0 OR instr(coalesce(a.display_name, ''), @agency) > 0)");
    p.agency = filter.agency;
  }
  if (filter.region) {
    where.push("instr(coalesce(r.region, ''), @region) > 0");
    p.region = filter.region;
  }
  if (filter.reportIds) {
    where.push('r.id IN (SELECT value FROM json_each(@rids_json))');
    p.rids_json = JSON.stringify(filter.reportIds);
  }
  if (filter.year !== undefined) {
    where.push('r.year = @year');
    p.year = filter.year;
  }
  if (filter.reportId !== undefined) {
    where.push('r.id = @rid');
    p.rid = filter.reportId;
  }
  const rows = db
    .prepare(
      `SELECT r.id AS report_id, r.agency, a.identity AS agency_identity, r.region, r.year, r.version, r.kind, r.title,
              r.source, r.source_url, r.sha256, c.check_id, c.status, c.expected, c.actual, c.keys_json, c.reason, c.evidence
       FROM checks c JOIN reports r ON r.id = c.report_id
       LEFT JOIN agency_links l ON l.report_id = r.id LEFT JOIN agencies a ON a.id = l.agency_id
       WHERE ${where.join(' AND ')}
       ORDER BY coalesce(a.identity, r.agency) IS NULL, coalesce(a.identity, r.agency), r.year, r.id, c.ord`,
    )
    .all(p) as (Omit<FlaggedCheck, 'keys' | 'cells' | 'state' | 'review'> & { keys_json: string })[];
  const out: FlaggedCheck[] = [];
  for (const { keys_json, ...row } of rows) {
    const keys = JSON.parse(keys_json) as string[];
    const review = currentReview(db, row.report_id, row.check_id);
    const state: ReviewState = review ? review.state : 'open';
    if (filter.state && filter.state !== state) continue;
    out.push({ ...row, keys, cells: filter.noCells ? [] : evidenceCells(db, row.report_id, row.check_id, keys), review, state });
  }
  return out;
}

export interface DecideInput {
  reportId: number;
  checkId: string;
  decision: Decision;
  value?: number | null;
  note: string;
  by?: string | null;
  /** ISO time; defaults to now. */
  at?: string;
}

/** Records a decision on a stored check; older decisions that applied to it are superseded. */
export function decide(db: Db, input: DecideInput): ReviewRow {
  if (!DECISIONS.includes(input.decision)) throw new Error(`decision must be one of ${DECISIONS.join(', ')}, not ${JSON.stringify(input.decision)}`);
  if (!input.note || !input.note.trim()) throw new Error('a decision needs a note saying why');
  if (input.decision === 'corrected') {
    if (input.value === undefined || input.value === null || !Number.isFinite(input.value)) {
      throw new Error('a "corrected" decision needs the right figure (--value N)');
    }
  } else if (input.value !== undefined && input.value !== null) {
    throw new Error(`--value goes with --decision corrected only`);
  }
  const r = reportMeta(db, input.reportId);
  if (!r) throw new Error(`no report #${input.reportId}`);
  const check = db.prepare('SELECT status FROM checks WHERE report_id = ? AND check_id = ?').get(input.reportId, input.checkId) as
    | { status: string }
    | undefined;
  if (!check) throw new Error(`report #${input.reportId} has no check ${input.checkId}`);
  const identity = linkOf(db, input.reportId)?.identity ?? null;
  return db.transaction((): ReviewRow => {
    const previous = currentReview(db, input.reportId, input.checkId);
    const id = Number(
      db
        .prepare(
          `INSERT INTO reviews (report_id, check_id, decision, corrected_value, note, reviewer, decided_at, source_sha256,
             source, source_url, agency_identity, year, state)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'closed')`,
        )
        .run(
          input.reportId,
          input.checkId,
          input.decision,
          input.decision === 'corrected' ? input.value : null,
          input.note.trim(),
          (input.by ?? '').trim() || defaultReviewer(),
          input.at ?? new Date().toISOString(),
          r.sha256,
          r.source,
          r.source_url,
          identity,
          r.year,
        ).lastInsertRowid,
    );
    if (previous) db.prepare('UPDATE reviews SET superseded_by = ? WHERE id = ?').run(id, previous.id);
    syncFindings(db); // [hA] the findings this decision applies to (stored-findings.ts)
    return db.prepare('SELECT * FROM reviews WHERE id = ?').get(id) as ReviewRow;
  })();
}

function defaultReviewer(): string {
  return process.env.NIANBAO_REVIEWER || process.env.USER || process.env.LOGNAME || 'unknown';
}

/**
 * After a report arrived: reopen the closed decisions made on another document for the same source
 * or the same agency and year. Returns the reopened reviews.
 */
export function reopenForChangedSource(db: Db, reportId: number): ReviewRow[] {
  const r = reportMeta(db, reportId);
  if (!r) return [];
  // Only a document that arrived after the decision reopens it (not one stored before and rechecked).
  const ingested = (db.prepare('SELECT ingested_at FROM reports WHERE id = ?').get(reportId) as { ingested_at: string }).ingested_at;
  const identity = linkOf(db, reportId)?.identity ?? null;
  const hits = db
    .prepare(
      `SELECT * FROM reviews WHERE state = 'closed' AND superseded_by IS NULL AND source_sha256 <> @sha
         AND decided_at < @ingested AND (
         (@url IS NOT NULL AND source_url = @url)
         OR source = @source
         OR (@identity IS NOT NULL AND agency_identity = @identity AND year IS @year))`,
    )
    .all({ sha: r.sha256, url: r.source_url, source: r.source, identity, year: r.year, ingested }) as ReviewRow[];
  const now = new Date().toISOString();
  const upd = db.prepare("UPDATE reviews SET state = 'reopened', reopened_at = ?, reopened_reason = ? WHERE id = ?");
  for (const h of hits) {
    upd.run(now, `a different document arrived for ${h.source_url ?? h.source ?? 'this agency and year'}: report #${r.id}, sha256 ${r.sha256.slice(0, 12)}… (decided on ${h.source_sha256.slice(0, 12)}…)`, h.id);
  }
  return hits.map((h) => ({ ...h, state: 'reopened' as const, reopened_at: now }));
}

/** Every decision, newest first (for exports). */
export function allReviews(db: Db): ReviewRow[] {
  return db.prepare('SELECT * FROM reviews ORDER BY id').all() as ReviewRow[];
}
