/** `nianbao reextract [--db PATH]`: rerun extraction over every stored report document, offline. */
import { readBlob } from '../store/blobs.js';
import { parseCommandArgs } from './args.js';
import { DEFAULT_DB_PATH, type Db } from '../store/db.js';
import { openOrSay } from './shared.js';
import { envPoolSize, ExtractPool } from '../pool/pool.js';
import { runOrdered } from '../pool/pipeline.js';
import { progressWriter, showProgress } from '../pool/progress.js';
import { storeReports, type StoreItem } from '../store/ingest.js';
import { placeRowsWriter } from '../places/store.js';
import { workersFrom, type IngestOptions } from './ingest.js';
import { afterIngest } from '../review/hook.js';
import { loadPageResources } from '../crawl/resources.js';

export const help = `Usage: nianbao reextract [--db PATH] [--json]

Runs extraction again over every report document stored in the database (the raw bytes kept in
the blobs table), without the network, and replaces each stored report's figures, checks and
problems with the new result (the report keeps its id). Documents are extracted in worker threads
and stored many per transaction. Documents the crawler fetched but judged
not to be reports are extracted again too, and stored when they now read as reports.

Options:
  --db PATH     the database, default ${DEFAULT_DB_PATH}
  --json        print the summary as one JSON object
  --workers N   extraction threads, default one per core; 0 extracts in the main thread
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

/** As ingestion's: extraction threads, a pool to use, reports per transaction, progress after each batch. */
export type ReextractOptions = Pick<IngestOptions, 'workers' | 'pool' | 'batch' | 'onProgress'>;

interface Doc {
  sha256: string;
  source: string;
  url: string | null;
  contentType: string | undefined;
  /** The stored report (re-extraction), or none (a crawled document judged not to be a report). */
  stored?: { id: number; status: string };
}

/**
 * Extracts every stored document again (in the pool's threads) and replaces each report's rows (one
 * transaction per batch); crawled documents that were not reports are stored when they now read as
 * reports. The bytes are read from the database a window at a time.
 */
export async function reextractAll(
  db: Db,
  onLine: (line: string) => void = () => {},
  opts: ReextractOptions = {},
): Promise<ReextractSummary> {
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

  // a crawled page's pictures (its tables as images), when the crawler kept any
  const resources = (sha256: string) => {
    const r = crawled ? loadPageResources(db, sha256) : {};
    return Object.keys(r).length ? { resources: r } : {};
  };
  const ctype = crawled
    ? db.prepare(`SELECT content_type FROM frontier WHERE content_sha256 = ? AND content_type IS NOT NULL LIMIT 1`)
    : null;
  const docs: Doc[] = [
    ...stored.map((r) => ({
      sha256: r.sha256,
      source: r.source,
      url: r.source_url,
      contentType: (ctype?.get(r.sha256) as { content_type: string } | undefined)?.content_type,
      stored: { id: r.id, status: r.status },
    })),
    ...candidates.map((c) => ({ sha256: c.sha256, source: c.url, url: c.url, contentType: c.content_type ?? undefined })),
  ];
  const markReport = crawled ? db.prepare(`UPDATE frontier SET role = 'report', report_id = ? WHERE content_sha256 = ?`) : null;
  const seedLabels =
    crawled && hasTable(db, 'seed_labels')
      ? db.prepare(
          `INSERT OR IGNORE INTO seed_labels (sha256, label)
           SELECT content_sha256, seed_label FROM frontier WHERE content_sha256 = ? AND seed_label IS NOT NULL`,
        )
      : null;
  const pool = opts.pool ?? new ExtractPool({ size: opts.workers ?? envPoolSize() });
  const batchSize = opts.batch ?? 64;
  let done = 0;
  try {
    await runOrdered(docs, {
      window: Math.max(64, pool.size * 16, batchSize * 2),
      batch: batchSize,
      produce: async (d) => {
        const raw = readBlob(db, d.sha256); // decompressed (blobs.ts)
        if (!raw) return null;
        const bytes = new Uint8Array(raw);
        const packed = await pool.extractPacked(bytes, {
          source: d.source,
          url: d.url ?? undefined,
          contentType: d.contentType,
          ...resources(d.sha256),
        });
        return { ...packed, bytes };
      },
      consume: (batch) => {
        const items: { d: Doc; item: StoreItem }[] = [];
        for (const { item: d, result } of batch) {
          summary.documents++;
          if (!result) {
            if (d.stored) summary.errors.push({ sha256: d.sha256, source: d.source, error: 'raw bytes missing from blobs' });
            continue;
          }
          if (!d.stored && result.report.status === 'not_a_report') continue;
          const meta = d.url ? { sourceUrl: d.url } : {};
          items.push({
            d,
            item: {
              report: result.report,
              bytes: result.bytes,
              provenanceJson: result.provenanceJson,
              validated: true,
              meta,
              mode: d.stored ? 'reextract' : 'ingest',
            },
          });
        }
        let out: ReturnType<typeof storeReports>;
        try {
          out = storeReports(
            db,
            items.map((x) => x.item),
            (res, _item, k) => {
              const d = items[k].d;
              // a crawled document newly read as a report: the labels of the seeds it was reached from
              // (seeds file), as the crawler stores them, before afterIngest, whose placing reads them
              if (!d.stored && seedLabels) seedLabels.run(d.sha256);
              // relink and recompute the cross-year checks (re-extraction replaced them)
              afterIngest(db, res.reportId);
              if (!d.stored) markReport!.run(res.reportId, d.sha256);
            },
            [placeRowsWriter],
          );
        } catch (err) {
          // the batch could not be written at all: each of its documents is left as it was, and says why
          const error = err instanceof Error ? err : new Error(String(err));
          out = items.map(() => ({ ok: false as const, error }));
        }
        out.forEach((r, k) => {
          const { d, item } = items[k];
          if (!r.ok) {
            summary.errors.push({ sha256: d.sha256, source: d.source, error: r.error.message });
            return;
          }
          if (r.afterError) {
            summary.errors.push({ sha256: d.sha256, source: d.source, error: r.afterError.message });
            return;
          }
          if (d.stored) {
            summary.updated++;
            if (item.report.status !== d.stored.status) {
              summary.statusChanged++;
              onLine(`#${d.stored.id}  ${d.stored.status} → ${item.report.status}  ${d.source}`);
            }
          } else if (r.created) {
            summary.newlyStored++;
            onLine(`#${r.reportId}  newly stored (${item.report.status})  ${d.source}`);
          }
        });
        done += batch.length;
        opts.onProgress?.(done, docs.length);
      },
    });
  } finally {
    if (!opts.pool) await pool.close();
  }
  return summary;
}

export async function run(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, { db: { type: 'string' }, json: { type: 'boolean' }, workers: { type: 'string' } }, help);
  if (!args) return 0;
  const { values } = args;
  const workers = workersFrom(values.workers);
  const dbPath = values.db ?? DEFAULT_DB_PATH;
  const db = openOrSay(dbPath, 'reextract');
  if (!db) return 1;
  try {
    const total = (db.prepare('SELECT count(*) AS n FROM reports').get() as { n: number }).n;
    const progress = progressWriter(process.stderr, showProgress({ isTTY: process.stderr.isTTY, json: values.json, total }), 'reextract');
    const s = await reextractAll(
      db,
      values.json
        ? undefined
        : (l) => {
            progress.clear();
            process.stdout.write(l + '\n');
          },
      { workers, onProgress: (done, n) => progress.update(done, n) },
    );
    progress.end();
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
