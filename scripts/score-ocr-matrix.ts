/**
 * Scores the OCR fixture matrix (scripts/make-ocr-matrix.ts): every cell's document is extracted and
 * each expected figure counted as exact (the printed reading read; a value put right by arithmetic,
 * `ocr_corrected`, is not), named (wrong or missing, but a problem names its cell, or the report's
 * problems name the figures it misses), or wrong/lost and unnamed. Prints one row per variation value,
 * summed over the seeds given, plus agency and year found, and the CPU seconds per document.
 *
 *   npx tsx scripts/score-ocr-matrix.ts [--dir .cache/ocr-matrix] [--seeds 2,3] [--only ID,...] [--verbose]
 *
 * Seed 1 is the tuning seed: report figures on 2 and 3.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { extractBytes } from '../src/extract.js';
import type { Report } from '../src/report.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface MatrixExpected {
  cell: string;
  variation: string;
  value: string;
  seed: number;
  sample: string;
  kind: string;
  agency: string;
  year: number;
  version: string;
  figures: Record<string, number>;
}

/** Problems that name a figure's cell. */
const NAMING = new Set(['ocr_misread', 'ocr_low_confidence', 'cell_unreadable', 'header_unreadable', 'label_unmatched', 'figures_missing', 'value_implausible', 'ocr_doubt']);

export interface Score {
  exact: string[];
  named: string[];
  wrong: string[];
}

/** Every expected figure of a report: exact, named in a problem, or wrong/lost without one. */
export function score(r: Report, exp: { figures: Record<string, number> }): Score {
  const exact: string[] = [], named: string[] = [], wrong: string[] = [];
  const problems = r.problems ?? [];
  for (const [k, v] of Object.entries(exp.figures)) {
    const p = r.provenance?.[k];
    if (r.figures?.[k] === v && !p?.ocr_corrected) {
      exact.push(k);
      continue;
    }
    const at = p ? `table ${p.table}, row ${p.row_label || '(none)'}, column ${p.col_label}` : undefined;
    // a figure's key or its cell named by a problem
    const isNamed = problems.some((q) => (at && NAMING.has(q.code) && (q.where ?? '').startsWith(at)) || (q.where ?? '').includes(k) || (q.message ?? '').includes(k));
    if (isNamed) named.push(k);
    else wrong.push(`${k}: expected ${v}, got ${r.figures?.[k]} (${JSON.stringify(p?.text)})`);
  }
  return { exact, named, wrong };
}

/** The document of a matrix cell and its expectation. */
export function cellDoc(dir: string): { file: string; exp: MatrixExpected } {
  const exp = JSON.parse(readFileSync(path.join(dir, 'expected.json'), 'utf8')) as MatrixExpected;
  const file = ['doc.html', 'doc.jpg', 'doc.pdf'].map((f) => path.join(dir, f)).find((f) => existsSync(f));
  if (!file) throw new Error(`${dir}: no document`);
  return { file, exp };
}

export async function extractCell(dir: string): Promise<{ r: Report; exp: MatrixExpected; s: Score; cpu: number }> {
  const { file, exp } = cellDoc(dir);
  const c0 = process.cpuUsage();
  const r = await extractBytes(new Uint8Array(readFileSync(file)), { source: file });
  const c = process.cpuUsage(c0);
  return { r, exp, s: score(r, exp), cpu: (c.user + c.system) / 1e6 };
}

async function main(): Promise<void> {
  const arg = (k: string) => {
    const i = process.argv.indexOf(k);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const dir = path.resolve(ROOT, arg('--dir') ?? '.cache/ocr-matrix');
  const seeds = (arg('--seeds') ?? '2,3').split(',').map(Number);
  const only = arg('--only')?.split(',');
  const verbose = process.argv.includes('--verbose');
  const ids = readdirSync(dir).filter((d) => existsSync(path.join(dir, d, 'expected.json'))).filter((d) => !only || only.includes(d)).filter((d) => seeds.includes(Number(/-s(\d+)$/.exec(d)?.[1])));
  const rows = new Map<string, { docs: number; n: number; exact: number; named: number; wrong: number; agency: number; year: number; cpu: number; status: Record<string, number> }>();
  // warm-up: the recogniser loads once
  for (const id of ids.sort()) {
    const { r, exp, s, cpu } = await extractCell(path.join(dir, id));
    const key = `${exp.variation} ${exp.value}`;
    const row = rows.get(key) ?? { docs: 0, n: 0, exact: 0, named: 0, wrong: 0, agency: 0, year: 0, cpu: 0, status: {} };
    row.docs++;
    row.n += Object.keys(exp.figures).length;
    row.exact += s.exact.length;
    row.named += s.named.length;
    row.wrong += s.wrong.length;
    row.agency += r.agency === exp.agency ? 1 : 0;
    row.year += r.year === exp.year ? 1 : 0;
    row.cpu += cpu;
    row.status[r.status] = (row.status[r.status] ?? 0) + 1;
    rows.set(key, row);
    console.error(`${id.padEnd(22)} ${r.status.padEnd(10)} exact ${s.exact.length}/${Object.keys(exp.figures).length} named ${s.named.length} wrong ${s.wrong.length}  ${cpu.toFixed(1)} CPU s`);
    if (verbose) for (const w of s.wrong.slice(0, 12)) console.error('   ', w);
  }
  console.log(`seeds ${seeds.join(',')}`);
  console.log('| variation | docs | figures | exact | named in a problem | wrong or lost, unnamed | agency / year | CPU s/doc |');
  console.log('|---|---|---|---|---|---|---|---|');
  const tot = { docs: 0, n: 0, exact: 0, named: 0, wrong: 0 };
  for (const [k, r] of rows) {
    console.log(`| ${k} | ${r.docs} | ${r.n} | ${r.exact} | ${r.named} | ${r.wrong} | ${r.agency}/${r.year} | ${(r.cpu / r.docs).toFixed(1)} |`);
    tot.docs += r.docs;
    tot.n += r.n;
    tot.exact += r.exact;
    tot.named += r.named;
    tot.wrong += r.wrong;
  }
  console.log(`| all | ${tot.docs} | ${tot.n} | ${tot.exact} | ${tot.named} | ${tot.wrong} | | |`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) await main();
