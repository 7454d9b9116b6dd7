/**
 * The types every extractor shares: a document becomes table grids with provenance.
 * Extractors know nothing of SQLite or the CLI; they turn bytes (already decoded where
 * that applies) into an ExtractedDoc, and labels.ts maps its grids to canonical keys.
 */

/** Where something was in the source, so an auditor can find it. */
export interface Where {
  /** 1-based index of the table (grid) in the document. */
  table?: number;
  /** 0-based row and column in the expanded grid. */
  row?: number;
  col?: number;
  /** HTML: a CSS-like path to the element, e.g. `body>div:nth-of-type(2)>table:nth-of-type(1)>tr:nth-of-type(5)>td:nth-of-type(3)` */
  domPath?: string;
  /** Text: 1-based line number. */
  line?: number;
  /** PDF: 1-based page number and bounding box [x0, y0, x1, y1] in PDF points, origin top-left of the page. */
  page?: number;
  bbox?: [number, number, number, number];
  /** Office files: the sheet (XLSX) a cell is in. */
  sheet?: string;
  /** Embedded images (an `<img>` table in a page, an image inside a PDF or DOCX): which image, by URL or name. */
  image?: string;
}

export interface Cell {
  /** The cell's text as printed, whitespace runs collapsed to one space and trimmed. Never normalised further. */
  text: string;
  where: Where;
  /** True for the copies made when a rowspan/colspan (or a merged PDF cell) is expanded; the origin cell has it false/absent. */
  spanned?: boolean;
  /** OCR: the engine's confidence for this cell's text (0..1); absent for text that was not OCR'd. */
  confidence?: number;
  /** OCR: likely alternative readings of the text, best first (for the misread analysis). */
  alternatives?: string[];
}

export interface Grid {
  /** 1-based, in document order. */
  index: number;
  /** Text just before the table (a caption or heading such as 第二十条第（一）项), if any. */
  caption?: string;
  /** Rows after span expansion. Rows may be ragged. */
  rows: Cell[][];
  /**
   * True when column positions are meaningful across rows (HTML with spans expanded, PDF rebuilt from positions).
   * False for text copies, where a row's cells are in order but colspans were lost: the mapper then assigns a
   * row's value cells to the header's data columns in order.
   */
  aligned: boolean;
  where: Where;
}

export interface Problem {
  /** Stable machine code, e.g. `cell_unreadable`, `decode_replacement_chars`, `pdf_no_text_layer`. */
  code: string;
  /** A sentence for a person. */
  message: string;
  /** Where, for a person: "table 3, row 予以公开, column 自然人", "page 4", "line 88". */
  where?: string;
}

export type DocKind = 'html' | 'pdf' | 'text' | 'docx' | 'doc' | 'wps' | 'xlsx' | 'image';

/** What an extractor returns for one document. */
export interface ExtractedDoc {
  kind: DocKind;
  /** The page title (<title>) or the PDF's title metadata, if any. */
  title?: string;
  /** Headings near the top of the document, in order (h1-h3, bold centred paragraphs, a text file's first lines). */
  headings: string[];
  /** The document's text in reading order (prose and tables), one paragraph or table row per line. Used for metadata and prose checks. */
  text: string;
  grids: Grid[];
  problems: Problem[];
  /** PDF: number of pages. */
  pages?: number;
  /** True when some of the grids' text was read by OCR from images. */
  ocr?: boolean;
}
