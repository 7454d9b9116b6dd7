/**
 * Every real report in corpus/real gives exactly its expected figures, status, version,
 * agency and year, and exactly the failing checks its expected file names — through the compiled
 * CLI (`nianbao extract --json`, one process for all of them), as a user runs it.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');
const CORPUS = resolve(ROOT, 'corpus/real');
const CLI = join(ROOT, 'dist/src/cli.js');

interface Expected {
  agency: string;
  year: number;
  version: string;
  status: string;
  figures: Record<string, number>;
  fails: string[];
}

const docs = readdirSync(CORPUS)
  .filter((f) => !f.endsWith('.json'))
  .filter((f) => existsSync(join(CORPUS, f.replace(/\.[a-z]+$/, '.expected.json'))))
  .sort();

describe('the real corpus', () => {
  let results: Map<string, any>;
  beforeAll(() => {
    const out = execFileSync(process.execPath, [CLI, 'extract', '--json', ...docs.map((d) => join(CORPUS, d))], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const lines = out.trim().split('\n').map((l) => JSON.parse(l));
    results = new Map(lines.map((r, i) => [docs[i], r]));
    expect(lines).toHaveLength(docs.length);
  }, 120_000);

  it('holds at least the four known documents', () => {
    expect(docs.length).toBeGreaterThanOrEqual(4);
  });

  it.each(docs)('%s reads exactly as expected', (doc) => {
    const exp: Expected = JSON.parse(readFileSync(join(CORPUS, doc.replace(/\.[a-z]+$/, '.expected.json')), 'utf8'));
    const r = results.get(doc);
    expect(r.source).toBe(join(CORPUS, doc));
    expect(r.status).toBe(exp.status);
    expect(r.version).toBe(exp.version);
    expect(r.agency).toBe(exp.agency);
    expect(r.year).toBe(exp.year);
    expect(r.figures).toEqual(exp.figures);
    const failed = r.checks.filter((c: any) => c.status === 'fail').map((c: any) => c.id).sort();
    expect(failed).toEqual([...exp.fails].sort());
    // every figure can be found in the source
    for (const key of Object.keys(exp.figures)) {
      const p = r.provenance[key];
      expect(p, key).toBeDefined();
      expect(p.col_label.length, `${key} column label`).toBeGreaterThan(0);
      if (!key.startsWith('review.') && !key.startsWith('litigation')) expect(p.row_label.length, `${key} row label`).toBeGreaterThan(0);
      if (doc.endsWith('.pdf')) {
        expect(p.where.page, `${key} page`).toBeGreaterThan(0);
        expect(p.where.bbox, `${key} bbox`).toHaveLength(4);
      }
      if (doc.endsWith('.txt')) expect(p.where.line, `${key} line`).toBeGreaterThan(0);
    }
  });
});
