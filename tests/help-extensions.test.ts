/** `ingest --help` and `extract --help` list every extension a folder argument is read for (issue 20 item 8). */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DOCUMENT_EXTENSIONS } from '../src/io.js';

const root = join(import.meta.dirname, '..');

describe('help lists every extension read', () => {
  for (const cmd of ['ingest', 'extract']) {
    it(`${cmd} --help`, () => {
      const out = execFileSync(process.execPath, [join(root, 'bin', 'nianbao.js'), cmd, '--help'], { encoding: 'utf8' });
      const listed = out.replace(/\s+/g, ' ').match(/\(\*\.html[^)]*\)/)?.[0] ?? '';
      expect(DOCUMENT_EXTENSIONS.length).toBe(18);
      for (const ext of DOCUMENT_EXTENSIONS) expect(listed, ext).toContain(`*${ext}`);
    }, 60_000);
  }
});
