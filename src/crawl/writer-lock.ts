/**
 * One crawl per database at a time: a crawl takes the database's crawl lock (a row of `crawl_lock`,
 * taken in an IMMEDIATE transaction, so two crawls starting together cannot both take it) and gives it
 * back when it ends. A second crawl on the same database is refused with a message that says who holds
 * it, instead of the two writers meeting `database is locked` and turning URLs into failures. A lock
 * whose process is gone (killed with kill -9) is taken over.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Db } from '../store/db.js';

export class CrawlLocked extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CrawlLocked';
  }
}

interface LockRow {
  pid: number;
  host: string;
  token: string;
  started_at: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the crawl lock of `db`, or throws CrawlLocked. Returns the function that gives it back. */
export function takeCrawlLock(db: Db): () => void {
  db.exec(`CREATE TABLE IF NOT EXISTS crawl_lock (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    pid INTEGER NOT NULL,
    host TEXT NOT NULL,
    token TEXT NOT NULL,
    started_at TEXT NOT NULL
  )`);
  const token = randomUUID();
  db.transaction(() => {
    const held = db.prepare('SELECT pid, host, token, started_at FROM crawl_lock WHERE id = 1').get() as LockRow | undefined;
    // another machine's process cannot be checked: its lock holds until it gives it back
    if (held && (held.host !== hostname() || alive(held.pid))) {
      throw new CrawlLocked(
        `another crawl is writing to this database (process ${held.pid} on ${held.host}, since ${held.started_at}); ` +
          `two crawls on one database would meet "database is locked": wait for it to finish, or crawl into another --db`,
      );
    }
    db.prepare('INSERT OR REPLACE INTO crawl_lock (id, pid, host, token, started_at) VALUES (1, ?, ?, ?, ?)').run(process.pid, hostname(), token, new Date().toISOString());
  }).immediate();
  return () => {
    try {
      db.prepare('DELETE FROM crawl_lock WHERE id = 1 AND token = ?').run(token);
    } catch {
      /* the database is closing or failing: a lock of a finished process is taken over by the next crawl */
    }
  };
}
