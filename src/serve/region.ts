/**
 * The region filter of the review page and of the findings export, by the divisions (src/places):
 * a province, then a city, then a county chosen by code (plain GET parameters province, city, county;
 * province=none for 未定位, the reports with no division), and/or a free text (`region`: a name at any
 * level, a code, or 未定位). A city not within the chosen province (the province changed since) is
 * ignored, and so is a county not within the chosen city.
 */
import type { Db } from '../store/db.js';
import { openFindingRows, type FindingExportRow } from '../review/export-findings.js';
import { codePrefix, isRegionFilter, placeLabels, regionCounts, regionReportIds, unplacedCount, type RegionCount, type RegionFilter } from '../places/query.js';

export interface RegionParams {
  province?: string;
  city?: string;
  county?: string;
  region?: string;
}

export interface RegionChoice {
  /** The codes chosen at each level that hold together (each within the one before). */
  province?: string;
  city?: string;
  county?: string;
  /** province=none: 未定位. */
  unplaced?: boolean;
  text?: string;
}

export const UNPLACED_PARAM = 'none';

const within = (code: string, parent: string) => {
  const p = codePrefix(parent);
  return !!p && code.startsWith(p) && code !== parent;
};

/** The choice the parameters make (codes checked: six digits, each level within the one before). */
export function regionChoice(q: RegionParams): RegionChoice {
  const c: RegionChoice = {};
  const text = q.region?.trim();
  if (text) c.text = text;
  if (q.province === UNPLACED_PARAM) return { ...c, unplaced: true };
  const six = (v: string | undefined) => (v && /^\d{6}$/.test(v) ? v : undefined);
  const province = six(q.province);
  if (province && codePrefix(province)?.length === 2) c.province = province;
  const city = six(q.city);
  if (city && (!c.province || within(city, c.province))) c.city = city;
  const county = six(q.county);
  const up = c.city ?? c.province;
  if (county && (!up || within(county, up))) c.county = county;
  return c;
}

/** The filter of a choice (the deepest code chosen), or undefined when nothing is chosen. */
export function regionFilterOf(c: RegionChoice): RegionFilter | undefined {
  const f: RegionFilter = {};
  const code = c.county ?? c.city ?? c.province;
  if (code) f.code = code;
  if (c.unplaced) f.unplaced = true;
  if (c.text) f.text = c.text;
  return isRegionFilter(f) ? f : undefined;
}

/** The query parameters of a choice (for links and the export). */
export function regionParams(c: RegionChoice): RegionParams {
  const p: RegionParams = {};
  if (c.unplaced) p.province = UNPLACED_PARAM;
  if (c.province) p.province = c.province;
  if (c.city) p.city = c.city;
  if (c.county) p.county = c.county;
  if (c.text) p.region = c.text;
  return p;
}

export interface RegionOption {
  code: string;
  name: string;
  reports: number;
}

/** What the region selects and links offer: the provinces, the chosen province's cities, the chosen city's counties. */
export interface RegionNav {
  choice: RegionChoice;
  provinces: RegionOption[];
  /** Children of the chosen province: its cities and the counties directly under it (empty until one is chosen). */
  cities: RegionOption[];
  /** Children of the chosen city (or of a county-level choice directly under the province: none). */
  counties: RegionOption[];
  /** Reports with no division. */
  unplaced: number;
  /** The chosen divisions, outermost first, for the trail of links. */
  trail: RegionOption[];
}

export function regionNav(counts: RegionCount[], unplaced: number, choice: RegionChoice): RegionNav {
  const opt = (r: RegionCount): RegionOption => ({ code: r.code, name: r.name, reports: r.reports });
  const provinces = counts.filter((r) => r.level === 'province').map(opt);
  const cities = choice.province ? counts.filter((r) => r.level !== 'province' && r.parent_code === choice.province).map(opt) : [];
  const counties = choice.city ? counts.filter((r) => r.level === 'county' && r.parent_code === choice.city).map(opt) : [];
  const byCode = new Map(counts.map((r) => [r.code, opt(r)]));
  const trail = [choice.province, choice.city, choice.county]
    .filter((c): c is string => !!c)
    .map((c) => byCode.get(c) ?? { code: c, name: c, reports: 0 });
  return { choice, provinces, cities, counties, unplaced, trail };
}

/** The nav from the database. */
export function regionNavOf(db: Db, choice: RegionChoice): RegionNav {
  return regionNav(regionCounts(db), unplacedCount(db), choice);
}

/**
 * The open findings to send back (src/review/export-findings.ts), of a region of the divisions and/or
 * an agency, with the 地区 column the report's place and code (河南省 周口市 西华县（411622）, 未定位).
 */
export function regionFindingRows(db: Db, region: RegionFilter | undefined, agency?: string): FindingExportRow[] {
  const reportIds = region ? regionReportIds(db, region) : undefined;
  const rows = openFindingRows(db, { agency, reportIds });
  const labels = placeLabels(db);
  return rows.map((r) => ({ ...r, 地区: labels.get(r.报告编号 as number) ?? r.地区 }));
}
