/**
 * HTML extractor: a decoded HTML page → ExtractedDoc (title, headings, text in reading order, and one
 * Grid per data table with rowspan/colspan expanded and provenance down to the <td>).
 *
 * Parsing is htmlparser2 (through `cheerio/slim`): lenient, never throws on broken markup, and keeps
 * the source structure (no implied <tbody>), so the domPaths here are valid cheerio/css-select selectors
 * for the same markup parsed the same way.
 *
 * Every pass over the tree is iterative (deeply nested junk such as thousands of unclosed <font> tags
 * must not overflow the stack) and linear: per-element facts are computed once, bottom-up, and cell
 * texts are computed per cell (cells are disjoint), so a 50 MB page costs a few passes over its nodes.
 *
 * Steps:
 *  1. Facts per element, bottom-up: Chinese characters, text length, numeric cells, data tables holding
 *     figures ("report tables"), tables.
 *  2. Chrome to drop: script/style/…, always; nav/footer/menu/breadcrumb/share/sidebar/copyright or hidden
 *     elements ("strong"), and header/top/bottom/banner/form ("weak", dropped only when no content container
 *     was found): never an element holding a report table, nor one holding much of the page's Chinese text.
 *  3. The content root: the tightest container with a content-like id/class (content, article, zoom,
 *     TRS_Editor, main, detail…) holding every report table and at least half of the page's Chinese text,
 *     else the chain of children holding most of the text, else <body>.
 *  4. Render the content root: lines of text (blocks, table rows with cells joined by tabs) and grids.
 *     A table with tables nested inside is a layout table: its cells are rendered as blocks and the inner
 *     tables become grids.
 */
import { load } from 'cheerio/slim';
import type { Cell, ExtractedDoc, Grid, Problem, Where } from './types.js';

// ---------------------------------------------------------------------------------------------
// DOM access: a structural view of the domhandler nodes htmlparser2 produces.

interface DomNode {
  type: string; // 'root' | 'tag' | 'script' | 'style' | 'text' | 'comment' | 'directive' | 'cdata'
  name?: string;
  data?: string;
  attribs?: Record<string, string>;
  children?: DomNode[];
  parent: DomNode | null;
}

function isElement(n: DomNode): boolean {
  return n.type === 'tag' || n.type === 'script' || n.type === 'style';
}

/** Elements never rendered: no report content lives in them. */
const ALWAYS_DROP = new Set([
  'script', 'style', 'noscript', 'iframe', 'frame', 'frameset', 'template', 'object', 'embed', 'svg', 'math',
  'canvas', 'select', 'option', 'button', 'textarea', 'input', 'head', 'title', 'map', 'audio', 'video', 'xml',
]);
/** Chrome by tag name. */
const STRONG_TAGS = new Set(['nav', 'footer', 'aside', 'menu']);
const WEAK_TAGS = new Set(['header', 'form']);
/** Chrome by id/class: navigation, footers, breadcrumbs, share buttons, sidebars, copyright lines. */
const STRONG_RE =
  /(?:^|[\s_\-]|top|main|sub|left|right|site)(?:nav|menu|foot|breadcrumb|crumb|share|sidebar|copyright|friendlink)|(?:^|[\s_\-])(?:side|links?|position|location|dqwz|weizhi)(?:$|[\s_\-\d])/;
/** Page header/footer areas by id/class: dropped only outside a content container. */
const WEAK_RE = /(?:^|[\s_\-])(?:top|bottom|header|head|banner|topbar|bottombar|logo)(?:$|[\s_\-\d])/;
/** Main content containers by id/class. */
const CONTENT_RE =
  /content|article|zoom|trs_editor|detail|custom_unionstyle|zhengwen|wenzhang|newstext|(?:^|[\s_\-])(?:main|con|txt|text|zw|nr|view|body)(?:$|[\s_\-\d])/;
/** Title-like elements by id/class. */
const TITLE_RE = /title|(?:^|[\s_\-])(?:tit|biaoti|bt|headline)(?:$|[\s_\-\d])/;
const HIDDEN_STYLE_RE = /display\s*:\s*none|visibility\s*:\s*hidden/i;
const CENTER_STYLE_RE = /text-align\s*:\s*center/i;
const BOLD_STYLE_RE = /font-weight\s*:\s*(?:bold|[6-9]00)/i;

/** Elements that start and end a line of text. */
const BLOCK_TAGS = new Set([
  'p', 'div', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'li', 'ul', 'ol', 'dl', 'dt', 'dd', 'table', 'thead', 'tbody',
  'tfoot', 'tr', 'td', 'th', 'caption', 'section', 'article', 'header', 'footer', 'nav', 'aside', 'main',
  'blockquote', 'pre', 'center', 'address', 'hr', 'br', 'fieldset', 'legend', 'figure', 'figcaption', 'form',
  'body', 'html', 'details', 'summary', 'hgroup', 'tr', 'col', 'colgroup',
]);
const HEADING_TAGS = new Set(['h1', 'h2', 'h3', 'h4']);
const BOLD_TAGS = new Set(['b', 'strong', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'th']);

/** Sentinel for a block boundary inside a string being built (becomes a space or a line break). */
const BREAK = '\u0001';

// ---------------------------------------------------------------------------------------------
// Whitespace.

const CJK = '\u3001-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef';
/** A source line break between two CJK characters disappears (CSS Text segment break rule); Word breaks long lines anywhere. */
const CJK_SEGMENT_BREAK_RE = new RegExp(`([${CJK}])[ \\t]*[\\r\\n]+[ \\t]*(?=[${CJK}])`, 'g');

/** Text as printed: segment breaks between CJK removed, block breaks and whitespace runs (incl. &nbsp;, U+3000) → one space, trimmed. */
export function collapseWhitespace(s: string): string {
  if (s.includes('\n') || s.includes('\r')) s = s.replace(CJK_SEGMENT_BREAK_RE, '$1');
  return s.replace(/[\s\u0001]+/g, ' ').trim();
}

// ---------------------------------------------------------------------------------------------
// Span expansion.

/** A table cell as written in the source, before span expansion. */
export interface SourceCell {
  text: string;
  rowspan?: number;
  colspan?: number;
  where: Where;
}

export interface ExpandOptions {
  /** Drop grid rows that hold no cell of their own (an empty <tr>, or a row made only of rowspan copies). Default true. */
  dropEmptyRows?: boolean;
  /** Expansion may add at most this many copies; spans beyond it are read as 1. Default 1,000,000. */
  maxCopies?: number;
}

/** A span attribute as a number: missing, invalid, < 1 or > 1000 → 1 (0 for rowspan means "to the end", handled by the caller). */
export function parseSpan(value: string | undefined): number {
  if (value === undefined) return 1;
  const n = Number.parseInt(value.trim(), 10);
  if (!Number.isFinite(n) || n < 1 || n > 1000) return 1;
  return n;
}

/**
 * The HTML table algorithm: place each source cell at the first free column of its row (columns taken by a
 * rowspan from a row above push it right), then fill the rows and columns its spans cover with copies
 * (`spanned: true`, same text, `where` of the origin with the copy's own row/col). Rowspans are clipped at
 * the last row. Holes left inside a row (a row shorter than a rowspan to its right) are filled with empty
 * cells without a domPath. Returns the grid and how many spans were ignored to stay within `maxCopies`.
 */
export function expandTable(rows: SourceCell[][], opts: ExpandOptions = {}): { rows: Cell[][]; clippedSpans: number } {
  const dropEmptyRows = opts.dropEmptyRows ?? true;
  let copiesLeft = opts.maxCopies ?? 1_000_000;
  let clippedSpans = 0;
  const grid: (Cell | undefined)[][] = rows.map(() => []);
  const hasOwn: boolean[] = rows.map(() => false);

  for (let r = 0; r < rows.length; r++) {
    const line = grid[r]!;
    let col = 0;
    for (const src of rows[r]!) {
      while (line[col] !== undefined) col++;
      let rs = src.rowspan ?? 1;
      let cs = src.colspan ?? 1;
      if (!Number.isInteger(rs) || rs < 0 || rs > 1000) rs = 1;
      if (!Number.isInteger(cs) || cs < 1 || cs > 1000) cs = 1;
      if (rs === 0) rs = rows.length - r; // rowspan="0": to the end of the table
      rs = Math.min(rs, rows.length - r);
      if (rs * cs - 1 > copiesLeft) {
        clippedSpans++;
        rs = 1;
        cs = 1;
      }
      copiesLeft -= rs * cs - 1;
      for (let i = 0; i < rs; i++) {
        const target = grid[r + i]!;
        for (let j = 0; j < cs; j++) {
          const where: Where = { ...src.where, row: r + i, col: col + j };
          // A position already taken (overlapping spans in broken markup): the earlier cell keeps it.
          if (target[col + j] !== undefined) continue;
          target[col + j] = i === 0 && j === 0 ? { text: src.text, where } : { text: src.text, where, spanned: true };
        }
      }
      hasOwn[r] = true;
      col += cs;
    }
  }

  const out: Cell[][] = [];
  for (let r = 0; r < grid.length; r++) {
    if (dropEmptyRows && !hasOwn[r]) continue;
    const line = grid[r]!;
    const rowIndex = out.length;
    const cells: Cell[] = new Array(line.length);
    for (let c = 0; c < line.length; c++) {
      const cell = line[c];
      if (cell === undefined) {
        const base = firstWhere(line);
        cells[c] = { text: '', where: { ...(base?.table !== undefined ? { table: base.table } : {}), row: rowIndex, col: c } };
      } else {
        if (cell.where.row !== rowIndex) cell.where.row = rowIndex;
        cells[c] = cell;
      }
    }
    out.push(cells);
  }
  return { rows: out, clippedSpans };
}

function firstWhere(line: (Cell | undefined)[]): Where | undefined {
  for (const c of line) if (c) return c.where;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Per-element facts.

interface Info {
  /** Chinese characters in the subtree (everything but ALWAYS_DROP). */
  cjk: number;
  /** Chinese characters left once chrome is dropped. */
  ecjk: number;
  /** Characters of text in the subtree. */
  tlen: number;
  /** Numeric-looking td/th in the subtree. */
  numCells: number;
  /** bit 1: a digit or zero marker seen; bit 2: any other visible character seen. */
  flags: number;
  /** <table> elements in the subtree, itself included. */
  tables: number;
  /** Data tables (no nested table) with at least 3 numeric cells, in the subtree. */
  reportTables: number;
  /** 0 keep, 1 strong chrome (dropped), 2 weak chrome (dropped outside a content container). Own decision. */
  drop: 0 | 1 | 2;
  /** Dropped, by itself or by an ancestor: 0, 1 or 2 (strong wins). */
  dropInherited: 0 | 1 | 2;
}

const F_NUM = 1;
const F_OTHER = 2;

function classAndId(el: DomNode): string {
  const a = el.attribs;
  if (!a) return '';
  const cls = a.class ?? '';
  const id = a.id ?? '';
  return cls || id ? `${cls} ${id}`.toLowerCase() : '';
}

/** Facts about one text node's characters. */
function scanText(s: string): { cjk: number; flags: number; len: number } {
  let cjk = 0;
  let flags = 0;
  let len = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x20 || c === 0xa0 || c === 0x3000) continue;
    len++;
    if ((c >= 0x30 && c <= 0x39) || (c >= 0xff10 && c <= 0xff19) || c === 0x2d || c === 0x2014 || c === 0x2013 || c === 0xff0d || c === 0x2f || c === 0xff0f || c === 0x65e0 /* 无 */) {
      flags |= F_NUM;
      if (c === 0x65e0) cjk++;
    } else if (c === 0x2e || c === 0x2c || c === 0xff0c || c === 0x25 || c === 0x2b) {
      // punctuation a number may carry: neither
    } else {
      flags |= F_OTHER;
      if ((c >= 0x3400 && c <= 0x9fff) || (c >= 0xf900 && c <= 0xfaff)) cjk++;
    }
  }
  return { cjk, flags, len };
}

// ---------------------------------------------------------------------------------------------
// The extractor.

export function extractHtml(html: string): ExtractedDoc {
  const problems: Problem[] = [];
  let root: DomNode;
  try {
    root = load(html).root()[0] as unknown as DomNode;
  } catch (err) {
    // htmlparser2 does not throw on markup; this guards against the unexpected (e.g. a non-string).
    problems.push({ code: 'html_parse_failed', message: `The HTML could not be parsed: ${(err as Error).message}` });
    return { kind: 'html', headings: [], text: '', grids: [], problems };
  }
  return new HtmlExtraction(root, problems).run();
}

class HtmlExtraction {
  private readonly info = new Map<DomNode, Info>();
  /** Elements (and the root) in document order, ALWAYS_DROP subtrees left out except <title>'s parent <head>. */
  private readonly order: DomNode[] = [];
  private title: string | undefined;
  private bodies: DomNode[] = [];
  private readonly pathCache = new Map<DomNode, string>();
  private readonly nthCache = new Map<DomNode, { k: number; total: number }>();

  constructor(
    private readonly root: DomNode,
    private readonly problems: Problem[],
  ) {}

  run(): ExtractedDoc {
    this.collect();
    this.computeFacts();
    const base = this.bodies[0] ?? this.root;
    this.markChrome(base);
    const contentRoot = this.findContentRoot(base);
    const skipWeak = contentRoot === base || contentRoot === this.root || contentRoot.name === 'html';
    const rendered = new Renderer(this, skipWeak).render(contentRoot);
    const headings = this.headings(rendered.headingLines);
    const doc: ExtractedDoc = {
      kind: 'html',
      headings,
      text: rendered.lines.join('\n'),
      grids: rendered.grids,
      problems: this.problems,
    };
    if (this.title !== undefined) doc.title = this.title;
    return doc;
  }

  addProblem(p: Problem): void {
    this.problems.push(p);
  }

  getInfo(n: DomNode): Info | undefined {
    return this.info.get(n);
  }

  /** Pass A: elements in document order (iterative pre-order), the <title> text, the <body> elements. */
  private collect(): void {
    const stack: DomNode[] = [this.root];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (n !== this.root) {
        const name = n.name!;
        if (name === 'title' && this.title === undefined) {
          const t = collapseWhitespace(textOf(n, false));
          if (t) this.title = t;
        }
        if (name === 'body') this.bodies.push(n);
        if (ALWAYS_DROP.has(name) && name !== 'head') continue;
      }
      this.order.push(n);
      const ch = n.children;
      if (!ch) continue;
      for (let i = ch.length - 1; i >= 0; i--) if (isElement(ch[i]!)) stack.push(ch[i]!);
    }
  }

  /** Pass B: facts bottom-up (reverse document order visits children before parents). */
  private computeFacts(): void {
    for (const n of this.order) {
      this.info.set(n, { cjk: 0, ecjk: 0, tlen: 0, numCells: 0, flags: 0, tables: 0, reportTables: 0, drop: 0, dropInherited: 0 });
    }
    for (let i = this.order.length - 1; i >= 0; i--) {
      const n = this.order[i]!;
      const inf = this.info.get(n)!;
      const name = n.name;
      if (name !== 'head') {
        for (const c of n.children ?? []) {
          if (c.type === 'text') {
            const s = scanText(c.data ?? '');
            inf.cjk += s.cjk;
            inf.tlen += s.len;
            inf.flags |= s.flags;
          }
        }
      }
      if (name === 'td' || name === 'th') {
        if (inf.flags === F_NUM) inf.numCells++;
      } else if (name === 'table') {
        inf.tables++;
        if (inf.tables === 1 && inf.numCells >= 3) inf.reportTables++;
      }
      const p = n.parent;
      const pi = p ? this.info.get(p) : undefined;
      if (pi && name !== 'head') {
        pi.cjk += inf.cjk;
        pi.tlen += inf.tlen;
        pi.flags |= inf.flags;
        pi.numCells += inf.numCells;
        pi.tables += inf.tables;
        pi.reportTables += inf.reportTables;
      }
    }
  }

  /** Pass C and D: decide what is chrome, then the Chinese text left once chrome is gone. */
  private markChrome(base: DomNode): void {
    const total = this.info.get(base)?.cjk ?? 0;
    for (const n of this.order) {
      const inf = this.info.get(n)!;
      const parentInf = n.parent ? this.info.get(n.parent) : undefined;
      if (n !== this.root && n !== base && n.name !== 'html' && n.name !== 'body') {
        const name = n.name!;
        const ci = classAndId(n);
        let kind: 0 | 1 | 2 = 0;
        if (STRONG_TAGS.has(name) || (ci && STRONG_RE.test(ci)) || HIDDEN_STYLE_RE.test(n.attribs?.style ?? '')) kind = 1;
        else if (WEAK_TAGS.has(name) || (ci && WEAK_RE.test(ci))) kind = 2;
        // Never drop report tables, nor a container holding much of the page's text.
        if (kind !== 0 && inf.reportTables === 0 && (total === 0 || inf.cjk < 0.4 * total)) inf.drop = kind;
      }
      const up = parentInf?.dropInherited ?? 0;
      inf.dropInherited = up === 1 || inf.drop === 1 ? 1 : up === 2 || inf.drop === 2 ? 2 : 0;
    }
    for (let i = this.order.length - 1; i >= 0; i--) {
      const n = this.order[i]!;
      if (n.name === 'head') continue;
      const inf = this.info.get(n)!;
      if (inf.drop !== 0) {
        inf.ecjk = 0;
        continue;
      }
      // own text
      for (const c of n.children ?? []) if (c.type === 'text') inf.ecjk += scanText(c.data ?? '').cjk;
      const pi = n.parent ? this.info.get(n.parent) : undefined;
      if (pi) pi.ecjk += inf.ecjk;
    }
  }

  /** The element holding the report: a content-like container, else the chain of children holding most text. */
  private findContentRoot(base: DomNode): DomNode {
    const bi = this.info.get(base);
    if (!bi) return base;
    const total = bi.ecjk;
    const reports = bi.reportTables;
    if (total === 0 && reports === 0) return base;

    let best: DomNode | undefined;
    let bestCjk = Infinity;
    for (const n of this.order) {
      if (n === base || n === this.root) continue;
      const inf = this.info.get(n)!;
      if (inf.dropInherited !== 0) continue;
      if (inf.reportTables !== reports || inf.ecjk < 0.5 * total) continue;
      if (n.name === 'table' || n.name === 'tbody' || n.name === 'tr') continue;
      const ci = classAndId(n);
      if (!ci || !CONTENT_RE.test(ci)) continue;
      // The tightest qualifying container wins; on a tie the later (deeper) one.
      if (inf.ecjk <= bestCjk && this.isInside(n, base)) {
        best = n;
        bestCjk = inf.ecjk;
      }
    }
    if (best) return best;

    // No content-like container: descend while one child holds (nearly) everything.
    let cur = base;
    for (;;) {
      const ci = this.info.get(cur)!;
      let next: DomNode | undefined;
      for (const c of cur.children ?? []) {
        if (!isElement(c)) continue;
        const inf = this.info.get(c);
        if (!inf || inf.drop !== 0) continue;
        if (inf.reportTables === reports && inf.ecjk >= 0.7 * ci.ecjk && inf.ecjk > 0) {
          next = c;
          break;
        }
      }
      if (!next) break;
      // Do not step into a data table: it is rendered as a whole.
      if (next.name === 'table' && this.info.get(next)!.tables === 1) break;
      cur = next;
    }
    return cur;
  }

  private isInside(n: DomNode, ancestor: DomNode): boolean {
    for (let p: DomNode | null = n; p; p = p.parent) if (p === ancestor) return true;
    return false;
  }

  /** Headings: h1–h4 and title-like elements of the whole page (chrome aside), then the content's top lines. */
  private headings(contentLines: string[]): string[] {
    const out: string[] = [];
    const seen = new Set<string>();
    const add = (t: string) => {
      if (t && !seen.has(t) && out.length < 20) {
        seen.add(t);
        out.push(t);
      }
    };
    for (const n of this.order) {
      if (n === this.root) continue;
      const inf = this.info.get(n)!;
      if (inf.dropInherited === 1) continue;
      const name = n.name!;
      if (ALWAYS_DROP.has(name)) continue;
      const isHeading = HEADING_TAGS.has(name) && inf.tlen <= 200;
      const ci = isHeading ? '' : classAndId(n);
      const isTitle = !isHeading && ci !== '' && TITLE_RE.test(ci) && inf.tlen > 0 && inf.tlen <= 150 && inf.tables === 0;
      if (isHeading || isTitle) add(collapseWhitespace(textOf(n, true)));
    }
    for (const l of contentLines) add(l);
    return out;
  }

  // ---- domPath ------------------------------------------------------------------------------

  /** A css-select path that finds exactly this element in the document (nth-of-type where a tag repeats). */
  domPath(el: DomNode): string {
    const cached = this.pathCache.get(el);
    if (cached !== undefined) return cached;
    // Walk up to the nearest cached ancestor (or the top), then build down, caching every level.
    const chain: DomNode[] = [];
    let p: DomNode | null = el;
    while (p && p.type !== 'root' && !this.pathCache.has(p)) {
      chain.push(p);
      p = p.parent;
    }
    let prefix = p && p.type !== 'root' ? this.pathCache.get(p)! : '';
    for (let i = chain.length - 1; i >= 0; i--) {
      const n = chain[i]!;
      let path: string;
      if (n.name === 'body' && this.bodies.length === 1) path = 'body';
      else {
        const seg = this.segment(n);
        path = prefix ? `${prefix}>${seg}` : seg;
      }
      this.pathCache.set(n, path);
      prefix = path;
    }
    return prefix;
  }

  private segment(el: DomNode): string {
    let nth = this.nthCache.get(el);
    if (!nth) {
      const siblings = el.parent?.children ?? [el];
      const counts = new Map<string, number>();
      const mine: DomNode[] = [];
      for (const s of siblings) {
        if (!isElement(s)) continue;
        const k = (counts.get(s.name!) ?? 0) + 1;
        counts.set(s.name!, k);
        this.nthCache.set(s, { k, total: 0 });
        mine.push(s);
      }
      for (const s of mine) this.nthCache.get(s)!.total = counts.get(s.name!)!;
      nth = this.nthCache.get(el)!;
    }
    const name = el.name!;
    let seg = cssIdent(name);
    const top = !el.parent || el.parent.type === 'root';
    if (top && !(name === 'html' && nth.total === 1)) seg += ':root';
    if (nth.total > 1) seg += `:nth-of-type(${nth.k})`;
    return seg;
  }
}

/** A tag name as a CSS identifier (`o:p` → `o\:p`). */
function cssIdent(name: string): string {
  return name.replace(/[^a-zA-Z0-9_-]/g, (ch) => `\\${ch}`);
}

/**
 * Raw text of a subtree, iteratively: text nodes concatenated, <br> and block elements as BREAK sentinels,
 * ALWAYS_DROP elements and comments skipped. With `skipHidden`, display:none elements are skipped too.
 */
function textOf(el: DomNode, skipHidden: boolean): string {
  let out = '';
  const stack: (DomNode | null)[] = [...(el.children ?? [])].reverse();
  while (stack.length > 0) {
    const n = stack.pop();
    if (n === null) {
      out += BREAK; // end of a block
      continue;
    }
    if (!n) continue;
    if (n.type === 'text') {
      out += n.data ?? '';
      continue;
    }
    if (!isElement(n)) continue;
    const name = n.name!;
    if (ALWAYS_DROP.has(name)) continue;
    if (skipHidden && HIDDEN_STYLE_RE.test(n.attribs?.style ?? '')) continue;
    if (name === 'br' || name === 'hr') {
      out += BREAK;
      continue;
    }
    const block = BLOCK_TAGS.has(name);
    if (block) {
      out += BREAK;
      stack.push(null);
    }
    const ch = n.children;
    if (ch) for (let i = ch.length - 1; i >= 0; i--) stack.push(ch[i]!);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Rendering: lines and grids in reading order.

interface Rendered {
  lines: string[];
  grids: Grid[];
  /** Short lines near the top of the content that look like headings. */
  headingLines: string[];
}

/** Longest text taken as a table's caption from the block before it. */
const MAX_CAPTION = 200;
/** How many lines at the top of the content are looked at for headings. */
const HEADING_WINDOW = 30;

class Renderer {
  private readonly lines: string[] = [];
  private readonly grids: Grid[] = [];
  private readonly headingLines: string[] = [];
  private pieces: string[] = [];
  /** Visible characters pushed on the current line, and how many of them were bold / centred. */
  private chars = 0;
  private boldChars = 0;
  private centerChars = 0;
  private boldDepth = 0;
  private centerDepth = 0;
  /** The last non-empty line of prose since the previous table: the caption candidate. */
  private lastBlock: string | undefined;
  private proseLines = 0;
  private shortLinesTaken = 0;

  constructor(
    private readonly ex: HtmlExtraction,
    private readonly skipWeak: boolean,
  ) {}

  render(contentRoot: DomNode): Rendered {
    type Frame = { n: DomNode; exit: boolean; bold: boolean; center: boolean };
    const stack: Frame[] = [{ n: contentRoot, exit: false, bold: false, center: false }];
    while (stack.length > 0) {
      const f = stack.pop()!;
      const n = f.n;
      if (f.exit) {
        if (f.bold) this.boldDepth--;
        if (f.center) this.centerDepth--;
        if (BLOCK_TAGS.has(n.name!)) this.flush();
        continue;
      }
      if (n.type === 'text') {
        this.push(n.data ?? '');
        continue;
      }
      if (!isElement(n) && n.type !== 'root') continue;
      const name = n.name ?? '';
      if (n.type !== 'root') {
        if (ALWAYS_DROP.has(name)) continue;
        const inf = this.ex.getInfo(n);
        if (!inf) continue;
        if (n !== contentRoot && (inf.drop === 1 || (inf.drop === 2 && this.skipWeak))) continue;
        if (name === 'br') {
          this.flush();
          continue;
        }
        if (name === 'table' && inf.tables === 1) {
          this.flush();
          this.table(n);
          continue;
        }
      }
      const style = n.attribs?.style ?? '';
      const align = (n.attribs?.align ?? '').toLowerCase();
      const bold = BOLD_TAGS.has(name) || BOLD_STYLE_RE.test(style);
      const center = name === 'center' || align === 'center' || CENTER_STYLE_RE.test(style);
      if (BLOCK_TAGS.has(name)) this.flush();
      if (bold) this.boldDepth++;
      if (center) this.centerDepth++;
      stack.push({ n, exit: true, bold, center });
      const ch = n.children;
      if (ch) for (let i = ch.length - 1; i >= 0; i--) stack.push({ n: ch[i]!, exit: false, bold: false, center: false });
    }
    this.flush();
    return { lines: this.lines, grids: this.grids, headingLines: this.headingLines };
  }

  private push(s: string): void {
    if (!s) return;
    this.pieces.push(s);
    const visible = scanText(s).len;
    this.chars += visible;
    if (this.boldDepth > 0) this.boldChars += visible;
    if (this.centerDepth > 0) this.centerChars += visible;
  }

  /** End the current line: prose lines become caption candidates and, near the top, heading candidates. */
  private flush(): void {
    if (this.pieces.length === 0) return;
    const line = collapseWhitespace(this.pieces.join(''));
    const emphasised = this.chars > 0 && (this.boldChars === this.chars || this.centerChars === this.chars);
    this.pieces = [];
    this.chars = this.boldChars = this.centerChars = 0;
    if (!line) return;
    this.lines.push(line);
    this.lastBlock = line;
    if (this.proseLines < HEADING_WINDOW && line.length < 80) {
      if (emphasised) this.headingLines.push(line);
      else if (this.shortLinesTaken < 3) {
        this.headingLines.push(line);
        this.shortLinesTaken++;
      }
    }
    this.proseLines++;
  }

  /** A data table (no table nested inside): its rows, span-expanded, become a grid; its rows become lines. */
  private table(t: DomNode): void {
    const index = this.grids.length + 1;
    const srcRows: SourceCell[][] = [];
    let current: SourceCell[] | undefined;
    let ownCaption: string | undefined;
    const stack: DomNode[] = [...(t.children ?? [])].reverse();
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (!isElement(n)) continue;
      const name = n.name!;
      if (ALWAYS_DROP.has(name)) continue;
      const inf = this.ex.getInfo(n);
      if (inf && inf.drop === 1) continue;
      if (name === 'tr') {
        current = [];
        srcRows.push(current);
      } else if (name === 'td' || name === 'th') {
        if (!current) {
          current = [];
          srcRows.push(current);
        }
        const a = n.attribs ?? {};
        const rowspanRaw = a.rowspan;
        let rowspan = parseSpan(rowspanRaw);
        if (rowspanRaw !== undefined && rowspanRaw.trim() === '0') rowspan = 0;
        current.push({
          text: collapseWhitespace(textOf(n, true)),
          rowspan,
          colspan: parseSpan(a.colspan),
          where: { table: index, domPath: this.ex.domPath(n) },
        });
        continue; // the cell's content is its text
      } else if (name === 'caption') {
        const c = collapseWhitespace(textOf(n, true));
        if (c) ownCaption = ownCaption ? `${ownCaption} ${c}` : c;
        continue;
      }
      const ch = n.children;
      if (ch) for (let i = ch.length - 1; i >= 0; i--) stack.push(ch[i]!);
    }

    const { rows, clippedSpans } = expandTable(srcRows);
    if (clippedSpans > 0) {
      this.ex.addProblem({
        code: 'html_spans_clipped',
        message: `Table ${index}: ${clippedSpans} rowspan/colspan attributes were ignored because expanding them would create too many cells`,
        where: `table ${index}`,
      });
    }
    // Lines of text: the caption, then each row's own cells joined by tabs.
    if (ownCaption) this.lines.push(ownCaption);
    for (const r of srcRows) {
      const line = r.map((c) => c.text).join('\t');
      if (line.trim()) this.lines.push(line);
    }
    if (rows.length === 0) {
      this.lastBlock = ownCaption;
      return;
    }
    const preceding = this.lastBlock && this.lastBlock.length <= MAX_CAPTION ? this.lastBlock : undefined;
    const caption = [preceding, ownCaption].filter(Boolean).join('\n');
    const grid: Grid = { index, rows, aligned: true, where: { table: index, domPath: this.ex.domPath(t) } };
    if (caption) grid.caption = caption;
    this.grids.push(grid);
    this.lastBlock = undefined;
  }
}
