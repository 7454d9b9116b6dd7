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
  /** The evidence used (JSON array of {source, text}), when placed. */
  evidence_json: string | null;
  /** The body's name after the place (自然资源局). */
  body: string | null;
  reason: string | null;
  /** How the place was found: extraction, stored, manual. */
  basis: string | null;
}

/**
 * The digits a division code shares with every division inside it (GB/T 2260: 320000 → 32,
 * 320800 → 3208, 320813 → 320813, a township's nine digits as they are); null for anything else.
 * A two- or four-digit prefix is taken as it is.
 */
export function codePrefix(code: string): string | null {
  const c = code.trim();
  if (/^\d{2}$|^\d{4}$|^\d{9}$/.test(c)) return c;
  if (!/^\d{6}$/.test(c)) return null;
  if (c.endsWith('0000')) return c.slice(0, 2);
  if (c.endsWith('00')) return c.slice(0, 4);
  return c;
}

/** The SQL (over view report_places, alias `p`) that keeps the reports within a code prefix. */
const WITHIN = 'substr(coalesce(p.division_code, p.township_code, p.county_code, p.city_code, p.province_code), 1, @plen) = @prefix';

/**
 * The rows of view report_places, optionally only those within the division `code` (a province,
 * city, county or township code: 320000 gives every report in 江苏省, 320800 every report in 淮安市).
 */
export function reportPlaces(db: Db, opts: { code?: string } = {}): ReportPlaceRow[] {
  ensurePlacesSchema(db);
  if (!opts.code) return db.prepare('SELECT * FROM report_places p ORDER BY report_id').all() as ReportPlaceRow[];
  const prefix = codePrefix(opts.code);
  if (!prefix) return [];
  return db.prepare(`SELECT * FROM report_places p WHERE ${WITHIN} ORDER BY report_id`).all({ plen: prefix.length, prefix }) as ReportPlaceRow[];
}

/** One report's row of view report_places (undefined: no such report). */
export function placeOf(db: Db, reportId: number): ReportPlaceRow | undefined {
  ensurePlacesSchema(db);
  return db.prepare('SELECT * FROM report_places WHERE report_id = ?').get(reportId) as ReportPlaceRow | undefined;
}

/**
 * A region to filter by: a division `code` (prefix semantics, see codePrefix), `unplaced` (未定位:
 * reports with no division: not placed yet, ambiguous or unresolved), and/or `text`: a name that
 * contains it at any level (province, city, county, township, zone; for a report with no division
 * its region as cut from the agency's name), a code (digits), or 未定位 / unplaced. All given must hold.
 */
export interface RegionFilter {
  code?: string;
  unplaced?: boolean;
  text?: string;
}

/** Words that stand for the reports with no division. */
export const UNPLACED_WORDS = ['未定位', 'unplaced', 'none'];

export function isRegionFilter(f: RegionFilter | undefined): f is RegionFilter {
  return !!f && (!!f.code || !!f.unplaced || !!f.text?.trim());
}

/** The ids of the reports within a region (see RegionFilter), in id order. */
export function regionReportIds(db: Db, f: RegionFilter): number[] {
  ensurePlacesSchema(db);
  const where: string[] = [];
  const p: Record<string, string | number> = {};
  const byCode = (code: string, tag: string) => {
    const prefix = codePrefix(code);
    if (!prefix) return '0';
    p[`plen${tag}`] = prefix.length;
    p[`prefix${tag}`] = prefix;
    return WITHIN.replace('@plen', `@plen${tag}`).replace('@prefix', `@prefix${tag}`);
  };
  if (f.code) where.push(byCode(f.code, 'c'));
  if (f.unplaced) where.push('p.division_code IS NULL');
  const text = f.text?.trim();
  if (text) {
    if (UNPLACED_WORDS.includes(text.toLowerCase())) where.push('p.division_code IS NULL');
    else if (/^\d+$/.test(text)) where.push(byCode(text, 't'));
    else {
      p.text = text;
      const names = ['province', 'city', 'county', 'township', 'zone', 'division_name'].map((c) => `instr(coalesce(p.${c}, ''), @text) > 0`);
      where.push(`(${names.join(' OR ')} OR (p.division_code IS NULL AND instr(coalesce(r.region, ''), @text) > 0))`);
    }
  }
  return (
    db
      .prepare(`SELECT p.report_id FROM report_places p JOIN reports r ON r.id = p.report_id ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY p.report_id`)
      .all(p) as { report_id: number }[]
  ).map((r) => r.report_id);
}

/** 河南省 周口市 西华县 (and the zone), or null for a report with no division. */
export function placeLabel(r: Pick<ReportPlaceRow, 'province' | 'city' | 'county' | 'township' | 'zone' | 'division_code'>): string | null {
  if (!r.division_code) return null;
  return [r.province, r.city, r.county, r.township, r.zone].filter(Boolean).join(' ');
}

/** Each report's place as one line, name then code (河南省 周口市 西华县（411622）), by report id; 未定位 when none. */
export function placeLabels(db: Db): Map<number, string> {
  const out = new Map<number, string>();
  for (const r of reportPlaces(db)) {
    const l = placeLabel(r);
    out.set(r.report_id, l ? `${l}（${r.division_code}）` : '未定位');
  }
  return out;
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

/** The reports with no division (未定位): not placed yet, ambiguous or unresolved. */
export function unplacedCount(db: Db): number {
  ensurePlacesSchema(db);
  return (db.prepare('SELECT count(*) AS n FROM report_places WHERE division_code IS NULL').get() as { n: number }).n;
}

export interface AreaYearRow {
  year: number | null;
  /** The region's code; for the area's own bodies (本级) the area's code; null for 未定位. */
  code: string | null;
  name: string;
  /** `own`: the bodies of the area itself (江苏省人民政府 in 江苏省); `unplaced`: reports with no division. */
  kind: 'division' | 'own' | 'unplaced';
  /** Reports found (every stored document), read (status ok or partial), flagged (a check failed or warned). */
  found: number;
  read: number;
  flagged: number;
}

const LEVELS = ['province', 'city', 'county', 'township'] as const;
type LevelCols = Record<`${(typeof LEVELS)[number]}_code` | (typeof LEVELS)[number], string | null>;

/**
 * Reports per year and region (found, read, flagged) for the overview: for the whole country (no
 * `code`) one row per year and province, plus 未定位; within a province, per city (a county directly
 * under the province counts as a city), within a city per county, within a county per township;
 * the area's own bodies (a province's departments) are one row named 某省本级. Ordered by year, code.
 */
export function reportsByYearArea(db: Db, code?: string): AreaYearRow[] {
  ensurePlacesSchema(db);
  const prefix = code ? codePrefix(code) : null;
  if (code && !prefix) return [];
  const rows = db
    .prepare(
      `SELECT r.year, r.status, p.division_code, ${LEVELS.map((l) => `p.${l}_code, p.${l}`).join(', ')},
              EXISTS (SELECT 1 FROM checks c WHERE c.report_id = r.id AND c.status IN ('fail', 'warn')) AS flagged
       FROM report_places p JOIN reports r ON r.id = p.report_id ${prefix ? 'WHERE ' + WITHIN : ''}`,
    )
    .all(prefix ? { plen: prefix.length, prefix } : {}) as (LevelCols & { year: number | null; status: string; division_code: string | null; flagged: number })[];
  // the area's level: 2 digits a province, 4 a city, 6 a county
  const depth = prefix ? ({ 2: 1, 4: 2, 6: 3 } as Record<number, number>)[prefix.length] ?? 4 : 0;
  const groups = new Map<string, AreaYearRow>();
  for (const r of rows) {
    let key: { code: string | null; name: string; kind: AreaYearRow['kind'] };
    if (!r.division_code) key = { code: null, name: '未定位', kind: 'unplaced' };
    else {
      // the first level below the area the report has (a county directly under its province is a city's peer)
      const child = LEVELS.slice(depth).find((l, i) => r[`${l}_code`] && (i === 0 || (depth === 1 && l === 'county')));
      if (child) key = { code: r[`${child}_code`], name: r[child]!, kind: 'division' };
      else {
        const own = LEVELS[depth - 1]!;
        key = { code: r[`${own}_code`] ?? code ?? null, name: `${r[own] ?? ''}本级`, kind: 'own' };
      }
    }
    const k = `${r.year ?? ''}|${key.kind}|${key.code ?? ''}`;
    const g = groups.get(k) ?? { year: r.year, ...key, found: 0, read: 0, flagged: 0 };
    g.found++;
    if (r.status === 'ok' || r.status === 'partial') g.read++;
    if (r.flagged) g.flagged++;
    groups.set(k, g);
  }
  const order = (g: AreaYearRow) => (g.kind === 'own' ? 0 : g.kind === 'division' ? 1 : 2);
  return [...groups.values()].sort(
    (a, b) => (a.year ?? 99999) - (b.year ?? 99999) || order(a) - order(b) || (a.code ?? '').localeCompare(b.code ?? ''),
  );
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
