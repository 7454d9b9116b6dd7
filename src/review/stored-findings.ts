/**
 * Findings stored per report (table `review_findings`, 'review' migration 3), so the review page reads a
 * page of the queue, its counts and the next open finding in SQL instead of deriving every finding of
 * the database on each read (issue 19 item 4).
 *
 * What a finding is stays defined in one place, `groupFindings` (findings.ts); this module stores its
 * answer. It is kept up to date by marking reports *dirty* and recomputing the dirty ones:
 *   - triggers (schema.ts) mark a report when it is stored or re-extracted (reports INSERT/UPDATE), when one
 *     of its failed or warned checks is written or removed (check_rows), when its body link changes
 *     (agency_links, agencies.identity), and when a decision that applies to it is recorded, superseded or
 *     reopened (reviews: the reports it applies to, by id, sha256, source or body and year, as
 *     workflow.ts currentReview finds decisions);
 *   - the step after ingestion (hook.ts) marks the reports whose cross-year checks it recomputed;
 *   - `syncFindings` recomputes the marked reports: the step after ingestion, `decide` and every reader
 *     (`queuePage`, `nextOpenFinding`) call it, so a reader never sees a stale row.
 * Per report it also keeps which check families the report was checked in and failed in
 * (`review_report_families`), so the overview's shares are a sum over one row per report.
 * `review_finding_counts` (per year, severity and state, kept by triggers on review_findings) gives the
 * queue's counts without scanning the findings when the filter is by year, severity and state only.
 */
import { parseProvenance } from '../store/provenance.js';
import type { Db } from '../store/db.js';
import { groupFindings, STATE_ORDER, type Finding, type ProblemRow, type QueueFilter, type QueueItem } from './findings.js';
import { checkFamily } from './labels-zh.js';
import type { EvidenceCell, FlaggedCheck, ReportMeta, ReviewRow, ReviewState } from './workflow.js';

export interface StoredFinding {
  report_id: number;
  id: string;
  kind: Finding['kind'];
  status: 'fail' | 'warn';
  state: ReviewState | 'note';
  discrepancy: number;
  title: string;
  detail: string;
  /** The check ids the finding groups (a decision is recorded on each). */
  checks: { check_id: string }[];
}

/** A queue item as `findingQueue` gives it, its finding as stored. */
export interface StoredQueueItem extends Omit<QueueItem, 'finding'> {
  finding: StoredFinding;
}

/** Marks reports for `syncFindings`. */
export function markFindingsDirty(db: Db, reportIds: Iterable<number>): void {
  const ins = db.prepare('INSERT OR IGNORE INTO review_findings_dirty (report_id) VALUES (?)');
  for (const id of reportIds) ins.run(id);
}

interface Stmts {
  dirty: import('better-sqlite3').Statement;
  meta: import('better-sqlite3').Statement;
  checks: import('better-sqlite3').Statement;
  anyReview: import('better-sqlite3').Statement;
  reviews: import('better-sqlite3').Statement;
  figures: import('better-sqlite3').Statement;
  problems: import('better-sqlite3').Statement;
  provenance: import('better-sqlite3').Statement;
  list: import('better-sqlite3').Statement;
  delFindings: import('better-sqlite3').Statement;
  delFamilies: import('better-sqlite3').Statement;
  delDirty: import('better-sqlite3').Statement;
  insFinding: import('better-sqlite3').Statement;
  insFamilies: import('better-sqlite3').Statement;
}
const cache = new WeakMap<Db, Stmts>();

function stmts(db: Db): Stmts {
  let s = cache.get(db);
  if (s) return s;
  s = {
    dirty: db.prepare('SELECT report_id FROM review_findings_dirty ORDER BY report_id LIMIT 500').pluck(),
    meta: db.prepare(
      `SELECT r.id, r.sha256, r.source, r.source_url, r.agency, r.year, r.region, r.version, r.kind, r.title, a.identity
       FROM reports r LEFT JOIN agency_links l ON l.report_id = r.id LEFT JOIN agencies a ON a.id = l.agency_id WHERE r.id = ?`,
    ),
    checks: db.prepare(
      `SELECT d.check_id, c.status, c.expected, c.actual, d.keys_json, c.reason, c.evidence
       FROM check_rows c JOIN check_defs d ON d.id = c.def WHERE c.report_id = ? ORDER BY c.ord`,
    ),
    anyReview: db.prepare('SELECT 1 FROM reviews LIMIT 1').pluck(),
    reviews: db.prepare(
      `SELECT * FROM reviews
       WHERE superseded_by IS NULL AND (
         report_id = @id OR source_sha256 = @sha
         OR (@url IS NOT NULL AND source_url = @url)
         OR (source_url IS NULL AND @url IS NULL AND source = @source)
         OR (@identity IS NOT NULL AND agency_identity = @identity AND year IS @year))
       ORDER BY id DESC`,
    ),
    figures: db.prepare('SELECT key, value FROM figures WHERE report_id = ?'),
    problems: db.prepare('SELECT code, message, where_text FROM problems WHERE report_id = ? ORDER BY id'),
    provenance: db.prepare('SELECT data FROM provenance WHERE report_id = ?').pluck(),
    list: db.prepare('SELECT list FROM provenance_lists WHERE id = ?').pluck(),
    delFindings: db.prepare('DELETE FROM review_findings WHERE report_id = ?'),
    delFamilies: db.prepare('DELETE FROM review_report_families WHERE report_id = ?'),
    delDirty: db.prepare('DELETE FROM review_findings_dirty WHERE report_id = ?'),
    insFinding: db.prepare(
      `INSERT INTO review_findings (report_id, finding_id, seq, kind, status, state, rank, discrepancy, year, n_checks, check_ids, families, title, detail)
       VALUES (@report_id, @finding_id, @seq, @kind, @status, @state, @rank, @discrepancy, @year, @n_checks, @check_ids, @families, @title, @detail)`,
    ),
    insFamilies: db.prepare('INSERT INTO review_report_families (report_id, checked, failing) VALUES (?, ?, ?)'),
  };
  cache.set(db, s);
  return s;
}

interface Meta extends ReportMeta {
  identity: string | null;
}

/**
 * The findings of one report as the queue has them (`findingQueue`: groupFindings over the report's
 * failed and warned checks with their review state), read with a handful of statements: the provenance is
 * parsed once instead of once per cell. The evidence cells are the report's own (a cross-year check's cell
 * of last year's report names nothing the grouping reads); the report page reads the full ones.
 */
export function computeReportFindings(db: Db, reportId: number): { meta: Meta | undefined; findings: Finding[]; checked: Set<string>; failing: Set<string> } {
  const s = stmts(db);
  const meta = s.meta.get(reportId) as Meta | undefined;
  const checked = new Set<string>();
  const failing = new Set<string>();
  if (!meta) return { meta, findings: [], checked, failing };
  type Row = { check_id: string; status: 'fail' | 'warn'; expected: number | null; actual: number | null; keys_json: string; reason: string | null; evidence: string | null };
  const rows: Row[] = [];
  for (const c of s.checks.all(reportId) as (Omit<Row, 'status'> & { status: string })[]) {
    if (c.status !== 'pass' && c.status !== 'fail' && c.status !== 'warn') continue;
    const f = checkFamily(c.check_id);
    checked.add(f);
    if (c.status === 'pass') continue;
    failing.add(f);
    rows.push(c as Row);
  }
  if (!rows.length) return { meta, findings: [], checked, failing };
  const reviews = new Map<string, ReviewRow>();
  const decided = s.anyReview.get() !== undefined;
  for (const r of (decided ? s.reviews.all({ id: meta.id, sha: meta.sha256, url: meta.source_url, source: meta.source, identity: meta.identity, year: meta.year }) : []) as ReviewRow[]) {
    if (!reviews.has(r.check_id)) reviews.set(r.check_id, r);
  }
  const figures: Record<string, number | null> = {};
  for (const f of s.figures.all(reportId) as { key: string; value: number | null }[]) figures[f.key] = f.value;
  const problems = s.problems.all(reportId) as ProblemRow[];
  const data = s.provenance.get(reportId) as string | undefined;
  const prov = data ? parseProvenance(data, (id) => s.list.get(id) as string | undefined) : {};
  const cell = (key: string): EvidenceCell => {
    const p = prov[key];
    return {
      report_id: reportId, year: meta.year, key, value: key in figures ? figures[key]! : null, present: key in figures,
      printed: p ? p.text : null, blank: p ? p.blank : false, table: p ? p.table : null, grid: p ? p.grid : null,
      row_label: p ? p.row_label : null, col_label: p ? p.col_label : null, where: p ? p.where : null,
    };
  };
  const checks: FlaggedCheck[] = rows.map(({ keys_json, ...c }) => {
    const keys = JSON.parse(keys_json) as string[];
    const review = reviews.get(c.check_id) ?? null;
    return {
      report_id: reportId, agency: meta.agency, agency_identity: meta.identity, region: meta.region, year: meta.year, version: meta.version,
      kind: meta.kind, title: meta.title, source: meta.source, source_url: meta.source_url, sha256: meta.sha256,
      ...c, keys, cells: keys.map(cell), state: review ? review.state : 'open', review,
    };
  });
  return { meta, findings: groupFindings(reportId, checks, figures, problems), checked, failing };
}

const familiesText = (xs: Iterable<string>) => {
  const l = [...new Set(xs)].sort();
  return l.length ? ` ${l.join(' ')} ` : '';
};

/** Recomputes the stored findings of one report (its old rows replaced). */
function refresh(db: Db, reportId: number): void {
  const s = stmts(db);
  s.delFindings.run(reportId);
  s.delFamilies.run(reportId);
  const { meta, findings, checked, failing } = computeReportFindings(db, reportId);
  if (meta) {
    s.insFamilies.run(reportId, familiesText(checked), familiesText(failing));
    findings.forEach((f, seq) =>
      s.insFinding.run({
        report_id: reportId, finding_id: f.id, seq, kind: f.kind, status: f.status, state: f.state, rank: STATE_ORDER[f.state] ?? 2,
        discrepancy: f.discrepancy, year: meta.year, n_checks: f.checks.length, check_ids: JSON.stringify(f.checks.map((c) => c.check_id)),
        families: familiesText(f.checks.map((c) => checkFamily(c.check_id))), title: f.title, detail: f.detail,
      }),
    );
  }
  s.delDirty.run(reportId);
}

/** Recomputes the findings of every report marked dirty; returns how many. Runs in the caller's transaction if any. */
export function syncFindings(db: Db): number {
  const s = stmts(db);
  let n = 0;
  for (;;) {
    const ids = s.dirty.all() as number[];
    if (!ids.length) return n;
    db.transaction(() => {
      for (const id of ids) refresh(db, id);
    })();
    n += ids.length;
  }
}

const ORDER = 'f.rank, f.discrepancy DESC, f.report_id, f.finding_id';

/** The WHERE clause and parameters of a queue filter over review_findings f. */
function whereOf(filter: QueueFilter): { sql: string; p: Record<string, unknown>; simple: boolean } {
  const w: string[] = [];
  const p: Record<string, unknown> = {};
  let simple = true;
  if (filter.year !== undefined) {
    w.push('f.year = @year');
    p.year = filter.year;
  }
  if (filter.status && filter.status !== 'all') {
    w.push('f.status = @status');
    p.status = filter.status;
  }
  if (filter.state) {
    w.push('f.state = @state');
    p.state = filter.state;
  }
  if (filter.family) {
    w.push("instr(f.families, ' ' || @family || ' ') > 0");
    p.family = filter.family;
    simple = false;
  }
  if (filter.reportIds) {
    w.push('f.report_id IN (SELECT value FROM json_each(@rids))');
    p.rids = JSON.stringify(filter.reportIds);
    simple = false;
  }
  if (filter.region) {
    w.push("f.report_id IN (SELECT id FROM reports WHERE instr(coalesce(region, ''), @region) > 0)");
    p.region = filter.region;
    simple = false;
  }
  if (filter.agency) {
    // the bodies whose name holds the text, then their reports; and the reports whose name as printed holds it
    w.push(`(f.report_id IN (SELECT l.report_id FROM agencies a JOIN agency_links l ON l.agency_id = a.id
                              WHERE instr(a.identity, @agency) > 0 OR instr(a.display_name, @agency) > 0)
             OR f.report_id IN (SELECT id FROM reports WHERE instr(coalesce(agency, ''), @agency) > 0))`);
    p.agency = filter.agency;
    simple = false;
  }
  return { sql: w.length ? `WHERE ${w.join(' AND ')}` : '', p, simple };
}

export interface QueuePage {
  items: StoredQueueItem[];
  /** Findings matching the filter, and of them open (open or reopened). */
  total: number;
  open: number;
}

/** The counts of a filter: from review_finding_counts when it is by year, severity and state only. */
export function queueCounts(db: Db, filter: QueueFilter = {}): { total: number; open: number } {
  const { sql, p, simple } = whereOf(filter);
  if (simple) {
    const row = db
      .prepare(`SELECT coalesce(sum(n), 0) AS total, coalesce(sum(CASE WHEN f.state IN ('open', 'reopened') THEN n END), 0) AS open FROM review_finding_counts f ${sql.replace('f.year = @year', 'f.year_key = @year')}`)
      .get(p) as { total: number; open: number };
    return row;
  }
  return db.prepare(`SELECT count(*) AS total, coalesce(sum(f.rank = 0), 0) AS open FROM review_findings f ${sql}`).get(p) as { total: number; open: number };
}

interface Row {
  report_id: number;
  finding_id: string;
  kind: Finding['kind'];
  status: 'fail' | 'warn';
  state: ReviewState | 'note';
  discrepancy: number;
  title: string;
  detail: string;
  check_ids: string;
  agency: string | null;
  agency_identity: string | null;
  region: string | null;
  year: number | null;
  report_title: string | null;
  source: string;
  source_url: string | null;
}

const itemOf = (r: Row): StoredQueueItem => ({
  finding: {
    report_id: r.report_id, id: r.finding_id, kind: r.kind, status: r.status, state: r.state, discrepancy: r.discrepancy, title: r.title, detail: r.detail,
    checks: (JSON.parse(r.check_ids) as string[]).map((check_id) => ({ check_id })),
  },
  agency: r.agency, agency_identity: r.agency_identity, region: r.region, year: r.year, title: r.report_title, source: r.source, source_url: r.source_url,
});

const ITEM_COLUMNS = `f.report_id, f.finding_id, f.kind, f.status, f.state, f.discrepancy, f.title, f.detail, f.check_ids,
       r.agency, a.identity AS agency_identity, r.region, r.year, r.title AS report_title, r.source, r.source_url`;
const ITEM_JOINS = 'JOIN reports r ON r.id = f.report_id LEFT JOIN agency_links l ON l.report_id = f.report_id LEFT JOIN agencies a ON a.id = l.agency_id';
const SELECT_ITEM = `SELECT ${ITEM_COLUMNS} FROM review_findings f ${ITEM_JOINS}`;

/**
 * One page of the queue (`offset`, `limit`) in review order (open first, then by the size of the
 * discrepancy, then report and finding id), with the filter's counts. Recomputes dirty reports first.
 */
export function queuePage(db: Db, filter: QueueFilter = {}, page: { offset?: number; limit?: number } = {}): QueuePage {
  syncFindings(db);
  const { sql, p } = whereOf(filter);
  const limit = page.limit ?? 30;
  const offset = page.offset ?? 0;
  // the page's keys from the ordering index, then their rows (the skipped rows are never joined). CROSS
  // JOIN keeps the page the outer loop: with LIMIT a parameter the planner would otherwise scan every
  // finding in queue order and look each up in the page
  const rows = db
    .prepare(
      `WITH page AS (SELECT f.report_id, f.finding_id, f.rank, f.discrepancy FROM review_findings f ${sql} ORDER BY ${ORDER} LIMIT @limit OFFSET @offset)
       SELECT ${ITEM_COLUMNS}
       FROM page g CROSS JOIN review_findings f ON f.report_id = g.report_id AND f.finding_id = g.finding_id
       ${ITEM_JOINS}
       ORDER BY ${ORDER}`,
    )
    .all({ ...p, limit, offset }) as Row[];
  return { items: rows.map(itemOf), ...queueCounts(db, filter) };
}

/** Every finding matching the filter, in queue order (for exports and tests). */
export function storedQueue(db: Db, filter: QueueFilter = {}): StoredQueueItem[] {
  syncFindings(db);
  const { sql, p } = whereOf(filter);
  return (db.prepare(`${SELECT_ITEM} ${sql} ORDER BY ${ORDER}`).all(p) as Row[]).map(itemOf);
}

/** The first open (or reopened) finding in queue order, other than `except`. */
export function nextOpenFinding(db: Db, except?: { report: number; id: string }): { report_id: number; finding_id: string } | null {
  syncFindings(db);
  const row = db
    .prepare(
      `SELECT f.report_id, f.finding_id FROM review_findings f
       WHERE f.rank = 0 AND NOT (f.report_id IS @rid AND f.finding_id IS @fid)
       ORDER BY ${ORDER} LIMIT 1`,
    )
    .get({ rid: except?.report ?? null, fid: except?.id ?? null }) as { report_id: number; finding_id: string } | undefined;
  return row ?? null;
}

/** Per check family: reports with a result in it, and reports with a failure or warning in it (the overview). */
export function familyCounts(db: Db): Map<string, { checked: number; failing: number }> {
  syncFindings(db);
  const out = new Map<string, { checked: number; failing: number }>();
  const rows = db.prepare('SELECT checked, failing, count(*) AS n FROM review_report_families GROUP BY checked, failing').all() as { checked: string; failing: string; n: number }[];
  for (const r of rows) {
    for (const f of r.checked.split(' ').filter(Boolean)) {
      const e = out.get(f) ?? out.set(f, { checked: 0, failing: 0 }).get(f)!;
      e.checked += r.n;
    }
    for (const f of r.failing.split(' ').filter(Boolean)) {
      const e = out.get(f) ?? out.set(f, { checked: 0, failing: 0 }).get(f)!;
      e.failing += r.n;
    }
  }
  return out;
}
