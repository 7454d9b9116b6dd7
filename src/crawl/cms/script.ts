/**
 * Reading a page's inline scripts without running them: the script texts, loose JavaScript object
 * literals (`{col: 1, path: '/', webname: '某市'}`), and `var name = value` constants.
 */

/** The text of every inline `<script>` (no src) of a page, with its type attribute. */
export function inlineScripts(html: string): { type: string; text: string }[] {
  const out: { type: string; text: string }[] = [];
  const re = /<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi;
  for (let m = re.exec(html); m; m = re.exec(html)) {
    if (/\bsrc\s*=/i.test(m[1]!)) continue;
    const type = /\btype\s*=\s*["']?([^"'\s>]+)/i.exec(m[1]!)?.[1]?.toLowerCase() ?? 'text/javascript';
    out.push({ type, text: m[2]! });
  }
  return out;
}

export type JsValue = { kind: 'literal'; value: string } | { kind: 'name'; name: string };

/** The flat `key: value` pairs of an object literal's body (nested objects and functions skipped). */
export function objectLiteral(body: string): Map<string, JsValue> {
  const out = new Map<string, JsValue>();
  const re = /(?:^|[,{\s])["']?([A-Za-z_$][\w$]*)["']?\s*:\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|(-?\d+(?:\.\d+)?)\b|(true|false)\b|([A-Za-z_$][\w$.]*))/g;
  for (let m = re.exec(body); m; m = re.exec(body)) {
    const key = m[1]!;
    if (out.has(key)) continue;
    if (m[2] !== undefined || m[3] !== undefined) out.set(key, { kind: 'literal', value: (m[2] ?? m[3])!.replace(/\\(.)/g, '$1') });
    else if (m[4] !== undefined || m[5] !== undefined) out.set(key, { kind: 'literal', value: (m[4] ?? m[5])! });
    else if (m[6] !== 'function') out.set(key, { kind: 'name', name: m[6]! });
  }
  return out;
}

/** `var|let|const name = 'x' | 12` constants of a script. */
export function scriptConstants(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /\b(?:var|let|const)\s+([A-Za-z_$][\w$]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|(-?\d+(?:\.\d+)?))\s*[;,\n]/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.set(m[1]!, (m[2] ?? m[3] ?? m[4])!);
  return out;
}

/** The body of the first `{…}` at or after `from` (braces balanced, strings skipped). */
export function braceBody(text: string, from: number): string | undefined {
  const start = text.indexOf('{', from);
  if (start < 0) return undefined;
  let depth = 0;
  let quote: string | null = null;
  for (let i = start; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return text.slice(start + 1, i);
  }
  return undefined;
}

/** A link of a record, as HTML the link classifier reads (titles and URLs from a list API's JSON). */
export function recordHtml(href: string, title: string): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
  return `<a href="${esc(href)}">${esc(title)}</a>`;
}
