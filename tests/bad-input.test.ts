/**
 * Bad input, through extractBytes and through the compiled CLI: an empty file, binary noise,
 * truncated HTML, a 50 MB page, a report page with no tables, a page whose tables are something
 * else (a budget). Each gets its status and a problem that says why; a batch with them between
 * good samples still extracts the good ones, prints one line per document and exits 1.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractBytes } from '../src/extract.js';
import type { Report } from '../src/report.js';
import type { Expected } from './helpers/expected.js';
import { extractJsonLines } from './helpers/extract-cli.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const fixtures = join(root, 'tests', 'fixtures', 'bad');

function sample(name: string): { path: string; bytes: Buffer; expected: Expected } {
  const path = join(root, 'samples', name);
  return {
    path,
    bytes: readFileSync(path),
    expected: JSON.parse(readFileSync(path.replace(/\.(html|txt)$/, '.expected.json'), 'utf8')) as Expected,
  };
}

const good1 = sample('xihua-county-2021.html');
const good2 = sample('zhoukou-ecology-2019.html');
const good3 = sample('xihua-natural-resources-2021-tabs.txt');

/** Deterministic noise (xorshift), with the bytes no text file has. */
function noise(n: number, seed = 0x9e3779b9): Buffer {
  const b = Buffer.alloc(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    b[i] = x & 0xff;
  }
  return b;
}

/** A report page padded with about 50 MB of prose between its tables (section 五) and its end. */
function bigPage(): Buffer {
  const html = good1.bytes.toString('utf8');
  const para =
    '<p style="text-indent:2em;">下一步，我们将继续深化政务公开，围绕群众关心关注的重点领域及时准确公开政府信息，丰富政策解读形式，加强业务培训，推动政府信息公开工作规范化、标准化水平不断提升。</p>\n';
  const paraBytes = Buffer.byteLength(para);
  const pad = para.repeat(Math.ceil((50 * 1024 * 1024) / paraBytes));
  const at = html.indexOf('六、其他需要报告的事项');
  const cut = html.lastIndexOf('<p', at);
  return Buffer.from(html.slice(0, cut) + pad + html.slice(cut), 'utf8');
}

/** The first half of a sample's bytes: the page ends in the middle of table 3. */
function truncated(): Buffer {
  const half = good1.bytes.subarray(0, Math.floor(good1.bytes.length / 2));
  // the cut must fall inside table 3, after its first result rows
  const text = half.toString('utf8');
  expect(text).toContain('（三）不予公开');
  expect(text).not.toContain('四、政府信息公开行政复议');
  return half;
}

function problem(r: Pick<Report, 'problems'>, code: string) {
  const p = r.problems.find((x) => x.code === code);
  expect(p, `no problem ${code} among ${JSON.stringify(r.problems)}`).toBeDefined();
  return p!;
}

function expectFigures(r: Pick<Report, 'figures' | 'status'>, exp: Expected): void {
  expect(r.status).toBe(exp.status);
  expect(r.figures).toEqual(exp.figures);
}

// --- the checks each bad document must pass, shared by the extractBytes and CLI runs ---

function checkEmpty(r: Report): void {
  expect(r.status).toBe('error');
  expect(r.figures).toEqual({});
  expect(problem(r, 'empty_document').message).toMatch(/empty/i);
}

function checkBinary(r: Report): void {
  expect(r.status).toBe('error');
  expect(r.figures).toEqual({});
  expect(problem(r, 'not_a_document').message).toMatch(/binary/i);
}

function checkTruncated(r: Report): void {
  const exp = good1.expected;
  expect(r.status).toBe('partial');
  expect(r.version).toBe('2021');
  expect(r.agency).toBe(exp.agency);
  expect(r.year).toBe(exp.year);
  // table 2 entire, table 3 up to the cut, table 4 absent: nothing guessed
  for (const [k, v] of Object.entries(exp.figures)) {
    if (k.startsWith('art20.')) expect(r.figures[k], k).toBe(v);
    if (k.startsWith('requests.new.') || k.startsWith('requests.carried_over.') || k.startsWith('requests.granted.')) {
      expect(r.figures[k], k).toBe(v);
    }
  }
  for (const [k, v] of Object.entries(r.figures)) {
    expect(k in exp.figures, `unexpected key ${k}`).toBe(true);
    expect(v, k).toBe(exp.figures[k]);
  }
  expect(Object.keys(r.figures).some((k) => k.startsWith('review.') || k.startsWith('litigation'))).toBe(false);
  expect(r.figures['requests.carried_forward.total']).toBeUndefined();
  expect(problem(r, 'table_missing').message).toMatch(/table 4/);
  // checks whose figures the cut removed are skipped, never passed
  const balance = r.checks.find((c) => c.id === 'requests.balance.total');
  expect(balance?.status).toBe('skipped');
}

function checkBig(r: Report): void {
  expectFigures(r, good1.expected);
  expect(r.agency).toBe(good1.expected.agency);
  expect(r.checks.filter((c) => c.status === 'fail')).toEqual([]);
}

function checkReportNoTables(r: Report): void {
  expect(r.status).toBe('no_tables');
  expect(r.figures).toEqual({});
  expect(r.agency).toBe('西华县统计局');
  expect(r.year).toBe(2022);
  expect(problem(r, 'no_tables').message).toMatch(/no tables/);
}

function checkBudget(r: Report): void {
  expect(r.status).toBe('not_a_report');
  expect(r.figures).toEqual({});
  expect(r.version).toBe(null);
  expect(problem(r, 'not_a_report').message).toMatch(/not an annual report/);
  expect(problem(r, 'not_a_report').message).toMatch(/table/);
}

let tmp: string;
const files: Record<string, string> = {};

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'nianbao-bad-'));
  const write = (name: string, bytes: Buffer) => {
    files[name] = join(tmp, name);
    writeFileSync(files[name], bytes);
  };
  write('empty.html', Buffer.alloc(0));
  write('noise.bin', noise(64 * 1024));
  write('truncated.html', truncated());
  write('big.html', bigPage());
  files['report-no-tables.html'] = join(fixtures, 'report-no-tables.html');
  files['budget-2022.html'] = join(fixtures, 'budget-2022.html');
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('bad input through extractBytes', () => {
  const run = (name: string) => extractBytes(readFileSync(files[name]), { source: files[name] });

  it('an empty file is an error that says it is empty', async () => {
    checkEmpty(await run('empty.html'));
  });

  it('binary noise is an error that says it is binary', async () => {
    checkBinary(await run('noise.bin'));
  });

  it('a page cut in half gives the tables before the cut and says table 4 is missing', async () => {
    checkTruncated(await run('truncated.html'));
  });

  it('a 50 MB page still gives every figure', async () => {
    const bytes = readFileSync(files['big.html']);
    expect(bytes.length).toBeGreaterThan(50 * 1024 * 1024);
    checkBig(await extractBytes(bytes, { source: files['big.html'] }));
  }, 180_000);

  it('a report page with no tables is no_tables', async () => {
    checkReportNoTables(await run('report-no-tables.html'));
  });

  it('a page whose tables are a budget is not_a_report', async () => {
    checkBudget(await run('budget-2022.html'));
  });

  it('never throws, even on bytes cut inside a multi-byte character', async () => {
    // cut one byte into a 3-byte UTF-8 character of table 3
    const text = good1.bytes.toString('utf8');
    const at = Buffer.byteLength(text.slice(0, text.indexOf('予以公开')));
    const r = await extractBytes(good1.bytes.subarray(0, at + 1), { source: 'cut.html' });
    expect(r.status).toBe('partial');
    expect(r.figures['art20.fees.amount']).toBe(good1.expected.figures['art20.fees.amount']);
    expect(r.figures['requests.new.total']).toBe(good1.expected.figures['requests.new.total']);
    expect(r.figures['requests.granted.natural']).toBeUndefined();
  });
});

describe('a batch with bad documents between good ones (one CLI call)', () => {
  let lines: Report[] = [];
  let exitCode: number | null = null;
  let order: string[] = [];

  beforeAll(() => {
    order = [
      good1.path,
      files['empty.html'],
      good2.path,
      files['noise.bin'],
      files['truncated.html'],
      good3.path,
      files['big.html'],
      files['report-no-tables.html'],
      files['budget-2022.html'],
    ];
    ({ exitCode, lines } = extractJsonLines(order));
  }, 300_000);

  it('prints one JSON line per document, in order, and exits 1', () => {
    expect(lines.map((l) => l.source)).toEqual(order);
    expect(exitCode).toBe(1);
  });

  it('extracts the good documents in full', () => {
    for (const [i, g] of [
      [0, good1],
      [2, good2],
      [5, good3],
    ] as const) {
      expectFigures(lines[i], g.expected);
      expect(lines[i].agency).toBe(g.expected.agency);
      expect(lines[i].version).toBe(g.expected.version);
      expect(lines[i].checks.filter((c) => c.status === 'fail').map((c) => c.id)).toEqual(g.expected.fails);
    }
  });

  it.each([
    ['the empty file', 1, checkEmpty],
    ['the binary noise', 3, checkBinary],
    ['the truncated page', 4, checkTruncated],
    ['the 50 MB page', 6, checkBig],
    ['the report page with no tables', 7, checkReportNoTables],
    ['the budget page', 8, checkBudget],
  ] as const)('gives %s its status and problem', (_what, i, check) => {
    expect(lines[i], `no output line ${i}`).toBeDefined();
    check(lines[i]);
  });
});
