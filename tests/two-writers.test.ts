/**
 * Two crawls on one database (issue 20): the second is refused with a clear message while the first
 * holds the database, nothing of the first is lost or failed, and the second, run after, finds the
 * crawl done. A crawl lock left by a killed process is taken over. Also the smaller crawl limits:
 * a page's links capped, a robots.txt over 500 KiB parsed up to there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, hostname } from 'node:os';
import { join } from 'node:path';
import { openDb } from '../src/store/db.js';
import { Crawler, type CrawlEvent } from '../src/crawl/crawler.js';
import { CrawlLocked, takeCrawlLock } from '../src/crawl/writer-lock.js';
import { listPage, startHost, type TestHost } from './helpers/testsite.js';

const root = join(import.meta.dirname, '..');
const BIN = join(root, 'bin', 'nianbao.js');
const sample = (name: string) => readFileSync(join(root, 'samples', name));
const REPORTS = ['xihua-county-2021.html', 'zhoukou-ecology-2019.html', 'luyi-education-2021-gbk.html', 'xuyi-2020-labels.html'];

let A: TestHost;
let dir: string;

beforeAll(async () => {
  const routes: Parameters<typeof startHost>[0] = {
    '/nb/': { body: listPage({ items: REPORTS.map((r, i) => ({ href: `/nb/${r}`, text: `某县${2019 + i}年政府信息公开工作年度报告` })) }) },
    '/': { body: '<p>home</p>' },
    '/news/': { body: '<p>news</p>' },
  };
  for (const r of REPORTS) routes[`/nb/${r}`] = { body: sample(r), type: r.includes('gbk') ? 'text/html; charset=gbk' : 'text/html; charset=utf-8' };
  // slow: the first crawl is still at work when the second starts
  A = await startHost(routes, { latencyMs: 400 });
  dir = mkdtempSync(join(tmpdir(), 'nianbao-two-'));
});

afterAll(async () => {
  await A.close();
  rmSync(dir, { recursive: true, force: true });
});

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

describe('two crawls on one database', () => {
  it('the second is refused with a clear message while the first runs; nothing is lost or failed', async () => {
    const path = join(dir, 'one.db');
    const db = openDb(path);
    const first = new Crawler(db, { seeds: [`${A.origin}/nb/`], delayMs: 0, concurrency: 1 }).run();
    await new Promise((r) => setTimeout(r, 300));
    // a second crawl in another process, on the same file
    const second = await cli(['crawl', '--db', path, '--delay', '0', `${A.origin}/nb/`]);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(
      new RegExp(`^nianbao crawl: another crawl is writing to this database \\(process ${process.pid} on ${hostname().replace(/[.]/g, '\\.')}, since \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\); two crawls on one database would meet "database is locked": wait for it to finish, or crawl into another --db\\n$`),
    );
    // and in this process, through the API
    const db2 = openDb(path);
    await expect(new Crawler(db2, { seeds: [`${A.origin}/nb/`], delayMs: 0 }).run()).rejects.toBeInstanceOf(CrawlLocked);
    const summary = await first;
    // the only failures: links of the sample pages to other years' pages the test site does not have
    expect(summary.failures.filter((f) => f.error !== 'HTTP 404')).toEqual([]);
    // every URL done: none failed, none left queued or half-fetched
    expect(db.prepare("SELECT count(*) AS n FROM frontier WHERE state NOT IN ('done', 'failed')").get()).toEqual({ n: 0 });
    expect(db.prepare("SELECT count(*) AS n FROM frontier WHERE state = 'failed' AND (last_error IS NULL OR last_error NOT LIKE 'HTTP 404%')").get()).toEqual({ n: 0 });
    expect((db.prepare("SELECT count(*) AS n FROM frontier WHERE url LIKE '%/nb/%.html' AND state = 'done'").get() as { n: number }).n).toBe(REPORTS.length);
    expect((db.prepare('SELECT count(*) AS n FROM reports').get() as { n: number }).n).toBe(REPORTS.length);
    // the lock was given back: the second crawl runs now, and finds everything done
    const again = await new Crawler(db2, { seeds: [`${A.origin}/nb/`], delayMs: 0 }).run();
    expect(again.fetched).toBe(0);
    expect((db2.prepare("SELECT count(*) AS n FROM frontier WHERE state NOT IN ('done', 'failed')").get() as { n: number }).n).toBe(0);
    db.close();
    db2.close();
  }, 120_000);

  it('another writer holding the database past busy_timeout while a report is stored: waited for and retried, never a failed URL', async () => {
    const path = join(dir, 'held.db');
    const db = openDb(path);
    const other = openDb(path); // an ingest writing to the same file
    let held = false;
    const C = await startHost({
      '/nb/': { body: listPage({ items: [{ href: '/nb/r.html', text: '某县2021年政府信息公开工作年度报告' }] }) },
      '/nb/r.html': (_req, res) => {
        // the other writer takes the write lock just as the report's bytes go out, and keeps it 7 s
        // (past the crawler's 5 s busy_timeout, so storing the report meets SQLITE_BUSY at least once)
        other.prepare('BEGIN IMMEDIATE').run();
        held = true;
        setTimeout(() => {
          other.prepare('COMMIT').run();
          held = false;
        }, 7000);
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(sample('xihua-county-2021.html'));
      },
    });
    try {
      const events: CrawlEvent[] = [];
      const s = await new Crawler(db, { seeds: [`${C.origin}/nb/`], delayMs: 0, scope: 'host', onEvent: (e) => events.push(e) }).run();
      expect(held).toBe(false);
      const waits = events.filter((e) => e.type === 'warning' && /database is locked by another writer/.test((e as { message: string }).message));
      expect(waits.length).toBeGreaterThanOrEqual(1);
      expect((waits[0] as { message: string }).message).toBe(`${C.origin}/nb/r.html: the database is locked by another writer; waiting 1 s and trying again`);
      expect(s.failures.filter((f) => f.error !== 'HTTP 404')).toEqual([]);
      expect(db.prepare("SELECT state FROM frontier WHERE url = ?").get(`${C.origin}/nb/r.html`)).toEqual({ state: 'done' });
      expect((db.prepare('SELECT count(*) AS n FROM reports').get() as { n: number }).n).toBe(1);
    } finally {
      await C.close();
      other.close();
      db.close();
    }
  }, 120_000);

  it('a lock left by a process that is gone (kill -9) is taken over', () => {
    const db = openDb(join(dir, 'stale.db'));
    const gone = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    const deadPid = Number(gone.stdout.trim());
    takeCrawlLock(db); // creates the table
    db.prepare('UPDATE crawl_lock SET pid = ?, token = ? WHERE id = 1').run(deadPid, 'stale');
    const release = takeCrawlLock(db);
    expect(db.prepare('SELECT pid FROM crawl_lock').get()).toEqual({ pid: process.pid });
    release();
    expect(db.prepare('SELECT count(*) AS n FROM crawl_lock').get()).toEqual({ n: 0 });
    db.close();
  });
});

describe('smaller crawl limits', () => {
  let B: TestHost;
  const events: CrawlEvent[] = [];
  beforeAll(async () => {
    const links = Array.from({ length: 300 }, (_, i) => `<a href="/p/${i}.html">某县${i}号政府信息公开工作年度报告</a>`).join('');
    const robots = `User-agent: *\nDisallow: /private/\n${'# padding line to pass 500 KiB\n'.repeat(20_000)}Disallow: /p/\n`;
    B = await startHost({
      '/robots.txt': { body: robots, type: 'text/plain' },
      '/nb/': { body: listPage({ items: [{ href: '/nb/r.html', text: '某县2021年政府信息公开工作年度报告' }, { href: '/private/x.html', text: '某县2022年政府信息公开工作年度报告' }], extra: links }) },
      '/nb/r.html': { body: sample('xihua-county-2021.html') },
    });
  });
  afterAll(() => B.close());

  it('a robots.txt over 500 KiB is parsed up to there (the host stays reachable); a page over maxLinksPerPage puts its first links in the frontier and says so', async () => {
    const db = openDb(join(dir, 'limits.db'));
    const s = await new Crawler(db, { seeds: [`${B.origin}/nb/`], delayMs: 0, maxLinksPerPage: 50, scope: 'host', onEvent: (e) => events.push(e) }).run();
    const robotsSize = Buffer.byteLength(`User-agent: *\nDisallow: /private/\n${'# padding line to pass 500 KiB\n'.repeat(20_000)}Disallow: /p/\n`);
    expect(robotsSize).toBeGreaterThan(500 * 1024);
    const warnings = events.filter((e) => e.type === 'warning').map((e) => (e as { message: string }).message);
    expect(warnings).toContain(`${B.origin}/robots.txt: over 500 KiB; its first 500 KiB are parsed (RFC 9309), the rest ignored`);
    expect(warnings.filter((w) => w.startsWith(`${B.origin}/nb/: `))).toEqual([
      expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/nb\/: 30\d links; the first 50 \(reports, attachments and pagers first\) put in the frontier, the rest left out \(limit maxLinksPerPage = 50\)$/),
    ]);
    // robots.txt read: /private/ blocked (its first lines), the report stored
    expect(B.hits('/private/x.html')).toBe(0);
    expect(B.hits('/nb/r.html')).toBe(1);
    expect((db.prepare('SELECT count(*) AS n FROM reports').get() as { n: number }).n).toBe(1);
    // at most 50 links of the page in the frontier (the seed aside), the report links first
    expect((db.prepare('SELECT count(*) AS n FROM frontier WHERE discovered_from = ?').get(`${B.origin}/nb/`) as { n: number }).n).toBeLessThanOrEqual(50);
    expect((db.prepare("SELECT count(*) AS n FROM frontier WHERE url LIKE '%/p/%'").get() as { n: number }).n).toBeGreaterThan(40);
    // the rule past 500 KiB (Disallow: /p/) was not read: those URLs were fetched, not blocked
    expect((db.prepare("SELECT count(*) AS n FROM frontier WHERE url LIKE '%/p/%' AND state = 'blocked'").get() as { n: number }).n).toBe(0);
    expect(s.blocked).toBe(1); // /private/x.html
    db.close();
  }, 120_000);
});
