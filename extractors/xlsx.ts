/**
 * XLSX extractor: a spreadsheet (Office Open XML, read with exceljs) → ExtractedDoc.
 *
 * Each visible sheet's used range is cut into tables and prose: a table is a run of rows with two or
 * more filled cells (merged ranges count as filled over their whole width); a row with one short
 * filled cell inside such a run (a label whose figures are blank) stays in it. A row with a single
 * filled cell outside a table is a line of prose (a report pasted into a sheet keeps its paragraphs
 * in column A); the last one before a table is its caption. Merged cells (`A1:C1`) become span copies
 * like an HTML colspan/rowspan, so grids are aligned. Provenance: `where.sheet`, `where.table`, and
 * the 0-based `row`/`col` in the grid, plus the cell's address in the sheet (`where.cell`-like, in
 * domPath: `Sheet1!B7`).
 *
 * XLS and ET (Kingsoft) files are converted to XLSX by LibreOffice first (src/convert.ts); every
 * spreadsheet form is report kind `xlsx`.
 */
// exceljs is loaded when the first spreadsheet comes (it costs ~40 ms to load, and most runs read none)
import type ExcelJS from 'exceljs';
import { collapseWhitespace } from './html.js';
import type { Cell, ExtractedDoc, Grid, Problem } from './types.js';
import { LimitError, limitProblem, unzipWithin } from './limits.js';

const MAX_CAPTION = 200;
/** A single filled cell this short inside a table is a row label, not prose. */
const SHORT_LABEL = 40;
/** Cells read per sheet at most (a sheet whose used range is a million rows by mistake). */
const MAX_CELLS = 2_000_000;

interface SheetCell {
  text: string;
  address: string;
  /** A copy of a merged range's master. */
  spanned: boolean;
}

function cellText(c: ExcelJS.Cell): string {
  let t: string;
  try {
    t = c.text ?? '';
  } catch {
    t = String(c.value ?? '');
  }
  return collapseWhitespace(String(t));
}

export async function extractXlsx(bytes: Uint8Array): Promise<ExtractedDoc> {
  const problems: Problem[] = [];
  try {
    // every entry's declared size, its inflated size and its XML element count, within the budget, before
    // exceljs (JSZip) inflates the whole archive (extractors/limits.ts); the inflated copies are let go
    unzipWithin(bytes, null);
  } catch (err) {
    const problem = err instanceof LimitError ? limitProblem(err) : { code: 'xlsx_corrupt', message: `the spreadsheet (XLSX) cannot be read: ${(err as Error).message}` };
    return { kind: 'xlsx', headings: [], text: '', grids: [], problems: [problem] };
  }
  const { default: excel } = await import('exceljs');
  const wb = new excel.Workbook();
  try {
    await wb.xlsx.load(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length) as unknown as ExcelJS.Buffer);
  } catch (err) {
    return {
      kind: 'xlsx', headings: [], text: '', grids: [],
      problems: [{ code: 'xlsx_corrupt', message: `the spreadsheet (XLSX) cannot be read: ${(err as Error).message}` }],
    };
  }
  const grids: Grid[] = [];
  const lines: string[] = [];
  const firstLines: string[] = [];

  for (const ws of wb.worksheets) {
    if (ws.state && ws.state !== 'visible') continue;
    const rowCount = ws.rowCount;
    const colCount = ws.columnCount;
    if (rowCount * colCount > MAX_CELLS) {
      problems.push({ code: 'xlsx_sheet_too_large', message: `sheet ${ws.name}: ${rowCount} × ${colCount} cells, more than ${MAX_CELLS}; not read` });
      continue;
    }
    const sheet: SheetCell[][] = [];
    for (let r = 1; r <= rowCount; r++) {
      const row = ws.getRow(r);
      const line: SheetCell[] = [];
      for (let c = 1; c <= colCount; c++) {
        const cell = row.getCell(c);
        const spanned = cell.isMerged && cell.master.address !== cell.address;
        line.push({ text: spanned ? cellText(cell.master) : cellText(cell), address: cell.address, spanned });
      }
      sheet.push(line);
    }
    cutSheet(ws.name, sheet, grids, lines, firstLines);
  }
  const headings = firstLines.filter((l) => l.length < 80).slice(0, 5);
  return { kind: 'xlsx', headings, text: lines.join('\n'), grids, problems };
}

/** How many cells of a row are filled (merged copies included). */
function filled(row: SheetCell[]): number {
  let n = 0;
  for (const c of row) if (c.text !== '') n++;
  return n;
}

function cutSheet(name: string, sheet: SheetCell[][], grids: Grid[], lines: string[], firstLines: string[]): void {
  let lastProse: string | undefined;
  let r = 0;
  const wide = (i: number) => i < sheet.length && filled(sheet[i]!) >= 2;
  const labelRow = (i: number) => {
    const row = sheet[i];
    if (!row || filled(row) !== 1) return false;
    const only = row.find((c) => c.text !== '')!;
    return only.text.length <= SHORT_LABEL;
  };
  while (r < sheet.length) {
    if (!wide(r)) {
      const t = sheet[r]!.filter((c) => c.text !== '' && !c.spanned).map((c) => c.text).join(' ');
      if (t) {
        lines.push(t);
        lastProse = t;
        if (firstLines.length < 20) firstLines.push(t);
      }
      r++;
      continue;
    }
    // a table: wide rows, and short single-label rows between wide rows
    const start = r;
    let end = r;
    while (end + 1 < sheet.length && (wide(end + 1) || (labelRow(end + 1) && (wide(end + 2) || labelRow(end + 2))))) end++;
    const block = sheet.slice(start, end + 1);
    // the block's columns: from the first to the last filled one
    let c0 = Infinity;
    let c1 = -1;
    for (const row of block) {
      row.forEach((c, i) => {
        if (c.text !== '') {
          c0 = Math.min(c0, i);
          c1 = Math.max(c1, i);
        }
      });
    }
    const index = grids.length + 1;
    const rows: Cell[][] = block.map((row, ri) =>
      row.slice(c0, c1 + 1).map((c, ci) => {
        const cell: Cell = { text: c.text, where: { table: index, sheet: name, row: ri, col: ci, domPath: `${name}!${c.address}` } };
        if (c.spanned) cell.spanned = true;
        return cell;
      }),
    );
    const grid: Grid = { index, rows, aligned: true, where: { table: index, sheet: name, domPath: `${name}!${block[0]![c0]!.address}` } };
    if (lastProse !== undefined && lastProse.length <= MAX_CAPTION) grid.caption = lastProse;
    lastProse = undefined;
    grids.push(grid);
    for (const row of rows) lines.push(row.filter((c) => !c.spanned).map((c) => c.text).join('\t'));
    r = end + 1;
  }
}
