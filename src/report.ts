/** The canonical report object: what `nianbao extract --json` prints and what storage receives. Validated with zod at the boundaries. */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { PlaceSchema } from './places/place.js';

export const WhereSchema = z.object({
  table: z.number().int().optional(),
  row: z.number().int().optional(),
  col: z.number().int().optional(),
  domPath: z.string().optional(),
  line: z.number().int().optional(),
  page: z.number().int().optional(),
  bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]).optional(),
  /** Office files: the sheet (XLSX) a cell is in. */
  sheet: z.string().optional(),
  /** Embedded images (an `<img>` table in a page, an image inside a PDF or DOCX): which image, by URL or name. */
  image: z.string().optional(),
});

export const ProblemSchema = z.object({
  code: z.string(),
  message: z.string(),
  where: z.string().optional(),
});

export const CheckStatus = z.enum(['pass', 'fail', 'warn', 'skipped']);
export type CheckStatus = z.infer<typeof CheckStatus>;

export const CheckSchema = z.object({
  /** Stable id, e.g. `requests.balance.total`. */
  id: z.string(),
  status: CheckStatus,
  expected: z.number().nullable(),
  actual: z.number().nullable(),
  keys: z.array(z.string()),
  /** Why a check was skipped, or a sentence explaining a failure. */
  reason: z.string().optional(),
  /** Prose checks: the sentence quoted as evidence. */
  evidence: z.string().optional(),
});
export type Check = z.infer<typeof CheckSchema>;

/** Where a figure came from: the text as printed and its place in the source. */
export const FigureSourceSchema = z.object({
  /** The cell's text as printed ('' for a blank cell). */
  text: z.string(),
  /** True when the cell was blank or a zero marker (—, -, /, 无): the value 0 was not printed as a digit. */
  blank: z.boolean(),
  /** Canonical table: 2 (Article 20), 3 (requests), 4 (review and litigation). */
  table: z.number().int(),
  /** The grid (1-based, document order) the cell is in. */
  grid: z.number().int(),
  row_label: z.string(),
  col_label: z.string(),
  where: WhereSchema,
  /** True when the cell was read by OCR from an image (a scanned page, a table picture). */
  ocr: z.boolean().optional(),
  /** OCR: the engine's confidence for the cell's text, 0..1. */
  confidence: z.number().optional(),
  /** OCR: true when the value is not what OCR read but the only reading every check agrees with (src/ocr-misread.ts). */
  ocr_corrected: z.boolean().optional(),
  /** OCR, when corrected: the value OCR read (`text` is its text). */
  ocr_read: z.number().nullable().optional(),
  /** OCR: other readings that would make the failed checks pass, when none is the only one (the OCR reading is kept). */
  ocr_alternatives: z.array(z.number()).optional(),
});
export type FigureSource = z.infer<typeof FigureSourceSchema>;

export const ReportStatus = z.enum(['ok', 'partial', 'no_tables', 'legacy', 'not_a_report', 'unsupported_format', 'error']);
export type ReportStatus = z.infer<typeof ReportStatus>;

export const ReportKind = z.enum(['html', 'pdf', 'text', 'docx', 'doc', 'wps', 'xlsx', 'image']);
export type ReportKind = z.infer<typeof ReportKind>;

export const ReportSchema = z.object({
  source: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  status: ReportStatus,
  version: z.enum(['2019', '2021', 'legacy']).nullable(),
  agency: z.string().nullable(),
  year: z.number().int().nullable(),
  title: z.string().nullable(),
  region: z.string().nullable(),
  source_url: z.string().nullable(),
  /** The form the figures were read from. */
  kind: ReportKind.nullable(),
  /** True when the figures (some or all) were read by OCR from images. */
  ocr: z.boolean().optional(),
  figures: z.record(z.string(), z.number().nullable()),
  checks: z.array(CheckSchema),
  problems: z.array(ProblemSchema),
  provenance: z.record(z.string(), FigureSourceSchema),
  /** The report's place in the administrative divisions (src/places/), when it names an agency. */
  place: PlaceSchema.optional(),
});
export type Report = z.infer<typeof ReportSchema>;

/**
 * The report as cli.md prints it: its keys in contract order (source … problems), then ours (region,
 * source_url, kind, provenance); a check or problem carries only the fields it has. Anything else the
 * object holds (a database id, columns of the reports table) is left out.
 */
export function inContractOrder(r: Report): Report {
  return {
    source: r.source,
    sha256: r.sha256,
    status: r.status,
    version: r.version,
    agency: r.agency,
    year: r.year,
    title: r.title,
    figures: r.figures,
    checks: r.checks.map((c) => {
      const o: Check = { id: c.id, status: c.status, expected: c.expected, actual: c.actual, keys: c.keys };
      if (c.reason !== undefined) o.reason = c.reason;
      if (c.evidence !== undefined) o.evidence = c.evidence;
      return o;
    }),
    problems: r.problems.map((p) =>
      p.where === undefined ? { code: p.code, message: p.message } : { code: p.code, message: p.message, where: p.where },
    ),
    region: r.region,
    source_url: r.source_url,
    kind: r.kind,
    // whether figures were read by OCR from images (a scan, a picture of a table): always said
    ocr: r.ocr === true,
    provenance: r.provenance,
    ...(r.place !== undefined ? { place: r.place } : {}),
  };
}

/** The hex SHA-256 of a document's bytes: its identity in the report, the blobs and the database. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
