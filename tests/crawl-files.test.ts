/**
 * A report's own files on another host (issue 16 item 6): a county site whose report pages embed
 * their table pictures from an img./CDN host and link their PDF from a file server (directly, and
 * behind a download endpoint that redirects within the file host). Asserted: the pictures stored
 * with their page and the PDFs stored as reports; the file host asked only for its robots.txt and
 * what the report pages themselves embed or link as attachments (never another page of it, never
 * what its robots.txt forbids), one request at a time; the site's other off-site links not followed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { openDb, type Db } from '../src/store/db.js';
import { Crawler, type CrawlOptions, type CrawlSummary } from '../src/crawl/crawler.js';
import { startHost, listPage, type TestHost } from './helpers/testsite.js';

const root = join(import.meta.dirname, '..');
const PDF1 = readFileSync(join(root, 'samples', 'pdf', 'pdf-2021-no-repeat.pdf'));
const PDF2 = readFileSync(join(root, 'samples', 'pdf', 'pdf-2019-no-lines.pdf'));
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

const OPTS: Partial<CrawlOptions> = { concurrency: 4, delayMs: 0, timeoutMs: 5000, connectTimeoutMs: 2000, maxTries: 2, backoffBaseMs: 30, maxWaitMs: 5000, render: false };

const page = (h1: string, body: string) =>
  `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${h1}</title></head><body><h1>${h1}</h1>${body}</body></html>`;

describe('a report’s own files on other hosts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nianbao-files-'));
  let A: TestHost; // the county site (the seed)
  let F: TestHost; // its picture and file server
  let db: Db;
  let summary: CrawlSummary;
  let png1: Buffer;
  let png2: Buffer;

  beforeAll(async () => {
    png1 = await sharp({ create: { width: 40, height: 20, channels: 3, background: '#ffffff' } }).png().toBuffer();
    png2 = await sharp({ create: { width: 30, height: 20, channels: 3, background: '#eeeeee' } }).png().toBuffer();
    F = await startHost({
      '/robots.txt': { body: 'User-agent: *\nDisallow: /private/\n', type: 'text/plain' },
      '/picture/t1.png': { body: png1, type: 'image/png' },
      '/picture/t2.png': { body: png2, type: 'image/png' },
      '/private/t3.png': { body: png1, type: 'image/png' },
      '/files/2022.pdf': { body: PDF1, type: 'application/pdf' },
      '/download.jsp': (_req, res) => void res.writeHead(302, { location: '/files/store/9.pdf' }).end(),
      '/files/store/9.pdf': { body: PDF2, type: 'application/pdf' },
      '/other/index.html': { body: page('文件服务器', '<a href="/files/2023.pdf">2023年度报告.pdf</a>') },
    });
    const f = F.origin;
    A = await startHost({
      '/robots.txt': { body: '', type: 'text/plain' },
      '/ndbg/index.html': {
        body: listPage({
          title: '政府信息公开年度报告',
          items: [
            { href: '/ndbg/pic.html', text: '某县2022年政府信息公开工作年度报告' },
            { href: '/ndbg/audit.html', text: '某县审计局2022年政府信息公开工作年度报告' },
            { href: '/ndbg/water.html', text: '某县水利局2021年政府信息公开工作年度报告' },
          ],
          extra: `<a href="${f}/other/index.html">文件服务器</a>`,
        }),
      },
      '/ndbg/pic.html': {
        body: page('某县2022年政府信息公开工作年度报告', `<p>根据《中华人民共和国政府信息公开条例》要求，现公布本年度报告。</p>
          <p><img src="${f}/picture/t1.png"></p><p><img src="${f}/picture/t2.png"></p><p><img src="${f}/private/t3.png"></p>`),
      },
      '/ndbg/audit.html': {
        body: page('某县审计局2022年政府信息公开工作年度报告', `<p>附件：<a href="${f}/files/2022.pdf">某县审计局2022年政府信息公开工作年度报告.pdf</a></p>
          <p><a href="${f}/other/index.html">更多文件</a></p>`),
      },
      '/ndbg/water.html': {
        body: page('某县水利局2021年政府信息公开工作年度报告', `<p>附件：<a href="${f}/download.jsp?fileId=9">某县水利局2021年政府信息公开工作年度报告.pdf</a></p>`),
      },
    });
    db = openDb(join(dir, 'files.db'));
    summary = await new Crawler(db, { ...OPTS, seeds: [A.origin + '/ndbg/index.html'] }).run();
  }, 120_000);

  afterAll(async () => {
    db?.close();
    await Promise.all([A?.close(), F?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  const byUrl = (u: string) => db.prepare('SELECT sha256, kind, status FROM reports WHERE source_url = ?').get(u) as { sha256: string; kind: string; status: string } | undefined;

  it('stores the attachments served by the file host as reports', () => {
    expect(summary.stoppedBy).toBe('done');
    expect(byUrl(`${F.origin}/files/2022.pdf`)).toMatchObject({ sha256: sha(PDF1), kind: 'pdf' });
    // behind the download endpoint: redirected within the file host, stored under the file's own URL
    expect(byUrl(`${F.origin}/files/store/9.pdf`)).toMatchObject({ sha256: sha(PDF2), kind: 'pdf' });
    const row = db.prepare('SELECT state, role, final_url FROM frontier WHERE url = ?').get(`${F.origin}/download.jsp?fileId=9`);
    expect(row).toEqual({ state: 'done', role: 'report', final_url: `${F.origin}/files/store/9.pdf` });
  });

  it('stores the pictures the report page embeds from the other host with it, within that host’s robots.txt', () => {
    // (blank pictures: OCR finds no table, so the page is no report, but its pictures are kept with it)
    const pic = db.prepare('SELECT content_sha256 AS sha256 FROM frontier WHERE url = ?').get(`${A.origin}/ndbg/pic.html`) as { sha256: string };
    const rows = db.prepare('SELECT url, resource_sha256 FROM page_resources WHERE page_sha256 = ? ORDER BY url').all(pic.sha256);
    expect(rows).toEqual([
      { url: `${F.origin}/picture/t1.png`, resource_sha256: sha(png1) },
      { url: `${F.origin}/picture/t2.png`, resource_sha256: sha(png2) },
    ]);
  });

  it('asks the file host only for its robots.txt and the report pages’ own files, one at a time', () => {
    expect([...F.paths()].sort()).toEqual(
      ['/robots.txt', '/picture/t1.png', '/picture/t2.png', '/files/2022.pdf', '/download.jsp?fileId=9', '/files/store/9.pdf'].sort(),
    );
    expect(F.maxConcurrent).toBe(1);
    expect(A.maxConcurrent).toBe(1);
    expect(db.prepare('SELECT url FROM frontier WHERE url = ?').get(`${F.origin}/other/index.html`)).toBeUndefined();
  });
});
