/**
 * Rows of the 'places' set: a report's place (report_places_data) and the seeds-file labels of its
 * document (crawl-set table seed_labels, when the crawler made it). No gazetteer logic here.
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from '../store/db.js';
import type { ReportRowsWriter } from '../store/ingest.js';
import type { Place } from './place.js';
import { ensurePlacesSchema, PLACE_COLUMNS } from './schema.js';

/**
 * The places layer's writer for storage (`storeReports`/`ingestReport` take it among their writers): the
 * place the pipeline put on a report, stored as the extraction's.
 */
export const placeRowsWriter: ReportRowsWriter = (db, reportId, report) => writeReportPlace(db, reportId, report.place, 'extraction');

export type PlaceBasis = 'extraction' | 'stored' | 'manual';

export interface PlaceRow extends Record<(typeof PLACE_COLUMNS)[number], string | null> {
  report_id: number;
  status: Place['status'];
  body: string | null;
  place_key: string | null;
  candidates_json: string;
  evidence_json: string;
  reason: string | null;
  basis: PlaceBasis;
  labels_json: string;
}

// Read when first written, not when this module loads: places/schema.ts → review/schema.ts → the stored
// findings → review/workflow.ts → review/agencies.ts → places/placing.ts → here is a cycle, and PLACE_COLUMNS
// is not yet defined while it loads.
let cols: string[] | undefined;
const COLS_OF = () => (cols ??= ['report_id', 'status', ...PLACE_COLUMNS, 'body', 'place_key', 'candidates_json', 'evidence_json', 'reason', 'basis', 'labels_json']);

/**
 * Writes (or, with `place` undefined, removes) a report's place. A manual place is kept unless
 * `basis` is 'manual' too. Runs in the caller's transaction if there is one.
 */
export function writeReportPlace(db: Db, reportId: number, place: Place | undefined, basis: PlaceBasis, labels: string[] = []): void {
  if (!place) {
    // nothing to remove from a database without the places set
    if (!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'report_places_data'").get()) return;
    db.prepare("DELETE FROM report_places_data WHERE report_id = ? AND basis <> 'manual'").run(reportId);
    return;
  }
  ensurePlacesSchema(db);
  const row: Record<string, unknown> = {
    ...Object.fromEntries(PLACE_COLUMNS.map((c) => [c, place[c]])),
    report_id: reportId, status: place.status, body: place.body, place_key: place.key,
    candidates_json: JSON.stringify(place.candidates), evidence_json: JSON.stringify(place.evidence),
    reason: place.reason, basis, labels_json: JSON.stringify(labels),
  };
  upsert(db, basis === 'manual').run(row);
}

const upserts = new WeakMap<Db, Map<boolean, Statement>>();
/** The upsert statement, prepared once per database (a manual place overrides any; others not a manual one). */
function upsert(db: Db, manual: boolean): Statement {
  let m = upserts.get(db);
  if (!m) upserts.set(db, (m = new Map()));
  let st = m.get(manual);
  if (!st) {
    st = db.prepare(
      `INSERT INTO report_places_data (${COLS_OF().join(', ')}) VALUES (${COLS_OF().map((c) => '@' + c).join(', ')})
       ON CONFLICT (report_id) DO UPDATE SET ${COLS_OF().slice(1).map((c) => `${c} = excluded.${c}`).join(', ')},
         placed_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')
       ${manual ? '' : "WHERE report_places_data.basis <> 'manual'"}`,
    );
    m.set(manual, st);
  }
  return st;
}

export function readReportPlace(db: Db, reportId: number): PlaceRow | undefined {
  ensurePlacesSchema(db);
  return db.prepare('SELECT * FROM report_places_data WHERE report_id = ?').get(reportId) as PlaceRow | undefined;
}

/** The seeds-file labels of a document (empty when the crawl set's seed_labels table is absent). */
export function seedLabels(db: Db, sha256: string): string[] {
  const has = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'seed_labels'").get();
  if (!has) return [];
  return (db.prepare('SELECT label FROM seed_labels WHERE sha256 = ? ORDER BY label').all(sha256) as { label: string }[]).map((r) => r.label);
}
