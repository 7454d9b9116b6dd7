/**
 * Ingestion at national scale: N report pages (default 100,000; `BENCH_INGEST_N=5000 npm run bench -- ingest`
 * for a quick run), made in memory from the UTF-8 HTML samples (each page's body renamed, its figures
 * varied and padded to ~25 KB, so no two pages are the same bytes), ingested into a fresh database by the
 * `nianbao ingest` pipeline (ingestSources: the extraction pool, one writer storing batches):
 *   - with 1 and with 2 worker threads, N pages each;
 *   - baseline, in the same run: the path before the pool (extract in the main thread, store each report
 *     in its own transaction, then the step after ingestion), on BENCH_INGEST_BASELINE_N pages (default 3000).
 * Each configuration runs in its own child process (its own peak RSS, a fresh database), one after the
 * other. Printed: reports/s end to end, per stage (extraction: the threads' time per document; storage:
 * the writer's time per document, with the cross-year step), peak RSS, and RSS over the run (flat?).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ingestSources } from '../src/commands/ingest.js';
import { extractBytes } from '../src/extract.js';
import { ExtractPool } from '../src/pool/pool.js';
import { afterIngest } from '../src/review/hook.js';
import { openDb } from '../src/store/db.js';
import { ingestReport } from '../src/store/ingest.js';
import { renameAgency, reportPageSampleFiles } from './extract.js';

const TARGET_BYTES = 25 * 1024;

/** Makes page i on demand: the sample pages, with their figures varied (7 ways) and padded, precomputed; the body renamed per page. */
export function pageMaker(): (i: number) => Uint8Array {
  const sources = reportPageSampleFiles(TARGET_BYTES);
  const para = '<p>本机关坚持以公开为常态、不公开为例外，持续推进决策、执行、管理、服务、结果公开。</p>\n';
  const variants = sources.map((src) =>
    Array.from({ length: 7 }, (_, v) => {
      let html = src.html.replace(/>(\d{1,4})</g, (_m, d: string) => `>${(Number(d) + v) % 10000}<`);
      const pad = TARGET_BYTES - Buffer.byteLength(html);
      if (pad > 0) html = html.replace(/<\/body>/i, para.repeat(Math.ceil(pad / Buffer.byteLength(para))) + '</body>');
      return html;
    }),
  );
  const enc = new TextEncoder();
  return (i) => {
    const html = variants[i % variants.length][Math.floor(i / variants.length) % 7];
    return enc.encode(renameAgency(html, sources[i % sources.length].agency, i, sources.length) + `<!-- ${i} -->`);
  };
}

interface Result {
  config: string;
  n: number;
  wallMs: number;
  extractMs: number;
  storeMs: number;
  threads: number;
  cpuMs: number;
  /** CPU ms by thread (Linux /proc): this thread (the writer), the pool's threads, V8's and libuv's helpers. */
  threadCpu: { main: number; workers: number[]; helpers: number } | null;
  maxRssMb: number;
  rssMb: number[];
  stored: number;
  rows: { figures: number; checks: number; dbMb: number };
}

/**
 * CPU time by OS thread, from /proc/self/task (Linux; null elsewhere): this thread, the `workers` busiest
 * other threads (the pool's), and the rest together (V8's GC and compiler helpers, libuv's pool).
 */
function threadCpu(workers: number): Result['threadCpu'] {
  try {
    const tick = 10; // ms per clock tick (USER_HZ 100)
    const rows = readdirSync('/proc/self/task').map((tid) => {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return { tid: Number(tid), ms: (Number(f[11]) + Number(f[12])) * tick };
    });
    const main = rows.find((r) => r.tid === process.pid)?.ms ?? 0;
    const others = rows.filter((r) => r.tid !== process.pid).sort((a, b) => b.ms - a.ms);
    return {
      main,
      workers: others.slice(0, workers).map((r) => r.ms),
      helpers: others.slice(workers).reduce((n, r) => n + r.ms, 0),
    };
  } catch {
    return null;
  }
}

function rssMb(): number {
  return Math.round(process.memoryUsage.rss() / 1048576);
}

async function child(config: string, n: number): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), 'nianbao-bench-ingest-'));
  const page = pageMaker();
  const db = openDb(join(dir, 'bench.db'));
  const rss: number[] = [];
  const marks = new Set([1, 2, 3, 4].map((q) => Math.floor((q * n) / 4)));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let extractMs = 0;
  let storeMs = 0;
  let threads = 1;
  let stored = 0;
  let cpuByThread: Result['threadCpu'] = null;
  try {
    if (config === 'baseline') {
      // the path before the pool: one document at a time, extracted here, one transaction per report
      for (let i = 0; i < n; i++) {
        const bytes = page(i);
        const t = performance.now();
        const report = await extractBytes(bytes, { source: `bench-${i}.html` });
        const t2 = performance.now();
        const r = ingestReport(db, report, bytes);
        if (r.created) afterIngest(db, r.reportId);
        storeMs += performance.now() - t2;
        extractMs += t2 - t;
        stored++;
        if (marks.has(i + 1)) rss.push(rssMb());
      }
    } else {
      const workers = Number(config.replace(/\D/g, ''));
      threads = workers;
      const pool = new ExtractPool({ size: workers });
      const stats = { storeMs: 0, batches: 0 };
      const names = Array.from({ length: n }, (_, i) => `bench-${i}.html`);
      const summary = await ingestSources(
        db,
        names,
        {},
        () => {},
        {
          pool,
          stats,
          keepOutcomes: false,
          read: async (source) => ({ source, bytes: page(Number(source.slice(6, -5))) }),
          onProgress: (done) => {
            for (const m of marks) if (done >= m) (marks.delete(m), rss.push(rssMb()));
          },
        },
      );
      cpuByThread = threadCpu(workers);
      await pool.close();
      stored = summary.stored;
      extractMs = pool.stats.extractMs;
      storeMs = stats.storeMs;
    }
    const wallMs = performance.now() - t0;
    const c = process.cpuUsage(cpu0);
    const rows = {
      figures: (db.prepare('SELECT count(*) AS n FROM figures').get() as { n: number }).n,
      checks: (db.prepare('SELECT count(*) AS n FROM checks').get() as { n: number }).n,
      dbMb: Math.round(((db.pragma('page_count', { simple: true }) as number) * (db.pragma('page_size', { simple: true }) as number)) / 1048576),
    };
    return {
      config,
      n,
      wallMs,
      extractMs,
      storeMs,
      threads,
      cpuMs: (c.user + c.system) / 1000,
      threadCpu: cpuByThread ?? threadCpu(0),
      maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      rssMb: rss,
      stored,
      rows,
    };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function runChild(config: string, n: number): Promise<Result> {
  return new Promise((resolve, reject) => {
    const me = fileURLToPath(import.meta.url);
    const p = spawn(process.execPath, [me, '--child', config, String(n)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    p.on('close', (code) => {
      const line = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !line.startsWith('{')) reject(new Error(`bench child ${config} exited with ${code}: ${out}`));
      else resolve(JSON.parse(line) as Result);
    });
  });
}

const rate = (n: number, ms: number) => `${((n * 1000) / ms).toFixed(0).padStart(5)} reports/s (${(ms / n).toFixed(2)} ms each)`;

function print(r: Result): void {
  const label = r.config === 'baseline' ? 'baseline (no pool, 1 transaction per report)' : `pool, ${r.config}`;
  console.log(`${label}: ${r.n} reports, ${r.stored} stored`);
  console.log(`  end to end:        ${rate(r.n, r.wallMs)}  [${(r.wallMs / 1000).toFixed(1)} s; CPU ${(r.cpuMs / 1000).toFixed(1)} s = ${(r.cpuMs / r.wallMs).toFixed(2)} cores]`);
  console.log(`  extraction stage:  ${rate(r.n, r.extractMs / r.threads)}  [${(r.extractMs / r.n).toFixed(2)} ms per document in a thread, ${r.threads} thread(s)]`);
  console.log(`  storage stage:     ${rate(r.n, r.storeMs)}  [the writer: batches stored + cross-year step]`);
  if (r.threadCpu) {
    const per = (ms: number) => (ms / r.n).toFixed(2);
    const w = r.threadCpu.workers.length ? `; extraction threads ${r.threadCpu.workers.map(per).join(' + ')}` : '';
    console.log(`  CPU ms per report by thread: writer ${per(r.threadCpu.main)}${w}; V8/libuv helpers ${per(r.threadCpu.helpers)}`);
  }
  console.log(`  peak RSS ${r.maxRssMb} MB; RSS at 25/50/75/100%: ${r.rssMb.join(' / ')} MB; database ${r.rows.dbMb} MB (${r.rows.figures} figure rows, ${r.rows.checks} check rows)`);
}

export async function run(): Promise<void> {
  const n = Number(process.env.BENCH_INGEST_N ?? 100_000);
  const nBase = Math.min(n, Number(process.env.BENCH_INGEST_BASELINE_N ?? 3000));
  console.log(`${n} report pages of ~25 KB made from the samples (baseline on ${nBase}); each configuration in its own process`);
  for (const [config, count] of [['baseline', nBase], ['1 worker', n], ['2 workers', n]] as const) {
    print(await runChild(config, count));
  }
  console.log(`goal: 100,000 reports in under 5 minutes = at least 333 reports/s end to end`);
}

if (process.argv[2] === '--child') {
  const r = await child(process.argv[3], Number(process.argv[4]));
  process.stdout.write(JSON.stringify(r) + '\n');
  process.exit(0);
}
