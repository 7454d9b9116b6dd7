/** `nianbao ingest <file-or-url-or-folder>... [--db PATH]`: extract documents and store them. */
import type { EncodedBlob } from '../store/blobs.js';
import { usageError, parseCommandArgs } from './args.js';
import { padEndW } from '../format.js';
import { policyFor } from '../net/address-policy.js';
import { closeHttp, DOCUMENT_EXTENSIONS, expandArgs, isUrl, readSource, type Loaded as LoadedSource, type ReadOptions } from '../io.js';
import { defaultPoolSize, envPoolSize, ExtractPool } from '../pool/pool.js';
import { runOrdered } from '../pool/pipeline.js';
import { progressWriter, showProgress } from '../pool/progress.js';
import type { Report } from '../report.js';
import { errorReport, failedForPassingCause, sha256Hex } from '../extract.js';
import { DEFAULT_DB_PATH, type Db } from '../store/db.js';
import { openOrSay } from './shared.js';
import { storeReports } from '../store/ingest.js';
import { placeRowsWriter } from '../places/store.js';
import { afterIngest } from '../review/hook.js';
import { ensureReviewSchema } from '../review/schema.js';
import { readOptionSpec, readOptionsFrom, unreadableReport } from './extract.js';

export const help = `Usage: nianbao ingest <file-or-url-or-folder>... [--db PATH] [--json]

Extracts each document (as \`nianbao extract\` does) and stores it in the SQLite database with its
raw bytes, figures, provenance, checks and problems. Documents are extracted in worker threads (one
per core) and stored from one writer, many per transaction, each report whole or absent; the lines
come in the order the documents were given. Ingesting the same bytes twice stores them once (the
second time prints "already stored", found by the sha256 of the bytes before extracting), so a run
that was stopped part way can simply be run again. A document given up for a passing cause (out of
memory or time under load, a worker that died, a conversion time-out) is not stored, and a later run
tries it again. A folder stands for the documents directly in it (${DOCUMENT_EXTENSIONS.map((e) => '*' + e).join(', ')}).
On a terminal, a progress line (done/total, rate, time left) is kept on stderr.

Options:
  --db PATH         the database, default ${DEFAULT_DB_PATH} (created if missing)
  --json            one JSON line per document ({source, sha256, report_id, created, status,
                    failed_checks, error}) instead of the text lines and summary
  --workers N       extraction threads, default one per core (${defaultPoolSize()} here); 0 extracts in
                    the main thread
  --timeout SECS    HTTP timeout per phase, default 30
  --max-bytes N     largest document accepted, default 100 MiB
  -h, --help        show this help

Exit status: 0 when every document was read and stored; 1 when any could not be read (or stored);
2 for a usage error.

Examples:
  nianbao ingest samples/
  nianbao ingest --db /tmp/test.db report-2021.html https://example.gov.cn/nb/2022.pdf`;

/** What happened to one document. */
export interface IngestOutcome {
  source: string;
  sha256: string | null;
  reportId: number | null;
  created: boolean;
  status: string;
  agency: string | null;
  year: number | null;
  failedChecks: number;
  /** Why the document could not be read or stored. */
  error: string | null;
  /** Something that went wrong after the report was stored. */
  warning?: string;
}

export interface IngestSummary {
  /** Every document's outcome, in order (empty with `keepOutcomes: false`). */
  outcomes: IngestOutcome[];
  documents: number;
  /** Failed checks in the newly stored reports. */
  failedInNew: number;
  stored: number;
  alreadyStored: number;
  unreadable: number;
}

export interface IngestOptions {
  /** Extraction threads (default: one per core, os.availableParallelism()); 0 extracts in this thread. */
  workers?: number;
  /** A pool to use instead of making one (it is left open). */
  pool?: ExtractPool;
  /** Reports stored per transaction, at most (default 64). */
  batch?: number;
  /** Called after each batch with the documents done so far and the total. */
  onProgress?: (done: number, total: number) => void;
  /** Reads a source (default: the file or URL, readSource); the benchmark makes documents in memory. */
  read?: (source: string, readOpts: ReadOptions) => Promise<LoadedSource>;
  /** Keep every outcome in the summary (default true); false keeps memory flat on a national-size run. */
  keepOutcomes?: boolean;
  /** Filled in: the time the writer spent storing (storage and the step after it), in ms, and batches. */
  stats?: { storeMs: number; batches: number };
}

interface Loaded {
  report: Report;
  bytes?: Uint8Array;
  provenanceJson?: string | null;
  stored?: EncodedBlob;
  /** Already stored (found by the sha256 of the bytes before extracting): the stored report's row. */
  found?: { id: number; status: string; agency: string | null; year: number | null; failed: number };
}

/** Reads one source and extracts it in the pool; never rejects (an unreadable source is an `error` report). */
async function readAndExtract(
  pool: ExtractPool,
  source: string,
  readOpts: ReadOptions,
  read: (source: string, readOpts: ReadOptions) => Promise<LoadedSource> = readSource,
  findStored?: (sha256: string) => Loaded['found'],
): Promise<Loaded> {
  let loaded;
  try {
    loaded = await read(source, readOpts);
  } catch (err) {
    return { report: unreadableReport(source, err) };
  }
  if (findStored) {
    // a resumed run: bytes already stored are not extracted again
    const sha = sha256Hex(loaded.bytes);
    const found = findStored(sha);
    if (found) return { report: { ...errorReport(new Uint8Array(0), { source }), sha256: sha, status: found.status as Report['status'] }, found };
  }
  const { report, provenanceJson, stored } = await pool.extractPacked(loaded.bytes, {
    source: loaded.source,
    url: loaded.url,
    contentType: loaded.contentType,
  });
  return { report, bytes: loaded.bytes, provenanceJson, ...(stored ? { stored } : {}) };
}

function outcomeOf(source: string, { report, bytes }: Loaded): IngestOutcome {
  return {
    source,
    sha256: bytes ? report.sha256 : null,
    reportId: null,
    created: false,
    status: report.status,
    agency: report.agency,
    year: report.year,
    failedChecks: report.checks.filter((c) => c.status === 'fail').length,
    error: report.status === 'error' ? report.problems.map((p) => p.message).join('; ') || 'could not be read' : null,
  };
}


/**
 * Extracts the sources in the pool's threads and stores them from this thread, many per transaction, in
 * the order given; a bad document never stops the others. `onOutcome` is called as each document is
 * done, in order (for printing progress). A crash part way leaves every report whole or absent; running
 * again stores the rest (bytes already stored are "already stored").
 */
export async function ingestSources(
  db: Db,
  sources: string[],
  readOpts: ReadOptions = {},
  onOutcome: (o: IngestOutcome) => void = () => {},
  opts: IngestOptions = {},
): Promise<IngestSummary> {
  const summary: IngestSummary = { outcomes: [], documents: 0, failedInNew: 0, stored: 0, alreadyStored: 0, unreadable: 0 };
  const keep = opts.keepOutcomes ?? true;
  const pool = opts.pool ?? new ExtractPool({ size: opts.workers ?? envPoolSize() });
  // the step after ingestion needs the 'review' set: applied here, outside the batches' transactions, it is
  // committed and known to this connection, so the check per stored report costs nothing (applyMigrations)
  ensureReviewSchema(db);
  const failedOf = db.prepare("SELECT count(*) AS n FROM checks WHERE report_id = ? AND status = 'fail'").pluck();
  const storedBySha = db.prepare('SELECT id, status, agency, year FROM reports WHERE sha256 = ?');
  // a database that held no report when the run began has nothing to skip: its documents are not hashed
  // and looked up on this thread (the writer's) before extraction; bytes seen twice in the run are still
  // stored once (storeReports finds them by sha256)
  const resumed = db.prepare('SELECT 1 FROM reports LIMIT 1').get() !== undefined;
  const findStored = resumed
    ? (sha: string): Loaded['found'] => {
        const row = storedBySha.get(sha) as { id: number; status: string; agency: string | null; year: number | null } | undefined;
        return row && { ...row, failed: failedOf.get(row.id) as number };
      }
    : undefined;
  const batchSize = opts.batch ?? 64;
  try {
    await runOrdered(sources, {
      window: Math.max(64, pool.size * 16, batchSize * 2),
      batch: batchSize,
      produce: (source) => readAndExtract(pool, source, readOpts, opts.read, findStored),
      consume: (batch) => {
        const t0 = performance.now();
        const outcomes = batch.map(({ item, result }) => outcomeOf(item, result));
        batch.forEach(({ result }, i) => {
          const o = outcomes[i];
          if (result.found) {
            Object.assign(o, { sha256: result.report.sha256, reportId: result.found.id, status: result.found.status, agency: result.found.agency, year: result.found.year, failedChecks: result.found.failed, error: null });
            summary.alreadyStored++;
          } else if (result.bytes && failedForPassingCause(result.report)) {
            // given up for a passing cause (memory, time, a dead worker): not stored, so a later ingest tries again
            o.error = `${o.error} (not stored: a passing cause; a later ingest tries it again)`;
          }
        });
        const toStore = batch.flatMap(({ result }, i) =>
          result.bytes && !result.found && !failedForPassingCause(result.report)
            ? [{ i, item: { report: result.report, bytes: result.bytes, provenanceJson: result.provenanceJson, stored: result.stored, validated: true } }]
            : [],
        );
        // one transaction for the batch; the step after ingestion (link the body across years, cross-year
        // checks) runs in it for each new report, so a report is never stored without it
        let stored: ReturnType<typeof storeReports>;
        try {
          stored = storeReports(
            db,
            toStore.map((t) => t.item),
            (res) => {
              if (res.created) afterIngest(db, res.reportId);
            },
            [placeRowsWriter],
          );
        } catch (err) {
          // the whole batch could not be written (the database locked past its timeout, the disk full):
          // nothing of it is stored, each document says why, and the run goes on
          const error = err instanceof Error ? err : new Error(String(err));
          stored = toStore.map(() => ({ ok: false as const, error }));
        }
        stored.forEach((r, k) => {
          const o = outcomes[toStore[k].i];
          if (!r.ok) {
            o.error = `could not store: ${r.error.message}`;
            return;
          }
          o.reportId = r.reportId;
          o.created = r.created;
          if (r.created) summary.stored++;
          else summary.alreadyStored++;
          if (r.afterError) o.warning = `stored, but the cross-year step failed: ${r.afterError.message}`;
          else if (r.created) o.failedChecks = failedOf.get(r.reportId) as number;
        });
        if (opts.stats) {
          opts.stats.storeMs += performance.now() - t0;
          opts.stats.batches++;
        }
        for (const o of outcomes) {
          summary.documents++;
          if (o.error !== null) summary.unreadable++;
          if (o.created) summary.failedInNew += o.failedChecks;
          if (keep) summary.outcomes.push(o);
          onOutcome(o);
        }
        opts.onProgress?.(summary.documents, sources.length);
      },
    });
  } finally {
    if (!opts.pool) await pool.close();
  }
  return summary;
}

/** One line for a person about one document. */
export function formatOutcome(o: IngestOutcome): string {
  if (o.reportId === null) return `error           ${o.source}: ${o.error}`;
  const what = o.created ? 'stored        ' : 'already stored';
  const who = [o.agency ?? '(agency unknown)', o.year ?? '(year unknown)'].join(' ');
  const failed = o.failedChecks === 1 ? '1 failed check' : `${o.failedChecks} failed checks`;
  const line = `${what}  ${`#${o.reportId}`.padEnd(5)}  ${o.status.padEnd(12)}  ${padEndW(who, 30)}  ${failed.padEnd(16)}  ${o.source}`;
  const note = [o.error, o.warning].filter(Boolean).join('; ');
  return note ? `${line}  (${note})` : line;
}

export function formatSummary(s: IngestSummary, dbPath: string): string {
  const n = s.documents;
  const failed = s.failedInNew;
  return (
    `${n} document${n === 1 ? '' : 's'}: ${s.stored} stored, ${s.alreadyStored} already stored, ` +
    `${s.unreadable} could not be read; ${failed} failed check${failed === 1 ? '' : 's'} in the newly stored reports. ` +
    `Database: ${dbPath}`
  );
}

/** Parses --workers: a whole number ≥ 0 (0: extract in the main thread). */
export function workersFrom(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 256) throw usageError(`--workers wants a whole number from 0 to 256, not "${v}"`);
  return n;
}

export async function run(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, {
    db: { type: 'string' },
    json: { type: 'boolean' },
    workers: { type: 'string' },
    ...readOptionSpec,
  }, help, { positionals: true });
  if (!args) return 0;
  const { values, positionals } = args;
  if (positionals.length === 0) throw usageError('ingest needs at least one file, folder or URL');
  const readOpts = readOptionsFrom(values);
  const workers = workersFrom(values.workers);
  const dbPath = values.db ?? DEFAULT_DB_PATH;
  const { sources, notes } = await expandArgs(positionals);
  for (const n of notes) process.stderr.write(`nianbao ingest: ${n}\n`);
  // the hosts of the URLs given are the user's own: only they (and the address classes of literal ones) may be private
  readOpts.policy = policyFor(sources.filter(isUrl));
  const db = openOrSay(dbPath, 'ingest');
  if (!db) return 1;
  const progress = progressWriter(
    process.stderr,
    showProgress({ isTTY: process.stderr.isTTY, json: values.json, total: sources.length }),
    'ingest',
  );
  try {
    const summary = await ingestSources(
      db,
      sources,
      readOpts,
      (o) => {
        progress.clear();
        if (values.json) {
          process.stdout.write(
            JSON.stringify({
              source: o.source,
              sha256: o.sha256,
              report_id: o.reportId,
              created: o.created,
              status: o.status,
              failed_checks: o.failedChecks,
              error: o.error,
            }) + '\n',
          );
        } else {
          process.stdout.write(formatOutcome(o) + '\n');
        }
      },
      { workers, keepOutcomes: false, onProgress: (done, total) => progress.update(done, total) },
    );
    progress.end();
    if (!values.json) process.stdout.write(formatSummary(summary, dbPath) + '\n');
    return summary.unreadable > 0 ? 1 : 0;
  } finally {
    progress.end();
    db.close();
    await closeHttp();
  }
}
