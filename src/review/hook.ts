/**
 * The step after a report is stored (ingest or re-extraction): link it to its body, add its prose
 * checks when the document text is given and the pipeline did not add them, recompute the
 * cross-year checks of it and its neighbours, and reopen decisions whose source changed.
 */
import { recomputeAround } from '../crossyear.js';
import { narrativeChecks } from '../narrative.js';
import type { Db } from '../store/db.js';
import { upsertChecks } from '../store/ingest.js';
import { clearManualLink, linkOf, linkReport, setManualLink } from './agencies.js';
import { ensureReviewSchema } from './schema.js';
import { markFindingsDirty, syncFindings } from './stored-findings.js';
import { reopenForChangedSource, type ReviewRow } from './workflow.js';

export interface AfterIngestResult {
  agencyId: number | null;
  /** Reports whose cross-year checks were recomputed. */
  recomputed: number[];
  reopened: ReviewRow[];
  narrative: number;
}

export function afterIngest(db: Db, reportId: number, opts: { text?: string | null } = {}): AfterIngestResult {
  ensureReviewSchema(db);
  return db.transaction((): AfterIngestResult => {
    const before = linkOf(db, reportId)?.agency_id;
    const link = linkReport(db, reportId);
    let narrative = 0;
    if (opts.text) {
      const has = db.prepare("SELECT 1 FROM checks WHERE report_id = ? AND check_id LIKE 'narrative.%' LIMIT 1").get(reportId);
      if (!has) {
        const r = db.prepare('SELECT version, year FROM reports WHERE id = ?').get(reportId) as { version: string | null; year: number | null };
        const figures: Record<string, number | null> = {};
        for (const f of db.prepare('SELECT key, value FROM figures WHERE report_id = ?').all(reportId) as { key: string; value: number | null }[]) {
          figures[f.key] = f.value;
        }
        if (r.version === '2019' || r.version === '2021') {
          const checks = narrativeChecks(opts.text, figures, r.version, { year: r.year });
          upsertChecks(db, reportId, checks);
          narrative = checks.length;
        }
      }
    }
    // A relinked report leaves a gap in its old body's series: recompute there too.
    const recomputed = recomputeAround(db, reportId, before !== undefined && before !== link?.agency_id ? [before] : []);
    const reopened = reopenForChangedSource(db, reportId);
    // [hA] the stored findings of this report and of those whose checks or decisions changed (stored-findings.ts)
    markFindingsDirty(db, recomputed);
    syncFindings(db);
    return { agencyId: link?.agency_id ?? null, recomputed, reopened, narrative };
  })();
}

/**
 * A person's correction of which body a report belongs to (`name`), or back to the automatic link
 * (`name` null); the cross-year checks of the report and of both bodies' series are recomputed.
 */
export function relink(db: Db, reportId: number, name: string | null, by: string | null = null) {
  ensureReviewSchema(db);
  return db.transaction(() => {
    const before = linkOf(db, reportId)?.agency_id;
    const link = name !== null ? setManualLink(db, reportId, name, by) : clearManualLink(db, reportId);
    afterIngest(db, reportId);
    if (before !== undefined && before !== link?.agency_id) {
      for (const r of db.prepare('SELECT report_id FROM agency_links WHERE agency_id = ?').all(before) as { report_id: number }[]) {
        markFindingsDirty(db, recomputeAround(db, r.report_id));
      }
      syncFindings(db);
    }
    return link;
  })();
}
