/**
 * Linking stored reports to one body across years (table agencies / agency_links of the 'review' set).
 * The identity comes from src/agency.ts; the qualifier (the parent unit a name gave, 淮安市) keeps
 * same-named districts of different cities apart when their names say so. A person's correction
 * (`nianbao review link`) is a 'manual' link that automatic linking never overrides.
 */
import { parseAgencyName } from '../agency.js';
import type { Db } from '../store/db.js';

export interface AgencyRow {
  id: number;
  identity: string;
  display_name: string;
  qualifier: string | null;
}

export interface LinkRow {
  report_id: number;
  agency_id: number;
  source: 'auto' | 'manual';
}

/** Finds (or creates) the body a name stands for. */
export function findOrCreateAgency(db: Db, name: string): AgencyRow {
  const { identity, dropped } = parseAgencyName(name);
  if (!identity) throw new Error(`no agency identity in ${JSON.stringify(name)}`);
  const qualifier = dropped.length ? dropped[dropped.length - 1]! : null;
  const candidates = db.prepare('SELECT * FROM agencies WHERE identity = ? ORDER BY id').all(identity) as AgencyRow[];
  let hit: AgencyRow | undefined;
  if (qualifier) {
    hit = candidates.find((a) => a.qualifier === qualifier) ?? candidates.find((a) => a.qualifier === null);
    if (hit && hit.qualifier === null) {
      db.prepare('UPDATE agencies SET qualifier = ?, display_name = ? WHERE id = ?').run(qualifier, name.trim(), hit.id);
      hit = { ...hit, qualifier, display_name: name.trim() };
    }
  } else {
    // A name without a parent unit: the body of that identity (the oldest when several cities have one).
    hit = candidates[0];
  }
  if (hit) return hit;
  const id = Number(
    db.prepare('INSERT INTO agencies (identity, display_name, qualifier) VALUES (?, ?, ?)').run(identity, name.trim(), qualifier)
      .lastInsertRowid,
  );
  return { id, identity, display_name: name.trim(), qualifier };
}

export function linkOf(db: Db, reportId: number): (LinkRow & AgencyRow) | undefined {
  return db
    .prepare(
      `SELECT l.report_id, l.agency_id, l.source, a.id, a.identity, a.display_name, a.qualifier
       FROM agency_links l JOIN agencies a ON a.id = l.agency_id WHERE l.report_id = ?`,
    )
    .get(reportId) as (LinkRow & AgencyRow) | undefined;
}

/**
 * Links a report to its body from its agency name, unless a person linked it by hand. Returns the
 * link, or undefined when the report has no agency name.
 */
export function linkReport(db: Db, reportId: number): (LinkRow & AgencyRow) | undefined {
  const existing = linkOf(db, reportId);
  if (existing?.source === 'manual') return existing;
  const r = db.prepare('SELECT agency FROM reports WHERE id = ?').get(reportId) as { agency: string | null } | undefined;
  if (!r) throw new Error(`no report #${reportId}`);
  if (!r.agency || !parseAgencyName(r.agency).identity) {
    if (existing) db.prepare('DELETE FROM agency_links WHERE report_id = ?').run(reportId);
    return undefined;
  }
  const a = findOrCreateAgency(db, r.agency);
  db.prepare(
    `INSERT INTO agency_links (report_id, agency_id, source) VALUES (?, ?, 'auto')
     ON CONFLICT (report_id) DO UPDATE SET agency_id = excluded.agency_id, source = 'auto',
       linked_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')`,
  ).run(reportId, a.id);
  return linkOf(db, reportId);
}

/** A person's correction: the report belongs to the body `agencyName` names. */
export function setManualLink(db: Db, reportId: number, agencyName: string, by: string | null = null): LinkRow & AgencyRow {
  if (!db.prepare('SELECT 1 FROM reports WHERE id = ?').get(reportId)) throw new Error(`no report #${reportId}`);
  const a = findOrCreateAgency(db, agencyName);
  db.prepare(
    `INSERT INTO agency_links (report_id, agency_id, source, linked_by) VALUES (?, ?, 'manual', ?)
     ON CONFLICT (report_id) DO UPDATE SET agency_id = excluded.agency_id, source = 'manual', linked_by = excluded.linked_by,
       linked_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')`,
  ).run(reportId, a.id, by);
  return linkOf(db, reportId)!;
}

/** Undoes a manual link: the report is linked from its name again. */
export function clearManualLink(db: Db, reportId: number): (LinkRow & AgencyRow) | undefined {
  db.prepare("DELETE FROM agency_links WHERE report_id = ? AND source = 'manual'").run(reportId);
  return linkReport(db, reportId);
}

/** The reports of a body for a year, best first (status ok, then partial, then the newest). */
export function reportsOf(db: Db, agencyId: number, year: number): { id: number; status: string; version: string | null }[] {
  return db
    .prepare(
      `SELECT r.id, r.status, r.version FROM agency_links l JOIN reports r ON r.id = l.report_id
       WHERE l.agency_id = ? AND r.year = ?
       ORDER BY CASE r.status WHEN 'ok' THEN 0 WHEN 'partial' THEN 1 ELSE 2 END, r.id DESC`,
    )
    .all(agencyId, year) as { id: number; status: string; version: string | null }[];
}
