/**
 * The extraction pool: documents are extracted in worker threads (node:worker_threads), one pool
 * sized to the machine (os.availableParallelism()), while the caller's thread reads and stores.
 *
 * - `extract(bytes, opts)` never rejects: it resolves to the report, or to a report with status
 *   `error` whose problem says what went wrong.
 * - Each thread has a few documents queued (so it keeps working while the main thread is busy
 *   writing a batch), and extracts them in order.
 * - A thread that dies (an uncaught exception, out of memory, exit) loses nothing: the document it was
 *   on is tried once more on a fresh thread, then recorded as an `error` report (problem
 *   `worker_crashed`); the documents queued behind it go to the other threads; the dead thread is
 *   replaced. A document that takes longer than `taskTimeoutMs` has its thread stopped and becomes an
 *   `error` report (problem `extract_timeout`).
 * - Size 0 extracts in the calling thread (no worker), the way the tool worked before the pool.
 *
 * The thread's code is the compiled src/pool/worker.js (dist/). Running from the TypeScript sources
 * (vitest, tsx), the compiled file in the project's dist/ is used (built by `npm run build`, which
 * `npm test` runs first); without one the pool extracts in the calling thread.
 */
import { existsSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { errorReport, extractBytes, type ExtractOptions } from '../extract.js';
import { ReportSchema, type Report } from '../report.js';
import { projectRoot } from '../store/db.js';
import { packReport, type PackedReport } from './packed.js';
import type { ResultMessage, TaskMessage } from './worker.js';

export interface PoolOptions {
  /** Worker threads; default os.availableParallelism(). 0: extract in the calling thread. */
  size?: number;
  /** Documents queued per thread at most (default 32: enough work to keep a thread busy while the writer commits a batch). */
  depth?: number;
  /** A document taking longer than this is given up as `error` and its thread replaced (default 10 min). */
  taskTimeoutMs?: number;
  /**
   * A thread's old generation, at most, in MB: past it the thread dies and its document is an error. Default
   * 3072, or less on a machine with less memory (an eighth of it per thread, at least 1024). V8 sizes its
   * collections by this limit: at 1536 a thread ran a full mark-compact every ~100 documents.
   */
  heapMb?: number;
  /** A thread's young generation in MB (default 64: fewer scavenges, fewer short-lived objects promoted). */
  youngMb?: number;
  /**
   * How many nice steps below the calling thread the extraction threads run (Linux; default 3; 0: the same).
   * The calling thread stores what they extract (one writer): when the threads and it want more cores than
   * there are, it goes first, so more threads are never slower than fewer (worker.ts lowerThisThread). At 3
   * steps a thread weighs about half the writer (CFS weights 526 and 1024), so two threads and the writer on
   * two cores balance as the writer on one core and the threads on the other. More steps would also hand
   * the threads' time to anything else running on the machine (at 5, a third of its weight).
   */
  niceness?: number;
}

/** The default old-generation limit of a thread (see PoolOptions.heapMb). */
export function defaultHeapMb(size: number): number {
  const share = Math.floor(totalmem() / 1048576 / 8 / Math.max(1, size));
  return Math.max(1024, Math.min(3072, share));
}

interface Task {
  id: number;
  bytes: Uint8Array;
  opts: ExtractOptions;
  packed: boolean;
  attempts: number;
  /** This document's own time limit (ms, from when its thread starts it); the pool's taskTimeoutMs when absent. */
  timeoutMs?: number;
  /** The first attempt's thread ran out of memory. */
  oomBefore?: boolean;
  resolve: (r: PackedReport) => void;
}

interface Slot {
  worker: Worker;
  /** Tasks sent to this thread and not answered yet, in the order sent (the thread works on the first). */
  inflight: Task[];
  timer?: NodeJS.Timeout;
  online: boolean;
  dead: boolean;
  /** The thread's last error (ERR_WORKER_OUT_OF_MEMORY: it met its heap limit). */
  lastError?: Error & { code?: string };
}

export function defaultPoolSize(): number {
  return Math.max(1, availableParallelism());
}

/** The compiled worker file, or null when there is none (then the pool extracts in the calling thread). */
export function workerFile(): URL | null {
  const here = new URL('./worker.js', import.meta.url);
  if (import.meta.url.endsWith('.js') && existsSync(fileURLToPath(here))) return here;
  try {
    const compiled = join(projectRoot(), 'dist', 'src', 'pool', 'worker.js');
    if (existsSync(compiled)) return pathToFileURL(compiled);
  } catch {
    /* no project root: no compiled worker */
  }
  return null;
}

/** A report for a document the pool could not extract (the thread died, or it took too long). */
export function failedReport(bytes: Uint8Array, opts: ExtractOptions, code: string, message: string): Report {
  return errorReport(bytes, opts, [{ code, message }]);
}

/** Extraction in the calling thread, with the same promise as the pool's: a report, never a rejection. */
export async function extractHere(bytes: Uint8Array, opts: ExtractOptions): Promise<Report> {
  try {
    return ReportSchema.parse(await extractBytes(bytes, opts));
  } catch (err) {
    return failedReport(bytes, opts, 'extract_failed', `extraction failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export class ExtractPool {
  size: number;
  private readonly depth: number;
  private readonly timeoutMs: number;
  private readonly heapMb: number;
  private readonly youngMb: number;
  private readonly niceness: number;
  private readonly file: URL | null;
  private readonly slots: Slot[] = [];
  private readonly waiting: Task[] = [];
  private nextId = 1;
  private closed = false;
  /** Some thread of this pool started (so the worker file loads). */
  private everOnline = false;
  /** Threads that died (crash, out of memory, timeout) and were replaced. */
  crashes = 0;
  /** Threads stopped because a document's own time limit left work running in them, and replaced. */
  retired = 0;
  /** Documents extracted, and the time their extraction took in the threads (or here), in ms. */
  readonly stats = { documents: 0, extractMs: 0 };

  constructor(opts: PoolOptions = {}) {
    this.file = (opts.size ?? 1) > 0 ? workerFile() : null;
    this.size = this.file ? (opts.size ?? defaultPoolSize()) : 0;
    this.depth = Math.max(1, opts.depth ?? 32);
    this.timeoutMs = opts.taskTimeoutMs ?? 600_000;
    this.heapMb = opts.heapMb ?? defaultHeapMb(this.size);
    this.youngMb = opts.youngMb ?? 64;
    this.niceness = opts.niceness ?? 3;
  }

  /** Extracts one document; resolves to its report (status `error` when it could not be read). */
  async extract(bytes: Uint8Array, opts: ExtractOptions, limits: { timeoutMs?: number } = {}): Promise<Report> {
    if (this.size === 0 || this.closed) return this.here(bytes, opts);
    return (await this.submit(bytes, opts, false, limits.timeoutMs)).report;
  }

  /**
   * Extracts one document for storage: the report (validated, provenance left out) and its provenance
   * as the text the database stores (packed.ts); what `storeReports` takes as a validated item.
   */
  async extractPacked(bytes: Uint8Array, opts: ExtractOptions): Promise<PackedReport> {
    if (this.size === 0 || this.closed) return packReport(await this.here(bytes, opts));
    return this.submit(bytes, opts, true);
  }

  private async here(bytes: Uint8Array, opts: ExtractOptions): Promise<Report> {
    const t0 = performance.now();
    const r = await extractHere(bytes, opts);
    this.stats.documents++;
    this.stats.extractMs += performance.now() - t0;
    return r;
  }

  private submit(bytes: Uint8Array, opts: ExtractOptions, packed: boolean, timeoutMs?: number): Promise<PackedReport> {
    return new Promise<PackedReport>((resolve) => {
      this.waiting.push({ id: this.nextId++, bytes, opts, packed, attempts: 0, resolve, ...(timeoutMs ? { timeoutMs } : {}) });
      this.pump();
    });
  }

  /** Stops the threads (after the documents in flight, which resolve first). */
  async close(): Promise<void> {
    this.closed = true;
    while (this.waiting.length || this.slots.some((s) => s.inflight.length)) {
      await new Promise((r) => setTimeout(r, 5));
    }
    const slots = this.slots.splice(0);
    await Promise.all(slots.map((s) => ((s.dead = true), s.worker.terminate())));
  }

  private spawn(): Slot {
    const worker = new Worker(this.file!, {
      workerData: { niceness: this.niceness },
      // one document never takes the process's memory: past this the thread dies (ERR_WORKER_OUT_OF_MEMORY)
      resourceLimits: { maxOldGenerationSizeMb: this.heapMb, maxYoungGenerationSizeMb: this.youngMb },
    });
    const slot: Slot = { worker, inflight: [], online: false, dead: false };
    worker.on('online', () => {
      slot.online = true;
      this.everOnline = true;
      // the clock of the first document starts when the thread has started (loading takes a while)
      if (slot.inflight.length) this.arm(slot, slot.inflight[0]);
    });
    worker.on('message', (m: ResultMessage) => this.answered(slot, m));
    worker.on('error', (err: Error) => {
      /* the thread dies: 'exit' follows and does the accounting */
      slot.lastError = err;
    });
    worker.on('exit', () => this.died(slot, 'worker_crashed'));
    worker.unref();
    this.slots.push(slot);
    return slot;
  }

  private pump(): void {
    while (this.waiting.length) {
      if (this.slots.length < this.size) this.spawn();
      let best: Slot | undefined;
      for (const s of this.slots) if (!s.dead && s.inflight.length < this.depth && (!best || s.inflight.length < best.inflight.length)) best = s;
      if (!best) return;
      const task = this.waiting.shift()!;
      if (best.inflight.length === 0) {
        best.worker.ref(); // work in flight keeps the process alive
        if (best.online) this.arm(best, task);
      }
      best.inflight.push(task);
      const msg: TaskMessage = { id: task.id, bytes: task.bytes, opts: task.opts, packed: task.packed };
      best.worker.postMessage(msg);
    }
  }

  /** The timer of the task the thread is working on. */
  private arm(slot: Slot, task: Task): void {
    clearTimeout(slot.timer);
    slot.timer = setTimeout(() => {
      if (slot.dead || slot.inflight[0] !== task) return;
      void slot.worker.terminate();
      this.died(slot, 'extract_timeout');
    }, task.timeoutMs ?? this.timeoutMs);
    slot.timer.unref();
  }

  private answered(slot: Slot, m: ResultMessage): void {
    const i = slot.inflight.findIndex((t) => t.id === m.id);
    if (i < 0) return;
    const [task] = slot.inflight.splice(i, 1);
    if (slot.inflight.length) this.arm(slot, slot.inflight[0]);
    else {
      clearTimeout(slot.timer);
      slot.worker.unref();
    }
    this.stats.documents++;
    this.stats.extractMs += m.ms;
    if (m.recycle) this.retire(slot);
    if (!('reportJson' in m)) this.fail(task, 'extract_failed', `extraction failed: ${m.error}`);
    else task.resolve({ report: JSON.parse(m.reportJson) as Report, provenanceJson: m.provenanceJson ?? null, ...(m.stored ? { stored: m.stored } : {}) });
    this.pump();
  }

  /**
   * Stops a thread whose document's time limit ended the wait but not the work (see worker.ts
   * `recycle`) and starts another: the documents queued behind it go to the other threads, untouched.
   */
  private retire(slot: Slot): void {
    if (slot.dead) return;
    slot.dead = true;
    clearTimeout(slot.timer);
    const at = this.slots.indexOf(slot);
    if (at >= 0) this.slots.splice(at, 1);
    this.waiting.unshift(...slot.inflight.splice(0));
    this.retired++;
    void slot.worker.terminate();
  }

  private fail(task: Task, code: string, message: string): void {
    task.resolve({ report: failedReport(task.bytes, task.opts, code, message), provenanceJson: null });
  }

  private died(slot: Slot, code: 'worker_crashed' | 'extract_timeout'): void {
    if (slot.dead) return;
    slot.dead = true;
    clearTimeout(slot.timer);
    const at = this.slots.indexOf(slot);
    if (at >= 0) this.slots.splice(at, 1);
    const lost = slot.inflight.splice(0);
    if (!lost.length && this.closed) return;
    this.crashes++;
    if (!slot.online && !this.everOnline && this.crashes >= 2) {
      // threads die before starting, again and again (the worker file does not load): extract here instead
      this.size = 0;
      for (const t of [...lost, ...this.waiting.splice(0)]) void this.here(t.bytes, t.opts).then((r) => t.resolve(t.packed ? packReport(r) : { report: r, provenanceJson: null }));
      return;
    }
    const [head, ...rest] = lost;
    const requeue: Task[] = [];
    const oom = slot.lastError?.code === 'ERR_WORKER_OUT_OF_MEMORY';
    if (head) {
      if (code === 'worker_crashed' && head.attempts === 0) requeue.push({ ...head, attempts: 1, oomBefore: oom });
      else if (code === 'worker_crashed' && (oom || head.oomBefore)) {
        this.fail(
          head,
          'worker_out_of_memory',
          `the extraction ran out of memory on this document, twice: over the worker thread's heap limit (heapMb = ${this.heapMb} MB); nothing could be read (a passing cause under load: a later ingest tries it again)`,
        );
      } else {
        const message =
          code === 'extract_timeout'
            ? `extraction did not finish within the time limit (taskTimeoutMs = ${Math.round((head.timeoutMs ?? this.timeoutMs) / 100) / 10} s); given up, its worker thread stopped and replaced`
            : 'the extraction worker thread died on this document (twice: crashed, ran out of memory or exited); nothing could be read';
        this.fail(head, code, message);
      }
    }
    requeue.push(...rest);
    this.waiting.unshift(...requeue);
    this.pump();
  }
}

let shared: ExtractPool | undefined;

/**
 * The process's shared pool (created on first use, sized to the machine), for callers that extract one
 * document at a time (the crawler). Its threads hold the process open only while they have work.
 */
export function sharedPool(): ExtractPool {
  return (shared ??= new ExtractPool({ size: envPoolSize() }));
}

/** NIANBAO_WORKERS, when set, sizes pools whose caller names no size. */
export function envPoolSize(): number | undefined {
  const v = process.env.NIANBAO_WORKERS;
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

/** Extracts one document in the shared pool. */
export function extractInPool(bytes: Uint8Array, opts: ExtractOptions, limits: { timeoutMs?: number } = {}): Promise<Report> {
  return sharedPool().extract(bytes, opts, limits);
}
