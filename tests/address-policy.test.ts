/**
 * The address policy (src/net/address-policy.ts), on loopback: a seed on 127.0.0.1 may reach
 * 127.0.0.1, but a redirect from it to a link-local or private address is refused without
 * connecting; a seed on a name (resolved to loopback by a test resolver) opens that name only, so a
 * redirect from it into loopback is refused. Through the fetcher (the crawler's), `readSource`
 * (`extract`/`ingest` URLs) and a whole crawl (fetch_log).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LookupFunction } from 'node:net';
import { classifyAddress, policyFor } from '../src/net/address-policy.js';
import { createAgent, fetchUrl } from '../src/crawl/fetcher.js';
import { closeHttp, readSource, ReadError } from '../src/io.js';
import { openDb } from '../src/store/db.js';
import { Crawler } from '../src/crawl/crawler.js';
import { startHost, type TestHost } from './helpers/testsite.js';

/** Resolves every *.test name to 127.0.0.1 (counting the names asked). */
const asked: string[] = [];
const lookup = ((hostname: string, options: unknown, callback: unknown) => {
  const cb = (typeof options === 'function' ? options : callback) as (...a: unknown[]) => void;
  const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all;
  asked.push(hostname);
  if (!hostname.endsWith('.test')) return cb(Object.assign(new Error('not found'), { code: 'ENOTFOUND' }));
  if (all) cb(null, [{ address: '127.0.0.1', family: 4 }]);
  else cb(null, '127.0.0.1', 4);
}) as unknown as LookupFunction;

let A: TestHost;
let B: TestHost;
const redirect = (to: () => string) => (_req: unknown, res: import('node:http').ServerResponse) => {
  res.writeHead(302, { location: to() }).end();
};

beforeAll(async () => {
  B = await startHost({ '/doc.html': { body: '<p>B</p>' } });
  A = await startHost({
    '/ok.html': { body: '<p>A</p>' },
    '/to-link-local': redirect(() => 'http://169.254.169.254/latest/meta-data/'),
    '/to-private': redirect(() => 'http://10.255.255.1:8080/admin'),
    '/to-private-v6': redirect(() => 'http://[fd00::1]/x'),
    '/to-loopback': redirect(() => `${B.origin}/doc.html`),
    '/to-other-name': redirect(() => `http://other.test:${B.origin.split(':')[2]}/doc.html`),
    '/': {
      body: '<html><head><meta charset="utf-8"><title>政府信息公开年报</title></head><body><ul><li><a href="/to-private">某县2021年政府信息公开工作年度报告</a></li><li><a href="/to-link-local">某县2022年政府信息公开工作年度报告</a></li><li><a href="/ok.html">某县2020年政府信息公开工作年度报告</a></li></ul></body></html>',
    },
  });
});

afterAll(async () => {
  await A.close();
  await B.close();
  await closeHttp();
});

const port = () => A.origin.split(':')[2];

describe('classifyAddress', () => {
  it('tells loopback, private, link-local, unspecified and public addresses, v4, v6 and mapped', () => {
    expect(['127.0.0.1', '127.9.9.9', '::1', '::ffff:127.0.0.1'].map(classifyAddress)).toEqual(['loopback', 'loopback', 'loopback', 'loopback']);
    expect(['10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '100.64.0.1', 'fd00::1', '::ffff:10.0.0.1'].map(classifyAddress)).toEqual(Array(7).fill('private'));
    expect(['169.254.169.254', 'fe80::1'].map(classifyAddress)).toEqual(['link-local', 'link-local']);
    expect(['0.0.0.0', '::'].map(classifyAddress)).toEqual(['unspecified', 'unspecified']);
    expect(['8.8.8.8', '172.32.0.1', '2001:db8::1', '59.255.1.1'].map(classifyAddress)).toEqual(Array(4).fill('public'));
    expect(classifyAddress('224.0.0.1')).toBe('reserved');
  });
});

describe('the fetcher under the policy', () => {
  it('a seed on 127.0.0.1 reaches 127.0.0.1 (another port too); its redirects to link-local and private addresses are refused without connecting', async () => {
    const agent = createAgent({ connectTimeoutMs: 20_000, timeoutMs: 20_000, policy: policyFor([`${A.origin}/`]) });
    const get = (path: string) => fetchUrl(`${A.origin}${path}`, { dispatcher: agent, userAgent: 't', timeoutMs: 20_000, maxBytes: 1e6, maxRedirects: 5 });
    expect((await get('/ok.html')).status).toBe(200);
    const loop = await get('/to-loopback');
    expect(loop.status).toBe(200);
    expect(loop.finalUrl).toBe(`${B.origin}/doc.html`);
    for (const [path, addr, cls] of [
      ['/to-link-local', '169.254.169.254', 'link-local'],
      ['/to-private', '10.255.255.1', 'private'],
      ['/to-private-v6', 'fd00::1', 'private'],
    ] as const) {
      const r = await get(path);
      // refused before connecting: a connection to these would have timed out (20 s), not this
      expect(r.error?.code, path).toBe('address_refused');
      expect(r.error?.message).toBe(`refused: ${addr} is a ${cls} address, and no seed or argument of this run was on one (the address policy: only the hosts and address classes the user named may be reached)`);
      expect(r.redirects.map((h) => h.url)).toEqual([`${A.origin}${path}`]);
    }
    await agent.close();
  });

  it('a seed on a name opens that name only: a redirect from it into loopback (by address or by another name) is refused', async () => {
    const seed = `http://reports.test:${port()}/`;
    const agent = createAgent({ connectTimeoutMs: 20_000, timeoutMs: 20_000, lookup, policy: policyFor([seed]) });
    const get = (path: string) => fetchUrl(`http://reports.test:${port()}${path}`, { dispatcher: agent, userAgent: 't', timeoutMs: 20_000, maxBytes: 1e6, maxRedirects: 5 });
    const ok = await get('/ok.html');
    expect(ok.status).toBe(200);
    expect(Buffer.from(ok.body!).toString()).toBe('<p>A</p>');
    const intoLoopback = await get('/to-loopback');
    expect(intoLoopback.error?.code).toBe('address_refused');
    expect(intoLoopback.error?.message).toMatch(/^refused: 127\.0\.0\.1 is a loopback address/);
    asked.length = 0;
    const other = await get('/to-other-name');
    expect(other.error?.code).toBe('address_refused');
    expect(other.error?.message).toMatch(/^refused: other\.test \(127\.0\.0\.1\) is a loopback address/);
    expect(asked).toEqual(['other.test']);
    expect(B.hits('/doc.html')).toBe(1); // only the literal-seed test above reached B
    await agent.close();
  });
});

describe('extract/ingest URLs (readSource) under the policy', () => {
  it('the URL given may be on loopback; a redirect from it to a private or link-local address is refused', async () => {
    const ok = await readSource(`${A.origin}/ok.html`);
    expect(Buffer.from(ok.bytes).toString()).toBe('<p>A</p>');
    for (const path of ['/to-private', '/to-link-local']) {
      const err = await readSource(`${A.origin}${path}`, { timeoutMs: 20_000 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ReadError);
      expect((err as ReadError).code).toBe('address_refused');
      expect((err as ReadError).message).toMatch(new RegExp(`^${A.origin}${path}: refused: (10\\.255\\.255\\.1|169\\.254\\.169\\.254) is a (private|link-local) address`));
    }
  });

  it('a URL on a name may not be redirected into loopback', async () => {
    const url = `http://reports.test:${port()}/to-loopback`;
    const err = await readSource(url, { lookup, policy: policyFor([url]) }).catch((e: unknown) => e);
    expect((err as ReadError).code).toBe('address_refused');
    expect((err as ReadError).message).toMatch(/refused: 127\.0\.0\.1 is a loopback address/);
    const ok = await readSource(`http://reports.test:${port()}/ok.html`, { lookup });
    expect(Buffer.from(ok.bytes).toString()).toBe('<p>A</p>');
  });
});

describe('a crawl under the policy', () => {
  it('records the refused redirects in fetch_log as address_refused, never connects, and crawls the rest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nianbao-addr-'));
    const db = openDb(join(dir, 'c.db'));
    try {
      await new Crawler(db, { seeds: [`${A.origin}/`], delayMs: 0, maxTries: 1, timeoutMs: 20_000, connectTimeoutMs: 20_000, scope: 'any' }).run();
      const rows = db.prepare('SELECT url, error FROM fetch_log ORDER BY id').all() as { url: string; error: string | null }[];
      // the redirects are followed to the other hosts' frontier entries; every request to those hosts (its
      // robots.txt first) is refused before connecting, and logged
      for (const [prefix, want] of [
        ['http://10.255.255.1:8080/', 'address_refused: refused: 10.255.255.1 is a private address'],
        ['http://169.254.169.254/', 'address_refused: refused: 169.254.169.254 is a link-local address'],
      ]) {
        const theirs = rows.filter((r) => r.url.startsWith(prefix));
        expect(theirs.length, prefix).toBeGreaterThan(0);
        for (const r of theirs) expect(r.error, r.url).toMatch(new RegExp('^' + want.replace(/\./g, '\\.')));
      }
      const byUrl = new Map(rows.map((r) => [r.url, r.error]));
      expect(byUrl.get(`${A.origin}/ok.html`)).toBeNull();
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
