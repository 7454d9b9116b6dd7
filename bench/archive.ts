/**
 * A national archive (issue 19 items 3-4): `npm run bench -- archive` builds a database of N reports
 * (default 100,000; `BENCH_ARCHIVE_N=10000` for a quicker run) as bench/ingest.ts makes them (the samples,
 * each page's body renamed to a real place, figures varied, ~25 KB a page), through `nianbao ingest`'s
 * pipeline with 2 worker threads, then prints:
 *   - bytes per report by table and index (SQLite's dbstat), the goal being at most 30 KB a report;
 *   - [hA] the review page's answers on loopback (bench/review-scale.ts reviewTimings), p50/p95 over
 *     BENCH_ARCHIVE_SAMPLES requests (default 7) for the queue (/), a filtered queue (a year and failed
 *     checks), a deep page of the queue, the overview, a report's page; then the same pages right after
 *     each of as many decisions (the first request after a change); and the size of each page (goal:
 *     under 1 MB, under 300 ms).
 * BENCH_ARCHIVE_BUILD=fast builds the database without extracting every page: the same pages, each
 * distinct page extracted once, every report stored through the store's writer and the step after
 * ingestion (bench/review-scale.ts buildArchiveFast; its pages have one misprinted figure in half of them).
 *   - the Parquet export's time and size, per table (BENCH_ARCHIVE_REVIEW=0: stop there, no review page).
 * A page slower than BENCH_ARCHIVE_CAP_S (default 60) is measured once, and then the decisions are not.
 * BENCH_ARCHIVE_DB=path keeps the database there (and reuses it when it already holds N reports).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ingestSources } from '../src/commands/ingest.js';
import { exportParquet } from '../src/export/parquet.js';
import { ExtractPool } from '../src/pool/pool.js';
import { openReviewDb } from '../src/review/schema.js';
import type { Db } from '../src/store/db.js';
import { pageMaker } from './ingest.js';
import { buildArchiveFast, reviewTimings } from './review-scale.js';

async function build(db: Db, n: number): Promise<number> {
  const have = db.prepare('SELECT count(*) FROM reports').pluck().get() as number;
  if (have >= n) return 0;
  const page = pageMaker();
  const pool = new ExtractPool({ size: 2 });
  const t0 = performance.now();
  const names = Array.from({ length: n - have }, (_, i) => `bench-${have + i}.html`);
  await ingestSources(db, names, {}, () => {}, {
    pool,
    keepOutcomes: false,
    read: async (source) => ({ source, bytes: page(Number(source.slice(6, -5))) }),
  });
  await pool.close();
  return performance.now() - t0;
}

function bytesByTable(db: Db, n: number): void {
  const rows = db.prepare('SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC').all() as { name: string; bytes: number }[];
  const total = rows.reduce((a, r) => a + r.bytes, 0);
  console.log(`bytes per report by table and index (${n} reports; goal: at most 30 KB = 30720 bytes):`);
  for (const r of rows) if (r.bytes / n >= 50) console.log(`  ${r.name.padEnd(34)} ${String(Math.round(r.bytes / n)).padStart(7)}`);
  console.log(`  ${'(the rest)'.padEnd(34)} ${String(Math.round(rows.filter((r) => r.bytes / n < 50).reduce((a, r) => a + r.bytes, 0) / n)).padStart(7)}`);
  console.log(`  ${'total'.padEnd(34)} ${String(Math.round(total / n)).padStart(7)}  (${(total / 1048576).toFixed(0)} MB)`);
}

export async function run(): Promise<void> {
  const n = Number(process.env.BENCH_ARCHIVE_N ?? 100_000);
  const samples = Number(process.env.BENCH_ARCHIVE_SAMPLES ?? 7);
  const keep = process.env.BENCH_ARCHIVE_DB;
  // a page slower than this is measured once, not `samples` times (the bench has to end)
  const capMs = Number(process.env.BENCH_ARCHIVE_CAP_S ?? 60) * 1000;
  const dir = keep ? null : mkdtempSync(join(tmpdir(), 'nianbao-bench-archive-'));
  const path = keep ?? join(dir!, 'archive.db');
  console.log(`${n} report pages of ~25 KB made from the samples, ingested with 2 workers${keep && existsSync(path) ? ` (into ${path}, reused)` : ''}`);
  const db = openReviewDb(path);
  try {
    // [hA] BENCH_ARCHIVE_BUILD=fast: the same pages, each distinct page extracted once (bench/review-scale.ts)
    const ms = process.env.BENCH_ARCHIVE_BUILD === 'fast' ? await buildArchiveFast(db, n, (s) => console.log(s)) : await build(db, n);
    if (ms) console.log(`built in ${(ms / 1000).toFixed(0)} s (${((n * 1000) / ms).toFixed(0)} reports/s)`);
    db.pragma('wal_checkpoint(TRUNCATE)');
    bytesByTable(db, n);

    // Parquet export: time and size of `nianbao export --format parquet` on this database [hB]
    {
      const out = join(dir ?? tmpdir(), `archive-parquet-${process.pid}`);
      const t = performance.now();
      const res = await exportParquet(db, out);
      const ms = performance.now() - t;
      console.log(`export --format parquet: ${(ms / 1000).toFixed(1)} s (${((n * 1000) / ms).toFixed(0)} reports/s), ${(res.bytes / 1048576).toFixed(1)} MB (${Math.round(res.bytes / n)} bytes a report)`);
      for (const x of res.tables) console.log(`  ${x.name.padEnd(24)} ${String(x.rows).padStart(10)} rows ${(x.bytes / 1048576).toFixed(1).padStart(8)} MB ${(x.ms / 1000).toFixed(1).padStart(7)} s`);
      rmSync(out, { recursive: true, force: true });
    }
    if (process.env.BENCH_ARCHIVE_REVIEW === '0') return; // storage and export only [hB]

    // [hA] the review page's answers: bench/review-scale.ts
    await reviewTimings(db, { samples, capMs });
    console.log('goal: each page under 300 ms and under 1 MB at 100,000 reports, also right after a decision');
  } finally {
    db.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}
