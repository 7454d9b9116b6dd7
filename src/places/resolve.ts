/**
 * Placing a report in the divisions (pure: no SQLite). Evidence, strongest first:
 * 1. the agency's name, read as a chain of divisions from its start (河南省周口市扶沟县 + 自然资源局),
 *    each one inside the one before, then a zone (淮安经济技术开发区) and the body;
 * 2. when the name alone is ambiguous (鼓楼区 is in 南京市, 徐州市, 福州市, 开封市): the parent named
 *    with it in the title, the text (本报告由福州市鼓楼区人民政府办公室编制) or a seeds-file label, then a
 *    parent named alone in the title, text or label when exactly one candidate's parent is;
 *    otherwise the place is `ambiguous` with the candidates, never guessed;
 * 3. zones the gazetteer has no code for (平潭综合实验区, 雄安新区…): the small table SPECIAL_ZONES
 *    below places them in their parent with their own name kept.
 * The site's domain is not used: neither package gives domains, and pinyin (hongze.gov.cn) would
 * need a table of its own.
 */
import { normaliseChars } from '../agency.js';
import { simplifiedChar } from '../../extractors/normalize.js';
import { fullName, gazetteer, isWithin, lineage, shortName, type Division, type Gazetteer } from './gazetteer.js';
import { classifyBody } from './kinds.js';
import type { Place, PlaceEvidence } from './place.js';

export interface PlaceInput {
  agency: string | null;
  title?: string | null;
  /** The document's text (for parents named in it). */
  text?: string | null;
  /** Labels of the seeds the document was crawled from (crawl-set table seed_labels). */
  labels?: string[];
}

/**
 * Zones with no code in the gazetteer, and the division each belongs to (GB/T 2260). Only zones the
 * statistics do not code: 兰州新区 (620171) and the like come from the gazetteer itself.
 */
export const SPECIAL_ZONES: Record<string, string> = {
  平潭综合实验区: '350000', // 福建省
  雄安新区: '130000', // 河北省
  两江新区: '500000', // 重庆市
  天府新区: '510000', // 四川省
  贵安新区: '520000', // 贵州省
  西咸新区: '610000', // 陕西省
  滇中新区: '530000', // 云南省
  赣江新区: '360000', // 江西省
  湘江新区: '430100', // 长沙市
  江北新区: '320100', // 南京市
  金普新区: '210200', // 大连市
  哈尔滨新区: '230100', // 哈尔滨市
  长春新区: '220100', // 长春市
  福州新区: '350100', // 福州市
  舟山群岛新区: '330900', // 舟山市
  横琴粤澳深度合作区: '440400', // 珠海市
};

/** Zone words: what follows a place in a zone's name. */
const ZONE_RE =
  /^(.{0,12}?)(经济技术开发区|高新技术产业开发区|高新技术开发区|经济开发区|高新区|综合实验区|综合试验区|新区|开发区|工业园区|产业园区|产业集聚区|园区|示范区|试验区|实验区|合作区|保税区|管理区|风景名胜区|旅游度假区|度假区)/u;
/** The sentence that names the body that wrote the report (本报告由淮安市洪泽区人民政府办公室编制). */
const BY_RE = /本[报報]告[由系是][^，。,；;！!]{2,60}/u;
/** Leading words before the place in some names (中共淮安市委…, 国家税务总局淮安市税务局). */
const LEAD_RE = /^(?:中共|中国共产党|国家税务总局|共青团)/u;

interface Segment {
  text: string;
  cands: Division[];
}

/** The chain of divisions at the start of `s` (folded). */
function parseChain(s: string, g: Gazetteer, start = 0): { segments: Segment[]; pos: number } {
  const segments: Segment[] = [];
  let pos = start;
  while (pos < s.length) {
    const prev = segments[segments.length - 1]?.cands;
    const hit = matchAt(s, pos, g, prev);
    if (!hit) break;
    if (prev) segments[segments.length - 1]!.cands = prev.filter((p) => hit.cands.some((c) => isWithin(c, p)));
    segments.push(hit);
    pos += hit.text.length;
  }
  // an earlier ambiguous segment narrowed by a later one: pass the narrowing down again
  for (let i = 1; i < segments.length; i++) {
    const up = segments[i - 1]!.cands;
    segments[i]!.cands = segments[i]!.cands.filter((c) => up.some((p) => isWithin(c, p)));
  }
  return { segments, pos };
}

function matchAt(s: string, pos: number, g: Gazetteer, prev: Division[] | undefined): Segment | undefined {
  const max = Math.min(g.maxNameLength, s.length - pos);
  for (let len = max; len >= 2; len--) {
    const text = s.slice(pos, pos + len);
    const list = g.byName.get(text);
    if (!list) continue;
    const cands = list.filter((d) => {
      if (prev) return prev.some((p) => p !== d && isWithin(d, p));
      // alone, a name must say what it is: 城区, 东区, 两字 townships and zones need their parent
      if (len === 2 && (d.level === 'township' || d.level === 'zone' || /区$/u.test(text))) return false;
      return true;
    });
    if (cands.length) return { text, cands };
  }
  // a short province or city name before a full child: 江苏淮安市…, 淮安洪泽区…
  for (let len = Math.min(4, s.length - pos); len >= 2; len--) {
    const text = s.slice(pos, pos + len);
    const list = g.byShort.get(text)?.filter((d) => (d.level === 'province' || d.level === 'city') && (!prev || prev.some((p) => isWithin(d, p) && p !== d)));
    if (!list?.length) continue;
    const next = matchAt(s, pos + len, g, list);
    if (next && !g.byShort.has(s.slice(pos, pos + len + 1))) return { text, cands: list };
  }
  return undefined;
}

function snippet(text: string, at: number, len: number): string {
  const a = Math.max(0, at - 12);
  return text.slice(a, at + len + 12).replace(/\s+/gu, ' ');
}

/** Title, text and labels folded for searching: traditional → simplified, no white space. */
function foldContext(s: string): string {
  let out = '';
  for (const ch of s.replace(/\s+/gu, '')) out += simplifiedChar(ch) ?? ch;
  return out;
}

interface Context {
  source: PlaceEvidence['source'];
  text: string;
}

/**
 * Which of `cands` the context names: first a parent written with the name (福州市鼓楼区), then a
 * parent named alone, each counted only when exactly one candidate has it.
 */
function disambiguate(name: string, cands: Division[], contexts: Context[]): { pick: Division; evidence: PlaceEvidence } | undefined {
  const parentsOf = (d: Division) => lineage(d).slice(0, -1).filter((p) => p.level !== 'zone');
  const forms = (p: Division) => [p.name, shortName(p.name, p.level)].filter((x): x is string => !!x && x.length >= 2);
  for (const together of [true, false]) {
    const hits = new Map<Division, PlaceEvidence>();
    for (const c of cands) {
      outer: for (const p of parentsOf(c)) {
        // a parent every candidate shares tells nothing
        if (cands.every((o) => isWithin(o, p))) continue;
        for (const f of together ? forms(p).map((x) => x + name) : [p.name]) {
          for (const ctx of contexts) {
            const at = ctx.text.indexOf(f);
            if (at >= 0) {
              hits.set(c, { source: ctx.source, text: snippet(ctx.text, at, f.length) });
              break outer;
            }
          }
        }
      }
    }
    if (hits.size === 1) {
      const [pick, evidence] = [...hits.entries()][0]!;
      return { pick, evidence };
    }
    if (hits.size > 1) return undefined;
  }
  return undefined;
}

export function emptyPlace(reason: string | null, status: Place['status'] = 'unresolved'): Place {
  return {
    status, division_code: null, division_level: null, division_name: null, province_code: null, province: null,
    city_code: null, city: null, county_code: null, county: null, township_code: null, township: null, zone: null,
    zone_code: null, agency_kind: null, department_type: null, body: null, key: null, candidates: [], evidence: [], reason,
  };
}

function fillLevels(place: Place, d: Division): void {
  for (const x of lineage(d)) {
    if (x.level === 'province') [place.province_code, place.province] = [x.code, x.name];
    else if (x.level === 'city') [place.city_code, place.city] = [x.code, x.name];
    else if (x.level === 'county') [place.county_code, place.county] = [x.code, x.name];
    else if (x.level === 'township') [place.township_code, place.township] = [x.code, x.name];
  }
  place.division_code = d.code;
  place.division_level = d.level === 'zone' ? null : d.level;
  place.division_name = d.name;
}

/** The nearest real division of a zone entry (a zone is placed in its parent). */
function divisionOf(d: Division): Division {
  let x: Division = d;
  while (x.level === 'zone' && x.parent) x = x.parent;
  return x;
}

/** The zone at the start of `rest` (after the divisions `parent`), if any. */
function zoneAt(rest: string, parents: Division[], g: Gazetteer): { zone: string; entry: Division | null; parents: Division[]; len: number } | undefined {
  for (const [name, code] of Object.entries(SPECIAL_ZONES)) {
    if (!rest.startsWith(name)) continue;
    const d = g.byCode.get(code)!;
    if (parents.length && !parents.some((p) => isWithin(d, p) || isWithin(p, d))) continue;
    return { zone: name, entry: null, parents: [d], len: name.length };
  }
  const m = ZONE_RE.exec(rest);
  if (!m) return undefined;
  const [text, core] = [m[0], m[1]!];
  if (/[局委厅办]/u.test(core)) return undefined;
  if (parents.length) {
    // the statistics' own entry for it: 淮安市 + 经济技术开发区 = 淮安经济技术开发区 (320871)
    for (const p of parents) {
      for (const f of [p.name, shortName(p.name, p.level), '']) {
        if (f === null) continue;
        const e = g.byName.get(f + text)?.find((d) => d.level === 'zone' && isWithin(d, p));
        if (e) return { zone: e.name, entry: e, parents: [p], len: text.length };
      }
    }
    return { zone: parents.length === 1 ? parents[0]!.name + text : text, entry: null, parents, len: text.length };
  }
  // no division before it: the zone's own name (淮安经济技术开发区), else its core (福州 + 新区)
  const own = g.byName.get(text)?.filter((d) => d.level === 'zone');
  if (own?.length) return { zone: text, entry: own.length === 1 ? own[0]! : null, parents: own.map(divisionOf), len: text.length };
  if (core.length < 2) return undefined;
  const named = [...new Set([...(g.byName.get(core) ?? []), ...(g.byShort.get(core) ?? [])])].filter((d) => d.level !== 'zone' && d.level !== 'township');
  // 淮安 is 淮安市 and its 淮安区: the zone is placed in the one that holds the other
  const cores = named.filter((d) => !named.some((o) => o !== d && isWithin(d, o)));
  if (!cores.length) return undefined;
  return { zone: text, entry: null, parents: cores, len: text.length };
}

/** The problem a place's status calls for (codes `division_ambiguous`, `division_unknown`), if any. */
export function placeProblem(place: Place, agency: string | null): { code: string; message: string } | undefined {
  if (place.status === 'ambiguous') {
    return {
      code: 'division_ambiguous',
      message: `${place.reason}: ${place.candidates.map((c) => `${c.code} ${c.name}`).join(', ')}`,
    };
  }
  if (place.status === 'unresolved' && agency) return { code: 'division_unknown', message: place.reason ?? `${agency}: not placed` };
  return undefined;
}

/** Places a report (see the module comment). Never throws for any input. */
export function resolvePlace(input: PlaceInput): Place {
  const raw = input.agency?.trim();
  if (!raw) return emptyPlace('the report names no agency');
  const g = gazetteer();
  const name = normaliseChars(raw).replace(/[（(][^（）()]*[）)]$/u, '');
  // the contexts: to tell candidates apart, the whole text folded (rare); for supporting evidence,
  // the sentence 本报告由…编制 folded and the text as it is (folding every text costs more than placing)
  const contexts = (whole: boolean): Context[] => {
    const text = input.text ?? '';
    const by = whole ? null : BY_RE.exec(text);
    return [
      ...(input.title ? [{ source: 'title' as const, text: foldContext(input.title) }] : []),
      ...(by ? [{ source: 'text' as const, text: foldContext(by[0]) }] : []),
      ...(text ? [{ source: 'text' as const, text: whole ? foldContext(text) : text }] : []),
      ...(input.labels ?? []).map((l) => ({ source: 'seed_label' as const, text: foldContext(l) })),
    ];
  };

  const lead = LEAD_RE.exec(name);
  let { segments, pos } = parseChain(name, g, lead ? lead[0].length : 0);
  if (!segments.length && lead) ({ segments, pos } = parseChain(name, g, 0));
  const evidence: PlaceEvidence[] = [];
  let parents = segments.length ? segments[segments.length - 1]!.cands : [];
  const zone = zoneAt(name.slice(pos), parents, g);
  if (zone) {
    parents = zone.parents;
    pos += zone.len;
    evidence.push({ source: SPECIAL_ZONES[zone.zone] ? 'special_zones' : 'agency', text: zone.zone });
  }
  if (!parents.length) {
    const where = /^(.{1,10}?(?:自治州|自治县|自治旗|地区|省|市|区|县|旗|盟|镇|乡|街道))/u.exec(name.slice(lead ? lead[0].length : 0));
    return emptyPlace(
      where
        ? `"${where[1]}" (in "${raw}") is not a division in the gazetteer`
        : `no division of the gazetteer is named in "${raw}"`,
    );
  }
  const placeName = name.slice(0, pos).replace(LEAD_RE, '');
  if (!zone) evidence.push({ source: 'agency', text: placeName });
  let division: Division | undefined = parents.length === 1 ? parents[0] : undefined;
  if (!division) {
    const last = zone ? zone.zone : segments[segments.length - 1]!.text;
    const pick = disambiguate(last, parents, contexts(true));
    if (pick) {
      division = pick.pick;
      evidence.push(pick.evidence);
    } else {
      const place = emptyPlace(`"${last}" names ${parents.length} divisions and nothing in the report tells which`, 'ambiguous');
      place.candidates = parents.map((d) => ({ code: d.code, name: fullName(d) }));
      place.zone = zone?.zone ?? null;
      return place;
    }
  } else if (input.labels?.length || input.title || input.text) {
    // supporting evidence: the division's parent named in the title, text or a label
    const up = lineage(division).slice(0, -1).reverse().find((p) => p.level !== 'zone');
    if (up) {
      for (const c of contexts(false)) {
        const at = c.text.indexOf(up.name + division.name);
        if (at >= 0 && !placeName.includes(up.name)) {
          evidence.push({ source: c.source, text: snippet(c.text, at, up.name.length + division.name.length) });
          break;
        }
      }
    }
  }
  const place = emptyPlace(null, 'resolved');
  const d = divisionOf(division);
  fillLevels(place, d);
  if (zone) {
    place.zone = zone.entry?.name ?? zone.zone;
    place.zone_code = zone.entry?.code ?? null;
  } else if (division.level === 'zone') {
    place.zone = division.name;
    place.zone_code = division.code;
  }
  const body = name.slice(pos);
  // party and youth-league organs (中共淮安市委办公室) are not government bodies
  const k = lead && lead[0] !== '国家税务总局' ? { kind: 'other' as const, department_type: null } : classifyBody(body, { township: d.level === 'township', zone: !!place.zone });
  place.agency_kind = k.kind;
  place.department_type = k.department_type;
  place.body = body;
  place.evidence = evidence;
  // a township not in the gazetteer (扶沟县城关镇, merged since) keeps its name in the key
  const unlisted = k.kind === 'township' && d.level !== 'township';
  const what =
    k.kind === 'department' ? (k.department_type === 'other' ? `other:${body}` : k.department_type) : k.kind === 'other' || unlisted ? `${k.kind === 'other' ? 'other' : 'township'}:${body}` : k.kind;
  place.key = [place.division_code, place.zone_code ?? place.zone ?? '', what].join('|');
  return place;
}
