/**
 * An ordered pipeline: items are produced concurrently (read + extracted in the pool), at most `window`
 * at a time, and consumed in their input order, in batches (one writer: the database transaction of a
 * batch). A batch is handed over when `batch` results in a row are ready, when the rest of the input is
 * ready, or `maxWaitMs` after the first waiting result became ready, whichever comes first, so the writer
 * neither waits long nor commits one report at a time.
 */
export interface OrderedOptions<I, R> {
  /** Items produced and not consumed yet, at most (bounds memory). */
  window: number;
  /** Results per batch, at most. */
  batch: number;
  maxWaitMs?: number;
  produce: (item: I, index: number) => Promise<R>;
  consume: (batch: { item: I; result: R; index: number }[]) => void | Promise<void>;
}

export function runOrdered<I, R>(items: readonly I[], o: OrderedOptions<I, R>): Promise<void> {
  const ready = new Map<number, R>();
  let next = 0;
  let started = 0;
  let consuming = false;
  let timer: NodeJS.Timeout | undefined;
  const maxWait = o.maxWaitMs ?? 50;
  return new Promise<void>((resolve, reject) => {
    const start = () => {
      while (started < items.length && started - next < o.window) {
        const i = started++;
        o.produce(items[i], i).then(
          (r) => {
            ready.set(i, r);
            void flush(false);
          },
          reject,
        );
      }
    };
    const runLength = () => {
      let n = 0;
      while (ready.has(next + n)) n++;
      return n;
    };
    const flush = async (force: boolean): Promise<void> => {
      if (consuming) return;
      consuming = true;
      try {
        for (;;) {
          const n = runLength();
          if (n === 0) break;
          if (!force && n < o.batch && next + n < items.length) {
            // wait for more, but not long
            timer ??= setTimeout(() => {
              timer = undefined;
              void flush(true);
            }, maxWait);
            break;
          }
          clearTimeout(timer);
          timer = undefined;
          force = false;
          const batch: { item: I; result: R; index: number }[] = [];
          while (batch.length < o.batch && ready.has(next)) {
            batch.push({ item: items[next], result: ready.get(next)!, index: next });
            ready.delete(next);
            next++;
          }
          await o.consume(batch);
          start();
        }
      } catch (err) {
        reject(err);
        return;
      } finally {
        consuming = false;
      }
      if (next === items.length) resolve();
      else if (ready.has(next) && runLength() >= o.batch) void flush(false);
    };
    if (items.length === 0) resolve();
    else start();
  });
}
