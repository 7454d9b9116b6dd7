/**
 * The crawler on the CMS platforms government sites run, against loopback sites built here after
 * their real markup and protocols:
 * - a Hanweb (大汉) jpage column: 26 records, the first 8 inline in `<script type="text/xml">
 *   <datastore>`, the rest only through POST dataproxy.jsp windows (form body from ajaxParam); a
 *   detail page whose report is a PDF behind downfile.jsp (application/octet-stream, Chinese RFC 6266
 *   filename*), one whose report is an OFD behind /api/file/download?fileId= (raw GBK filename), one
 *   whose tables are pictures (fetched and stored with it);
 * - a TRS 动静结合 column: page 1 static, pages 2 and 3 only from the JSONP API its script calls;
 *   robots.txt names a sitemap;
 * - a site whose reports are linked from nowhere but its sitemap (index, gzip'd sitemap, titles);
 * - seeds with labels.
 * Asserted on the database and on the servers' request logs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { IncomingMessage } from 'node:http';
import { zipSync, strToU8 } from 'fflate';
import sharp from 'sharp';
import { openDb, type Db } from '../src/store/db.js';
import { Crawler, type CrawlOptions, type CrawlSummary } from '../src/crawl/crawler.js';
import { loadPageResources } from '../src/crawl/resources.js';
import { listPage, startHost, type TestHost } from './helpers/testsite.js';

const root = join(import.meta.dirname, '..');
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const SAMPLES = ['xihua-county-2021.html', 'taikang-education-2021-bad-sums.html', 'zhoukou-ecology-2019.html', 'xuyi-2020-labels.html'];
const SAMPLE_HTML = SAMPLES.map((n) => readFileSync(join(root, 'samples', n), 'utf8').replace(/<a\b[^>]*>|<\/a>/gi, ''));
/** A distinct report page (a sample's bytes, its site links taken out, and a mark). */
const reportPage = (n: number) => new Uint8Array(Buffer.from(SAMPLE_HTML[n % SAMPLE_HTML.length] + `\n<!-- report ${n} -->\n`));
const PDF = new Uint8Array(readFileSync(join(root, 'samples', 'pdf', 'pdf-2021-no-repeat.pdf')));
const DOCX = new Uint8Array(readFileSync(join(root, 'samples', 'office', 'zhoukou-ecology-2019.docx')));
const OFD = zipSync({
  'OFD.xml': strToU8('<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" DocType="OFD" Version="1.0"><ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>'),
  'Doc_0/Document.xml': strToU8('<?xml version="1.0" encoding="UTF-8"?><ofd:Document xmlns:ofd="http://www.ofdspec.org/2016"/>'),
});
/** 2022年度报告.ofd in GBK, as a server sends it raw in Content-Disposition. */
const GBK_NAME = Buffer.from('32303232c4eab6c8b1a8b8e62e6f6664', 'hex');

const OPTS: Partial<CrawlOptions> = {
  concurrency: 4,
  delayMs: 0,
  backoffBaseMs: 30,
  maxTries: 2,
  timeoutMs: 2000,
  connectTimeoutMs: 1000,
  maxWaitMs: 5_000,
  extractTimeoutMs: 60_000,
};

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });

// ---- the Hanweb site ---------------------------------------------------------------------------

const COL = 7236;
const UNIT = 26616;
const TOTAL = 26;
const recordPath = (i: number) =>
  i === 9 ? `/private/art/2023/1/9/art_${COL}_${1000 + i}.html` : `/art/2023/1/${i}/art_${COL}_${1000 + i}.html`;
const AGENCIES: Record<number, string> = { 3: '某县审计局', 4: '某县档案馆', 5: '某县生态环境分局', 6: '某县统计局' };
const recordTitle = (i: number) => (AGENCIES[i] ?? `某县第${i}局`) + '2022年政府信息公开工作年度报告';
const recordLi = (href: string, title: string) =>
  `<li><a href="${href}" target="_blank" title="${title}">${title}</a><span class="bt-data-time">2023-01-18</span></li>`;

function hanwebColumn(): string {
  const records = Array.from({ length: 8 }, (_, k) => {
    const i = k + 1;
    return `<record><![CDATA[\n${recordLi(recordPath(i), recordTitle(i))}\n]]></record>`;
  }).join('\n');
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>政府信息公开年报 某县人民政府</title>
<script type="text/javascript" src="/module/jslib/jquery/jquery.js"></script>
<script type="text/javascript" src="/module/jslib/jquery/jpage/jquery.page.min.js"></script>
</head><body>
<div class="main"><div class="bt">政府信息公开年报</div>
<div id="${UNIT}"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&webid=1&path=/&columnid=${COL}&unitid=${UNIT}&webname=%E6%9F%90%E5%8E%BF%E4%BA%BA%E6%B0%91%E6%94%BF%E5%BA%9C&permissiontype=0"></a>]]></nextgroup>
<recordset>
${records}
</recordset></datastore></script></div>
<script type="text/javascript">
$(document).ready(function () {
  $('#${UNIT}').jpage({
    dataBefore: '<ul class="list">',
    dataAfter: '</ul>',
    perPage: 4,
    totalRecord: ${TOTAL},
    groupSize: 2,
    barPosition: 'bottom',
    proxyUrl: '/module/web/jpage/dataproxy.jsp',
    ajaxParam: {
      col: 1, appid: 1, webid: 1, path: '/', columnid: ${COL}, sourceContentType: 1,
      unitid: '${UNIT}', webname: '某县人民政府', permissiontype: 0
    }
  });
});
</script></div></body></html>`;
}

function detailPage(title: string, content: string): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title}</title></head><body>
<div class="header"><img src="/images/logo.png" alt="某县人民政府"></div>
<div class="main"><h1>${title}</h1><div id="zoom">${content}</div></div></body></html>`;
}

// ---- the TRS site --------------------------------------------------------------------------------

const TRS_TOTAL = 13;
const trsPath = (i: number) => `/xxgk/xxgknb/202301/t202301${String(10 + i).padStart(2, '0')}_${4000 + i}.html`;
const trsTitle = (i: number) => `某市第${i}局2022年政府信息公开工作年度报告`;

function trsColumn(): string {
  const items = Array.from({ length: 5 }, (_, k) => {
    const i = k + 1;
    return `<li><a href=".${trsPath(i).slice('/xxgk/xxgknb'.length)}" target="_blank" title="${trsTitle(i)}">${trsTitle(i)}</a><span>2023-01-18</span></li>`;
  }).join('\n');
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>政府信息公开年报_某市人民政府</title>
<script src="/js/jquery.min.js"></script></head><body>
<div class="xxgk-nb"><h2>政府信息公开年报</h2>
<ul class="list" id="docList">
${items}
</ul>
<div id="pageNav"></div></div>
<script type="text/javascript">
  var currentPage = 1;
  var totalPage = 3;
  function showPage(page) {
    $.ajax({
      url: '/was5/web/search?channelid=4521&templet=docs.jsp&perpage=5&page=' + page,
      dataType: 'jsonp',
      jsonp: 'callback',
      success: function (data) {
        var html = '';
        $.each(data.docs, function (i, d) {
          html += '<li><a href="' + d.docpuburl + '">' + d.doctitle + '</a><span>' + d.docreltime + '</span></li>';
        });
        $('#docList').html(html);
        currentPage = page;
        drawPager();
      }
    });
  }
  function drawPager() {
    var s = '';
    for (var p = 1; p <= totalPage; p++) s += '<a href="javascript:showPage(' + p + ')">' + p + '</a>';
    $('#pageNav').html(s);
  }
  drawPager();
</script></body></html>`;
}

// ---- the crawl -----------------------------------------------------------------------------------

let H: TestHost; // Hanweb
let T: TestHost; // TRS
let S: TestHost; // reports only in its sitemap
let C: TestHost; // off-site
let dir: string;
let db: Db;
let summary: CrawlSummary;
const posts: { query: string; body: string; type: string | undefined }[] = [];
const docs = new Map<string, Uint8Array>(); // what each report URL serves (the expected stored bytes)
let png1: Buffer;
let png2: Buffer;

beforeAll(async () => {
  png1 = await sharp({ create: { width: 40, height: 20, channels: 3, background: '#ffffff' } }).png().toBuffer();
  png2 = await sharp({ create: { width: 30, height: 20, channels: 3, background: '#eeeeee' } }).png().toBuffer();
  C = await startHost({ '/robots.txt': { body: '', type: 'text/plain' } });

  const hRoutes: Parameters<typeof startHost>[0] = {
    '/robots.txt': { body: 'User-agent: *\nDisallow: /private/\nDisallow: /module/search/\n', type: 'text/plain' },
    [`/col/col${COL}/index.html`]: { body: hanwebColumn() },
    '/module/web/jpage/dataproxy.jsp': async (req, res) => {
      const body = await readBody(req);
      const u = new URL(req.url!, 'http://x');
      if (req.method !== 'POST') return void res.writeHead(405).end();
      posts.push({ query: u.search, body, type: req.headers['content-type'] });
      const form = new URLSearchParams(body);
      if (form.get('columnid') !== String(COL) || form.get('unitid') !== String(UNIT) || form.get('webname') !== '某县人民政府') {
        return void res.writeHead(400).end();
      }
      const start = Number(u.searchParams.get('startrecord'));
      const end = Math.min(Number(u.searchParams.get('endrecord')), TOTAL);
      const recs: string[] = [];
      for (let i = start; i <= end; i++) {
        const href = i === 12 ? `${C.origin}/art/2023/1/12/art_${COL}_1012.html` : recordPath(i);
        recs.push(`<record><![CDATA[\n${recordLi(href, recordTitle(i))}\n]]></record>`);
      }
      const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<datastore>\n<totalrecord>${TOTAL}</totalrecord>\n<totalpage>${Math.ceil(TOTAL / 4)}</totalpage>\n<recordset>\n${recs.join('\n')}\n</recordset>\n</datastore>`;
      res.writeHead(200, { 'content-type': 'text/xml;charset=UTF-8' }).end(xml);
    },
    // record 3: the report is a PDF behind downfile.jsp (and a DOCX copy, less preferred: not fetched)
    [recordPath(3)]: {
      body: detailPage(
        recordTitle(3),
        `<p>附件：</p><p><a href="/module/download/downfile.jsp?classid=0&filename=2301181530123.pdf">${recordTitle(3)}.pdf</a></p>
         <p><a href="/module/download/downfile.jsp?classid=0&filename=2301181530124.docx">${recordTitle(3)}.docx</a></p>`,
      ),
    },
    '/module/download/downfile.jsp': (req, res) => {
      const u = new URL(req.url!, 'http://x');
      if (u.searchParams.get('filename') !== '2301181530123.pdf') return void res.writeHead(404).end();
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-disposition': `attachment; filename="2301181530123.pdf"; filename*=UTF-8''${encodeURIComponent(recordTitle(3) + '.pdf')}`,
        'content-length': String(PDF.length),
      });
      res.end(Buffer.from(PDF));
    },
    // record 4: an OFD behind a download API, named in GBK
    [recordPath(4)]: { body: detailPage(recordTitle(4), `<p>全文下载：<a href="/api/file/download?fileId=77">附件下载</a></p>`) },
    '/api/file/download': (req, res) => {
      if (new URL(req.url!, 'http://x').searchParams.get('fileId') !== '77') return void res.writeHead(404).end();
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-disposition': 'attachment; filename="' + GBK_NAME.toString('latin1') + '"',
      });
      res.end(Buffer.from(OFD));
    },
    // record 5: a DOCX behind getFile?id=, named by a percent-encoded filename (as servers do for IE)
    [recordPath(5)]: { body: detailPage(recordTitle(5), `<p><a href="/common/getFile?id=5">附件：${recordTitle(5)}.docx</a></p>`) },
    '/common/getFile': (req, res) => {
      if (new URL(req.url!, 'http://x').searchParams.get('id') !== '5') return void res.writeHead(404).end();
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-disposition': `attachment; filename="${encodeURIComponent(recordTitle(5) + '.docx')}"`,
      });
      res.end(Buffer.from(DOCX));
    },
    // record 6: the tables are pictures
    [recordPath(6)]: {
      body: detailPage(
        recordTitle(6),
        `<p>根据《中华人民共和国政府信息公开条例》的规定，现公布本机关2022年政府信息公开工作年度报告。</p>
         <p>一、总体情况</p><p>2022年，某县统计局坚持以公开为常态、不公开为例外，全面推进政府信息公开工作。</p>
         <p>二、主动公开政府信息情况</p><p><img src="/picture/0/2301181600001.png"></p>
         <p>三、收到和处理政府信息公开申请情况</p><p><img src="/picture/0/2301181600002.png" width="600"></p>`,
      ),
    },
    '/picture/0/2301181600001.png': (_q, r) => r.writeHead(200, { 'content-type': 'image/png' }).end(png1),
    '/picture/0/2301181600002.png': (_q, r) => r.writeHead(200, { 'content-type': 'image/png' }).end(png2),
  };
  for (let i = 1; i <= TOTAL; i++) {
    if (i === 3 || i === 4 || i === 5 || i === 6 || i === 12) continue;
    const bytes = reportPage(i);
    hRoutes[recordPath(i)] = { body: bytes };
    if (i !== 9) docs.set(recordPath(i), bytes);
  }
  H = await startHost(hRoutes);

  const tRoutes: Parameters<typeof startHost>[0] = {
    '/xxgk/xxgknb/index.shtml': { body: trsColumn() },
    '/was5/web/search': (req, res) => {
      const u = new URL(req.url!, 'http://x');
      const page = Number(u.searchParams.get('page'));
      const per = Number(u.searchParams.get('perpage'));
      if (u.searchParams.get('channelid') !== '4521' || !(page >= 1)) return void res.writeHead(400).end();
      const list = [];
      for (let i = (page - 1) * per + 1; i <= Math.min(page * per, TRS_TOTAL); i++) {
        list.push({ doctitle: trsTitle(i), docpuburl: `${T.origin}${trsPath(i)}`, docreltime: '2023-01-18' });
      }
      const json = JSON.stringify({ count: TRS_TOTAL, pagecount: Math.ceil(TRS_TOTAL / per), page, docs: list });
      const cb = u.searchParams.get('callback') ?? 'callback';
      res.writeHead(200, { 'content-type': 'application/javascript; charset=utf-8' }).end(`${cb}(${json});`);
    },
    '/smap/main.xml': {
      type: 'application/xml',
      body: `<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>PLACEHOLDER/xxgk/xxgknb/202212/t20221230_3999.html</loc><lastmod>2022-12-30</lastmod></url>
<url><loc>PLACEHOLDER/xxgk/private/xxgknb/t20221230_3998.html</loc></url>
<url><loc>PLACEHOLDER/news/t20221230_3997.html</loc></url>
</urlset>`,
    },
  };
  for (let i = 1; i <= TRS_TOTAL; i++) {
    const bytes = reportPage(100 + i);
    tRoutes[trsPath(i)] = { body: bytes };
    docs.set(trsPath(i), bytes);
  }
  tRoutes['/xxgk/xxgknb/202212/t20221230_3999.html'] = { body: reportPage(199) };
  tRoutes['/xxgk/private/xxgknb/t20221230_3998.html'] = { body: reportPage(198) };
  tRoutes['/news/t20221230_3997.html'] = { body: '<html><body><h1>新闻</h1></body></html>' };
  docs.set('/xxgk/xxgknb/202212/t20221230_3999.html', tRoutes['/xxgk/xxgknb/202212/t20221230_3999.html'].body as Uint8Array);
  T = await startHost(tRoutes);
  const sm = tRoutes['/smap/main.xml'] as { body: string };
  sm.body = sm.body.replace(/PLACEHOLDER/g, T.origin);
  tRoutes['/robots.txt'] = { body: `User-agent: *\nDisallow: /xxgk/private/\n\nSitemap: ${T.origin}/smap/main.xml\n`, type: 'text/plain' };

  const sRoutes: Parameters<typeof startHost>[0] = {
    '/robots.txt': (_q, r) => r.writeHead(404).end(),
    '/': { body: '<html><head><title>某区人民政府</title></head><body><a href="/about.html">关于我们</a></body></html>' },
    '/content/2023/0118/c123_1.html': { body: reportPage(301) },
    '/zfxxgk/ndbg/2022.html': { body: reportPage(302) },
    '/news/c1.html': { body: '<html><body>会议</body></html>' },
    '/about.html': { body: '<html><body>关于</body></html>' },
  };
  S = await startHost(sRoutes);
  sRoutes['/sitemap.xml'] = {
    type: 'application/xml',
    body: `<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>${S.origin}/sitemap-news.xml.gz</loc></sitemap><sitemap><loc>${S.origin}/sitemap-pages.xml</loc></sitemap></sitemapindex>`,
  };
  sRoutes['/sitemap-news.xml.gz'] = {
    type: 'application/x-gzip',
    body: gzipSync(`<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>${S.origin}/content/2023/0118/c123_1.html</loc><news:news><news:title>某区人民政府2022年政府信息公开工作年度报告</news:title></news:news></url>
<url><loc>${S.origin}/news/c1.html</loc><news:news><news:title>区政府召开常务会议</news:title></news:news></url>
</urlset>`),
  };
  sRoutes['/sitemap-pages.xml'] = {
    type: 'application/xml',
    body: `<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>${S.origin}/zfxxgk/ndbg/2022.html</loc></url><url><loc>${S.origin}/about.html</loc></url></urlset>`,
  };
  docs.set('S/content/2023/0118/c123_1.html', sRoutes['/content/2023/0118/c123_1.html'].body as Uint8Array);
  docs.set('S/zfxxgk/ndbg/2022.html', sRoutes['/zfxxgk/ndbg/2022.html'].body as Uint8Array);

  dir = mkdtempSync(join(tmpdir(), 'nianbao-cms-'));
  db = openDb(join(dir, 'cms.db'));
  const hSeed = `${H.origin}/col/col${COL}/index.html`;
  const tSeed = `${T.origin}/xxgk/xxgknb/index.shtml`;
  summary = await new Crawler(db, {
    ...OPTS,
    seeds: [hSeed, tSeed, S.origin + '/'],
    seedLabels: { [hSeed]: '江苏省淮安市 county', [tSeed]: '河南省周口市 city' },
  }).run();
}, 180_000);

afterAll(async () => {
  db?.close();
  await Promise.all([H?.close(), T?.close(), S?.close(), C?.close()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

type Stored = { sha256: string; source: string; source_url: string; status: string; kind: string | null };
const stored = () => db.prepare('SELECT sha256, source, source_url, status, kind FROM reports ORDER BY id').all() as Stored[];
const byUrl = (url: string) => stored().find((r) => r.source_url === url);

describe('a Hanweb jpage column', () => {
  it('reads every record: 8 inline, the rest from POST dataproxy.jsp windows up to totalRecord', () => {
    expect(posts.map((p) => p.query)).toEqual([
      '?startrecord=9&endrecord=16&perpage=4',
      '?startrecord=17&endrecord=24&perpage=4',
      '?startrecord=25&endrecord=26&perpage=4',
    ]);
    // the form body is the jpage call's ajaxParam, form-encoded
    const form = new URLSearchParams(posts[0]!.body);
    expect(Object.fromEntries(form)).toEqual({
      col: '1',
      appid: '1',
      webid: '1',
      path: '/',
      columnid: String(COL),
      sourceContentType: '1',
      unitid: String(UNIT),
      webname: '某县人民政府',
      permissiontype: '0',
    });
    expect(posts[0]!.type).toMatch(/^application\/x-www-form-urlencoded/);
    // every record's detail page fetched once (but the one robots.txt forbids and the off-site one)
    for (let i = 1; i <= TOTAL; i++) {
      if (i === 9 || i === 12) continue;
      expect(H.hits(recordPath(i)), recordPath(i)).toBe(1);
    }
    expect(H.paths().filter((p) => p.startsWith('/module/web/jpage/dataproxy.jsp'))).toHaveLength(3);
  });

  it('stores each report once, in the form it is published in', () => {
    const fromH = stored().filter((r) => r.source_url.startsWith(H.origin));
    expect(fromH).toHaveLength(24); // 20 report pages + the PDF, the OFD, the DOCX and the picture page
    for (let i = 1; i <= TOTAL; i++) {
      const bytes = docs.get(recordPath(i));
      if (bytes) expect(byUrl(H.origin + recordPath(i))?.sha256, recordPath(i)).toBe(sha(bytes));
    }
    // the PDF behind downfile.jsp: sniffed from its bytes, named by its RFC 6266 filename*
    const pdf = byUrl(`${H.origin}/module/download/downfile.jsp?classid=0&filename=2301181530123.pdf`)!;
    expect(pdf).toMatchObject({ sha256: sha(PDF), source: '某县审计局2022年政府信息公开工作年度报告.pdf', kind: 'pdf', status: 'ok' });
    // its DOCX copy is the less preferred form: not fetched
    expect(H.paths().filter((p) => p.includes('2301181530124'))).toEqual([]);
    // the OFD behind /api/file/download: kept with its bytes, unsupported_format, named from GBK
    const ofd = byUrl(`${H.origin}/api/file/download?fileId=77`)!;
    expect(ofd).toMatchObject({ sha256: sha(OFD), source: '2022年度报告.ofd', status: 'unsupported_format' });
    // the DOCX behind getFile?id=: read (the Word reader), named from its percent-encoded filename
    const docx = byUrl(`${H.origin}/common/getFile?id=5`)!;
    expect(docx).toMatchObject({ sha256: sha(DOCX), source: `${recordTitle(5)}.docx`, kind: 'docx', status: 'ok' });
    const blob = db.prepare('SELECT size FROM blobs WHERE sha256 = ?').get(sha(OFD)) as { size: number };
    expect(blob.size).toBe(OFD.length);
  });

  it('fetches the pictures of a report page whose tables are images and stores them with it', () => {
    const page = byUrl(H.origin + recordPath(6))!;
    expect(page).toMatchObject({ kind: 'html', status: 'no_tables' }); // (until OCR reads the pictures)
    const rows = db.prepare('SELECT url, resource_sha256 FROM page_resources WHERE page_sha256 = ? ORDER BY url').all(page.sha256);
    expect(rows).toEqual([
      { url: `${H.origin}/picture/0/2301181600001.png`, resource_sha256: sha(png1) },
      { url: `${H.origin}/picture/0/2301181600002.png`, resource_sha256: sha(png2) },
    ]);
    const res = loadPageResources(db, page.sha256);
    expect(Object.keys(res).sort()).toEqual([`${H.origin}/picture/0/2301181600001.png`, `${H.origin}/picture/0/2301181600002.png`]);
    expect(Buffer.from(res[`${H.origin}/picture/0/2301181600002.png`]!).equals(png2)).toBe(true);
    // the site's logo is no table; other report pages' images are not fetched
    expect(H.hits('/images/logo.png')).toBe(0);
    expect(H.paths().filter((p) => p.startsWith('/picture/'))).toHaveLength(2);
  });

  it('fetches nothing robots.txt forbids and nothing off-site', () => {
    expect(H.paths().some((p) => p.startsWith('/private/'))).toBe(false);
    const blocked = db.prepare('SELECT state, last_error FROM frontier WHERE url = ?').get(H.origin + recordPath(9));
    expect(blocked).toEqual({ state: 'blocked', last_error: 'robots.txt: Disallow: /private/' });
    expect(C.log).toHaveLength(0);
  });
});

describe('a TRS 动静结合 column', () => {
  it('reads page 1 from the page and pages 2 and 3 only from the API its script calls', () => {
    expect(T.paths().filter((p) => p.startsWith('/was5/'))).toEqual([
      '/was5/web/search?channelid=4521&templet=docs.jsp&perpage=5&page=2',
      '/was5/web/search?channelid=4521&templet=docs.jsp&perpage=5&page=3',
    ]);
    for (let i = 1; i <= TRS_TOTAL; i++) {
      expect(T.hits(trsPath(i)), trsPath(i)).toBe(1);
      expect(byUrl(T.origin + trsPath(i))?.sha256).toBe(sha(docs.get(trsPath(i))!));
    }
  });

  it('follows the report URLs of the sitemap robots.txt names, within robots.txt', () => {
    expect(T.hits('/smap/main.xml')).toBe(1);
    expect(byUrl(`${T.origin}/xxgk/xxgknb/202212/t20221230_3999.html`)?.sha256).toBe(sha(docs.get('/xxgk/xxgknb/202212/t20221230_3999.html')!));
    expect(T.hits('/xxgk/private/xxgknb/t20221230_3998.html')).toBe(0);
    expect(T.hits('/news/t20221230_3997.html')).toBe(0); // not a report's URL
    // the seed is a column, not the site root: no /sitemap.xml guessed
    expect(T.hits('/sitemap.xml')).toBe(0);
  });
});

describe('sitemaps', () => {
  it('a root seed’s /sitemap.xml: an index, a gzip’d sitemap, report URLs and titles', () => {
    expect(S.paths()).toEqual(expect.arrayContaining(['/sitemap.xml', '/sitemap-news.xml.gz', '/sitemap-pages.xml']));
    expect(byUrl(`${S.origin}/content/2023/0118/c123_1.html`)?.sha256).toBe(sha(docs.get('S/content/2023/0118/c123_1.html')!));
    expect(byUrl(`${S.origin}/zfxxgk/ndbg/2022.html`)?.sha256).toBe(sha(docs.get('S/zfxxgk/ndbg/2022.html')!));
    expect(S.hits('/news/c1.html')).toBe(0);
    expect(S.hits('/about.html')).toBe(0);
  });
});

describe('the whole crawl', () => {
  it('stores every report once and nothing else', () => {
    const all = stored();
    expect(all).toHaveLength(24 + TRS_TOTAL + 1 + 2);
    expect(new Set(all.map((r) => r.sha256)).size).toBe(all.length);
    expect(new Set(all.map((r) => r.source_url)).size).toBe(all.length);
    expect(summary.failed).toBe(0);
    expect(summary.stored).toBe(all.length);
  });

  it('sends one request at a time to each host', () => {
    for (const host of [H, T, S]) {
      expect(host.maxConcurrent).toBe(1);
      expect(host.log.every((l) => l.concurrent === 1)).toBe(true);
      expect(host.paths()[0]).toBe('/robots.txt');
    }
  });

  it('stores each seed’s label for every report found from it', () => {
    const labels = db.prepare('SELECT sha256, label FROM seed_labels').all() as { sha256: string; label: string }[];
    const of = (origin: string) =>
      stored()
        .filter((r) => r.source_url.startsWith(origin))
        .map((r) => r.sha256)
        .sort();
    expect(labels.filter((l) => l.label === '江苏省淮安市 county').map((l) => l.sha256).sort()).toEqual(of(H.origin));
    expect(labels.filter((l) => l.label === '河南省周口市 city').map((l) => l.sha256).sort()).toEqual(of(T.origin));
    expect(labels).toHaveLength(of(H.origin).length + of(T.origin).length); // the sitemap site's seed has none
  });

  it('a second run fetches nothing again (POST windows and API pages are in the frontier)', async () => {
    const before = [H.log.length, T.log.length, S.log.length];
    const again = await new Crawler(db, { ...OPTS, seeds: [`${H.origin}/col/col${COL}/index.html`] }).run();
    expect(again.fetched).toBe(0);
    expect([H.log.length, T.log.length, S.log.length]).toEqual(before);
    const post = db.prepare(`SELECT method, body, state, role FROM frontier WHERE method = 'POST' ORDER BY rowid`).all() as {
      method: string;
      body: string;
      state: string;
      role: string;
    }[];
    expect(post).toHaveLength(3);
    expect(post.every((p) => p.state === 'done' && p.role === 'list' && new URLSearchParams(p.body).get('columnid') === String(COL))).toBe(true);
  });
});

describe('nianbao crawl --seeds', () => {
  it('takes URLs and seeds files (with labels) together, and stores the labels', async () => {
    const K = await startHost({
      '/robots.txt': { body: 'User-agent: *\nDisallow:\n', type: 'text/plain' },
      '/a/': { body: listPage({ items: [1, 2].map((i) => ({ href: `/a/${i}.html`, text: `某镇${i}2022年政府信息公开工作年度报告` })) }) },
      '/b/': { body: listPage({ items: [{ href: '/b/3.html', text: '某乡2022年政府信息公开工作年度报告' }] }) },
      '/a/1.html': { body: reportPage(401) },
      '/a/2.html': { body: reportPage(402) },
      '/b/3.html': { body: reportPage(403) },
    });
    const kdir = mkdtempSync(join(tmpdir(), 'nianbao-seeds-'));
    try {
      const seeds = join(kdir, 'seeds.txt');
      writeFileSync(seeds, `# 江苏\n${K.origin}/a/\t江苏省淮安市\ttownship  # the towns\n`);
      const dbPath = join(kdir, 'k.db');
      const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
        const child = spawn(process.execPath, [join(root, 'bin', 'nianbao.js'), 'crawl', '--seeds', seeds, '--seeds', `${K.origin}/b/`, '--db', dbPath, '--delay', '0', '--json']);
        let stdout = '';
        let stderr = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
        child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      });
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ stored: 3, failed: 0 });
      const kdb = openDb(dbPath);
      try {
        const rows = kdb
          .prepare('SELECT r.source_url, l.label FROM reports r LEFT JOIN seed_labels l ON l.sha256 = r.sha256 ORDER BY r.source_url')
          .all();
        expect(rows).toEqual([
          { source_url: `${K.origin}/a/1.html`, label: '江苏省淮安市 township' },
          { source_url: `${K.origin}/a/2.html`, label: '江苏省淮安市 township' },
          { source_url: `${K.origin}/b/3.html`, label: null },
        ]);
      } finally {
        kdb.close();
      }
      expect(K.maxConcurrent).toBe(1);
    } finally {
      await K.close();
      rmSync(kdir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('robots.txt and POST requests', () => {
  it('a list API robots.txt forbids is never asked, by POST either', async () => {
    const J = await startHost({
      '/robots.txt': { body: 'User-agent: *\nDisallow: /module/web/jpage/\n', type: 'text/plain' },
      [`/col/col${COL}/index.html`]: { body: hanwebColumn() },
    });
    const jdir = mkdtempSync(join(tmpdir(), 'nianbao-cms-robots-'));
    const jdb = openDb(join(jdir, 'j.db'));
    try {
      const s = await new Crawler(jdb, { ...OPTS, seeds: [`${J.origin}/col/col${COL}/index.html`] }).run();
      // (the column is rendered once to compare: its script files under /module/jslib/ are allowed)
      expect(J.paths().filter((p) => p.startsWith('/module/web/jpage/'))).toEqual([]);
      const rows = jdb.prepare(`SELECT state, last_error FROM frontier WHERE method = 'POST'`).all();
      expect(rows).toEqual(Array(3).fill({ state: 'blocked', last_error: 'robots.txt: Disallow: /module/web/jpage/' }));
      expect(s.blocked).toBe(3);
    } finally {
      jdb.close();
      await J.close();
      rmSync(jdir, { recursive: true, force: true });
    }
  }, 60_000); // the column is rendered once to compare (a browser start)
});
