/**
 * A Datasette `metadata.json` for the SQLite database (and, listed under `parquet`, the Parquet tables
 * of an export): a title, description, licence and source, and a description of every table and view
 * analysts read and of each of their columns (from the codebook: canonical keys in the template's words,
 * indicators from their definitions). Tables that are nianbao's own bookkeeping, or hold secrets
 * (reviewer accounts and sessions), are marked hidden; Datasette still serves hidden tables to anyone
 * who names them, so publish a copy without reviewers and review_sessions.
 * https://docs.datasette.io/en/stable/metadata.html
 */
import { basename } from 'node:path';
import type { Db } from '../store/db.js';
import { ALL_KNOWN_KEYS } from '../keys.js';
import { keyCodebookRow, plainCodebookRow } from './codebook.js';
import type { ParquetTable } from './parquet.js';

export const TABLE_DOCS: Record<string, string> = {
  reports: 'One row per distinct document (by the sha256 of its bytes): the agency, the year reported on, the template version, the extraction status, title and source. 报告（每个不同的文件一行）。',
  figures: 'One row per report and canonical key the document has a cell for (value NULL when the cell is present but unreadable). Keys: see the codebook. 数字（每份报告每个规范键一行）。',
  checks: 'One row per consistency check and report: pass, fail, warn or skipped, with the expected and actual figures and the keys involved. 核对结果。',
  problems: 'Extraction problems (unreadable cells, decoding trouble, missing tables), in the order found. 提取问题。',
  figure_sources: 'Provenance: where each figure was read, as printed (cell text, table, row and column label, position). 数字来源（所印文字与位置）。',
  check_results: 'Every check with the report it belongs to. 核对结果及其报告。',
  failed_checks: 'The checks that failed, with their report. 未通过的核对。',
  report_summary: 'One line per report: its metadata and how its checks came out. 每份报告一行的概况。',
  agencies: 'One government body across years (src/agency.ts gives the identity). 机关（跨年度）。',
  agency_links: 'Which body each report belongs to (auto or manual link). 报告与机关的关联。',
  reviews: 'Reviewers\' decisions on failed checks (superseded ones kept). 审核决定。',
  request_matrix_wide: 'The request matrix (table 3) wide: one row per report and matrix row, the seven applicant columns. 表三宽表。',
  failed_checks_evidence: 'Failed checks and warnings with the cells behind them, as printed. 未通过核对及所涉单元格。',
  agency_series: 'One body\'s time series of the main figures (one row per linked report). 机关历年主要数字。',
  report_places: 'Every report with its place in the administrative divisions (codes and names at every level, the body\'s kind). 报告所属行政区划。',
  panel: 'One row per body and year (the best report of that year), with its place and headline figures. 机关-年度面板。',
  indicator_definitions: 'The indicators\' definitions (src/indicators/definitions.ts): id, Chinese and English name, version, formula over canonical keys. 指标定义。',
  report_indicator_values: 'The indicators of every report, wide: per indicator its value, numerator, denominator and the reason it is NULL. 每份报告的指标（宽表）。',
  report_indicators: 'The indicators, long: one row per report and indicator, with its year, value, numerator, denominator and reason. 每份报告的指标（长表）。',
  division_check_failures: 'Per province, city and county and year: the reports, how many have a failed check, and the share. 各地区核对未通过报告占比。',
  indicator_panel: 'One row per body and year (its best report) with its place, every indicator and its reason, and percentiles and ranks within its province and city. 指标面板（含省内、市内百分位与名次）。',
  figures_wide: 'The wide panel: one row per report, one column per canonical key of both template versions. 宽表：每份报告一行、每个规范键一列。',
  indicators: 'The indicators, long (as view report_indicators). 指标（长表）。',
  places: 'Each report\'s place (as view report_places). 报告所属行政区划。',
};

const HIDDEN = ['blobs', 'provenance', 'reviewers', 'review_sessions', 'schema_migrations', 'report_places_data', 'agency_places', 'frontier', 'fetch_log', 'hosts', 'page_resources', 'seed_labels'];

const KEYS = new Set(ALL_KNOWN_KEYS);

/** A column's description: a canonical key in the template's words and English, else the codebook's. */
export function columnDescription(column: string): string {
  if (KEYS.has(column)) {
    const r = keyCodebookRow('', column);
    return `${r.name_en}. ${r.name_zh}（${r.unit}）`;
  }
  const r = plainCodebookRow('', column);
  return r.name_en ? `${r.description_en}. ${r.name_zh}` : '';
}

export interface DatasetteMetadata {
  title: string;
  description: string;
  license: string;
  license_url: string;
  source: string;
  source_url: string;
  databases: Record<string, { tables: Record<string, { description?: string; hidden?: boolean; columns?: Record<string, string> }> }>;
  parquet?: Record<string, { description: string; columns: Record<string, string> }>;
}

export interface MetadataOptions {
  dbName?: string;
  parquet?: ParquetTable[];
  license?: string;
  licenseUrl?: string;
  source?: string;
  sourceUrl?: string;
}

export function datasetteMetadata(db: Db, opts: MetadataOptions = {}): DatasetteMetadata {
  const dbName = opts.dbName ?? (db.name && db.name !== ':memory:' ? basename(db.name).replace(/\.(db|sqlite3?)$/, '') : 'nianbao');
  const tables: DatasetteMetadata['databases'][string]['tables'] = {};
  const objects = db.prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
  for (const name of objects) {
    if (HIDDEN.includes(name) || !TABLE_DOCS[name]) {
      tables[name] = { hidden: true, description: 'nianbao\'s own bookkeeping (not for analysis).' };
      continue;
    }
    const cols = (db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(name) as string[]);
    const columns: Record<string, string> = {};
    for (const c of cols) columns[c] = columnDescription(c) || `${c} (see the README of nianbao)`;
    tables[name] = { description: TABLE_DOCS[name], columns };
  }
  const meta: DatasetteMetadata = {
    title: 'nianbao: 政府信息公开工作年度报告 statistics (Chinese government information-disclosure annual reports)',
    description:
      'The statistical tables of 政府信息公开工作年度报告, read into canonical keys and checked by nianbao. ' +
      'Figures are as printed by the publishing bodies; checks flag inconsistencies but do not correct them. ' +
      'Indicators are NULL, with a reason, where a figure is missing, in a failed check, or the denominator is 0.',
    license: opts.license ?? 'nianbao (the tool and the structure of this database): MIT. The figures are those printed in reports published by government bodies: check their terms before republishing.',
    license_url: opts.licenseUrl ?? 'https://opensource.org/license/mit',
    source: opts.source ?? '政府信息公开工作年度报告 as published by each body (each report\'s source_url), read by nianbao',
    source_url: opts.sourceUrl ?? '',
    databases: { [dbName]: { tables } },
  };
  if (!meta.source_url) delete (meta as Partial<DatasetteMetadata>).source_url;
  if (opts.parquet) {
    meta.parquet = Object.fromEntries(
      opts.parquet.map((t) => [t.name, { description: t.description, columns: Object.fromEntries(t.columns.map((c) => [c, columnDescription(c) || c])) }]),
    );
  }
  return meta;
}
