/**
 * The 'places' migration set: each report's place in the divisions (report_places_data, written
 * when a report is stored), the bodies' identities by place (agency_places), and the analysts'
 * views report_places and panel. Applied after 'core' and 'review' (it reads reports, figures,
 * agencies and agency_links). Never edit a shipped migration: add one.
 */
import type { Migration } from '../store/migrate.js';
import { applyMigrations } from '../store/migrate.js';
import type { Db } from '../store/db.js';
import { ensureReviewSchema } from '../review/schema.js';

/** Place columns shared by the table and the views. */
export const PLACE_COLUMNS = [
  'province_code', 'province', 'city_code', 'city', 'county_code', 'county', 'township_code', 'township',
  'division_code', 'division_level', 'agency_kind', 'department_type', 'division_name', 'zone', 'zone_code',
] as const;

const figure = (key: string, as: string) => `(SELECT value FROM figures WHERE report_id = x.report_id AND key = '${key}') AS ${as}`;

export const placesMigrations: Migration[] = [
  {
    version: 1,
    description: 'report_places_data, agency_places; views report_places, panel',
    up: `
-- A report's place (src/places/resolve.ts): written when the report is stored ('extraction': from its
-- name, title and text), from its stored name and title and any seeds-file labels ('stored'), or by a
-- person ('manual', never overridden).
CREATE TABLE report_places_data (
  report_id       INTEGER PRIMARY KEY REFERENCES reports(id) ON DELETE CASCADE,
  status          TEXT NOT NULL CHECK (status IN ('resolved', 'ambiguous', 'unresolved')),
  ${PLACE_COLUMNS.map((c) => `${c} TEXT`).join(',\n  ')},
  body            TEXT,                     -- the body's name after the place: 自然资源局
  place_key       TEXT,                     -- identity across years: division|zone|kind or department type
  candidates_json TEXT NOT NULL DEFAULT '[]',
  evidence_json   TEXT NOT NULL DEFAULT '[]',
  reason          TEXT,
  basis           TEXT NOT NULL CHECK (basis IN ('extraction', 'stored', 'manual')),
  labels_json     TEXT NOT NULL DEFAULT '[]', -- the seed labels taken into account
  placed_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
CREATE INDEX report_places_division ON report_places_data(division_code);

-- A body by its place: the division (and zone) + kind + department type, so that renamed and
-- shortened names (洪泽区人民政府 / 淮安市洪泽区人民政府) are one body.
CREATE TABLE agency_places (
  place_key TEXT PRIMARY KEY,
  agency_id INTEGER NOT NULL UNIQUE REFERENCES agencies(id) ON DELETE CASCADE
);

-- Every report with its place (NULL columns and place_status 'unplaced' when not placed yet).
CREATE VIEW report_places AS
SELECT r.id AS report_id, ${PLACE_COLUMNS.map((c) => `p.${c}`).join(', ')},
       r.agency, r.year, r.status AS report_status, coalesce(p.status, 'unplaced') AS place_status,
       p.body, p.place_key, p.candidates_json, p.evidence_json, p.reason, p.basis
FROM reports r LEFT JOIN report_places_data p ON p.report_id = r.id;

-- One row per body and year (the best report of that year: ok, then partial, then the newest),
-- with its place and headline figures.
CREATE VIEW panel AS
SELECT *, litigation_direct_total + litigation_after_review_total AS litigation_total FROM (
WITH ranked AS (
  SELECT l.agency_id, r.year, r.id AS report_id,
         row_number() OVER (PARTITION BY l.agency_id, r.year
                            ORDER BY CASE r.status WHEN 'ok' THEN 0 WHEN 'partial' THEN 1 ELSE 2 END, r.id DESC) AS rn,
         count(*) OVER (PARTITION BY l.agency_id, r.year) AS reports
  FROM agency_links l JOIN reports r ON r.id = l.report_id
  WHERE r.year IS NOT NULL AND r.status NOT IN ('not_a_report', 'error')
)
SELECT x.agency_id, a.identity, a.display_name, x.year, x.report_id, x.reports, r.agency AS agency_as_printed,
       r.version, r.status,
       ${PLACE_COLUMNS.map((c) => `p.${c}`).join(', ')},
       ${figure('requests.new.total', 'new_requests')},
       ${figure('requests.carried_over.total', 'carried_over')},
       ${figure('requests.granted.total', 'granted')},
       ${figure('requests.partial.total', 'partial')},
       ${figure('requests.total.total', 'handled')},
       ${figure('requests.carried_forward.total', 'carried_forward')},
       ${figure('review.total', 'review_total')},
       ${figure('litigation_direct.total', 'litigation_direct_total')},
       ${figure('litigation_after_review.total', 'litigation_after_review_total')}
FROM ranked x
JOIN agencies a ON a.id = x.agency_id
JOIN reports r ON r.id = x.report_id
LEFT JOIN report_places_data p ON p.report_id = x.report_id
WHERE x.rn = 1
);
`,
  },
];

/** Applies the 'review' set, then the 'places' set, to an open database. Idempotent (cheap once committed: applyMigrations). */
export function ensurePlacesSchema(db: Db): void {
  ensureReviewSchema(db);
  applyMigrations(db, 'places', placesMigrations);
}
