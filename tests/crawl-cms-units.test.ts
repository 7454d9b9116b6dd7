/**
 * The CMS readers, attachments, sitemaps, seeds files and the frontier's POST rows on their own.
 */
import { describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { zipSync, strToU8 } from 'fflate';
import { attachmentFormat, contentDispositionFilename, FORM_PREFERENCE } from '../src/crawl/attachments.js';
import { sniffFormat } from '../src/decode.js';
import { extractBytes } from '../src/extract.js';
import { readHanwebAnswer, readHanwebColumn } from '../src/crawl/cms/hanweb.js';
import { readTrsAnswer, readTrsDynamicList } from '../src/crawl/cms/trs.js';
import { discover, discoverAnswer } from '../src/crawl/discover.js';
import { readSitemap, sitemapsFromRobots } from '../src/crawl/sitemap.js';
import { Frontier, requestUrl } from '../src/crawl/frontier.js';
import { parseSeeds } from '../src/commands/crawl.js';
import { CRAWL_MIGRATIONS } from '../src/crawl/schema.js';
import { applyMigrations } from '../src/store/migrate.js';
import { openDb } from '../src/store/db.js';
import { storeBlob } from '../src/store/ingest.js';
import { reextractAll } from '../src/commands/reextract.js';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('Content-Disposition (RFC 6266)', () => {
  it('prefers filename* (RFC 8187, percent-encoded UTF-8) to filename', () => {
    const name = '某县2022年政府信息公开工作年度报告.pdf';
    expect(contentDispositionFilename(`attachment; filename="fallback.pdf"; filename*=UTF-8''${encodeURIComponent(name)}`)).toBe(name);
    expect(contentDispositionFilename(`attachment; filename*=utf-8'zh-CN'${encodeURIComponent(name)}`)).toBe(name);
  });

  it('reads raw UTF-8 and raw GBK bytes, percent-encoded UTF-8 in filename, unquoted values and paths', () => {
    const latin1 = (b: Buffer) => b.toString('latin1');
    expect(contentDispositionFilename('attachment; filename="' + latin1(Buffer.from('年度报告.docx')) + '"')).toBe('年度报告.docx');
    const gbk = Buffer.from('c4eab6c8b1a8b8e62e776073', 'hex').subarray(0, 8); // 年度报告
    expect(contentDispositionFilename('attachment; filename="' + latin1(Buffer.concat([gbk, Buffer.from('.wps')])) + '"')).toBe('年度报告.wps');
    expect(contentDispositionFilename(`attachment;filename=${encodeURIComponent('年报.xls')}`)).toBe('年报.xls');
    expect(contentDispositionFilename('inline; filename="C:\\\\docs\\\\2022.ofd"')).toBe('2022.ofd');
    expect(contentDispositionFilename('attachment')).toBeUndefined();
    expect(contentDispositionFilename(undefined)).toBeUndefined();
  });
});

describe('attachments', () => {
  const f = (url: string, text = '') => attachmentFormat(new URL(url, 'http://h/'), text);

  it('tells download endpoints by extension, filename= values, download paths and link text', () => {
    expect(f('/up/2023/nb.pdf')).toBe('pdf');
    expect(f('/up/2023/nb.DOCX')).toBe('docx');
    expect(f('/up/nb.et')).toBe('xlsx');
    expect(f('/up/nb.ofd')).toBe('ofd');
    expect(f('/module/download/downfile.jsp?classid=0&filename=2301181530123.wps')).toBe('wps');
    expect(f('/api/file/download?fileId=77')).toBe('unknown');
    expect(f('/common/getFile?id=9', '附件：年度报告.doc')).toBe('doc');
    expect(f('/attach/show.do?attachId=5', '附件下载')).toBe('unknown');
    expect(f('/art/2023/1/18/art_1_2.html', '附件下载')).toBeUndefined();
    expect(f('/col/col12/index.html?id=3', '年度报告')).toBeUndefined();
    expect(f('/news/list.jsp?id=4', '通知')).toBeUndefined();
    expect(f('/downloads/index.html')).toBeUndefined();
  });

  it('sniffs the form from the bytes', () => {
    const docx = zipSync({ '[Content_Types].xml': strToU8('<Types/>'), 'word/document.xml': strToU8('<w:document/>') });
    const xlsx = zipSync({ 'xl/workbook.xml': strToU8('<workbook/>') });
    const ofd = zipSync({ 'OFD.xml': strToU8('<ofd:OFD/>') });
    const ole = new Uint8Array(1024);
    ole.set([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
    ole.set(Buffer.from('WordDocument', 'utf16le'), 512);
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    expect(sniffFormat(docx)).toBe('docx');
    expect(sniffFormat(xlsx)).toBe('xlsx');
    expect(sniffFormat(ofd)).toBe('ofd');
    expect(sniffFormat(ole)).toBe('doc');
    expect(sniffFormat(ole, undefined, 'x.wps')).toBe('wps');
    expect(sniffFormat(png, 'application/octet-stream')).toBe('image');
    expect(sniffFormat(new Uint8Array(Buffer.from('%PDF-1.7\n')))).toBe('pdf');
    expect(sniffFormat(new Uint8Array([0, 1, 2, 3, 0, 0, 9]))).toBe('binary');
  });

  it('a form with no reader is unsupported_format, not an error; other binary data stays an error', async () => {
    const ofd = zipSync({ 'OFD.xml': strToU8('<ofd:OFD/>') });
    const r = await extractBytes(ofd, { source: '2022年度报告.ofd' });
    expect(r.status).toBe('unsupported_format');
    expect(r.kind).toBeNull();
    expect(r.problems.map((p) => p.code)).toEqual(['unsupported_format']);
    const junk = await extractBytes(new Uint8Array([0, 1, 2, 3, 0, 0, 9, 0]), { source: 'x' });
    expect(junk.status).toBe('error');
    expect(junk.problems.map((p) => p.code)).toEqual(['not_a_document']);
  });

  it('a page offering its report in several forms yields the most preferred one only', () => {
    expect(FORM_PREFERENCE.slice(0, 2)).toEqual(['pdf', 'docx']);
    const page = (links: string) =>
      discover(`<html><head><title>某县2022年政府信息公开工作年度报告</title></head><body><h1>某县2022年政府信息公开工作年度报告</h1>${links}</body></html>`, 'http://h/art/1.html');
    const both = page('<a href="/f/a.docx">年度报告.docx</a><a href="/f/a.pdf">年度报告.pdf</a><a href="/f/a.ofd">OFD版</a>');
    expect(both.role).toBe('wrapper');
    expect(both.links.map((l) => l.url)).toEqual(['http://h/f/a.pdf']);
    const office = page('<a href="/f/a.ofd">OFD版</a><a href="/f/a.wps">WPS版</a><a href="/api/file/download?fileId=3">附件下载</a>');
    expect(office.links.map((l) => l.url)).toEqual(['http://h/f/a.wps']);
    // on a list page, an office file is followed only when its link names a report
    const list = discover(
      '<html><body><a href="/f/sqb.doc">政府信息公开申请表.doc</a><a href="/f/nb.doc">2022年政府信息公开工作年度报告.doc</a></body></html>',
      'http://h/xxgk/index.html',
    );
    expect(list.links.map((l) => l.url)).toEqual(['http://h/f/nb.doc']);
  });
});

describe('Hanweb jpage', () => {
  const column = (call: string) => `<div id="1"><script type="text/xml"><datastore><nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&amp;columnid=5"></a>]]></nextgroup><recordset>
<record><![CDATA[<li><a href="/art/2023/1/2/art_5_1.html">一</a></li>]]></record>
<record><![CDATA[<li><a href="/art/2023/1/2/art_5_2.html">二</a></li>]]></record>
</recordset></datastore></script></div>${call}`;

  it('without totalRecord: one window, then the answer’s totalrecord says how many more', () => {
    const r = readHanwebColumn(column(`<script>$('#1').jpage({perPage: 2, proxyUrl: "/dp.jsp", ajaxParam: {columnid: 5, webname: "某市"}});</script>`), 'http://h/col/col5/index.html', true);
    expect(r.fragments).toHaveLength(2);
    expect(r.requests.map((q) => [q.url, q.method, q.body])).toEqual([
      ['http://h/dp.jsp?startrecord=3&endrecord=8&perpage=2', 'POST', 'columnid=5&webname=%E6%9F%90%E5%B8%82'],
    ]);
    const api = r.requests[0]!.api as Parameters<typeof readHanwebAnswer>[3];
    const answer = readHanwebAnswer(
      '<datastore><totalrecord>15</totalrecord><totalpage>8</totalpage><recordset><record><![CDATA[<li><a href="/art/2023/1/2/art_5_3.html">三</a></li>]]></record></recordset></datastore>',
      r.requests[0]!.url,
      r.requests[0]!.body!,
      api,
    );
    expect(answer.fragments).toEqual(['<li><a href="/art/2023/1/2/art_5_3.html">三</a></li>']);
    expect(answer.requests.map((q) => q.url)).toEqual([
      'http://h/dp.jsp?startrecord=9&endrecord=14&perpage=2',
      'http://h/dp.jsp?startrecord=15&endrecord=15&perpage=2',
    ]);
  });

  it('a column that is not one of annual reports is read a window at a time, while its windows bring reports', () => {
    const call = `<script>$('#1').jpage({perPage: 2, groupSize: 1, totalRecord: 100, proxyUrl: "/dp.jsp", ajaxParam: {columnid: 9}});</script>`;
    const r = readHanwebColumn(column(call), 'http://h/col/col9/index.html', false);
    expect(r.requests.map((q) => q.url)).toEqual(['http://h/dp.jsp?startrecord=3&endrecord=4&perpage=2']);
    const q = r.requests[0]!;
    const answer = (title: string) =>
      `<datastore><totalrecord>100</totalrecord><recordset><record><![CDATA[<li><a href="/art/2023/1/2/art_9_3.html">${title}</a></li>]]></record></recordset></datastore>`;
    const api = (l: { kind: string; url: string }[]) => l.filter((x) => x.kind === 'api').map((x) => x.url);
    expect(api(discoverAnswer(answer('某局2022年政府信息公开工作年度报告'), q.url, 'POST', q.body!, q.api))).toEqual(['http://h/dp.jsp?startrecord=5&endrecord=6&perpage=2']);
    expect(discoverAnswer(answer('关于开展安全生产检查的通知'), q.url, 'POST', q.body!, q.api)).toEqual([]);
    // a column of annual reports: every window at once
    expect(readHanwebColumn(column(call), 'http://h/col/col9/index.html', true).requests).toHaveLength(49);
  });

  it('without a jpage call: the nextgroup link', () => {
    const r = readHanwebColumn(column(''), 'http://h/col/col5/index.html', true);
    expect(r.requests.map((q) => [q.url, q.method])).toEqual([['http://h/module/web/jpage/dataproxy.jsp?page=1&columnid=5', 'GET']]);
  });

  it('record links of a report column are reports by their detail URL', () => {
    const page = discover(
      `<html><head><title>政府信息公开年报</title></head><body>${column('')}</body></html>`,
      'http://h/col/col5/index.html',
    );
    expect(page.links.filter((l) => l.kind === 'report').map((l) => l.url)).toEqual(['http://h/art/2023/1/2/art_5_1.html', 'http://h/art/2023/1/2/art_5_2.html']);
  });
});

describe('TRS 动静结合 lists', () => {
  it('an $.ajax POST whose data has the page key, constants resolved; pages from the answer', () => {
    const html = `<script>var cid = "88"; function load(pageNo){ $.ajax({ url: "/api/list", type: "POST", dataType: "json",
      data: { channelId: cid, pageSize: 10, pageNo: pageNo }, success: function (r) {} }); }</script>`;
    const r = readTrsDynamicList(html, 'http://h/xxgk/nb/index.html', true);
    expect(r.requests.map((q) => [q.url, q.method, q.body])).toEqual([['http://h/api/list', 'POST', 'channelId=88&pageSize=10&pageNo=2']]);
    const q = r.requests[0]!;
    const answer = readTrsAnswer(
      JSON.stringify({ data: { total: 35, totalPage: 4, list: [{ title: '某局2022年政府信息公开工作年度报告', url: '/xxgk/nb/t20230101_1.html' }] } }),
      q.url,
      'POST',
      q.body!,
      q.api as Parameters<typeof readTrsAnswer>[4],
    );
    expect(answer.fragments).toEqual(['<a href="/xxgk/nb/t20230101_1.html">某局2022年政府信息公开工作年度报告</a>']);
    expect(answer.requests.map((x) => x.body)).toEqual(['channelId=88&pageSize=10&pageNo=3', 'channelId=88&pageSize=10&pageNo=4']);
  });

  it('no page count anywhere: the next page while pages bring records', () => {
    const html = `<script>$.getJSON("/list.json", { col: 3, page: p }, function (d) {});</script>`;
    const r = readTrsDynamicList(html, 'http://h/c/index.html', false);
    expect(r.requests.map((q) => q.url)).toEqual(['http://h/list.json?col=3&page=2']);
    const api = r.requests[0]!.api as Parameters<typeof readTrsAnswer>[4];
    const more = readTrsAnswer('cb([{"title":"a","url":"/a.html"}])', r.requests[0]!.url, 'GET', null, api);
    expect(more.requests.map((q) => q.url)).toEqual(['http://h/list.json?col=3&page=3']);
    expect(readTrsAnswer('cb([])', r.requests[0]!.url, 'GET', null, api).requests).toEqual([]);
  });

  it('a static pager script is no API', () => {
    expect(readTrsDynamicList(`<script>createPageHTML(5, 0, "index", "html");</script>`, 'http://h/a/', false).requests).toEqual([]);
    expect(readTrsDynamicList(`<script>var u = 'index_' + i + '.html'; $.ajax({url: '/x'});</script>`, 'http://h/a/', false).requests).toEqual([]);
  });
});

describe('sitemaps', () => {
  it('robots.txt Sitemap: lines, index files, gzip, titles, text sitemaps', () => {
    expect(sitemapsFromRobots('User-agent: *\nDisallow: /x\nSitemap: https://h/s1.xml\nsitemap:https://h/s2.xml.gz\n')).toEqual(['https://h/s1.xml', 'https://h/s2.xml.gz']);
    const index = readSitemap(new Uint8Array(Buffer.from('<sitemapindex><sitemap><loc>https://h/a.xml?x=1&amp;y=2</loc></sitemap></sitemapindex>')), 'https://h/sitemap.xml');
    expect(index).toEqual({ pages: [], sitemaps: ['https://h/a.xml?x=1&y=2'] });
    const gz = gzipSync('<urlset><url><loc> https://h/p.html </loc><image:image><image:title><![CDATA[年报]]></image:title></image:image></url></urlset>');
    expect(readSitemap(new Uint8Array(gz), 'https://h/s.xml.gz').pages).toEqual([{ url: 'https://h/p.html', title: '年报' }]);
    expect(readSitemap(new Uint8Array(Buffer.from('https://h/a.html\nnot a url\nhttps://h/b.html\n')), 'https://h/s.txt').pages.map((p) => p.url)).toEqual([
      'https://h/a.html',
      'https://h/b.html',
    ]);
  });
});

describe('seeds files', () => {
  it('a URL a line, then an optional label; comments and blank lines ignored', () => {
    expect(
      parseSeeds('\uFEFF# seeds\nhttps://a.gov.cn/col/col1/index.html\t江苏省淮安市\tcounty\n\nhttps://b.gov.cn/   # no label\nhttps://c.gov.cn/ 河南省  city # note\n'),
    ).toEqual([
      { url: 'https://a.gov.cn/col/col1/index.html', label: '江苏省淮安市 county' },
      { url: 'https://b.gov.cn/', label: null },
      { url: 'https://c.gov.cn/', label: '河南省 city' },
    ]);
  });
});

describe('the frontier’s POST rows', () => {
  it('a frontier from before them is migrated: its rows are GETs, the new tables exist', () => {
    const db = new Database(':memory:');
    applyMigrations(db, 'crawl', CRAWL_MIGRATIONS.slice(0, 1));
    db.prepare(`INSERT INTO frontier (url, host) VALUES ('http://h/a.html', 'h')`).run();
    const f = new Frontier(db);
    expect(f.get('http://h/a.html')).toMatchObject({ method: 'GET', body: null, api: null, seed_label: null });
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('seed_labels', 'page_resources') ORDER BY name`).all();
    expect(tables).toEqual([{ name: 'page_resources' }, { name: 'seed_labels' }]);
    db.close();
  });

  it('are deduplicated by method, URL and body', () => {
    const db = new Database(':memory:');
    const f = new Frontier(db);
    const base = { host: 'h', depth: 0, priority: 1, kindHint: 'api' as const, from: null };
    expect(f.add({ ...base, url: 'http://h/dp.jsp?a=1', method: 'POST', body: 'col=1' })).toBe(true);
    expect(f.add({ ...base, url: 'http://h/dp.jsp?a=1', method: 'POST', body: 'col=1' })).toBe(false);
    expect(f.add({ ...base, url: 'http://h/dp.jsp?a=1', method: 'POST', body: 'col=2' })).toBe(true);
    expect(f.add({ ...base, url: 'http://h/dp.jsp?a=1' })).toBe(true);
    expect(f.add({ ...base, url: 'http://h/dp.jsp?a=1' })).toBe(false);
    const rows = db.prepare('SELECT url, method, body FROM frontier ORDER BY rowid').all() as { url: string; method: string; body: string | null }[];
    expect(rows.map((r) => [r.method, requestUrl(r), r.body])).toEqual([
      ['POST', 'http://h/dp.jsp?a=1', 'col=1'],
      ['POST', 'http://h/dp.jsp?a=1', 'col=2'],
      ['GET', 'http://h/dp.jsp?a=1', null],
    ]);
    db.close();
  });
});

describe('seed labels and reextract', () => {
  it('a page stored later by reextract gets the label of the seed it was reached from', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nianbao-labels-'));
    const db = openDb(join(dir, 'l.db'));
    try {
      new Frontier(db);
      const bytes = new Uint8Array(readFileSync(join(import.meta.dirname, '..', 'samples', 'xihua-county-2021.html')));
      const sha = storeBlob(db, bytes);
      db.prepare(
        `INSERT INTO frontier (url, host, state, role, content_sha256, content_type, seed_label)
         VALUES ('http://h/nb/1.html', 'h', 'done', 'not_report', ?, 'text/html', '河南省周口市 county')`,
      ).run(sha);
      const r = await reextractAll(db);
      expect(r.newlyStored).toBe(1);
      expect(db.prepare('SELECT sha256, label FROM seed_labels').all()).toEqual([{ sha256: sha, label: '河南省周口市 county' }]);
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
