/**
 * CSV cells for every export (export --format csv, --what findings, the review page's CSV link):
 * RFC 4180 quoting, and no formula a spreadsheet would run. A scraped agency or title may begin with
 * `=`, `+`, `-` or `@` (or a tab or carriage return, which some spreadsheets strip before reading a
 * formula): such a text cell is written with a leading apostrophe (`'=HYPERLINK(…)`), which
 * spreadsheets show as text (OWASP, "CSV Injection"). A cell that is a number (`-3`, `+5`, `-1.25e3`)
 * is left as it is, whether it came as a number or as text.
 */

/** A number as a spreadsheet reads one: -3, +5, 1.25, .5, -1e3. */
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
/** What a spreadsheet may read as the start of a formula. */
const FORMULA_START = /^[=+\-@\t\r]/;

/** `s` as a spreadsheet should show it: with a leading apostrophe when it would otherwise start a formula. */
export function spreadsheetText(s: string): string {
  return FORMULA_START.test(s) && !NUMBER.test(s) ? `'${s}` : s;
}

/** One CSV field, RFC 4180, safe from formula injection. */
export function csvField(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'number' ? String(v) : spreadsheetText(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One CSV record, CRLF-terminated. */
export function csvLine(fields: (string | number | null | undefined)[]): string {
  return fields.map(csvField).join(',') + '\r\n';
}
