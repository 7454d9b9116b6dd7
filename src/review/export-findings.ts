/**
 * The open findings of a region or agency, to send back to the publishers: one row per finding, in
 * Chinese, with the report's title and link, the cells as printed and what they should add up to.
 * CSV (RFC 4180, UTF-8 with a byte-order mark so spreadsheet programs read the Chinese) and XLSX (exceljs).
 */
import ExcelJS from 'exceljs';
import type { Db } from '../store/db.js';
import { csvField } from '../csv.js';
import { findingQueue, isBlankCell, type QueueFilter, type QueueItem } from './findings.js';
import { checkZh, figuresZh, keyPlaceZh, STATE_ZH, STATUS_ZH } from './labels-zh.js';

export const FINDING_EXPORT_COLS = ['报告编号', '机关', '地区', '年度', '报告标题', '链接', '问题', '严重程度', '说明', '所印数字', '应为', '核对项', '核对编号', '审核状态'] as const;
export type FindingExportRow = Record<(typeof FINDING_EXPORT_COLS)[number], string | number | null>;

function fmt(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : String(Math.round(n * 10000) / 10000);
}

export function findingExportRow(i: QueueItem): FindingExportRow {
  const f = i.finding;
  const cells = f.cells.filter((c, k, a) => a.findIndex((x) => x.key === c.key && x.report_id === c.report_id) === k);
  const printed = cells.map((c) => `${keyPlaceZh(c.key)}: ${!c.present ? '（无此格）' : isBlankCell(c) ? '空白' : `「${c.printed ?? ''}」`}`).join('；');
  let should: string;
  if (Object.keys(f.inferred).length) should = Object.entries(f.inferred).map(([k, v]) => `${keyPlaceZh(k)} 应为 ${fmt(v)}`).join('；');
  else should = f.checks.map((c) => `${checkZh(c.check_id).name}：${figuresZh(c.check_id, c.expected, c.actual)}`).join('；');
  return {
    报告编号: f.report_id,
    机关: i.agency,
    地区: i.region,
    年度: i.year,
    报告标题: i.title,
    链接: i.source_url ?? i.source,
    问题: f.title,
    严重程度: STATUS_ZH[f.status] ?? f.status,
    说明: f.detail,
    所印数字: printed,
    应为: should,
    核对项: f.checks.map((c) => checkZh(c.check_id).name).join('；'),
    核对编号: f.checks.map((c) => c.check_id).join(' '),
    审核状态: STATE_ZH[f.state] ?? f.state,
  };
}

/** The open (and reopened) findings, in queue order. */
export function openFindingRows(db: Db, filter: Pick<QueueFilter, 'region' | 'reportIds' | 'agency'> = {}): FindingExportRow[] {
  return findingQueue(db, filter)
    .filter((i) => i.finding.state === 'open' || i.finding.state === 'reopened')
    .map(findingExportRow);
}

export function findingsCsv(rows: FindingExportRow[]): string {
  const line = (f: (string | number | null)[]) => f.map(csvField).join(',') + '\r\n';
  return '\ufeff' + line([...FINDING_EXPORT_COLS]) + rows.map((r) => line(FINDING_EXPORT_COLS.map((c) => r[c]))).join('');
}

export async function findingsXlsx(rows: FindingExportRow[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'nianbao';
  const ws = wb.addWorksheet('待审问题');
  ws.columns = FINDING_EXPORT_COLS.map((c) => ({ header: c, key: c, width: ['说明', '所印数字', '应为', '核对项'].includes(c) ? 60 : c === '报告标题' || c === '链接' ? 40 : 12 }));
  ws.getRow(1).font = { bold: true };
  for (const r of rows) {
    const row = ws.addRow(r);
    const link = r['链接'];
    if (typeof link === 'string' && /^https?:\/\//.test(link)) row.getCell('链接').value = { text: link, hyperlink: link };
  }
  ws.views = [{ state: 'frozen', ySplit: 1 }];
  return Buffer.from(await wb.xlsx.writeBuffer());
}
