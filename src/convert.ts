/**
 * Converting office files LibreOffice reads and this tool does not (DOC, WPS, XLS, ET) into the
 * forms it does (DOCX, XLSX), with `soffice --headless --convert-to`.
 *
 * Each conversion runs in its own temporary folder with its own LibreOffice profile
 * (`-env:UserInstallation`), so parallel conversions (worker threads, several processes) never share
 * a profile lock; the folder is removed whatever happens. A conversion that does not finish within
 * the time limit is killed with its whole process group (soffice starts helper processes).
 * Nothing here throws: the result is the converted bytes or a problem that says why not.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { extractDocx } from '../extractors/docx.js';
import { extractXlsx } from '../extractors/xlsx.js';
import type { DocKind, ExtractedDoc, Problem } from '../extractors/types.js';

export type ConvertTarget = 'docx' | 'xlsx';

export interface ConvertOptions {
  /** The input's extension as LibreOffice should see it: `doc`, `wps`, `xls`, `et`… */
  from: string;
  to: ConvertTarget;
  /** Given up after this long (default 60 s). */
  timeoutMs?: number;
  /** The soffice executable (default `soffice` on the PATH). */
  soffice?: string;
  /** Where the temporary folder is made (default the system's temporary folder). */
  tmpRoot?: string;
}

export type ConvertResult = { bytes: Uint8Array; ms: number } | { problem: Problem; ms: number };

export const CONVERT_TIMEOUT_MS = 60_000;

/** LibreOffice's export filter for each target. */
const FILTERS: Record<ConvertTarget, string> = {
  docx: 'docx:MS Word 2007 XML',
  xlsx: 'xlsx:Calc Office Open XML',
};

const INSTALL_HINT = 'install LibreOffice (Debian: apt-get install libreoffice-writer-nogui libreoffice-calc-nogui)';

/**
 * The watchdog soffice runs under (a POSIX shell): soffice in a process group of its own (setsid), and
 * the shell checking every half second that nianbao (its parent's pid) still lives. When nianbao dies,
 * even by kill -9, the watchdog kills soffice's whole group and removes the conversion's temporary
 * folder; on SIGTERM (the time limit) it kills the group; after soffice ends it kills the helpers left.
 * Arguments: nianbao's pid, the temporary folder, then the command and its arguments.
 */
const WATCHDOG = `parent=$1; dir=$2; shift 2
setsid "$@" & child=$!
trap 'kill -9 -$child 2>/dev/null; exit 143' TERM
while kill -0 $child 2>/dev/null; do
  if ! kill -0 $parent 2>/dev/null; then kill -9 -$child 2>/dev/null; rm -rf "$dir"; exit 1; fi
  sleep 0.5 & wait $!
done
wait $child; code=$?
kill -9 -$child 2>/dev/null
exit $code`;

/** The executable a command name stands for (a path as it is; a name looked up on the PATH), or null. */
function resolveCommand(cmd: string): string | null {
  const ok = (p: string) => {
    try {
      accessSync(p, constants.X_OK);
      return statSync(p).isFile();
    } catch {
      return false;
    }
  };
  if (cmd.includes('/')) return ok(cmd) ? cmd : null;
  for (const d of (process.env.PATH ?? '').split(delimiter)) if (d && ok(join(d, cmd))) return join(d, cmd);
  return null;
}

/** Runs soffice; resolves with its exit code, or 'timeout' (the process group killed), or the spawn error. */
function runSoffice(cmd: string, args: string[], timeoutMs: number, dir: string): Promise<{ code: number | null; stderr: string } | { timeout: true } | { error: NodeJS.ErrnoException }> {
  return new Promise((resolve) => {
    let child;
    const exe = resolveCommand(cmd);
    if (!exe) {
      resolve({ error: Object.assign(new Error(`spawn ${cmd} ENOENT`), { code: 'ENOENT' }) as NodeJS.ErrnoException });
      return;
    }
    try {
      // under the watchdog, so the conversion dies with nianbao (its group and folder cleaned)
      child = spawn('/bin/sh', ['-c', WATCHDOG, 'nianbao-soffice', String(process.pid), dir, exe, ...args], {
        detached: true,
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, HOME: process.env.HOME ?? tmpdir() },
      });
    } catch (err) {
      resolve({ error: err as NodeJS.ErrnoException });
      return;
    }
    let stderr = '';
    let settled = false;
    const done = (v: Parameters<typeof resolve>[0]) => {
      if (settled) return;
      settled = true;
      if (!timedOut) clearTimeout(timer);
      resolve(v);
    };
    const killGroup = () => {
      try {
        // the watchdog kills soffice's group on SIGTERM, then itself
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
    };
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
      // wait for the process to be gone (so its folder can be removed), but not for ever
      setTimeout(() => done({ timeout: true }), 5000).unref();
    }, timeoutMs);
    child.stderr?.on('data', (d: Buffer) => {
      if (stderr.length < 4000) stderr += d.toString('utf8');
    });
    child.on('error', (err) => done({ error: err }));
    child.on('close', (code) => {
      // the watchdog has killed the helpers left behind by soffice
      done(timedOut ? { timeout: true } : { code, stderr });
    });
  });
}

/** Converts one file's bytes with LibreOffice headless. */
export async function convertWithLibreOffice(bytes: Uint8Array, opts: ConvertOptions): Promise<ConvertResult> {
  const t0 = performance.now();
  const ms = () => Math.round(performance.now() - t0);
  const timeoutMs = opts.timeoutMs ?? CONVERT_TIMEOUT_MS;
  const from = opts.from.replace(/[^a-z0-9]/gi, '').toLowerCase() || 'bin';
  let dir: string | undefined;
  try {
    dir = await mkdtemp(join(opts.tmpRoot ?? tmpdir(), 'nianbao-convert-'));
    const input = join(dir, `input.${from}`);
    const out = join(dir, 'out');
    await writeFile(input, bytes);
    const args = [
      `-env:UserInstallation=${pathToFileURL(join(dir, 'profile')).href}`,
      '--headless', '--norestore', '--nologo', '--nodefault', '--nolockcheck',
      '--convert-to', FILTERS[opts.to], '--outdir', out, input,
    ];
    const run = await runSoffice(opts.soffice ?? 'soffice', args, timeoutMs, dir);
    if ('error' in run) {
      const missing = run.error.code === 'ENOENT';
      return {
        ms: ms(),
        problem: {
          code: missing ? 'convert_unavailable' : 'convert_failed',
          message: missing
            ? `the ${from.toUpperCase()} file needs LibreOffice to be read, and soffice was not found: ${INSTALL_HINT}`
            : `LibreOffice could not be started to convert the ${from.toUpperCase()} file: ${run.error.message}`,
        },
      };
    }
    if ('timeout' in run) {
      return {
        ms: ms(),
        problem: { code: 'convert_timeout', message: `LibreOffice did not convert the ${from.toUpperCase()} file to ${opts.to.toUpperCase()} within ${Math.round(timeoutMs / 1000)} s; given up` },
      };
    }
    const produced = (await readdir(out).catch(() => [] as string[])).find((f) => f.toLowerCase().endsWith(`.${opts.to}`));
    if (!produced) {
      const said = run.stderr.split('\n').map((l) => l.trim()).filter((l) => l && !/javaldx|java may not/i.test(l)).slice(0, 2).join('; ');
      return {
        ms: ms(),
        problem: {
          code: 'convert_failed',
          message: `LibreOffice could not convert the ${from.toUpperCase()} file to ${opts.to.toUpperCase()} (${said ? `it said: ${said}` : `exit status ${run.code}, no output`}): the file is damaged or not really a ${from.toUpperCase()} file`,
        },
      };
    }
    return { bytes: new Uint8Array(await readFile(join(out, produced))), ms: ms() };
  } catch (err) {
    return { ms: ms(), problem: { code: 'convert_failed', message: `the conversion with LibreOffice failed: ${(err as Error).message}` } };
  } finally {
    if (dir) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------------------------
// Office documents through the pipeline: DOCX and XLSX read directly, the others converted first.

/** What the pipeline needs to read an office file (plain data: it crosses worker threads). */
export interface OfficeReadOptions {
  convertTimeoutMs?: number;
  soffice?: string;
}

/**
 * Reads an office file of a sniffed kind into an ExtractedDoc: DOCX and XLSX directly; DOC and WPS
 * converted to DOCX, XLS and ET to XLSX, by LibreOffice. A failed conversion is a document with a
 * fatal problem (`convert_failed`, `convert_timeout`, `convert_unavailable`).
 */
export async function readOffice(kind: 'docx' | 'xlsx' | 'doc' | 'wps' | 'xls' | 'et', bytes: Uint8Array, opts: OfficeReadOptions = {}): Promise<ExtractedDoc> {
  if (kind === 'docx') return extractDocx(bytes);
  if (kind === 'xlsx') return extractXlsx(bytes);
  const to: ConvertTarget = kind === 'doc' || kind === 'wps' ? 'docx' : 'xlsx';
  const docKind: DocKind = to === 'docx' ? kind as 'doc' | 'wps' : 'xlsx';
  const converted = await convertWithLibreOffice(bytes, { from: kind, to, timeoutMs: opts.convertTimeoutMs, soffice: opts.soffice });
  if ('problem' in converted) return { kind: docKind, headings: [], text: '', grids: [], problems: [converted.problem] };
  const doc = to === 'docx' ? extractDocx(converted.bytes) : await extractXlsx(converted.bytes);
  for (const p of doc.problems) {
    // the converted file is LibreOffice's: a reader's complaint about it means LibreOffice made nothing usable
    if (p.code === 'docx_corrupt' || p.code === 'xlsx_corrupt') p.code = 'convert_failed';
  }
  return { ...doc, kind: docKind };
}
