/**
 * Issue 19 item 2: `nianbao export --format parquet` read back by DuckDB with identical rows, partitioned
 * by year; the codebook covers every key of src/keys.ts and every exported column; Datasette's metadata.json.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { figureColumns } from '../src/commands/export.js';
import { codebook } from '../src/export/codebook.js';
import { datasetteMetadata } from '../src/export/datasette.js';
import { exportParquet, parquetTables, type ParquetExportResult } from '../src/export/parquet.js';
import { extractBytes } from '../src/extract.js';
import { INDICATORS } from '../src/indicators/definitions.js';
import { ALL_KNOWN_KEYS, allKeys } from '../src/keys.js';
import { ReportSchema } from '../src/report.js';
import { afterIngest } from '../src/review/hook.js';
import { openReviewDb } from '../src/review/schema.js';
import type { Db } from '../src/store/db.js';
import { ingestReport, sha256Hex } from '../src/store/ingest.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const tmp = mkdtempSync(join(tmpdir(), 'nianbao-parquet-'));
const dbPath = join(tmp, 'nb.db');
const out = join(tmp, 'out');
let db: Db;
let res: ParquetExportResult;
let duck: DuckDBInstance;
let con: DuckDBConnection;

const SAMPLES = [
  'samples/luyi-police-2019-bad-litigation.html',
  'samples/taikang-education-2021-bad-sums.html',
  'samples/huaiyin-2022-template2019.html',
  'samples/series/xihua-culture-2021.html',
  'samples/series/xihua-culture-2022.html',
  'samples/xihua-county-2017-legacy.html',
];

beforeAll(async () => {
  db = openReviewDb(dbPath);
  for (const rel of SAMPLES) {
    const bytes = readFileSync(join(root, rel));
    const { reportId } = ingestReport(db, await extractBytes(bytes, { source: rel }), bytes);
    afterIngest(db, reportId);
  }
  // no year, awkward text, an unreadable figure, a negative delta and an amount with decimals
  const bytes = new TextEncoder().encode('awkward-parquet');
  const r = ReportSchema.parse({
    source: 'x.txt', sha256: sha256Hex(bytes), status: 'partial', version: '2019', agency: '某县"民政"局, 二', year: null, title: 'a,"b"\r\nc “d”', region: null,
    source_url: null, kind: 'text', figures: { 'art20.licensing.delta': -3, 'art20.fees.amount': 1.2345, 'requests.other.total': null },
    checks: [], problems: [], provenance: {},
  });
  afterIngest(db, ingestReport(db, r, bytes).reportId);
  res = await exportParquet(db, out, { rowsPerFile: 100 });
  duck = await DuckDBInstance.create(':memory:');
  con = await duck.connect();
}, 180_000);

afterAll(() => {
  con?.closeSync();
  duck?.closeSync();
  db?.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** A value as both sides should agree on it: bigint and numeric strings as numbers. */
function norm(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  return v === undefined ? null : v;
}

describe('Parquet read back by DuckDB', () => {
  it('every table, row for row and column for column, as SQLite gives it', async () => {
    const tables = parquetTables(db);
    expect(tables.map((t) => t.name)).toEqual(['reports', 'figures_wide', 'figures', 'checks', 'indicators', 'indicator_panel', 'division_check_failures', 'places', 'indicator_definitions']);
    for (const t of tables) {
      const expected = [...t.rows(db)].map((r) => t.columns.map((c) => norm(r[c])));
      const path = t.partitioned ? join(out, t.name, '*', '*.parquet') : join(out, `${t.name}.parquet`);
      // the files' own columns (hive_partitioning off: the year inside each file, not the folder's name)
      const reader = await con.runAndReadAll(`SELECT * FROM read_parquet('${path}', hive_partitioning = false, filename = true) ORDER BY filename`);
      const names = reader.columnNames().filter((n) => n !== 'filename');
      expect(names, t.name).toEqual(t.columns);
      const got = reader.getRowObjectsJS().map((r) => t.columns.map((c) => norm(r[c])));
      // the files hold the rows in the order written: year folder, then part
      const sortKey = (row: unknown[]) => JSON.stringify(row);
      expect(got.length, t.name).toBe(expected.length);
      expect(got.map(sortKey).sort(), t.name).toEqual(expected.map(sortKey).sort());
      expect(res.tables.find((x) => x.name === t.name)!.rows).toBe(expected.length);
    }
  });

  it('partitioned by year: one folder per year (NULL for an unknown year), each file only its year; parts of at most rowsPerFile rows', async () => {
    const years = readdirSync(join(out, 'reports')).sort();
    expect(years).toEqual(['year=2017', 'year=2019', 'year=2021', 'year=2022', 'year=NULL']);
    const r = await con.runAndReadAll(`SELECT year, count(*) AS n FROM read_parquet('${join(out, 'figures', '*', '*.parquet')}', hive_partitioning = true) GROUP BY year ORDER BY year NULLS LAST`);
    const fromDb = db.prepare('SELECT r.year, count(*) AS n FROM figures f JOIN reports r ON r.id = f.report_id GROUP BY r.year ORDER BY r.year IS NULL, r.year').all() as { year: number | null; n: number }[];
    expect(r.getRowObjectsJS().map((x) => ({ year: norm(x.year), n: norm(x.n) }))).toEqual(fromDb);
    const mixed = await con.runAndReadAll(`SELECT count(*) AS n FROM read_parquet('${join(out, 'checks', '*', '*.parquet')}', hive_partitioning = false, filename = true) WHERE coalesce(CAST(year AS VARCHAR), 'NULL') <> regexp_extract(filename, 'year=([^/]+)', 1)`);
    expect(norm(mixed.getRowObjectsJS()[0]!.n)).toBe(0);
    const parts = readdirSync(join(out, 'figures', 'year=2021'));
    const n2021 = fromDb.find((x) => x.year === 2021)!.n;
    expect(parts.length).toBe(Math.ceil(n2021 / 100));
  });

  it('the wide panel: one column per canonical key, typed DOUBLE; the awkward report\'s values intact', async () => {
    const r = await con.runAndReadAll(`SELECT * FROM read_parquet('${join(out, 'figures_wide', 'year=NULL', '*.parquet')}')`);
    const row = r.getRowObjectsJS()[0]!;
    expect(row['art20.licensing.delta']).toBe(-3);
    expect(row['art20.fees.amount']).toBe(1.2345);
    expect(row['requests.other.total']).toBeNull();
    expect(row.title).toBe('a,"b"\r\nc “d”');
    const types = await con.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${join(out, 'figures_wide', 'year=2021', '*.parquet')}', hive_partitioning = false)`);
    const typeOf = Object.fromEntries(types.getRowObjectsJS().map((x) => [x.column_name, x.column_type]));
    for (const k of ALL_KNOWN_KEYS) expect(typeOf[k], k).toBe('DOUBLE');
    expect(typeOf.report_id).toBe('BIGINT');
    expect(typeOf.year).toBe('INTEGER');
  });

  it('codebook and metadata.json ship with the export', () => {
    for (const f of res.extras) expect(existsSync(join(out, f))).toBe(true);
    const book = JSON.parse(readFileSync(join(out, 'codebook.json'), 'utf8')) as { rows: { table: string; column: string }[] };
    for (const t of parquetTables(db)) for (const c of t.columns) expect(book.rows.some((r) => r.table === t.name && r.column === c), `${t.name}.${c}`).toBe(true);
    const csv = readFileSync(join(out, 'codebook.csv'), 'utf8');
    expect(csv.split('\r\n')[0]).toBe('table,column,key,name_zh,name_en,template_table,row_2019,col_2019,row_2021,col_2021,unit,type,indicators,description_en,description_zh');
  });
});

describe('the codebook', () => {
  const book = codebook({ figures_wide: figureColumns() });
  const of = (k: string) => book.find((r) => r.column === k)!;
  it('covers every key of src/keys.ts, each named in both languages, with its unit and type', () => {
    for (const k of ALL_KNOWN_KEYS) {
      const r = of(k);
      expect(r, k).toBeDefined();
      expect(r.key).toBe(k);
      expect(r.name_zh, k).toMatch(/^表[二三四] /);
      expect(r.name_en, k).toMatch(/^Table [234] /);
      expect(r.unit, k).not.toBe('');
      expect(r.row_2019 || r.row_2021, k).not.toBe('');
    }
    for (const c of figureColumns()) expect(of(c).name_en, c).not.toBe('');
  });
  it('the template\'s labels in the versions that have the key, and the indicators that read it', () => {
    expect(of('requests.other.no_fee.total').row_2019).toBe('');
    expect(of('requests.other.no_fee.total').row_2021).toContain('2.申请人逾期未按收费通知要求缴纳费用');
    expect(of('art20.procurement.amount').row_2021).toBe('');
    expect(of('art20.procurement.amount').col_2019).toBe('采购总金额');
    expect(of('art20.procurement.amount').unit).toBe('万元 (10,000 yuan)');
    expect(of('art20.penalty.decisions').col_2019).toBe('处理决定数量');
    expect(of('art20.penalty.decisions').col_2021).toBe('本年处理决定数量');
    expect(of('review.corrected').row_2019).toBe('行政复议');
    expect(of('review.corrected').col_2021).toBe('结果纠正');
    expect(of('art20.licensing.delta').type).toBe('number');
    expect(of('requests.granted.total').indicators.split(' ')).toEqual(['disclosure_rate', 'disclosure_rate_with_partial', 'disclosure_rate_decided']);
    expect(of('requests.total.total').indicators.split(' ')).toEqual(['disclosure_rate', 'disclosure_rate_with_partial', 'denial_rate', 'unable_rate']);
    expect(of('requests.new.total').indicators).toBe('new_requests_change');
    expect(of('requests.natural.total' as string)).toBeUndefined();
    for (const d of INDICATORS) for (const x of [...d.numerator, ...d.denominator]) expect(of(x.key).indicators.split(' ')).toContain(d.id);
    expect(allKeys('2019').every((k) => of(k).row_2019 !== '')).toBe(true);
    expect(allKeys('2021').every((k) => of(k).row_2021 !== '')).toBe(true);
  });
});

describe('metadata.json for Datasette', () => {
  it('title, licence and source; every table analysts read described, and each of its columns; secrets hidden', () => {
    const m = datasetteMetadata(db);
    expect(m.title).toMatch(/政府信息公开工作年度报告/);
    expect(m.license).toMatch(/MIT/);
    expect(m.source).toBeTruthy();
    const tables = m.databases.nb!.tables;
    for (const name of ['reports', 'figures', 'checks', 'report_indicators', 'indicator_panel', 'indicator_definitions', 'report_places', 'figure_sources', 'request_matrix_wide']) {
      expect(tables[name]?.description, name).toBeTruthy();
      const cols = db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all(name) as string[];
      expect(Object.keys(tables[name]!.columns!)).toEqual(cols);
      for (const c of cols) expect(tables[name]!.columns![c], `${name}.${c}`).not.toMatch(/see the README|^$/);
    }
    expect(tables.reviewers!.hidden).toBe(true);
    expect(tables.review_sessions!.hidden).toBe(true);
    expect(tables.indicator_panel!.columns!.disclosure_rate_rank_city).toMatch(/Rank/);
    expect(tables.figures_wide).toBeUndefined();
  });
});

describe('nianbao export --format parquet (compiled CLI)', () => {
  const cli = (...args: string[]) => spawnSync(process.execPath, [join(root, 'bin', 'nianbao.js'), ...args], { encoding: 'utf8' });
  it('writes the folder and says what it wrote; refuses a folder holding something else, --what, and no --out', () => {
    db.pragma('wal_checkpoint(TRUNCATE)');
    const dir = join(tmp, 'cli-out');
    const r = cli('export', '--format', 'parquet', '--out', dir, '--db', dbPath);
    expect(r.stderr).toMatch(/figures: \d+ rows in \d+ files?, \d+ bytes/);
    expect(r.status).toBe(0);
    expect(existsSync(join(dir, 'metadata.json'))).toBe(true);
    // again into the same folder: an earlier export is replaced
    expect(cli('export', '--format', 'parquet', '--out', dir, '--db', dbPath).status).toBe(0);
    const other = join(tmp, 'other');
    mkdirSync(other);
    writeFileSync(join(other, 'mine.txt'), 'x');
    const refused = cli('export', '--format', 'parquet', '--out', other, '--db', dbPath);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('is not empty');
    expect(readFileSync(join(other, 'mine.txt'), 'utf8')).toBe('x');
    expect(cli('export', '--format', 'parquet', '--db', dbPath).stderr).toContain('--format parquet needs --out DIR');
    expect(cli('export', '--format', 'parquet', '--what', 'checks', '--out', dir, '--db', dbPath).status).toBe(2);
    const book = cli('export', '--what', 'codebook', '--format', 'csv', '--db', dbPath);
    expect(book.status).toBe(0);
    expect(book.stdout).toContain('figures_wide,requests.granted.total,requests.granted.total,');
    const meta = cli('export', '--what', 'metadata', '--db', dbPath, '--license', 'CC BY 4.0');
    expect(JSON.parse(meta.stdout).license).toBe('CC BY 4.0');
  }, 120_000);
});
