/**
 * A report's provenance (where each figure was printed) as one compact JSON text, the `data` of table
 * `provenance`, and back. The view `figure_sources` reads the same layout in SQL. The layout since core
 * migration 5:
 *
 *   {"v": 2, "p": [prefix, ...], "l": [label, ...],
 *    "s": [[key, text, blank, table, grid, row_label#, col_label#, where, prefix#, suffix, ocr, confidence, more], ...]}
 *
 * in the report's figure order. Row and column labels (the same few dozen for ~200 figures) are stored once
 * in `l`, each entry naming them by index. `where` is the provenance's `where` without its `domPath`; an
 * HTML cell's DOM path is split before its last two steps (`tr:…>td:…`): the part before, the same for
 * every cell of a table, is stored once in `p` (`prefix#` is its index) and `suffix` holds the rest. `more`
 * holds any other field of the figure's provenance (ocr_corrected, ocr_read, ocr_alternatives), so nothing
 * is lost. Trailing null elements are left out (`ocr` is 1 or absent).
 *
 * Layout 3 (core migration 6, what is written now) makes each entry smaller still: the entry's key is an
 * index into the report's key list `k`, and `where` / `suffix` take compact forms when they have the usual
 * shape:
 *
 *   {"v": 3, "k": [key, ...] or LIST#, "l": [label, ...] or LIST#, "p": [...],
 *    "s": [[key#, text, blank, table, grid, row_label#, col_label#, where, prefix#, suffix, ocr, confidence, more], ...]}
 *
 * `where` is [table, row, col] when it is exactly {table, row, col} (integers, in that order) besides the
 * DOM path, else the object; `suffix` is [r, c] for `tr:nth-of-type(r)>td:nth-of-type(c)`, else the text.
 * The key list repeats across reports (one per template and set of cells found): `provenanceJson` writes it
 * inline (the extraction threads know no database) and the writer (`internProvenanceKeys`) stores it once
 * in table `provenance_lists`, leaving its id in `k`; so is the label list `l` (the same for the reports of
 * one portal). Layout 2 entries were ~120 bytes, layout 3 ~35.
 *
 * Migration 4 wrote the first layout, {"p": [...], "s": [[key, text, blank, table, grid, row_label,
 * col_label, where, prefix#, suffix, ocr, confidence]]} (labels in full, no `more`): `provenanceJsonV1`
 * still writes it for that migration, and `parseProvenance` reads both.
 */
import type { FigureSource } from '../report.js';

type Where = FigureSource['where'];
type Entry = (string | number | null | Record<string, unknown>)[];

/** The fields every entry has a place for; any other field goes to `more`. */
const FIXED = new Set(['text', 'blank', 'table', 'grid', 'row_label', 'col_label', 'where', 'ocr', 'confidence']);

/** Interning of repeated strings into a list: index of `s` in `list`. */
function interner(list: string[]): (s: string) => number {
  const index = new Map<string, number>();
  return (s) => {
    let i = index.get(s);
    if (i === undefined) {
      i = list.push(s) - 1;
      index.set(s, i);
    }
    return i;
  };
}

/** `where` without its domPath, the domPath's table prefix (interned) and the rest. */
function splitWhere(where: Record<string, unknown>, prefixOf: (s: string) => number): [Record<string, unknown>, number | null, string | null] {
  const dom = where.domPath;
  if (typeof dom !== 'string') return [where, null, null];
  const last = dom.lastIndexOf('>');
  const cut = last > 0 ? dom.lastIndexOf('>', last - 1) : -1;
  if (cut <= 0) return [where, null, null];
  // the fields but domPath, in their order (a loop: an object rest spread per figure costs more)
  const rest: Record<string, unknown> = {};
  for (const k in where) if (k !== 'domPath') rest[k] = where[k];
  return [rest, prefixOf(dom.slice(0, cut + 1)), dom.slice(cut + 1)];
}

const SUFFIX = /^tr:nth-of-type\((\d+)\)>td:nth-of-type\((\d+)\)$/;

/** `where` (without domPath) as [table, row, col] when it is exactly that, else as it is. */
function compactWhere(w: Record<string, unknown>): Record<string, unknown> | number[] {
  let n = 0;
  for (const k in w) {
    if ((n === 0 && k !== 'table') || (n === 1 && k !== 'row') || (n === 2 && k !== 'col') || n > 2) return w;
    if (!Number.isInteger(w[k])) return w;
    n++;
  }
  return n === 3 ? [w.table as number, w.row as number, w.col as number] : w;
}

/** The provenance in layout 3, its key list inline as the first member after "v" (see internProvenanceKeys). */
export function provenanceJson(provenance: Record<string, FigureSource>): string {
  const prefixes: string[] = [];
  const labels: string[] = [];
  const keys: string[] = [];
  const prefixOf = interner(prefixes);
  const labelOf = interner(labels);
  const s: Entry[] = [];
  for (const key in provenance) {
    const p = provenance[key];
    const [where, prefix, suffix] = splitWhere(p.where as Record<string, unknown>, prefixOf);
    let more: Record<string, unknown> | null = null;
    for (const k in p) {
      if (FIXED.has(k)) continue;
      const v = (p as Record<string, unknown>)[k];
      if (v !== undefined) (more ??= {})[k] = v;
    }
    const m = suffix === null ? null : SUFFIX.exec(suffix);
    const e: Entry = [
      keys.push(key) - 1,
      p.text,
      p.blank ? 1 : 0,
      p.table,
      p.grid,
      labelOf(p.row_label),
      labelOf(p.col_label),
      compactWhere(where) as Entry[number],
      prefix,
      m ? ([Number(m[1]), Number(m[2])] as unknown as Entry[number]) : suffix,
      p.ocr ? 1 : null,
      p.confidence ?? null,
      more,
    ];
    while (e[e.length - 1] === null) e.pop();
    s.push(e);
  }
  return '{"v":3,"k":' + JSON.stringify(keys) + ',"l":' + JSON.stringify(labels) + ',' + JSON.stringify({ p: prefixes, s }).slice(1);
}

/** The end (index of the closing bracket) of the JSON array that opens at `at`, strings skipped. */
function arrayEnd(json: string, at: number): number {
  let depth = 0;
  for (let i = at; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (c === 34 /* " */) {
      for (i++; i < json.length && json.charCodeAt(i) !== 34; i++) if (json.charCodeAt(i) === 92 /* \ */) i++;
    } else if (c === 91 /* [ */) depth++;
    else if (c === 93 /* ] */ && --depth === 0) return i;
  }
  return -1;
}

/**
 * Layout 3 with its inline key list (`k`) and label list (`l`) replaced by ids of `provenance_lists`
 * (`idOf` stores a list, given as its JSON text, and gives its id): what the table holds. Text in another
 * layout, or already interned, comes back unchanged.
 */
export function internProvenanceKeys(json: string, idOf: (list: string) => number): string {
  const head = '{"v":3,"k":';
  if (!json.startsWith(head) || json[head.length] !== '[') return json;
  const kEnd = arrayEnd(json, head.length);
  if (kEnd < 0) return json;
  let out = head + idOf(json.slice(head.length, kEnd + 1));
  let rest = json.slice(kEnd + 1);
  const lHead = ',"l":[';
  if (rest.startsWith(lHead)) {
    const lEnd = arrayEnd(rest, lHead.length - 1);
    if (lEnd < 0) return json;
    out += ',"l":' + idOf(rest.slice(lHead.length - 1, lEnd + 1));
    rest = rest.slice(lEnd + 1);
  }
  return out + rest;
}

/** Layout 2 (core migration 5); kept for the migrations' round-trip tests. */
export function provenanceJsonV2(provenance: Record<string, FigureSource>): string {
  const prefixes: string[] = [];
  const labels: string[] = [];
  const prefixOf = interner(prefixes);
  const labelOf = interner(labels);
  const s: Entry[] = [];
  for (const key in provenance) {
    const p = provenance[key];
    const [where, prefix, suffix] = splitWhere(p.where as Record<string, unknown>, prefixOf);
    let more: Record<string, unknown> | null = null;
    for (const k in p) {
      if (FIXED.has(k)) continue;
      const v = (p as Record<string, unknown>)[k];
      if (v !== undefined) (more ??= {})[k] = v;
    }
    const e: Entry = [
      key,
      p.text,
      p.blank ? 1 : 0,
      p.table,
      p.grid,
      labelOf(p.row_label),
      labelOf(p.col_label),
      where,
      prefix,
      suffix,
      p.ocr ? 1 : null,
      p.confidence ?? null,
      more,
    ];
    while (e[e.length - 1] === null) e.pop();
    s.push(e);
  }
  return JSON.stringify({ v: 2, p: prefixes, l: labels, s });
}

/** The layout of core migration 4 (labels in full, no `more`); only that migration writes it. */
export function provenanceJsonV1(provenance: Record<string, FigureSource>): string {
  const prefixes: string[] = [];
  const prefixOf = interner(prefixes);
  const s: Entry[] = [];
  for (const key in provenance) {
    const p = provenance[key];
    const [where, prefix, suffix] = splitWhere(p.where as Record<string, unknown>, prefixOf);
    const e: Entry = [key, p.text, p.blank ? 1 : 0, p.table, p.grid, p.row_label, p.col_label, where, prefix, suffix, p.ocr ? 1 : null, p.confidence ?? null];
    while (e[e.length - 1] === null) e.pop();
    s.push(e);
  }
  return JSON.stringify({ p: prefixes, s });
}

/**
 * The provenance object back from the stored text, any layout (keys in the stored order). Layout 3 with an
 * interned key list needs `listOf` (the list's JSON text by its id in `provenance_lists`).
 */
export function parseProvenance(data: string, listOf?: (id: number) => string | undefined): Record<string, FigureSource> {
  const parsed = JSON.parse(data) as { v?: number; k?: string[] | number; p: string[]; l?: string[] | number; s: Entry[] };
  const { v, p, s } = parsed;
  const resolve = (x: string[] | number | undefined, what: string): string[] | undefined => {
    if (typeof x !== 'number') return x;
    const list = listOf?.(x);
    if (list === undefined) throw new Error(`provenance: ${what} list ${x} not found`);
    return JSON.parse(list) as string[];
  };
  const keys = v === 3 ? (resolve(parsed.k, 'key') ?? []) : null;
  const l = resolve(parsed.l, 'label');
  const label = (x: Entry[number]) => (l && typeof x === 'number' ? l[x] : (x as string));
  const out: Record<string, FigureSource> = {};
  for (const e of s) {
    const w7 = e[7] as unknown;
    const where: Record<string, unknown> = Array.isArray(w7) ? { table: w7[0], row: w7[1], col: w7[2] } : { ...(w7 as Record<string, unknown>) };
    const w9 = e[9] as unknown;
    const suffix = Array.isArray(w9) ? `tr:nth-of-type(${w9[0]})>td:nth-of-type(${w9[1]})` : (w9 as string);
    if (typeof e[8] === 'number') where.domPath = p[e[8]] + suffix;
    const src: FigureSource = {
      text: e[1] as string,
      blank: e[2] === 1,
      table: e[3] as number,
      grid: e[4] as number,
      row_label: label(e[5]),
      col_label: label(e[6]),
      where: where as Where,
    };
    if (e[10] === 1) src.ocr = true;
    if (typeof e[11] === 'number') src.confidence = e[11];
    if (e[12] && typeof e[12] === 'object') Object.assign(src, e[12]);
    out[keys ? keys[e[0] as number]! : (e[0] as string)] = src;
  }
  return out;
}
