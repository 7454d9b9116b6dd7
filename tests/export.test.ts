/**
 * Exports read back and compared with the database, and the analysts' SQL views.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvField, figureColumns, writeExport } from '../src/commands/export.js';
import { extractBytes } from '../src/extract.js';
import { ALL_KNOWN_KEYS, allKeys } from '../src/keys.js';
import { ReportSchema } from '../src/report.js';
import { afterIngest } from '../src/review/hook.js';
import { openReviewDb } from '../src/review/schema.js';
import { decide } from '../src/review/workflow.js';
import type { Db } from '../src/store/db.js';
import { ingestReport, sha256Hex } from '../src/store/ingest.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SERIES = join(root, 'samples', 'series');
const tmp = mkdtempSync(join(tmpdir(), 'nianbao-export-'));
const dbPath = join(tmp, 'export.db');
const AWKWARD = 'a,"b"\r\nc “d”';
let db: Db;
const ids: number[] = [];

/** An RFC 4180 reader, written apart from the writer under test. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (ch === '"') {
        quoted = false;
        i++;
      } else {
        field += ch;
        i++;
      }
    } else if (ch === '"' && field === '') {
      quoted = true;
      i++;
    } else if (ch === ',') {
      row.push(field);
      field = '';
      i++;
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 2;
    } else if (ch === '\n' || ch === '\r') {
      throw new Error(`bare line break at ${i}: not RFC 4180`);
    } else {
      field += ch;
      i++;
    }
  }
  if (field !== '' || row.length) throw new Error('the last record does not end with CRLF');
  return rows;
}

function dbFigures(reportId: number): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const f of db.prepare('SELECT key, value FROM figures WHERE report_id = ?').all(reportId) as { key: string; value: number | null }[]) out[f.key] = f.value;
  return out;
}

beforeAll(async () => {
  db = openReviewDb(dbPath);
  for (const y of [2021, 2022, 2023]) {
    const p = join(SERIES, `xihua-culture-${y}.html`);
    const bytes = readFileSync(p);
    const { reportId } = ingestReport(db, await extractBytes(bytes, { source: p }), bytes);
    afterIngest(db, reportId);
    ids.push(reportId);
  }
  // A report whose strings need quoting, with a figure that is present but unreadable (null).
  const bytes = new TextEncoder().encode('awkward');
  const r = ReportSchema.parse({
    source: 'x.txt', sha256: sha256Hex(bytes), status: 'partial', version: '2019', agency: '某县民政局', year: 2020, title: AWKWARD, region: null,
    source_url: null, kind: 'text', figures: { 'art20.licensing.delta': -3, 'art20.fees.amount': 1.2345, 'requests.other.total': null },
    checks: [], problems: [], provenance: {},
  });
  ids.push(ingestReport(db, r, bytes).reportId);
  afterIngest(db, ids[3]!);
  decide(db, { reportId: ids[2]!, checkId: 'requests.carry_link.total', decision: 'corrected', value: 8, note: AWKWARD, by: 'x' });
}, 60_000);

afterAll(() => {
  db.close();
  rmSync(tmp, { recursive: true, force: true });
});

function exportText(what: 'figures' | 'checks' | 'reviews', format: 'csv' | 'jsonl'): string {
  let s = '';
  writeExport(db, what, format, (x) => (s += x));
  return s;
}

describe('figures export', () => {
  it('CSV: one row per report, one column per key of both versions, values as in the database', () => {
    const rows = parseCsv(exportText('figures', 'csv'));
    const header = rows[0]!;
    expect(header).toEqual(figureColumns());
    for (const k of [...allKeys('2021'), ...allKeys('2019'), ...allKeys('2021', true)]) expect(header).toContain(k);
    expect(rows).toHaveLength(1 + ids.length);
    let compared = 0;
    for (const row of rows.slice(1)) {
      const rec = Object.fromEntries(header.map((h, i) => [h, row[i]!]));
      const id = Number(rec.report_id);
      const figs = dbFigures(id);
      for (const k of ALL_KNOWN_KEYS) {
        const want = figs[k];
        expect({ id, k, v: rec[k] }).toEqual({ id, k, v: want === null || want === undefined ? '' : String(want) });
        if (want !== undefined && want !== null) compared++;
      }
      const meta = db.prepare('SELECT agency, year, sha256, title FROM reports WHERE id = ?').get(id) as { agency: string; year: number; sha256: string; title: string };
      expect([rec.agency, rec.year, rec.sha256, rec.title]).toEqual([meta.agency, String(meta.year), meta.sha256, meta.title]);
    }
    expect(compared).toBe(3 * 200 + 2);
    const series = rows.slice(1).filter((r) => r[header.indexOf('agency_identity')] === '西华县文化广电和旅游局');
    expect(series).toHaveLength(3);
    expect(rows.find((r) => r[0] === String(ids[3]))![header.indexOf('title')]).toBe(AWKWARD);
  });

  it('JSONL: the same values, null where the report has no readable figure', () => {
    const lines = exportText('figures', 'jsonl').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(ids.length);
    for (const o of lines) {
      const figs = dbFigures(o.report_id as number);
      for (const k of ALL_KNOWN_KEYS) expect(o[k]).toBe(figs[k] ?? null);
    }
    const awkward = lines.find((o) => o.report_id === ids[3])!;
    expect(awkward).toMatchObject({ title: AWKWARD, 'art20.licensing.delta': -3, 'art20.fees.amount': 1.2345, 'requests.other.total': null });
  });
});

describe('checks and reviews exports', () => {
  it('checks CSV matches the checks table, with the review state of flagged checks', () => {
    const rows = parseCsv(exportText('checks', 'csv'));
    const header = rows[0]!;
    const recs = rows.slice(1).map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]!])));
    const stored = db.prepare('SELECT report_id, check_id, status, expected, actual, keys_json FROM checks').all() as {
      report_id: number; check_id: string; status: string; expected: number | null; actual: number | null; keys_json: string;
    }[];
    expect(recs).toHaveLength(stored.length);
    for (const s of stored) {
      const r = recs.find((x) => x.report_id === String(s.report_id) && x.check_id === s.check_id)!;
      expect([r.status, r.expected, r.actual, JSON.parse(r.keys!)]).toEqual([s.status, s.expected === null ? '' : String(s.expected), s.actual === null ? '' : String(s.actual), JSON.parse(s.keys_json)]);
    }
    const decided = recs.find((x) => x.report_id === String(ids[2]) && x.check_id === 'requests.carry_link.total')!;
    expect([decided.review_state, decided.review_decision, decided.review_value]).toEqual(['closed', 'corrected', '8']);
    const open = recs.find((x) => x.report_id === String(ids[2]) && x.check_id === 'requests.carry_link.commercial')!;
    expect(open.review_state).toBe('open');
    const passed = recs.find((x) => x.report_id === String(ids[2]) && x.check_id === 'requests.carry_link.natural')!;
    expect([passed.status, passed.review_state]).toEqual(['pass', '']);
  });

  it('reviews CSV and JSONL keep the note exactly', () => {
    const rows = parseCsv(exportText('reviews', 'csv'));
    expect(rows).toHaveLength(2);
    const rec = Object.fromEntries(rows[0]!.map((h, i) => [h, rows[1]![i]!]));
    expect(rec).toMatchObject({ report_id: String(ids[2]), check_id: 'requests.carry_link.total', decision: 'corrected', corrected_value: '8', note: AWKWARD, state: 'closed' });
    const j = JSON.parse(exportText('reviews', 'jsonl').trim()) as Record<string, unknown>;
    expect(j).toMatchObject({ note: AWKWARD, corrected_value: 8, agency_identity: '西华县文化广电和旅游局', year: 2023 });
  });

  it('quotes fields as RFC 4180 says', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(null)).toBe('');
    expect(csvField(-1.5)).toBe('-1.5');
  });
});

describe('nianbao export (compiled CLI)', () => {
  it('writes the file it is told to, and refuses a bad format', () => {
    db.pragma('wal_checkpoint(TRUNCATE)');
    const out = join(tmp, 'figures.csv');
    const r = spawnSync(process.execPath, [join(root, 'bin', 'nianbao.js'), 'export', '--db', dbPath, '--format', 'csv', '--out', out], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(`${ids.length} figures rows written`);
    expect(readFileSync(out, 'utf8')).toBe(exportText('figures', 'csv'));
    const bad = spawnSync(process.execPath, [join(root, 'bin', 'nianbao.js'), 'export', '--db', dbPath, '--format', 'xml'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--format must be csv or jsonl');
  });
});

describe('SQL views', () => {
  it('request_matrix_wide: one row per report and matrix row, the seven columns', () => {
    const rows = db.prepare('SELECT * FROM request_matrix_wide WHERE report_id = ? ORDER BY row_order').all(ids[2]!) as Record<string, unknown>[];
    expect(rows).toHaveLength(25);
    expect(rows[1]).toMatchObject({ row: 'carried_over', natural: 4, commercial: 2, research: 0, social: 0, legal: 0, other_org: 0, total: 6, year: 2023 });
    expect(rows.find((r) => r.row === 'denied.state_secret')).toMatchObject({ total: 0 });
    expect(rows.find((r) => r.row === 'other.no_correction')).toBeDefined();
    expect(rows[24]).toMatchObject({ row: 'carried_forward', natural: 2, commercial: 1, total: 3 });
  });

  it('failed_checks_evidence: the cells behind each failure, as printed', () => {
    const rows = db
      .prepare("SELECT key, value, printed, row_label, col_label FROM failed_checks_evidence WHERE report_id = ? AND check_id = 'narrative.granted_partial' ORDER BY key")
      .all(ids[1]!);
    expect(rows).toEqual([
      expect.objectContaining({ key: 'requests.granted.total', value: 272, printed: '272' }),
      expect.objectContaining({ key: 'requests.partial.total', value: 3, printed: '3' }),
    ]);
  });

  it('agency_series: one body over its years', () => {
    const rows = db.prepare("SELECT year, agency_as_printed, new_requests, carried_over, carried_forward, failed_checks FROM agency_series WHERE identity = '西华县文化广电和旅游局' ORDER BY year").all();
    expect(rows).toEqual([
      { year: 2021, agency_as_printed: '西华县文化广电和旅游局', new_requests: 12, carried_over: 1, carried_forward: 3, failed_checks: 0 },
      { year: 2022, agency_as_printed: '周口市西华县文化广电和旅游局', new_requests: 300, carried_over: 3, carried_forward: 8, failed_checks: 1 },
      { year: 2023, agency_as_printed: '西华县文化广电和旅游局', new_requests: 45, carried_over: 6, carried_forward: 3, failed_checks: 2 },
    ]);
  });
});
