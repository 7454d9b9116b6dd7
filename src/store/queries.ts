/** Reading stored reports and checks back. */
import { inContractOrder, type Check, type CheckStatus, type FigureSource, type Report } from '../report.js';

type Problem = Report['problems'][number];
import type { Db } from './db.js';
import { parseProvenance } from './provenance.js';

interface ReportRow {
  id: number;
  sha256: string;
  source: string;
  source_url: string | null;
  kind: Report['kind'];
  status: Report['status'];
  version: Report['version'];
  agency: string | null;
  year: number | null;
  title: string | null;
  region: string | null;
  extracted_at: string;
  extractor_version: string | null;
}

/** A stored report rebuilt as the Report object extraction produced (figures and checks in their original order). */
export function loadReport(db: Db, id: number): (Report & { id: number }) | undefined {
  const r = db.prepare('SELECT * FROM reports WHERE id = ?').get(id) as ReportRow | undefined;
  if (!r) return undefined;
  const figures: Record<string, number | null> = {};
  for (const f of db.prepare('SELECT key, value FROM figures WHERE report_id = ? ORDER BY ord').all(id) as {
    key: string;
    value: number | null;
  }[]) {
    figures[f.key] = f.value;
  }
  const stored = db.prepare('SELECT data FROM provenance WHERE report_id = ?').get(id) as { data: string } | undefined;
  const provenance: Record<string, FigureSource> = stored
    ? parseProvenance(stored.data, (listId) => db.prepare('SELECT list FROM provenance_lists WHERE id = ?').pluck().get(listId) as string | undefined)
    : {};
  const checks: Check[] = (
    db.prepare('SELECT * FROM checks WHERE report_id = ? ORDER BY ord').all(id) as CheckRow[]
  ).map(checkFromRow);
  const problems: Problem[] = (
    db.prepare('SELECT code, message, where_text FROM problems WHERE report_id = ? ORDER BY id').all(id) as {
      code: string;
      message: string;
      where_text: string | null;
    }[]
  ).map((p) => (p.where_text === null ? { code: p.code, message: p.message } : { code: p.code, message: p.message, where: p.where_text }));
  return { id: r.id, ...inContractOrder({ ...r, ocr: (r as { ocr?: number }).ocr === 1, figures, checks, problems, provenance }) };
}

interface CheckRow {
  check_id: string;
  status: CheckStatus;
  expected: number | null;
  actual: number | null;
  keys_json: string;
  reason: string | null;
  evidence: string | null;
}

function checkFromRow(c: CheckRow): Check {
  const out: Check = {
    id: c.check_id,
    status: c.status,
    expected: c.expected,
    actual: c.actual,
    keys: JSON.parse(c.keys_json) as string[],
  };
  if (c.reason !== null) out.reason = c.reason;
  if (c.evidence !== null) out.evidence = c.evidence;
  return out;
}

/** One stored check result with its report, as `nianbao checks` lists it. */
export interface StoredCheck {
  report_id: number;
  agency: string | null;
  year: number | null;
  version: string | null;
  title: string | null;
  source: string;
  source_url: string | null;
  check_id: string;
  status: CheckStatus;
  expected: number | null;
  actual: number | null;
  keys: string[];
  reason: string | null;
  evidence: string | null;
}

export interface CheckFilter {
  status?: CheckStatus;
  reportId?: number;
  /** Substring of the agency name. */
  agency?: string;
  year?: number;
  /** A check id, or a prefix ending in `.` or `*` (`requests.balance.`, `requests.*`). */
  check?: string;
  limit?: number;
}

/** Stored check results, failed first, then warn, skipped and pass; within a status by agency, year, report and check order. */
export function listChecks(db: Db, filter: CheckFilter = {}): StoredCheck[] {
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (filter.status) {
    where.push('c.status = ?');
    params.push(filter.status);
  }
  if (filter.reportId !== undefined) {
    where.push('c.report_id = ?');
    params.push(filter.reportId);
  }
  if (filter.agency) {
    where.push("instr(coalesce(r.agency, ''), ?) > 0");
    params.push(filter.agency);
  }
  if (filter.year !== undefined) {
    where.push('r.year = ?');
    params.push(filter.year);
  }
  if (filter.check) {
    const c = filter.check;
    if (c.endsWith('*') || c.endsWith('.')) {
      where.push('substr(c.check_id, 1, ?) = ?');
      const prefix = c.endsWith('*') ? c.slice(0, -1) : c;
      params.push(prefix.length, prefix);
    } else {
      where.push('c.check_id = ?');
      params.push(c);
    }
  }
  const sql = `SELECT c.report_id, r.agency, r.year, r.version, r.title, r.source, r.source_url,
      c.check_id, c.status, c.expected, c.actual, c.keys_json, c.reason, c.evidence
    FROM checks c JOIN reports r ON r.id = c.report_id
    ${where.length ? 'WHERE ' + where.join(' AND ') : ''}
    ORDER BY CASE c.status WHEN 'fail' THEN 0 WHEN 'warn' THEN 1 WHEN 'skipped' THEN 2 ELSE 3 END,
      r.agency IS NULL, r.agency, r.year, c.report_id, c.ord
    ${filter.limit !== undefined ? 'LIMIT ' + Math.max(0, Math.floor(filter.limit)) : ''}`;
  return (db.prepare(sql).all(...params) as (Omit<StoredCheck, 'keys'> & { keys_json: string })[]).map(
    ({ keys_json, ...rest }) => ({ ...rest, keys: JSON.parse(keys_json) as string[] }),
  );
}

/** Counts of stored check results by status. */
export function checkCounts(db: Db, reportId?: number): Record<CheckStatus, number> {
  const out: Record<CheckStatus, number> = { fail: 0, warn: 0, skipped: 0, pass: 0 };
  const rows = (
    reportId === undefined
      ? db.prepare('SELECT status, count(*) AS n FROM checks GROUP BY status').all()
      : db.prepare('SELECT status, count(*) AS n FROM checks WHERE report_id = ? GROUP BY status').all(reportId)
  ) as { status: CheckStatus; n: number }[];
  for (const r of rows) out[r.status] = r.n;
  return out;
}
