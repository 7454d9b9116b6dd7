/**
 * The progress line of a long ingestion (`nianbao ingest` on a large folder, `reextract`): on stderr,
 * only when stderr is a terminal, never with --json; redrawn in place (`\r`), cleared at the end.
 */

/** Whether to show a progress line: stderr a terminal, no --json, and enough documents to be worth it. */
export function showProgress(o: { isTTY: boolean | undefined; json: boolean | undefined; total: number }): boolean {
  return o.isTTY === true && !o.json && o.total >= PROGRESS_MIN_DOCS;
}

export const PROGRESS_MIN_DOCS = 10;

function duration(secs: number): string {
  if (!Number.isFinite(secs)) return '?';
  const s = Math.max(0, Math.round(secs));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** "12345/100000 (12.3%) · 340 reports/s · ETA 4m18s" (the ETA from the rate so far). */
export function progressLine(done: number, total: number, elapsedMs: number): string {
  const pct = total > 0 ? ((100 * done) / total).toFixed(1) : '100.0';
  const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  const eta = done >= total ? 'done' : rate > 0 ? `ETA ${duration((total - done) / rate)}` : 'ETA ?';
  return `${done}/${total} (${pct}%) · ${rate.toFixed(0)} reports/s · ${eta}`;
}

export interface ProgressWriter {
  /** Records progress; redraws at most every few hundred ms. */
  update(done: number, total: number): void;
  /** Before writing another line to the same terminal: clears the progress line (redrawn on the next update). */
  clear(): void;
  /** Clears the line for good. */
  end(): void;
}

const NONE: ProgressWriter = { update() {}, clear() {}, end() {} };

/** A progress writer on `stream` (stderr) when `show`; otherwise one that writes nothing. */
export function progressWriter(stream: NodeJS.WriteStream, show: boolean, label: string, everyMs = 200): ProgressWriter {
  if (!show) return NONE;
  const t0 = performance.now();
  let last = -Infinity;
  let shown = false;
  return {
    update(done, total) {
      const now = performance.now();
      if (now - last < everyMs && done < total) return;
      last = now;
      const width = stream.columns || 120;
      stream.write('\r\x1b[K' + `${label} ${progressLine(done, total, now - t0)}`.slice(0, width - 1));
      shown = true;
    },
    clear() {
      if (shown) stream.write('\r\x1b[K');
      shown = false;
      last = -Infinity;
    },
    end() {
      if (shown) stream.write('\r\x1b[K');
      shown = false;
    },
  };
}
