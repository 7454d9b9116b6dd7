/**
 * Reading places back: the reports of a region (for the review page's region filter), the regions
 * with their report counts (for its overview), and the summary `nianbao places` prints.
 */
import type { Db } from '../store/db.js';
import { placeStoredReport } from './placing.js';
import { ensurePlacesSchema } from './schema.js';

export interface ReportPlaceRow {
  report_id: number;
  agency: string | null;
  year: number | null;
  report_status: string;
  place_status: 'resolved' | 'ambiguous' | 'unresolved' | 'unplaced';
  province_code: string | null;
  province: string | null;
  city_code: string | null;
  city: string | null;
  county_code: string | null;
  county: string | null;
  township_code: string | null;
  township: string | null;
  division_code: string | null;
  division_level: string | null;
  division_name: string | null;
  zone: string | null;
  zone_code: string | null;
  agency_kind: string | null;
  department_type: string | null;
  candidates_json: string | null;
  reason: string | null;
}

/**
 * The rows of view report_places, optionally only those within the division `code` (a province,
 * city, county or township code: 320000 gives every report in 江苏省).
 */
export function reportPlaces(db: Db, opts: { code?: string } = {}): ReportPlaceRow[] {
  ensurePlacesSchema(db);
  const where = opts.code
    ? 'WHERE ? IN (province_code, city_code, county_code, township_code, division_code)'
    : '';
  return db.prepare(`SELECT * FROM report_places ${where} ORDER BY report_id`).all(...(opts.code ? [opts.code] : [])) as ReportPlaceRow[];
}

export interface RegionCount {
  level: 'province' | 'city' | 'county';
  code: string;
  name: string;
  /** The parent region's code (a city's province), null for provinces. */
  parent_code: string | null;
  reports: number;
}

/** Provinces, cities and counties that have placed reports, with their counts (for a region filter). */
export function regionCounts(db: Db): RegionCount[] {
  ensurePlacesSchema(db);
  return db
    .prepare(
      `SELECT 'province' AS level, province_code AS code, province AS name, NULL AS parent_code, count(*) AS reports
       FROM report_places WHERE province_code IS NOT NULL GROUP BY province_code
       UNION ALL
       SELECT 'city', city_code, city, province_code, count(*) FROM report_places WHERE city_code IS NOT NULL GROUP BY city_code
       UNION ALL
       SELECT 'county', county_code, county, coalesce(city_code, province_code), count(*) FROM report_places
       WHERE county_code IS NOT NULL GROUP BY county_code
       ORDER BY code`,
    )
    .all() as RegionCount[];
}

export interface PlacesSummary {
  /** Reports whose place (key) was found or changed by this call: their links need redoing (afterIngest). */
  changed: number[];
  reports: number;
  /** Resolved reports by the level they were placed at. */
  levels: { province: number; city: number; county: number; township: number };
  ambiguous: number;
  unresolved: number;
  /** Reports that name no agency (nothing to place). */
  no_agency: number;
  /** The ambiguous and unresolved reports, for a person to fix. */
  open: { report_id: number; agency: string | null; year: number | null; status: string; why: string | null; candidates: { code: string; name: string }[] }[];
}

/** Places every stored report not placed yet (see placeStoredReport), then counts. */
export function placesSummary(db: Db): PlacesSummary {
  ensurePlacesSchema(db);
  const unplaced = db.prepare("SELECT report_id, place_key FROM report_places WHERE place_status <> 'resolved'").all() as {
    report_id: number;
    place_key: string | null;
  }[];
  const changed: number[] = [];
  db.transaction(() => {
    for (const r of unplaced) if ((placeStoredReport(db, r.report_id)?.place_key ?? null) !== r.place_key) changed.push(r.report_id);
  })();
  const rows = reportPlaces(db).filter((r) => r.report_status !== 'not_a_report');
  const s: PlacesSummary = { changed, reports: rows.length, levels: { province: 0, city: 0, county: 0, township: 0 }, ambiguous: 0, unresolved: 0, no_agency: 0, open: [] };
  for (const r of rows) {
    if (!r.agency) s.no_agency++;
    else if (r.place_status === 'resolved') s.levels[r.division_level as keyof PlacesSummary['levels']]++;
    else {
      if (r.place_status === 'ambiguous') s.ambiguous++;
      else s.unresolved++;
      s.open.push({
        report_id: r.report_id, agency: r.agency, year: r.year, status: r.place_status, why: r.reason,
        candidates: JSON.parse(r.candidates_json ?? '[]') as { code: string; name: string }[],
      });
    }
  }
  return s;
}
