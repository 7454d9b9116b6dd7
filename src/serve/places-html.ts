/**
 * The divisions on the review page, in Chinese: the region selects (a plain GET form, one select per
 * level: province, then city, then county), the trail of links to the chosen divisions and their
 * children, and a report's place (省 / 市 / 县 / 乡镇 with codes, the body's kind, the evidence, the
 * candidates of an ambiguous name).
 */
import type { ReportPlaceRow } from '../places/query.js';
import { esc } from './esc.js';
import { regionParams, UNPLACED_PARAM, type RegionChoice, type RegionNav, type RegionOption } from './region.js';

export const AGENCY_KIND_ZH: Record<string, string> = {
  government: '人民政府（管委会）',
  department: '政府工作部门',
  township: '乡镇（街道）',
  other: '其他机关或单位',
};

/** The department types of src/places/kinds.ts DEPARTMENT_TYPES, in Chinese. */
export const DEPARTMENT_TYPE_ZH: Record<string, string> = {
  development_reform: '发展和改革',
  education: '教育',
  science_technology: '科学技术',
  industry_it: '工业和信息化',
  ethnic_religious: '民族宗教',
  public_security: '公安',
  civil_affairs: '民政',
  justice: '司法行政',
  finance: '财政',
  human_resources: '人力资源和社会保障',
  natural_resources: '自然资源',
  ecology_environment: '生态环境',
  housing_construction: '住房和城乡建设',
  transport: '交通运输',
  water: '水利（水务）',
  agriculture: '农业农村',
  forestry: '林业',
  commerce: '商务',
  culture_tourism: '文化和旅游',
  health: '卫生健康',
  veterans: '退役军人事务',
  emergency: '应急管理',
  audit: '审计',
  market_regulation: '市场监督管理',
  statistics: '统计',
  medical_security: '医疗保障',
  urban_management: '城市管理（综合执法）',
  administrative_approval: '行政审批（政务服务）',
  petition: '信访',
  tax: '税务',
  sports: '体育',
  other: '其他部门',
};

export const EVIDENCE_SOURCE_ZH: Record<string, string> = {
  agency: '机关名称',
  title: '标题',
  text: '正文',
  seed_label: '种子文件标签',
  special_zones: '特殊区域表',
  manual: '人工指定',
};

const PLACE_STATUS_ZH: Record<string, string> = {
  resolved: '已定位',
  ambiguous: '有歧义，未定位',
  unresolved: '未能定位',
  unplaced: '尚未定位',
};

const LEVEL_ZH: Record<string, string> = { province: '省级', city: '市级', county: '县级', township: '乡级' };

/** 农业农村 (政府工作部门), 人民政府（管委会）… */
export function kindZh(kind: string | null, departmentType: string | null): string {
  if (!kind) return '—';
  const k = AGENCY_KIND_ZH[kind] ?? kind;
  return kind === 'department' && departmentType ? `${k} · ${DEPARTMENT_TYPE_ZH[departmentType] ?? departmentType}` : k;
}

function query(params: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? '?' + s : '';
}

const label = (o: RegionOption) => `${o.name} ${o.code}（${o.reports}）`;

function select(name: string, all: string, options: RegionOption[], chosen: string | undefined, extra = ''): string {
  return `<select name="${name}">${[`<option value="">${esc(all)}</option>`, ...options.map((o) => `<option value="${esc(o.code)}"${o.code === chosen ? ' selected' : ''}>${esc(label(o))}</option>`)].join('')}${extra}</select>`;
}

/**
 * The selects of the region (inside the caller's GET form): the province always, the city once a
 * province is chosen, the county once a city is; `levels` 2 stops at the city (the overview).
 */
export function regionSelects(nav: RegionNav, levels = 3): string {
  const c = nav.choice;
  const parts = [
    `<label>省 ${select('province', '全部地区', nav.provinces, c.unplaced ? UNPLACED_PARAM : c.province, `<option value="${UNPLACED_PARAM}"${c.unplaced ? ' selected' : ''}>未定位（${nav.unplaced}）</option>`)}</label>`,
  ];
  if (c.province && nav.cities.length) parts.push(`<label>市 ${select('city', '全省', nav.cities, c.city)}</label>`);
  if (levels > 2 && c.city && nav.counties.length) parts.push(`<label>县 ${select('county', '全市', nav.counties, c.county)}</label>`);
  return `<span class="region">${parts.join(' ')}</span>`;
}

/**
 * The trail of the chosen divisions as links (全部地区 › 河南省 410000 › 周口市 411600) and the next
 * level's divisions as links, on the page at `path` with the other parameters `keep`.
 */
export function regionTrail(nav: RegionNav, path: string, keep: Record<string, string | undefined>, levels = 3): string {
  const c = nav.choice;
  const href = (ch: RegionChoice) => `${path}${query({ ...keep, ...regionParams({ ...ch, text: c.text }) })}`;
  const steps = [`<a href="${esc(href({}))}">全部地区</a>`];
  const chain: RegionChoice[] = [{ province: c.province }, { province: c.province, city: c.city }, { province: c.province, city: c.city, county: c.county }];
  nav.trail.forEach((o, i) => steps.push(`<a href="${esc(href(chain[i]!))}">${esc(o.name)} <code>${esc(o.code)}</code></a>`));
  if (c.unplaced) steps.push(`<a href="${esc(href({ unplaced: true }))}">未定位</a>`);
  let next: { opts: RegionOption[]; make: (code: string) => RegionChoice } | undefined;
  if (c.unplaced) next = undefined;
  else if (!c.province) next = { opts: nav.provinces, make: (code) => ({ province: code }) };
  else if (!c.city) next = { opts: nav.cities, make: (code) => ({ province: c.province, city: code }) };
  else if (levels > 2 && !c.county) next = { opts: nav.counties, make: (code) => ({ province: c.province, city: c.city, county: code }) };
  const down = next?.opts.length
    ? ` · 下一级：${next.opts.map((o) => `<a class="down" data-code="${esc(o.code)}" href="${esc(href(next!.make(o.code)))}">${esc(o.name)}（${o.reports}）</a>`).join(' ')}` +
      (!c.province && nav.unplaced ? ` <a class="down" data-code="none" href="${esc(href({ unplaced: true }))}">未定位（${nav.unplaced}）</a>` : '')
    : '';
  return `<p class="trail">地区：${steps.join(' › ')}${down}</p>`;
}

function nameCode(name: string | null, code: string | null): string {
  return name ? `${esc(name)} <code>${esc(code ?? '')}</code>` : '—';
}

/** A report's place: the divisions at each level with codes, the kind, the evidence, the candidates. */
export function placeHtml(p: ReportPlaceRow | undefined): string {
  if (!p) return '';
  const status = PLACE_STATUS_ZH[p.place_status] ?? p.place_status;
  const rows: [string, string][] = [
    ['省', p.province_code ? `<a href="/?province=${esc(p.province_code)}">${nameCode(p.province, p.province_code)}</a>` : '—'],
    ['市', p.city_code ? `<a href="/?province=${esc(p.province_code ?? '')}&amp;city=${esc(p.city_code)}">${nameCode(p.city, p.city_code)}</a>` : '—'],
    ['县', nameCode(p.county, p.county_code)],
    ['乡镇', nameCode(p.township, p.township_code)],
  ];
  if (p.zone) rows.push(['园区', nameCode(p.zone, p.zone_code)]);
  rows.push(['区划代码', p.division_code ? `<code class="division">${esc(p.division_code)}</code>（${esc(LEVEL_ZH[p.division_level ?? ''] ?? '')}，${esc(p.division_name ?? '')}）` : '—']);
  rows.push(['机关类别', `<span class="kind">${esc(kindZh(p.agency_kind, p.department_type))}</span>${p.body ? `（${esc(p.body)}）` : ''}`]);
  const evidence = JSON.parse(p.evidence_json ?? '[]') as { source: string; text: string }[];
  if (evidence.length) {
    rows.push(['依据', `<ul class="place-evidence">${evidence.map((e) => `<li>${esc(EVIDENCE_SOURCE_ZH[e.source] ?? e.source)}：“${esc(e.text)}”</li>`).join('')}</ul>`]);
  }
  const candidates = JSON.parse(p.candidates_json ?? '[]') as { code: string; name: string }[];
  if (candidates.length) {
    rows.push(['可能是', `<ul class="candidates">${candidates.map((c) => `<li><code>${esc(c.code)}</code> ${esc(c.name)}</li>`).join('')}</ul>`]);
  }
  const why = p.reason && p.place_status !== 'resolved' ? `<p class="reason"><small>${esc(p.reason)}</small></p>` : '';
  const basis = p.basis === 'manual' ? '（人工指定）' : '';
  return `<section id="place" class="place-${esc(p.place_status)}"><h3>所在地区：<span class="place-status">${esc(status)}</span>${basis}</h3>
<table class="place"><thead><tr>${rows.map(([k]) => `<th>${esc(k)}</th>`).join('')}</tr></thead><tbody><tr>${rows.map(([k, v]) => `<td data-col="${esc(k)}">${v}</td>`).join('')}</tr></tbody></table>${why}</section>`;
}
