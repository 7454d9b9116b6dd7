/**
 * Crash safety: a real `nianbao crawl` child process (compiled CLI) is SIGKILLed part way through a
 * slow crawl; running the same command again finishes the job with every report stored exactly once
 * and nothing re-fetched that had finished before the kill.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { openDb } from '../src/store/db.js';
import { listPage, sleep, startHost, type TestHost } from './helpers/testsite.js';

const root = join(import.meta.dirname, '..');
const cli = join(root, 'dist', 'src', 'cli.js');
// the sample's links to its other years' reports are unwrapped: this site has only these twelve
const base = readFileSync(join(root, 'samples', 'xihua-county-2021.html'), 'utf8').replace(
  /<a href="\/zwgk\/nb\/\d{4}\.html">([^<]*)<\/a>/g,
  '$1',
);
const PAGES = 4;
const PER_PAGE = 3;
const N = PAGES * PER_PAGE;
// twelve distinct documents (distinct bytes, so distinct reports)
const docs = Array.from({ length: N }, (_, i) => base.replace('</body>', `<!-- copy ${i} --></body>`));
const sha = (s: string) => createHash('sha256').update(Buffer.from(s, 'utf8')).digest('hex');

let site: TestHost;
let dir: string;

beforeAll(async () => {
  // `npm test` builds first (pretest); when run alone, build if the compiled crawler is missing or stale
  const built = join(root, 'dist', 'src', 'crawl', 'crawler.js');
  if (!existsSync(built) || statSync(built).mtimeMs < statSync(join(root, 'src', 'crawl', 'crawler.ts')).mtimeMs) {
    try {
      execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: root, stdio: 'ignore' });
    } catch {
      /* type errors elsewhere still emit JS */
    }
  }
  const routes: Parameters<typeof startHost>[0] = { '/robots.txt': { body: 'User-agent: *\nDisallow: /admin/\n', type: 'text/plain' } };
  for (let p = 0; p < PAGES; p++) {
    routes[p === 0 ? '/nb/index.html' : `/nb/index_${p}.html`] = {
      body: listPage({
        pageCount: PAGES,
        current: p,
        items: Array.from({ length: PER_PAGE }, (_, k) => {
          const i = p * PER_PAGE + k;
          return { href: `/nb/r${i}.html`, text: `第${i}局2021年政府信息公开工作年度报告` };
        }),
      }),
    };
  }
  docs.forEach((d, i) => (routes[`/nb/r${i}.html`] = { body: d }));
  site = await startHost(routes, { latencyMs: 120 });
  dir = mkdtempSync(join(tmpdir(), 'nianbao-kill-'));
}, 120_000);

afterAll(async () => {
  await site?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function crawlArgs(db: string): string[] {
  return [cli, 'crawl', `${site.origin}/nb/index.html`, '--db', db, '--delay', '0', '--backoff', '50', '--timeout', '10000', '--json'];
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
}

it('resumes after kill -9 with no report lost or stored twice', async () => {
  const db = join(dir, 'kill.db');
  // run 1: killed once a few reports have been served
  const first = spawn(process.execPath, crawlArgs(db), { stdio: ['ignore', 'pipe', 'pipe'] });
  const firstExit = exited(first);
  const reportHits = () => site.paths().filter((p) => /^\/nb\/r\d+\.html$/.test(p)).length;
  const deadline = Date.now() + 60_000;
  while (reportHits() < 4 && Date.now() < deadline) await sleep(20);
  expect(reportHits()).toBeGreaterThanOrEqual(4);
  first.kill('SIGKILL');
  expect((await firstExit).signal).toBe('SIGKILL');

  const afterKill = openDb(db);
  const done = new Set(
    (afterKill.prepare(`SELECT url FROM frontier WHERE state = 'done'`).all() as { url: string }[]).map((r) => r.url),
  );
  const storedAfterKill = (afterKill.prepare('SELECT COUNT(*) AS n FROM reports').get() as { n: number }).n;
  afterKill.close();
  expect(storedAfterKill).toBeGreaterThan(0);
  expect(storedAfterKill).toBeLessThan(N); // really part way
  const logFrom = site.log.length;

  // run 2: the same command finishes the job
  const second = spawn(process.execPath, crawlArgs(db), { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  second.stdout!.on('data', (c) => (out += c));
  second.stderr!.on('data', (c) => (err += c));
  const secondExit = await exited(second);
  expect(secondExit.code, err).toBe(0);
  const summary = JSON.parse(out.trim());
  expect(summary.stored).toBe(N - storedAfterKill);
  expect(summary.stoppedBy).toBe('done');

  // nothing that had finished was fetched again
  const refetched = site.log.slice(logFrom).map((l) => site.origin + l.path).filter((u) => done.has(u));
  expect(refetched).toEqual([]);

  const check = openDb(db);
  try {
    const rows = check.prepare('SELECT sha256, source_url FROM reports').all() as { sha256: string; source_url: string }[];
    expect(rows.map((r) => r.sha256).sort()).toEqual(docs.map(sha).sort());
    expect(new Set(rows.map((r) => r.source_url)).size).toBe(N);
    const states = check.prepare('SELECT state, COUNT(*) AS n FROM frontier GROUP BY state').all();
    expect(states).toEqual([{ state: 'done', n: N + PAGES }]);
  } finally {
    check.close();
  }
}, 180_000);

it('stops cleanly on SIGINT: requests in flight finish, the frontier stays consistent, the next run finishes', async () => {
  const db = join(dir, 'sigint.db');
  const child = spawn(process.execPath, crawlArgs(db), { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (c) => (out += c));
  const exit = exited(child);
  const from = site.log.length;
  const deadline = Date.now() + 60_000;
  while (site.log.slice(from).filter((l) => /^\/nb\/r\d+\.html$/.test(l.path)).length < 2 && Date.now() < deadline) await sleep(20);
  child.kill('SIGINT');
  const { code } = await exit;
  expect(code).toBe(130);
  const summary = JSON.parse(out.trim());
  expect(summary.stoppedBy).toBe('signal');
  expect(summary.deferred).toBeGreaterThan(0);
  const afterStop = openDb(db);
  const states = Object.fromEntries(
    (afterStop.prepare('SELECT state, COUNT(*) AS n FROM frontier GROUP BY state').all() as { state: string; n: number }[]).map((r) => [r.state, r.n]),
  );
  const stored = (afterStop.prepare('SELECT COUNT(*) AS n FROM reports').get() as { n: number }).n;
  afterStop.close();
  expect(states.fetching).toBeUndefined(); // nothing left half-done
  expect(states.claimed).toBeUndefined();
  expect(states.queued).toBe(summary.deferred);
  expect(stored).toBe(summary.stored);

  const again = spawn(process.execPath, crawlArgs(db), { stdio: ['ignore', 'pipe', 'pipe'] });
  let out2 = '';
  again.stdout!.on('data', (c) => (out2 += c));
  expect((await exited(again)).code).toBe(0);
  expect(JSON.parse(out2.trim()).stored).toBe(N - stored);
}, 180_000);
