/**
 * The review server's guards (issue 20 item 6): the redirect after sign-in kept to the site's own paths,
 * sign-in throttled per account and per address, and work that must not run many times at once (a PDF
 * page rendered by pdftoppm) run one at a time per document, with the page size limited in pixels.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * `next` when it is a path of this site, else '/'. A browser reads `//host`, `/\host` and `\/host` as
 * another host (a backslash counts as a slash, and tabs and newlines are dropped before), so only a path
 * that starts with one '/' followed by neither '/' nor '\', and has no backslash, whitespace or control
 * character at all, is kept; it must also resolve to a path on our own origin.
 */
export function safeNext(next: string | null | undefined): string {
  if (!next || next.length > 2000) return '/';
  if (!/^\/(?![/\\])/.test(next)) return '/';
  if (/[\\\s\u0000-\u001f\u007f]/.test(next)) return '/';
  try {
    const base = 'http://self.invalid';
    const u = new URL(next, base);
    if (u.origin !== base) return '/';
  } catch {
    return '/';
  }
  return next;
}

export interface ThrottleOptions {
  /** Failed sign-ins allowed per account within the window before it is locked (default 5). */
  perAccount?: number;
  /** Failed sign-ins allowed per client address within the window (default 20). */
  perAddress?: number;
  /** The window, and the first lock's length, in ms (default 15 minutes); each further lock is twice as long. */
  windowMs?: number;
  /** The clock (tests). */
  now?: () => number;
}

interface Count {
  failures: number;
  since: number;
  lockedUntil: number;
  locks: number;
}

/**
 * Sign-in throttling: failures are counted per account name and per client address within a window;
 * past the limit further attempts are refused (429 with Retry-After) until the lock ends, each lock of the
 * same key twice as long as the one before. A correct password ends the account's count (not the
 * address's). The state is in memory (one server process), bounded in size.
 */
export class SigninThrottle {
  private readonly counts = new Map<string, Count>();
  private readonly perAccount: number;
  private readonly perAddress: number;
  private readonly windowMs: number;
  private readonly now: () => number;

  constructor(o: ThrottleOptions = {}) {
    this.perAccount = o.perAccount ?? 5;
    this.perAddress = o.perAddress ?? 20;
    this.windowMs = o.windowMs ?? 15 * 60_000;
    this.now = o.now ?? Date.now;
  }

  private keys(name: string, address: string): [string, number][] {
    return [
      ['a:' + name.toLowerCase(), this.perAccount],
      ['ip:' + address, this.perAddress],
    ];
  }

  /** Seconds to wait before this account may try again from this address; 0 when it may now. */
  retryAfter(name: string, address: string): number {
    const t = this.now();
    let wait = 0;
    for (const [k] of this.keys(name, address)) {
      const c = this.counts.get(k);
      if (c && c.lockedUntil > t) wait = Math.max(wait, Math.ceil((c.lockedUntil - t) / 1000));
    }
    return wait;
  }

  failed(name: string, address: string): void {
    const t = this.now();
    for (const [k, limit] of this.keys(name, address)) {
      let c = this.counts.get(k);
      if (!c || (t - c.since > this.windowMs && c.lockedUntil <= t)) {
        c = { failures: 0, since: t, lockedUntil: 0, locks: c?.locks ?? 0 };
      }
      c.failures++;
      if (c.failures >= limit) {
        c.lockedUntil = t + this.windowMs * 2 ** Math.min(c.locks, 6);
        c.locks++;
        c.failures = 0;
        c.since = t;
      }
      this.counts.delete(k);
      this.counts.set(k, c); // most recent last: the oldest go first when the map is full
    }
    while (this.counts.size > 50_000) this.counts.delete(this.counts.keys().next().value!);
  }

  succeeded(name: string): void {
    this.counts.delete('a:' + name.toLowerCase());
  }
}

/** Runs tasks one at a time per key (a document), in the order asked. */
export class PerKeySerial {
  private readonly tails = new Map<string, Promise<unknown>>();
  /** The most tasks of one key seen running at once (1 unless something is wrong: tests read it). */
  maxRunning = 0;
  private readonly running = new Map<string, number>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const mine = prev.then(
      () => this.track(key, task),
      () => this.track(key, task),
    );
    const tail = mine.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return mine;
  }

  private async track<T>(key: string, task: () => Promise<T>): Promise<T> {
    const n = (this.running.get(key) ?? 0) + 1;
    this.running.set(key, n);
    this.maxRunning = Math.max(this.maxRunning, n);
    try {
      return await task();
    } finally {
      const left = (this.running.get(key) ?? 1) - 1;
      if (left) this.running.set(key, left);
      else this.running.delete(key);
    }
  }
}

/** Largest page image rendered, in pixels (width × height): 16 megapixels, 4000 × 4000. */
export const MAX_PAGE_PIXELS = 16_000_000;
/** Below this resolution a page is too large to show (a 14,400 pt page at the limit is 20 dpi). */
const MIN_DPI = 10;

function run(cmd: string, args: string[], timeout: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout, maxBuffer: 1 << 20, killSignal: 'SIGKILL' }, (err, stdout) => {
      if (err) reject(err);
      else resolve(stdout);
    });
  });
}

/** The size in points of page `page` (poppler's pdfinfo), or null when it does not say. */
async function pageSizePts(pdf: string, page: number): Promise<{ w: number; h: number } | null> {
  const out = await run('pdfinfo', ['-f', String(page), '-l', String(page), pdf], 10_000);
  const m = /Page\s+\d+\s+size:\s+([\d.]+)\s+x\s+([\d.]+)\s+pts/.exec(out) ?? /Page size:\s+([\d.]+)\s+x\s+([\d.]+)\s+pts/.exec(out);
  if (!m) return null;
  const rot = /Page\s+\d+\s+rot:\s+(\d+)/.exec(out);
  const [w, h] = [Number(m[1]), Number(m[2])];
  return rot && (Number(rot[1]) === 90 || Number(rot[1]) === 270) ? { w: h, h: w } : { w, h };
}

/**
 * Renders one PDF page to PNG with pdftoppm at `dpi`, or lower so that the image stays within `maxPixels`;
 * refuses a page that would need less than 10 dpi. Returns the PNG and the resolution used.
 */
export async function renderPdfPage(bytes: Buffer, page: number, dpi: number, maxPixels = MAX_PAGE_PIXELS): Promise<{ png: Buffer; dpi: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'nianbao-page-'));
  try {
    const pdf = join(dir, 'doc.pdf');
    writeFileSync(pdf, bytes);
    let size: { w: number; h: number } | null;
    try {
      size = await pageSizePts(pdf, page);
    } catch (err) {
      throw new Error(`pdfinfo could not read page ${page}: ${(err as Error).message.split('\n')[0]}`);
    }
    if (!size) throw new Error(`page ${page}: its size is not given (no such page?)`);
    let use = dpi;
    const px = (d: number) => Math.ceil((size!.w * d) / 72) * Math.ceil((size!.h * d) / 72);
    if (px(use) > maxPixels) use = Math.floor(dpi * Math.sqrt(maxPixels / px(dpi)));
    while (use > MIN_DPI && px(use) > maxPixels) use--;
    if (use < MIN_DPI || px(use) > maxPixels) {
      throw new Error(`page ${page} is too large to show (${Math.round(size.w)} × ${Math.round(size.h)} pt; the limit is ${maxPixels} pixels at ${MIN_DPI} dpi or more)`);
    }
    // -x/-y/-W/-H crop to the page's pixels as computed: pdftoppm draws nothing beyond them whatever it reads
    const W = Math.ceil((size.w * use) / 72);
    const H = Math.ceil((size.h * use) / 72);
    try {
      await run(
        'pdftoppm',
        ['-png', '-r', String(use), '-f', String(page), '-l', String(page), '-x', '0', '-y', '0', '-W', String(W), '-H', String(H), '-singlefile', pdf, join(dir, 'page')],
        30_000,
      );
    } catch (err) {
      throw new Error(`pdftoppm could not render page ${page}: ${(err as Error).message.split('\n')[0]}`);
    }
    return { png: readFileSync(join(dir, 'page.png')), dpi: use };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
