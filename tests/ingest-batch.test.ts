/**
 * Storing at scale: batches store exactly the rows one-report-at-a-time storage stores; one bad report
 * in a batch leaves nothing and the others are stored; core migration 4 (provenance one row per report)
 * keeps figure_sources' rows; `nianbao ingest` with worker threads keeps its lines, survives a worker
 * crash and a kill -9 part way (every report whole or absent, and running again finishes the job);
 * the progress line shows on a terminal only.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractBytes } from '../src/extract.js';
import { progressLine, progressWriter, showProgress } from '../src/pool/progress.js';
import { ReportSchema, type Report } from '../src/report.js';
import { openDb, type Db } from '../src/store/db.js';
import { ingestReport, storeReports } from '../src/store/ingest.js';
import { applyMigrations } from '../src/store/migrate.js';
import { loadReport } from '../src/store/queries.js';
import { coreMigrations } from '../src/store/schema.js';
import { provenanceJsonV1 } from '../src/store/provenance.js';

const ROOT = resolve(__dirname, '..');
const BIN = join(ROOT, 'bin', 'nianbao.js');
const SAMPLE_FILES = readdirSync(join(ROOT, 'samples'))
  .filter((f) => /\.(html|txt)$/.test(f))
  .map((f) => join('samples', f));

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'nianbao-batch-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every stored row of the documented tables, keyed by the report's sha256 (ids and times left out). */
function dump(db: Db | Database.Database): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const reports = db
    .prepare('SELECT id, sha256, source, source_url, kind, ocr, status, version, agency, year, title, region FROM reports ORDER BY sha256')
    .all() as { id: number; sha256: string }[];
  const q = (sql: string, id: number) => db.prepare(sql).all(id);
  for (const { id, sha256, ...r } of reports) {
    out[sha256] = {
      ...r,
      blob: db.prepare('SELECT size, hex(bytes) AS hex FROM blobs WHERE sha256 = ?').get(sha256),
      figures: q('SELECT key, value, typeof(value) AS t, ord FROM figures WHERE report_id = ? ORDER BY ord', id),
      sources: (
        q(
          'SELECT key, text, blank, canonical_table, grid, row_label, col_label, where_json, ocr, confidence FROM figure_sources WHERE report_id = ? ORDER BY key',
          id,
        ) as { where_json: string }[]
      ).map((s) => ({ ...s, where_json: JSON.parse(s.where_json) as unknown })),
      checks: (
        q('SELECT check_id, status, expected, actual, keys_json, reason, evidence, ord FROM checks WHERE report_id = ? ORDER BY check_id', id) as {
          reason: string | null;
        }[]
      )
        // cross-year reasons name the other report by id
        .map((c) => ({ ...c, reason: c.reason?.replace(/#\d+/g, '#N') ?? null })),
      problems: q('SELECT code, message, where_text FROM problems WHERE report_id = ? ORDER BY id', id),
    };
  }
  return out;
}

describe('storeReports (a batch in one transaction)', () => {
  let docs: { report: Report; bytes: Uint8Array }[];
  beforeAll(async () => {
    docs = [];
    for (const f of SAMPLE_FILES) {
      const bytes = new Uint8Array(readFileSync(join(ROOT, f)));
      docs.push({ report: ReportSchema.parse(await extractBytes(bytes, { source: f })), bytes });
    }
  });

  it('stores the same rows as ingestReport one report at a time, on every sample', () => {
    const one = openDb(join(dir, 'one.db'));
    const batch = openDb(join(dir, 'batch.db'));
    for (const d of docs) ingestReport(one, d.report, d.bytes);
    for (let i = 0; i < docs.length; i += 7) {
      const out = storeReports(batch, docs.slice(i, i + 7));
      expect(out.every((o) => o.ok && o.created)).toBe(true);
    }
    const a = dump(one);
    expect(Object.keys(a)).toHaveLength(docs.length);
    expect(dump(batch)).toEqual(a);
    // and a stored report reads back as extraction gave it
    const id = (batch.prepare('SELECT id FROM reports WHERE sha256 = ?').get(docs[0].report.sha256) as { id: number }).id;
    const { id: _id, ...back } = loadReport(batch, id)!;
    // (the place is stored by the places set, not read back by loadReport)
    const { place: _place, ...want } = docs[0].report as Report & { place?: unknown };
    expect(back).toEqual(want);
    expect(back.ocr).toBe(false);
    one.close();
    batch.close();
  });

  it('a bad report in a batch leaves nothing of it; the others are stored; the same bytes twice are stored once', () => {
    const db = openDb(join(dir, 'bad-in-batch.db'));
    const [a, b, c] = docs;
    // b violates the checks' primary key after its blob, report and figures were written
    const broken = { ...b.report, checks: [b.report.checks[0], b.report.checks[0]] };
    const out = storeReports(db, [a, { report: broken, bytes: b.bytes }, { report: c.report, bytes: new Uint8Array([1]) }, c, c]);
    expect(out.map((o) => (o.ok ? (o.created ? 'created' : 'again') : 'error'))).toEqual(['created', 'error', 'error', 'created', 'again']);
    expect(!out[1].ok && out[1].error.message).toMatch(/UNIQUE constraint failed: checks/);
    expect(!out[2].ok && out[2].error.message).toMatch(/does not match its bytes/);
    expect(Object.keys(dump(db)).sort()).toEqual([a.report.sha256, c.report.sha256].sort());
    expect(db.prepare('SELECT count(*) AS n FROM blobs').get()).toEqual({ n: 2 });
    db.close();
  });

  it('core migration 4 moves stored provenance into one row per report; figure_sources gives the same rows', () => {
    // a database as version 3 left it, with its rows written the old way (one figure_sources row per figure)
    const path = join(dir, 'v3.db');
    const v3 = new Database(path);
    applyMigrations(v3, 'core', coreMigrations.filter((m) => m.version <= 3));
    const insertFigure = v3.prepare('INSERT INTO figures (report_id, key, value, ord) VALUES (?, ?, ?, ?)');
    const insertSource = v3.prepare(`INSERT INTO figure_sources
      (report_id, key, text, blank, canonical_table, grid, row_label, col_label, where_json, ocr, confidence) VALUES (?,?,?,?,?,?,?,?,?,?,?)`);
    const legacy: unknown[] = [];
    v3.exec('BEGIN');
    for (const [i, d] of docs.slice(0, 6).entries()) {
      const id = i + 1;
      v3.prepare('INSERT INTO blobs (sha256, size, bytes) VALUES (?, ?, ?)').run(d.report.sha256, d.bytes.length, Buffer.from(d.bytes));
      v3.prepare("INSERT INTO reports (id, sha256, source, status, extracted_at) VALUES (?, ?, ?, ?, 'now')").run(id, d.report.sha256, d.report.source, d.report.status);
      let ord = 0;
      for (const [k, v] of Object.entries(d.report.figures)) insertFigure.run(id, k, v, ord++);
      for (const [k, p] of Object.entries(d.report.provenance)) {
        const ocr = k.endsWith('.total') ? 1 : 0; // some OCR marks, to see them kept
        const row = [id, k, p.text, p.blank ? 1 : 0, p.table, p.grid, p.row_label, p.col_label, JSON.stringify(p.where), ocr, ocr ? 0.75 : null];
        insertSource.run(...row);
        legacy.push(row);
      }
    }
    v3.exec('COMMIT');
    v3.close();
    const db = openDb(path);
    const rows = db
      .prepare('SELECT report_id, key, text, blank, canonical_table, grid, row_label, col_label, where_json, ocr, confidence FROM figure_sources')
      .raw()
      .all() as unknown[][];
    const norm = (r: unknown[]) => [...r.slice(0, 8), JSON.parse(r[8] as string), ...r.slice(9)];
    const sort = (a: unknown[][]) => a.map(norm).sort((x, y) => `${x[0]} ${x[1]}`.localeCompare(`${y[0]} ${y[1]}`));
    expect(legacy.length).toBeGreaterThan(500);
    expect(sort(rows)).toEqual(sort(legacy as unknown[][]));
    expect(db.prepare("SELECT type FROM sqlite_master WHERE name = 'figure_sources'").get()).toEqual({ type: 'view' });
    expect(db.prepare('SELECT count(*) AS n FROM provenance').get()).toEqual({ n: 6 });
    const back = loadReport(db, 1)!;
    const total = Object.keys(back.provenance).find((k) => k.endsWith('.total'))!;
    expect(back.provenance[total]).toMatchObject({ ...docs[0].report.provenance[total], ocr: true, confidence: 0.75 });
    db.close();
  });

  it('core migration 5 rewrites provenance stored in the first layout (labels in full) as the second; figure_sources gives the same rows', () => {
    // a database as version 4 left it: provenance rows in the first layout
    const path = join(dir, 'v4.db');
    const v4 = new Database(path);
    applyMigrations(v4, 'core', coreMigrations.filter((m) => m.version <= 4));
    v4.exec('BEGIN');
    for (const [i, d] of docs.slice(0, 6).entries()) {
      const id = i + 1;
      v4.prepare('INSERT INTO blobs (sha256, size, bytes) VALUES (?, ?, ?)').run(d.report.sha256, d.bytes.length, Buffer.from(d.bytes));
      v4.prepare("INSERT INTO reports (id, sha256, source, status, extracted_at) VALUES (?, ?, ?, ?, 'now')").run(id, d.report.sha256, d.report.source, d.report.status);
      let ord = 0;
      for (const [k, v] of Object.entries(d.report.figures)) v4.prepare('INSERT INTO figures (report_id, key, value, ord) VALUES (?, ?, ?, ?)').run(id, k, v, ord++);
      v4.prepare('INSERT INTO provenance (report_id, data) VALUES (?, ?)').run(id, provenanceJsonV1(d.report.provenance));
    }
    v4.exec('COMMIT');
    const cols = 'report_id, key, text, blank, canonical_table, grid, row_label, col_label, where_json, ocr, confidence';
    const before = v4.prepare(`SELECT ${cols} FROM figure_sources ORDER BY report_id, key`).all();
    const v1Bytes = (v4.prepare('SELECT sum(length(CAST(data AS BLOB))) AS n FROM provenance').get() as { n: number }).n;
    v4.close();
    const db = new Database(path); // migration 5 only (6 writes layout 3: tests/storage-migration.test.ts)
    applyMigrations(db, 'core', coreMigrations.filter((m) => m.version <= 5));
    expect(before.length).toBeGreaterThan(500);
    expect(db.prepare(`SELECT ${cols} FROM figure_sources ORDER BY report_id, key`).all()).toEqual(before);
    const layout = db.prepare('SELECT data FROM provenance WHERE report_id = 1').pluck().get() as string;
    expect(JSON.parse(layout)).toMatchObject({ v: 2, l: expect.any(Array) });
    // the labels once per report: the provenance (UTF-8 bytes) is a quarter smaller or more
    const v2Bytes = (db.prepare('SELECT sum(length(CAST(data AS BLOB))) AS n FROM provenance').get() as { n: number }).n;
    expect(v2Bytes).toBeLessThan(v1Bytes * 0.75);
    for (const [i, d] of docs.slice(0, 6).entries()) expect(loadReport(db, i + 1)!.provenance).toEqual(d.report.provenance);
    db.close();
  });
});

// --- the command line ---------------------------------------------------------------------------

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function nianbao(args: string[], env: Record<string, string> = {}, onStdout?: (chunk: string, kill: () => void) => void): Promise<Run> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
      onStdout?.(c, () => child.kill('SIGKILL'));
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

/**
 * `n` distinct HTML reports made from the UTF-8 samples: each copy's body is renamed (its first 县, 区 or
 * 市 gets a number), so that copies are different bodies (not one body's reports for one year, which the
 * cross-year step would compare with one another), and its bytes are its own.
 */
function makeFolder(name: string, n: number): string {
  const out = join(dir, name);
  mkdirSync(out);
  const html = SAMPLE_FILES.filter((f) => f.endsWith('.html'))
    .map((f) => readFileSync(join(ROOT, f)))
    .filter((b) => !/charset=["']?(gbk|gb2312|gb18030|big5)/i.test(b.subarray(0, 2048).toString('latin1')))
    .map((b) => b.toString('utf8'));
  for (let i = 0; i < n; i++) {
    const page = html[i % html.length].replace(/(县|区|市)/, `$1${i}`) + `\n<!-- copy ${i} -->\n`;
    writeFileSync(join(out, `doc-${String(i).padStart(4, '0')}.html`), page);
  }
  return out;
}

describe('nianbao ingest with worker threads', () => {
  it('prints the same lines, in the same order, with 2 workers as with none, and stores the same rows', async () => {
    const a = await nianbao(['ingest', '--db', join(dir, 'w0.db'), '--workers', '0', 'samples/']);
    const b = await nianbao(['ingest', '--db', join(dir, 'w2.db'), '--workers', '2', 'samples/']);
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    expect(b.stdout.replace(/Database: .*/, '')).toEqual(a.stdout.replace(/Database: .*/, ''));
    expect(b.stdout.split('\n').filter((l) => l.startsWith('stored')).length).toBe(SAMPLE_FILES.length);
    // not a terminal: no progress line
    expect(b.stderr).toBe('');
    const w0 = new Database(join(dir, 'w0.db'), { readonly: true });
    const w2 = new Database(join(dir, 'w2.db'), { readonly: true });
    expect(dump(w2)).toEqual(dump(w0));
    w0.close();
    w2.close();
  }, 60_000);

  it('rejects a bad --workers value as a usage error', async () => {
    const r = await nianbao(['ingest', '--db', join(dir, 'x.db'), '--workers', 'many', 'samples/']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--workers wants a whole number/);
  });

  it('a worker crashing on one document: that document is an error line, not stored (a passing cause), every other is stored; a later ingest stores it', async () => {
    const victim = 'samples/taikang-education-2021-bad-sums.html';
    const r = await nianbao(['ingest', '--db', join(dir, 'crash.db'), '--workers', '2', 'samples/'], {
      NIANBAO_POOL_CRASH_ON: 'taikang-education-2021-bad-sums',
    });
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n');
    // not stored as a lasting error under its sha256: the cause may pass
    expect(lines).toContain(`error           ${victim}: the extraction worker thread died on this document (twice: crashed, ran out of memory or exited); nothing could be read (not stored: a passing cause; a later ingest tries it again)`);
    expect(lines.at(-1)).toMatch(new RegExp(`^${SAMPLE_FILES.length} documents: ${SAMPLE_FILES.length - 1} stored, 0 already stored, 1 could not be read;`));
    const db = new Database(join(dir, 'crash.db'), { readonly: true });
    expect(db.prepare('SELECT count(*) AS n FROM reports').get()).toEqual({ n: SAMPLE_FILES.length - 1 });
    expect(db.prepare('SELECT count(*) AS n FROM reports WHERE source = ?').get(victim)).toEqual({ n: 0 });
    db.close();
    // run again (the cause gone): the rest are skipped before extraction, the victim is stored
    const again = await nianbao(['ingest', '--db', join(dir, 'crash.db'), '--workers', '2', 'samples/']);
    expect(again.code).toBe(0);
    expect(again.stdout.trim().split('\n').at(-1)).toMatch(new RegExp(`^${SAMPLE_FILES.length} documents: 1 stored, ${SAMPLE_FILES.length - 1} already stored, 0 could not be read;`));
    // a third run: every document is found stored by its bytes' sha256 before extraction (a thread that
    // extracted any of them would crash: none does)
    const third = await nianbao(['ingest', '--db', join(dir, 'crash.db'), '--workers', '2', 'samples/'], { NIANBAO_POOL_CRASH_ON: 'samples/' });
    expect(third.code).toBe(0);
    expect(third.stdout.trim().split('\n').at(-1)).toMatch(new RegExp(`^${SAMPLE_FILES.length} documents: 0 stored, ${SAMPLE_FILES.length} already stored, 0 could not be read;`));
    const db2 = new Database(join(dir, 'crash.db'), { readonly: true });
    // every report as the run without a crash stored it
    const w0 = new Database(join(dir, 'w0.db'), { readonly: true });
    const want = dump(w0);
    const got = dump(db2);
    expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
    w0.close();
    db2.close();
  }, 120_000);

  it('kill -9 part way leaves every report whole or absent; running again stores each report exactly once', async () => {
    const folder = makeFolder('many', 300);
    const ref = await nianbao(['ingest', '--db', join(dir, 'ref.db'), '--workers', '2', folder]);
    expect(ref.code).toBe(0);

    const path = join(dir, 'killed.db');
    let killedAfter = -1;
    const killed = await nianbao(['ingest', '--db', path, '--workers', '2', folder], {}, (_c, kill) => {
      // kill as soon as a first batch is stored
      if (killedAfter < 0) {
        killedAfter = 0;
        kill();
      }
    });
    expect(killed.code).toBe(null); // killed, not finished
    const partial = new Database(path, { readonly: true });
    expect(partial.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(partial.pragma('foreign_key_check')).toEqual([]);
    const n = (partial.prepare('SELECT count(*) AS n FROM reports').get() as { n: number }).n;
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThan(300);
    // every stored report is whole: exactly its rows in the complete run (cross-year checks aside, whose
    // neighbours may not be stored yet)
    const refDb = new Database(join(dir, 'ref.db'), { readonly: true });
    const want = dump(refDb) as Record<string, { checks: { check_id: string }[] }>;
    const sameBut = (x: { checks: { check_id: string }[] }) => ({ ...x, checks: x.checks.filter((c) => !/carry_link|in_force_link/.test(c.check_id)) });
    for (const [sha, got] of Object.entries(dump(partial) as Record<string, { checks: { check_id: string }[] }>)) {
      expect(sameBut(got), sha).toEqual(sameBut(want[sha]));
    }
    partial.close();

    const again = await nianbao(['ingest', '--db', path, '--workers', '2', folder]);
    expect(again.code).toBe(0);
    const last = again.stdout.trim().split('\n').at(-1)!;
    expect(last).toMatch(new RegExp(`^300 documents: ${300 - n} stored, ${n} already stored, 0 could not be read;`));
    const done = new Database(path, { readonly: true });
    expect(dump(done)).toEqual(want);
    expect(done.prepare('SELECT count(*) AS n, count(DISTINCT sha256) AS d FROM reports').get()).toEqual({ n: 300, d: 300 });
    done.close();
    refDb.close();
  }, 120_000);
});

describe('the progress line', () => {
  it('is shown only on a terminal, without --json, for more than a few documents', () => {
    expect(showProgress({ isTTY: true, json: false, total: 500 })).toBe(true);
    expect(showProgress({ isTTY: false, json: false, total: 500 })).toBe(false);
    expect(showProgress({ isTTY: undefined, json: false, total: 500 })).toBe(false);
    expect(showProgress({ isTTY: true, json: true, total: 500 })).toBe(false);
    expect(showProgress({ isTTY: true, json: false, total: 3 })).toBe(false);
  });

  it('says done/total, the rate and the time left', () => {
    expect(progressLine(12345, 100000, 36_000)).toBe('12345/100000 (12.3%) · 343 reports/s · ETA 4m16s');
    expect(progressLine(50, 100, 1000)).toBe('50/100 (50.0%) · 50 reports/s · ETA 1s');
    expect(progressLine(0, 100, 0)).toBe('0/100 (0.0%) · 0 reports/s · ETA ?');
    expect(progressLine(100, 100, 2000)).toBe('100/100 (100.0%) · 50 reports/s · done');
    expect(progressLine(10, 200_000, 1000)).toBe('10/200000 (0.0%) · 10 reports/s · ETA 5h33m');
  });

  it('writes to the stream only when shown, in place, and clears itself', () => {
    const writes: string[] = [];
    const stream = { columns: 80, write: (s: string) => writes.push(s) } as unknown as NodeJS.WriteStream;
    const off = progressWriter(stream, false, 'ingest');
    off.update(1, 10);
    off.end();
    expect(writes).toEqual([]);
    const on = progressWriter(stream, true, 'ingest', 0);
    on.update(1, 10);
    on.clear();
    on.update(10, 10);
    on.end();
    expect(writes.length).toBe(4);
    expect(writes[0]).toMatch(/^\r\x1b\[Kingest 1\/10 \(10\.0%\) · \d+ reports\/s · ETA /);
    expect(writes[1]).toBe('\r\x1b[K');
    expect(writes[2]).toMatch(/^\r\x1b\[Kingest 10\/10 \(100\.0%\) .* done$/);
    expect(writes[3]).toBe('\r\x1b[K');
  });
});
