/**
 * The 'review' migration set: agencies across years, review decisions, and the analysts' views.
 * Applied after 'core' (it reads reports, figures, figure_sources and checks). Never edit a shipped
 * migration: add one.
 */
import type { Migration } from '../store/migrate.js';
import { applyMigrations } from '../store/migrate.js';
import { openDb, type Db } from '../store/db.js';
import { syncFindings } from './stored-findings.js';

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
  {
    version: 3,
    description: 'findings stored per report (review_findings, kept up to date through review_findings_dirty), family results per report, finding counts; indexes on reports.source and source_url',
    // [hA] issue 19 item 4: the review page read every finding of the database on each read (derived from
    // the checks); now they are stored per report and recomputed for the reports that changed
    // (stored-findings.ts). This migration builds them for an existing database.
    up: (db) => {
      db.exec(REVIEW_FINDINGS_SQL);
      db.exec('INSERT OR IGNORE INTO review_findings_dirty (report_id) SELECT id FROM reports');
      syncFindings(db as Db);
    },
  },
];

/** The tables, indexes and triggers of 'review' migration 3 (exported for the migration's test). */
export const REVIEW_FINDINGS_SQL = `
-- One row per finding (findings.ts groupFindings) of a report with failed or warned checks.
CREATE TABLE review_findings (
  id          INTEGER PRIMARY KEY,
  report_id   INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
  finding_id  TEXT NOT NULL,                -- blank:col:3:total, shift:col:other_org, duplicate:3, check:<check id>
  seq         INTEGER NOT NULL,             -- its place among the report's findings (the report page's order)
  kind        TEXT NOT NULL,                -- blank | blank_arith | shift | duplicate | check
  status      TEXT NOT NULL,                -- fail | warn
  state       TEXT NOT NULL,                -- open | reopened | closed | note
  rank        INTEGER NOT NULL,             -- the queue's order of states: 0 open or reopened, 1 closed, 2 note
  discrepancy REAL NOT NULL,                -- the largest |expected - actual| of its checks
  year        INTEGER,                      -- the report's year
  n_checks    INTEGER NOT NULL,
  check_ids   TEXT NOT NULL,                -- JSON array of the check ids it groups
  families    TEXT NOT NULL,                -- ' family family ' of its checks (labels-zh checkFamily)
  title       TEXT NOT NULL,
  detail      TEXT NOT NULL,
  UNIQUE (report_id, finding_id)
);
-- the queue's order, with what its filters read, so a page is read from the index alone
CREATE INDEX review_findings_queue ON review_findings(rank, discrepancy DESC, report_id, finding_id, status, state, year);
CREATE INDEX review_findings_year ON review_findings(year, rank, discrepancy DESC, report_id, finding_id, status, state);

-- Reports whose findings are to be recomputed (triggers below; stored-findings.ts syncFindings empties it).
-- The triggers insert only what is not there (not INSERT OR IGNORE: an outer statement's conflict
-- clause, such as an upsert's, would override the trigger's).
CREATE TABLE review_findings_dirty (report_id INTEGER PRIMARY KEY);

-- Per report, the check families it has a result in and those it has a failure or warning in (' a b ').
CREATE TABLE review_report_families (
  report_id INTEGER PRIMARY KEY REFERENCES reports(id) ON DELETE CASCADE,
  checked   TEXT NOT NULL,
  failing   TEXT NOT NULL
);
CREATE INDEX review_report_families_sets ON review_report_families(checked, failing);

-- Findings per year, severity and state (the queue's counts), kept by the triggers on review_findings.
CREATE TABLE review_finding_counts (
  year_key INTEGER NOT NULL,                -- the year, 0 when unknown
  status   TEXT NOT NULL,
  state    TEXT NOT NULL,
  n        INTEGER NOT NULL,
  PRIMARY KEY (year_key, status, state)
) WITHOUT ROWID;
CREATE TRIGGER review_findings_count_insert AFTER INSERT ON review_findings BEGIN
  INSERT INTO review_finding_counts (year_key, status, state, n) VALUES (coalesce(new.year, 0), new.status, new.state, 1)
  ON CONFLICT (year_key, status, state) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER review_findings_count_delete AFTER DELETE ON review_findings BEGIN
  UPDATE review_finding_counts SET n = n - 1 WHERE year_key = coalesce(old.year, 0) AND status = old.status AND state = old.state;
END;

-- What marks a report dirty.
CREATE TRIGGER review_dirty_report_insert AFTER INSERT ON reports BEGIN
  INSERT INTO review_findings_dirty (report_id) SELECT new.id WHERE NOT EXISTS (SELECT 1 FROM review_findings_dirty WHERE report_id = new.id);
END;
CREATE TRIGGER review_dirty_report_update AFTER UPDATE ON reports BEGIN
  INSERT INTO review_findings_dirty (report_id) SELECT new.id WHERE NOT EXISTS (SELECT 1 FROM review_findings_dirty WHERE report_id = new.id);
END;
CREATE TRIGGER review_dirty_report_delete AFTER DELETE ON reports BEGIN
  DELETE FROM review_findings_dirty WHERE report_id = old.id;
END;
CREATE TRIGGER review_dirty_check_insert AFTER INSERT ON check_rows WHEN new.status IN ('fail', 'warn') BEGIN
  INSERT INTO review_findings_dirty (report_id) SELECT new.report_id WHERE NOT EXISTS (SELECT 1 FROM review_findings_dirty WHERE report_id = new.report_id);
END;
CREATE TRIGGER review_dirty_check_delete AFTER DELETE ON check_rows WHEN old.status IN ('fail', 'warn') BEGIN
  INSERT INTO review_findings_dirty (report_id) SELECT old.report_id WHERE NOT EXISTS (SELECT 1 FROM review_findings_dirty WHERE report_id = old.report_id);
END;
CREATE TRIGGER review_dirty_check_update AFTER UPDATE ON check_rows BEGIN
  INSERT INTO review_findings_dirty (report_id) SELECT new.report_id WHERE NOT EXISTS (SELECT 1 FROM review_findings_dirty WHERE report_id = new.report_id);
END;
CREATE TRIGGER review_dirty_link_insert AFTER INSERT ON agency_links BEGIN
  INSERT INTO review_findings_dirty (report_id) SELECT new.report_id WHERE NOT EXISTS (SELECT 1 FROM review_findings_dirty WHERE report_id = new.report_id);
END;
CREATE TRIGGER review_dirty_link_update AFTER UPDATE ON agency_links BEGIN
  INSERT INTO review_findings_dirty (report_id) SELECT new.report_id WHERE NOT EXISTS (SELECT 1 FROM review_findings_dirty WHERE report_id = new.report_id);
END;
CREATE TRIGGER review_dirty_link_delete AFTER DELETE ON agency_links BEGIN
  INSERT INTO review_findings_dirty (report_id) SELECT old.report_id WHERE NOT EXISTS (SELECT 1 FROM review_findings_dirty WHERE report_id = old.report_id);
END;
CREATE TRIGGER review_dirty_agency_update AFTER UPDATE OF identity ON agencies BEGIN
  INSERT INTO review_findings_dirty (report_id) SELECT report_id FROM agency_links WHERE agency_id = new.id
    AND report_id NOT IN (SELECT report_id FROM review_findings_dirty);
END;

-- A decision applies to the reports workflow.ts currentReview finds it for: by id, sha256, source, body and year.
CREATE INDEX review_reports_source ON reports(source);
CREATE INDEX review_reports_source_url ON reports(source_url);
CREATE TRIGGER review_dirty_review_insert AFTER INSERT ON reviews BEGIN
  INSERT INTO review_findings_dirty (report_id) SELECT id FROM (
  SELECT new.report_id AS id WHERE new.report_id IS NOT NULL
  UNION SELECT id FROM reports WHERE sha256 = new.source_sha256
  UNION SELECT id FROM reports WHERE new.source_url IS NOT NULL AND source_url = new.source_url
  UNION SELECT id FROM reports WHERE new.source_url IS NULL AND source_url IS NULL AND source = new.source
  UNION SELECT l.report_id FROM agencies a JOIN agency_links l ON l.agency_id = a.id JOIN reports r ON r.id = l.report_id
        WHERE new.agency_identity IS NOT NULL AND a.identity = new.agency_identity AND r.year IS new.year
  ) WHERE id NOT IN (SELECT report_id FROM review_findings_dirty);
END;
CREATE TRIGGER review_dirty_review_update AFTER UPDATE ON reviews BEGIN
  INSERT INTO review_findings_dirty (report_id) SELECT id FROM (
  SELECT new.report_id AS id WHERE new.report_id IS NOT NULL
  UNION SELECT old.report_id AS id WHERE old.report_id IS NOT NULL
  UNION SELECT id FROM reports WHERE sha256 = new.source_sha256
  UNION SELECT id FROM reports WHERE new.source_url IS NOT NULL AND source_url = new.source_url
  UNION SELECT id FROM reports WHERE new.source_url IS NULL AND source_url IS NULL AND source = new.source
  UNION SELECT l.report_id FROM agencies a JOIN agency_links l ON l.agency_id = a.id JOIN reports r ON r.id = l.report_id
        WHERE new.agency_identity IS NOT NULL AND a.identity = new.agency_identity AND r.year IS new.year
  ) WHERE id NOT IN (SELECT report_id FROM review_findings_dirty);
END;
CREATE TRIGGER review_dirty_review_delete AFTER DELETE ON reviews BEGIN
  INSERT INTO review_findings_dirty (report_id) SELECT id FROM (
  SELECT old.report_id AS id WHERE old.report_id IS NOT NULL
  UNION SELECT id FROM reports WHERE sha256 = old.source_sha256
  UNION SELECT id FROM reports WHERE old.source_url IS NOT NULL AND source_url = old.source_url
  UNION SELECT id FROM reports WHERE old.source_url IS NULL AND source_url IS NULL AND source = old.source
  UNION SELECT l.report_id FROM agencies a JOIN agency_links l ON l.agency_id = a.id JOIN reports r ON r.id = l.report_id
        WHERE old.agency_identity IS NOT NULL AND a.identity = old.agency_identity AND r.year IS old.year
  ) WHERE id NOT IN (SELECT report_id FROM review_findings_dirty);
END;
`;

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
