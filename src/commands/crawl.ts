/** `nianbao crawl [--seeds FILE | URL...] [--db PATH] …`: crawl sites for annual reports and store them. */
import { readFileSync } from 'node:fs';
import { usageError, parseCommandArgs } from './args.js';
import { CrawlLocked } from '../crawl/writer-lock.js';
import { DEFAULT_DB_PATH, type Db } from '../store/db.js';
import { openOrSay } from './shared.js';
import { Crawler, DEFAULTS, type CrawlOptions, type CrawlSummary } from '../crawl/crawler.js';
import { formatCrawlSummary, liveLine } from '../crawl/progress.js';
import { SITE_DEFAULTS } from '../crawl/sites/site-finder.js';
import { gazetteer } from '../places/gazetteer.js';

export const help = `Usage: nianbao crawl [--seeds FILE|URL]... [URL...] [--db PATH] [options]

Crawls the seed sites (a home page, or a site's 政府信息公开年报 column) for annual reports: follows
links that name a report (年度报告, 年报, xxgknb, …), list pagination (index_1.html, 下一页/尾页,
createPageHTML pagers), CMS lists read from their markup and scripts (Hanweb jpage columns and their
dataproxy.jsp windows, TRS lists whose later pages come from an API), sitemaps (robots.txt Sitemap:
lines, a root seed's /sitemap.xml) and report attachments in every form (PDF, DOCX, DOC, WPS,
XLS/XLSX, OFD, images; download endpoints named by Content-Disposition or sniffed from the bytes);
extracts every report found and stores it with its raw bytes in the database. Politely: one request
at a time per host, a pause that grows with the host's response time, robots.txt and its
Crawl-delay obeyed, Retry-After honoured, retries with exponential backoff and jitter, a host that
keeps failing set aside for a while. A list page with scripts is rendered once in headless
Chromium (/usr/bin/chromium) and its links compared with the static ones: where rendering
brings reports or pages the HTML lacks, pages of that template on that host are rendered from
then on, otherwise never (kept in the database, so a resumed crawl keeps it). Every request of
the browser (GET or POST, any body) goes through the same polite fetcher (scope, robots.txt,
one request at a time per host; images, fonts and styles are not loaded; WebSockets, WebRTC,
DNS of its own and PUT/DELETE/PATCH are refused); a script pager button is clicked up to a bound. The frontier is kept in the
database: run the same command again after a crash, kill or Ctrl-C and it goes on where it
stopped (no seeds needed to resume).

Options:
  --seeds FILE|URL    a seed URL, or a file of them (repeatable). A file has one seed a line: the URL,
                      then optionally a label (region, level: everything after the URL), e.g.
                        https://www.example.gov.cn/col/col123/index.html  江苏省淮安市 county
                      # starts a comment, blank lines are ignored. The label is stored with every
                      report found from that seed (table seed_labels)
  --db PATH           the database, default ${DEFAULT_DB_PATH}
  --concurrency N     requests in flight across all hosts, default ${DEFAULTS.concurrency}
  --per-host N        requests in flight per host, default ${DEFAULTS.perHost}
  --delay MS          least pause between two requests to one host, default ${DEFAULTS.delayMs}
                      (it grows with the host's response time, up to --max-delay)
  --max-delay MS      bound of the response-time-driven pause, default ${DEFAULTS.maxDelayMs}
  --max-pages N       fetch at most N pages in this run (the rest stay queued)
  --max-depth N       links followed from the seeds at most, default ${DEFAULTS.maxDepth}
                      (pagination of a list does not count as depth)
  --scope S           host (the seeds' host:port, default), domain (their site domain) or any
  --timeout MS        connect, headers and body-idle timeout, default ${DEFAULTS.timeoutMs}
  --max-bytes N       largest response accepted (aborted beyond), default ${DEFAULTS.maxBytes}
  --max-tries N       tries per URL on timeouts, resets, 5xx and 429, default ${DEFAULTS.maxTries}
  --backoff MS        first retry wait (doubles each try, with jitter), default ${DEFAULTS.backoffBaseMs}
  --max-wait MS       end the run when the only work left is due later than this, default ${DEFAULTS.maxWaitMs}
  --user-agent S      default "${DEFAULTS.userAgent}"
  --no-render         never render pages in the browser (script-built lists then yield nothing)
  --max-render N      pages rendered in headless Chromium per run at most, default ${DEFAULTS.maxRender}
  --render-timeout S  seconds one page may take to render (pager clicks included), default ${DEFAULTS.renderTimeoutMs / 1000}
  --recrawl           fetch finished URLs again (conditional requests: unchanged pages cost a 304)
  --retry-failed      give URLs that failed a fresh set of tries
  --follow-sites      also find other government sites (*.gov.cn) the pages link to (政府网站导航,
                      市县政府, 部门网站, 乡镇街道 link blocks, select menus of sites, site groups): each
                      becomes a seed of its own (its home page, under its own host's politeness and
                      robots.txt) and enters the registry of sites (\`nianbao sites\`)
  --max-sites N       sites discovered at most (seeds not counted), default ${SITE_DEFAULTS.maxSites}
  --site-depth K      hops from a seed site at most, default ${SITE_DEFAULTS.siteDepth}
  --region CODE       with --follow-sites, keep only sites placed within this division (GB/T 2260
                      code, e.g. 410000 河南省): placed by the link's text (a site outside is not
                      fetched) or by its home page's 网站标识码 (not read beyond its home page)
  --json              print the summary as one JSON object on stdout
  -h, --help          show this help

On a terminal a live line (stderr) shows hosts, queued, fetched, reports, failures and rate.
Ctrl-C stops cleanly: requests in flight finish and are recorded; a second Ctrl-C exits at once
(the frontier stays consistent either way).

Exit status: 0 when the crawl ran (failed URLs are recorded, not fatal); 1 when nothing could be
fetched or the database could not be opened; 2 for a usage error; 130 when stopped by a signal.`;

export interface Seed {
  url: string;
  label: string | null;
}

/** A seeds file: one seed a line, `URL [label]`, `#` comments (see the help). */
export function parseSeeds(text: string): Seed[] {
  const out: Seed[] = [];
  for (const raw of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (!line) continue;
    const m = /^(\S+)(?:\s+(.*))?$/.exec(line)!;
    const label = m[2]?.replace(/\s+/g, ' ').trim() || null;
    out.push({ url: m[1]!, label });
  }
  return out;
}

export function readSeedsFile(path: string): Seed[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw usageError(`cannot read the seeds file ${path}: ${(err as Error).message}`);
  }
  return parseSeeds(text);
}

function int(name: string, v: string | undefined, min = 0): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min) throw usageError(`--${name} wants a whole number ≥ ${min}, not "${v}"`);
  return Number(v);
}

/**
 * Runs a crawl on an open database with SIGINT/SIGTERM handling and the live line; used by `crawl`
 * and `start`.
 */
export async function crawlWithSignals(
  db: Db,
  opts: Partial<CrawlOptions> & { seeds: string[] },
  err: NodeJS.WriteStream = process.stderr,
): Promise<CrawlSummary> {
  const crawler = new Crawler(db, {
    ...opts,
    onEvent: (e) => {
      if (e.type === 'warning') err.write(`nianbao crawl: warning: ${e.message}\n`);
      opts.onEvent?.(e);
    },
  });
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      err.write(`\n${sig}: finishing the requests in flight (again to quit at once)\n`);
      crawler.stop('signal');
    } else {
      process.exit(130);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const stopLine = liveLine(err, () => crawler.snapshot());
  try {
    return await crawler.run();
  } finally {
    stopLine();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

export async function run(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, {
    seeds: { type: 'string', multiple: true },
    db: { type: 'string' },
    concurrency: { type: 'string' },
    'per-host': { type: 'string' },
    delay: { type: 'string' },
    'max-delay': { type: 'string' },
    'max-pages': { type: 'string' },
    'max-depth': { type: 'string' },
    scope: { type: 'string' },
    timeout: { type: 'string' },
    'max-bytes': { type: 'string' },
    'max-tries': { type: 'string' },
    backoff: { type: 'string' },
    'max-wait': { type: 'string' },
    'user-agent': { type: 'string' },
    recrawl: { type: 'boolean' },
    'retry-failed': { type: 'boolean' },
    'no-render': { type: 'boolean' },
    'max-render': { type: 'string' },
    'render-timeout': { type: 'string' },
    json: { type: 'boolean' },
    'follow-sites': { type: 'boolean' },
    'max-sites': { type: 'string' },
    'site-depth': { type: 'string' },
    region: { type: 'string' },
  }, help, { positionals: true });
  if (!args) return 0;
  const { values, positionals } = args;
  // --seeds takes a URL or a file of them; arguments are URLs
  const raw: Seed[] = [
    ...(values.seeds ?? []).flatMap((v) => (/^https?:\/\//i.test(v) ? [{ url: v, label: null }] : readSeedsFile(v))),
    ...positionals.map((url) => ({ url, label: null })),
  ];
  const seeds: string[] = [];
  const seedLabels: Record<string, string> = {};
  for (const s of raw) {
    let u: URL;
    try {
      u = new URL(s.url);
    } catch {
      throw usageError(`not a URL: "${s.url}"`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw usageError(`not an http(s) URL: "${s.url}"`);
    u.hash = '';
    seeds.push(u.href);
    if (s.label) seedLabels[u.href] = s.label;
  }
  const scope = values.scope ?? 'host';
  if (scope !== 'host' && scope !== 'domain' && scope !== 'any') throw usageError(`--scope is host, domain or any, not "${scope}"`);
  const opts: Partial<CrawlOptions> & { seeds: string[] } = { seeds, scope, seedLabels };
  const set = <K extends keyof CrawlOptions>(k: K, v: CrawlOptions[K] | undefined) => {
    if (v !== undefined) opts[k] = v as (typeof opts)[K];
  };
  set('concurrency', int('concurrency', values.concurrency, 1));
  set('perHost', int('per-host', values['per-host'], 1));
  set('delayMs', int('delay', values.delay));
  set('maxDelayMs', int('max-delay', values['max-delay']));
  set('maxPages', int('max-pages', values['max-pages'], 1));
  set('maxDepth', int('max-depth', values['max-depth']));
  const timeout = int('timeout', values.timeout, 1);
  set('timeoutMs', timeout);
  if (timeout !== undefined) set('connectTimeoutMs', Math.min(timeout, DEFAULTS.connectTimeoutMs));
  set('maxBytes', int('max-bytes', values['max-bytes'], 1));
  set('maxTries', int('max-tries', values['max-tries'], 1));
  set('backoffBaseMs', int('backoff', values.backoff));
  set('maxWaitMs', int('max-wait', values['max-wait']));
  set('userAgent', values['user-agent']);
  set('recrawl', values.recrawl);
  set('retryFailed', values['retry-failed']);
  if (values['no-render']) opts.render = false;
  set('maxRender', int('max-render', values['max-render']));
  const renderTimeout = int('render-timeout', values['render-timeout'], 1);
  set('renderTimeoutMs', renderTimeout === undefined ? undefined : renderTimeout * 1000);
  if (values['follow-sites']) opts.followSites = true;
  set('maxSites', int('max-sites', values['max-sites']));
  set('siteDepth', int('site-depth', values['site-depth']));
  if (values.region !== undefined) {
    const code = values.region.trim();
    if (!/^\d{6}$/.test(code) || !gazetteer().byCode.has(code)) throw usageError(`--region wants a division code of the gazetteer (six digits, e.g. 410000), not "${values.region}"`);
    if (!values['follow-sites']) throw usageError('--region keeps the sites that --follow-sites finds: give --follow-sites too');
    opts.region = code;
  }
  if ((values['max-sites'] !== undefined || values['site-depth'] !== undefined) && !values['follow-sites']) {
    throw usageError('--max-sites and --site-depth bound --follow-sites: give --follow-sites too');
  }

  const dbPath = values.db ?? DEFAULT_DB_PATH;
  const db = openOrSay(dbPath, 'crawl');
  if (!db) return 1;
  try {
    const hasFrontier =
      (db.prepare(`SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'frontier'`).get() as { n: number }).n > 0 &&
      (db.prepare(`SELECT COUNT(*) AS n FROM frontier`).get() as { n: number }).n > 0;
    if (seeds.length === 0 && !hasFrontier) {
      throw usageError('crawl needs seed URLs (arguments or --seeds FILE), or a database with a crawl to resume');
    }
    let summary;
    try {
      summary = await crawlWithSignals(db, opts);
    } catch (err) {
      if (err instanceof CrawlLocked) {
        process.stderr.write(`nianbao crawl: ${err.message}\n`);
        return 1;
      }
      throw err;
    }
    if (values.json) process.stdout.write(JSON.stringify({ db: dbPath, ...summary }) + '\n');
    else process.stdout.write(formatCrawlSummary(summary, dbPath) + '\n');
    if (summary.stoppedBy === 'signal') return 130;
    return summary.fetched === 0 && summary.failed > 0 ? 1 : 0;
  } finally {
    db.close();
  }
}

/**
 * The crawl part of `nianbao start` (`npm start`): serves samples/site/ on loopback (port 8640 when
 * free, so the frontier is the same run after run), crawls it into `db` with conditional requests
 * (a second run costs 304s), prints a line per report and the summary, and returns the ids of the
 * reports found.
 */
export async function crawlBundledSite(
  db: Db,
  dbPath: string,
  siteRoot: string,
  out: NodeJS.WritableStream = process.stdout,
): Promise<{ summary: CrawlSummary; reportIds: number[] }> {
  const { serveStatic } = await import('../crawl/static-server.js');
  const site = await serveStatic(siteRoot, 8640).catch(() => serveStatic(siteRoot, 0));
  try {
    out.write(`Crawling the bundled sample site (samples/site/) served at ${site.origin}/\n\n`);
    const summary = await crawlWithSignals(db, {
      seeds: [site.origin + '/'],
      delayMs: 0,
      recrawl: true,
      onEvent: (e) => {
        if (e.type === 'report') {
          const what = e.created ? 'stored        ' : 'already stored';
          const failed = e.failedChecks === 1 ? '1 failed check' : `${e.failedChecks} failed checks`;
          out.write(`${what}  #${e.reportId}  ${e.status.padEnd(12)}  ${e.agency ?? '(agency unknown)'} ${e.year ?? '(year unknown)'}  ${failed}  ${e.url}\n`);
        } else if (e.type === 'failed') out.write(`failed          ${e.url}: ${e.error}\n`);
        else if (e.type === 'blocked') out.write(`robots.txt      ${e.url}: ${e.rule}\n`);
        else if (e.type === 'not_report') out.write(`not a report    ${e.url}\n`);
      },
    });
    out.write('\n' + formatCrawlSummary(summary, dbPath) + '\n\n');
    return { summary, reportIds: summary.reportIds };
  } finally {
    await site.close();
  }
}
