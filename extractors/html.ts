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
 *     A table with tables nested inside is a layout table (its cells are rendered as blocks and the inner
 *     tables become grids), unless it has figures of its own and no inner table has any: then the inner
 *     tables are just cell content.
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
  prev?: DomNode | null;
  next?: DomNode | null;
  /**
   * domhandler's source offset, null on every node of a parse made without `withStartIndices` (ours:
   * see extractHtml). This extractor keeps the element's index in document order there (see
   * HtmlExtraction.order): a property of its own, added to every element after construction, costs each
   * element an out-of-object property store (about 5% of a page's extraction time).
   */
  startIndex?: number | null;
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
/** Chrome by id/class: navigation, footers, breadcrumbs (position, 当前位置 dqwz), share/print tools, sidebars,
 * related articles (相关文章 xgwz: other years' reports, whose titles would mislead), search boxes, copyright lines. */
const STRONG_RE =
  /(?:^|[\s_\-]|top|main|sub|left|right|site)(?:nav|menu|foot|breadcrumb|crumb|share|sidebar|copyright|friendlink|related|relate|recommend|pagination)|(?:^|[\s_\-])(?:side|links?|position|location|dqwz|weizhi|xgwz|xglj|tools?|print|search|comments?|pager)(?:$|[\s_\-\d])/;
/** Page header/footer areas by id/class: dropped only outside a content container. */
const WEAK_RE = /(?:^|[\s_\-])(?:top|bottom|header|head|banner|topbar|bottombar|logo)(?:$|[\s_\-\d])/;
/** Main content containers by id/class. */
const CONTENT_RE =
  /content|article|zoom|trs_editor|detail|custom_unionstyle|zhengwen|wenzhang|newstext|(?:^|[\s_\-])(?:main|con|txt|text|zw|nr|view|body)(?:$|[\s_\-\d])/;
/** Title-like elements by id/class. */
const TITLE_RE = /title|(?:^|[\s_\-])(?:tit|biaoti|bt|headline)(?:$|[\s_\-\d])/;
const HIDDEN_STYLE_RE = /display\s*:\s*none|visibility\s*:\s*hidden/i;

/** An element a reader does not see: `style="display:none"` / `visibility:hidden`, or the `hidden` attribute. */
function isHidden(n: DomNode): boolean {
  const a = n.attribs;
  return a !== undefined && (a.hidden !== undefined || (a.style !== undefined && HIDDEN_STYLE_RE.test(a.style)));
}
const CENTER_STYLE_RE = /text-align\s*:\s*center/i;
const BOLD_STYLE_RE = /font-weight\s*:\s*(?:bold|[6-9]00)/i;

/** Elements that start and end a line of text. */
const BLOCK_TAGS = new Set([
  'p', 'div', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'li', 'ul', 'ol', 'dl', 'dt', 'dd', 'table', 'thead', 'tbody',
  'tfoot', 'tr', 'td', 'th', 'caption', 'section', 'article', 'header', 'footer', 'nav', 'aside', 'main',
  'blockquote', 'pre', 'center', 'address', 'hr', 'br', 'fieldset', 'legend', 'figure', 'figcaption', 'form',
  'body', 'html', 'details', 'summary', 'hgroup', 'col', 'colgroup',
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
  if (!hasSpaceOrBreak(s)) return s; // most cell texts: nothing to do, and no new string
  if (s.includes('\n') || s.includes('\r')) s = s.replace(CJK_SEGMENT_BREAK_RE, '$1');
  return s.replace(/[\s\u0001]+/g, ' ').trim();
}

/** Whether `s` has a character `\s` or BREAK matches (or another control character: the slow path decides). */
function hasSpaceOrBreak(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x20 || c === 0xa0 || c === 0x1680 || c === 0x180e || (c >= 0x2000 && c <= 0x200a)) return true;
    if (c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff) return true;
  }
  return false;
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
  const nRows = rows.length;
  const grid: (Cell | undefined)[][] = new Array(nRows);
  for (let r = 0; r < nRows; r++) grid[r] = [];
  const hasOwn = new Uint8Array(nRows);

  for (let r = 0; r < nRows; r++) {
    const line = grid[r]!;
    let col = 0;
    for (const src of rows[r]!) {
      while (line[col] !== undefined) col++;
      let rs = src.rowspan ?? 1;
      let cs = src.colspan ?? 1;
      if (!Number.isInteger(rs) || rs < 0 || rs > 1000) rs = 1;
      if (!Number.isInteger(cs) || cs < 1 || cs > 1000) cs = 1;
      if (rs === 0) rs = nRows - r; // rowspan="0": to the end of the table
      if (rs > nRows - r) rs = nRows - r;
      if (rs * cs - 1 > copiesLeft) {
        clippedSpans++;
        rs = 1;
        cs = 1;
      }
      copiesLeft -= rs * cs - 1;
      line[col] = { text: src.text, where: placed(src.where, r, col) };
      for (let i = 0; i < rs; i++) {
        const target = grid[r + i]!;
        for (let j = i === 0 ? 1 : 0; j < cs; j++) {
          // A position already taken (overlapping spans in broken markup): the earlier cell keeps it.
          if (target[col + j] !== undefined) continue;
          target[col + j] = { text: src.text, where: placed(src.where, r + i, col + j), spanned: true };
        }
      }
      hasOwn[r] = 1;
      col += cs;
    }
  }

  const out: Cell[][] = [];
  for (let r = 0; r < nRows; r++) {
    if (dropEmptyRows && !hasOwn[r]) continue;
    const line = grid[r]!;
    const rowIndex = out.length;
    let table: number | undefined;
    for (let c = 0; c < line.length; c++) {
      const cell = line[c];
      if (cell === undefined) {
        // A hole: padding without a domPath.
        table ??= firstWhere(line)?.table;
        line[c] = { text: '', where: table !== undefined ? { table, row: rowIndex, col: c } : { row: rowIndex, col: c } };
      } else if (rowIndex !== r) {
        cell.where.row = rowIndex;
      }
    }
    out.push(line as Cell[]);
  }
  return { rows: out, clippedSpans };
}

/** A copy of a source cell's `where` at a grid position. */
function placed(w: Where, row: number, col: number): Where {
  // Field by field rather than a spread: this runs once per grid position, and a spread is several times slower.
  const out: Where = {};
  if (w.table !== undefined) out.table = w.table;
  if (w.domPath !== undefined) out.domPath = w.domPath;
  if (w.line !== undefined) out.line = w.line;
  if (w.page !== undefined) out.page = w.page;
  if (w.bbox !== undefined) out.bbox = w.bbox;
  out.row = row;
  out.col = col;
  return out;
}

function firstWhere(line: (Cell | undefined)[]): Where | undefined {
  for (const c of line) if (c) return c.where;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Per-element facts, kept in typed arrays indexed by the element's position in document order (the
// index is stored on the node itself): a 50 MB page has millions of elements, and a Map of objects
// per element costs more in garbage collection than the rest of the work.

const F_NUM = 1;
const F_OTHER = 2;

/** Own decision about chrome: keep, strong chrome (always dropped), weak chrome (dropped outside a content container). */
const KEEP = 0;
const STRONG = 1;
const WEAK = 2;

/** STRONG when STRONG_RE matches a class/id string, else WEAK when WEAK_RE does, else KEEP: remembered (class names repeat). */
function chromeByName(ci: string): number {
  let kind = chromeNames.get(ci);
  if (kind === undefined) {
    if (chromeNames.size >= 5000) chromeNames.clear();
    kind = STRONG_RE.test(ci) ? STRONG : WEAK_RE.test(ci) ? WEAK : KEEP;
    chromeNames.set(ci, kind);
  }
  return kind;
}
const chromeNames = new Map<string, number>();

function classAndId(el: DomNode): string {
  const a = el.attribs;
  if (!a) return '';
  const cls = a.class;
  const id = a.id;
  if (cls === undefined && id === undefined) return '';
  return `${cls ?? ''} ${id ?? ''}`.toLowerCase();
}

/** 件 个 条 項/项 次 元 万: units printed beside figures. */
const UNIT_CHARS = new Set([0x4ef6, 0x4e2a, 0x6761, 0x9879, 0x6b21, 0x5143, 0x4e07]);

/** Scratch results of scanText (no allocation per text node). */
let scanCjk = 0;
let scanFlags = 0;

/** Facts about one text node's characters: returns the visible length, sets scanCjk and scanFlags. */
function scanText(s: string): number {
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
    } else if (c === 0x2e || c === 0x2c || c === 0xff0c || c === 0x25 || c === 0x2b || UNIT_CHARS.has(c)) {
      // punctuation and units a figure may carry (5件, 12.5万元): neither
    } else {
      flags |= F_OTHER;
      if ((c >= 0x3400 && c <= 0x9fff) || (c >= 0xf900 && c <= 0xfaff)) cjk++;
    }
  }
  scanCjk = cjk;
  scanFlags = flags;
  return len;
}

// ---------------------------------------------------------------------------------------------
// The extractor.

export function extractHtml(html: string): ExtractedDoc {
  const problems: Problem[] = [];
  let root: DomNode;
  try {
    // default options: no withStartIndices, so startIndex is free for the extractor's element index (see DomNode)
    root = load(html).root()[0] as unknown as DomNode;
  } catch (err) {
    // htmlparser2 does not throw on markup; this guards against the unexpected (e.g. a non-string).
    problems.push({ code: 'html_parse_failed', message: `The HTML could not be parsed: ${(err as Error).message}` });
    return { kind: 'html', headings: [], text: '', grids: [], problems };
  }
  const doc = new HtmlExtraction(root, problems).run();
  dismantle(root);
  return doc;
}

const NO_ATTRIBS: Record<string, string> = Object.freeze({}) as Record<string, string>;

/**
 * Cuts every link of a parsed tree once the extraction has what it needs (strings, grids: nothing of
 * the DOM leaves extractHtml). The garbage collector meets the tree later, part of it already moved
 * to the old generation (V8 tenures the nodes of a tree that outlives a young collection, or allocates
 * them there outright); every young string, array and node an old node still points to is then kept,
 * copied, and promoted in turn by each young collection until a full one runs. Unlinked, each dies in
 * the first young collection that finds it. One pass over the nodes; measured on the benchmark's
 * pages: extraction 1.93–2.03x → 1.51–1.57x the bare parse (CPU, same runs).
 */
function dismantle(root: DomNode): void {
  const stack: DomNode[] = [root];
  while (stack.length > 0) {
    const n = stack.pop()!;
    const ch = n.children;
    if (ch) {
      for (let i = 0; i < ch.length; i++) stack.push(ch[i]!);
      ch.length = 0;
    }
    if (n.data !== undefined) n.data = '';
    if (n.attribs !== undefined) n.attribs = NO_ATTRIBS;
    n.parent = null;
    if (n.prev !== undefined) n.prev = null;
    if (n.next !== undefined) n.next = null;
  }
}

/** Index of an element in HtmlExtraction.order, or -1 for nodes left out (ALWAYS_DROP subtrees). */
function idx(n: DomNode): number {
  return n.startIndex ?? -1;
}

class HtmlExtraction {
  /** Elements (and the root) in document order; ALWAYS_DROP subtrees left out (<head> kept, for <title>). */
  readonly order: DomNode[] = [];
  /** Chinese characters in the subtree (ALWAYS_DROP aside). */
  cjk!: Int32Array;
  /** Chinese characters in the element's own text children. */
  ownCjk!: Int32Array;
  /** Chinese characters left once chrome is dropped. */
  ecjk!: Int32Array;
  /** Visible characters of text in the subtree. */
  tlen!: Float64Array;
  /** Numeric-looking td/th in the subtree. */
  numCells!: Int32Array;
  /** F_NUM: a digit or zero marker seen in the subtree; F_OTHER: any other visible character seen. */
  flags!: Uint8Array;
  /** <table> elements in the subtree, itself included. */
  tables!: Int32Array;
  /** Data tables with at least 3 numeric cells of their own, in the subtree. */
  reportTables!: Int32Array;
  /** 1 for a <table> rendered as a grid (see computeFacts), 0 for layout tables and other elements. */
  dataTable!: Uint8Array;
  /** Own chrome decision (KEEP/STRONG/WEAK), and the one inherited from ancestors (STRONG wins). */
  drop!: Uint8Array;
  dropInherited!: Uint8Array;
  /** nth-of-type among element siblings, and how many siblings share the tag (0: not computed yet). */
  private nthK!: Int32Array;
  private nthTotal!: Int32Array;
  /** Numeric cells inside tables strictly below each element (computeFacts' scratch). */
  private innerTableNum!: Int32Array;

  /** classAndId of each element, once asked (chrome, content root and headings all look at it). */
  private classAndIds!: (string | undefined)[];

  private title: string | undefined;
  private readonly bodies: DomNode[] = [];
  private readonly pathCache = new Map<DomNode, string>();

  constructor(
    private readonly root: DomNode,
    private readonly problems: Problem[],
  ) {}

  run(): ExtractedDoc {
    this.collect();
    this.computeFacts();
    // Broken pages may have several <body> elements: then the whole document is the base.
    const base = this.bodies.length === 1 ? this.bodies[0]! : this.root;
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
      n.startIndex = this.order.length;
      this.order.push(n);
      const ch = n.children;
      if (!ch) continue;
      for (let i = ch.length - 1; i >= 0; i--) if (isElement(ch[i]!)) stack.push(ch[i]!);
    }
    // One zeroed buffer for every array (each typed array of its own is a separate backing store to
    // allocate and for the GC to track): the Float64 array first, then the Int32 ones, then the bytes.
    const n = this.order.length;
    const buf = new ArrayBuffer(n * (8 + 9 * 4 + 4));
    let at = 0;
    const f64 = () => {
      const a = new Float64Array(buf, at, n);
      at += n * 8;
      return a;
    };
    const i32 = () => {
      const a = new Int32Array(buf, at, n);
      at += n * 4;
      return a;
    };
    const u8 = () => {
      const a = new Uint8Array(buf, at, n);
      at += n;
      return a;
    };
    this.tlen = f64();
    this.cjk = i32();
    this.ownCjk = i32();
    this.ecjk = i32();
    this.numCells = i32();
    this.tables = i32();
    this.reportTables = i32();
    this.nthK = i32();
    this.nthTotal = i32();
    this.innerTableNum = i32();
    this.flags = u8();
    this.dataTable = u8();
    this.drop = u8();
    this.dropInherited = u8();
    this.classAndIds = new Array<string | undefined>(n);
  }

  private classAndIdOf(i: number, el: DomNode): string {
    let ci = this.classAndIds[i];
    if (ci === undefined) {
      ci = classAndId(el);
      this.classAndIds[i] = ci;
    }
    return ci;
  }

  /** Pass B: facts bottom-up (reverse document order visits children before parents). */
  private computeFacts(): void {
    const { cjk, ownCjk, tlen, flags, numCells, tables, reportTables, dataTable } = this;
    /** Numeric cells inside tables strictly below each element (to tell a table's own cells from nested ones). */
    const innerTableNum = this.innerTableNum;
    for (let i = this.order.length - 1; i >= 0; i--) {
      const n = this.order[i]!;
      const name = n.name;
      if (name !== 'head') {
        const ch = n.children;
        if (ch) {
          for (let k = 0; k < ch.length; k++) {
            const c = ch[k]!;
            if (c.type !== 'text') continue;
            tlen[i] += scanText(c.data ?? '');
            ownCjk[i] += scanCjk;
            flags[i] |= scanFlags;
          }
        }
        cjk[i] += ownCjk[i]!;
      }
      if (name === 'td' || name === 'th') {
        if (flags[i] === F_NUM) numCells[i]++;
      } else if (name === 'table') {
        // A data table holds no table, or only small ones inside its cells (no report table among them) while
        // it has figures of its own; any other table holding tables is a layout table.
        const own = numCells[i]! - innerTableNum[i]!;
        if (tables[i] === 0 || (reportTables[i] === 0 && own >= 3)) {
          dataTable[i] = 1;
          if (own >= 3) reportTables[i]++;
        }
        tables[i]++;
      }
      const p = n.parent;
      const pi = p ? idx(p) : -1;
      if (pi >= 0 && name !== 'head') {
        cjk[pi] += cjk[i]!;
        tlen[pi] += tlen[i]!;
        flags[pi] |= flags[i]!;
        numCells[pi] += numCells[i]!;
        tables[pi] += tables[i]!;
        reportTables[pi] += reportTables[i]!;
        innerTableNum[pi] += name === 'table' ? numCells[i]! : innerTableNum[i]!;
      }
    }
  }

  /** Passes C and D: decide what is chrome, then count the Chinese text left once chrome is gone. */
  private markChrome(base: DomNode): void {
    const { cjk, ecjk, ownCjk, drop, dropInherited, reportTables } = this;
    const bi = idx(base);
    const total = bi >= 0 ? cjk[bi]! : 0;
    for (let i = 0; i < this.order.length; i++) {
      const n = this.order[i]!;
      if (n !== this.root && n !== base && n.name !== 'html' && n.name !== 'body') {
        const name = n.name!;
        let kind = KEEP;
        if (STRONG_TAGS.has(name)) kind = STRONG;
        else if (WEAK_TAGS.has(name)) kind = WEAK;
        const hidden = isHidden(n);
        if (n.attribs) {
          const ci = this.classAndIdOf(i, n);
          const byName = ci ? chromeByName(ci) : KEEP;
          if (kind !== STRONG && (byName === STRONG || hidden)) kind = STRONG;
          else if (kind === KEEP && byName === WEAK) kind = WEAK;
        }
        // Never drop report tables, nor a container holding most of the page's text (a class name that looks like
        // chrome on the element wrapping the whole report); hidden elements go whatever they hold but report tables,
        // and a hidden copy of the report tables (a print version) goes when the visible tables are elsewhere.
        if (hidden && reportTables[i]! > 0 && bi >= 0 && reportTables[i]! < reportTables[bi]!) drop[i] = STRONG;
        else if (kind !== KEEP && reportTables[i] === 0) {
          const share = total === 0 ? 0 : cjk[i]! / total;
          if (hidden || (kind === STRONG && share < 0.8) || (kind === WEAK && share < 0.4)) drop[i] = kind;
        }
      }
      const pi = n.parent ? idx(n.parent) : -1;
      const up = pi >= 0 ? dropInherited[pi]! : KEEP;
      dropInherited[i] = up === STRONG || drop[i] === STRONG ? STRONG : up === WEAK || drop[i] === WEAK ? WEAK : KEEP;
    }
    for (let i = this.order.length - 1; i >= 0; i--) {
      const n = this.order[i]!;
      if (n.name === 'head' || drop[i] !== KEEP) {
        ecjk[i] = 0;
        continue;
      }
      ecjk[i] += ownCjk[i]!;
      const pi = n.parent ? idx(n.parent) : -1;
      if (pi >= 0) ecjk[pi] += ecjk[i]!;
    }
  }

  /** The element holding the report: a content-like container, else the chain of children holding most text. */
  private findContentRoot(base: DomNode): DomNode {
    const bi = idx(base);
    if (bi < 0) return base;
    const { ecjk, reportTables, dropInherited, drop } = this;
    const total = ecjk[bi]!;
    const reports = reportTables[bi]!;
    if (total === 0 && reports === 0) return base;

    let best: DomNode | undefined;
    let bestCjk = Infinity;
    for (let i = 0; i < this.order.length; i++) {
      const n = this.order[i]!;
      if (n === base || n === this.root || !n.attribs) continue;
      if (dropInherited[i] !== KEEP || reportTables[i] !== reports || ecjk[i]! < 0.5 * total) continue;
      if (n.name === 'table' || n.name === 'tbody' || n.name === 'tr') continue;
      const ci = this.classAndIdOf(i, n);
      if (!ci || !CONTENT_RE.test(ci)) continue;
      // The tightest qualifying container wins; on a tie the later (deeper) one.
      if (ecjk[i]! <= bestCjk && this.isInside(n, base)) {
        best = n;
        bestCjk = ecjk[i]!;
      }
    }
    if (best) return best;

    // No content-like container: descend while one child holds most of the text and every report table.
    let cur = base;
    for (;;) {
      const ci = idx(cur);
      let next: DomNode | undefined;
      for (const c of cur.children ?? []) {
        const k = idx(c);
        if (k < 0 || drop[k] !== KEEP) continue;
        if (reportTables[k] === reports && ecjk[k]! >= 0.7 * ecjk[ci]! && ecjk[k]! > 0) {
          next = c;
          break;
        }
      }
      // Do not step into a data table: it is rendered as a whole.
      if (!next || this.dataTable[idx(next)] === 1) break;
      cur = next;
    }
    return cur;
  }

  private isInside(n: DomNode, ancestor: DomNode): boolean {
    for (let p: DomNode | null = n; p; p = p.parent) if (p === ancestor) return true;
    return false;
  }

  /** Headings: h1–h4 and title-like elements of the whole page (strong chrome aside), then the content's top lines. */
  private headings(contentLines: string[]): string[] {
    const out: string[] = [];
    const seen = new Set<string>();
    const add = (t: string) => {
      if (t && !seen.has(t) && out.length < 20) {
        seen.add(t);
        out.push(t);
      }
    };
    const { tlen, tables, dropInherited } = this;
    for (let i = 0; i < this.order.length; i++) {
      const n = this.order[i]!;
      if (n === this.root || dropInherited[i] === STRONG || tlen[i] === 0) continue;
      const name = n.name!;
      if (ALWAYS_DROP.has(name)) continue;
      const isHeading = HEADING_TAGS.has(name) && tlen[i]! <= 200;
      let isTitle = false;
      if (!isHeading && n.attribs && tlen[i]! <= 150 && tables[i] === 0) {
        const ci = this.classAndIdOf(i, n);
        isTitle = ci !== '' && TITLE_RE.test(ci);
      }
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
    // Walk up to the nearest cached ancestor (or the top), then build down, caching every level but the last
    // (cells are asked for once; their rows and tables many times).
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
      if (i > 0 || n.name === 'table' || n.name === 'tr') this.pathCache.set(n, path);
      prefix = path;
    }
    return prefix;
  }

  private segment(el: DomNode): string {
    let i = idx(el);
    if (i < 0 || this.nthTotal[i] === 0) {
      // Number every element sibling once, by tag.
      const siblings = el.parent?.children ?? [el];
      const counts = new Map<string, number>();
      for (const s of siblings) {
        if (!isElement(s)) continue;
        const k = (counts.get(s.name!) ?? 0) + 1;
        counts.set(s.name!, k);
        const si = idx(s);
        if (si >= 0) this.nthK[si] = k;
      }
      for (const s of siblings) {
        const si = idx(s);
        if (si >= 0 && isElement(s)) this.nthTotal[si] = counts.get(s.name!)!;
      }
      if (i < 0) {
        // An element outside the facts (never happens for tables and cells): number it directly.
        let k = 0;
        for (const s of siblings) {
          if (isElement(s) && s.name === el.name) k++;
          if (s === el) break;
        }
        return this.formatSegment(el, k, counts.get(el.name!) ?? 1);
      }
    }
    return this.formatSegment(el, this.nthK[i]!, this.nthTotal[i]!);
  }

  private formatSegment(el: DomNode, k: number, total: number): string {
    const name = el.name!;
    const top = !el.parent || el.parent.type === 'root';
    if (!top) return segmentOf(name, total > 1 ? k : 0);
    let seg = tagIdent(name);
    if (!(name === 'html' && total === 1)) seg += ':root';
    if (total > 1) seg += `:nth-of-type(${k})`;
    return seg;
  }
}

/**
 * The path segment of an element below the top: `td`, or `td:nth-of-type(3)` (k > 0). Built once per tag
 * and position (every row of every table asks for the same few): bounded, for pages of made-up tag names.
 */
function segmentOf(name: string, k: number): string {
  let byK = segments.get(name);
  if (byK === undefined) {
    if (segments.size >= 500) segments.clear();
    byK = [];
    segments.set(name, byK);
  }
  let seg = byK[k];
  if (seg === undefined) {
    seg = k > 0 ? `${tagIdent(name)}:nth-of-type(${k})` : tagIdent(name);
    if (k < 2000) byK[k] = seg;
  }
  return seg;
}
const segments = new Map<string, string[]>();

function tagIdent(name: string): string {
  return /^[a-z][a-z0-9-]*$/.test(name) ? name : cssIdent(name);
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
  const top = el.children;
  if (!top || top.length === 0) return '';
  if (top.length === 1 && top[0]!.type === 'text') return top[0]!.data ?? ''; // <td>12</td>
  let out = '';
  const stack: (DomNode | null)[] = [];
  for (let i = top.length - 1; i >= 0; i--) stack.push(top[i]!);
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
    if (skipHidden && isHidden(n)) continue;
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
    // Two parallel stacks (no object per visit): the node, and what to do with it: ENTER, or on the way
    // out EXIT with BOLD/CENTER when it opened them.
    const ENTER = 0;
    const EXIT = 1;
    const BOLD = 2;
    const CENTER = 4;
    const nodes: DomNode[] = [contentRoot];
    const steps: number[] = [ENTER];
    while (nodes.length > 0) {
      const n = nodes.pop()!;
      const step = steps.pop()!;
      if (step & EXIT) {
        if (step & BOLD) this.boldDepth--;
        if (step & CENTER) this.centerDepth--;
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
        const i = idx(n);
        if (i < 0) continue;
        const drop = this.ex.drop[i];
        if (n !== contentRoot && (drop === STRONG || (drop === WEAK && this.skipWeak))) continue;
        if (name === 'br') {
          this.flush();
          continue;
        }
        if (this.ex.dataTable[i] === 1) {
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
      nodes.push(n);
      steps.push(EXIT | (bold ? BOLD : 0) | (center ? CENTER : 0));
      const ch = n.children;
      if (ch) {
        for (let i = ch.length - 1; i >= 0; i--) {
          nodes.push(ch[i]!);
          steps.push(ENTER);
        }
      }
    }
    this.flush();
    return { lines: this.lines, grids: this.grids, headingLines: this.headingLines };
  }

  private push(s: string): void {
    if (!s) return;
    this.pieces.push(s);
    const visible = scanText(s);
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
    /** The <tr> of the current row, or the parent of cells standing outside any <tr> (one row per such run). */
    let currentKey: DomNode | undefined;
    let ownCaption: string | undefined;
    const stack: DomNode[] = [...(t.children ?? [])].reverse();
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (!isElement(n)) continue;
      const name = n.name!;
      if (ALWAYS_DROP.has(name) || name === 'table') continue; // a stray table outside any cell is not ours
      const i = idx(n);
      if (i >= 0 && this.ex.drop[i] === STRONG) continue;
      if (name === 'tr') {
        current = [];
        currentKey = n;
        srcRows.push(current);
      } else if (name === 'td' || name === 'th') {
        let key: DomNode | undefined;
        for (let p = n.parent; p && p !== t; p = p.parent) {
          if (p.name === 'tr') {
            key = p;
            break;
          }
        }
        key ??= n.parent ?? t;
        if (!current || key !== currentKey) {
          current = [];
          currentKey = key;
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
