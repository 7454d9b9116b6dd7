/**
 * The 'review' migration set: agencies across years, review decisions, and the analysts' views.
 * Applied after 'core' (it reads reports, figures, figure_sources and checks). Never edit a shipped
 * migration: add one.
 */
import type { Migration } from '../store/migrate.js';
import { applyMigrations } from '../store/migrate.js';
import { openDb, type Db } from '../store/db.js';

export const reviewMigrations: Migration[] = [
  {
    version: 1,
    description: 'agencies, agency_links, reviews; views request_matrix_wide, failed_checks_evidence, agency_series',
    up: `
-- One government body across years (src/agency.ts gives the identity).
CREATE TABLE agencies (
  id           INTEGER PRIMARY KEY,
  identity     TEXT NOT NULL,               -- normalised name: 洪泽区人民政府
  display_name TEXT NOT NULL,               -- a name as printed: 淮安市洪泽区人民政府
  qualifier    TEXT,                        -- the parent unit a name gave (淮安市), to tell apart same-named districts
  created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
CREATE INDEX agencies_identity ON agencies(identity);

-- Which body a report belongs to: 'auto' from its agency name, 'manual' when a person corrected it
-- (an automatic relink never overrides a manual link).
CREATE TABLE agency_links (
  report_id INTEGER PRIMARY KEY REFERENCES reports(id) ON DELETE CASCADE,
  agency_id INTEGER NOT NULL REFERENCES agencies(id),
  source    TEXT NOT NULL CHECK (source IN ('auto', 'manual')),
  linked_by TEXT,
  linked_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
CREATE INDEX agency_links_agency ON agency_links(agency_id);

-- Decisions on checks. A decision is found again for a report by any of: the report id, the sha256
-- of the bytes decided on, the source URL/path, or (agency identity, year): so it survives
-- re-ingestion and re-extraction. When a different document arrives for the same source or
-- agency-year, a closed decision is reopened. A newer decision supersedes the older ones.
CREATE TABLE reviews (
  id              INTEGER PRIMARY KEY,
  report_id       INTEGER REFERENCES reports(id) ON DELETE SET NULL,
  check_id        TEXT NOT NULL,
  decision        TEXT NOT NULL CHECK (decision IN ('confirmed', 'dismissed', 'corrected')),
  corrected_value REAL,
  note            TEXT NOT NULL,
  reviewer        TEXT NOT NULL,
  decided_at      TEXT NOT NULL,
  source_sha256   TEXT NOT NULL,            -- the bytes the decision was made on
  source          TEXT,                     -- the report's source (path or URL) then
  source_url      TEXT,
  agency_identity TEXT,
  year            INTEGER,
  state           TEXT NOT NULL DEFAULT 'closed' CHECK (state IN ('open', 'closed', 'reopened')),
  reopened_at     TEXT,
  reopened_reason TEXT,
  superseded_by   INTEGER REFERENCES reviews(id),
  CHECK (decision <> 'corrected' OR corrected_value IS NOT NULL)
);
CREATE INDEX reviews_report ON reviews(report_id, check_id);
CREATE INDEX reviews_sha ON reviews(source_sha256, check_id);
CREATE INDEX reviews_agency_year ON reviews(agency_identity, year, check_id);
CREATE INDEX reviews_source_url ON reviews(source_url, check_id);

-- The request matrix (table 3) wide: one row per report and matrix row, the seven columns.
CREATE VIEW request_matrix_wide AS
WITH cols(col) AS (VALUES ('natural'), ('commercial'), ('research'), ('social'), ('legal'), ('other_org'), ('total')),
cells AS (
  SELECT f.report_id, substr(f.key, 10, length(f.key) - 10 - length(c.col)) AS row, c.col, f.value, f.ord
  FROM figures f JOIN cols c ON f.key LIKE 'requests.%' AND substr(f.key, -length(c.col) - 1) = '.' || c.col
)
SELECT x.report_id, r.agency, r.year, r.version, x.row,
       max(CASE x.col WHEN 'natural' THEN x.value END)    AS natural,
       max(CASE x.col WHEN 'commercial' THEN x.value END) AS commercial,
       max(CASE x.col WHEN 'research' THEN x.value END)   AS research,
       max(CASE x.col WHEN 'social' THEN x.value END)     AS social,
       max(CASE x.col WHEN 'legal' THEN x.value END)      AS legal,
       max(CASE x.col WHEN 'other_org' THEN x.value END)  AS other_org,
       max(CASE x.col WHEN 'total' THEN x.value END)      AS total,
       min(x.ord) AS row_order
FROM cells x JOIN reports r ON r.id = x.report_id
GROUP BY x.report_id, x.row;

-- Failed checks and warnings with their evidence: one row per check and figure involved, with the
-- cell as printed and where it is (for cross-year checks, the figures of the other year's report
-- are not joined here: see \`nianbao review\`). Prose checks carry the sentence in evidence.
CREATE VIEW failed_checks_evidence AS
SELECT c.report_id, r.agency, r.year, r.version, r.region, r.source, r.source_url,
       c.check_id, c.status, c.expected, c.actual, c.reason, c.evidence,
       k.value AS key, f.value AS value, s.text AS printed, s.blank, s.canonical_table, s.grid,
       s.row_label, s.col_label, s.where_json
FROM checks c
JOIN reports r ON r.id = c.report_id
LEFT JOIN json_each(c.keys_json) k
LEFT JOIN figures f ON f.report_id = c.report_id AND f.key = k.value
LEFT JOIN figure_sources s ON s.report_id = c.report_id AND s.key = k.value
WHERE c.status IN ('fail', 'warn');

-- One body's time series of the main figures (one row per linked report).
CREATE VIEW agency_series AS
SELECT a.id AS agency_id, a.identity, a.display_name, r.year, r.id AS report_id, r.agency AS agency_as_printed,
       r.version, r.status, l.source AS link_source,
       (SELECT value FROM figures WHERE report_id = r.id AND key = 'requests.new.total')             AS new_requests,
       (SELECT value FROM figures WHERE report_id = r.id AND key = 'requests.carried_over.total')    AS carried_over,
       (SELECT value FROM figures WHERE report_id = r.id AND key = 'requests.granted.total')        AS granted,
       (SELECT value FROM figures WHERE report_id = r.id AND key = 'requests.partial.total')        AS partial,
       (SELECT value FROM figures WHERE report_id = r.id AND key = 'requests.total.total')          AS handled,
       (SELECT value FROM figures WHERE report_id = r.id AND key = 'requests.carried_forward.total') AS carried_forward,
       (SELECT value FROM figures WHERE report_id = r.id AND key = 'review.total')                  AS reviews,
       (SELECT value FROM figures WHERE report_id = r.id AND key = 'litigation_direct.total')       AS litigation_direct,
       (SELECT value FROM figures WHERE report_id = r.id AND key = 'litigation_after_review.total') AS litigation_after_review,
       (SELECT value FROM figures WHERE report_id = r.id AND key = 'art20.licensing.decisions')     AS licensing_decisions,
       (SELECT value FROM figures WHERE report_id = r.id AND key = 'art20.penalty.decisions')       AS penalty_decisions,
       (SELECT count(*) FROM checks WHERE report_id = r.id AND status = 'fail')                     AS failed_checks,
       (SELECT count(*) FROM checks WHERE report_id = r.id AND status = 'warn')                     AS warnings
FROM agencies a
JOIN agency_links l ON l.agency_id = a.id
JOIN reports r ON r.id = l.report_id;
`,
  },
  {
    version: 2,
    description: 'reviewer accounts and sign-in sessions (the review page on a shared address)',
    up: `
-- Reviewer accounts: password hashed with scrypt (node:crypto), a random salt per account.
CREATE TABLE reviewers (
  name       TEXT PRIMARY KEY,
  salt       TEXT NOT NULL,                 -- hex
  hash       TEXT NOT NULL,                 -- hex, scrypt(password, salt, 64)
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
-- Sign-in sessions: the cookie carries a random token; only its SHA-256 is stored.
CREATE TABLE review_sessions (
  token_hash TEXT PRIMARY KEY,
  reviewer   TEXT NOT NULL REFERENCES reviewers(name) ON DELETE CASCADE,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  expires_at TEXT NOT NULL
);
CREATE INDEX review_sessions_reviewer ON review_sessions(reviewer);
`,
  },
];

/** Applies the 'review' set to an open database (whose 'core' set is applied). Idempotent (cheap once committed: applyMigrations). */
export function ensureReviewSchema(db: Db): void {
  applyMigrations(db, 'review', reviewMigrations);
}

/** Opens the database with the 'core' and 'review' sets applied. */
export function openReviewDb(path?: string): Db {
  const db = openDb(path);
  ensureReviewSchema(db);
  return db;
}
