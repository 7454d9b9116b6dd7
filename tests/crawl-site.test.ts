/** The bundled sample site (samples/site/, what `npm start` crawls): every report on it found, once. */
import { expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { openDb } from '../src/store/db.js';
import { Crawler } from '../src/crawl/crawler.js';
import { serveStatic } from '../src/crawl/static-server.js';
import { reextractAll } from '../src/commands/reextract.js';

const root = join(import.meta.dirname, '..');
const sha = (p: string) => createHash('sha256').update(readFileSync(join(root, 'samples', p))).digest('hex');

it('crawls the bundled sample site to exactly its eight reports', async () => {
  const site = await serveStatic(join(root, 'samples', 'site'));
  const dir = mkdtempSync(join(tmpdir(), 'nianbao-site-'));
  const db = openDb(join(dir, 'site.db'));
  try {
    const s = await new Crawler(db, { seeds: [site.origin + '/'], delayMs: 0, extractTimeoutMs: 60_000 }).run();
    const reports = db.prepare('SELECT sha256, status, agency, year, source_url FROM reports ORDER BY agency, year').all() as {
      sha256: string;
      status: string;
      source_url: string;
    }[];
    // the site serves the bundled samples themselves: the same bytes
    expect(reports.map((r) => r.sha256).sort()).toEqual(
      [
        'xihua-county-2021.html',
        'luyi-education-2021-gbk.html',
        'taikang-education-2021-bad-sums.html',
        'shangshui-housing-2021-word.html',
        'shenqiu-audit-2021-narrative.html',
        'xihua-county-2017-legacy.html',
        'fugou-county-2022-spaces.txt',
        'pdf/pdf-2019-no-lines.pdf',
      ]
        .map(sha)
        .sort(),
    );
    expect(reports.map((r) => r.status).sort()).toEqual(['legacy', 'no_tables', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok']);
    // the PDF was reached through the page that only embeds it
    expect(reports.some((r) => r.source_url === `${site.origin}/zwgk/nb/202103/P020210305_1001.pdf`)).toBe(true);
    const row = (path: string) =>
      db.prepare('SELECT state, role, last_error FROM frontier WHERE url = ?').get(site.origin + path) as
        | { state: string; role: string | null; last_error: string | null }
        | undefined;
    expect(row('/zwgk/nb/202103/t20210305_1001.html')?.role).toBe('wrapper');
    expect(row('/zwgk/nb/draft/t20250101_0001.html')).toEqual({ state: 'blocked', role: null, last_error: 'robots.txt: Disallow: /zwgk/nb/draft/' });
    expect(row('/zwgk/nb/202312/t20231205_0801.html')?.role).toBe('not_report');
    expect(row('/zwgk/nb/index_2.html')?.role).toBe('list');
    expect(row('/news/2023/t20230412_0501.html')).toBeUndefined();
    expect(row('/admin/login.html')).toBeUndefined();
    expect(s.failed).toBe(0);
    expect(s.stored).toBe(8);

    // reextract: everything stored is extracted again from the blobs, offline (the site is closed)
    await site.close();
    const before = db.prepare('SELECT id, sha256, status FROM reports ORDER BY id').all();
    const r = await reextractAll(db);
    expect(r).toEqual({ documents: 9, updated: 8, statusChanged: 0, newlyStored: 0, errors: [] }); // 8 reports + the notice
    expect(db.prepare('SELECT id, sha256, status FROM reports ORDER BY id').all()).toEqual(before);
  } finally {
    db.close();
    await site.close();
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);
