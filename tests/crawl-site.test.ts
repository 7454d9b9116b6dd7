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

it('crawls the bundled sample site to exactly its thirteen reports', async () => {
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
        // the Hanweb column /col/col7236/: two records inline, three through POST dataproxy.jsp windows
        'jinhu-2021-other-one-row.html',
        'huaiyin-2022-template2019.html',
        'hongze-water-2022-subtotal.html',
        'zhoukou-ecology-2019.html',
        'pdf/pdf-2021-no-repeat.pdf',
      ]
        .map(sha)
        .sort(),
    );
    expect(reports.map((r) => r.status).sort()).toEqual(['legacy', 'no_tables', ...Array(11).fill('ok')]);
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
    expect(s.failures).toEqual([]);
    expect(s.failed).toBe(0);
    expect(s.stored).toBe(13);
    // the Hanweb column's PDF behind downfile.jsp (application/octet-stream): sniffed, named by its query
    expect(reports.find((r) => r.source_url === `${site.origin}/module/download/downfile.jsp?classid=0&filename=2103011530123.pdf`)).toMatchObject({
      sha256: sha('pdf/pdf-2021-no-repeat.pdf'),
      status: 'ok',
    });
    expect(
      db.prepare(`SELECT url FROM frontier WHERE method = 'POST' ORDER BY rowid`).all().map((r) => (r as { url: string }).url.replace(site.origin, '')),
    ).toEqual([
      '/module/web/jpage/dataproxy.jsp?startrecord=3&endrecord=4&perpage=1#POST:col=1&appid=1&webid=1&path=%2F&columnid=7236&sourceContentType=1&unitid=26616&webname=%E7%A4%BA%E4%BE%8B%E5%8E%BF%E4%BA%BA%E6%B0%91%E6%94%BF%E5%BA%9C&permissiontype=0',
      '/module/web/jpage/dataproxy.jsp?startrecord=5&endrecord=5&perpage=1#POST:col=1&appid=1&webid=1&path=%2F&columnid=7236&sourceContentType=1&unitid=26616&webname=%E7%A4%BA%E4%BE%8B%E5%8E%BF%E4%BA%BA%E6%B0%91%E6%94%BF%E5%BA%9C&permissiontype=0',
    ]);

    // reextract: everything stored is extracted again from the blobs, offline (the site is closed)
    await site.close();
    const before = db.prepare('SELECT id, sha256, status FROM reports ORDER BY id').all();
    const r = await reextractAll(db);
    expect(r).toEqual({ documents: 14, updated: 13, statusChanged: 0, newlyStored: 0, errors: [] }); // 13 reports + the notice
    expect(db.prepare('SELECT id, sha256, status FROM reports ORDER BY id').all()).toEqual(before);
  } finally {
    db.close();
    await site.close();
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);
