/**
 * Label normalisation for matching (never for provenance: what was printed is kept as printed).
 * Full- and half-width forms, spaces inside labels, any kind of quotes, traditional characters
 * (mirror sites re-publish pages converted to traditional script) and Kangxi radicals from
 * Type 3 fonts all fold to one form.
 */

/** Traditional → simplified, for the characters that occur in the template's labels and titles. */
const TRAD = '開總計請處項數發廢規範條為無關機構團體結轉續辦與複議訴訟審維糾產業務內過執檔詢製補確訪舉報當認獲資訊費繳納罰許強購額萬際權險國祕穩類種會組織個單區縣鄉鎮廳員護號統時況優權線網頁門戶見導間違聯營標準專應對況態動幣';
const SIMP = '开总计请处项数发废规范条为无关机构团体结转续办与复议诉讼审维纠产业务内过执档询制补确访举报当认获资讯费缴纳罚许强购额万际权险国秘稳类种会组织个单区县乡镇厅员护号统时况优权线网页门户见导间违联营标准专应对况态动币';
const TRAD_MAP = new Map<string, string>();
for (let i = 0; i < TRAD.length; i++) TRAD_MAP.set(TRAD[i], SIMP[i]);
TRAD_MAP.set('於', '于');
TRAD_MAP.set('們', '们');

const QUOTES = /["'“”‘’「」『』〝〞〟＂＇‚„‹›«»`´]/g;
const SPACES = /[\s\u00a0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u3000\ufeff]+/g;

/** Fold a label for matching: NFKC (full-width → ASCII, Kangxi radicals → CJK), traditional → simplified, no spaces, no quotes. */
export function normLabel(s: string): string {
  let out = '';
  for (const ch of s.normalize('NFKC')) out += TRAD_MAP.get(ch) ?? ch;
  return out.replace(SPACES, '').replace(QUOTES, '').replace(/其它/g, '其他').replace(/[—–―－]/g, '-');
}

/** Remove leading outline numbering: 三、 (一) （1） 1. 1、 1． and the like, repeatedly. */
export function stripNumbering(s: string): string {
  let prev: string;
  do {
    prev = s;
    s = s
      .replace(/^\(?[一二三四五六七八九十]+\)[、.]?/, '')
      .replace(/^[一二三四五六七八九十]+[、.]/, '')
      .replace(/^\(?\d+\)[、.]?/, '')
      .replace(/^\d+(?:[.、,:]|(?=[^\d.]))/, '');
  } while (s !== prev && s.length > 0);
  return s;
}
