/**
 * A thread of the extraction pool (pool.ts): extracts the documents it is sent, one at a time in the
 * order they came, and posts each report back (validated against the contract, as it leaves the
 * pipeline). Everything it needs comes in the message: the bytes and the ExtractOptions.
 *
 * Test hook: NIANBAO_POOL_CRASH_ON=TEXT makes the thread crash (an uncaught exception, the thread dies)
 * on a document whose source contains TEXT; NIANBAO_POOL_CRASH_MODE=exit makes it exit instead, =oom
 * makes it run out of memory, =hang makes it loop forever.
 */
import { getPriority, setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { extractBytes, type ExtractOptions } from '../extract.js';
import { ReportSchema } from '../report.js';
import type { EncodedBlob } from '../store/blobs.js';
import { packReport } from './packed.js';

export interface TaskMessage {
  id: number;
  bytes: Uint8Array;
  opts: ExtractOptions;
  /** Send the provenance as its stored JSON text (provenance.ts) instead of inside the report. */
  packed: boolean;
}

/**
 * `ms`: how long the extraction took in the thread. The report comes as JSON text: the writer's thread
 * parses it in a third of the time a structured clone of the object takes to rebuild (~200 figures,
 * ~50 checks), and that thread is the pipeline's one serial stage.
 */
export type ResultMessage = (
  | { id: number; ms: number; reportJson: string; provenanceJson?: string | null; stored?: EncodedBlob }
  | { id: number; ms: number; error: string }
) & {
  /**
   * The document's time limit ended the wait for work that is still running in this thread (pdfjs on a
   * hostile PDF): the pool stops this thread and starts another, so the limit ends the work too.
   */
  recycle?: boolean;
};

/** Problems that mean work given up on may still be running in the thread. */
const ABANDONED = new Set(['pdf_timeout']);

const CRASH_ON = process.env.NIANBAO_POOL_CRASH_ON || null;
const CRASH_MODE = process.env.NIANBAO_POOL_CRASH_MODE ?? 'throw';

/** The test hook: dies (or hangs) as NIANBAO_POOL_CRASH_MODE says; never returns normally. */
function crash(source: string): Promise<never> {
  if (CRASH_MODE === 'exit') process.exit(70);
  if (CRASH_MODE === 'oom') {
    const hog: unknown[] = [];
    for (;;) hog.push(new Array(1e5).fill({ source }));
  }
  if (CRASH_MODE === 'hang') for (;;);
  setImmediate(() => {
    throw new Error(`test hook: crashing on ${source}`);
  });
  return new Promise<never>(() => {}); // the thread dies of the uncaught exception first
}

/**
 * This thread's scheduling priority, `niceness` steps below the process's (Linux: setpriority on the calling
 * thread alone; elsewhere it may apply to the process, so it is only tried where threads have their own).
 * The caller's thread (the one writer of `ingest`, the crawler's fetcher) is the pipeline's serial stage: with
 * as many extraction threads as cores it would get a third of a core less on a busy machine, and more
 * threads would be slower than fewer. A lower priority lets it run first when it has work; the threads
 * still take every cycle it leaves. (Pool option `niceness`, default 3.)
 */
export function lowerThisThread(niceness: number): void {
  if (!(niceness > 0) || process.platform !== 'linux') return;
  try {
    setPriority(0, Math.min(19, getPriority(0) + niceness));
  } catch {
    /* not allowed here: the thread keeps the process's priority */
  }
}
lowerThisThread(Number((workerData as { niceness?: number } | null)?.niceness ?? 0));

const queue: TaskMessage[] = [];
let busy = false;

async function drain(): Promise<void> {
  busy = true;
  while (queue.length) {
    const t = queue.shift()!;
    if (CRASH_ON !== null && t.opts.source.includes(CRASH_ON)) {
      await crash(t.opts.source);
    }
    let msg: ResultMessage;
    const t0 = performance.now();
    try {
      const report = ReportSchema.parse(await extractBytes(t.bytes, t.opts));
      const ms = performance.now() - t0;
      const recycle = report.problems.some((p) => ABANDONED.has(p.code));
      if (t.packed) {
        // the bytes compressed here as the blobs table keeps them, beside the extraction (blobs.ts)
        const packed = packReport(report, t.bytes);
        msg = { id: t.id, ms, reportJson: JSON.stringify(packed.report), provenanceJson: packed.provenanceJson, stored: packed.stored, recycle };
      } else msg = { id: t.id, ms, reportJson: JSON.stringify(report), recycle };
    } catch (err) {
      msg = { id: t.id, ms: performance.now() - t0, error: err instanceof Error ? err.message : String(err) };
    }
    parentPort!.postMessage(msg);
    if (msg.recycle) {
      // the pool stops this thread; take nothing more
      queue.length = 0;
      return;
    }
  }
  busy = false;
}

parentPort!.on('message', (t: TaskMessage) => {
  queue.push(t);
  if (!busy) void drain();
});
