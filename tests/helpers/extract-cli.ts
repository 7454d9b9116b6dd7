/** `nianbao extract --json` over many documents in one process (the compiled CLI, built first if absent). */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Report } from '../../src/report.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = join(root, 'dist', 'src', 'cli.js');

/** Its exit status and its JSON lines, parsed; a run that exits 1 still printed every line, and they are kept. */
export function extractJsonLines(sources: string[]): { exitCode: number | null; lines: Report[] } {
  if (!existsSync(cli)) execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' });
  let stdout = '';
  let exitCode: number | null;
  try {
    stdout = execFileSync(process.execPath, [cli, 'extract', '--json', ...sources], {
      cwd: root,
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    exitCode = 0;
  } catch (err) {
    const e = err as { status?: number | null; stdout?: string };
    exitCode = e.status ?? null;
    stdout = e.stdout ?? '';
  }
  const lines = stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Report);
  return { exitCode, lines };
}
