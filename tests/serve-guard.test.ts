/**
 * The review server's guards (issue 20 item 6), over HTTP on loopback: sign-in throttled per account and
 * per address, password hashing off the event loop, the redirect after sign-in kept to the site's own
 * paths, PDF page images limited in pixels, rendered once per page and one at a time per document, and
 * the overview computed once until the data changes. No timing is asserted: counts, statuses and order.
 */
import { request } from 'node:http';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReportSchema, type Report } from '../src/report.js';
import { addReviewer } from '../src/review/accounts.js';
import { afterIngest } from '../src/review/hook.js';
import { openReviewDb } from '../src/review/schema.js';
import { safeNext } from '../src/serve/guard.js';
import { startServer, type RunningServer } from '../src/serve/server.js';
import type { Db } from '../src/store/db.js';
import { ingestReport, sha256Hex } from '../src/store/ingest.js';

interface Answer {
  status: number;
  location?: string;
  retryAfter?: string;
  body: Buffer;
}

function call(base: string, path: string, method = 'GET', body = '', headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(base + path, { method, headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode!, location: res.headers.location, retryAfter: res.headers['retry-after'] as string | undefined, body: Buffer.concat(chunks) }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A one-page PDF whose page is `w` × `h` points (a 435-byte file can declare a 14,400 pt page). */
function pdfWithPage(w: number, h: number): Buffer {
  const objs = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${w} ${h}] /Contents 4 0 R >>`,
    '<< /Length 20 >>\nstream\n0 0 m 100 100 l S\n\nendstream',
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objs.forEach((o, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

function storePdf(db: Db, source: string, bytes: Buffer): number {
  const keys = ['review.upheld', 'review.total'];
  const report = {
    source, sha256: sha256Hex(bytes), status: 'partial', version: '2021', agency: '测试局', year: 2022, title: null, region: null,
    source_url: null, kind: 'pdf', figures: { 'review.upheld': 1, 'review.total': 3 },
    checks: [{ id: 'review.total', status: 'fail', expected: 1, actual: 3, keys }],
    problems: [],
    provenance: Object.fromEntries(keys.map((k, i) => [k, { text: String(i), blank: false, table: 4, grid: 1, row_label: '行政复议', col_label: k, where: { page: 1, bbox: [10, 10, 50, 30] } }])),
  } as unknown as Report;
  const { reportId } = ingestReport(db, ReportSchema.parse(report), bytes);
  afterIngest(db, reportId);
  return reportId;
}

describe('safeNext: the redirect after sign-in goes to the site\'s own paths only', () => {
  it('refuses other hosts however written, keeps own paths', () => {
    for (const bad of ['/\\evil.example/', '//x', '/\\x', '\\/x', 'https://evil.example/', 'http:/x', '//evil.example/%2F..', '/\t/evil.example', '/\n/x', ' /x', 'javascript:alert(1)', '', null, undefined, '/%5C/ok?'.replace('%5C', '\\')]) {
      expect([bad, safeNext(bad)]).toEqual([bad, '/']);
    }
    for (const good of ['/', '/overview', '/report/12?f=check%3Areview.total#f-x', '/?province=41&page=2']) expect(safeNext(good)).toBe(good);
  });
});

describe('the review server under load and abuse', () => {
  let db: Db;
  let srv: RunningServer;
  let now = 1_000_000;
  let pdfId: number;
  let bigId: number;

  beforeAll(async () => {
    db = openReviewDb(':memory:');
    addReviewer(db, 'auditor', 'a long passphrase');
    addReviewer(db, 'second', 'another passphrase');
    pdfId = storePdf(db, 'small.pdf', pdfWithPage(200, 300));
    bigId = storePdf(db, 'huge.pdf', pdfWithPage(14400, 14400));
    srv = await startServer(db, { port: 0, requireLogin: true, throttle: { perAccount: 3, perAddress: 5, windowMs: 60_000, now: () => now } });
  });
  afterAll(async () => {
    await srv.close();
    db.close();
  });

  const signin = (name: string, password: string, next = '/') =>
    call(srv.url, '/signin', 'POST', new URLSearchParams({ csrf: srv.token, name, password, next }).toString());

  it('redirects after sign-in only to its own paths (next=/\\evil.example/ goes to /)', async () => {
    const evil = await signin('auditor', 'a long passphrase', '/\\evil.example/');
    expect([evil.status, evil.location]).toEqual([303, '/']);
    for (const next of ['//x', '/\\x', 'https://evil.example/']) expect((await signin('auditor', 'a long passphrase', next)).location).toBe('/');
    const own = await signin('auditor', 'a long passphrase', `/report/${pdfId}?f=x`);
    expect(own.location).toBe(`/report/${pdfId}?f=x`);
    // the sign-in form does not carry a foreign next either
    const form = await call(srv.url, '/signin?next=' + encodeURIComponent('/\\evil.example/'));
    expect(form.body.toString()).not.toContain('evil.example');
  });

  it('throttles sign-in per account, then per address; the lock ends, and grows', async () => {
    for (let i = 0; i < 3; i++) expect((await signin('auditor', 'wrong password')).status).toBe(401);
    // the account is locked: even the right password is refused, with Retry-After
    const locked = await signin('auditor', 'a long passphrase');
    expect(locked.status).toBe(429);
    expect(Number(locked.retryAfter)).toBe(60);
    expect(locked.body.toString()).toContain('登录失败次数过多');
    // another account from the same address: two more failures lock the address (5 in the window)
    expect((await signin('second', 'wrong')).status).toBe(401);
    expect((await signin('second', 'wrong')).status).toBe(401);
    expect((await signin('second', 'another passphrase')).status).toBe(429);
    expect((await signin('nobody', 'x')).status).toBe(429);
    expect(srv.stats.throttled).toBe(3);
    // a minute later both locks have ended
    now += 61_000;
    expect((await signin('second', 'another passphrase')).status).toBe(303);
    // the account's second lock is twice as long
    for (let i = 0; i < 3; i++) expect((await signin('auditor', 'wrong password')).status).toBe(401);
    expect(Number((await signin('auditor', 'a long passphrase')).retryAfter)).toBe(120);
    now += 121_000;
    expect((await signin('auditor', 'a long passphrase')).status).toBe(303);
  });

  it('hashes passwords off the event loop: a page is answered while sign-ins are being hashed', async () => {
    now += 3_600_000;
    const order: string[] = [];
    const signins = Array.from({ length: 8 }, (_, i) => signin(i % 2 ? 'auditor' : 'nobody', 'still wrong ' + i).then(() => order.push('signin')));
    // sent after the sign-ins: with scrypt on the event loop it could only be answered after all of them
    await new Promise((r) => setTimeout(r, 5));
    const page = call(srv.url, '/signin').then((a) => (order.push('page'), a));
    await Promise.all([...signins, page]);
    expect((await page).status).toBe(200);
    expect(order.indexOf('page')).toBeLessThan(order.length - 1);
  });

  it('renders a huge PDF page within the pixel limit, once, one render at a time per document, then from the cache', async () => {
    now += 3_600_000;
    // a session cookie: sign in and read Set-Cookie
    const session = await new Promise<string>((resolve, reject) => {
      const req = request(srv.url + '/signin', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }, (res) => {
        res.resume();
        resolve(String(res.headers['set-cookie']?.[0]).split(';')[0]!);
      });
      req.on('error', reject);
      req.end(new URLSearchParams({ csrf: srv.token, name: 'auditor', password: 'a long passphrase', next: '/' }).toString());
    });
    expect(session).toMatch(/^nb_session=/);
    const get = (p: string) => call(srv.url, p, 'GET', '', { Cookie: session });
    const before = srv.stats.pageRenders;
    const four = await Promise.all([1, 2, 3, 4].map(() => get(`/report/${bigId}/page/1.png`)));
    expect(four.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    expect(new Set(four.map((a) => a.body.toString('base64'))).size).toBe(1);
    expect(srv.stats.pageRenders - before).toBe(1);
    const meta = await sharp(four[0]!.body).metadata();
    // 14,400 pt at 100 dpi would be 20,000 px a side; within 16 megapixels it is drawn at 20 dpi
    expect([meta.width, meta.height]).toEqual([4000, 4000]);
    // the report page draws its boxes at the resolution used
    expect((await get(`/report/${bigId}`)).status).toBe(200);
    expect(srv.stats.pageRenders - before).toBe(1);
    // two pages of one document asked at once: rendered one after the other
    const both = await Promise.all([get(`/report/${pdfId}/page/1.png`), get(`/report/${pdfId}/page/1.png`), get(`/report/${pdfId}/page/2.png`)]);
    expect(both.map((a) => a.status)).toEqual([200, 200, 404]);
    expect(srv.stats.maxRendersPerDocument).toBe(1);
    const small = await sharp(both[0]!.body).metadata();
    expect([small.width, small.height]).toEqual([Math.ceil((200 * 100) / 72), Math.ceil((300 * 100) / 72)]);
    }, 60_000);

  it('refuses a page too large even at 10 dpi, naming the limit', async () => {
    const tiny = await startServer(db, { port: 0, maxPagePixels: 10_000 });
    try {
      const a = await call(tiny.url, `/report/${bigId}/page/1.png`);
      expect(a.status).toBe(404);
      expect(a.body.toString()).toContain('page 1 is too large to show (14400 × 14400 pt; the limit is 10000 pixels at 10 dpi or more)');
      expect(tiny.stats.pageRenders).toBe(1);
    } finally {
      await tiny.close();
    }
  });

  it('computes the overview once until the data changes', async () => {
    const open = await startServer(db, { port: 0 });
    try {
      expect((await call(open.url, '/overview')).status).toBe(200);
      expect((await call(open.url, '/overview')).status).toBe(200);
      expect(open.stats.overviewBuilds).toBe(1);
      db.prepare("UPDATE reports SET title = '改了' WHERE id = ?").run(pdfId);
      expect((await call(open.url, '/overview')).status).toBe(200);
      expect(open.stats.overviewBuilds).toBe(2);
      expect((await call(open.url, '/overview')).status).toBe(200);
      expect(open.stats.overviewBuilds).toBe(2);
    } finally {
      await open.close();
    }
  });
});
