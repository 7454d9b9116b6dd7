/**
 * DOCX extractor: a Word (Office Open XML) file → ExtractedDoc.
 *
 * The file is a ZIP (read with fflate); `word/document.xml` is parsed with htmlparser2 in XML mode
 * (through `cheerio/slim`) and walked directly, not through an HTML conversion: every cell is placed
 * at its grid column from the table's own layout (`w:gridBefore`, `w:gridSpan`), vertical merges
 * (`w:vMerge` restart/continue) become span copies like an HTML rowspan, so provenance names the
 * table, row and column of the document exactly.
 *
 *  - Paragraphs (`w:p`) are text lines in reading order; a table row is a line of its cells joined by tabs.
 *  - Text is the `w:t` of runs, hyperlinks, fields' results, inserted text and content controls;
 *    deleted text (`w:delText`), field codes (`w:instrText`) and the `mc:Fallback` copy of drawings are not.
 *  - A table nested in a cell is a grid of its own (after the table holding it). A table that holds
 *    tables and has no figures of its own is a layout table: its cells are read as paragraphs.
 *  - Headings: centred or heading-styled short paragraphs near the top, else the first short lines.
 *  - `title`: the document property dc:title (docProps/core.xml), if any.
 */
import { strFromU8 } from 'fflate';
import { LimitError, limitProblem, unzipWithin } from './limits.js';
import { load } from 'cheerio/slim';
import { collapseWhitespace } from './html.js';
import type { Cell, ExtractedDoc, Grid, Problem } from './types.js';

interface XNode {
  type: string;
  name?: string;
  data?: string;
  attribs?: Record<string, string>;
  children?: XNode[];
}

const MAX_CAPTION = 200;

export class DocxError extends Error {}

/** The named entries of a ZIP, or a DocxError saying why it cannot be read. */
export function unzipEntries(bytes: Uint8Array, names: string[]): Record<string, Uint8Array> {
  try {
    // declared sizes and element counts checked before anything is inflated or parsed (extractors/limits.ts)
    return unzipWithin(bytes, (name) => names.includes(name));
  } catch (err) {
    if (err instanceof LimitError) throw err;
    throw new DocxError((err as Error).message);
  }
}

export function parseXml(xml: string): XNode {
  return load(xml, { xml: true }).root()[0] as unknown as XNode;
}

function attr(n: XNode | undefined, name: string): string | undefined {
  return n?.attribs?.[name];
}

function child(n: XNode, name: string): XNode | undefined {
  return n.children?.find((c) => c.name === name);
}

function intAttr(n: XNode | undefined, fallback: number): number {
  const v = Number.parseInt(attr(n, 'w:val') ?? '', 10);
  return Number.isFinite(v) && v >= 1 && v <= 1000 ? v : fallback;
}

/** Wrappers whose children are read as if they stood in the wrapper's place. */
const TRANSPARENT = new Set(['w:sdt', 'w:sdtContent', 'w:customXml', 'w:ins', 'w:moveTo', 'w:smartTag', 'w:hyperlink', 'w:fldSimple', 'w:r', 'w:dir', 'w:bdo']);
/** Subtrees that hold no text of the document as shown. */
const SKIP = new Set(['w:delText', 'w:instrText', 'w:del', 'w:moveFrom', 'mc:Fallback', 'w:rPr', 'w:pPr', 'w:sdtPr', 'w:sdtEndPr', 'w:tcPr', 'w:trPr', 'w:tblPr', 'w:tblGrid', 'w:sectPr']);

/** The text of a paragraph (iterative: no recursion limit on odd nesting). */
function paragraphText(p: XNode): string {
  let out = '';
  const stack: XNode[] = [...(p.children ?? [])].reverse();
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'text') continue; // whitespace between elements (only w:t holds text)
    const name = n.name;
    if (!name || SKIP.has(name)) continue;
    if (name === 'w:t') {
      for (const c of n.children ?? []) if (c.type === 'text') out += c.data ?? '';
    } else if (name === 'w:tab' || name === 'w:ptab') out += '\t';
    else if (name === 'w:br' || name === 'w:cr') out += '\n';
    else if (name === 'w:noBreakHyphen') out += '-';
    else if (n.children) for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]!);
  }
  return out;
}

function isHeadingParagraph(p: XNode): boolean {
  const ppr = child(p, 'w:pPr');
  if (!ppr) return false;
  const jc = attr(child(ppr, 'w:jc'), 'w:val');
  const style = attr(child(ppr, 'w:pStyle'), 'w:val') ?? '';
  return jc === 'center' || /^(?:heading|title|标题)/i.test(style) || child(ppr, 'w:outlineLvl') !== undefined;
}

interface TcInfo {
  col: number;
  span: number;
  /** 'restart' | 'continue' | undefined */
  vMerge?: string;
  text: string;
  node: XNode;
}

/** The children of `n` with one of `names`, looking through wrappers (content controls, custom XML, inserted text). */
function childrenNamed(n: XNode, names: readonly string[]): XNode[] {
  const out: XNode[] = [];
  const walk = (m: XNode) => {
    for (const c of m.children ?? []) {
      if (c.name && names.includes(c.name)) out.push(c);
      else if (c.name && TRANSPARENT.has(c.name)) walk(c);
    }
  };
  walk(n);
  return out;
}

const rowsOf = (tbl: XNode) => childrenNamed(tbl, ['w:tr']);
const cellsOf = (tr: XNode) => childrenNamed(tr, ['w:tc']);
/** Block-level content of a container (body, cell): paragraphs and tables in order. */
const blocksOf = (n: XNode) => childrenNamed(n, ['w:p', 'w:tbl']);

const NUMBER_RE = /^[-+]?[0-9０-９][0-9０-９,，.．]*$/;

class DocxReader {
  lines: string[] = [];
  grids: Grid[] = [];
  headingCandidates: string[] = [];
  firstLines: string[] = [];
  problems: Problem[] = [];
  private lastProse: string | undefined;
  private paragraphs = 0;

  readBlocks(container: XNode, depth: number): void {
    for (const b of blocksOf(container)) {
      if (b.name === 'w:p') this.paragraph(b);
      else this.table(b, depth);
    }
  }

  private paragraph(p: XNode): void {
    const raw = paragraphText(p);
    const t = collapseWhitespace(raw);
    if (!t) return;
    this.lines.push(t);
    this.lastProse = t;
    this.paragraphs++;
    if (this.paragraphs <= 30 && t.length < 80) {
      if (isHeadingParagraph(p)) this.headingCandidates.push(t);
      this.firstLines.push(t);
    }
  }

  /** The text of a cell: its paragraphs (nested tables left out: they are grids of their own). */
  private cellText(tc: XNode): string {
    const parts: string[] = [];
    for (const b of blocksOf(tc)) if (b.name === 'w:p') parts.push(paragraphText(b));
    return collapseWhitespace(parts.join('\n'));
  }

  private table(tbl: XNode, depth: number): void {
    if (depth > 20) {
      this.problems.push({ code: 'docx_nesting', message: 'tables nested more than 20 deep; the inner ones are not read' });
      return;
    }
    const trs = rowsOf(tbl);
    const nested = trs.some((tr) => cellsOf(tr).some((tc) => blocksOf(tc).some((b) => b.name === 'w:tbl')));
    const layout: TcInfo[][] = trs.map((tr) => {
      let col = intAttr(child(child(tr, 'w:trPr') ?? { type: 'tag' }, 'w:gridBefore'), 0);
      return cellsOf(tr).map((tc) => {
        const pr = child(tc, 'w:tcPr');
        const span = intAttr(pr && child(pr, 'w:gridSpan'), 1);
        const vm = pr && child(pr, 'w:vMerge');
        const info: TcInfo = { col, span, vMerge: vm ? (attr(vm, 'w:val') === 'restart' ? 'restart' : 'continue') : undefined, text: this.cellText(tc), node: tc };
        col += span;
        return info;
      });
    });
    if (nested && !layout.some((r) => r.some((c) => NUMBER_RE.test(c.text)))) {
      // a layout table: its cells are the document's content
      for (const r of layout) for (const c of r) this.readBlocks(c.node, depth + 1);
      return;
    }

    const index = this.grids.length + 1;
    const grid: Grid = { index, rows: [], aligned: true, where: { table: index } };
    if (this.lastProse !== undefined && this.lastProse.length <= MAX_CAPTION) grid.caption = this.lastProse;
    this.lastProse = undefined;
    this.grids.push(grid);

    // place each cell at its grid column; a vMerge continue cell copies the origin above it
    const rows: Cell[][] = [];
    const origin = new Map<number, { text: string; span: number; row: number }>();
    layout.forEach((r, ri) => {
      const line: Cell[] = [];
      const put = (col: number, cell: Cell) => {
        while (line.length < col) line.push({ text: '', where: { table: index, row: ri, col: line.length } });
        line[col] = cell;
      };
      for (const c of r) {
        const above = c.vMerge === 'continue' ? origin.get(c.col) : undefined;
        if (above) {
          for (let j = 0; j < c.span; j++) put(c.col + j, { text: above.text, where: { table: index, row: ri, col: c.col + j }, spanned: true });
          continue;
        }
        for (let j = 0; j < c.span; j++) {
          const cell: Cell = { text: c.text, where: { table: index, row: ri, col: c.col + j } };
          if (j > 0) cell.spanned = true;
          put(c.col + j, cell);
        }
        if (c.vMerge === 'restart') origin.set(c.col, { text: c.text, span: c.span, row: ri });
        else origin.delete(c.col);
      }
      rows.push(line);
      this.lines.push(r.filter((c) => c.vMerge !== 'continue').map((c) => c.text).join('\t'));
    });
    grid.rows = rows;

    // nested tables: grids of their own, after this one
    for (const r of layout) for (const c of r) for (const b of blocksOf(c.node)) if (b.name === 'w:tbl') this.table(b, depth + 1);
  }
}

/** dc:title from docProps/core.xml, if any. */
export function coreTitle(entries: Record<string, Uint8Array>, name = 'docProps/core.xml'): string | undefined {
  const core = entries[name];
  if (!core) return undefined;
  const find = (n: XNode): XNode | undefined => (n.name === 'dc:title' ? n : n.children?.map(find).find(Boolean));
  const node = find(parseXml(strFromU8(core)));
  const t = collapseWhitespace((node?.children ?? []).map((c) => c.data ?? '').join(''));
  return t || undefined;
}

export function extractDocx(bytes: Uint8Array): ExtractedDoc {
  const fail = (message: string): ExtractedDoc => ({
    kind: 'docx', headings: [], text: '', grids: [], problems: [{ code: 'docx_corrupt', message }],
  });
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipEntries(bytes, ['word/document.xml', 'docProps/core.xml']);
  } catch (err) {
    if (err instanceof LimitError) return { kind: 'docx', headings: [], text: '', grids: [], problems: [limitProblem(err)] };
    return fail(`the Word (DOCX) file cannot be read: ${(err as Error).message}`);
  }
  const xml = entries['word/document.xml'];
  if (!xml) return fail('the Word (DOCX) file cannot be read: it has no word/document.xml');
  const root = parseXml(strFromU8(xml));
  const doc = root.children?.find((c) => c.name === 'w:document');
  const body = doc && child(doc, 'w:body');
  if (!body) return fail('the Word (DOCX) file cannot be read: word/document.xml has no w:document/w:body');
  const r = new DocxReader();
  r.readBlocks(body, 0);
  const headings = (r.headingCandidates.length ? r.headingCandidates : r.firstLines).slice(0, 5);
  const out: ExtractedDoc = { kind: 'docx', headings, text: r.lines.join('\n'), grids: r.grids, problems: r.problems };
  const title = coreTitle(entries);
  if (title) out.title = title;
  return out;
}
