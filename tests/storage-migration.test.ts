/**
 * Core migration 6 (storage for a national archive): raw bytes compressed, checks a view over check_rows +
 * check_defs, provenance layout 3. A database as version 5 left it is converted in place, and every view
 * gives the same rows before and after; the readers get the raw bytes back.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractBytes } from '../src/extract.js';
import type { Report } from '../src/report.js';
import { ensureReviewSchema, reviewMigrations } from '../src/review/schema.js';
import { decodeBlob, encodeBlob, readBlob } from '../src/store/blobs.js';
import { openDb, type Db } from '../src/store/db.js';
import { ingestReport, reextractReport, storeBlob, upsertChecks } from '../src/store/ingest.js';
import { applyMigrations } from '../src/store/migrate.js';
import { internProvenanceKeys, parseProvenance, provenanceJson, provenanceJsonV2 } from '../src/store/provenance.js';
import { loadReport } from '../src/store/queries.js';
import { coreMigrations } from '../src/store/schema.js';

const ROOT = resolve(__dirname, '..');
const SAMPLES = readdirSync(join(ROOT, 'samples'))
  .filter((f) => /\.(html|txt)$/.test(f))
  .map((f) => join(ROOT, 'samples', f));

let dir: string;
let docs: { report: Report; bytes: Uint8Array }[];
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nianbao-storage-'));
  docs = [];
  for (const f of SAMPLES) {
    const bytes = new Uint8Array(readFileSync(f));
    docs.push({ report: await extractBytes(bytes, { source: f.slice(ROOT.length + 1) }), bytes });
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every view's rows (and the figures table's), in a fixed order. */
function views(db: Db | Database.Database): Record<string, unknown[]> {
  const all = (sql: string) => db.prepare(sql).all();
  return {
    checks: all('SELECT report_id, check_id, status, expected, actual, keys_json, reason, evidence, ord FROM checks ORDER BY report_id, check_id'),
    check_results: all('SELECT * FROM check_results ORDER BY report_id, check_id'),
    failed_checks: all('SELECT * FROM failed_checks ORDER BY report_id, check_id'),
    report_summary: all('SELECT * FROM report_summary ORDER BY report_id'),
    figure_sources: all('SELECT * FROM figure_sources ORDER BY report_id, key'),
    failed_checks_evidence: all('SELECT * FROM failed_checks_evidence ORDER BY report_id, check_id, key'),
    figures: all('SELECT report_id, key, value, typeof(value) AS t, ord FROM figures ORDER BY report_id, key'),
  };
}

/** A database as core migration 5 (and the review set) left it, the samples in it as that version stored them. */
function version5(path: string): Database.Database {
  const db = new Database(path);
  applyMigrations(db, 'core', coreMigrations.filter((m) => m.version <= 5));
  applyMigrations(db, 'review', reviewMigrations.filter((m) => m.version <= 2)); // the review set as it was then
  db.exec('BEGIN');
  for (const [i, { report: r, bytes }] of docs.entries()) {
    const id = i + 1;
    db.prepare('INSERT INTO blobs (sha256, size, bytes) VALUES (?, ?, ?)').run(r.sha256, bytes.length, Buffer.from(bytes));
    db.prepare(
      `INSERT INTO reports (id, sha256, source, kind, status, version, agency, year, title, region, extracted_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'then')`,
    ).run(id, r.sha256, r.source, r.kind, r.status, r.version, r.agency, r.year, r.title, r.region);
    let ord = 0;
    for (const [k, v] of Object.entries(r.figures)) db.prepare('INSERT INTO figures (report_id, key, value, ord) VALUES (?, ?, ?, ?)').run(id, k, v, ord++);
    if (Object.keys(r.provenance).length) db.prepare('INSERT INTO provenance (report_id, data) VALUES (?, ?)').run(id, provenanceJsonV2(r.provenance));
    ord = 0;
    for (const c of r.checks) {
      db.prepare('INSERT INTO checks (report_id, check_id, status, expected, actual, keys_json, reason, evidence, ord) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)').run(
        id, c.id, c.status, c.expected, c.actual, JSON.stringify(c.keys), c.reason ?? null, c.evidence ?? null, ord++,
      );
    }
    for (const p of r.problems) db.prepare('INSERT INTO problems (report_id, code, message, where_text) VALUES (?, ?, ?, ?)').run(id, p.code, p.message, p.where ?? null);
  }
  db.exec('COMMIT');
  return db;
}

describe('core migration 6: storage for a national archive', () => {
  it('converts a version-5 database in place: every view gives identical rows, the raw bytes come back, and it is smaller', () => {
    const path = join(dir, 'v5.db');
    const v5 = version5(path);
    const before = views(v5);
    const bytesBefore = (v5.prepare('SELECT sum(length(bytes)) FROM blobs').pluck().get() as number) +
      (v5.prepare('SELECT sum(length(CAST(data AS BLOB))) FROM provenance').pluck().get() as number) +
      (v5.prepare('SELECT sum(length(keys_json)) FROM checks').pluck().get() as number);
    v5.close();
    expect(before.checks.length).toBeGreaterThan(500);
    expect(before.figure_sources.length).toBeGreaterThan(1000);
    expect(before.failed_checks.length).toBeGreaterThan(0);

    const db = openDb(path); // applies migrations 6 and 7
    ensureReviewSchema(db);
    expect(db.prepare("SELECT max(version) FROM schema_migrations WHERE set_name = 'core'").pluck().get()).toBe(7);
    expect(views(db)).toEqual(before);
    // the same check's key list stored once
    const defs = db.prepare('SELECT count(*) FROM check_defs').pluck().get() as number;
    expect(defs).toBeLessThan(before.checks.length / 5);
    expect(db.prepare('SELECT count(*) FROM (SELECT DISTINCT check_id, keys_json FROM checks)').pluck().get()).toBe(defs);
    // raw bytes: compressed, read back whole by readBlob and by loadReport's readers
    for (const { report: r, bytes } of docs) {
      const row = db.prepare('SELECT size, encoding, length(bytes) AS stored FROM blobs WHERE sha256 = ?').get(r.sha256) as { size: number; encoding: string | null; stored: number };
      expect(row.size).toBe(bytes.length);
      if (bytes.length > 4096) expect(row.encoding).toBe('br');
      if (row.encoding) expect(row.stored).toBeLessThan(bytes.length * 0.9);
      expect(Buffer.compare(readBlob(db, r.sha256)!, Buffer.from(bytes))).toBe(0);
    }
    // provenance in layout 3, read back as extracted
    const layout = JSON.parse(db.prepare('SELECT data FROM provenance WHERE report_id = 1').pluck().get() as string) as { v: number; k: unknown };
    expect(layout.v).toBe(3);
    expect(typeof layout.k).toBe('number');
    for (const [i, d] of docs.entries()) expect(loadReport(db, i + 1)!.provenance).toEqual(d.report.provenance);
    const bytesAfter = (db.prepare('SELECT sum(length(bytes)) FROM blobs').pluck().get() as number) +
      (db.prepare('SELECT sum(length(CAST(data AS BLOB))) FROM provenance').pluck().get() as number) +
      (db.prepare('SELECT sum(length(keys_json)) FROM check_defs').pluck().get() as number);
    expect(bytesAfter).toBeLessThan(bytesBefore / 2.5);
    db.close();
  }, 120_000);

  it('a database written now gives the same view rows as one converted from version 5', () => {
    const path = join(dir, 'fresh.db');
    const db = openDb(path);
    ensureReviewSchema(db);
    for (const { report, bytes } of docs) ingestReport(db, report, bytes, { extractedAt: 'then' });
    const converted = openDb(join(dir, 'v5.db'));
    const a = views(db);
    const b = views(converted);
    expect(a).toEqual(b);
    converted.close();
    db.close();
  }, 120_000);

  it('the view checks takes INSERT, UPDATE and DELETE as the table did; upsertChecks keeps a check in its place', () => {
    const db = openDb(':memory:');
    const { report, bytes } = docs.find((d) => d.report.checks.length > 5)!;
    const id = ingestReport(db, report, bytes).reportId;
    const n = report.checks.length;
    db.prepare(`INSERT INTO checks (report_id, check_id, status, expected, actual, keys_json, reason, evidence, ord)
                VALUES (?, 'hand.made', 'fail', 3, 4, '["a.b","c.d"]', 'by hand', NULL, 99)`).run(id);
    expect(db.prepare("SELECT status, keys_json, ord FROM checks WHERE check_id = 'hand.made'").get()).toEqual({ status: 'fail', keys_json: '["a.b","c.d"]', ord: 99 });
    expect(() =>
      db.prepare(`INSERT INTO checks (report_id, check_id, status, expected, actual, keys_json, reason, evidence, ord)
                  VALUES (?, 'hand.made', 'pass', 3, 3, '["x.y"]', NULL, NULL, 100)`).run(id),
    ).toThrow(/UNIQUE constraint failed: checks.report_id, checks.check_id/);
    db.prepare("UPDATE checks SET status = 'pass', keys_json = '[\"e.f\"]' WHERE check_id = 'hand.made'").run();
    expect(db.prepare("SELECT status, keys_json FROM checks WHERE check_id = 'hand.made'").get()).toEqual({ status: 'pass', keys_json: '["e.f"]' });
    db.prepare("DELETE FROM checks WHERE check_id = 'hand.made'").run();
    expect(db.prepare('SELECT count(*) FROM checks WHERE report_id = ?').pluck().get(id)).toBe(n);
    const first = report.checks[0]!;
    upsertChecks(db, id, [{ ...first, status: 'warn', reason: 'again' }, { id: 'new.one', status: 'pass', expected: 1, actual: 1, keys: ['k.one'] }]);
    expect(db.prepare('SELECT status, reason, ord FROM checks WHERE report_id = ? AND check_id = ?').get(id, first.id)).toEqual({ status: 'warn', reason: 'again', ord: 0 });
    expect(db.prepare("SELECT ord FROM checks WHERE check_id = 'new.one'").pluck().get()).toBe(n);
    // re-extraction replaces the checks; a report whose checks repeat an id is refused whole
    reextractReport(db, report);
    expect(db.prepare('SELECT count(*) FROM checks WHERE report_id = ?').pluck().get(id)).toBe(n);
    const twice = { ...report, sha256: 'f'.repeat(64), checks: [report.checks[0]!, report.checks[0]!] };
    expect(() => reextractReport(db, twice, undefined)).toThrow();
    db.close();
  });

  it('blobs: compressed when that pays, raw otherwise; storeBlob (the crawler) compresses too', () => {
    const html = Buffer.from('<p>本机关坚持以公开为常态、不公开为例外。</p>\n'.repeat(500));
    const e = encodeBlob(html);
    expect(e.encoding).toBe('gzip');
    expect(e.bytes.byteLength).toBeLessThan(html.length / 10);
    expect(Buffer.compare(decodeBlob(e.bytes, e.encoding), html)).toBe(0);
    // bytes that do not compress (a SHA-256 chain): kept as they are
    const noise = Buffer.concat(Array.from({ length: 160 }, (_, i) => createHash('sha256').update(String(i)).digest()));
    expect(encodeBlob(noise).encoding).toBeNull();
    const db = openDb(':memory:');
    const sha = storeBlob(db, html);
    expect(db.prepare('SELECT encoding, size FROM blobs WHERE sha256 = ?').get(sha)).toEqual({ encoding: 'gzip', size: html.length });
    expect(Buffer.compare(readBlob(db, sha)!, html)).toBe(0);
    expect(() => decodeBlob(e.bytes, 'zstd')).toThrow(/unknown encoding 'zstd'/);
    db.close();
  });

  it('provenance layout 3 reads back every field, inline or with its key list interned', () => {
    const d = docs.find((x) => Object.keys(x.report.provenance).length > 50)!;
    const json = provenanceJson(d.report.provenance);
    expect(parseProvenance(json)).toEqual(d.report.provenance);
    expect(json.length).toBeLessThan(provenanceJsonV2(d.report.provenance).length * 0.7);
    // interned: the key and label lists by id, labels holding JSON's own marks
    const tricky = structuredClone(d.report.provenance);
    const first = Object.keys(tricky)[0]!;
    tricky[first] = { ...tricky[first]!, row_label: 'a"],\\"l":[x\\', col_label: '[]' };
    const lists: string[] = [];
    const stored = internProvenanceKeys(provenanceJson(tricky), (list) => lists.push(list));
    expect(stored.startsWith('{"v":3,"k":1,"l":2,')).toBe(true);
    expect(parseProvenance(stored, (id) => lists[id - 1])).toEqual(tricky);
  });
});

describe('core migration 7: figures a view over figure_rows + figure_keys', () => {
  it('converts a version-6 database in place: every view gives identical rows, and figures take a third of the bytes', () => {
    const path = join(dir, 'v6.db');
    const v6 = version5(path);
    applyMigrations(v6, 'core', coreMigrations.filter((m) => m.version <= 6));
    const before = views(v6);
    const figureBytes = (db: Database.Database | Db, names: string[]) =>
      db.prepare(`SELECT sum(pgsize) FROM dbstat WHERE name IN (${names.map(() => '?').join(',')})`).pluck().get(...names) as number;
    const bytesBefore = figureBytes(v6, ['figures']);
    v6.close();
    expect(before.figures.length).toBeGreaterThan(3000);
    const db = openDb(path); // applies migration 7
    ensureReviewSchema(db);
    expect(db.prepare("SELECT max(version) FROM schema_migrations WHERE set_name = 'core'").pluck().get()).toBe(7);
    expect(db.prepare("SELECT type FROM sqlite_master WHERE name = 'figures'").pluck().get()).toBe('view');
    expect(views(db)).toEqual(before);
    // each key stored once
    expect(db.prepare('SELECT count(*) FROM figure_keys').pluck().get()).toBe(new Set(before.figures.map((f) => (f as { key: string }).key)).size);
    expect(db.prepare('SELECT count(*) FROM figure_rows').pluck().get()).toBe(before.figures.length);
    db.exec('VACUUM');
    expect(figureBytes(db, ['figure_rows', 'figure_keys', 'sqlite_autoindex_figure_keys_1'])).toBeLessThan(bytesBefore / 2.5);
    // a report's figures by key, as the views and the review page ask for them: by figure_keys' index, then figure_rows' key
    const plan = (db.prepare("EXPLAIN QUERY PLAN SELECT value FROM figures WHERE report_id = 3 AND key = 'requests.new.total'").all() as { detail: string }[]).map((r) => r.detail);
    expect(plan).toEqual(['SEARCH k USING COVERING INDEX sqlite_autoindex_figure_keys_1 (key=?)', 'SEARCH f USING PRIMARY KEY (report_id=? AND key_id=?)']);
    db.close();
  }, 120_000);

  it('the view figures takes INSERT, UPDATE and DELETE as the table did; the writer stores the same rows', () => {
    const db = openDb(':memory:');
    const { report, bytes } = docs.find((d) => Object.keys(d.report.figures).length > 100)!;
    const id = ingestReport(db, report, bytes).reportId;
    const stored = db.prepare('SELECT key, value FROM figures WHERE report_id = ? ORDER BY ord').all(id) as { key: string; value: number | null }[];
    expect(Object.fromEntries(stored.map((f) => [f.key, f.value]))).toEqual(report.figures);
    expect(stored.map((f) => f.key)).toEqual(Object.keys(report.figures));
    // a key no report had before: stored in figure_keys, then the row
    db.prepare("INSERT INTO figures (report_id, key, value, ord) VALUES (?, 'extra.new_key', 1.5, 999)").run(id);
    expect(db.prepare("SELECT value, typeof(value) AS t, ord FROM figures WHERE report_id = ? AND key = 'extra.new_key'").get(id)).toEqual({ value: 1.5, t: 'real', ord: 999 });
    expect(() => db.prepare("INSERT INTO figures (report_id, key, value, ord) VALUES (?, 'extra.new_key', 2, 1000)").run(id)).toThrow(/UNIQUE constraint failed: figure_rows/);
    db.prepare("UPDATE figures SET value = 7, key = 'extra.renamed' WHERE report_id = ? AND key = 'extra.new_key'").run(id);
    expect(db.prepare("SELECT key, value, typeof(value) AS t FROM figures WHERE report_id = ? AND key LIKE 'extra.%'").all(id)).toEqual([{ key: 'extra.renamed', value: 7, t: 'integer' }]);
    db.prepare("DELETE FROM figures WHERE report_id = ? AND key = 'extra.renamed'").run(id);
    expect(db.prepare('SELECT count(*) FROM figures WHERE report_id = ?').pluck().get(id)).toBe(stored.length);
    // re-extraction replaces the figures; deleting the report takes its figure rows with it
    reextractReport(db, { ...report, figures: { 'requests.new.total': 3 } });
    expect(db.prepare('SELECT key, value FROM figures WHERE report_id = ?').all(id)).toEqual([{ key: 'requests.new.total', value: 3 }]);
    db.close();
  });
});
