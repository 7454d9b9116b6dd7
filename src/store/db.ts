/** Opening the SQLite database: pragmas and the 'core' migrations. */
import Database from 'better-sqlite3';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyMigrations } from './migrate.js';
import { coreMigrations } from './schema.js';

export type Db = Database.Database;

export const DEFAULT_DB_PATH = 'data/nianbao.db';

/**
 * Opens (creating it and its folder if needed) the database at `path`, in WAL mode with foreign keys on,
 * and applies the 'core' migrations. `:memory:` works too (tests).
 */
export function openDb(path: string = DEFAULT_DB_PATH, opts: { readonly?: boolean } = {}): Db {
  if (path !== ':memory:' && !opts.readonly) mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
  db.pragma('busy_timeout = 5000');
  if (!opts.readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    // bulk ingestion: checkpoint the WAL every ~40 MB instead of every 4 MB (each checkpoint syncs),
    // and keep the indexes' hot pages (figures by key grows with every report) in a 64 MB cache
    db.pragma('wal_autocheckpoint = 10000');
    db.pragma('cache_size = -65536');
  }
  db.pragma('foreign_keys = ON');
  cachePrepared(db);
  if (!opts.readonly) applyMigrations(db, 'core', coreMigrations);
  return db;
}

/**
 * `db.prepare(sql)` returns the statement prepared before for the same SQL (compiling one costs more
 * than running it: the step after ingestion prepares a dozen per report). A cached statement comes
 * back in its default modes (not raw, plucked or expanded); one that is busy (iterating) is not shared:
 * a fresh one is prepared.
 */
function cachePrepared(db: Db): void {
  const prepare = db.prepare.bind(db);
  const cache = new Map<string, Database.Statement>();
  db.prepare = ((sql: string) => {
    const hit = cache.get(sql);
    if (hit && !hit.busy) {
      if (hit.reader) hit.raw(false).pluck(false).expand(false);
      return hit;
    }
    const stmt = prepare(sql);
    if (!hit && cache.size < 2000) cache.set(sql, stmt);
    return stmt;
  }) as Db['prepare'];
}

let cachedRoot: string | undefined;

/** The project's root folder (the one holding nianbao's package.json), whether running from src/ or dist/. */
export function projectRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'nianbao') return (cachedRoot = dir);
      } catch {
        /* not ours: keep climbing */
      }
    }
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the nianbao package.json above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}

let cachedVersion: string | undefined;

/** nianbao's version (package.json), recorded with each extraction as `extractor_version`. */
export function packageVersion(): string {
  if (cachedVersion) return cachedVersion;
  try {
    const pkg = JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { version?: string };
    cachedVersion = pkg.version ?? 'unknown';
  } catch {
    cachedVersion = 'unknown';
  }
  return cachedVersion;
}
