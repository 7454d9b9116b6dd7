/**
 * A thread of the extraction pool (pool.ts): extracts the documents it is sent, one at a time in the
 * order they came, and posts each report back (validated against the contract, as it leaves the
 * pipeline). Everything it needs comes in the message: the bytes and the ExtractOptions.
 *
 * Test hook: NIANBAO_POOL_CRASH_ON=TEXT makes the thread crash (an uncaught exception, the thread dies)
 * on a document whose source contains TEXT; NIANBAO_POOL_CRASH_MODE=exit makes it exit instead, =oom
 * makes it run out of memory.
 */
import { parentPort } from 'node:worker_threads';
import { extractBytes, type ExtractOptions } from '../extract.js';
import { ReportSchema } from '../report.js';

export interface TaskMessage {
  id: number;
  bytes: Uint8Array;
  opts: ExtractOptions;
}

export type ResultMessage = { id: number; report: unknown } | { id: number; error: string };

const CRASH_ON = process.env.NIANBAO_POOL_CRASH_ON || null;
const CRASH_MODE = process.env.NIANBAO_POOL_CRASH_MODE ?? 'throw';

function crash(source: string): void {
  if (CRASH_MODE === 'exit') process.exit(70);
  if (CRASH_MODE === 'oom') {
    const hog: unknown[] = [];
    for (;;) hog.push(new Array(1e6).fill(source));
  }
  setImmediate(() => {
    throw new Error(`test hook: crashing on ${source}`);
  });
  // never finishes: the thread dies of the uncaught exception first
  return new Promise<void>(() => {}) as unknown as void;
}

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
    try {
      msg = { id: t.id, report: ReportSchema.parse(await extractBytes(t.bytes, t.opts)) };
    } catch (err) {
      msg = { id: t.id, error: err instanceof Error ? err.message : String(err) };
    }
    parentPort!.postMessage(msg);
  }
  busy = false;
}

parentPort!.on('message', (t: TaskMessage) => {
  queue.push(t);
  if (!busy) void drain();
});
