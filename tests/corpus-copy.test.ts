/**
 * corpus/real is the project's copy of ../shared/corpus/real (the folder CI keeps beside the checkout).
 * When that folder is there, the copy must hold exactly its files, byte for byte, so that a document
 * added, removed or changed there is noticed here. On a bare clone (no folder beside it) the test is
 * skipped and says why: every other test reads the copy.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '..');
const COPY = join(ROOT, 'corpus', 'real');
const SHARED = resolve(ROOT, '..', 'shared', 'corpus', 'real');
const HAVE_SHARED = existsSync(SHARED);

function digests(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir).sort()) out[f] = createHash('sha256').update(readFileSync(join(dir, f))).digest('hex');
  return out;
}

describe('corpus/real', () => {
  it('holds real reports, each beside its expected figures', () => {
    const files = readdirSync(COPY);
    const docs = files.filter((f) => !f.endsWith('.expected.json'));
    expect(docs.length).toBeGreaterThanOrEqual(4);
    for (const d of docs) expect(files, d).toContain(d.replace(/\.[a-z]+$/, '.expected.json'));
  });

  it.skipIf(!HAVE_SHARED)(
    HAVE_SHARED
      ? 'is byte for byte the same as ../shared/corpus/real (no file added, removed or changed)'
      : `skipped: ${SHARED} does not exist beside the checkout (nothing to compare the copy with)`,
    () => {
      const shared = digests(SHARED);
      const copy = digests(COPY);
      const added = Object.keys(shared).filter((f) => !(f in copy));
      const removed = Object.keys(copy).filter((f) => !(f in shared));
      const changed = Object.keys(shared).filter((f) => f in copy && copy[f] !== shared[f]);
      expect({ added, removed, changed }, 'copy ../shared/corpus/real into corpus/real (and name the new files in corpus/README.md)').toEqual({
        added: [],
        removed: [],
        changed: [],
      });
    },
  );
});
