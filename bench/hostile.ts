/**
 * `npm run bench -- hostile`: each hostile file (tests/helpers/hostile.ts) through `nianbao extract --json`
 * in a process of its own, beside a good page; prints the seconds and the peak RSS of the whole process
 * tree (the CLI and its worker threads: one process) per file, and the limit met. The bound compared to:
 * 2 GB of peak RSS with the default workers (the document budget, extractors/limits.ts); before the
 * budget (issue 20) the same files took up to 236 s and 5.9 GB.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hostileFiles } from '../tests/helpers/hostile.js';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const BOUND_MB = 2048;

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'nianbao-hostile-'));
  const good = join(root, 'samples', 'xihua-county-2021.html');
  const cli = join(root, 'dist', 'src', 'cli.js');
  let worst = 0;
  try {
    console.log(`${'file'.padEnd(20)} ${'bytes'.padStart(9)}  ${'seconds'.padStart(7)}  ${'peak RSS'.padStart(9)}  answer`);
    const files = hostileFiles();
    const all: string[] = [];
    for (const f of files) {
      const path = join(dir, f.name);
      writeFileSync(path, f.bytes);
      all.push(path);
      const t0 = performance.now();
      // GNU time's %M: the peak RSS in KiB of the process (its worker threads are threads of it)
      const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, cli, 'extract', '--json', good, path], { encoding: 'utf8', maxBuffer: 64 << 20 });
      const s = (performance.now() - t0) / 1000;
      const kib = Number((r.stderr.trim().split('\n').at(-1) ?? '').trim());
      const lines = r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { status: string; problems: { code: string; message: string }[] });
      const mine = lines[1];
      const answer = mine ? `${mine.status}${mine.problems[0] ? ` ${mine.problems[0].code}: ${mine.problems[0].message.slice(0, 90)}` : ''}` : `no answer (exit ${r.status})`;
      worst = Math.max(worst, kib / 1024);
      console.log(`${f.name.padEnd(20)} ${String(f.bytes.length).padStart(9)}  ${s.toFixed(1).padStart(7)}  ${(kib / 1024).toFixed(0).padStart(6)} MB  ${answer}`);
    }
    // every file in one run, with the default workers
    const t0 = performance.now();
    const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, cli, 'extract', '--json', good, ...all, good], { encoding: 'utf8', maxBuffer: 64 << 20 });
    const kib = Number((r.stderr.trim().split('\n').at(-1) ?? '').trim());
    const answered = r.stdout.trim().split('\n').filter(Boolean).length;
    console.log(`all ${all.length} together, between two good pages: ${((performance.now() - t0) / 1000).toFixed(1)} s, peak RSS ${(kib / 1024).toFixed(0)} MB, ${answered} of ${all.length + 2} answered`);
    console.log(`worst single file: ${worst.toFixed(0)} MB peak RSS; bound ${BOUND_MB} MB`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
