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

export function provenanceJson(provenance: Record<string, FigureSource>): string {
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

/** The provenance object back from the stored text, either layout (keys in the stored order). */
export function parseProvenance(data: string): Record<string, FigureSource> {
  const { p, l, s } = JSON.parse(data) as { p: string[]; l?: string[]; s: Entry[] };
  const label = (x: Entry[number]) => (l && typeof x === 'number' ? l[x] : (x as string));
  const out: Record<string, FigureSource> = {};
  for (const e of s) {
    const where = { ...(e[7] as Record<string, unknown>) };
    if (typeof e[8] === 'number') where.domPath = p[e[8]] + (e[9] as string);
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
    out[e[0] as string] = src;
  }
  return out;
}
