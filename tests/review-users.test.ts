/** Reviewer accounts: `nianbao review user add|list|remove`, scrypt-hashed passwords, sessions; `serve --host` refused without one. */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createSession, endSession, isLoopbackHost, sessionReviewer, verifyPassword } from '../src/review/accounts.js';
import { openReviewDb } from '../src/review/schema.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const tmp = mkdtempSync(join(tmpdir(), 'nianbao-users-'));
const dbPath = join(tmp, 'u.db');
const cli = (args: string[], input?: string) => spawnSync(process.execPath, [join(root, 'bin', 'nianbao.js'), ...args], { encoding: 'utf8', cwd: root, input });
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('review user', () => {
  it('adds (password from stdin or a file), lists, verifies, removes', () => {
    expect(cli(['ingest', '--db', dbPath, 'samples/xihua-county-2021.html']).status).toBe(0);
    // serve on a non-loopback address without an account: refused, exit 2, a clear message
    const refused = cli(['serve', '--db', dbPath, '--host', '0.0.0.0', '--port', '0']);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('not a loopback address and there is no reviewer account');
    expect(cli(['review', 'user', 'add', '王芳', '--db', dbPath], 'correct horse\n').status).toBe(0);
    writeFileSync(join(tmp, 'pw'), 'battery staple\n');
    expect(cli(['review', 'user', 'add', 'li.lei', '--password-file', join(tmp, 'pw'), '--db', dbPath]).stdout).toBe('reviewer li.lei added\n');
    const dup = cli(['review', 'user', 'add', 'li.lei', '--db', dbPath], 'whatever123\n');
    expect([dup.status, dup.stderr]).toEqual([1, 'nianbao review user add: reviewer li.lei exists already\n']);
    expect(cli(['review', 'user', 'add', 'short', '--db', dbPath], 'abc\n').stderr).toContain('at least 8 characters');
    expect(cli(['review', 'user', 'add', '--db', dbPath]).status).toBe(2);
    const list = cli(['review', 'user', 'list', '--db', dbPath]);
    expect(list.stdout).toMatch(/^li\.lei {2}created .* 0 sessions\n王芳 {2}created .* 0 sessions\n2 reviewers\.\n$/);

    const db = openReviewDb(dbPath);
    const row = db.prepare('SELECT salt, hash FROM reviewers WHERE name = ?').get('王芳') as { salt: string; hash: string };
    expect(row.salt).toMatch(/^[0-9a-f]{32}$/);
    expect(row.hash).toMatch(/^[0-9a-f]{128}$/);
    expect(row.hash).not.toContain(Buffer.from('correct horse').toString('hex'));
    expect(verifyPassword(db, '王芳', 'correct horse')).toBe(true);
    expect(verifyPassword(db, '王芳', 'correct horsE')).toBe(false);
    expect(verifyPassword(db, 'nobody', 'correct horse')).toBe(false);
    const t = createSession(db, '王芳');
    expect(sessionReviewer(db, t)).toBe('王芳');
    expect(db.prepare('SELECT count(*) AS n FROM review_sessions WHERE token_hash = ?').get(t)).toEqual({ n: 0 }); // stored hashed
    expect(sessionReviewer(db, t + 'x')).toBeNull();
    const expired = createSession(db, 'li.lei', -1);
    expect(sessionReviewer(db, expired)).toBeNull();
    endSession(db, t);
    expect(sessionReviewer(db, t)).toBeNull();
    const t2 = createSession(db, 'li.lei');
    db.close();
    expect(cli(['review', 'user', 'remove', 'li.lei', '--db', dbPath]).stdout).toBe('reviewer li.lei removed\n');
    const db2 = openReviewDb(dbPath);
    expect(sessionReviewer(db2, t2)).toBeNull();
    db2.close();
    expect(cli(['review', 'user', 'remove', 'li.lei', '--db', dbPath]).status).toBe(1);
  }, 60_000);

  it('serve on a non-loopback address starts once an account exists', async () => {
    const child = spawn(process.execPath, [join(root, 'bin', 'nianbao.js'), 'serve', '--db', dbPath, '--host', '0.0.0.0', '--port', '0']);
    const line = await new Promise<string>((res, rej) => {
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('\n')) res(out);
      });
      child.on('exit', (code) => rej(new Error(`exited ${code}`)));
    });
    expect(line).toContain('sign-in required');
    const port = /:(\d+)\//.exec(line)![1];
    const r = await fetch(`http://127.0.0.1:${port}/`, { redirect: 'manual' });
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe('/signin?next=%2F');
    child.kill('SIGTERM');
    expect(isLoopbackHost('127.0.0.2')).toBe(true);
    expect(isLoopbackHost('0.0.0.0')).toBe(false);
    expect(isLoopbackHost('[::1]')).toBe(true);
  }, 30_000);
});
