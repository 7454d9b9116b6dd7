/**
 * Every sample document of samples/ (top level) against its expected JSON, written by
 * scripts/make-samples.ts from the truth it defines (never by running the tool):
 * status, version, agency, year, title, every figure (exactly the expected key set, same values)
 * and the set of failed checks.
 *
 * Two ways in: the compiled CLI once over all samples in ONE process (as a user runs it), and
 * extractBytes in-process, one test per sample, for a clear message when one goes wrong.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { extractBytes } from '../src/extract.js';
import { allKeys } from '../src/keys.js';
import type { Report } from '../src/report.js';
import type { Expected } from './helpers/expected.js';
import { extractJsonLines } from './helpers/extract-cli.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const samplesDir = join(root, 'samples');
const corpusDir = resolve(root, 'corpus', 'real');

interface SampleCase {
  name: string;
  /** Path relative to the repo root, as given to the CLI. */
  rel: string;
  expected: Expected;
}

function loadSamples(): SampleCase[] {
  const files = readdirSync(samplesDir).filter((f) => f.endsWith('.expected.json')).sort();
  return files.map((f) => {
    const name = f.slice(0, -'.expected.json'.length);
    const doc = ['html', 'txt'].map((ext) => `${name}.${ext}`).find((d) => existsSync(join(samplesDir, d)));
    if (!doc) throw new Error(`samples/${f} has no document beside it (${name}.html or ${name}.txt)`);
    return {
      name,
      rel: `samples/${doc}`,
      expected: JSON.parse(readFileSync(join(samplesDir, f), 'utf8')) as Expected,
    };
  });
}

const samples = loadSamples();

/** The differences between a report and its truth, one line each (empty when they agree). */
function differences(got: Pick<Report, 'status' | 'version' | 'agency' | 'year' | 'title' | 'figures' | 'checks'>, exp: Expected): string[] {
  const out: string[] = [];
  for (const field of ['status', 'version', 'agency', 'year', 'title'] as const) {
    if (got[field] !== exp[field]) out.push(`${field}: got ${JSON.stringify(got[field])}, expected ${JSON.stringify(exp[field])}`);
  }
  const gotKeys = Object.keys(got.figures);
  for (const k of Object.keys(exp.figures)) {
    if (!(k in got.figures)) out.push(`figure ${k}: missing, expected ${exp.figures[k]}`);
    else if (got.figures[k] !== exp.figures[k]) out.push(`figure ${k}: got ${got.figures[k]}, expected ${exp.figures[k]}`);
  }
  for (const k of gotKeys) if (!(k in exp.figures)) out.push(`figure ${k}: not expected, got ${got.figures[k]}`);
  const fails = got.checks.filter((c) => c.status === 'fail').map((c) => c.id).sort();
  const expFails = [...exp.fails].sort();
  if (JSON.stringify(fails) !== JSON.stringify(expFails)) {
    out.push(`failed checks: got ${JSON.stringify(fails)}, expected ${JSON.stringify(expFails)}`);
  }
  return out;
}

describe('the sample set', () => {
  it('has at least 22 samples, both template versions and every status but error', () => {
    expect(samples.length).toBeGreaterThanOrEqual(22);
    const versions = new Set(samples.map((s) => s.expected.version));
    expect(versions).toContain('2019');
    expect(versions).toContain('2021');
    const statuses = new Set(samples.map((s) => s.expected.status));
    for (const st of ['ok', 'legacy', 'not_a_report', 'no_tables']) expect(statuses).toContain(st);
    expect(samples.some((s) => s.expected.fails.length > 0)).toBe(true);
    expect(samples.some((s) => s.rel.endsWith('.txt'))).toBe(true);
  });

  it.each(samples.map((s) => [s.name, s] as const))('%s: its truth holds exactly the keys of its version', (_n, s) => {
    const v = s.expected.version;
    if (v !== '2019' && v !== '2021') {
      expect(s.expected.figures).toEqual({});
      return;
    }
    const oneRow = 'requests.other.total' in s.expected.figures;
    expect(Object.keys(s.expected.figures).sort()).toEqual([...allKeys(v, oneRow)].sort());
    for (const [k, x] of Object.entries(s.expected.figures)) expect(typeof x, k).toBe('number');
  });
});

describe('samples through extractBytes', () => {
  it.each(samples.map((s) => [s.name, s] as const))('%s', async (_name, s) => {
    const bytes = readFileSync(join(root, s.rel));
    const report = await extractBytes(bytes, { source: s.rel });
    expect(differences(report, s.expected), `${s.rel}: ${s.expected.notes ?? ''}`).toEqual([]);
  });
});

describe('samples through the CLI (one process for all)', () => {
  let lines: Report[] = [];
  let exitCode: number | null = 0;
  beforeAll(() => {
    // exit status 1 still prints every line: they are kept, the status is asserted below
    ({ exitCode, lines } = extractJsonLines(samples.map((s) => s.rel)));
  }, 300_000);

  it('prints one JSON line per sample, in order, and exits 0 (every sample can be read)', () => {
    expect(lines.map((l) => l.source)).toEqual(samples.map((s) => s.rel));
    expect(exitCode).toBe(0);
  });

  it.each(samples.map((s, i) => [s.name, s, i] as const))('%s', (_name, s, i) => {
    const line = lines[i];
    expect(line, `no output line for ${s.rel}`).toBeDefined();
    expect(line.source).toBe(s.rel);
    expect(line.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(differences(line, s.expected), `${s.rel}: ${s.expected.notes ?? ''}`).toEqual([]);
  });
});

describe('the real corpus text copy gives its expected figures', () => {
  it('fugou-natural-resources-2021.txt', async () => {
    const rel = 'corpus/real/fugou-natural-resources-2021.txt';
    const bytes = readFileSync(join(corpusDir, 'fugou-natural-resources-2021.txt'));
    const exp = JSON.parse(readFileSync(join(corpusDir, 'fugou-natural-resources-2021.expected.json'), 'utf8')) as Expected & { title?: string | null };
    const report = await extractBytes(bytes, { source: rel });
    // the corpus file names no title: everything else is compared
    const diffs = differences(report, { ...exp, title: report.title });
    expect(diffs).toEqual([]);
    expect(report.agency).toBe('扶沟县自然资源局');
  });
});
