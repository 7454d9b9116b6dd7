/**
 * `nianbao export --format parquet --out DIR`: the database as Parquet files for statistics packages
 * and DuckDB, written through @duckdb/node-api's appender (rows read from SQLite with better-sqlite3,
 * appended to an in-memory DuckDB table, copied to Parquet with zstd; no SQLite scanner extension).
 *
 * DIR/<table>/year=<Y>/part-<n>.parquet (hive partitioning by the year reported on; `year=NULL` for
 * reports whose year is unknown; the year is also a column inside each file), for the tables
 *   reports, figures_wide (one row per report, one column per canonical key), figures (long), checks,
 *   indicators (long), indicator_panel, division_check_failures, places;
 * DIR/indicator_definitions.parquet; and beside them codebook.csv, codebook.json and metadata.json
 * (Datasette). A table is read in (year, report) order and written a file per year (a new part every
 * ROWS_PER_FILE rows), so memory stays bounded by one part, whatever the size of the database.
 *
 * Read back with DuckDB: SELECT * FROM read_parquet('DIR/figures/*\/*.parquet', hive_partitioning = true).
 */
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBAppender, type DuckDBConnection } from '@duckdb/node-api';
import type { Db } from '../store/db.js';
import { ALL_KNOWN_KEYS } from '../keys.js';
import { checkRows, CHECK_COLS, figureColumns, figureRows, type Row } from '../commands/export.js';
import { ensureIndicatorSchema } from '../indicators/schema.js';
import { codebook, codebookCsv, codebookJson, COLUMN_DOCS, plainCodebookRow } from './codebook.js';
import { datasetteMetadata, type MetadataOptions } from './datasette.js';

export const ROWS_PER_FILE = 1_000_000;

export type SqlType = 'BIGINT' | 'INTEGER' | 'DOUBLE' | 'VARCHAR';

export interface ParquetTable {
  name: string;
  description: string;
  columns: string[];
  /** Rows in (year, report_id) order when partitioned. */
  rows: (db: Db) => Iterable<Row>;
  partitioned: boolean;
  /** Types where a column's name means something else in this table (indicator_definitions.version is a number). */
  types?: Record<string, SqlType>;
}

const KEYS = new Set(ALL_KNOWN_KEYS);
/** The Parquet type of a column: from the codebook (a canonical key or an indicator is DOUBLE). */
export function sqlType(column: string): SqlType {
  if (column === 'year') return 'INTEGER';
  if (KEYS.has(column)) return 'DOUBLE';
  const t = COLUMN_DOCS[column]?.[2] ?? plainCodebookRow('', column).type;
  return t === 'integer' ? 'BIGINT' : t === 'number' ? 'DOUBLE' : 'VARCHAR';
}

const REPORTS_COLS = ['report_id', 'agency', 'agency_identity', 'agency_id', 'region', 'year', 'version', 'status', 'kind', 'title', 'source', 'source_url', 'sha256', 'ocr', 'extracted_at', 'extractor_version', 'ingested_at'];

function columnsOf(db: Db, sql: string): string[] {
  return db.prepare(sql).columns().map((c) => c.name);
}

/** The exported tables, their columns read from the database where they are views. */
export function parquetTables(db: Db): ParquetTable[] {
  ensureIndicatorSchema(db);
  const places = columnsOf(db, 'SELECT * FROM report_places');
  const panel = columnsOf(db, 'SELECT * FROM indicator_panel');
  const divisions = columnsOf(db, 'SELECT * FROM division_check_failures');
  const defs = columnsOf(db, 'SELECT * FROM indicator_definitions');
  return [
    {
      name: 'reports',
      description: 'One row per report (a distinct document): its metadata and the body it is linked to across years.',
      columns: REPORTS_COLS,
      partitioned: true,
      rows: (d) =>
        d.prepare(
          `SELECT r.id AS report_id, r.agency, a.identity AS agency_identity, a.id AS agency_id, r.region, r.year, r.version, r.status, r.kind,
                  r.title, r.source, r.source_url, r.sha256, r.ocr, r.extracted_at, r.extractor_version, r.ingested_at
           FROM reports r LEFT JOIN agency_links l ON l.report_id = r.id LEFT JOIN agencies a ON a.id = l.agency_id
           ORDER BY r.year, r.id`,
        ).iterate() as Iterable<Row>,
    },
    {
      name: 'figures_wide',
      description: 'The wide panel: one row per report, its metadata and place, then one column per canonical key of both template versions (NULL where the report has no cell or the cell was unreadable). The same columns as `nianbao export --format csv`.',
      columns: figureColumns(),
      partitioned: true,
      rows: (d) => figureRows(d, 'r.year, r.id'),
    },
    {
      name: 'figures',
      description: 'The figures, long: one row per report and canonical key the report has a cell for (value NULL when unreadable).',
      columns: ['report_id', 'year', 'key', 'value'],
      partitioned: true,
      rows: (d) => d.prepare('SELECT f.report_id, r.year, f.key, f.value FROM reports r CROSS JOIN figures f ON f.report_id = r.id ORDER BY r.year, r.id, f.ord').iterate() as Iterable<Row>,
    },
    {
      name: 'checks',
      description: 'One row per check and report (report-format.md), with the review state of failed checks and warnings, and the report\'s place.',
      columns: CHECK_COLS,
      partitioned: true,
      rows: (d) => checkRows(d, 'r.year, r.id, c.ord'),
    },
    {
      name: 'indicators',
      description: 'The indicators, long: one row per report and indicator (indicator_definitions), NULL with a reason when a figure is missing, in a failed check, or the denominator is 0.',
      columns: ['report_id', 'year', 'indicator_id', 'indicator_version', 'value', 'numerator', 'denominator', 'reason'],
      partitioned: true,
      rows: (d) => d.prepare('SELECT report_id, year, indicator_id, indicator_version, value, numerator, denominator, reason FROM report_indicators ORDER BY year, report_id, indicator_id').iterate() as Iterable<Row>,
    },
    {
      name: 'indicator_panel',
      description: 'One row per body and year (its best report), with its place, every indicator and its reason, and percentiles and ranks within its province and city.',
      columns: panel,
      partitioned: true,
      rows: (d) => d.prepare('SELECT * FROM indicator_panel ORDER BY year, agency_id').iterate() as Iterable<Row>,
    },
    {
      name: 'division_check_failures',
      description: 'Per province, city and county and year: the reports (ok or partial), how many have a failed check, and the share (indicator failed_checks_share).',
      columns: divisions,
      partitioned: true,
      rows: (d) => d.prepare('SELECT * FROM division_check_failures ORDER BY year, level, division_code').iterate() as Iterable<Row>,
    },
    {
      name: 'places',
      description: 'Each report\'s place in the administrative divisions (view report_places): codes and names at every level, the body\'s kind, how it was placed.',
      columns: places,
      partitioned: true,
      rows: (d) => d.prepare('SELECT * FROM report_places ORDER BY year, report_id').iterate() as Iterable<Row>,
    },
    {
      name: 'indicator_definitions',
      description: 'The indicators\' definitions (src/indicators/definitions.ts): id, Chinese and English name, version, formula over canonical keys.',
      columns: defs,
      partitioned: false,
      types: { version: 'INTEGER' },
      rows: (d) => d.prepare('SELECT * FROM indicator_definitions ORDER BY rowid').iterate() as Iterable<Row>,
    },
  ];
}

/**
 * One value through the appender. Measured against data chunks (DuckDBDataChunk.setColumns +
 * appendDataChunk, 2048 rows each) on the export bench's tables with @duckdb/node-api 1.5.6: the chunks
 * were no faster (figures 198,700 rows 0.33 vs 0.37 s; checks 51,350 rows 1.52 vs 0.46 s; the wide panel
 * 0.28 vs 0.24 s): the package fills a chunk's vectors value by value in JS too. The export's time is in
 * reading SQLite (the checks' join, the indicator views), not here.
 */
function appendValue(ap: DuckDBAppender, type: SqlType, v: unknown, where: string): void {
  if (v === null || v === undefined) return ap.appendNull();
  switch (type) {
    case 'VARCHAR':
      return ap.appendVarchar(String(v));
    case 'DOUBLE': {
      const n = Number(v);
      if (Number.isNaN(n)) throw new Error(`${where}: "${String(v)}" is not a number`);
      return ap.appendDouble(n);
    }
    case 'INTEGER':
    case 'BIGINT': {
      const n = Number(v);
      if (!Number.isInteger(n)) throw new Error(`${where}: "${String(v)}" is not a whole number`);
      return type === 'INTEGER' ? ap.appendInteger(n) : ap.appendBigInt(BigInt(n));
    }
  }
}

const quoteIdent = (s: string) => `"${s.replace(/"/g, '""')}"`;
const quoteStr = (s: string) => `'${s.replace(/'/g, "''")}'`;

export interface ParquetTableResult {
  name: string;
  rows: number;
  files: number;
  bytes: number;
  /** Time to read and write the table. */
  ms: number;
}

async function writeTable(db: Db, con: DuckDBConnection, t: ParquetTable, out: string, rowsPerFile: number): Promise<ParquetTableResult> {
  const types = t.columns.map((c) => t.types?.[c] ?? sqlType(c));
  const create = `CREATE OR REPLACE TABLE x (${t.columns.map((c, i) => `${quoteIdent(c)} ${types[i]}`).join(', ')})`;
  const dir = t.partitioned ? join(out, t.name) : out;
  if (t.partitioned) rmSync(dir, { recursive: true, force: true });
  const started = performance.now();
  const result: ParquetTableResult = { name: t.name, rows: 0, files: 0, bytes: 0, ms: 0 };
  let ap: DuckDBAppender | null = null;
  let inPart = 0;
  let year: unknown = undefined;
  const parts = new Map<string, number>();
  const flush = async () => {
    if (!ap) return;
    ap.closeSync();
    ap = null;
    let file: string;
    if (t.partitioned) {
      const y = year === null || year === undefined ? 'NULL' : String(year);
      const n = parts.get(y) ?? 0;
      parts.set(y, n + 1);
      mkdirSync(join(dir, `year=${y}`), { recursive: true });
      file = join(dir, `year=${y}`, `part-${String(n).padStart(4, '0')}.parquet`);
    } else file = join(out, `${t.name}.parquet`);
    await con.run(`COPY x TO ${quoteStr(file)} (FORMAT parquet, COMPRESSION zstd)`);
    result.files++;
    result.bytes += statSync(file).size;
    inPart = 0;
  };
  const open = async () => {
    await con.run(create);
    ap = await con.createAppender('x');
  };
  for (const row of t.rows(db)) {
    if (t.partitioned && ap && (row.year !== year || inPart >= rowsPerFile)) await flush();
    if (!ap) {
      await open();
      year = row.year;
    }
    for (let i = 0; i < t.columns.length; i++) appendValue(ap!, types[i]!, row[t.columns[i]!], `${t.name}.${t.columns[i]}`);
    ap!.endRow();
    inPart++;
    result.rows++;
  }
  if (!ap && !t.partitioned) await open(); // an empty unpartitioned table is still written, with its columns
  await flush();
  await con.run('DROP TABLE IF EXISTS x');
  result.ms = performance.now() - started;
  return result;
}

export interface ParquetExportResult {
  tables: ParquetTableResult[];
  bytes: number;
  /** Files written beside the tables. */
  extras: string[];
}

/** Whether DIR may be written: absent, empty, or an earlier export (it has our codebook.json). */
export function exportDirProblem(out: string): string | null {
  if (!existsSync(out)) return null;
  if (!statSync(out).isDirectory()) return `${out} is not a folder`;
  const names = readdirSync(out);
  if (names.length && !names.includes('codebook.json')) return `${out} is not empty and holds no earlier export (no codebook.json): give an empty or new folder`;
  return null;
}

/** Writes every table, the codebook and metadata.json to `out`. */
export async function exportParquet(db: Db, out: string, opts: { rowsPerFile?: number } & Omit<MetadataOptions, 'parquet'> = {}): Promise<ParquetExportResult> {
  const problem = exportDirProblem(out);
  if (problem) throw new Error(problem);
  mkdirSync(out, { recursive: true });
  const tables = parquetTables(db);
  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  const results: ParquetTableResult[] = [];
  try {
    for (const t of tables) results.push(await writeTable(db, con, t, out, opts.rowsPerFile ?? ROWS_PER_FILE));
  } finally {
    con.closeSync();
    instance.closeSync();
  }
  const book = codebook(Object.fromEntries(tables.map((t) => [t.name, t.columns])));
  writeFileSync(join(out, 'codebook.csv'), codebookCsv(book));
  writeFileSync(join(out, 'codebook.json'), codebookJson(book));
  writeFileSync(join(out, 'metadata.json'), JSON.stringify(datasetteMetadata(db, { ...opts, parquet: tables }), null, 1) + '\n');
  return { tables: results, bytes: results.reduce((s, r) => s + r.bytes, 0), extras: ['codebook.csv', 'codebook.json', 'metadata.json'] };
}
