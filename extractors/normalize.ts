/**
 * Label normalisation for matching (never for provenance: what was printed is kept as printed).
 * Full- and half-width forms, spaces inside labels, any kind of quotes, traditional characters
 * (mirror sites re-publish pages converted to traditional script) and Kangxi radicals from
 * Type 3 fonts all fold to one form.
 */
import TSCharacters from 'opencc-js/dict/TSCharacters';

/**
 * Traditional → simplified, character by character, from OpenCC's character table (opencc-js):
 * enough for labels and titles, where phrase-level conversion is not needed.
 */
const TRAD_MAP = new Map<string, string>();
for (const pair of TSCharacters.split('|')) {
  const [t, s] = pair.split(' ');
  if (t && s && [...t].length === 1) TRAD_MAP.set(t, s);
}

/** The simplified form of one traditional character (OpenCC's table), or undefined when it has none. */
export function simplifiedChar(ch: string): string | undefined {
  return TRAD_MAP.get(ch);
}

/** Every character the table turns into another: for building matchers. */
export function traditionalChars(): IterableIterator<string> {
  return TRAD_MAP.keys();
}

const QUOTES = /["'“”‘’「」『』〝〞〟＂＇‚„‹›«»`´]/g;
const SPACES = /[\s\u00a0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u3000\ufeff]+/g;

/**
 * `fn` with its answers remembered: labels repeat from table to table and report to report, so each is
 * read once. Bounded (all forgotten once `max` are held); texts longer than `longest` are not kept.
 */
export function remembered<T>(fn: (s: string) => T, max = 20_000, longest = 200): (s: string) => T {
  const answers = new Map<string, T>();
  return (s) => {
    if (s.length > longest) return fn(s);
    let hit = answers.get(s);
    if (hit === undefined) {
      if (answers.size >= max) answers.clear();
      hit = fn(s);
      answers.set(s, hit);
    }
    return hit;
  };
}

/** Fold a label for matching: NFKC (full-width → ASCII, Kangxi radicals → CJK), traditional → simplified, no spaces, no quotes. */
export const normLabel: (s: string) => string = remembered(fold);

function fold(s: string): string {
  let out = '';
  for (const ch of s.normalize('NFKC')) out += TRAD_MAP.get(ch) ?? ch;
  return out.replace(SPACES, '').replace(QUOTES, '').replace(/其它/g, '其他').replace(/[—–―－]/g, '-');
}

/** Remove leading outline numbering: 三、 (一) （1） 1. 1、 1． and the like, repeatedly. */
export const stripNumbering: (s: string) => string = remembered(unnumbered);

function unnumbered(s: string): string {
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
