/** Which URLs a crawl may visit, from its seeds: the same host:port, the same site domain, or any. */
export type Scope = 'host' | 'domain' | 'any';

const SECOND_LEVEL = /\.(gov|com|org|net|edu|ac|mil)\.[a-z]{2}$/i;

/** The registrable part of a host name, roughly: `www.hongze.gov.cn` → `hongze.gov.cn`, `a.example.com` → `example.com`. */
export function siteDomain(hostname: string): string {
  if (/^[\d.]+$/.test(hostname) || hostname.includes(':') || !hostname.includes('.')) return hostname;
  const labels = hostname.toLowerCase().split('.');
  const keep = SECOND_LEVEL.test(hostname) ? 3 : 2;
  return labels.slice(-keep).join('.');
}

export class ScopeFilter {
  private hosts = new Set<string>();
  private domains = new Set<string>();

  constructor(
    readonly scope: Scope,
    seeds: string[],
  ) {
    for (const s of seeds) this.addSeed(s);
  }

  addSeed(seed: string): void {
    const u = new URL(seed);
    this.hosts.add(u.host);
    this.domains.add(siteDomain(u.hostname));
  }

  allows(url: string | URL): boolean {
    const u = typeof url === 'string' ? new URL(url) : url;
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return false;
    if (this.scope === 'any') return true;
    if (this.scope === 'host') return this.hosts.has(u.host);
    return this.domains.has(siteDomain(u.hostname));
  }
}
