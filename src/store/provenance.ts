/**
 * A report's provenance (where each figure was printed) as one compact JSON text, the `data` of table
 * `provenance` (core migration 4), and back. The view `figure_sources` reads the same layout in SQL:
 *
 *   {"p": [prefix, ...], "s": [[key, text, blank, table, grid, row_label, col_label, where, prefix, suffix, ocr, confidence], ...]}
 *
 * in the report's figure order. `where` is the provenance's `where` without its `domPath`; an HTML cell's
 * DOM path is split before its last two steps (`tr:…>td:…`): the part before, the same for every cell of
 * a table, is stored once in `p` (`prefix` is its index) and `suffix` holds the rest. Trailing null
 * elements are left out (`ocr` is 1 or absent).
 */
import type { FigureSource } from '../report.js';

type Where = FigureSource['where'];
type Entry = (string | number | null | Record<string, unknown>)[];

export function provenanceJson(provenance: Record<string, FigureSource>): string {
  const prefixes: string[] = [];
  const index = new Map<string, number>();
  const s: Entry[] = [];
  for (const key in provenance) {
    const p = provenance[key];
    let where: Record<string, unknown> = p.where as Record<string, unknown>;
    let prefix: number | null = null;
    let suffix: string | null = null;
    const dom = where.domPath;
    if (typeof dom === 'string') {
      const last = dom.lastIndexOf('>');
      const cut = last > 0 ? dom.lastIndexOf('>', last - 1) : -1;
      if (cut > 0) {
        const head = dom.slice(0, cut + 1);
        let i = index.get(head);
        if (i === undefined) {
          i = prefixes.push(head) - 1;
          index.set(head, i);
        }
        prefix = i;
        suffix = dom.slice(cut + 1);
        // the fields but domPath, in their order (a loop: an object rest spread per figure costs more)
        const rest: Record<string, unknown> = {};
        for (const k in where) if (k !== 'domPath') rest[k] = where[k];
        where = rest;
      }
    }
    const e: Entry = [
      key,
      p.text,
      p.blank ? 1 : 0,
      p.table,
      p.grid,
      p.row_label,
      p.col_label,
      where,
      prefix,
      suffix,
      p.ocr ? 1 : null,
      p.confidence ?? null,
    ];
    while (e[e.length - 1] === null) e.pop();
    s.push(e);
  }
  return JSON.stringify({ p: prefixes, s });
}

/** The provenance object back from `provenanceJson`'s text (keys in the stored order). */
export function parseProvenance(data: string): Record<string, FigureSource> {
  const { p, s } = JSON.parse(data) as { p: string[]; s: Entry[] };
  const out: Record<string, FigureSource> = {};
  for (const e of s) {
    const where = { ...(e[7] as Record<string, unknown>) };
    if (typeof e[8] === 'number') where.domPath = p[e[8]] + (e[9] as string);
    const src: FigureSource = {
      text: e[1] as string,
      blank: e[2] === 1,
      table: e[3] as number,
      grid: e[4] as number,
      row_label: e[5] as string,
      col_label: e[6] as string,
      where: where as Where,
    };
    if (e[10] === 1) src.ocr = true;
    if (typeof e[11] === 'number') src.confidence = e[11];
    out[e[0] as string] = src;
  }
  return out;
}
