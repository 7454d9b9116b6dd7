/**
 * The command line as a user runs it: the compiled CLI (dist/, built by `pretest`) in a child process.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/cli.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'nianbao.js');
const corpus = resolve(root, 'corpus', 'real');
const fugouTxt = join(corpus, 'fugou-natural-resources-2021.txt');
const fugouExpected = JSON.parse(readFileSync(join(corpus, 'fugou-natural-resources-2021.expected.json'), 'utf8')) as {
  agency: string;
  year: number;
  version: string;
  status: string;
  figures: Record<string, number | null>;
  fails: string[];
};
const fugouBytes = readFileSync(fugouTxt);
const fugouSha = createHash('sha256').update(fugouBytes).digest('hex');

const CONTRACT_KEYS = ['source', 'sha256', 'status', 'version', 'agency', 'year', 'title', 'figures', 'checks', 'problems'];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `nianbao ...args` (asynchronously, so a loopback server in this process can answer it). */
function nianbao(args: string[], cwd = root): Promise<Run> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', rej);
    child.on('close', (code) => res({ code, stdout, stderr }));
  });
}

function jsonLines(stdout: string): Record<string, unknown>[] {
  const lines = stdout.split('\n').filter((l) => l !== '');
  return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
}

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'nianbao-cli-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('help and usage errors', () => {
  it('nianbao --help and nianbao help list every command and exit 0', async () => {
    for (const args of [['--help'], ['help'], ['-h']]) {
      const r = await nianbao(args);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Usage: nianbao <command>');
      for (const name of Object.keys(COMMANDS)) expect(r.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    }
  }, 30_000);

  it('--help on every command prints its usage and exits 0', async () => {
    for (const name of Object.keys(COMMANDS)) {
      for (const args of [[name, '--help'], ['help', name]]) {
        const r = await nianbao(args);
        expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
        expect(r.stdout).toContain(`Usage: nianbao ${name}`);
      }
    }
  }, 60_000);

  it('an unknown command, a bad option or a missing argument is a usage error (exit 2)', async () => {
    const unknown = await nianbao(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
    expect(unknown.stdout).toBe('');

    const none = await nianbao([]);
    expect(none.code).toBe(2);

    const badOption = await nianbao(['extract', '--bogus', fugouTxt]);
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toMatch(/Unknown option '--bogus'/);
    expect(badOption.stdout).toBe('');

    const noFiles = await nianbao(['extract', '--json']);
    expect(noFiles.code).toBe(2);
    expect(noFiles.stderr).toContain('extract needs at least one file');

    const badStatus = await nianbao(['checks', '--status', 'maybe', '--db', join(tmp, 'none.db')]);
    expect(badStatus.code).toBe(2);
    expect(badStatus.stderr).toContain('--status must be one of fail, warn, skipped, pass');
  }, 30_000);
});

describe('nianbao extract', () => {
  it('--json prints one JSON line per document, the contract keys first and in order', async () => {
    const r = await nianbao(['extract', '--json', fugouTxt]);
    expect(r.code, r.stderr).toBe(0);
    const [doc, ...more] = jsonLines(r.stdout);
    expect(more).toEqual([]);
    expect(Object.keys(doc).slice(0, CONTRACT_KEYS.length)).toEqual(CONTRACT_KEYS);
    expect(doc.source).toBe(fugouTxt);
    expect(doc.sha256).toBe(fugouSha);
    expect(doc.status).toBe(fugouExpected.status);
    expect(doc.version).toBe(fugouExpected.version);
    expect(doc.agency).toBe(fugouExpected.agency);
    expect(doc.year).toBe(fugouExpected.year);
    expect(doc.figures).toEqual(fugouExpected.figures);
    const checks = doc.checks as { id: string; status: string }[];
    expect(checks.filter((c) => c.status === 'fail').map((c) => c.id)).toEqual(fugouExpected.fails);
    for (const c of checks) expect(Object.keys(c).slice(0, 5)).toEqual(['id', 'status', 'expected', 'actual', 'keys']);
  }, 30_000);

  it('exits 1 when a document cannot be read, and still prints the others', async () => {
    const empty = join(tmp, 'empty.html');
    writeFileSync(empty, '');
    const missing = join(tmp, 'missing.html');
    const r = await nianbao(['extract', '--json', missing, fugouTxt, empty]);
    expect(r.code).toBe(1);
    const docs = jsonLines(r.stdout);
    expect(docs.map((d) => [d.source, d.status])).toEqual([
      [missing, 'error'],
      [fugouTxt, fugouExpected.status],
      [empty, 'error'],
    ]);
    for (const d of docs) expect(Object.keys(d).slice(0, CONTRACT_KEYS.length)).toEqual(CONTRACT_KEYS);
    expect(docs[0].problems).toEqual([{ code: 'file_unreadable', message: `${missing}: no such file` }]);
    expect((docs[2].problems as { code: string }[]).length).toBeGreaterThan(0);
    expect(docs[1].figures).toEqual(fugouExpected.figures);
  }, 30_000);

  it('a folder stands for the documents in it (sorted, *.json skipped)', async () => {
    const folder = join(tmp, 'folder');
    rmSync(folder, { recursive: true, force: true });
    mkdirSync(folder);
    writeFileSync(join(folder, 'b.txt'), fugouBytes);
    writeFileSync(join(folder, 'a.txt'), fugouBytes);
    writeFileSync(join(folder, 'a.expected.json'), '{}');
    const r = await nianbao(['extract', '--json', folder]);
    expect(r.code, r.stderr).toBe(0);
    expect(jsonLines(r.stdout).map((d) => d.source)).toEqual([join(folder, 'a.txt'), join(folder, 'b.txt')]);
  }, 30_000);

  it('without --json prints the report for a person: header, tables, checks', async () => {
    const r = await nianbao(['extract', fugouTxt]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`扶沟县自然资源局 · 2021 · template 2021 · status ${fugouExpected.status}`);
    expect(r.stdout).toContain('表二 主动公开政府信息情况');
    expect(r.stdout).toMatch(/^ {2}行政许可 +53$/m);
    expect(r.stdout).toMatch(/^ {2}行政处罚 +18$/m);
    expect(r.stdout).toContain('表三 收到和处理政府信息公开申请情况');
    expect(r.stdout).toContain('表四 政府信息公开行政复议、行政诉讼情况');
    expect(r.stdout).toMatch(/Checks: \d+ passed, 0 failed/);
  }, 30_000);

  describe('over HTTP (a loopback server)', () => {
    let server: Server;
    let base: string;
    beforeAll(async () => {
      server = createServer((req, res) => {
        if (req.url === '/nb/2021.txt') {
          res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': fugouBytes.byteLength });
          res.end(fugouBytes);
        } else if (req.url === '/chunked.txt') {
          // No Content-Length: the size cap must stop the download as it streams.
          res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
          res.write(fugouBytes.subarray(0, 4000));
          setTimeout(() => res.end(fugouBytes.subarray(4000)), 50);
        } else if (req.url === '/loop') {
          res.writeHead(302, { location: '/loop' });
          res.end();
        } else if (req.url === '/moved') {
          res.writeHead(302, { location: '/nb/2021.txt' });
          res.end();
        } else {
          res.writeHead(404, { 'content-type': 'text/html' });
          res.end('<h1>not found</h1>');
        }
      });
      await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

    it('reads a URL (following a redirect); a 404 is an unreadable document', async () => {
      const r = await nianbao(['extract', '--json', `${base}/nb/2021.txt`, `${base}/gone.html`, `${base}/moved`]);
      expect(r.code).toBe(1);
      const [ok, gone, moved] = jsonLines(r.stdout);
      expect(ok.source).toBe(`${base}/nb/2021.txt`);
      expect(ok.source_url).toBe(`${base}/nb/2021.txt`);
      expect(ok.sha256).toBe(fugouSha);
      expect(ok.agency).toBe(fugouExpected.agency);
      expect(ok.figures).toEqual(fugouExpected.figures);
      expect(gone.status).toBe('error');
      expect(gone.problems).toEqual([{ code: 'http_status', message: `${base}/gone.html: HTTP 404` }]);
      expect(moved.sha256).toBe(fugouSha);
      expect(moved.figures).toEqual(fugouExpected.figures);
    }, 30_000);

    it('a redirect loop and a body over --max-bytes are unreadable, with the reason', async () => {
      const loop = await nianbao(['extract', '--json', `${base}/loop`]);
      expect(loop.code).toBe(1);
      expect(jsonLines(loop.stdout)[0].problems).toEqual([{ code: 'fetch_failed', message: `${base}/loop: too many redirects` }]);
      const big = await nianbao(['extract', '--json', '--max-bytes', '1000', `${base}/nb/2021.txt`, fugouTxt, `${base}/chunked.txt`]);
      expect(big.code).toBe(1);
      const [tooBig, local, chunked] = jsonLines(big.stdout);
      expect(chunked.problems).toEqual([{ code: 'too_large', message: `${base}/chunked.txt: more than the limit of 1000 bytes` }]);
      expect(tooBig.status).toBe('error');
      expect(tooBig.problems).toEqual([
        { code: 'too_large', message: `${base}/nb/2021.txt: ${fugouBytes.byteLength} bytes declared, more than the limit of 1000` },
      ]);
      expect(local.status).toBe('error');
      expect(local.problems).toEqual([
        { code: 'too_large', message: `${fugouTxt}: ${fugouBytes.byteLength} bytes, more than the limit of 1000` },
      ]);
    }, 30_000);
  });
});

describe('nianbao ingest and checks', () => {
  it('stores a document once, and checks --json shows the stored checks', async () => {
    const dbPath = join(tmp, 'db', 'test.db');
    const first = await nianbao(['ingest', '--db', dbPath, fugouTxt]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^stored +#1 +ok +扶沟县自然资源局 2021 +0 failed checks /m);
    expect(first.stdout).toContain('1 document: 1 stored, 0 already stored, 0 could not be read');

    const again = await nianbao(['ingest', '--db', dbPath, fugouTxt, join(tmp, 'nope.pdf')]);
    expect(again.code).toBe(1);
    expect(again.stdout).toMatch(/^already stored +#1 /m);
    expect(again.stdout).toMatch(/^error +.*nope\.pdf: no such file$/m);
    expect(again.stdout).toContain('2 documents: 0 stored, 1 already stored, 1 could not be read');

    const db = new Database(dbPath, { readonly: true });
    try {
      expect(db.prepare('SELECT id, agency, year, version, status, sha256 FROM reports').all()).toEqual([
        { id: 1, agency: '扶沟县自然资源局', year: 2021, version: '2021', status: fugouExpected.status, sha256: fugouSha },
      ]);
      const figures = db.prepare('SELECT key, value FROM figures WHERE report_id = 1').all() as { key: string; value: number }[];
      expect(Object.fromEntries(figures.map((f) => [f.key, f.value]))).toEqual(fugouExpected.figures);
      expect((db.prepare('SELECT size FROM blobs').get() as { size: number }).size).toBe(fugouBytes.byteLength);
    } finally {
      db.close();
    }

    const extracted = jsonLines((await nianbao(['extract', '--json', fugouTxt])).stdout)[0];
    const stored = await nianbao(['checks', '--json', '--db', dbPath]);
    expect(stored.code, stored.stderr).toBe(0);
    const rows = jsonLines(stored.stdout) as unknown as {
      report_id: number;
      agency: string;
      year: number;
      check_id: string;
      status: string;
      expected: number | null;
      actual: number | null;
      keys: string[];
    }[];
    const want = (extracted.checks as { id: string; status: string; expected: number | null; actual: number | null; keys: string[] }[])
      .map((c) => `${c.id} ${c.status} ${c.expected} ${c.actual} ${c.keys.join(',')}`)
      .sort();
    // Every check of the extraction is stored as it was; ingest adds the cross-year checks, skipped
    // here since the database holds no report of this body for 2020.
    const inReport = rows.filter((c) => !/^(requests\.carry_link|art20\.in_force_link)\./.test(c.check_id));
    expect(inReport.map((c) => `${c.check_id} ${c.status} ${c.expected} ${c.actual} ${c.keys.join(',')}`).sort()).toEqual(want);
    const crossYear = rows.filter((c) => !inReport.includes(c));
    expect(crossYear.map((c) => c.check_id)).toContain('requests.carry_link.total');
    expect(crossYear.every((c) => c.status === 'skipped')).toBe(true);
    expect(rows.every((c) => c.report_id === 1 && c.agency === '扶沟县自然资源局' && c.year === 2021)).toBe(true);
    const order = ['fail', 'warn', 'skipped', 'pass'];
    const ranks = rows.map((c) => order.indexOf(c.status));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));

    const failedOnly = await nianbao(['checks', '--status', 'fail', '--json', '--db', dbPath]);
    expect(jsonLines(failedOnly.stdout)).toEqual([]);

    const text = await nianbao(['checks', '--db', dbPath, '--status', 'pass', '--limit', '2']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^status +agency +year +report +check +expected +actual/m);
    expect(text.stdout).toMatch(/^pass +扶沟县自然资源局 +2021 +#1 +\S+/m);
  }, 60_000);

  it('checks on a missing database says so and exits 1', async () => {
    const r = await nianbao(['checks', '--db', join(tmp, 'absent.db')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no database at');
  }, 30_000);
});

describe('nianbao start', () => {
  it('stores the bundled samples and shows their failed checks; a second run stores nothing new', async () => {
    const dbPath = join(tmp, 'start', 'nianbao.db');
    const first = await nianbao(['start', '--db', dbPath]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^ +fail +太康县教育体育局 +2021 +#\d+ +requests\.balance\.natural +398 +391 /m);
    const db = new Database(dbPath, { readonly: true });
    let reports: number;
    try {
      reports = (db.prepare('SELECT count(*) AS n FROM reports').get() as { n: number }).n;
      expect(reports).toBeGreaterThanOrEqual(20);
      expect(
        db.prepare("SELECT expected, actual FROM failed_checks WHERE agency = '太康县教育体育局' AND check_id = 'requests.balance.natural'").all(),
      ).toEqual([{ expected: 398, actual: 391 }]);
    } finally {
      db.close();
    }
    const second = await nianbao(['start', '--db', dbPath]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain(`0 stored, ${reports} already stored`);
  }, 120_000);
});
