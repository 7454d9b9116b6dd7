/**
 * Exports for analysts: `npm run bench -- export` (BENCH_EXPORT_N reports, default 5,000). Builds a database
 * of N report pages made from the UTF-8 HTML samples (each page's body moved to another real county, as
 * bench/ingest.ts does) through the ingest pipeline (2 workers), then measures:
 *   - `export --format parquet` (every table, codebook, metadata.json): seconds, reports/s, bytes in all
 *     and per report, per table;
 *   - the views it reads, alone: report_indicator_values and indicator_panel, full scans;
 *   - baseline, same database: `export --format csv` of the wide figures table (the export before Parquet),
 *     its seconds and bytes, and the SQLite file's size.
 * BENCH_EXPORT_DB=PATH builds the database there and keeps it (a later run reuses it).
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ingestSources } from '../src/commands/ingest.js';
import { writeExport } from '../src/commands/export.js';
import { exportParquet } from '../src/export/parquet.js';
import { ensureIndicatorSchema } from '../src/indicators/schema.js';
import { ExtractPool } from '../src/pool/pool.js';
import { openDb } from '../src/store/db.js';
import { renameAgency, reportPageSampleFiles } from './extract.js';

const N = Number(process.env.BENCH_EXPORT_N ?? 5000);

function pageMaker(): (i: number) => Uint8Array {
  const sources = reportPageSampleFiles(25 * 1024);
  const enc = new TextEncoder();
  return (i) => {
    const src = sources[i % sources.length]!;
    const html = src.html.replace(/>(\d{1,4})</g, (_m, d: string) => `>${(Number(d) + (i % 7)) % 10000}<`);
    return enc.encode(renameAgency(html, src.agency, i, sources.length) + `<!-- ${i} -->`);
  };
}

const mb = (b: number) => `${(b / 1048576).toFixed(1)} MB`;

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'nianbao-bench-export-'));
  // BENCH_EXPORT_DB=PATH: build the database there and keep it (or reuse it when it exists)
  const keep = process.env.BENCH_EXPORT_DB;
  const dbPath = keep ?? join(dir, 'bench.db');
  const reuse = !!keep && existsSync(keep);
  const db = openDb(dbPath);
  try {
    const page = pageMaker();
    const t0 = performance.now();
    if (!reuse) {
      const pool = new ExtractPool({ size: 2 });
      const names = Array.from({ length: N }, (_, i) => `bench-${i}.html`);
      await ingestSources(db, names, {}, () => {}, { pool, keepOutcomes: false, read: async (source) => ({ source, bytes: page(Number(source.slice(6, -5))) }) });
    }
    ensureIndicatorSchema(db);
    db.pragma('wal_checkpoint(TRUNCATE)');
    const reports = (db.prepare('SELECT count(*) FROM reports').pluck().get() as number) || 1;
    console.log(`database: ${reports} reports ${reuse ? 'reused' : 'built'} in ${((performance.now() - t0) / 1000).toFixed(1)} s, ${mb(statSync(dbPath).size)} (${Math.round(statSync(dbPath).size / reports)} bytes/report)`);

    let t = performance.now();
    const nValues = db.prepare('SELECT count(*) FROM (SELECT * FROM report_indicator_values)').pluck().get() as number;
    const valuesMs = performance.now() - t;
    t = performance.now();
    const nPanel = db.prepare('SELECT count(*) FROM (SELECT * FROM indicator_panel)').pluck().get() as number;
    const panelMs = performance.now() - t;
    console.log(`views: report_indicator_values ${nValues} rows in ${(valuesMs / 1000).toFixed(2)} s; indicator_panel ${nPanel} rows in ${(panelMs / 1000).toFixed(2)} s`);

    const out = join(dir, 'parquet');
    t = performance.now();
    const res = await exportParquet(db, out);
    const pqMs = performance.now() - t;
    console.log(`export --format parquet: ${(pqMs / 1000).toFixed(1)} s (${((reports * 1000) / pqMs).toFixed(0)} reports/s), ${mb(res.bytes)} (${Math.round(res.bytes / reports)} bytes/report), ${res.tables.reduce((s, x) => s + x.files, 0)} files`);
    for (const x of res.tables) console.log(`  ${x.name.padEnd(24)} ${String(x.rows).padStart(9)} rows ${String(x.files).padStart(4)} files ${mb(x.bytes).padStart(9)} ${(x.ms / 1000).toFixed(1).padStart(6)} s`);

    t = performance.now();
    let csvBytes = 0;
    writeExport(db, 'figures', 'csv', (s) => void (csvBytes += Buffer.byteLength(s)));
    const csvMs = performance.now() - t;
    console.log(`baseline: export --format csv (figures, wide): ${(csvMs / 1000).toFixed(1)} s, ${mb(csvBytes)}; the SQLite file ${mb(statSync(dbPath).size)}`);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
