/**
 * The 'core' migration set: raw bytes, reports, figures with provenance, checks and problems.
 * Other parts own their own sets ('crawl', 'review'); never edit a shipped migration here, add one.
 *
 * The tables and views of ../shared/spec/cli.md (reports, figures, checks) are part of the contract:
 * analysts query them directly, so columns may be added but never renamed or removed.
 */
import type { Migration } from './migrate.js';

export const coreMigrations: Migration[] = [
  {
    version: 1,
    description: 'blobs, reports, figures, figure_sources, checks, problems; views failed_checks, check_results, report_summary',
    up: `
-- Raw bytes, stored once per sha256 (documents ingested by hand and, later, raw crawl responses).
CREATE TABLE blobs (
  sha256     TEXT PRIMARY KEY,
  size       INTEGER NOT NULL,
  bytes      BLOB NOT NULL,
  first_seen TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);

-- One row per distinct document (by the sha256 of its bytes).
CREATE TABLE reports (
  id                INTEGER PRIMARY KEY,
  sha256            TEXT NOT NULL UNIQUE REFERENCES blobs(sha256),
  source            TEXT NOT NULL,            -- the path or URL it was read from
  source_url        TEXT,                     -- the URL, when it came from the web
  kind              TEXT,                     -- html | pdf | text | docx | doc | wps | xlsx | image
  status            TEXT NOT NULL,            -- ok | partial | no_tables | legacy | not_a_report | error
  version           TEXT,                     -- 2019 | 2021 | legacy
  agency            TEXT,
  year              INTEGER,
  title             TEXT,
  region            TEXT,
  extracted_at      TEXT NOT NULL,
  extractor_version TEXT,
  ingested_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
CREATE INDEX reports_agency_year ON reports(agency, year);
CREATE INDEX reports_year ON reports(year);
CREATE INDEX reports_status ON reports(status);

-- One row per canonical key the document has a cell for; value NULL when the cell was unreadable.
CREATE TABLE figures (
  report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
  key       TEXT NOT NULL,
  value     NUMERIC,                          -- NUMERIC affinity: 53 is stored (and shown by sqlite3) as 53, 1.25 as 1.25
  ord       INTEGER NOT NULL,                 -- position in the report's figures (template order)
  PRIMARY KEY (report_id, key)
) WITHOUT ROWID;
CREATE INDEX figures_key ON figures(key);

-- Provenance: where each figure was read, as printed.
CREATE TABLE figure_sources (
  report_id       INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
  key             TEXT NOT NULL,
  text            TEXT NOT NULL,              -- the cell as printed ('' for a blank cell)
  blank           INTEGER NOT NULL,           -- 1 when blank or a zero marker (—, -, /, 无)
  canonical_table INTEGER NOT NULL,           -- 2, 3 or 4
  grid            INTEGER NOT NULL,           -- 1-based grid (table) in the document
  row_label       TEXT NOT NULL,
  col_label       TEXT NOT NULL,
  where_json      TEXT NOT NULL,              -- {table,row,col,domPath,line,page,bbox}
  PRIMARY KEY (report_id, key)
) WITHOUT ROWID;

-- One row per check and report.
CREATE TABLE checks (
  report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
  check_id  TEXT NOT NULL,
  status    TEXT NOT NULL,                    -- pass | fail | warn | skipped
  expected  NUMERIC,
  actual    NUMERIC,
  keys_json TEXT NOT NULL,                    -- JSON array of the canonical keys involved
  reason    TEXT,
  evidence  TEXT,
  ord       INTEGER NOT NULL,
  PRIMARY KEY (report_id, check_id)
) WITHOUT ROWID;
CREATE INDEX checks_status ON checks(status);
CREATE INDEX checks_check_id ON checks(check_id);

-- Extraction problems (unreadable cells, decoding trouble, missing tables…), in the order found.
CREATE TABLE problems (
  id         INTEGER PRIMARY KEY,
  report_id  INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
  code       TEXT NOT NULL,
  message    TEXT NOT NULL,
  where_text TEXT
);
CREATE INDEX problems_report ON problems(report_id);
CREATE INDEX problems_code ON problems(code);

-- Every check with the report it belongs to.
CREATE VIEW check_results AS
SELECT c.report_id, r.agency, r.year, r.version, r.region, r.title, r.source, r.source_url,
       c.check_id, c.status, c.expected, c.actual, c.keys_json, c.reason, c.evidence
FROM checks c JOIN reports r ON r.id = c.report_id;

-- The checks that failed, with their report.
CREATE VIEW failed_checks AS
SELECT c.report_id, r.agency, r.year, r.version, r.region, r.title, r.source, r.source_url,
       c.check_id, c.expected, c.actual, c.keys_json, c.reason, c.evidence
FROM checks c JOIN reports r ON r.id = c.report_id
WHERE c.status = 'fail';

-- One line per report: its metadata and how its checks came out.
CREATE VIEW report_summary AS
SELECT r.id AS report_id, r.agency, r.year, r.version, r.status, r.region, r.title, r.source, r.source_url, r.kind,
       (SELECT count(*) FROM figures f WHERE f.report_id = r.id) AS figures,
       (SELECT count(*) FROM figures f WHERE f.report_id = r.id AND f.value IS NULL) AS unreadable,
       (SELECT count(*) FROM checks c WHERE c.report_id = r.id AND c.status = 'pass') AS passed,
       (SELECT count(*) FROM checks c WHERE c.report_id = r.id AND c.status = 'fail') AS failed,
       (SELECT count(*) FROM checks c WHERE c.report_id = r.id AND c.status = 'warn') AS warned,
       (SELECT count(*) FROM checks c WHERE c.report_id = r.id AND c.status = 'skipped') AS skipped,
       (SELECT count(*) FROM problems p WHERE p.report_id = r.id) AS problems
FROM reports r;
`,
  },
  {
    version: 2,
    description: 'drop figures_key: ingestion touched one index page per key of every report',
    // Each report adds ~200 keys, each in a different place of an index on key alone: ~200 pages
    // written per report, half the cost of storing it. Figures are clustered by (report_id, key), so
    // reading one report's figures, or joining reports to a few keys, stays indexed; a scan of one key
    // across every report reads the table (fast enough at hundreds of thousands of rows). An analyst who
    // runs many such scans can CREATE INDEX figures_key ON figures(key) after a bulk load.
    up: 'DROP INDEX IF EXISTS figures_key;',
  },
  {
    version: 3,
    description: 'OCR: reports.ocr (figures read from images), figure_sources.ocr and .confidence',
    up: `ALTER TABLE reports ADD COLUMN ocr INTEGER NOT NULL DEFAULT 0;
ALTER TABLE figure_sources ADD COLUMN ocr INTEGER NOT NULL DEFAULT 0;
ALTER TABLE figure_sources ADD COLUMN confidence REAL;`,
  },
];
