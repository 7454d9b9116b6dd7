/**
 * robots.txt (RFC 9309) with the common Crawl-delay extension.
 * Groups start with one or more `User-agent` lines; the group(s) naming our product token are used,
 * else the `*` group(s). Within the group the longest matching Allow/Disallow pattern wins, Allow on
 * a tie; `*` matches any run of characters, a trailing `$` anchors the end. Hand-written because the
 * npm robots parsers either pull a dependency tree or do not honour longest-match; this is ~100 lines
 * and tested.
 */

interface Rule {
  allow: boolean;
  pattern: string;
  re: RegExp;
}

interface Group {
  agents: string[];
  rules: Rule[];
  crawlDelay?: number;
}

export interface Robots {
  /** Whether the product token may fetch this URL (path and query). */
  isAllowed(url: string | URL): boolean;
  /** The rule that decided, for messages ("Disallow: /private/"); undefined when none matched. */
  matchedRule(url: string | URL): string | undefined;
  /** Crawl-delay in seconds from the group that applies, if any. */
  crawlDelay?: number;
}

/** Normalise a pattern or path: percent-encode what is not ASCII, upper-case existing escapes. */
function normalise(s: string): string {
  let out = '';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (code > 0x7e || code < 0x21) out += encodeURIComponent(ch);
    else out += ch;
  }
  return out.replace(/%[0-9a-f]{2}/gi, (m) => m.toUpperCase());
}

function compile(pattern: string): RegExp {
  let p = normalise(pattern);
  let anchored = false;
  if (p.endsWith('$')) {
    anchored = true;
    p = p.slice(0, -1);
  }
  const body = p
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp('^' + body + (anchored ? '$' : ''));
}

/** The product token of a User-Agent string: `nianbao/0.1 (+https://…)` → `nianbao`. */
export function productToken(userAgent: string): string {
  const m = /^[A-Za-z0-9_-]+/.exec(userAgent.trim());
  return (m ? m[0] : userAgent).toLowerCase();
}

export function parseRobots(text: string, userAgent: string): Robots {
  const token = productToken(userAgent);
  const groups: Group[] = [];
  let current: Group | null = null;
  let lastWasAgent = false;
  for (const raw of text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/)) {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) continue;
    const m = /^([A-Za-z-]+)\s*:\s*(.*)$/.exec(line);
    if (!m) continue;
    const field = m[1].toLowerCase();
    const value = m[2].trim();
    if (field === 'user-agent') {
      if (!current || !lastWasAgent) {
        current = { agents: [], rules: [] };
        groups.push(current);
      }
      current.agents.push(value.toLowerCase());
      lastWasAgent = true;
      continue;
    }
    lastWasAgent = false;
    if (!current) continue; // rules before any User-agent line are ignored
    if (field === 'allow' || field === 'disallow') {
      if (value === '') continue; // "Disallow:" with nothing allows everything
      current.rules.push({ allow: field === 'allow', pattern: value, re: compile(value) });
    } else if (field === 'crawl-delay') {
      const n = Number(value);
      if (Number.isFinite(n) && n >= 0) current.crawlDelay = n;
    }
  }
  const matches = (g: Group) => g.agents.some((a) => a !== '*' && a === token);
  let chosen = groups.filter(matches);
  if (chosen.length === 0) chosen = groups.filter((g) => g.agents.includes('*'));
  const rules = chosen.flatMap((g) => g.rules);
  const delays = chosen.map((g) => g.crawlDelay).filter((d): d is number => d !== undefined);

  const decide = (url: string | URL): Rule | undefined => {
    const u = typeof url === 'string' ? new URL(url) : url;
    const path = normalise(u.pathname + u.search);
    let best: Rule | undefined;
    for (const r of rules) {
      if (!r.re.test(path)) continue;
      if (
        !best ||
        r.pattern.length > best.pattern.length ||
        (r.pattern.length === best.pattern.length && r.allow && !best.allow)
      ) {
        best = r;
      }
    }
    return best;
  };
  return {
    isAllowed(url) {
      const u = typeof url === 'string' ? new URL(url) : url;
      if (u.pathname === '/robots.txt') return true;
      const r = decide(u);
      return !r || r.allow;
    },
    matchedRule(url) {
      const r = decide(url);
      return r ? `${r.allow ? 'Allow' : 'Disallow'}: ${r.pattern}` : undefined;
    },
    crawlDelay: delays.length ? Math.max(...delays) : undefined,
  };
}

/** robots.txt that allows everything (a 4xx robots.txt, RFC 9309 §2.3.1.3). */
export function allowAll(): Robots {
  return { isAllowed: () => true, matchedRule: () => undefined };
}
