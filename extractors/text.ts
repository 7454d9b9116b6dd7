/**
 * Text extractor: text copied out of a web page (or a .txt report) → ExtractedDoc.
 *
 * Tables survive such a copy as lines whose cells are separated by tabs (empty cells kept as empty
 * fields), or, in text typed or converted by other tools, by runs of two or more spaces or ideographic
 * spaces. Colspans are lost, so grids are not aligned (`aligned: false`): a row's cells are in order.
 *
 * Decisions the mapper relies on:
 *  - A table block is a run of tab lines (a tab after the line's first visible character: tabs that only
 *    indent a paragraph do not count); blank lines (tabs-only lines included) inside it are skipped, they do
 *    not end the block when the next non-blank line is a tab line again. Any other line ends the block.
 *  - Caption lines copied with trailing tabs (`第二十条第（一）项\t\t\t`) are tab lines: they stay rows of the
 *    grid, as a row whose first cell holds the caption and whose other cells are empty.
 *  - The non-blank prose line just before a block (e.g. `三、收到和处理政府信息公开申请情况`, or a
 *    `第二十条第（X）项` copied without tabs) becomes the grid's `caption` when shorter than 200 characters.
 *  - Every field of a tab line is a cell, empty ones included, and that includes the trailing empty cell
 *    a trailing tab produces: nothing is dropped, so cell indexes are the field indexes of the line.
 *  - Space-separated tables (see findSpaceBlocks): fields are split on runs of 2+ spaces, ideographic spaces
 *    or no-break spaces in any mix (a single space stays inside the cell); leading and trailing whitespace
 *    of such a line is indentation, not an empty cell, so empty cells cannot be seen and are absent.
 *  - `where.line` is the 1-based line number, `where.row` the 0-based row in the grid, `where.col` the
 *    0-based field index.
 */
import type { Cell, ExtractedDoc, Grid } from './types.js';

/** Whitespace inside a cell collapsed to one space, trimmed. Nothing else is changed. */
function cellText(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** Fields of a space-separated line, or undefined if it has fewer than 2. */
function spaceFields(line: string): string[] | undefined {
  const t = line.trim();
  if (!t) return undefined;
  const parts = t.split(/[ \u00a0\u3000]{2,}/);
  return parts.length >= 2 ? parts : undefined;
}

const MAX_CAPTION = 200;

/**
 * A line of a tab-separated table: a tab after its first visible character. Tabs that only indent a line
 * (`\t本年度，我局…`) make a paragraph, not a row; a line of nothing but tabs is blank.
 */
function isTabLine(line: string): boolean {
  const i = line.search(/[^\s]/);
  return i >= 0 && line.indexOf('\t', i) >= 0;
}

/** A field that is a plain number (a figure cell). */
const NUMBER_FIELD_RE = /^[-+]?[0-9０-９][0-9０-９,，.．]*$/;

/**
 * Space-separated table blocks, by first line index: runs of lines without tabs that split into ≥ 2 fields.
 * A run is a table when at least two of its lines have ≥ 3 fields and it has digits ("strong"); once the
 * document has such a table, shorter runs (the small Article 20 tables: `行政许可      3532`) count too when
 * they have ≥ 2 lines and a field that is a plain number.
 */
function findSpaceBlocks(lines: string[]): Map<number, string[][]> {
  const runs: { start: number; fields: string[][]; strong: boolean; weak: boolean }[] = [];
  let i = 0;
  while (i < lines.length) {
    if (isTabLine(lines[i]!) || !spaceFields(lines[i]!)) {
      i++;
      continue;
    }
    const start = i;
    const fields: string[][] = [];
    while (i < lines.length && !isTabLine(lines[i]!)) {
      const f = spaceFields(lines[i]!);
      if (!f) break;
      fields.push(f);
      i++;
    }
    const wide = fields.filter((f) => f.length >= 3).length;
    const digits = fields.some((f) => f.some((c) => /[0-9０-９]/.test(c)));
    const numberField = fields.some((f) => f.some((c) => NUMBER_FIELD_RE.test(c)));
    runs.push({ start, fields, strong: fields.length >= 2 && wide >= 2 && digits, weak: fields.length >= 2 && numberField });
  }
  const anyStrong = runs.some((r) => r.strong);
  const out = new Map<number, string[][]>();
  for (const r of runs) if (r.strong || (anyStrong && r.weak)) out.set(r.start, r.fields);
  return out;
}

export function extractText(input: string): ExtractedDoc {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const lines = text.split(/\r\n|\n|\r/);
  const grids: Grid[] = [];

  /** The last non-blank prose line seen since the previous table block, with its line number. */
  let lastProse: string | undefined;

  const startGrid = (firstLine: number): Grid => {
    const index = grids.length + 1;
    const grid: Grid = { index, rows: [], aligned: false, where: { table: index, line: firstLine } };
    if (lastProse !== undefined && lastProse.length <= MAX_CAPTION) grid.caption = lastProse;
    grids.push(grid);
    lastProse = undefined;
    return grid;
  };
  const addRow = (grid: Grid, fields: string[], lineNo: number) => {
    const row = grid.rows.length;
    const cells: Cell[] = fields.map((f, col) => ({ text: cellText(f), where: { table: grid.index, row, col, line: lineNo } }));
    grid.rows.push(cells);
  };

  const spaceBlocks = findSpaceBlocks(lines);
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (isTabLine(line)) {
      // A tab block: tab lines, with blank lines allowed between them.
      const grid = startGrid(i + 1);
      while (i < lines.length) {
        const l = lines[i]!;
        if (isTabLine(l)) {
          addRow(grid, l.split('\t'), i + 1);
          i++;
          continue;
        }
        if (l.trim() === '') {
          let j = i + 1;
          while (j < lines.length && lines[j]!.trim() === '') j++;
          if (j < lines.length && isTabLine(lines[j]!)) {
            i = j;
            continue;
          }
        }
        break;
      }
      continue;
    }

    // A space-separated block found beforehand.
    const block = spaceBlocks.get(i);
    if (block) {
      const grid = startGrid(i + 1);
      block.forEach((f, k) => addRow(grid, f, i + 1 + k));
      i += block.length;
      continue;
    }

    const t = cellText(line);
    if (t) lastProse = t;
    i++;
  }

  // Headings: the first short non-blank prose lines.
  const headings: string[] = [];
  let nonBlank = 0;
  for (const l of lines) {
    if (headings.length >= 5 || nonBlank >= 20) break;
    const t = cellText(l);
    if (!t) continue;
    nonBlank++;
    if (!isTabLine(l) && t.length < 80) headings.push(t);
  }

  return { kind: 'text', headings, text, grids, problems: [] };
}
