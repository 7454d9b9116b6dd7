/**
 * Reviewer accounts and sign-in sessions for the review page on a shared address.
 * Passwords: scrypt from node:crypto with a random 16-byte salt per account (64-byte key), compared
 * in constant time. Sessions: a random 32-byte token in an HttpOnly SameSite=Strict cookie; only its
 * SHA-256 is stored, with an expiry.
 */
import { createHash, randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';
import type { Db } from '../store/db.js';
import { ensureReviewSchema } from './schema.js';

export const SESSION_HOURS = 12;
const KEYLEN = 64;

function hashPassword(password: string, salt: Buffer): Buffer {
  return scryptSync(password.normalize('NFC'), salt, KEYLEN);
}

export function validName(name: string): boolean {
  return /^[\p{L}\p{N}_.@-]{1,64}$/u.test(name);
}

export function addReviewer(db: Db, name: string, password: string): void {
  ensureReviewSchema(db);
  if (!validName(name)) throw new Error(`a reviewer's name is 1–64 letters, digits or _ . @ - (not ${JSON.stringify(name)})`);
  if (password.length < 8) throw new Error('the password needs at least 8 characters');
  if (db.prepare('SELECT 1 FROM reviewers WHERE name = ?').get(name)) throw new Error(`reviewer ${name} exists already`);
  const salt = randomBytes(16);
  db.prepare('INSERT INTO reviewers (name, salt, hash) VALUES (?, ?, ?)').run(name, salt.toString('hex'), hashPassword(password, salt).toString('hex'));
}

export function removeReviewer(db: Db, name: string): boolean {
  ensureReviewSchema(db);
  return db.transaction(() => {
    db.prepare('DELETE FROM review_sessions WHERE reviewer = ?').run(name);
    return db.prepare('DELETE FROM reviewers WHERE name = ?').run(name).changes > 0;
  })();
}

export function listReviewers(db: Db): { name: string; created_at: string; sessions: number }[] {
  ensureReviewSchema(db);
  return db
    .prepare(
      `SELECT r.name, r.created_at, (SELECT count(*) FROM review_sessions s WHERE s.reviewer = r.name AND s.expires_at > strftime('%Y-%m-%dT%H:%M:%fZ','now')) AS sessions
       FROM reviewers r ORDER BY r.name`,
    )
    .all() as { name: string; created_at: string; sessions: number }[];
}

export function reviewerCount(db: Db): number {
  ensureReviewSchema(db);
  return (db.prepare('SELECT count(*) AS n FROM reviewers').get() as { n: number }).n;
}

/** True when the name and password match an account. */
export function verifyPassword(db: Db, name: string, password: string): boolean {
  const row = db.prepare('SELECT salt, hash FROM reviewers WHERE name = ?').get(name) as { salt: string; hash: string } | undefined;
  // Hash even for an unknown name, so timing does not tell which names exist.
  const salt = row ? Buffer.from(row.salt, 'hex') : Buffer.alloc(16);
  const got = hashPassword(password, salt);
  const want = row ? Buffer.from(row.hash, 'hex') : Buffer.alloc(KEYLEN, 1);
  return timingSafeEqual(got, want) && !!row;
}

/** verifyPassword with scrypt in libuv's thread pool (the review server: hashing never blocks its event loop). */
export async function verifyPasswordAsync(db: Db, name: string, password: string): Promise<boolean> {
  const row = db.prepare('SELECT salt, hash FROM reviewers WHERE name = ?').get(name) as { salt: string; hash: string } | undefined;
  const salt = row ? Buffer.from(row.salt, 'hex') : Buffer.alloc(16);
  const got = await new Promise<Buffer>((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, KEYLEN, (err, key) => (err ? reject(err) : resolve(key))),
  );
  const want = row ? Buffer.from(row.hash, 'hex') : Buffer.alloc(KEYLEN, 1);
  return timingSafeEqual(got, want) && !!row;
}

const sha = (t: string) => createHash('sha256').update(t).digest('hex');

/** A new session for the reviewer: returns the token for the cookie. */
export function createSession(db: Db, name: string, hours = SESSION_HOURS): string {
  const token = randomBytes(32).toString('base64url');
  const expires = new Date(Date.now() + hours * 3600_000).toISOString();
  db.prepare("DELETE FROM review_sessions WHERE expires_at <= strftime('%Y-%m-%dT%H:%M:%fZ','now')").run();
  db.prepare('INSERT INTO review_sessions (token_hash, reviewer, expires_at) VALUES (?, ?, ?)').run(sha(token), name, expires);
  return token;
}

/** The reviewer a session token belongs to, or null (unknown or expired). */
export function sessionReviewer(db: Db, token: string | undefined): string | null {
  if (!token || token.length > 200) return null;
  const row = db
    .prepare("SELECT reviewer FROM review_sessions WHERE token_hash = ? AND expires_at > strftime('%Y-%m-%dT%H:%M:%fZ','now')")
    .get(sha(token)) as { reviewer: string } | undefined;
  return row?.reviewer ?? null;
}

export function endSession(db: Db, token: string | undefined): void {
  if (token) db.prepare('DELETE FROM review_sessions WHERE token_hash = ?').run(sha(token));
}

/** A per-session form token (so a token seen by one person is no use in another's session). */
export function sessionFormToken(secret: string, sessionToken: string): string {
  return createHash('sha256').update(secret + '\0' + sessionToken).digest('hex').slice(0, 48);
}

/** Loopback addresses: 127.0.0.0/8, ::1, localhost. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || h === '::ffff:127.0.0.1';
}
