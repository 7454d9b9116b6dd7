/**
 * Writing reports to the database. The report is validated (zod) here, where it crosses into storage.
 * Each report is whole or absent: `storeReports` writes a batch of reports in ONE transaction (each
 * report in its own savepoint inside it, so one that cannot be written leaves nothing and the others
 * are stored), `ingestReport`/`reextractReport` are the one-report forms. Rows go in with multi-row
 * INSERTs on statements prepared once per database, and a report's provenance is one row (table
 * `provenance`, see provenance.ts), not one per figure.
 */
import { CheckSchema, ReportSchema, sha256Hex, type Check, type Report } from '../report.js';
import { packageVersion, type Db } from './db.js';
import { encodeBlob, type EncodedBlob } from './blobs.js';
import { internProvenanceKeys, provenanceJson } from './provenance.js';
import type Database from 'better-sqlite3';

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
  /** False when a report with the same sha256 was already stored (nothing was written, or, re-extracting, it was replaced). */
  created: boolean;
}

/** One report for `storeReports`. */
export interface StoreItem {
  report: Report;
  /** The raw bytes (required to ingest; optional to re-extract a report already stored). */
  bytes?: Uint8Array;
  meta?: IngestMeta;
  /** 'ingest' (default): bytes already stored change nothing. 'reextract': replace the stored report's rows. */
  mode?: 'ingest' | 'reextract';
  /**
   * The report's provenance as stored (provenance.ts), made beforehand (by the extraction pool's thread);
   * `report.provenance` is then not read. null: none.
   */
  provenanceJson?: string | null;
  /** The report was validated against the contract already (the pool's threads do): only its bytes are checked. */
  validated?: boolean;
  /** `bytes` as the blobs table keeps them (blobs.ts), made beforehand (by the extraction pool's thread). */
  stored?: EncodedBlob;
}

/**
 * Writes rows of another layer for a report just stored or replaced (the places layer's placement, for
 * one), inside the same savepoint: handed to storage by the caller, so storage never reaches up into the
 * layers built on it. `replaced` is true when a stored report's rows were replaced (reextract).
 */
export type ReportRowsWriter = (db: Db, reportId: number, report: Report, replaced: boolean) => void;

/** What became of one item of a batch: stored (or found already stored), or why it could not be. */
export type StoreOutcome = ({ ok: true } & IngestResult) | { ok: false; error: Error };

/** Multi-row INSERT statements of one table, by number of rows (prepared once per database). */
class MultiInsert {
  private readonly stmts = new Map<number, Database.Statement>();
  constructor(
    private readonly db: Db,
    private readonly head: string,
    private readonly width: number,
    /** Rows per statement: keeps the parameters of one statement well under SQLite's limit (32766). */
    private readonly chunk: number,
    /** Appended after the rows (an ON CONFLICT clause). */
    private readonly tail = '',
  ) {}

  private stmt(n: number): Database.Statement {
    let s = this.stmts.get(n);
    if (!s) {
      const row = '(' + new Array(this.width).fill('?').join(',') + ')';
      s = this.db.prepare(`${this.head} VALUES ${new Array(n).fill(row).join(',')}${this.tail}`);
      this.stmts.set(n, s);
    }
    return s;
  }

  /** `values` holds the rows one after the other (width values each). */
  run(values: unknown[]): void {
    const rows = values.length / this.width;
    for (let at = 0; at < rows; at += this.chunk) {
      const n = Math.min(this.chunk, rows - at);
      const part = at === 0 && n === rows ? values : values.slice(at * this.width, (at + n) * this.width);
      this.stmt(n).run(part);
    }
  }
}

interface Statements {
  db: Db;
  reportBySha: Database.Statement<[string], { id: number }>;
  insertBlob: Database.Statement<[string, number, Buffer, string | null]>;
  hasBlob: Database.Statement<[string], number>;
  insertReport: Database.Statement;
  updateReport: Database.Statement;
  figures: MultiInsert;
  checks: MultiInsert;
  problems: MultiInsert;
  insertProvenance: Database.Statement<[number, string]>;
  checkOrd: Database.Statement<[number, string], number>;
  deleteCheck: Database.Statement<[number, string]>;
  findDef: Database.Statement<[string, string], number>;
  insertDef: Database.Statement<[string, string]>;
  /** check_defs ids by check id + NUL + key list; forgotten when a transaction rolls back (see forget). */
  defs: Map<string, number>;
  findList: Database.Statement<[string], number>;
  insertList: Database.Statement<[string]>;
  /** provenance_lists ids by list; forgotten with defs. */
  lists: Map<string, number>;
  findKey: Database.Statement<[string], number>;
  insertKey: Database.Statement<[string]>;
  /** figure_keys ids by canonical key; forgotten with defs. */
  keys: Map<string, number>;
  nextCheckOrd: Database.Statement<[number], number>;
  reportChecks: Database.Statement<[number], { check_id: string; def: number; ord: number }>;
  deleteCheckRow: Database.Statement<[number, number]>;
  deleteFigures: Database.Statement<[number]>;
  deleteProvenance: Database.Statement<[number]>;
  deleteChecks: Database.Statement<[number]>;
  deleteProblems: Database.Statement<[number]>;
}

const cache = new WeakMap<Db, Statements>();

function statements(db: Db): Statements {
  let s = cache.get(db);
  if (s) return s;
  s = {
    db,
    reportBySha: db.prepare('SELECT id FROM reports WHERE sha256 = ?'),
    insertBlob: db.prepare('INSERT OR IGNORE INTO blobs (sha256, size, bytes, encoding) VALUES (?, ?, ?, ?)'),
    hasBlob: db.prepare<[string], number>('SELECT 1 FROM blobs WHERE sha256 = ?').pluck(),
    insertReport: db.prepare(`INSERT INTO reports
      (sha256, source, source_url, kind, ocr, status, version, agency, year, title, region, extracted_at, extractor_version)
      VALUES (@sha256, @source, @source_url, @kind, @ocr, @status, @version, @agency, @year, @title, @region, @extracted_at, @extractor_version)`),
    updateReport: db.prepare(`UPDATE reports SET
      source = @source, source_url = coalesce(@source_url, source_url), kind = @kind, ocr = @ocr, status = @status, version = @version,
      agency = @agency, year = @year, title = @title, region = @region, extracted_at = @extracted_at,
      extractor_version = @extractor_version
      WHERE id = @id`),
    figures: new MultiInsert(db, 'INSERT INTO figure_rows (report_id, key_id, value, ord)', 4, 250),
    checks: new MultiInsert(db, 'INSERT INTO check_rows (report_id, def, status, expected, actual, reason, evidence, ord)', 8, 100),
    problems: new MultiInsert(db, 'INSERT INTO problems (report_id, code, message, where_text)', 4, 100),
    insertProvenance: db.prepare('INSERT INTO provenance (report_id, data) VALUES (?, ?)'),
    checkOrd: db
      .prepare<[number, string], number>('SELECT c.ord FROM check_rows c JOIN check_defs d ON d.id = c.def WHERE c.report_id = ? AND d.check_id = ?')
      .pluck(),
    deleteCheck: db.prepare('DELETE FROM check_rows WHERE report_id = ? AND def IN (SELECT id FROM check_defs WHERE check_id = ?)'),
    findDef: db.prepare<[string, string], number>('SELECT id FROM check_defs WHERE check_id = ? AND keys_json = ?').pluck(),
    insertDef: db.prepare('INSERT INTO check_defs (check_id, keys_json) VALUES (?, ?)'),
    defs: new Map(),
    findList: db.prepare<[string], number>('SELECT id FROM provenance_lists WHERE list = ?').pluck(),
    insertList: db.prepare('INSERT INTO provenance_lists (list) VALUES (?)'),
    lists: new Map(),
    nextCheckOrd: db.prepare<[number], number>('SELECT coalesce(max(ord) + 1, 0) FROM check_rows WHERE report_id = ?').pluck(),
    reportChecks: db.prepare<[number], { check_id: string; def: number; ord: number }>(
      'SELECT d.check_id, c.def, c.ord FROM check_rows c JOIN check_defs d ON d.id = c.def WHERE c.report_id = ?',
    ),
    deleteCheckRow: db.prepare('DELETE FROM check_rows WHERE report_id = ? AND def = ?'),
    deleteFigures: db.prepare('DELETE FROM figure_rows WHERE report_id = ?'),
    findKey: db.prepare<[string], number>('SELECT id FROM figure_keys WHERE key = ?').pluck(),
    insertKey: db.prepare('INSERT INTO figure_keys (key) VALUES (?)'),
    keys: new Map(),
    deleteProvenance: db.prepare('DELETE FROM provenance WHERE report_id = ?'),
    deleteChecks: db.prepare('DELETE FROM check_rows WHERE report_id = ?'),
    deleteProblems: db.prepare('DELETE FROM problems WHERE report_id = ?'),
  };
  cache.set(db, s);
  return s;
}

export { sha256Hex };

/** The check_defs id of a check id and key list, stored when new. */
function defId(s: Statements, checkId: string, keysJson: string): number {
  const k = checkId + '\u0000' + keysJson;
  let id = s.defs.get(k);
  if (id === undefined) {
    id = s.findDef.get(checkId, keysJson) ?? Number(s.insertDef.run(checkId, keysJson).lastInsertRowid);
    s.defs.set(k, id);
  }
  return id;
}

/** The figure_keys id of a canonical key, stored when new (core migration 7). */
function keyId(s: Statements, key: string): number {
  let id = s.keys.get(key);
  if (id === undefined) {
    id = s.findKey.get(key) ?? Number(s.insertKey.run(key).lastInsertRowid);
    s.keys.set(key, id);
  }
  return id;
}

/** The provenance_lists id of a list (JSON text), stored when new. */
function listId(s: Statements, list: string): number {
  let id = s.lists.get(list);
  if (id === undefined) {
    id = s.findList.get(list) ?? Number(s.insertList.run(list).lastInsertRowid);
    s.lists.set(list, id);
  }
  return id;
}

/** After a rollback the ids cached may name rows that are gone: forget them all (they are found again). */
function forget(db: Db): void {
  const s = cache.get(db);
  if (s) {
    s.defs.clear();
    s.lists.clear();
    s.keys.clear();
  }
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Stores raw bytes once per sha256 (INSERT OR IGNORE) and returns the hash. The crawler stores raw
 * responses this way too. Runs in the caller's transaction if there is one.
 */
export function storeBlob(db: Db, bytes: Uint8Array, sha256 = sha256Hex(bytes)): string {
  const s = statements(db);
  if (s.hasBlob.get(sha256)) return sha256; // stored: not compressed again
  const e = encodeBlob(bytes);
  s.insertBlob.run(sha256, bytes.byteLength, toBuffer(e.bytes), e.encoding);
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
function writeChildren(s: Statements, reportId: number, report: Report, packed?: string | null): void {
  const figures: unknown[] = [];
  let ord = 0;
  for (const key in report.figures) figures.push(reportId, keyId(s, key), report.figures[key], ord++);
  if (figures.length) s.figures.run(figures);
  const provenance = packed !== undefined ? packed : Object.keys(report.provenance).length ? provenanceJson(report.provenance) : null;
  if (provenance !== null) s.insertProvenance.run(reportId, internProvenanceKeys(provenance, (list) => listId(s, list)));
  const checks: unknown[] = [];
  ord = 0;
  const ids = new Set<string>();
  for (const c of report.checks) {
    // one row per check id and report, as the table checks had (check_rows is keyed by key list too)
    if (ids.has(c.id)) throw new Error(`UNIQUE constraint failed: checks.report_id, checks.check_id (check ${c.id} twice in ${report.source})`);
    ids.add(c.id);
    checks.push(...checkRow(s, reportId, c), ord++);
  }
  if (checks.length) s.checks.run(checks);
  const problems: unknown[] = [];
  for (const p of report.problems) problems.push(reportId, p.code, p.message, p.where ?? null);
  if (problems.length) s.problems.run(problems);
}

/** A check's columns of check_rows, in the order of the check statements (report_id … evidence). */
function checkRow(s: Statements, reportId: number, c: Check): [number, number, string, number | null, number | null, string | null, string | null] {
  return [reportId, defId(s, c.id, JSON.stringify(c.keys)), c.status, c.expected, c.actual, c.reason ?? null, c.evidence ?? null];
}

function checkBytes(report: Report, bytes: Uint8Array): void {
  const actual = sha256Hex(bytes);
  if (actual !== report.sha256) {
    throw new Error(`report ${report.source}: sha256 ${report.sha256} does not match its bytes (${actual})`);
  }
}

/** Validates an item before any row is written: the report against the contract, the bytes against its sha256. */
function validate(item: StoreItem): Report {
  const r = item.validated ? item.report : ReportSchema.parse(item.report);
  if (item.bytes) checkBytes(r, item.bytes);
  else if ((item.mode ?? 'ingest') === 'ingest') throw new Error(`report ${r.source}: no bytes to store`);
  return r;
}

/** Writes one validated item; runs inside the batch's transaction. */
function writeOne(s: Statements, r: Report, item: StoreItem, writers: readonly ReportRowsWriter[]): IngestResult {
  const meta = item.meta ?? {};
  const existing = s.reportBySha.get(r.sha256);
  if (!existing) {
    if (!item.bytes) throw new Error(`no stored report has sha256 ${r.sha256}, and no bytes were given to store it`);
    if (item.stored || !s.hasBlob.get(r.sha256)) {
      const stored = item.stored ?? encodeBlob(item.bytes); // compressed here unless a thread did (blobs.ts)
      s.insertBlob.run(r.sha256, item.bytes.byteLength, toBuffer(stored.bytes), stored.encoding);
    }
    const reportId = Number(s.insertReport.run(reportRow(r, meta)).lastInsertRowid);
    writeChildren(s, reportId, r, item.provenanceJson);
    for (const w of writers) w(s.db, reportId, r, false);
    return { reportId, created: true };
  }
  if ((item.mode ?? 'ingest') === 'ingest') return { reportId: existing.id, created: false };
  const id = existing.id;
  s.updateReport.run({ ...reportRow(r, meta), id });
  s.deleteProvenance.run(id);
  s.deleteFigures.run(id);
  s.deleteChecks.run(id);
  s.deleteProblems.run(id);
  writeChildren(s, id, r, item.provenanceJson);
  for (const w of writers) w(s.db, id, r, true);
  return { reportId: id, created: false };
}

/**
 * Stores a batch of reports in one transaction, each whole or not at all: an item that fails validation
 * or cannot be written gets `{ ok: false, error }` and leaves no row, the others are stored. `after` runs
 * in the same transaction after each item that was written (for the step after ingestion: linking,
 * cross-year checks); if it throws, the item stays stored and `afterError` says why.
 * A crash (kill -9) part way leaves the database as it was before the batch.
 */
export function storeReports(
  db: Db,
  items: StoreItem[],
  after?: (result: IngestResult, item: StoreItem, index: number) => void,
  writers: readonly ReportRowsWriter[] = [],
): (StoreOutcome & { afterError?: Error })[] {
  const s = statements(db);
  const valid = items.map((item): Report | Error => {
    try {
      return validate(item);
    } catch (err) {
      return err instanceof Error ? err : new Error(String(err));
    }
  });
  try {
  return db.transaction(() =>
    items.map((item, i): StoreOutcome & { afterError?: Error } => {
      const r = valid[i];
      if (r instanceof Error) return { ok: false, error: r };
      let res: IngestResult;
      try {
        res = db.transaction(() => writeOne(s, r, item, writers))(); // a savepoint: a failure leaves nothing of this item
      } catch (err) {
        forget(db);
        return { ok: false, error: err instanceof Error ? err : new Error(String(err)) };
      }
      const out: StoreOutcome & { afterError?: Error } = { ok: true, ...res };
      if (after) {
        try {
          db.transaction(() => after(res, item, i))();
        } catch (err) {
          forget(db);
          out.afterError = err instanceof Error ? err : new Error(String(err));
        }
      }
      return out;
    }),
  ).immediate();
  } catch (err) {
    forget(db);
    throw err;
  }
}

function single(db: Db, item: StoreItem, writers: readonly ReportRowsWriter[]): IngestResult {
  const r = validate(item); // throws before anything is written
  const s = statements(db);
  try {
    return db.transaction(() => writeOne(s, r, item, writers)).immediate();
  } catch (err) {
    forget(db);
    throw err;
  }
}

/**
 * Stores one report with its raw bytes, figures, provenance, checks and problems, in one transaction.
 * Ingesting the same bytes again changes nothing and returns the existing id with `created: false`.
 * Throws (and writes nothing) when the report fails validation, its sha256 does not match the bytes,
 * or a row cannot be written.
 */
export function ingestReport(
  db: Db,
  report: Report,
  bytes: Uint8Array,
  meta: IngestMeta = {},
  writers: readonly ReportRowsWriter[] = [],
): IngestResult {
  return single(db, { report, bytes, meta, mode: 'ingest' }, writers);
}

/**
 * Replaces a stored report's metadata, figures, provenance, checks and problems with a fresh extraction
 * of the same bytes (found by sha256), in one transaction; the report keeps its id, so rows of other
 * tables that point to it (reviews) stay attached. When no report has this sha256 yet, `bytes` must be
 * given and the report is ingested. Returns the id and whether it was created.
 */
export function reextractReport(
  db: Db,
  report: Report,
  bytes?: Uint8Array,
  meta: IngestMeta = {},
  writers: readonly ReportRowsWriter[] = [],
): IngestResult {
  return single(db, { report, bytes, meta, mode: 'reextract' }, writers);
}

/**
 * Inserts or replaces some checks of a stored report (by check id), leaving its other checks alone:
 * for checks computed after ingestion, such as the cross-year ones. One transaction.
 */
export function upsertChecks(db: Db, reportId: number, checks: Check[]): void {
  const valid = CheckSchema.array().parse(checks);
  if (!valid.length) return;
  const s = statements(db);
  try {
    db.transaction(() => {
      // a check that is new goes after the report's others (one that is there keeps its place); the
      // report's checks are read once (the step after ingestion upserts ~10 of them for every report)
      const have = new Map<string, { def: number; ord: number }[]>();
      let ord = 0;
      for (const r of s.reportChecks.all(reportId)) {
        let list = have.get(r.check_id);
        if (!list) have.set(r.check_id, (list = []));
        list.push({ def: r.def, ord: r.ord });
        if (r.ord >= ord) ord = r.ord + 1;
      }
      const rows: unknown[] = [];
      for (const c of valid) {
        const old = have.get(c.id);
        if (old) for (const o of old) s.deleteCheckRow.run(reportId, o.def);
        have.delete(c.id);
        rows.push(...checkRow(s, reportId, c), old?.[0]?.ord ?? ord++);
      }
      s.checks.run(rows);
    })();
  } catch (err) {
    forget(db);
    throw err;
  }
}
