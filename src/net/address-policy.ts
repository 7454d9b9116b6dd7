/**
 * The address policy: a request (the first, or one after a redirect) to a loopback, private,
 * link-local, unspecified or otherwise reserved address is refused, without connecting, unless the
 * user asked for it:
 *  - a host the user named in a seed or argument (`http://intranet.example/`, `http://127.0.0.1:8080/`)
 *    may be fetched whatever its address;
 *  - a seed or argument given as an address literal (`http://127.0.0.1:8080/`, `http://10.1.2.3/`)
 *    opens that address's class (loopback, private, link-local…) to every request of the run;
 *  - a seed on a name opens nothing but that name: a redirect from it into loopback or a private
 *    network is refused.
 *
 * Checked where the connection is made (src/crawl/fetcher.ts `createAgent`, src/io.ts): the
 * address a name resolves to is checked in the DNS lookup (so a name that resolves to 127.0.0.1 is
 * caught, and the address checked is the one connected to), an address literal before connecting.
 * Knows nothing of crawling or documents.
 */
import { lookup as dnsLookup } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { buildConnector } from 'undici';

export type AddressClass = 'public' | 'loopback' | 'private' | 'link-local' | 'unspecified' | 'reserved';

export const ADDRESS_REFUSED = 'ERR_ADDRESS_REFUSED';

function v4(ip: string): number[] | null {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(ip);
  return m ? m.slice(1).map(Number) : null;
}

/** The class of an IPv4 or IPv6 address (IPv4-mapped IPv6 as its IPv4). */
export function classifyAddress(address: string): AddressClass {
  let ip = address.replace(/^\[|\]$/g, '').toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(ip);
  if (mapped) ip = mapped[1];
  const a = v4(ip);
  if (a) {
    const [x, y] = a;
    if (x === 127) return 'loopback';
    if (x === 0) return 'unspecified';
    if (x === 10 || (x === 172 && y >= 16 && y <= 31) || (x === 192 && y === 168) || (x === 100 && y >= 64 && y <= 127)) return 'private';
    if (x === 169 && y === 254) return 'link-local';
    if (x >= 224 || (x === 192 && y === 0 && a[2] === 0) || (x === 198 && (y === 18 || y === 19))) return 'reserved';
    return 'public';
  }
  if (isIP(ip) !== 6) return 'reserved';
  if (ip === '::1') return 'loopback';
  if (ip === '::') return 'unspecified';
  const head = parseInt(ip.split(':')[0] || '0', 16);
  if ((head & 0xfe00) === 0xfc00) return 'private'; // fc00::/7 unique local
  if ((head & 0xffc0) === 0xfe80) return 'link-local'; // fe80::/10
  if ((head & 0xff00) === 0xff00) return 'reserved'; // multicast
  return 'public';
}

export class AddressRefused extends Error {
  readonly code = ADDRESS_REFUSED;
  constructor(
    readonly host: string,
    readonly address: string,
    readonly addressClass: AddressClass,
  ) {
    super(
      `refused: ${host}${host === address ? '' : ` (${address})`} is a ${addressClass} address, and no seed or argument of this run was on one ` +
        `(the address policy: only the hosts and address classes the user named may be reached)`,
    );
    this.name = 'AddressRefused';
  }
}

export interface AddressPolicy {
  /** Host names (lower case) and address literals the user named: always allowed. */
  hosts: Set<string>;
  /** Classes opened by a seed given as an address literal. */
  classes: Set<AddressClass>;
}

function hostOf(url: string): string | null {
  try {
    return new URL(url).hostname.toLowerCase().replace(/^\[|\]$/g, '');
  } catch {
    return null;
  }
}

/** The policy for a run whose user named these URLs (seeds, arguments). */
export function policyFor(urls: Iterable<string>): AddressPolicy {
  const policy: AddressPolicy = { hosts: new Set(), classes: new Set(['public']) };
  for (const u of urls) {
    const host = hostOf(u);
    if (!host) continue;
    policy.hosts.add(host);
    if (isIP(host)) policy.classes.add(classifyAddress(host));
  }
  return policy;
}

/** The policy with more classes opened (an option of the caller's). */
export function withClasses(policy: AddressPolicy, classes: Iterable<AddressClass> = []): AddressPolicy {
  for (const c of classes) policy.classes.add(c);
  return policy;
}

/** Throws AddressRefused when `host`, at `address`, may not be reached under the policy. */
export function checkAddress(policy: AddressPolicy, host: string, address: string): void {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (policy.hosts.has(h)) return;
  const cls = classifyAddress(address);
  if (!policy.classes.has(cls)) throw new AddressRefused(h, address, cls);
}

/** A DNS lookup that checks every address it gives under the policy (the hook for names). */
export function guardedLookup(policy: AddressPolicy, base: LookupFunction = dnsLookup as unknown as LookupFunction): LookupFunction {
  return ((hostname: string, options: unknown, callback: (...args: unknown[]) => void) => {
    const cb = typeof options === 'function' ? (options as typeof callback) : callback;
    const opts = typeof options === 'function' ? {} : (options as object);
    (base as unknown as (h: string, o: object, c: (...a: unknown[]) => void) => void)(hostname, opts, (err: unknown, address: unknown, family?: unknown) => {
      if (err) return cb(err);
      try {
        if (Array.isArray(address)) for (const a of address as { address: string }[]) checkAddress(policy, hostname, a.address);
        else checkAddress(policy, hostname, address as string);
      } catch (e) {
        return cb(e);
      }
      cb(null, address, family);
    });
  }) as LookupFunction;
}

/**
 * An undici connector under the policy: an address literal is checked before connecting, a name
 * in its DNS lookup. `lookup`: the resolver to use for names (tests resolve names to loopback).
 */
export function guardedConnector(policy: AddressPolicy, o: { timeoutMs?: number; lookup?: LookupFunction } = {}): buildConnector.connector {
  const connect = buildConnector({ timeout: o.timeoutMs, lookup: guardedLookup(policy, o.lookup) } as buildConnector.BuildOptions);
  return (opts, callback) => {
    const host = opts.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host)) {
      try {
        checkAddress(policy, host, host);
      } catch (e) {
        callback(e as Error, null);
        return;
      }
    }
    connect(opts, callback);
  };
}
