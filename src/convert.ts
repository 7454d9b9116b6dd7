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
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/** Runs soffice; resolves with its exit code, or 'timeout' (the process group killed), or the spawn error. */
function runSoffice(cmd: string, args: string[], timeoutMs: number): Promise<{ code: number | null; stderr: string } | { timeout: true } | { error: NodeJS.ErrnoException }> {
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn(cmd, args, { detached: true, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, HOME: process.env.HOME ?? tmpdir() } });
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
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
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
      killGroup(); // helpers left behind by a crashed soffice
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
    const run = await runSoffice(opts.soffice ?? 'soffice', args, timeoutMs);
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
