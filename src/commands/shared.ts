/** What several commands do alike: open the database (with the message a command gives when it cannot), read a whole-number option. */
import { existsSync } from 'node:fs';
import { usageError } from './args.js';
import { openReviewDb } from '../review/schema.js';
import { openDb, type Db } from '../store/db.js';
import { ensureIndicatorSchema } from '../indicators/schema.js';

/** The review schema and the indicator views (src/indicators/schema.ts), so that analysts find them in every database nianbao opened. */
function openReviewAndIndicators(path: string): Db {
  const db = openReviewDb(path);
  ensureIndicatorSchema(db);
  return db;
}

/**
 * The database a command writes to (created when absent: crawl, ingest, reextract, start). Undefined when
 * it cannot be opened, the reason written to stderr as `nianbao CMD: cannot open the database PATH: …`.
 */
export function openOrSay(dbPath: string, cmd: string): Db | undefined {
  try {
    const db = openDb(dbPath);
    try {
      ensureIndicatorSchema(db);
    } catch (err) {
      db.close();
      throw err;
    }
    return db;
  } catch (err) {
    process.stderr.write(`nianbao ${cmd}: cannot open the database ${dbPath}: ${(err as Error).message}\n`);
    return undefined;
  }
}

/**
 * The database a command reads (checks, export, places, review, serve): undefined when there is none at
 * `dbPath`, said on stderr as `nianbao CMD: no database at PATH (run HINT first)`; else opened by `open`
 * (by default with the review schema and the indicator views).
 */
export function openExistingOrSay(
  dbPath: string,
  cmd: string,
  open: (path: string) => Db = openReviewAndIndicators,
  hint = '`nianbao ingest`',
): Db | undefined {
  if (dbPath !== ':memory:' && !existsSync(dbPath)) {
    process.stderr.write(`nianbao ${cmd}: no database at ${dbPath} (run ${hint} first)\n`);
    return undefined;
  }
  return open(dbPath);
}

/** A whole-number option (≥ 0), undefined when absent; anything else is a usage error. */
export function wholeNumberOption(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw usageError(`--${name} wants a whole number, not "${v}"`);
  return n;
}
