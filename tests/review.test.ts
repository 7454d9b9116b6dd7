/**
 * The review workflow: flagged checks with their evidence, decisions that survive re-ingestion and
 * re-extraction, reopened by a changed source; and `nianbao review` as a user runs it (dist/, built
 * by `pretest`).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, mkdirSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { extractBytes } from '../src/extract.js';
import { afterIngest } from '../src/review/hook.js';
import { openReviewDb } from '../src/review/schema.js';
import { decide, listFlagged, currentReview } from '../src/review/workflow.js';
import type { Db } from '../src/store/db.js';
import { ingestReport, reextractReport } from '../src/store/ingest.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SERIES = join(root, 'samples', 'series');
const tmp = mkdtempSync(join(tmpdir(), 'nianbao-review-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function ingest(db: Db, source: string, bytes: Uint8Array): Promise<{ id: number; created: boolean }> {
  const report = await extractBytes(bytes, { source });
  const r = ingestReport(db, report, bytes);
  afterIngest(db, r.reportId);
  return { id: r.reportId, created: r.created };
}

async function seriesDb(): Promise<{ db: Db; ids: number[]; paths: string[] }> {
  const db = openReviewDb(':memory:');
  const ids: number[] = [];
  const paths: string[] = [];
  for (const y of [2021, 2022, 2023]) {
    const p = join(SERIES, `xihua-culture-${y}.html`);
    paths.push(p);
    ids.push((await ingest(db, p, readFileSync(p))).id);
  }
  return { db, ids, paths };
}

describe('flagged checks with evidence', () => {
  it('lists each failed check with the cells as printed and where they are, across years for cross-year checks', async () => {
    const { db, ids } = await seriesDb();
    const flagged = listFlagged(db);
    const carry = flagged.find((f) => f.report_id === ids[2] && f.check_id === 'requests.carry_link.total')!;
    expect(carry).toMatchObject({ status: 'fail', expected: 8, actual: 6, state: 'open', review: null, agency_identity: '西华县文化广电和旅游局' });
    const [mine, last] = carry.cells;
    expect(mine).toMatchObject({ report_id: ids[2], year: 2023, key: 'requests.carried_over.total', printed: '6', value: 6, table: 3 });
    expect(mine!.row_label).toContain('上年结转');
    expect(mine!.col_label).toContain('总计');
    expect(mine!.where?.domPath).toMatch(/td/);
    expect(last).toMatchObject({ report_id: ids[1], year: 2022, key: 'requests.carried_forward.total', printed: '8', value: 8 });
    expect(last!.row_label).toContain('结转下年度');

    const prose = flagged.find((f) => f.check_id === 'narrative.granted_partial')!;
    expect(prose).toMatchObject({ report_id: ids[1], expected: 275, actual: 258 });
    expect(prose.evidence).toContain('予以公开及部分公开258件');
    expect(prose.cells.map((c) => [c.key, c.printed])).toEqual([
      ['requests.granted.total', '272'],
      ['requests.partial.total', '3'],
    ]);
    // Warnings are listed apart.
    expect(flagged.some((f) => f.status === 'warn')).toBe(false);
    const warn = listFlagged(db, { status: 'warn' });
    expect(warn.map((w) => [w.report_id, w.check_id])).toEqual([[ids[2], 'art20.in_force_link.normative']]);
    expect(warn[0]!.cells[0]).toMatchObject({ report_id: ids[1], key: 'art20.normative.in_force', value: 11 });
    // Filters.
    expect(listFlagged(db, { check: 'requests.carry_link.*' }).map((f) => f.check_id)).toEqual(['requests.carry_link.commercial', 'requests.carry_link.total']);
    expect(listFlagged(db, { year: 2022 }).map((f) => f.check_id)).toEqual(['narrative.granted_partial']);
    expect(listFlagged(db, { agency: '洪泽' })).toEqual([]);
  }, 60_000);
});

describe('decisions', () => {
  it('survive re-ingestion and re-extraction, and a changed source reopens them', async () => {
    const { db, ids, paths } = await seriesDb();
    const r = decide(db, { reportId: ids[2]!, checkId: 'requests.carry_link.total', decision: 'confirmed', note: '2022 carried 8 forward, 2023 took over 6', by: 'alice' });
    expect(r).toMatchObject({ decision: 'confirmed', reviewer: 'alice', state: 'closed', agency_identity: '西华县文化广电和旅游局', year: 2023 });
    const c = decide(db, { reportId: ids[1]!, checkId: 'narrative.granted_partial', decision: 'corrected', value: 275, note: 'the prose is wrong' });
    expect(c.corrected_value).toBe(275);

    // The same bytes again: nothing stored, the decision still applies.
    const bytes23 = readFileSync(paths[2]!);
    const again = await ingest(db, paths[2]!, bytes23);
    expect(again).toEqual({ id: ids[2], created: false });
    expect(currentReview(db, ids[2]!, 'requests.carry_link.total')).toMatchObject({ id: r.id, state: 'closed' });

    // Re-extraction replaces the checks (cross-year ones included) and recomputes: still decided.
    const report = await extractBytes(bytes23, { source: paths[2]! });
    reextractReport(db, report, bytes23);
    afterIngest(db, ids[2]!);
    const after = listFlagged(db, { reportId: ids[2]! }).find((f) => f.check_id === 'requests.carry_link.total')!;
    expect(after).toMatchObject({ state: 'closed', review: { id: r.id, decision: 'confirmed', note: '2022 carried 8 forward, 2023 took over 6' } });
    expect(listFlagged(db, { state: 'open' }).map((f) => f.check_id)).toEqual(['requests.carry_link.commercial']);

    // A corrected 2023 document (another sha256, same source): the decision is reopened.
    const fixed = Buffer.from(bytes23.toString('utf8').replace('<p>公开内容的深度和广度还需进一步拓展。</p>', '<p>公开内容的深度和广度还需进一步拓展（更正版）。</p>'));
    const newer = await ingest(db, paths[2]!, fixed);
    expect(newer.created).toBe(true);
    const reopened = currentReview(db, newer.id, 'requests.carry_link.total')!;
    expect(reopened).toMatchObject({ id: r.id, state: 'reopened' });
    expect(reopened.reopened_reason).toContain(`report #${newer.id}`);
    expect(listFlagged(db, { state: 'reopened' }).map((f) => [f.report_id, f.check_id])).toContainEqual([newer.id, 'requests.carry_link.total']);
    // The other report's decision is untouched.
    expect(currentReview(db, ids[1]!, 'narrative.granted_partial')).toMatchObject({ id: c.id, state: 'closed' });

    // A new decision on the new document supersedes the reopened one.
    const d2 = decide(db, { reportId: newer.id, checkId: 'requests.carry_link.total', decision: 'dismissed', note: 'checked again', by: 'bob' });
    expect(currentReview(db, newer.id, 'requests.carry_link.total')).toMatchObject({ id: d2.id, state: 'closed' });
    expect(db.prepare('SELECT superseded_by FROM reviews WHERE id = ?').get(r.id)).toEqual({ superseded_by: d2.id });
  }, 60_000);

  it('are not reopened by a document stored before them and merely rechecked', async () => {
    const { db, ids, paths } = await seriesDb();
    const bytes23 = readFileSync(paths[2]!).toString('utf8');
    const copy = await ingest(db, 'mirror/2023.html', Buffer.from(bytes23.replace('</body>', '<p>镜像</p></body>')));
    expect(copy.created).toBe(true);
    const d = decide(db, { reportId: ids[2]!, checkId: 'requests.carry_link.total', decision: 'confirmed', note: 'seen both copies' });
    for (const id of [...ids, copy.id]) afterIngest(db, id);
    expect(currentReview(db, ids[2]!, 'requests.carry_link.total')).toMatchObject({ id: d.id, state: 'closed' });
    // The decision applies to the other copy of the same agency-year too.
    expect(currentReview(db, copy.id, 'requests.carry_link.total')).toMatchObject({ id: d.id, state: 'closed' });
    const later = await ingest(db, 'mirror/2023-v2.html', Buffer.from(bytes23.replace('</body>', '<p>再版</p></body>')));
    expect(currentReview(db, ids[2]!, 'requests.carry_link.total')).toMatchObject({ id: d.id, state: 'reopened' });
    expect(currentReview(db, ids[2]!, 'requests.carry_link.total')!.reopened_reason).toContain(`report #${later.id}`);
  }, 60_000);

  it('refuses incomplete or impossible decisions', async () => {
    const { db, ids } = await seriesDb();
    expect(() => decide(db, { reportId: ids[2]!, checkId: 'requests.carry_link.total', decision: 'corrected', note: 'x' })).toThrow(/--value/);
    expect(() => decide(db, { reportId: ids[2]!, checkId: 'requests.carry_link.total', decision: 'confirmed', note: ' ' })).toThrow(/note/);
    expect(() => decide(db, { reportId: ids[2]!, checkId: 'no.such.check', decision: 'confirmed', note: 'x' })).toThrow(/has no check no\.such\.check/);
    expect(() => decide(db, { reportId: 999, checkId: 'review.total', decision: 'confirmed', note: 'x' })).toThrow(/no report #999/);
    expect(db.prepare('SELECT count(*) AS n FROM reviews').get()).toEqual({ n: 0 });
  }, 60_000);
});

describe('nianbao review (compiled CLI)', () => {
  const bin = join(root, 'bin', 'nianbao.js');
  const run = (args: string[]) => {
    const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, NIANBAO_REVIEWER: 'cli-tester' } });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  it('lists, decides and links', () => {
    const dir = join(tmp, 'cli');
    mkdirSync(dir, { recursive: true });
    for (const y of [2021, 2022, 2023]) copyFileSync(join(SERIES, `xihua-culture-${y}.html`), join(dir, `xihua-culture-${y}.html`));
    const db = join(tmp, 'cli.db');
    const ing = run(['ingest', '--db', db, dir]);
    expect(ing.code).toBe(0);

    const list = run(['review', '--db', db, '--json', '--check', 'requests.carry_link.*']);
    expect(list.code).toBe(0);
    const rows = list.stdout.trim().split('\n').map((l) => JSON.parse(l) as { report_id: number; check_id: string; state: string; cells: { printed: string }[] });
    expect(rows.map((r) => [r.check_id, r.state])).toEqual([
      ['requests.carry_link.commercial', 'open'],
      ['requests.carry_link.total', 'open'],
    ]);
    expect(rows[1]!.cells.map((c) => c.printed)).toEqual(['6', '8']);
    const id = rows[1]!.report_id;

    const text = run(['review', '--db', db, '--year', '2023']);
    expect(text.stdout).toContain('requests.carry_link.total');
    expect(text.stdout).toContain('“6” = 6');
    expect(text.stdout).toMatch(/requests\.carried_forward\.total \(report #\d+, 2022\): “8” = 8/);

    const bad = run(['review', 'decide', '--db', db, '--report', String(id), '--check', 'requests.carry_link.total', '--decision', 'corrected', '--note', 'x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--value');

    const ok = run(['review', 'decide', '--db', db, '--json', '--report', String(id), '--check', 'requests.carry_link.total', '--decision', 'corrected', '--value', '8', '--note', 'should be 8']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ decision: 'corrected', corrected_value: 8, reviewer: 'cli-tester', state: 'closed' });
    const closed = run(['review', '--db', db, '--json', '--state', 'closed']);
    expect(closed.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { check_id: string }).check_id)).toEqual(['requests.carry_link.total']);

    const link = run(['review', 'link', '--db', db, '--report', String(id), '--agency', '西华县文物局']);
    expect(link.code).toBe(0);
    expect(link.stdout).toContain('西华县文物局 (manual)');
    // Moved out of its series: no last year any more, so the carry-link failures are gone.
    const after = run(['review', '--db', db, '--json', '--check', 'requests.carry_link.*']);
    expect(after.stdout.trim()).toBe('');
    const bodies = run(['review', 'agencies', '--db', db, '--json']).stdout.trim().split('\n').map((l) => JSON.parse(l) as { identity: string; reports: { year: number; link: string }[] });
    expect(bodies.map((b) => [b.identity, b.reports.map((r) => `${r.year}:${r.link}`)])).toEqual([
      ['西华县文化广电和旅游局', ['2021:auto', '2022:auto']],
      ['西华县文物局', ['2023:manual']],
    ]);
  }, 120_000);
});

