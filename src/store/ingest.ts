/**
 * Writing reports to the database. The report is validated (zod) here, where it crosses into storage;
 * each report is written in one transaction, so a failure leaves nothing behind.
 */
import { createHash } from 'node:crypto';
import { CheckSchema, ReportSchema, type Check, type Report } from '../report.js';
import { packageVersion, type Db } from './db.js';
import type Database from 'better-sqlite3';
import { writeReportPlace } from '../places/store.js';

export interface IngestMeta {
  /** The URL the bytes were fetched from, when the report object does not say (overrides report.source_url). */
  sourceUrl?: string;
  /** Defaults to nianbao's package version. */
  extractorVersion?: string;
  /** ISO time of extraction; defaults to now. */
  extractedAt?: string;
}

export interface IngestResult {
  reportId: number;
  /** False when a report with the same sha256 was already stored (nothing was written). */
  created: boolean;
}

interface Statements {
  reportBySha: Database.Statement<[string], { id: number }>;
  insertBlob: Database.Statement<[string, number, Buffer]>;
  insertReport: Database.Statement;
  updateReport: Database.Statement;
  insertFigure: Database.Statement;
  insertSource: Database.Statement;
  insertCheck: Database.Statement;
  upsertCheck: Database.Statement;
  insertProblem: Database.Statement;
  deleteFigures: Database.Statement<[number]>;
  deleteSources: Database.Statement<[number]>;
  deleteChecks: Database.Statement<[number]>;
  deleteProblems: Database.Statement<[number]>;
}

const cache = new WeakMap<Db, Statements>();

function statements(db: Db): Statements {
  let s = cache.get(db);
  if (s) return s;
  s = {
    reportBySha: db.prepare('SELECT id FROM reports WHERE sha256 = ?'),
    insertBlob: db.prepare('INSERT OR IGNORE INTO blobs (sha256, size, bytes) VALUES (?, ?, ?)'),
    insertReport: db.prepare(`INSERT INTO reports
      (sha256, source, source_url, kind, ocr, status, version, agency, year, title, region, extracted_at, extractor_version)
      VALUES (@sha256, @source, @source_url, @kind, @ocr, @status, @version, @agency, @year, @title, @region, @extracted_at, @extractor_version)`),
    updateReport: db.prepare(`UPDATE reports SET
      source = @source, source_url = coalesce(@source_url, source_url), kind = @kind, ocr = @ocr, status = @status, version = @version,
      agency = @agency, year = @year, title = @title, region = @region, extracted_at = @extracted_at,
      extractor_version = @extractor_version
      WHERE id = @id`),
    insertFigure: db.prepare('INSERT INTO figures (report_id, key, value, ord) VALUES (?, ?, ?, ?)'),
    insertSource: db.prepare(`INSERT INTO figure_sources
      (report_id, key, text, blank, canonical_table, grid, row_label, col_label, where_json, ocr, confidence)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    insertCheck: db.prepare(`INSERT INTO checks
      (report_id, check_id, status, expected, actual, keys_json, reason, evidence, ord)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    upsertCheck: db.prepare(`INSERT INTO checks
      (report_id, check_id, status, expected, actual, keys_json, reason, evidence, ord)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, coalesce((SELECT max(ord) + 1 FROM checks WHERE report_id = ?), 0))
      ON CONFLICT (report_id, check_id) DO UPDATE SET status = excluded.status, expected = excluded.expected,
        actual = excluded.actual, keys_json = excluded.keys_json, reason = excluded.reason, evidence = excluded.evidence`),
    insertProblem: db.prepare('INSERT INTO problems (report_id, code, message, where_text) VALUES (?, ?, ?, ?)'),
    deleteFigures: db.prepare('DELETE FROM figures WHERE report_id = ?'),
    deleteSources: db.prepare('DELETE FROM figure_sources WHERE report_id = ?'),
    deleteChecks: db.prepare('DELETE FROM checks WHERE report_id = ?'),
    deleteProblems: db.prepare('DELETE FROM problems WHERE report_id = ?'),
  };
  cache.set(db, s);
  return s;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Stores raw bytes once per sha256 (INSERT OR IGNORE) and returns the hash. The crawler stores raw
 * responses this way too. Runs in the caller's transaction if there is one.
 */
export function storeBlob(db: Db, bytes: Uint8Array, sha256 = sha256Hex(bytes)): string {
  statements(db).insertBlob.run(sha256, bytes.byteLength, toBuffer(bytes));
  return sha256;
}

/** The id of the report stored for these bytes, if any. */
export function findReportBySha(db: Db, sha256: string): number | undefined {
  return statements(db).reportBySha.get(sha256)?.id;
}

function reportRow(report: Report, meta: IngestMeta) {
  return {
    sha256: report.sha256,
    source: report.source,
    source_url: meta.sourceUrl ?? report.source_url,
    kind: report.kind,
    ocr: report.ocr ? 1 : 0,
    status: report.status,
    version: report.version,
    agency: report.agency,
    year: report.year,
    title: report.title,
    region: report.region,
    extracted_at: meta.extractedAt ?? new Date().toISOString(),
    extractor_version: meta.extractorVersion ?? packageVersion(),
  };
}

/** Writes figures, provenance, checks and problems of a report (whose old rows, if any, are gone). */
function writeChildren(s: Statements, reportId: number, report: Report): void {
  let ord = 0;
  for (const [key, value] of Object.entries(report.figures)) {
    s.insertFigure.run(reportId, key, value, ord++);
  }
  for (const [key, p] of Object.entries(report.provenance)) {
    s.insertSource.run(
      reportId,
      key,
      p.text,
      p.blank ? 1 : 0,
      p.table,
      p.grid,
      p.row_label,
      p.col_label,
      JSON.stringify(p.where),
      p.ocr ? 1 : 0,
      p.confidence ?? null,
    );
  }
  ord = 0;
  for (const c of report.checks) s.insertCheck.run(...checkRow(reportId, c), ord++);
  for (const p of report.problems) s.insertProblem.run(reportId, p.code, p.message, p.where ?? null);
}

/** A check's columns, in the order of the check statements (report_id … evidence). */
function checkRow(reportId: number, c: Check): [number, string, string, number | null, number | null, string, string | null, string | null] {
  return [reportId, c.id, c.status, c.expected, c.actual, JSON.stringify(c.keys), c.reason ?? null, c.evidence ?? null];
}

function checkBytes(report: Report, bytes: Uint8Array): void {
  const actual = sha256Hex(bytes);
  if (actual !== report.sha256) {
    throw new Error(`report ${report.source}: sha256 ${report.sha256} does not match its bytes (${actual})`);
  }
}

/**
 * Stores one report with its raw bytes, figures, provenance, checks and problems, in one transaction.
 * Ingesting the same bytes again changes nothing and returns the existing id with `created: false`.
 * Throws (and writes nothing) when the report fails validation, its sha256 does not match the bytes,
 * or a row cannot be written.
 */
export function ingestReport(db: Db, report: Report, bytes: Uint8Array, meta: IngestMeta = {}): IngestResult {
  const r = ReportSchema.parse(report);
  checkBytes(r, bytes);
  const s = statements(db);
  return db.transaction((): IngestResult => {
    const existing = s.reportBySha.get(r.sha256);
    if (existing) return { reportId: existing.id, created: false };
    s.insertBlob.run(r.sha256, bytes.byteLength, toBuffer(bytes));
    const reportId = Number(s.insertReport.run(reportRow(r, meta)).lastInsertRowid);
    writeChildren(s, reportId, r);
    writeReportPlace(db, reportId, r.place, 'extraction');
    return { reportId, created: true };
  }).immediate();
}

/**
 * Replaces a stored report's metadata, figures, provenance, checks and problems with a fresh extraction
 * of the same bytes (found by sha256), in one transaction; the report keeps its id, so rows of other
 * tables that point to it (reviews) stay attached. When no report has this sha256 yet, `bytes` must be
 * given and the report is ingested. Returns the id and whether it was created.
 */
export function reextractReport(db: Db, report: Report, bytes?: Uint8Array, meta: IngestMeta = {}): IngestResult {
  const r = ReportSchema.parse(report);
  if (bytes) checkBytes(r, bytes);
  const s = statements(db);
  return db.transaction((): IngestResult => {
    const existing = s.reportBySha.get(r.sha256);
    if (!existing) {
      if (!bytes) throw new Error(`no stored report has sha256 ${r.sha256}, and no bytes were given to store it`);
      s.insertBlob.run(r.sha256, bytes.byteLength, toBuffer(bytes));
      const reportId = Number(s.insertReport.run(reportRow(r, meta)).lastInsertRowid);
      writeChildren(s, reportId, r);
      writeReportPlace(db, reportId, r.place, 'extraction');
      return { reportId, created: true };
    }
    const id = existing.id;
    s.updateReport.run({ ...reportRow(r, meta), id });
    s.deleteSources.run(id);
    s.deleteFigures.run(id);
    s.deleteChecks.run(id);
    s.deleteProblems.run(id);
    writeChildren(s, id, r);
    writeReportPlace(db, id, r.place, 'extraction');
    return { reportId: id, created: false };
  }).immediate();
}

/**
 * Inserts or replaces some checks of a stored report (by check id), leaving its other checks alone:
 * for checks computed after ingestion, such as the cross-year ones. One transaction.
 */
export function upsertChecks(db: Db, reportId: number, checks: Check[]): void {
  const valid = CheckSchema.array().parse(checks);
  const s = statements(db);
  db.transaction(() => {
    // the last parameter finds the next position among the report's checks
    for (const c of valid) s.upsertCheck.run(...checkRow(reportId, c), reportId);
  })();
}
