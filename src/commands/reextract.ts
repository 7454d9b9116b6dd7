/** `nianbao reextract [--db PATH]`: rerun extraction over every stored report document, offline. */
import { parseCommandArgs } from '../cli.js';
import { DEFAULT_DB_PATH, openDb, type Db } from '../store/db.js';
import { extractBytes } from '../extract.js';
import { ingestReport, reextractReport } from '../store/ingest.js';
import { afterIngest } from '../review/hook.js';
import { loadPageResources } from '../crawl/resources.js';

export const help = `Usage: nianbao reextract [--db PATH] [--json]

Runs extraction again over every report document stored in the database (the raw bytes kept in
the blobs table), without the network, and replaces each stored report's figures, checks and
problems with the new result (the report keeps its id). Documents the crawler fetched but judged
not to be reports are extracted again too, and stored when they now read as reports.

Options:
  --db PATH     the database, default ${DEFAULT_DB_PATH}
  --json        print the summary as one JSON object
  -h, --help    show this help

Exit status: 0 when every document was re-extracted; 1 when any could not be (it is left as it was).`;

export interface ReextractSummary {
  documents: number;
  updated: number;
  statusChanged: number;
  newlyStored: number;
  errors: { sha256: string; source: string; error: string }[];
}

function hasTable(db: Db, name: string): boolean {
  return (db.prepare(`SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = ?`).get(name) as { n: number }).n > 0;
}

export async function reextractAll(db: Db, onLine: (line: string) => void = () => {}): Promise<ReextractSummary> {
  const summary: ReextractSummary = { documents: 0, updated: 0, statusChanged: 0, newlyStored: 0, errors: [] };
  const crawled = hasTable(db, 'frontier');
  // ids and hashes only: the bytes are read one document at a time
  const stored = db.prepare(`SELECT id, sha256, source, source_url, status FROM reports ORDER BY id`).all() as {
    id: number;
    sha256: string;
    source: string;
    source_url: string | null;
    status: string;
  }[];
  const candidates = crawled
    ? (db
        .prepare(
          `SELECT f.content_sha256 AS sha256, MIN(COALESCE(f.final_url, f.url)) AS url, MIN(f.content_type) AS content_type
             FROM frontier f
            WHERE f.role = 'not_report' AND f.content_sha256 IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM reports r WHERE r.sha256 = f.content_sha256)
            GROUP BY f.content_sha256`,
        )
        .all() as { sha256: string; url: string; content_type: string | null }[])
    : [];
  const blob = db.prepare(`SELECT bytes FROM blobs WHERE sha256 = ?`);
  // a crawled page's pictures (its tables as images), when the crawler kept any
  const resources = (sha256: string) => {
    const r = crawled ? loadPageResources(db, sha256) : {};
    return Object.keys(r).length ? { resources: r } : {};
  };
  const ctype = crawled
    ? db.prepare(`SELECT content_type FROM frontier WHERE content_sha256 = ? AND content_type IS NOT NULL LIMIT 1`)
    : null;

  for (const r of stored) {
    summary.documents++;
    const row = blob.get(r.sha256) as { bytes: Buffer } | undefined;
    if (!row) {
      summary.errors.push({ sha256: r.sha256, source: r.source, error: 'raw bytes missing from blobs' });
      continue;
    }
    const contentType = (ctype?.get(r.sha256) as { content_type: string } | undefined)?.content_type;
    const bytes = new Uint8Array(row.bytes);
    try {
      const report = await extractBytes(bytes, { source: r.source, url: r.source_url ?? undefined, contentType, ...resources(r.sha256) });
      reextractReport(db, report, bytes, { sourceUrl: r.source_url ?? undefined });
      afterIngest(db, r.id); // relink and recompute the cross-year checks (re-extraction replaced them)
      summary.updated++;
      if (report.status !== r.status) {
        summary.statusChanged++;
        onLine(`#${r.id}  ${r.status} → ${report.status}  ${r.source}`);
      }
    } catch (err) {
      summary.errors.push({ sha256: r.sha256, source: r.source, error: (err as Error).message });
    }
  }
  for (const c of candidates) {
    summary.documents++;
    const row = blob.get(c.sha256) as { bytes: Buffer } | undefined;
    if (!row) continue;
    const bytes = new Uint8Array(row.bytes);
    try {
      const report = await extractBytes(bytes, { source: c.url, url: c.url, contentType: c.content_type ?? undefined, ...resources(c.sha256) });
      if (report.status === 'not_a_report') continue;
      const res = ingestReport(db, report, bytes, { sourceUrl: c.url });
      // the labels of the seeds it was reached from (seeds file), as the crawler stores them: before
      // afterIngest, whose placing reads them
      if (hasTable(db, 'seed_labels')) {
        db.prepare(
          `INSERT OR IGNORE INTO seed_labels (sha256, label)
           SELECT content_sha256, seed_label FROM frontier WHERE content_sha256 = ? AND seed_label IS NOT NULL`,
        ).run(c.sha256);
      }
      afterIngest(db, res.reportId);
      db.prepare(`UPDATE frontier SET role = 'report', report_id = ? WHERE content_sha256 = ?`).run(res.reportId, c.sha256);
      if (res.created) {
        summary.newlyStored++;
        onLine(`#${res.reportId}  newly stored (${report.status})  ${c.url}`);
      }
    } catch (err) {
      summary.errors.push({ sha256: c.sha256, source: c.url, error: (err as Error).message });
    }
  }
  return summary;
}

export async function run(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, { db: { type: 'string' }, json: { type: 'boolean' } }, help);
  if (!args) return 0;
  const { values } = args;
  const dbPath = values.db ?? DEFAULT_DB_PATH;
  let db: Db;
  try {
    db = openDb(dbPath);
  } catch (err) {
    process.stderr.write(`nianbao reextract: cannot open the database ${dbPath}: ${(err as Error).message}\n`);
    return 1;
  }
  try {
    const s = await reextractAll(db, values.json ? undefined : (l) => process.stdout.write(l + '\n'));
    if (values.json) process.stdout.write(JSON.stringify({ db: dbPath, ...s }) + '\n');
    else {
      for (const e of s.errors) process.stdout.write(`error  ${e.source}: ${e.error}\n`);
      process.stdout.write(
        `${s.documents} documents: ${s.updated} re-extracted (${s.statusChanged} changed status), ${s.newlyStored} newly stored, ${s.errors.length} errors. Database: ${dbPath}\n`,
      );
    }
    return s.errors.length > 0 ? 1 : 0;
  } finally {
    db.close();
  }
}
