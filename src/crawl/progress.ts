/** The live progress line (stderr, on a terminal) and the end-of-crawl summary for a person. */
import type { CrawlStats, CrawlSummary } from './crawler.js';

function rate(s: CrawlStats): string {
  return `${s.pagesPerSecond.toFixed(1)} pages/s`;
}

export function progressLine(s: CrawlStats): string {
  return (
    `hosts ${s.activeHosts}/${s.hosts} · queued ${s.queued} · fetched ${s.fetched} · reports ${s.reports}` +
    ` · failures ${s.failed} (retries ${s.retries}) · ${rate(s)}`
  );
}

/** Redraws one line on a TTY every `everyMs`; returns a function that stops and clears it. */
export function liveLine(stream: NodeJS.WriteStream, get: () => CrawlStats, everyMs = 250): () => void {
  if (!stream.isTTY) return () => {};
  const draw = () => {
    const width = stream.columns || 120;
    stream.write('\r\x1b[K' + progressLine(get()).slice(0, width - 1));
  };
  draw();
  const t = setInterval(draw, everyMs);
  t.unref();
  return () => {
    clearInterval(t);
    stream.write('\r\x1b[K');
  };
}

export function formatCrawlSummary(s: CrawlSummary, dbPath: string): string {
  const lines: string[] = [];
  const secs = (s.elapsedMs / 1000).toFixed(1);
  const why: Record<CrawlSummary['stoppedBy'], string> = {
    done: 'finished',
    max_pages: 'stopped at the page limit',
    signal: 'stopped by signal',
    deferred: 'finished what is due now',
  };
  lines.push(
    `Crawl ${why[s.stoppedBy]}: ${s.fetched} fetches from ${s.hosts} host${s.hosts === 1 ? '' : 's'} in ${secs} s (${rate(s)}), ${(s.bytes / 1024).toFixed(0)} KiB`,
  );
  lines.push(
    `Reports: ${s.reports} found, ${s.stored} newly stored, ${s.alreadyStored} already stored; ${s.notReports} fetched documents were not reports` +
      (s.notModified ? `; ${s.notModified} unchanged (304)` : ''),
  );
  lines.push(
    `Failures: ${s.failed} (after ${s.retries} retries); ${s.blocked} URL${s.blocked === 1 ? '' : 's'} forbidden by robots.txt; ` +
      `${s.deferred} left queued for the next run`,
  );
  if (s.rendered) {
    lines.push(
      `Rendered: ${s.rendered} script-built page${s.rendered === 1 ? '' : 's'} in the browser, ${s.renderRequests} requests made for them` +
        ` through the crawler, ${s.renderAborted} refused (out of scope, robots.txt, PUT/DELETE/PATCH, WebSocket)` +
        (s.renderEscapes ? `, ${s.renderEscapes} connection${s.renderEscapes === 1 ? '' : 's'} outside routing dropped` : ''),
    );
  }
  for (const r of s.renderedBySeed ?? []) {
    lines.push(
      `  ${r.seed}: ${r.rendered} list page${r.rendered === 1 ? '' : 's'} rendered, ${r.interacted.length} grew by interaction, ` +
        `${r.emptyAfterRender.length} empty after rendering${r.emptyAfterRender.length ? ' (not read: ' + r.emptyAfterRender.join(' ') + ')' : ''}`,
    );
  }
  const ch = s.challenges ?? [];
  if (ch.length) {
    const passed = ch.filter((c) => c.passed).length;
    lines.push(`Challenges: ${ch.length} host${ch.length === 1 ? '' : 's'} answered with a JavaScript cookie challenge, ${passed} passed in the browser`);
    for (const c of ch) lines.push(`  ${c.host}: HTTP ${c.status}, ${c.passed ? `passed (${c.passes} time${c.passes === 1 ? '' : 's'}), its cookies sent with later requests` : `NOT passed: ${c.message}`}`);
  }
  for (const f of s.failures) lines.push(`  failed  ${f.url}  ${f.error}`);
  const fr = s.frontier;
  lines.push(`Frontier: ${fr.done ?? 0} done, ${fr.failed ?? 0} failed, ${fr.blocked ?? 0} blocked, ${fr.queued ?? 0} queued. Database: ${dbPath}`);
  return lines.join('\n');
}
