/**
 * Schema migrations, in named sets so that each part of the pipeline (core storage, the crawler's
 * frontier, the review workflow) owns its own list and none edits another's.
 * A set's migrations run in order, each once, each in a transaction; `schema_migrations` records them.
 */
import type Database from 'better-sqlite3';

export interface Migration {
  /** 1, 2, 3… within its set; never renumber or edit one that has shipped: add a new one. */
  version: number;
  description: string;
  up: string | ((db: Database.Database) => void);
}

/**
 * Per connection, the versions of each set known applied and committed: a call that finds its whole list
 * there returns at once (the step after ingestion asks for the 'review' and 'places' sets for every report
 * it stores). Recorded only outside a transaction: a migration applied, or found, inside one could still
 * be rolled back with it.
 */
const committed = new WeakMap<Database.Database, Map<string, Set<number>>>();

export function applyMigrations(db: Database.Database, set: string, migrations: Migration[]): void {
  const known = committed.get(db)?.get(set);
  if (known && migrations.every((m) => known.has(m.version))) return;
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    set_name TEXT NOT NULL,
    version INTEGER NOT NULL,
    description TEXT NOT NULL,
    applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
    PRIMARY KEY (set_name, version)
  )`);
  const done = new Set(
    (db.prepare('SELECT version FROM schema_migrations WHERE set_name = ?').all(set) as { version: number }[]).map(
      (r) => r.version,
    ),
  );
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  for (const m of sorted) {
    if (done.has(m.version)) continue;
    db.transaction(() => {
      if (typeof m.up === 'string') db.exec(m.up);
      else m.up(db);
      db.prepare('INSERT INTO schema_migrations (set_name, version, description) VALUES (?, ?, ?)').run(
        set,
        m.version,
        m.description,
      );
    })();
    done.add(m.version);
  }
  if (!db.inTransaction) {
    let sets = committed.get(db);
    if (!sets) committed.set(db, (sets = new Map()));
    sets.set(set, done);
  }
}
