/**
 * The extraction pool (src/pool): worker threads give exactly the reports extraction in this thread
 * gives, on every sample and real document; a thread that dies on a document loses nothing; the ordered
 * pipeline hands results over in input order, in bounded batches.
 * The threads run the compiled worker (dist/src/pool/worker.js, built by `npm test`'s pretest).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { extractBytes } from '../src/extract.js';
import { ExtractPool, workerFile } from '../src/pool/pool.js';
import { runOrdered } from '../src/pool/pipeline.js';
import { ReportSchema } from '../src/report.js';

const ROOT = resolve(__dirname, '..');
const DIRS = ['samples', 'samples/pdf', 'samples/series', 'corpus/real', 'tests/fixtures/bad', 'tests/fixtures/html', 'tests/fixtures/text'];
const DOCS = DIRS.flatMap((d) =>
  readdirSync(join(ROOT, d))
    .filter((f) => /\.(html?|pdf|txt)$/i.test(f))
    .map((f) => join(d, f)),
);

describe('ExtractPool', () => {
  const pool = new ExtractPool({ size: 2 });
  afterAll(() => pool.close());

  it('runs in worker threads (the compiled worker is there)', () => {
    expect(workerFile()).not.toBeNull();
    expect(pool.size).toBe(2);
  });

  it.runIf(process.platform === 'linux')('its threads run 3 nice steps below the calling thread (the writer goes first), the calling thread unchanged', async () => {
    const nice = () =>
      readdirSync('/proc/self/task').map((tid) => {
        const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
        return { tid: Number(tid), nice: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]) };
      });
    const own = nice().find((t) => t.tid === process.pid)!.nice;
    const before = new Set(nice().map((t) => t.tid));
    const mine = new ExtractPool({ size: 1 });
    try {
      await mine.extract(readFileSync(join(ROOT, 'samples/xihua-county-2021.html')), { source: 'x.html' });
      const added = nice().filter((t) => !before.has(t.tid));
      expect(added.map((t) => t.nice)).toContain(Math.min(19, own + 3));
      expect(nice().find((t) => t.tid === process.pid)!.nice).toBe(own);
    } finally {
      await mine.close();
    }
  });

  it(`gives the same reports as extraction in this thread, on all ${DOCS.length} sample and real documents`, async () => {
    expect(DOCS.length).toBeGreaterThan(40);
    const inputs = DOCS.map((rel) => ({ rel, bytes: new Uint8Array(readFileSync(join(ROOT, rel))) }));
    // and documents that cannot be read: empty, binary, a PDF cut short
    const pdf = readFileSync(join(ROOT, 'corpus/real/huaian-hongze-2024.pdf'));
    inputs.push({ rel: 'empty.html', bytes: new Uint8Array(0) });
    inputs.push({ rel: 'binary.bin', bytes: new Uint8Array(Array.from({ length: 4096 }, (_, i) => (i * 37) % 256)) });
    inputs.push({ rel: 'cut.pdf', bytes: new Uint8Array(pdf.subarray(0, 3000)) });
    const pooled = await Promise.all(inputs.map((d) => pool.extract(d.bytes, { source: d.rel })));
    for (let i = 0; i < inputs.length; i++) {
      const here = ReportSchema.parse(await extractBytes(inputs[i].bytes, { source: inputs[i].rel }));
      expect(pooled[i], inputs[i].rel).toEqual(here);
    }
    // the comparison covers the statuses the pipeline gives
    const statuses = new Set(pooled.map((r) => r.status));
    for (const s of ['ok', 'no_tables', 'legacy', 'not_a_report', 'error'] as const) expect(statuses, s).toContain(s);
    expect(pooled.slice(-3).map((r) => r.status)).toEqual(['error', 'error', 'error']);
  }, 60_000);
});

describe('a worker thread that dies on a document', () => {
  const page = (n: number) => new TextEncoder().encode(readFileSync(join(ROOT, 'samples/xihua-county-2021.html'), 'utf8') + `<!-- ${n} -->`);

  for (const mode of ['throw', 'exit', 'oom']) {
    it(`(${mode}) loses nothing: that document is an error report, every other document is extracted, the thread replaced`, async () => {
      process.env.NIANBAO_POOL_CRASH_ON = 'doc-7.html';
      process.env.NIANBAO_POOL_CRASH_MODE = mode;
      // a small heap, so that running out of memory is quick
      const pool = new ExtractPool({ size: 2, depth: 4, heapMb: 64 });
      try {
        const reports = await Promise.all(Array.from({ length: 16 }, (_, i) => pool.extract(page(i), { source: `doc-${i}.html` })));
        expect(reports.map((r) => r.source)).toEqual(Array.from({ length: 16 }, (_, i) => `doc-${i}.html`));
        const bad = reports[7];
        expect(bad.status).toBe('error');
        // out of memory is named as such, with the limit met; other deaths as a crash
        expect(bad.problems.map((p) => p.code)).toEqual([mode === 'oom' ? 'worker_out_of_memory' : 'worker_crashed']);
        expect(bad.problems[0].message).toMatch(mode === 'oom' ? /ran out of memory on this document, twice: over the worker thread's heap limit \(heapMb = 64 MB\)/ : /worker thread died on this document/);
        expect(bad.sha256).toMatch(/^[0-9a-f]{64}$/);
        for (const [i, r] of reports.entries()) {
          if (i === 7) continue;
          expect(r.status, r.source).toBe('ok');
          expect(r.figures['requests.new.total'], r.source).toBe(reports[0].figures['requests.new.total']);
        }
        // tried twice (once more on a fresh thread), so two threads died
        expect(pool.crashes).toBe(2);
        // the pool still works after
        expect((await pool.extract(page(99), { source: 'after.html' })).status).toBe('ok');
      } finally {
        delete process.env.NIANBAO_POOL_CRASH_ON;
        delete process.env.NIANBAO_POOL_CRASH_MODE;
        await pool.close();
      }
    }, 60_000);
  }

  it("a document's own time limit stops its thread at that limit (the crawl's extraction limit), not at the pool's", async () => {
    process.env.NIANBAO_POOL_CRASH_ON = 'slow.html';
    process.env.NIANBAO_POOL_CRASH_MODE = 'hang';
    const pool = new ExtractPool({ size: 1, taskTimeoutMs: 600_000 });
    try {
      const [slow, next] = await Promise.all([
        pool.extract(page(1), { source: 'slow.html' }, { timeoutMs: 1500 }),
        pool.extract(page(2), { source: 'next.html' }),
      ]);
      expect(slow.status).toBe('error');
      expect(slow.problems.map((p) => p.code)).toEqual(['extract_timeout']);
      expect(slow.problems[0].message).toMatch(/taskTimeoutMs = 1\.5 s/);
      expect(pool.crashes).toBe(1); // the hung thread was stopped, not left running
      expect(next.status, JSON.stringify(next.problems)).toBe('ok');
    } finally {
      delete process.env.NIANBAO_POOL_CRASH_ON;
      delete process.env.NIANBAO_POOL_CRASH_MODE;
      await pool.close();
    }
  }, 60_000);

  it('a document that takes too long has its thread stopped and becomes an error report', async () => {
    process.env.NIANBAO_POOL_CRASH_ON = 'slow.html';
    process.env.NIANBAO_POOL_CRASH_MODE = 'hang';
    const pool = new ExtractPool({ size: 1, taskTimeoutMs: 5000 });
    try {
      const [slow, next] = await Promise.all([
        pool.extract(page(1), { source: 'slow.html' }),
        pool.extract(page(2), { source: 'next.html' }),
      ]);
      expect(slow.status).toBe('error');
      expect(slow.problems.map((p) => p.code)).toEqual(['extract_timeout']);
      expect(next.status, JSON.stringify(next.problems)).toBe('ok');
    } finally {
      delete process.env.NIANBAO_POOL_CRASH_ON;
      delete process.env.NIANBAO_POOL_CRASH_MODE;
      await pool.close();
    }
  }, 30_000);
});

describe('runOrdered', () => {
  it('consumes in input order, in batches of at most `batch`, with at most `window` in flight', async () => {
    const items = Array.from({ length: 200 }, (_, i) => i);
    let inFlight = 0;
    let maxInFlight = 0;
    const seen: number[] = [];
    const sizes: number[] = [];
    await runOrdered(items, {
      window: 20,
      batch: 8,
      maxWaitMs: 5,
      produce: async (n) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        // finish out of order
        await new Promise((r) => setTimeout(r, (n * 7) % 5));
        return n * 2;
      },
      consume: (batch) => {
        inFlight -= batch.length;
        sizes.push(batch.length);
        for (const b of batch) {
          expect(b.result).toBe(b.item * 2);
          seen.push(b.index);
        }
      },
    });
    expect(seen).toEqual(items);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(8);
    expect(maxInFlight).toBeLessThanOrEqual(20);
  });

  it('resolves at once on no items, and rejects when consuming throws', async () => {
    await runOrdered([], { window: 4, batch: 2, produce: async () => 1, consume: () => {} });
    await expect(
      runOrdered([1, 2, 3], {
        window: 4,
        batch: 1,
        produce: async (n) => n,
        consume: () => {
          throw new Error('disk full');
        },
      }),
    ).rejects.toThrow('disk full');
  });
});
