/**
 * The 'core' migration set: raw bytes, reports, figures with provenance, checks and problems.
 * Other parts own their own sets ('crawl', 'review'); never edit a shipped migration here, add one.
 *
 * The tables and views of ../shared/spec/cli.md (reports, figures, checks) are part of the contract:
 * analysts query them directly, so columns may be added but never renamed or removed.
 */
import type { FigureSource } from '../report.js';
import type { Migration } from './migrate.js';
import { encodeBlob } from './blobs.js';
import { internProvenanceKeys, parseProvenance, provenanceJson, provenanceJsonV1, provenanceJsonV2 } from './provenance.js';

interface LegacySourceRow {
  report_id: number;
  key: string;
  text: string;
  blank: number;
  canonical_table: number;
  grid: number;
  row_label: string;
  col_label: string;
  where_json: string;
  ocr: number;
  confidence: number | null;
}

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
  {
    version: 4,
    description: 'provenance: one row per report (table provenance) instead of one per figure; figure_sources becomes a view',
    // A report has ~200 figures, each with its provenance: as rows of figure_sources that was 200 rows of
    // ~400 bytes (labels and the DOM path of the cell, repeated in full), 80% of what a report wrote.
    // Now one row per report holds them all as JSON (provenanceJsonV1 in provenance.ts): cells of one table share
    // the DOM path of the table, stored once. The view figure_sources gives back the documented columns,
    // row for row, so the analysts' queries (by report and key) keep working.
    up: (db) => {
      db.exec(`CREATE TABLE provenance (
  report_id INTEGER PRIMARY KEY REFERENCES reports(id) ON DELETE CASCADE,
  data      TEXT NOT NULL                   -- {"p": [DOM path prefixes], "s": [[key, text, blank, table, grid, row_label, col_label, where, prefix, suffix, ocr, confidence], ...]}
)`);
      const rows = db
        .prepare(
          `SELECT s.* FROM figure_sources s LEFT JOIN figures f ON f.report_id = s.report_id AND f.key = s.key
           ORDER BY s.report_id, f.ord, s.key`,
        )
        .all() as LegacySourceRow[];
      const insert = db.prepare('INSERT INTO provenance (report_id, data) VALUES (?, ?)');
      let current: number | null = null;
      let group: Record<string, FigureSource> = {};
      const flush = () => {
        if (current !== null) insert.run(current, provenanceJsonV1(group));
        group = {};
      };
      for (const r of rows) {
        if (r.report_id !== current) {
          flush();
          current = r.report_id;
        }
        group[r.key] = {
          text: r.text,
          blank: r.blank === 1,
          table: r.canonical_table,
          grid: r.grid,
          row_label: r.row_label,
          col_label: r.col_label,
          where: JSON.parse(r.where_json) as FigureSource['where'],
          ...(r.ocr === 1 ? { ocr: true } : {}),
          ...(r.confidence !== null ? { confidence: r.confidence } : {}),
        };
      }
      flush();
      db.exec(`DROP TABLE figure_sources;
-- Provenance, one row per report and key, as figure_sources was: where each figure was read, as printed.
CREATE VIEW figure_sources AS
SELECT p.report_id                AS report_id,
       s.value ->> 0              AS key,
       s.value ->> 1              AS text,
       s.value ->> 2              AS blank,
       s.value ->> 3              AS canonical_table,
       s.value ->> 4              AS grid,
       s.value ->> 5              AS row_label,
       s.value ->> 6              AS col_label,
       CASE WHEN s.value ->> 8 IS NULL THEN s.value ->> 7
            ELSE json_set(s.value ->> 7, '$.domPath', (p.data -> '$.p' ->> (s.value ->> 8)) || (s.value ->> 9)) END AS where_json,
       coalesce(s.value ->> 10, 0) AS ocr,
       s.value ->> 11             AS confidence
FROM provenance p, json_each(p.data, '$.s') s;`);
    },
  },
  {
    version: 5,
    description: 'provenance layout 2: row and column labels stored once per report, every provenance field kept; figure_sources gains ocr_corrected, ocr_read, ocr_alternatives',
    // A report's ~200 figures name a few dozen labels (一、本年新收政府信息公开申请数量 once per column):
    // in full in every entry they were a third of the provenance, the largest thing a report stores. The
    // OCR fields ocr_corrected / ocr_read / ocr_alternatives were not stored at all. Existing rows are
    // rewritten (read in the first layout, written in the second); the view reads the second.
    up: (db) => {
      const read = db.prepare('SELECT report_id, data FROM provenance WHERE report_id > ? ORDER BY report_id LIMIT 500');
      const write = db.prepare('UPDATE provenance SET data = ? WHERE report_id = ?');
      for (let after = 0; ; ) {
        const rows = read.all(after) as { report_id: number; data: string }[];
        if (!rows.length) break;
        for (const r of rows) write.run(provenanceJsonV2(parseProvenance(r.data)), r.report_id);
        after = rows[rows.length - 1].report_id;
      }
      db.exec(`DROP VIEW figure_sources;
-- Provenance, one row per report and key: where each figure was read, as printed.
CREATE VIEW figure_sources AS
SELECT p.report_id                                              AS report_id,
       s.value ->> 0                                            AS key,
       s.value ->> 1                                            AS text,
       s.value ->> 2                                            AS blank,
       s.value ->> 3                                            AS canonical_table,
       s.value ->> 4                                            AS grid,
       p.data ->> ('$.l[' || (s.value ->> 5) || ']')            AS row_label,
       p.data ->> ('$.l[' || (s.value ->> 6) || ']')            AS col_label,
       CASE WHEN s.value ->> 8 IS NULL THEN s.value ->> 7
            ELSE json_set(s.value ->> 7, '$.domPath', (p.data ->> ('$.p[' || (s.value ->> 8) || ']')) || (s.value ->> 9)) END AS where_json,
       coalesce(s.value ->> 10, 0)                              AS ocr,
       s.value ->> 11                                           AS confidence,
       coalesce(s.value ->> '$[12].ocr_corrected', 0)           AS ocr_corrected,
       s.value ->> '$[12].ocr_read'                             AS ocr_read,
       s.value -> '$[12].ocr_alternatives'                      AS ocr_alternatives
FROM provenance p, json_each(p.data, '$.s') s;`);
    },
  },
  {
    version: 6,
    description:
      'national archive: blobs.encoding (raw bytes brotli-compressed), checks a view over check_rows + check_defs (each key list stored once), provenance layout 3 with key lists in provenance_lists',
    // At ~100 KB a report (raw page 31 KB, provenance 29 KB, checks 27 KB of which 14 KB were keys_json
    // repeating each check's key list, figures 10 KB) a national archive of 1.2 million reports would be
    // ~115 GB. Now: raw bytes are kept compressed (blobs.encoding 'br'; src/store/blobs.ts reads them back),
    // a check's id and key list are stored once (check_defs) and each report's check names it by number,
    // and provenance entries are a third of their size (provenance.ts, layout 3). The views checks and
    // figure_sources give the same rows as the tables they were (tests/storage-migration.test.ts); the
    // view checks takes INSERT, UPDATE and DELETE (INSTEAD OF triggers) as the table did. The file keeps
    // its size until `VACUUM`: the freed pages are reused by later reports.
    up: (db) => {
      db.exec(`ALTER TABLE blobs ADD COLUMN encoding TEXT;   -- NULL: bytes as they are; 'br': brotli; 'gzip'; 'deflate' (zlib)

-- One row per check id and key list (a check's keys are the same in nearly every report).
CREATE TABLE check_defs (
  id        INTEGER PRIMARY KEY,
  check_id  TEXT NOT NULL,
  keys_json TEXT NOT NULL,                   -- JSON array of the canonical keys involved
  UNIQUE (check_id, keys_json)
);

-- One row per check and report; def names its id and keys.
CREATE TABLE check_rows (
  report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
  def       INTEGER NOT NULL REFERENCES check_defs(id),
  status    TEXT NOT NULL,                   -- pass | fail | warn | skipped
  expected  NUMERIC,
  actual    NUMERIC,
  reason    TEXT,
  evidence  TEXT,
  ord       INTEGER NOT NULL,
  PRIMARY KEY (report_id, def)
) WITHOUT ROWID;

INSERT INTO check_defs (check_id, keys_json) SELECT DISTINCT check_id, keys_json FROM checks ORDER BY check_id, keys_json;
INSERT INTO check_rows (report_id, def, status, expected, actual, reason, evidence, ord)
SELECT c.report_id, d.id, c.status, c.expected, c.actual, c.reason, c.evidence, c.ord
FROM checks c JOIN check_defs d ON d.check_id = c.check_id AND d.keys_json = c.keys_json;
DROP TABLE checks;
CREATE INDEX check_rows_status ON check_rows(status);
CREATE INDEX check_rows_def ON check_rows(def);

-- One row per check and report, as the table checks was.
CREATE VIEW checks AS
SELECT c.report_id, d.check_id, c.status, c.expected, c.actual, d.keys_json, c.reason, c.evidence, c.ord
FROM check_rows c JOIN check_defs d ON d.id = c.def;

CREATE TRIGGER checks_insert INSTEAD OF INSERT ON checks
BEGIN
  SELECT RAISE(ABORT, 'UNIQUE constraint failed: checks.report_id, checks.check_id')
  WHERE EXISTS (SELECT 1 FROM check_rows c JOIN check_defs d ON d.id = c.def WHERE c.report_id = NEW.report_id AND d.check_id = NEW.check_id);
  INSERT OR IGNORE INTO check_defs (check_id, keys_json) VALUES (NEW.check_id, NEW.keys_json);
  INSERT INTO check_rows (report_id, def, status, expected, actual, reason, evidence, ord)
  VALUES (NEW.report_id, (SELECT id FROM check_defs WHERE check_id = NEW.check_id AND keys_json = NEW.keys_json),
          NEW.status, NEW.expected, NEW.actual, NEW.reason, NEW.evidence, NEW.ord);
END;
CREATE TRIGGER checks_delete INSTEAD OF DELETE ON checks
BEGIN
  DELETE FROM check_rows WHERE report_id = OLD.report_id
    AND def = (SELECT id FROM check_defs WHERE check_id = OLD.check_id AND keys_json = OLD.keys_json);
END;
CREATE TRIGGER checks_update INSTEAD OF UPDATE ON checks
BEGIN
  INSERT OR IGNORE INTO check_defs (check_id, keys_json) VALUES (NEW.check_id, NEW.keys_json);
  UPDATE check_rows SET
    report_id = NEW.report_id,
    def = (SELECT id FROM check_defs WHERE check_id = NEW.check_id AND keys_json = NEW.keys_json),
    status = NEW.status, expected = NEW.expected, actual = NEW.actual, reason = NEW.reason, evidence = NEW.evidence, ord = NEW.ord
  WHERE report_id = OLD.report_id
    AND def = (SELECT id FROM check_defs WHERE check_id = OLD.check_id AND keys_json = OLD.keys_json);
END;

-- Lists a report's provenance names by id (its key list, the same for reports of one template; its label list).
CREATE TABLE provenance_lists (
  id   INTEGER PRIMARY KEY,
  list TEXT NOT NULL UNIQUE                  -- JSON array
);`);
      // provenance: layout 2 → 3, the key lists interned
      const findList = db.prepare<[string], number>('SELECT id FROM provenance_lists WHERE list = ?').pluck();
      const addList = db.prepare('INSERT INTO provenance_lists (list) VALUES (?)');
      const lists = new Map<string, number>();
      const idOf = (list: string): number => {
        let id = lists.get(list) ?? findList.get(list);
        if (id === undefined) id = Number(addList.run(list).lastInsertRowid);
        lists.set(list, id);
        return id;
      };
      const read = db.prepare('SELECT report_id, data FROM provenance WHERE report_id > ? ORDER BY report_id LIMIT 500');
      const write = db.prepare('UPDATE provenance SET data = ? WHERE report_id = ?');
      for (let after = 0; ; ) {
        const rows = read.all(after) as { report_id: number; data: string }[];
        if (!rows.length) break;
        for (const r of rows) write.run(internProvenanceKeys(provenanceJson(parseProvenance(r.data)), idOf), r.report_id);
        after = rows[rows.length - 1].report_id;
      }
      db.exec(`DROP VIEW figure_sources;
-- Provenance, one row per report and key: where each figure was read, as printed (layout 3: provenance.ts).
CREATE VIEW figure_sources AS
SELECT p.report_id                                              AS report_id,
       coalesce(k.list, p.data -> '$.k') ->> ('$[' || (s.value ->> 0) || ']') AS key,
       s.value ->> 1                                            AS text,
       s.value ->> 2                                            AS blank,
       s.value ->> 3                                            AS canonical_table,
       s.value ->> 4                                            AS grid,
       coalesce(l.list, p.data -> '$.l') ->> ('$[' || (s.value ->> 5) || ']') AS row_label,
       coalesce(l.list, p.data -> '$.l') ->> ('$[' || (s.value ->> 6) || ']') AS col_label,
       CASE WHEN s.value ->> 8 IS NULL
            THEN CASE json_type(s.value, '$[7]') WHEN 'array'
                      THEN json_object('table', s.value ->> '$[7][0]', 'row', s.value ->> '$[7][1]', 'col', s.value ->> '$[7][2]')
                      ELSE s.value ->> 7 END
            ELSE json_set(CASE json_type(s.value, '$[7]') WHEN 'array'
                               THEN json_object('table', s.value ->> '$[7][0]', 'row', s.value ->> '$[7][1]', 'col', s.value ->> '$[7][2]')
                               ELSE s.value ->> 7 END,
                          '$.domPath',
                          (p.data ->> ('$.p[' || (s.value ->> 8) || ']')) ||
                          CASE json_type(s.value, '$[9]') WHEN 'array'
                               THEN 'tr:nth-of-type(' || (s.value ->> '$[9][0]') || ')>td:nth-of-type(' || (s.value ->> '$[9][1]') || ')'
                               ELSE s.value ->> 9 END) END AS where_json,
       coalesce(s.value ->> 10, 0)                              AS ocr,
       s.value ->> 11                                           AS confidence,
       coalesce(s.value ->> '$[12].ocr_corrected', 0)           AS ocr_corrected,
       s.value ->> '$[12].ocr_read'                             AS ocr_read,
       s.value -> '$[12].ocr_alternatives'                      AS ocr_alternatives
FROM provenance p
LEFT JOIN provenance_lists k ON k.id = CASE json_type(p.data, '$.k') WHEN 'integer' THEN p.data ->> '$.k' END
LEFT JOIN provenance_lists l ON l.id = CASE json_type(p.data, '$.l') WHEN 'integer' THEN p.data ->> '$.l' END,
json_each(p.data, '$.s') s;`);
      // raw bytes: compressed where that saves a tenth or more
      const blobs = db.prepare('SELECT rowid AS rid, bytes FROM blobs WHERE rowid > ? AND encoding IS NULL ORDER BY rowid LIMIT 200');
      const setBlob = db.prepare('UPDATE blobs SET bytes = ?, encoding = ? WHERE rowid = ?');
      for (let after = 0; ; ) {
        const rows = blobs.all(after) as { rid: number; bytes: Buffer }[];
        if (!rows.length) break;
        for (const r of rows) {
          const e = encodeBlob(r.bytes, 'br'); // as shipped (blobs.ts writes gzip since migration 7)
          if (e.encoding) setBlob.run(e.bytes, e.encoding, r.rid);
        }
        after = rows[rows.length - 1].rid;
      }
    },
  },
  {
    version: 7,
    description: 'figures a view over figure_rows + figure_keys: each canonical key stored once, a figure row names it by number',
    // A report's ~200 figures were rows of (report_id, key text, value, ord) of ~49 bytes, 40 of them the
    // key's text (requests.denied.third_party.commercial): 9.7 KB a report, the largest table. The key now
    // is stored once (figure_keys) and each row names it by number: ~15 bytes a row. The view figures
    // gives the same rows (tests/storage-migration.test.ts); it takes INSERT, UPDATE and DELETE (INSTEAD
    // OF triggers) as the table did. A query by report and key (the views' `WHERE report_id = ? AND key
    // = ?`) finds the key's number by figure_keys' index and the row by figure_rows' primary key.
    up: `CREATE TABLE figure_keys (
  id  INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE                  -- a canonical key (report-format.md)
);
INSERT INTO figure_keys (key) SELECT key FROM figures GROUP BY key ORDER BY min(ord), key;

-- One row per canonical key the document has a cell for; value NULL when the cell was unreadable.
CREATE TABLE figure_rows (
  report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
  key_id    INTEGER NOT NULL REFERENCES figure_keys(id),
  value     NUMERIC,                          -- as figures.value: 53 is stored as 53, 1.25 as 1.25
  ord       INTEGER NOT NULL,                 -- position in the report's figures (template order)
  PRIMARY KEY (report_id, key_id)
) WITHOUT ROWID;
INSERT INTO figure_rows (report_id, key_id, value, ord)
SELECT f.report_id, k.id, f.value, f.ord FROM figures f JOIN figure_keys k ON k.key = f.key ORDER BY f.report_id, k.id;
DROP TABLE figures;

-- One row per canonical key and report, as the table figures was.
CREATE VIEW figures AS
SELECT f.report_id, k.key, f.value, f.ord
FROM figure_rows f JOIN figure_keys k ON k.id = f.key_id;

CREATE TRIGGER figures_insert INSTEAD OF INSERT ON figures
BEGIN
  INSERT OR IGNORE INTO figure_keys (key) VALUES (NEW.key);
  INSERT INTO figure_rows (report_id, key_id, value, ord)
  VALUES (NEW.report_id, (SELECT id FROM figure_keys WHERE key = NEW.key), NEW.value, NEW.ord);
END;
CREATE TRIGGER figures_delete INSTEAD OF DELETE ON figures
BEGIN
  DELETE FROM figure_rows WHERE report_id = OLD.report_id AND key_id = (SELECT id FROM figure_keys WHERE key = OLD.key);
END;
CREATE TRIGGER figures_update INSTEAD OF UPDATE ON figures
BEGIN
  INSERT OR IGNORE INTO figure_keys (key) VALUES (NEW.key);
  UPDATE figure_rows SET
    report_id = NEW.report_id, key_id = (SELECT id FROM figure_keys WHERE key = NEW.key), value = NEW.value, ord = NEW.ord
  WHERE report_id = OLD.report_id AND key_id = (SELECT id FROM figure_keys WHERE key = OLD.key);
END;`,
  },
];
