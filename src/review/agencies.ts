/**
 * Linking stored reports to one body across years (table agencies / agency_links of the 'review' set).
 * A report placed in the divisions (src/places/) is linked by its place key: division code (and
 * zone) + kind + department type, so 洪泽区人民政府 and 淮安市洪泽区人民政府 (both 320813, government)
 * or 扶沟县国土资源局 and 扶沟县自然资源局 (411621, natural_resources) are one body whatever the
 * name (table agency_places of the 'places' set). A report not placed falls back to the name's
 * identity (src/agency.ts), whose qualifier (the parent unit a name gave, 淮安市) keeps same-named
 * districts of different cities apart when their names say so. A person's correction
 * (`nianbao review link`) is a 'manual' link that automatic linking never overrides.
 */
import { parseAgencyName } from '../agency.js';
import { resolvePlace } from '../places/resolve.js';
import { placeStoredReport } from '../places/placing.js';
import { ensurePlacesSchema } from '../places/schema.js';
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

/**
 * Finds (or creates) the body a name stands for: the body of its place key when it has one (`placeKey`,
 * or the name's own place when it resolves alone), else by the name's identity.
 */
export function findOrCreateAgency(db: Db, name: string, placeKey?: string | null): AgencyRow {
  ensurePlacesSchema(db);
  const key = placeKey !== undefined ? placeKey : resolvePlace({ agency: name }).key;
  if (!key) return findOrCreateByName(db, name);
  const byKey = db.prepare('SELECT a.* FROM agency_places p JOIN agencies a ON a.id = p.agency_id WHERE p.place_key = ?').get(key) as
    | AgencyRow
    | undefined;
  if (byKey) {
    // a fuller name (淮安市洪泽区人民政府 after 洪泽区人民政府) gives the body its qualifier
    const { dropped } = parseAgencyName(name);
    if (byKey.qualifier === null && dropped.length) {
      const qualifier = dropped[dropped.length - 1]!;
      db.prepare('UPDATE agencies SET qualifier = ?, display_name = ? WHERE id = ?').run(qualifier, name.trim(), byKey.id);
      return { ...byKey, qualifier, display_name: name.trim() };
    }
    return byKey;
  }
  // the body of that name, unless it stands for another place already (鼓楼区 of 南京市 vs 福州市)
  let a = findOrCreateByName(db, name);
  if (db.prepare('SELECT 1 FROM agency_places WHERE agency_id = ?').get(a.id)) a = createAgency(db, name);
  db.prepare('INSERT INTO agency_places (place_key, agency_id) VALUES (?, ?)').run(key, a.id);
  return a;
}

function createAgency(db: Db, name: string): AgencyRow {
  const { identity, dropped } = parseAgencyName(name);
  const qualifier = dropped.length ? dropped[dropped.length - 1]! : null;
  const id = Number(
    db.prepare('INSERT INTO agencies (identity, display_name, qualifier) VALUES (?, ?, ?)').run(identity, name.trim(), qualifier)
      .lastInsertRowid,
  );
  return { id, identity, display_name: name.trim(), qualifier };
}

/** The body of a name that has no place key (the oldest), else a new one. */
function findOrCreateUnplaced(db: Db, name: string): AgencyRow {
  const { identity } = parseAgencyName(name);
  const hit = db
    .prepare('SELECT * FROM agencies a WHERE identity = ? AND NOT EXISTS (SELECT 1 FROM agency_places p WHERE p.agency_id = a.id) ORDER BY id')
    .get(identity) as AgencyRow | undefined;
  return hit ?? createAgency(db, name);
}

/** Finds (or creates) the body a name stands for, by the name's identity alone. */
function findOrCreateByName(db: Db, name: string): AgencyRow {
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
  return hit ?? createAgency(db, name);
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
  const place = placeStoredReport(db, reportId);
  // an ambiguous place (鼓楼区 alone) is not linked to a body placed somewhere: that would be a guess
  const a = place?.status === 'ambiguous' ? findOrCreateUnplaced(db, r.agency) : findOrCreateAgency(db, r.agency, place?.place_key ?? null);
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
