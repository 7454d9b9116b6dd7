/**
 * One government body across years: the same body is named differently from year to year
 * (洪泽区人民政府 in 2023, 淮安市洪泽区人民政府 in 2024). `agencyIdentity` turns a name into a
 * normalised identity; `parseAgencyName` also returns the prefixes it dropped, so that two
 * districts with the same name in different cities (南京市鼓楼区 / 福州市鼓楼区) can be told apart
 * when their names say so (see src/review/agencies.ts for the linking in the database).
 *
 * Rules, in order:
 * 1. traditional characters common in agency names → simplified (mirror sites convert pages);
 *    full-width letters/digits → ASCII (NFKC, character by character); whitespace and
 *    middle dots removed;
 * 2. leading province / prefecture-level prefixes are dropped while a lower-level unit follows
 *    (江苏省淮安市洪泽区人民政府 → 洪泽区人民政府; 江苏省淮安市人民政府 → 淮安市人民政府).
 *    A prefix is kept when what follows is not a place (淮安市城市管理局, 淮安市住房和城乡建设局)
 *    or is a development zone that every city has (淮安市经济技术开发区…);
 * 3. the government's general office stands for the government: 人民政府办公室 / 人民政府办公厅 /
 *    政府办公室 / 政府办 → 人民政府; a bare 区政府 → 区人民政府.
 * 淮安市人民政府 (the city) and 淮安市洪泽区人民政府 (a district of it) stay different bodies.
 *
 * A report placed in the administrative divisions (src/places/) is linked by its place (division
 * code + kind + department type) instead; this identity is the fallback for reports that are not
 * placed, and the name a body is listed under.
 */
import { simplifiedChar } from '../extractors/normalize.js';

/** Character by character: traditional → simplified, full-width ASCII → ASCII; whitespace, middle dots dropped. */
export function normaliseChars(name: string): string {
  let out = '';
  for (const ch of name) {
    if (/\s/u.test(ch) || ch === '\u3000' || ch === '·' || ch === '・' || ch === '•') continue;
    const s = simplifiedChar(ch);
    if (s) {
      out += s;
      continue;
    }
    const code = ch.codePointAt(0)!;
    // Full-width ASCII (U+FF01-U+FF5E) and Kangxi radicals: NFKC one character at a time.
    if ((code >= 0xff01 && code <= 0xff5e) || (code >= 0x2f00 && code <= 0x2fdf)) out += ch.normalize('NFKC');
    else out += ch;
  }
  return out;
}

const CJK = '\\u4e00-\\u9fff';
/** A province- or prefecture-level prefix at the start of a name. */
const UPPER = new RegExp(`^[${CJK}]{1,8}?(?:特别行政区|自治区|自治州|地区|省|盟|市)`, 'u');
/** A lower-level unit (county, district, county-level city, banner) or a prefecture-level city at the start. */
const LOWER = new RegExp(`^[${CJK}]{1,7}?(?:自治县|自治旗|自治州|地区|区|县|市|旗|盟)`, 'u');
/** Words that end like a place but are not one (城市管理局, 市区, 园区…). */
const NOT_A_PLACE = new Set([
  '城市', '都市', '超市', '城区', '市区', '郊区', '园区', '社区', '景区', '片区', '辖区', '街区', '林区', '矿区', '山区',
  '牧区', '农区', '灾区', '新区', '老区', '全区', '全市', '全县', '本区', '本市', '本县', '我区', '我市', '我县',
]);
/** A following "unit" that every city has: keep the city prefix (淮安市经济技术开发区 ≠ 徐州市经济技术开发区). */
const GENERIC_ZONE = /(?:开发区|高新区|高新技术产业开发区|园区|新区|保税区|试验区|示范区|合作区|管理区|风景区|度假区)$/u;
/** Words that show the "place" is really part of a department's name. */
const DEPARTMENT_WORDS = /(?:管理|服务|发展|建设|监督|生态|环境|资源|规划|交通|卫生|健康|教育|公安|司法|财政|人力|社会|农业|水利|商务|文化|旅游|应急|市场|统计|医疗|保障|住房|城乡|民政|审计|信访|档案|机关|事务)/u;

/** The next place-like segment of `rest`, if it is a real lower-level unit. */
function lowerUnitAt(rest: string): string | undefined {
  const m = LOWER.exec(rest);
  if (!m) return undefined;
  const seg = m[0];
  if (NOT_A_PLACE.has(seg) || GENERIC_ZONE.test(seg) || DEPARTMENT_WORDS.test(seg)) return undefined;
  return seg;
}

export interface ParsedAgency {
  /** The normalised identity (e.g. 洪泽区人民政府). */
  identity: string;
  /** The prefixes dropped, outermost first (e.g. ['淮安市']), normalised. */
  dropped: string[];
}

export function parseAgencyName(name: string): ParsedAgency {
  let s = normaliseChars(name);
  // Brackets around an alias at the end: 淮安市洪泽区人民政府(区政府办公室) → drop the bracket.
  s = s.replace(/[（(][^（）()]*[）)]$/u, '');
  const dropped: string[] = [];
  for (;;) {
    const m = UPPER.exec(s);
    if (!m) break;
    const first = m[0];
    if (NOT_A_PLACE.has(first) || DEPARTMENT_WORDS.test(first)) break;
    const rest = s.slice(first.length);
    if (!lowerUnitAt(rest)) break;
    dropped.push(first);
    s = rest;
  }
  // The general office stands for the government.
  s = s
    .replace(/人民政府办公[室厅]$/u, '人民政府')
    .replace(/(?<=[区县市旗州盟])政府办(?:公[室厅])?$/u, '人民政府')
    .replace(/(?<=[区县市旗州盟])政府$/u, '人民政府');
  return { identity: s, dropped };
}

/** The normalised identity of a body: 淮安市洪泽区人民政府 and 洪泽区人民政府 give the same. */
export function agencyIdentity(name: string): string {
  return parseAgencyName(name).identity;
}
