/**
 * `nianbao review`: failed checks with their evidence, and the decisions people record on them.
 *   nianbao review [list] [filters] [--json]
 *   nianbao review decide --report ID --check CHECK --decision confirmed|dismissed|corrected [--value N] --note TEXT [--by NAME]
 *   nianbao review link --report ID (--agency NAME | --auto) [--by NAME]
 *   nianbao review recompute [--report ID]
 */
import { readFileSync } from 'node:fs';
import { addReviewer, listReviewers, removeReviewer } from '../review/accounts.js';
import { usageError, parseCommandArgs } from './args.js';
import { formatValue } from '../format.js';
import { DEFAULT_DB_PATH, type Db } from '../store/db.js';
import { openExistingOrSay, wholeNumberOption } from './shared.js';
import { afterIngest, relink } from '../review/hook.js';
import { regionReportIds } from '../places/query.js';
import { ensurePlacesSchema } from '../places/schema.js';
import { DECISIONS, decide, describeWhere, listFlagged, type Decision, type FlaggedCheck, type FlaggedFilter, type ReviewState } from '../review/workflow.js';

export const help = `Usage: nianbao review [list] [--db PATH] [--json] [--check ID] [--agency X] [--region X] [--year N]
                      [--report ID] [--status fail|warn|all] [--state open|closed|reopened]
       nianbao review decide --report ID --check CHECK --decision confirmed|dismissed|corrected
                      [--value N] --note TEXT [--by NAME] [--db PATH] [--json]
       nianbao review link --report ID (--agency NAME | --auto) [--by NAME] [--db PATH]
       nianbao review recompute [--report ID] [--db PATH]
       nianbao review agencies [--agency X] [--db PATH] [--json]
       nianbao review user add NAME [--password-file F] [--db PATH]   (else the password is read from stdin)
       nianbao review user list [--db PATH]
       nianbao review user remove NAME [--db PATH]

list (the default) shows the failed checks (with --status warn: the cross-year warnings) with their
evidence: each figure involved as printed and where it is (table, row and column labels, then the
HTML element path, the text line, or the PDF page and box), the sentence quoted for prose checks,
and the review state: open (no decision), closed (decided) or reopened (decided on another
version of the document).

decide records a decision on one check of one report: confirmed (the document is wrong as
published), dismissed (not a real problem, e.g. an extraction error or a known re-baseline) or
corrected (the right figure is --value N). Decisions are found again by report, by the sha256 of
the document, by its source and by agency and year, so re-ingesting or re-extracting keeps them;
a different document for the same source or agency-year reopens them.

link corrects which body a report belongs to (reports of one body across years are compared by
the cross-year checks): --agency NAME links it by hand, --auto goes back to the name's own link.
The cross-year checks of the report and its neighbours are recomputed.

agencies lists the bodies with their place (division code and name, kind and department type,
from the newest placed report; [not placed] when none is) and their reports year by year (and the
names as printed), to spot a body split in two or two bodies merged. --json adds division_code,
division, zone, agency_kind, department_type.

user manages the reviewer accounts of the review page (nianbao serve): passwords are stored with
scrypt (node:crypto) and a random salt; at least 8 characters; the first line of stdin or of
--password-file. Removing an account ends its sessions; its decisions keep its name.

recompute links every report (or one) to its body and recomputes the cross-year checks: for a
database filled before this step existed.

Options:
  --db PATH          the database, default ${DEFAULT_DB_PATH}
  --json             JSON Lines (one flagged check, or the decision/link made)
  --check ID         a check id, or a prefix ending in "." or "*" (requests.carry_link.*)
  --agency X         agency name (as printed or its identity) contains X
  --region X         the reports in region X: a division code (410000 is all of 河南省), a
                     name at any level (淮安, 西华县), or 未定位 (see nianbao export --help)
  --year N           the report year
  --report ID        one report
  --status S         fail (default), warn, or all
  --state S          open, closed or reopened
  --by NAME          who decides (default $NIANBAO_REVIEWER or $USER)
  -h, --help         show this help

Examples:
  nianbao review --agency 洪泽区 --year 2024
  nianbao review decide --report 3 --check review.total --decision confirmed --note "table 4 as published does not add up"
  nianbao review decide --report 3 --check requests.new.total --decision corrected --value 21 --note "misread 27"
  nianbao review link --report 7 --agency 淮安市洪泽区人民政府`;


function openExisting(path: string, cmd: string): Db | undefined {
  return openExistingOrSay(path, `review ${cmd}`);
}

/** A flagged check for a person: a header line, the reason, the sentence, the cells, the decision. */
export function formatFlagged(f: FlaggedCheck): string {
  const lines: string[] = [];
  lines.push(
    `#${f.report_id} ${f.agency ?? '(agency unknown)'} ${f.year ?? '?'}  ${f.check_id}  ${f.status}  expected ${formatValue(f.expected)}, actual ${formatValue(f.actual)}  [${f.state}]`,
  );
  lines.push(`  source: ${f.source_url ?? f.source}`);
  if (f.reason) lines.push(`  ${f.reason}`);
  if (f.evidence) lines.push(`  text: “${f.evidence}”`);
  for (const c of f.cells) {
    const other = c.report_id !== f.report_id ? ` (report #${c.report_id}, ${c.year ?? '?'})` : '';
    const printed = !c.present ? '(no cell)' : c.blank ? `blank${c.printed ? ` “${c.printed}”` : ''} = 0` : `“${c.printed ?? ''}” = ${formatValue(c.value)}`;
    lines.push(`    ${c.key}${other}: ${printed}  at ${describeWhere(c)}`);
  }
  if (f.review) {
    const r = f.review;
    lines.push(
      `  decision: ${r.decision}${r.decision === 'corrected' ? ` to ${formatValue(r.corrected_value)}` : ''} by ${r.reviewer} at ${r.decided_at}: ${r.note}` +
        (r.state === 'reopened' ? `  REOPENED: ${r.reopened_reason ?? ''}` : ''),
    );
  }
  return lines.join('\n');
}

async function list(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, {
    db: { type: 'string' },
    json: { type: 'boolean' },
    check: { type: 'string' },
    agency: { type: 'string' },
    region: { type: 'string' },
    year: { type: 'string' },
    report: { type: 'string' },
    status: { type: 'string' },
    state: { type: 'string' },
  }, help);
  if (!args) return 0;
  const { values } = args;
  const filter: FlaggedFilter = {};
  if (values.status !== undefined) {
    if (!['fail', 'warn', 'all'].includes(values.status)) throw usageError(`--status must be fail, warn or all (not "${values.status}")`);
    filter.status = values.status as FlaggedFilter['status'];
  }
  if (values.state !== undefined) {
    if (!['open', 'closed', 'reopened'].includes(values.state)) throw usageError(`--state must be open, closed or reopened (not "${values.state}")`);
    filter.state = values.state as ReviewState;
  }
  if (values.check) filter.check = values.check;
  if (values.agency) filter.agency = values.agency;
  filter.year = wholeNumberOption('year', values.year);
  filter.reportId = wholeNumberOption('report', values.report);
  const db = openExisting(values.db ?? DEFAULT_DB_PATH, 'list');
  if (!db) return 1;
  try {
    if (values.region?.trim()) filter.reportIds = regionReportIds(db, { text: values.region });
    const rows = listFlagged(db, filter);
    if (values.json) {
      for (const r of rows) process.stdout.write(JSON.stringify(r) + '\n');
      return 0;
    }
    if (!rows.length) process.stdout.write('No flagged checks match.\n');
    else process.stdout.write(rows.map(formatFlagged).join('\n\n') + '\n');
    const open = rows.filter((r) => r.state !== 'closed').length;
    process.stdout.write(`\n${rows.length} flagged check${rows.length === 1 ? '' : 's'}, ${open} open or reopened.\n`);
    return 0;
  } finally {
    db.close();
  }
}

async function decideCmd(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, {
    db: { type: 'string' },
    json: { type: 'boolean' },
    report: { type: 'string' },
    check: { type: 'string' },
    decision: { type: 'string' },
    value: { type: 'string' },
    note: { type: 'string' },
    by: { type: 'string' },
  }, help);
  if (!args) return 0;
  const { values } = args;
  const reportId = wholeNumberOption('report', values.report);
  if (reportId === undefined) throw usageError('decide needs --report ID');
  if (!values.check) throw usageError('decide needs --check CHECK');
  if (!values.decision || !(DECISIONS as readonly string[]).includes(values.decision)) {
    throw usageError(`--decision must be one of ${DECISIONS.join(', ')}`);
  }
  if (!values.note || !values.note.trim()) throw usageError('decide needs --note TEXT (why)');
  let value: number | undefined;
  if (values.value !== undefined) {
    value = Number(values.value);
    if (values.value.trim() === '' || !Number.isFinite(value)) throw usageError(`--value wants a number, not "${values.value}"`);
  }
  if (values.decision === 'corrected' && value === undefined) throw usageError('--decision corrected needs --value N');
  if (values.decision !== 'corrected' && value !== undefined) throw usageError('--value goes with --decision corrected only');
  const db = openExisting(values.db ?? DEFAULT_DB_PATH, 'decide');
  if (!db) return 1;
  try {
    const r = decide(db, {
      reportId,
      checkId: values.check,
      decision: values.decision as Decision,
      value: value ?? null,
      note: values.note,
      by: values.by ?? null,
    });
    if (values.json) process.stdout.write(JSON.stringify(r) + '\n');
    else
      process.stdout.write(
        `review #${r.id}: report #${reportId} ${r.check_id} ${r.decision}${r.decision === 'corrected' ? ` to ${formatValue(r.corrected_value)}` : ''} by ${r.reviewer} at ${r.decided_at}\n`,
      );
    return 0;
  } catch (err) {
    process.stderr.write(`nianbao review decide: ${(err as Error).message}\n`);
    return 1;
  } finally {
    db.close();
  }
}

async function linkCmd(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, {
    db: { type: 'string' },
    json: { type: 'boolean' },
    report: { type: 'string' },
    agency: { type: 'string' },
    auto: { type: 'boolean' },
    by: { type: 'string' },
  }, help);
  if (!args) return 0;
  const { values } = args;
  const reportId = wholeNumberOption('report', values.report);
  if (reportId === undefined) throw usageError('link needs --report ID');
  if (!values.agency === !values.auto) throw usageError('link needs either --agency NAME or --auto');
  const db = openExisting(values.db ?? DEFAULT_DB_PATH, 'link');
  if (!db) return 1;
  try {
    const link = relink(db, reportId, values.agency ?? null, values.by ?? null);
    if (values.json) process.stdout.write(JSON.stringify(link ?? null) + '\n');
    else if (link) process.stdout.write(`report #${reportId} → agency #${link.agency_id} ${link.identity} (${link.source})\n`);
    else process.stdout.write(`report #${reportId} has no agency name: not linked\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`nianbao review link: ${(err as Error).message}\n`);
    return 1;
  } finally {
    db.close();
  }
}

async function recomputeCmd(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, { db: { type: 'string' }, report: { type: 'string' } }, help);
  if (!args) return 0;
  const { values } = args;
  const one = wholeNumberOption('report', values.report);
  const db = openExisting(values.db ?? DEFAULT_DB_PATH, 'recompute');
  if (!db) return 1;
  try {
    const ids = one !== undefined ? [one] : (db.prepare('SELECT id FROM reports ORDER BY year, id').all() as { id: number }[]).map((r) => r.id);
    for (const id of ids) afterIngest(db, id);
    process.stdout.write(`${ids.length} report${ids.length === 1 ? '' : 's'} linked and rechecked.\n`);
    return 0;
  } finally {
    db.close();
  }
}

async function agenciesCmd(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, { db: { type: 'string' }, json: { type: 'boolean' }, agency: { type: 'string' } }, help);
  if (!args) return 0;
  const { values } = args;
  const db = openExisting(values.db ?? DEFAULT_DB_PATH, 'agencies');
  if (!db) return 1;
  try {
    ensurePlacesSchema(db);
    // the body's place: that of its newest placed report (its division, kind and department type)
    const rows = db
      .prepare(
        `SELECT a.id, a.identity, a.display_name, a.qualifier,
                json_group_array(json_object('report_id', r.id, 'year', r.year, 'agency', r.agency, 'link', l.source)) AS reports_json,
                (SELECT json_object('division_code', p.division_code, 'division', p.division_name, 'zone', p.zone,
                                    'agency_kind', p.agency_kind, 'department_type', p.department_type)
                 FROM agency_links l2 JOIN reports r2 ON r2.id = l2.report_id JOIN report_places_data p ON p.report_id = r2.id
                 WHERE l2.agency_id = a.id AND p.division_code IS NOT NULL
                 ORDER BY r2.year DESC, r2.id DESC LIMIT 1) AS place_json
         FROM agencies a JOIN agency_links l ON l.agency_id = a.id JOIN reports r ON r.id = l.report_id
         WHERE @q IS NULL OR instr(a.identity, @q) > 0 OR instr(a.display_name, @q) > 0 OR instr(coalesce(r.agency, ''), @q) > 0
         GROUP BY a.id ORDER BY a.identity, a.id`,
      )
      .all({ q: values.agency ?? null }) as { id: number; identity: string; display_name: string; qualifier: string | null; reports_json: string; place_json: string | null }[];
    for (const a of rows) {
      const reports = (JSON.parse(a.reports_json) as { report_id: number; year: number | null; agency: string | null; link: string }[]).sort(
        (x, y) => (x.year ?? 0) - (y.year ?? 0) || x.report_id - y.report_id,
      );
      const none = { division_code: null, division: null, zone: null, agency_kind: null, department_type: null };
      const place = (a.place_json ? JSON.parse(a.place_json) : none) as Record<keyof typeof none, string | null>;
      if (values.json) {
        process.stdout.write(JSON.stringify({ id: a.id, identity: a.identity, display_name: a.display_name, qualifier: a.qualifier, ...place, reports }) + '\n');
      } else {
        const kind = place.agency_kind ? `${place.agency_kind}${place.department_type ? `/${place.department_type}` : ''}` : '';
        const where = place.division_code ? `  [${place.division_code} ${place.division}${place.zone ? ` ${place.zone}` : ''}, ${kind}]` : '  [not placed]';
        process.stdout.write(`agency #${a.id} ${a.identity}${a.qualifier ? ` (${a.qualifier})` : ''}${where}\n`);
        for (const r of reports) process.stdout.write(`  ${r.year ?? '?'}  #${r.report_id}  ${r.agency ?? '?'}${r.link === 'manual' ? '  (linked by hand)' : ''}\n`);
      }
    }
    if (!values.json) process.stdout.write(`${rows.length} bod${rows.length === 1 ? 'y' : 'ies'}.\n`);
    return 0;
  } finally {
    db.close();
  }
}

async function readPassword(file: string | undefined): Promise<string> {
  let text: string;
  if (file) text = readFileSync(file, 'utf8');
  else {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    text = Buffer.concat(chunks).toString('utf8');
  }
  return text.split(/\r?\n/)[0] ?? '';
}

async function userCmd(argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  const args = parseCommandArgs(rest, { db: { type: 'string' }, 'password-file': { type: 'string' }, json: { type: 'boolean' } }, help, { positionals: true });
  if (!args) return 0;
  const { values, positionals } = args;
  if (action !== 'add' && action !== 'list' && action !== 'remove') throw usageError('review user wants add NAME, list or remove NAME');
  const name = positionals[0];
  if (action !== 'list' && (!name || positionals.length !== 1)) throw usageError(`review user ${action} wants one NAME`);
  if (action === 'list' && positionals.length) throw usageError('review user list takes no NAME');
  const db = openExisting(values.db ?? DEFAULT_DB_PATH, 'user');
  if (!db) return 1;
  try {
    if (action === 'list') {
      const rows = listReviewers(db);
      if (values.json) for (const r of rows) process.stdout.write(JSON.stringify(r) + '\n');
      else {
        for (const r of rows) process.stdout.write(`${r.name}  created ${r.created_at}  ${r.sessions} session${r.sessions === 1 ? '' : 's'}\n`);
        process.stdout.write(`${rows.length} reviewer${rows.length === 1 ? '' : 's'}.\n`);
      }
      return 0;
    }
    if (action === 'remove') {
      if (!removeReviewer(db, name!)) {
        process.stderr.write(`nianbao review user remove: no reviewer ${name}\n`);
        return 1;
      }
      process.stdout.write(`reviewer ${name} removed\n`);
      return 0;
    }
    const password = await readPassword(values['password-file']);
    addReviewer(db, name!, password);
    process.stdout.write(`reviewer ${name} added\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`nianbao review user ${action}: ${(err as Error).message}\n`);
    return 1;
  } finally {
    db.close();
  }
}

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'user') return userCmd(rest);
  if (sub === 'agencies') return agenciesCmd(rest);
  if (sub === 'decide') return decideCmd(rest);
  if (sub === 'link') return linkCmd(rest);
  if (sub === 'recompute') return recomputeCmd(rest);
  if (sub === 'list') return list(rest);
  return list(argv);
}
