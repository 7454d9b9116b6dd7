/**
 * Placing stored reports: the place written at extraction, completed from the stored name and
 * title (reports stored before places existed, or given as JSON without one) and from the
 * seeds-file labels of the document; and a person's placement by code.
 */
import type { Db } from '../store/db.js';
import { fullName, gazetteer } from './gazetteer.js';
import type { Place } from './place.js';
import { placeReport } from './index.js';
import { resolvePlace } from './resolve.js';
import { readReportPlace, seedLabels, writeReportPlace, type PlaceRow } from './store.js';

/**
 * The place of a stored report, placing it first when it has none, or placing it again when seed
 * labels arrived since and it is not resolved. A manual place is never changed.
 */
export function placeStoredReport(db: Db, reportId: number): PlaceRow | undefined {
  const r = db.prepare('SELECT agency, title, sha256 FROM reports WHERE id = ?').get(reportId) as
    | { agency: string | null; title: string | null; sha256: string }
    | undefined;
  if (!r) return undefined;
  const row = readReportPlace(db, reportId);
  if (row?.basis === 'manual') return row;
  const labels = seedLabels(db, r.sha256);
  if (row && (row.status === 'resolved' || row.labels_json === JSON.stringify(labels))) return row;
  const { place } = placeReport({ agency: r.agency, title: r.title, labels });
  if (row && place.status !== 'resolved') {
    // nothing better: remember the labels were seen
    db.prepare('UPDATE report_places_data SET labels_json = ? WHERE report_id = ?').run(JSON.stringify(labels), reportId);
    return readReportPlace(db, reportId);
  }
  writeReportPlace(db, reportId, place, 'stored', labels);
  return readReportPlace(db, reportId);
}

/**
 * A person places a report in the division `code` (GB/T 2260, or a township's nine digits); the
 * body's kind comes from its name as usual. Throws for an unknown report or code.
 */
export function setManualPlace(db: Db, reportId: number, code: string, by: string | null = null): PlaceRow {
  const d = gazetteer().byCode.get(code);
  if (!d || d.level === 'zone') throw new Error(`no division has code ${code} in the gazetteer`);
  const r = db.prepare('SELECT agency, title FROM reports WHERE id = ?').get(reportId) as { agency: string | null; title: string | null } | undefined;
  if (!r) throw new Error(`no report #${reportId}`);
  // the body's name after the place, read as if the agency were named with the chosen division
  const named = resolvePlace({ agency: r.agency, title: r.title });
  const body = named.body ?? (r.agency ?? '').replace(/^.*?(?:自治州|自治县|自治旗|地区|省|市|区|县|旗|盟|镇|乡|街道)/u, '');
  const place: Place = resolvePlace({ agency: fullName(d) + body });
  if (place.division_code !== code) throw new Error(`could not place "${r.agency}" in ${code} ${fullName(d)}`);
  place.evidence = [{ source: 'manual', text: `${code} ${fullName(d)}${by ? ` (by ${by})` : ''}` }];
  writeReportPlace(db, reportId, place, 'manual');
  return readReportPlace(db, reportId)!;
}
