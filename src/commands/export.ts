/**
 * `nianbao export --format csv|jsonl [--what figures|checks|reviews] [--db PATH] [--out FILE]`:
 * tidy data for analysts.
 */
import { createWriteStream, writeFileSync, type WriteStream } from 'node:fs';
import { findingsCsv, findingsXlsx } from '../review/export-findings.js';
import { regionFindingRows } from '../serve/region.js';
import { usageError, parseCommandArgs } from './args.js';
import { ALL_KNOWN_KEYS } from '../keys.js';
import { csvLine } from '../csv.js';
import { DEFAULT_DB_PATH, type Db } from '../store/db.js';
import { openExistingOrSay } from './shared.js';
import { currentReview } from '../review/workflow.js';
import { ensurePlacesSchema } from '../places/schema.js';
import { ensureIndicatorSchema } from '../indicators/schema.js';

export const help = `Usage: nianbao export --format csv|jsonl [--what figures|checks|reviews|indicators] [--db PATH] [--out FILE]
       nianbao export --format parquet --out DIR [--db PATH]
       nianbao export --what codebook --format csv|json [--out FILE]
       nianbao export --what metadata [--license X] [--license-url U] [--source X] [--source-url U] [--out FILE]
       nianbao export --what findings --format xlsx|csv [--region X] [--agency X] --out FILE

Writes the stored data as tidy tables:
  figures   one row per report: report_id, agency, agency_identity, agency_id, region, year, version,
            status, kind, title, source, source_url, sha256, the place (province_code, city_code,
            county_code, township_code, division_code, division_level, agency_kind,
            department_type), then one column per canonical key of
            both template versions (src/keys.ts ALL_KNOWN_KEYS; empty/null when the report has no
            cell for it or the cell was unreadable)
  checks    one row per stored check: report_id, agency, agency_identity, year, version, check_id,
            status, expected, actual, keys (JSON array), reason, evidence, review_state,
            review_decision, review_value, and the same place columns
  reviews   one row per decision ever recorded (superseded ones too)
  indicators one row per report and indicator (view report_indicators: src/indicators/definitions.ts):
            report_id, agency, year, indicator_id, indicator_version, value, numerator,
            denominator, reason (why value is NULL: a figure missing, in a failed check, a zero
            denominator)
  codebook  every column of the exports: canonical key, the template's table/row/column labels in
            both template versions, Chinese and English names, unit, type, the indicators using it
  metadata  a Datasette metadata.json: title, licence, source, every table and column described
  findings  the open findings (one per cause, as on the review page), in Chinese, to send back to
            the publishers: 报告编号, 机关, 地区, 年度, 报告标题, 链接, 问题, 严重程度, 说明,
            所印数字 (the cells as printed), 应为 (what they should add up to), 核对项, 核对编号,
            审核状态; 地区 is the report's place and its code (河南省 周口市 西华县（411622）, or
            未定位). --region X / --agency X keep one region or body: see --region. As XLSX
            (exceljs; --out required) or CSV (with a byte-order mark, so spreadsheets read the Chinese)
CSV follows RFC 4180 (comma, CRLF line ends, fields with comma, quote or line break in double
quotes, quotes doubled), UTF-8 with no byte-order mark. A text cell that begins with =, +, -, @, a tab
or a carriage return (and is not a number) is written with a leading apostrophe ('=…), so that a
spreadsheet shows it as text and never runs it as a formula (the findings CSV likewise; XLSX cells
are typed text). JSONL is one JSON object per line with the same fields.

--format parquet writes every table to the folder DIR (new, empty, or an earlier export), partitioned
by the year reported on (DIR/<table>/year=2021/part-0000.parquet; year=NULL when unknown), with
codebook.csv, codebook.json and metadata.json beside them: reports, figures_wide (the figures
columns above), figures (long), checks, indicators, indicator_panel, division_check_failures,
places, and indicator_definitions.parquet. Read them with DuckDB:
  SELECT * FROM read_parquet('DIR/figures_wide/*/*.parquet', hive_partitioning = true);

Options:
  --format F     csv, jsonl or parquet; xlsx or csv for findings; csv or json for the codebook
  --what W       figures (default), checks, reviews, indicators, codebook, metadata or findings
  --region X     findings: the reports in region X, by their place in the divisions: a division
                 code (prefix semantics: 410000 is every report in 河南省, 411600 in 周口市,
                 411622 in 西华县), a name that contains X at any level (淮安, 周口市, 西华县,
                 a township or zone; a report not placed: its region as cut from the agency's
                 name), or 未定位 (unplaced: the reports with no division)
  --agency X     findings: the agency (as printed or its identity) contains X
  --out FILE     write there instead of standard output (a folder for parquet)
  --license X, --license-url U, --source X, --source-url U
                 metadata.json's licence and source (defaults: nianbao's MIT, the reports' publishers)
  --db PATH      the database, default ${DEFAULT_DB_PATH}
  -h, --help     show this help

Examples:
  nianbao export --format csv --out figures.csv
  nianbao export --format parquet --out export/
  nianbao export --what findings --format xlsx --region 411600 --out 周口.xlsx
  nianbao export --format jsonl --what checks | jq 'select(.status == "fail")'`;

export type Row = Record<string, string | number | null>;

export { csvField, csvLine } from '../csv.js';

/** The report's place (view report_places): division codes at every level and the body's kind. */
const PLACE_COLS = ['province_code', 'city_code', 'county_code', 'township_code', 'division_code', 'division_level', 'agency_kind', 'department_type'];
const PLACE_SELECT = PLACE_COLS.map((c) => `p.${c}`).join(', ');
const PLACE_JOIN = 'LEFT JOIN report_places_data p ON p.report_id = r.id';

const REPORT_COLS = ['report_id', 'agency', 'agency_identity', 'agency_id', 'region', 'year', 'version', 'status', 'kind', 'title', 'source', 'source_url', 'sha256', ...PLACE_COLS];

export function figureColumns(): string[] {
  return [...REPORT_COLS, ...ALL_KNOWN_KEYS];
}

/** The figures of every report, wide. */
export function* figureRows(db: Db, orderBy = 'r.id'): Generator<Row> {
  ensurePlacesSchema(db);
  const reports = db
    .prepare(
      `SELECT r.id AS report_id, r.agency, a.identity AS agency_identity, a.id AS agency_id, r.region, r.year, r.version,
              r.status, r.kind, r.title, r.source, r.source_url, r.sha256, ${PLACE_SELECT}
       FROM reports r LEFT JOIN agency_links l ON l.report_id = r.id LEFT JOIN agencies a ON a.id = l.agency_id ${PLACE_JOIN}
       ORDER BY ${orderBy}`,
    )
    .all() as Row[];
  const figs = db.prepare('SELECT key, value FROM figures WHERE report_id = ?');
  for (const r of reports) {
    const row: Row = { ...r };
    for (const k of ALL_KNOWN_KEYS) row[k] = null;
    for (const f of figs.all(r.report_id) as { key: string; value: number | null }[]) row[f.key] = f.value;
    yield row;
  }
}

export const CHECK_COLS = ['report_id', 'agency', 'agency_identity', 'year', 'version', 'check_id', 'status', 'expected', 'actual', 'keys', 'reason', 'evidence', 'review_state', 'review_decision', 'review_value', ...PLACE_COLS];

export function* checkRows(db: Db, orderBy = 'r.id, c.ord'): Generator<Row> {
  ensurePlacesSchema(db);
  const rows = db
    .prepare(
      `SELECT c.report_id, r.agency, a.identity AS agency_identity, r.year, r.version, c.check_id, c.status, c.expected, c.actual,
              c.keys_json AS keys, c.reason, c.evidence, ${PLACE_SELECT}
       FROM reports r CROSS JOIN checks c ON c.report_id = r.id
       LEFT JOIN agency_links l ON l.report_id = r.id LEFT JOIN agencies a ON a.id = l.agency_id ${PLACE_JOIN}
       ORDER BY ${orderBy}`,
    )
    // read as they come (a national database has millions of checks), report by report: the reports
    // outside (CROSS JOIN keeps them there), each one's checks by check_rows' key, sorted by ord alone
    .iterate() as Iterable<Row>;
  // no decision recorded at all (a fresh national database): no need to look one up for each flagged check
  const anyReview = !!db.prepare('SELECT 1 FROM reviews LIMIT 1').get();
  for (const row of rows) {
    const isFlagged = row.status === 'fail' || row.status === 'warn';
    const review = isFlagged && anyReview ? currentReview(db, row.report_id as number, row.check_id as string) : null;
    yield {
      ...row,
      review_state: isFlagged ? (review ? review.state : 'open') : null,
      review_decision: review ? review.decision : null,
      review_value: review ? review.corrected_value : null,
    };
  }
}

export const REVIEW_COLS = ['id', 'report_id', 'check_id', 'decision', 'corrected_value', 'note', 'reviewer', 'decided_at', 'source_sha256', 'source', 'source_url', 'agency_identity', 'year', 'state', 'reopened_at', 'reopened_reason', 'superseded_by'];

export function* reviewRows(db: Db): Generator<Row> {
  yield* db.prepare(`SELECT ${REVIEW_COLS.join(', ')} FROM reviews ORDER BY id`).all() as Row[];
}

export const INDICATOR_COLS = ['report_id', 'agency', 'year', 'indicator_id', 'indicator_version', 'value', 'numerator', 'denominator', 'reason'];

/** The indicators, long (view report_indicators), with the agency. */
export function* indicatorRows(db: Db): Generator<Row> {
  ensureIndicatorSchema(db);
  yield* db
    .prepare(
      `SELECT i.report_id, r.agency, i.year, i.indicator_id, i.indicator_version, i.value, i.numerator, i.denominator, i.reason
       FROM report_indicators i JOIN reports r ON r.id = i.report_id ORDER BY i.report_id, i.indicator_id`,
    )
    .iterate() as Iterable<Row>;
}

/** Writes one export to `out`; returns the number of rows. */
export function writeExport(db: Db, what: 'figures' | 'checks' | 'reviews' | 'indicators', format: 'csv' | 'jsonl', write: (s: string) => void): number {
  const cols = what === 'figures' ? figureColumns() : what === 'checks' ? CHECK_COLS : what === 'indicators' ? INDICATOR_COLS : REVIEW_COLS;
  const rows = what === 'figures' ? figureRows(db) : what === 'checks' ? checkRows(db) : what === 'indicators' ? indicatorRows(db) : reviewRows(db);
  if (format === 'csv') write(csvLine(cols));
  let n = 0;
  for (const row of rows) {
    if (format === 'csv') write(csvLine(cols.map((c) => row[c])));
    else {
      const o: Record<string, unknown> = {};
      for (const c of cols) o[c] = c === 'keys' && typeof row[c] === 'string' ? JSON.parse(row[c] as string) : (row[c] ?? null);
      write(JSON.stringify(o) + '\n');
    }
    n++;
  }
  return n;
}

async function exportFindings(values: { format?: string; db?: string; out?: string; region?: string; agency?: string }): Promise<number> {
  if (values.format !== 'xlsx' && values.format !== 'csv') throw usageError('--what findings wants --format xlsx or csv');
  if (values.format === 'xlsx' && !values.out) throw usageError('--format xlsx needs --out FILE');
  const dbPath = values.db ?? DEFAULT_DB_PATH;
  const db = openExistingOrSay(dbPath, 'export');
  if (!db) return 1;
  try {
    const region = values.region?.trim();
    const rows = regionFindingRows(db, region ? { text: region } : undefined, values.agency);
    const body = values.format === 'xlsx' ? await findingsXlsx(rows) : findingsCsv(rows);
    if (values.out) {
      writeFileSync(values.out, body);
      process.stderr.write(`nianbao export: ${rows.length} open finding${rows.length === 1 ? '' : 's'} written to ${values.out}\n`);
    } else process.stdout.write(body);
    return 0;
  } finally {
    db.close();
  }
}

type Values = { format?: string; what?: string; db?: string; out?: string; license?: string; 'license-url'?: string; source?: string; 'source-url'?: string };

const metadataOpts = (v: Values) => ({ license: v.license, licenseUrl: v['license-url'], source: v.source, sourceUrl: v['source-url'] });

/** --format parquet: every table to DIR (src/export/parquet.ts), with the codebook and metadata.json. */
async function exportParquetCommand(values: Values): Promise<number> {
  if (values.what !== undefined) throw usageError('--format parquet writes every table: leave out --what');
  if (!values.out) throw usageError('--format parquet needs --out DIR (a new or empty folder, or an earlier export)');
  const { exportParquet, exportDirProblem } = await import('../export/parquet.js');
  const problem = exportDirProblem(values.out);
  if (problem) throw usageError(problem);
  const dbPath = values.db ?? DEFAULT_DB_PATH;
  const db = openExistingOrSay(dbPath, 'export');
  if (!db) return 1;
  try {
    const started = Date.now();
    const res = await exportParquet(db, values.out, metadataOpts(values));
    for (const t of res.tables) {
      process.stderr.write(`nianbao export: ${t.name}: ${t.rows} row${t.rows === 1 ? '' : 's'} in ${t.files} file${t.files === 1 ? '' : 's'}, ${t.bytes} bytes\n`);
    }
    process.stderr.write(`nianbao export: Parquet written to ${values.out} (${res.bytes} bytes, ${((Date.now() - started) / 1000).toFixed(1)} s), with ${res.extras.join(', ')}\n`);
    return 0;
  } finally {
    db.close();
  }
}

/** --what codebook (csv or json) and --what metadata (Datasette's metadata.json). */
async function exportDocs(values: Values): Promise<number> {
  const { parquetTables } = await import('../export/parquet.js');
  const { codebook, codebookCsv, codebookJson } = await import('../export/codebook.js');
  const { datasetteMetadata } = await import('../export/datasette.js');
  if (values.what === 'codebook' && values.format !== 'csv' && values.format !== 'json') throw usageError('--what codebook wants --format csv or json');
  if (values.what === 'metadata' && values.format !== undefined && values.format !== 'json') throw usageError('--what metadata is JSON (leave out --format, or --format json)');
  const dbPath = values.db ?? DEFAULT_DB_PATH;
  const db = openExistingOrSay(dbPath, 'export');
  if (!db) return 1;
  try {
    const tables = parquetTables(db);
    let body: string;
    if (values.what === 'codebook') {
      const book = codebook(Object.fromEntries(tables.map((t) => [t.name, t.columns])));
      body = values.format === 'csv' ? codebookCsv(book) : codebookJson(book);
    } else body = JSON.stringify(datasetteMetadata(db, { ...metadataOpts(values), parquet: tables }), null, 1) + '\n';
    if (values.out) {
      writeFileSync(values.out, body);
      process.stderr.write(`nianbao export: ${values.what} written to ${values.out}\n`);
    } else process.stdout.write(body);
    return 0;
  } finally {
    db.close();
  }
}

export async function run(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, {
    format: { type: 'string' },
    what: { type: 'string' },
    db: { type: 'string' },
    out: { type: 'string' },
    region: { type: 'string' },
    agency: { type: 'string' },
    license: { type: 'string' },
    'license-url': { type: 'string' },
    source: { type: 'string' },
    'source-url': { type: 'string' },
  }, help);
  if (!args) return 0;
  const { values } = args;
  if (values.what === 'findings') return exportFindings(values);
  if (values.region !== undefined || values.agency !== undefined) throw usageError('--region and --agency go with --what findings');
  if (values.format === 'parquet') return exportParquetCommand(values);
  if (values.what === 'codebook' || values.what === 'metadata') return exportDocs(values);
  for (const o of ['license', 'license-url', 'source', 'source-url'] as const) {
    if (values[o] !== undefined) throw usageError(`--${o} goes with --format parquet or --what metadata`);
  }
  if (values.format !== 'csv' && values.format !== 'jsonl') throw usageError('--format must be csv or jsonl (or parquet, with --out DIR)');
  const what = values.what ?? 'figures';
  if (what !== 'figures' && what !== 'checks' && what !== 'reviews' && what !== 'indicators') {
    throw usageError('--what must be figures, checks, reviews, indicators, findings, codebook or metadata');
  }
  const dbPath = values.db ?? DEFAULT_DB_PATH;
  const db = openExistingOrSay(dbPath, 'export');
  if (!db) return 1;
  let stream: WriteStream | undefined;
  try {
    let write: (s: string) => void;
    if (values.out) {
      stream = createWriteStream(values.out);
      const s = stream;
      write = (x) => void s.write(x);
    } else write = (x) => void process.stdout.write(x);
    const n = writeExport(db, what, values.format, write);
    if (stream) {
      const s = stream;
      await new Promise<void>((resolve, reject) => {
        s.on('error', reject);
        s.end(resolve);
      });
      process.stderr.write(`nianbao export: ${n} ${what} row${n === 1 ? '' : 's'} written to ${values.out}\n`);
    }
    return 0;
  } finally {
    db.close();
  }
}
