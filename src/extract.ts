/**
 * The pipeline for one document: bytes → decoded document → grids → canonical report → checks.
 * Never throws: a document that cannot be read is a report with status `error` and problems that say why.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { sniffKind, sniffFormat, decodeBytes } from './decode.js';
import { extractHtml } from '../extractors/html.js';
import { extractText } from '../extractors/text.js';
import { extractPdf } from '../extractors/pdf.js';
import { addImageTables, extractImage, imageSources } from '../extractors/image.js';
import { readOffice } from './convert.js';
import { mapGrids, type MappedTables } from '../extractors/labels.js';
import { readMetadata } from '../extractors/metadata.js';
import type { ExtractedDoc, Problem } from '../extractors/types.js';
import { LIMIT_CODE, LimitError, checkHtml, limitProblem } from '../extractors/limits.js';
import { runChecks } from './checks.js';
import { resolveMisreads, unconfirmedReadings } from './ocr-misread.js';
import { narrativeChecks } from './narrative.js';
import { placeReport } from './places/index.js';
import { sha256Hex, type Report, type ReportStatus } from './report.js';
import { allKeys, type Version } from './keys.js';

export interface ExtractOptions {
  /** A path or URL, as the user named the document. */
  source: string;
  /** The URL the bytes were fetched from, if any. */
  url?: string;
  /** The HTTP Content-Type, if any: its charset is used when decoding. */
  contentType?: string;
  /** How long a PDF may take to read before it is given up as `error` (default 120 s). */
  pdfTimeoutMs?: number;
  /** How long a LibreOffice conversion (DOC, WPS, XLS, ET) may take (default 60 s). */
  convertTimeoutMs?: number;
  /** The LibreOffice executable (default `soffice` on the PATH). */
  soffice?: string;
  /**
   * The images of an HTML page (absolute URL, or the `src` as written → bytes), for pages whose
   * tables are pictures. Plain data (structured-clone-able: extraction may run in a worker). For a
   * local HTML file, images missing here are read from files relative to it.
   */
  resources?: Record<string, Uint8Array>;
}

const PDF_TIMEOUT_MS = 120_000;

/**
 * A PDF whose reading never settles (pdfjs waiting on something a hostile or broken file never
 * gives) must not hold up a batch: after `ms` it is given up with a problem.
 */
async function readPdf(bytes: Uint8Array, ms: number): Promise<ExtractedDoc> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<ExtractedDoc>((resolve) => {
    timer = setTimeout(
      () =>
        resolve({
          kind: 'pdf',
          headings: [],
          text: '',
          grids: [],
          problems: [{ code: 'pdf_timeout', message: `the PDF could not be read within ${Math.round(ms / 1000)} s; given up` }],
        }),
      ms,
    );
    timer.unref();
  });
  try {
    return await Promise.race([extractPdf(bytes), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export interface ExtractResult {
  report: Report;
  /** The document's text in reading order (for prose checks); '' when it could not be read. */
  text: string;
  doc: ExtractedDoc | null;
}

/** Problems from an extractor that mean the document could not be read at all. */
const FATAL = new Set([
  'pdf_encrypted', 'pdf_corrupt', 'pdf_timeout', 'empty_document', 'not_a_document', 'extract_failed',
  'docx_corrupt', 'xlsx_corrupt', 'convert_failed', 'convert_timeout', 'convert_unavailable', 'image_corrupt',
  // a limit of the document's budget met (extractors/limits.ts): the message names it
  LIMIT_CODE,
]);

export { sha256Hex };

/**
 * Problems of a document given up for a passing cause (memory or time under load, a worker that died, a
 * conversion that did not finish): its report is not stored as a lasting error under its sha256, so a
 * later `ingest` tries it again.
 */
export const PASSING_CAUSES = new Set(['worker_crashed', 'worker_out_of_memory', 'extract_timeout', 'convert_timeout', 'pdf_timeout']);

/** The report was given up for a passing cause (see PASSING_CAUSES). */
export function failedForPassingCause(report: Pick<Report, 'status' | 'problems'>): boolean {
  return report.status === 'error' && report.problems.some((p) => PASSING_CAUSES.has(p.code));
}

/**
 * A report with nothing read from the document: status `error`, no figures; `problems` says why.
 * The one constructor for the reports of documents that could not be read, extracted or finished
 * (extraction's starting point, the pool's dead or timed-out task, `nianbao extract`'s unreadable source).
 */
export function errorReport(bytes: Uint8Array, opts: { source: string; url?: string }, problems: Report['problems'] = []): Report {
  return {
    source: opts.source,
    sha256: sha256Hex(bytes),
    status: 'error',
    version: null,
    agency: null,
    year: null,
    title: null,
    figures: {},
    checks: [],
    problems,
    region: null,
    source_url: opts.url ?? (/^https?:\/\//i.test(opts.source) ? opts.source : null),
    kind: null,
    ocr: false,
    provenance: {},
  };
}

export async function extractBytes(bytes: Uint8Array, opts: ExtractOptions): Promise<Report> {
  return (await extractDocument(bytes, opts)).report;
}

export async function extractDocument(bytes: Uint8Array, opts: ExtractOptions): Promise<ExtractResult> {
  const base = errorReport(bytes, opts);
  let doc: ExtractedDoc;
  /** The grids' mapping when it was already made (a page with pictures, whose tables were looked for first). */
  let mapped: MappedTables | undefined;
  try {
    const kind = sniffKind(bytes, opts.contentType, opts.source);
    if (kind === 'empty') {
      base.problems.push({ code: 'empty_document', message: 'the document is empty (no bytes, or only white space)' });
      return { report: base, text: '', doc: null };
    }
    if (kind === 'binary') {
      // a picture told only by its name or Content-Type, in none of the formats OCR decodes (JPEG, PNG,
      // TIFF, GIF, WebP, BMP are kind image): kept with its bytes, status unsupported_format
      if (sniffFormat(bytes, opts.contentType, opts.source) === 'image') {
        base.status = 'unsupported_format';
        base.kind = 'image';
        base.problems.push({ code: 'unsupported_format', message: 'an image file in a format that is not read (not JPEG, PNG, TIFF, GIF, WebP or BMP); the bytes are kept' });
        return { report: base, text: '', doc: null };
      }
      base.problems.push({
        code: 'not_a_document',
        message: 'the bytes are neither HTML, PDF nor text (binary data); nothing could be read',
      });
      return { report: base, text: '', doc: null };
    }
    if (kind === 'ofd') {
      base.status = 'unsupported_format';
      base.problems.push({
        code: 'unsupported_format',
        message: 'an OFD file (the Chinese fixed-layout format): its contents are not read; the bytes are kept',
      });
      return { report: base, text: '', doc: null };
    }
    base.kind = kind === 'xls' || kind === 'et' ? 'xlsx' : kind; // every spreadsheet form is kind xlsx
    const decodeProblems: Problem[] = [];
    if (kind === 'docx' || kind === 'xlsx' || kind === 'doc' || kind === 'wps' || kind === 'xls' || kind === 'et') {
      doc = await readOffice(kind, bytes, { convertTimeoutMs: opts.convertTimeoutMs, soffice: opts.soffice });
    } else if (kind === 'pdf') {
      doc = await readPdf(bytes, opts.pdfTimeoutMs ?? PDF_TIMEOUT_MS);
    } else if (kind === 'image') {
      doc = await extractImage(bytes);
    } else {
      const decoded = decodeBytes(bytes, { contentType: opts.contentType, kind });
      decodeProblems.push(...decoded.problems);
      if (kind === 'html') checkHtml(decoded.text); // element count and nesting, before the parser builds a tree
      doc = kind === 'html' ? extractHtml(decoded.text) : extractText(decoded.text);
      if (kind === 'html') ({ doc, mapped } = await withImageTables(doc, decoded.text, opts));
    }
    doc.problems.unshift(...decodeProblems);
  } catch (err) {
    if (err instanceof LimitError) {
      base.problems.push(limitProblem(err));
      return { report: base, text: '', doc: null };
    }
    base.problems.push({
      code: 'extract_failed',
      message: `the document could not be read: ${err instanceof Error ? err.message : String(err)}`,
    });
    return { report: base, text: '', doc: null };
  }
  return { report: buildReport(base, doc, opts, mapped), text: doc.text, doc };
}

/** The largest image file read from beside a local HTML page. */
const MAX_LOCAL_IMAGE = 30 * 1024 * 1024;

/**
 * A report page without the template's tables in its markup but with pictures: the pictures (from
 * `opts.resources`, or for a local file from files beside it) are read by OCR for their tables.
 * Returns the mapping of the page's own grids when it stands (no picture added tables), so it is not made twice.
 */
async function withImageTables(
  doc: ExtractedDoc,
  html: string,
  opts: ExtractOptions,
): Promise<{ doc: ExtractedDoc; mapped?: MappedTables }> {
  const srcs = imageSources(html);
  if (!srcs.length) return { doc };
  const mapped = mapGrids(doc.grids);
  const found = mapped.found;
  if (found.art20 && found.requests && found.litigation) return { doc, mapped };
  const base = opts.url ?? (/^https?:\/\//i.test(opts.source) ? opts.source : undefined);
  const images: { src: string; bytes: Uint8Array }[] = [];
  for (const src of srcs) {
    let abs: string | undefined;
    try {
      abs = base ? new URL(src, base).href : undefined;
    } catch {
      abs = undefined;
    }
    let bytes = opts.resources?.[src] ?? (abs ? opts.resources?.[abs] : undefined);
    if (!bytes && !base && !/^[a-z][a-z0-9+.-]*:/i.test(src)) bytes = await readBeside(opts.source, src);
    if (bytes) images.push({ src, bytes });
  }
  if (!images.length) return { doc, mapped };
  const withImages = await addImageTables(doc, images);
  return withImages.grids === doc.grids ? { doc: withImages, mapped } : { doc: withImages };
}

/** An image a local HTML file names by a relative path, read from beside the file (never above its folder). */
async function readBeside(htmlPath: string, src: string): Promise<Uint8Array | undefined> {
  let rel: string;
  try {
    rel = decodeURIComponent(src.replace(/[?#].*$/, ''));
  } catch {
    return undefined;
  }
  const dir = path.dirname(path.resolve(htmlPath));
  const file = path.resolve(dir, rel.replace(/^\/+/, ''));
  if (!file.startsWith(dir + path.sep)) return undefined;
  try {
    const st = await stat(file);
    if (!st.isFile() || st.size > MAX_LOCAL_IMAGE) return undefined;
    return new Uint8Array(await readFile(file));
  } catch {
    return undefined;
  }
}

/**
 * The report's place in the divisions (src/places/), from the agency's name, the title and the text;
 * it follows the other keys in the JSON. A report that names no agency, or is not a report, has none.
 */
function withPlace(report: Report, text: string): Report {
  if (!report.agency || report.status === 'not_a_report') return report;
  const { place, problem } = placeReport({ agency: report.agency, title: report.title, text });
  report.place = place;
  if (problem) report.problems.push(problem);
  return report;
}

/**
 * The template's figures (of the report's version and form of （六）其他处理) that were not read: keys
 * with no cell in the document (a table, row or column not found), cells an aligned grid lacks, and
 * cells that could not be read as numbers (null). A cell printed blank is read (as 0).
 */
export function unreadFigures(
  figures: Record<string, number | null>,
  mapped: Pick<MappedTables, 'lost' | 'otherAsOneRow'>,
  version: Version,
): { total: number; of: number; absent: string[]; lost: string[]; unreadable: string[] } {
  const keys = allKeys(version, mapped.otherAsOneRow);
  const lostSet = new Set(mapped.lost);
  const absent: string[] = [];
  const lost: string[] = [];
  const unreadable: string[] = [];
  for (const k of keys) {
    if (!(k in figures)) absent.push(k);
    else if (figures[k] === null) unreadable.push(k);
    else if (lostSet.has(k)) lost.push(k);
  }
  return { total: absent.length + lost.length + unreadable.length, of: keys.length, absent, lost, unreadable };
}

/**
 * From an extracted document to the canonical report: metadata, mapping, status, checks. `mapped`:
 * mapGrids(doc.grids) when the caller has made it already (used once: its objects become the report's).
 */
export function buildReport(base: Report, doc: ExtractedDoc, opts: ExtractOptions, mapped?: MappedTables): Report {
  const report: Report = { ...base, kind: doc.kind, problems: [...base.problems, ...doc.problems] };
  if (doc.ocr) report.ocr = true;
  if (doc.problems.some((p) => FATAL.has(p.code))) {
    report.status = 'error';
    return report;
  }
  const meta = readMetadata(doc, { url: opts.url });
  report.agency = meta.agency;
  report.year = meta.year;
  report.title = meta.title;
  report.region = meta.region;
  report.problems.push(...meta.problems);

  mapped ??= mapGrids(doc.grids);
  const found = mapped.found;
  const anyTable = found.art20 || found.requests || found.litigation;

  if (!anyTable) {
    if (meta.legacy && meta.isReport) {
      report.status = 'legacy';
      report.version = 'legacy';
      report.problems.push({
        code: 'legacy_report',
        message: `a report for ${meta.year}, before the 2019 template: its tables are not extracted`,
      });
    } else if (meta.isReport || doc.problems.some((p) => p.code === 'pdf_no_text_layer')) {
      report.status = 'no_tables';
      if (!doc.problems.some((p) => p.code === 'pdf_no_text_layer')) {
        report.problems.push({
          code: 'no_tables',
          message:
            doc.grids.length === 0
              ? 'an annual report with no tables in it'
              : `an annual report whose ${doc.grids.length} table(s) are none of the template's tables`,
        });
      }
    } else {
      // not a report: what looked like a title, a body or a year is not report metadata
      report.status = 'not_a_report';
      report.agency = report.title = report.region = null;
      report.year = null;
      report.problems.push({
        code: 'not_a_report',
        message:
          doc.grids.length === 0
            ? 'the document is not a government information disclosure annual report (no report title, no template tables)'
            : `the document is not an annual report: its ${doc.grids.length} table(s) are none of the template's tables`,
      });
    }
    return withPlace(report, doc.text);
  }

  let version: Version | null = mapped.version;
  if (version === null) {
    // the labels do not tell the versions apart (no table 2, 其他处理 as one row): the year decides
    version = meta.year !== null && meta.year >= 2021 ? '2021' : '2019';
    report.problems.push({
      code: 'version_from_year',
      message: `the tables' labels do not tell the template version; ${version} assumed from the report year`,
    });
  }
  report.version = version;
  report.figures = mapped.figures;
  report.provenance = mapped.provenance;
  report.problems.push(...mapped.problems);
  const missing: string[] = [];
  if (!found.art20) missing.push('table 2 (Article 20)');
  if (!found.requests) missing.push('table 3 (requests)');
  if (!found.litigation) missing.push('table 4 (review and litigation)');
  if (missing.length) {
    report.problems.push({ code: 'table_missing', message: `not found in the document: ${missing.join(', ')}` });
  }
  const unread = unreadFigures(report.figures, mapped, version);
  if (unread.total) {
    const parts = [
      unread.absent.length ? `${unread.absent.length} not found (rows or columns not recognised, or not printed)` : '',
      unread.lost.length ? `${unread.lost.length} cells missing from their rows` : '',
      unread.unreadable.length ? `${unread.unreadable.length} unreadable` : '',
    ].filter(Boolean);
    const keys = [...unread.absent, ...unread.lost, ...unread.unreadable];
    report.problems.push({
      code: 'figures_missing',
      // every key, not a sample of them: a figure that is not read is named, never left to be guessed
      message: `${unread.total} of the template's ${unread.of} figures were not read: ${parts.join(', ')} (${keys.join(', ')})`,
    });
  }
  // ok: every template cell read or printed blank
  const status: ReportStatus = missing.length === 0 && unread.total === 0 ? 'ok' : 'partial';
  report.status = status;
  const checkOpts = { version, otherAsOneRow: mapped.otherAsOneRow };
  let checks = runChecks(report.figures, checkOpts);
  if (doc.ocr) {
    // a failed check on figures read by OCR: a misread digit, or a real failure of the report?
    const m = resolveMisreads(report.figures, report.provenance, checks, doc.grids, checkOpts);
    report.figures = m.figures;
    report.provenance = m.provenance;
    report.problems.push(...m.problems);
    if (m.corrected.length) checks = runChecks(report.figures, checkOpts);
    report.problems.push(...unconfirmedReadings(report.figures, report.provenance, checks, m.problems));
  }
  report.checks = [
    ...checks,
    // figures the prose states, against the tables
    ...narrativeChecks(doc.text, report.figures, version, { year: report.year }),
  ];
  return withPlace(report, doc.text);
}
