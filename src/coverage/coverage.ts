/**
 * Coverage: for each division and year, the reports expected and found. Expected: every county- and
 * township-level government of the gazetteer (one report a year each; historical divisions and
 * development zones are not counted), and every department that published in any year (expected in
 * the others). Found: those bodies with a stored report of that year (view report_places: placed
 * reports, not_a_report left out). With each division, the sites known for it (registry `sites`)
 * and their states, so that a missing report and an unread site can be told apart.
 */
import type { Db } from '../store/db.js';
import { gazetteer, fullName, lineage, type Division, type Level } from '../places/gazetteer.js';
import { ensurePlacesSchema } from '../places/schema.js';
import { sitesWithState, type SiteState } from '../crawl/sites/registry.js';

export const LEVELS: Level[] = ['province', 'city', 'county', 'township'];

export interface CoverageOptions {
  /** A division code: only divisions within it. */
  region?: string;
  year?: number;
  /**
   * The level of the rows; default the level below the region (provinces for the whole country; the
   * counties of a province without cities). At the city level, a county no city holds is a row itself.
   */
  level?: Level;
}

export interface CoverageRow {
  code: string;
  name: string;
  /** 河南省周口市西华县. */
  full_name: string;
  level: Level;
  year: number;
  expected: number;
  found: number;
  missing: number;
  /** found / expected (null when nothing is expected). */
  share: number | null;
  governments_expected: number;
  governments_found: number;
  departments_expected: number;
  departments_found: number;
  /** The governments (county and township level) with no report that year, by name (at most 50). */
  missing_governments: string[];
  /** The departments (as printed on a report of another year) with no report that year (at most 50). */
  missing_departments: string[];
  sites: number;
  sites_by_state: Partial<Record<SiteState, number>>;
}

export interface Coverage {
  region: { code: string; name: string } | null;
  level: Level;
  years: number[];
  rows: CoverageRow[];
  totals: { expected: number; found: number; missing: number; share: number | null };
}

const GOV_LEVELS = new Set(['county', 'township']);
const MAX_NAMES = 50;

/** The divisions of county and township level (the governments expected), once per process. */
let govs: Division[] | undefined;
function governments(): Division[] {
  return (govs ??= [...gazetteer().byCode.values()].filter((d) => GOV_LEVELS.has(d.level) && !d.historical));
}

/** The digits shared by the divisions within a code (410000 → 41, 411600 → 4116). */
function prefixOf(d: Division): string {
  if (d.level === 'province') return d.code.slice(0, 2);
  if (d.level === 'city') return d.code.slice(0, 4);
  return d.code;
}

/** The division at `level` a division lies within (itself when it is of that level). */
function ancestorAt(d: Division, level: Level): Division | undefined {
  return lineage(d).find((x) => x.level === level);
}

/** A province whose counties sit directly under it (北京, 上海, 天津, 重庆: no city level in the gazetteer). */
function withoutCities(region: Division): boolean {
  if (region.level !== 'province') return false;
  for (const d of gazetteer().byCode.values()) if (d.level === 'city' && !d.historical && d.parent === region) return false;
  return true;
}

export function defaultLevel(region: Division | undefined): Level {
  if (!region) return 'province';
  if (withoutCities(region)) return 'county';
  const i = LEVELS.indexOf(region.level as Level);
  return LEVELS[Math.min(i + 1, LEVELS.length - 1)]!;
}

/**
 * The division at `level` a division is counted in; for the city level, a county with no city above
 * it (the municipalities' districts and counties, 省直辖县) is a row of its own (level county).
 */
function rowAncestor(d: Division, level: Level): Division | undefined {
  const a = ancestorAt(d, level);
  if (a || level !== 'city') return a;
  return ancestorAt(d, 'county');
}

interface PlacedRow {
  year: number;
  division_code: string;
  agency_kind: string;
  zone: string | null;
  place_key: string | null;
  agency: string | null;
}

export function coverage(db: Db, opts: CoverageOptions = {}): Coverage {
  ensurePlacesSchema(db);
  const g = gazetteer();
  const region = opts.region ? g.byCode.get(opts.region) : undefined;
  if (opts.region && !region) throw new Error(`no division ${opts.region} in the gazetteer`);
  const level = opts.level ?? defaultLevel(region);
  const within = (d: Division) => !region || lineage(d).includes(region);

  // the rows' divisions: those of the level within the region (the region itself when it is of that level)
  // (for the city level, also the counties no city holds: 北京's districts, 省直辖县级行政单位)
  const cityless = (d: Division) => level === 'city' && d.level === 'county' && !ancestorAt(d, 'city');
  const divisions = [...g.byCode.values()].filter((d) => (d.level === level || cityless(d)) && !d.historical && within(d)).sort((a, b) => a.code.localeCompare(b.code));
  const rowOf = (d: Division): Division | undefined => {
    const a = rowAncestor(d, level);
    return a && within(a) ? a : undefined;
  };

  // placed reports (one per body and year is enough: distinct below)
  const placed = db
    .prepare(
      `SELECT year, division_code, agency_kind, zone, place_key, agency FROM report_places
        WHERE place_status = 'resolved' AND year IS NOT NULL AND division_code IS NOT NULL
          AND report_status <> 'not_a_report' ${opts.region ? 'AND substr(division_code, 1, @plen) = @prefix' : ''}`,
    )
    .all(opts.region && region ? { plen: prefixOf(region).length, prefix: prefixOf(region) } : {}) as PlacedRow[];
  const years = opts.year !== undefined ? [opts.year] : [...new Set(placed.map((r) => r.year))].sort((a, b) => a - b);

  // governments found: division code → years
  const govFound = new Map<string, Set<number>>();
  // departments: place key → { division, name, years }
  const depts = new Map<string, { division: Division; name: string; years: Set<number> }>();
  for (const r of placed) {
    const d = g.byCode.get(r.division_code);
    if (!d) continue;
    if ((r.agency_kind === 'government' || r.agency_kind === 'township') && !r.zone && GOV_LEVELS.has(d.level)) {
      const s = govFound.get(d.code) ?? new Set<number>();
      s.add(r.year);
      govFound.set(d.code, s);
    } else if (r.agency_kind === 'department' && r.place_key) {
      const x = depts.get(r.place_key) ?? { division: d, name: r.agency ?? r.place_key, years: new Set<number>() };
      x.years.add(r.year);
      depts.set(r.place_key, x);
    }
  }

  // sites by division (each counted in its row's division)
  const sitesBy = new Map<string, { n: number; by: Partial<Record<SiteState, number>> }>();
  for (const s of sitesWithState(db)) {
    const d = s.division_code ? g.byCode.get(s.division_code) : undefined;
    const row = d ? rowOf(d) : undefined;
    if (!row) continue;
    const x = sitesBy.get(row.code) ?? { n: 0, by: {} };
    x.n++;
    x.by[s.state] = (x.by[s.state] ?? 0) + 1;
    sitesBy.set(row.code, x);
  }

  const rows: CoverageRow[] = [];
  const govsOf = new Map<string, Division[]>();
  for (const d of governments()) {
    const row = rowOf(d);
    if (!row) continue;
    const list = govsOf.get(row.code) ?? [];
    list.push(d);
    govsOf.set(row.code, list);
  }
  const deptsOf = new Map<string, { name: string; years: Set<number> }[]>();
  for (const x of depts.values()) {
    const row = rowOf(x.division);
    if (!row) continue;
    const list = deptsOf.get(row.code) ?? [];
    list.push(x);
    deptsOf.set(row.code, list);
  }
  let te = 0;
  let tf = 0;
  for (const d of divisions) {
    const gs = govsOf.get(d.code) ?? [];
    const ds = deptsOf.get(d.code) ?? [];
    const site = sitesBy.get(d.code) ?? { n: 0, by: {} };
    for (const year of years) {
      const missingGov = gs.filter((x) => !govFound.get(x.code)?.has(year));
      const missingDept = ds.filter((x) => !x.years.has(year));
      const expected = gs.length + ds.length;
      const found = expected - missingGov.length - missingDept.length;
      te += expected;
      tf += found;
      rows.push({
        code: d.code,
        name: d.name,
        full_name: fullName(d),
        level: d.level as Level,
        year,
        expected,
        found,
        missing: expected - found,
        share: expected ? found / expected : null,
        governments_expected: gs.length,
        governments_found: gs.length - missingGov.length,
        departments_expected: ds.length,
        departments_found: ds.length - missingDept.length,
        missing_governments: missingGov.slice(0, MAX_NAMES).map((x) => x.name),
        missing_departments: missingDept.slice(0, MAX_NAMES).map((x) => x.name),
        sites: site.n,
        sites_by_state: site.by,
      });
    }
  }
  return {
    region: region ? { code: region.code, name: fullName(region) } : null,
    level,
    years,
    rows,
    totals: { expected: te, found: tf, missing: te - tf, share: te ? tf / te : null },
  };
}
