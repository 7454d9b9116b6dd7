/**
 * Confirmation by arithmetic for figures read by OCR. The template is redundant (row sums, column
 * totals, the balance identity, table 4 totals): when a check fails on an OCR'd report, each OCR'd
 * figure the failed checks involve is tried with its likely other readings (the recogniser's
 * runner-up for one digit, else a confusion table of digit shapes). A reading that makes every check
 * involving the figure pass, and breaks none that passed, explains the failure: problem
 * `ocr_misread` names the cell and both readings. The printed (OCR) reading is kept unless that
 * alternative is the only one consistent with every check; then it is used, and the problem and the
 * figure's provenance say so (provenance `text` stays what OCR read). A failure no misreading
 * explains stays a real failure of the report.
 */
import { runChecks, type CheckOptions, type Figures } from './checks.js';
import type { Check, FigureSource } from './report.js';
import type { Problem } from '../extractors/types.js';
import type { Grid } from '../extractors/types.js';

/** Digits whose printed shapes OCR confuses, most alike first. */
export const DIGIT_CONFUSIONS: Record<string, string[]> = {
  '0': ['8', '9', '6'],
  '1': ['7', '4'],
  '2': ['7', '3'],
  '3': ['8', '5', '2'],
  '4': ['1', '9'],
  '5': ['6', '3', '8'],
  '6': ['5', '8', '0'],
  '7': ['1', '2'],
  '8': ['3', '0', '6', '9', '5'],
  '9': ['0', '8', '4'],
};

/** Below this OCR confidence a figure in a failed check is named as doubtful. */
export const LOW_CONFIDENCE = 0.9;

export interface MisreadResult {
  figures: Figures;
  provenance: Record<string, FigureSource>;
  problems: Problem[];
  /** Keys whose value was replaced by the only reading consistent with every check. */
  corrected: string[];
}

interface Candidate {
  key: string;
  value: number;
  text: string;
  /** The failed checks this reading makes pass. */
  fixes: string[];
}

/** One-digit variants of a cell's text: the recogniser's alternatives, or the confusion table. */
export function readingsOf(text: string, alternatives?: string[]): string[] {
  const t = text.replace(/\s+/g, '');
  const out: string[] = [];
  for (const a of alternatives ?? []) if (a !== t && !out.includes(a)) out.push(a);
  const chars = [...t];
  chars.forEach((ch, i) => {
    for (const d of DIGIT_CONFUSIONS[ch] ?? []) {
      const v = [...chars];
      v[i] = d;
      const s = v.join('');
      if (!out.includes(s)) out.push(s);
    }
  });
  // a number does not start with a zero (except zero itself)
  return out.filter((s) => /^(0|[1-9]\d*)$/.test(s.replace(/[,，]/g, '')));
}

function cellAt(grids: Grid[], where: FigureSource['where']) {
  if (where.table === undefined || where.row === undefined || where.col === undefined) return undefined;
  const g = grids.find((x) => x.index === where.table);
  return g?.rows[where.row]?.[where.col];
}

const statusById = (checks: Check[]) => new Map(checks.map((c) => [c.id, c.status]));

function describe(p: FigureSource): string {
  return `table ${p.table}, row ${p.row_label || '(none)'}, column ${p.col_label}`;
}

export function resolveMisreads(figures: Figures, provenance: Record<string, FigureSource>, checks: Check[], grids: Grid[], opts: CheckOptions): MisreadResult {
  const problems: Problem[] = [];
  const failed = checks.filter((c) => c.status === 'fail');
  const out: MisreadResult = { figures, provenance, problems, corrected: [] };
  if (!failed.length) return out;
  const before = statusById(checks);
  const keys = new Set<string>();
  for (const c of failed) for (const k of c.keys) if (provenance[k]?.ocr && typeof figures[k] === 'number') keys.add(k);

  const candidates: Candidate[] = [];
  for (const key of keys) {
    const prov = provenance[key];
    const cell = cellAt(grids, prov.where);
    for (const text of readingsOf(prov.text, cell?.alternatives)) {
      const value = Number(text.replace(/[,，]/g, ''));
      if (!Number.isFinite(value) || value === figures[key]) continue;
      const trial = runChecks({ ...figures, [key]: value }, opts);
      const after = statusById(trial);
      // every check involving the figure passes (none skipped: a check that cannot run confirms
      // nothing, and one check alone can be balanced by the wrong figure), nothing that passed breaks
      const involved = trial.filter((c) => c.keys.includes(key));
      if (!involved.length || involved.some((c) => c.status !== 'pass')) continue;
      if ([...after].some(([id, st]) => st === 'fail' && before.get(id) !== 'fail')) continue;
      const fixes = failed.filter((c) => after.get(c.id) === 'pass').map((c) => c.id);
      if (fixes.length) candidates.push({ key, value, text, fixes });
    }
  }
  // an unsure reading in a failed check that no one-digit misreading explains: named, so that no
  // figure is silently wrong (the check stays failed: it may be the report's own error)
  const explained = new Set(candidates.map((c) => c.key));
  for (const key of keys) {
    const prov = provenance[key];
    if (explained.has(key) || prov.confidence === undefined || prov.confidence >= LOW_CONFIDENCE) continue;
    const involved = failed.filter((c) => c.keys.includes(key)).map((c) => c.id);
    problems.push({
      code: 'ocr_low_confidence',
      message: `OCR read "${prov.text}" with low confidence (${prov.confidence}); checks involving it fail (${involved.join(', ')}) and no one-digit misreading explains them: the reading is doubtful.`,
      where: describe(prov),
    });
  }
  if (!candidates.length) return out;

  const newFigures: Figures = { ...figures };
  const newProv: Record<string, FigureSource> = { ...provenance };
  const byKey = new Map<string, Candidate[]>();
  for (const c of candidates) byKey.set(c.key, [...(byKey.get(c.key) ?? []), c]);
  for (const [key, list] of byKey) {
    const prov = provenance[key];
    const printed = figures[key];
    // the only reading consistent with every check: no other figure or reading explains the same failures
    const rivals = candidates.filter((c) => c.key !== key && c.fixes.some((f) => list[0].fixes.includes(f)));
    const unique = list.length === 1 && rivals.length === 0;
    const conf = prov.confidence !== undefined ? ` (confidence ${prov.confidence})` : '';
    const readings = list.map((c) => `"${c.text}"`).join(' or ');
    const checksFixed = [...new Set(list.flatMap((c) => c.fixes))].join(', ');
    if (unique) {
      newFigures[key] = list[0].value;
      newProv[key] = { ...prov, ocr_read: printed, ocr_corrected: true };
      out.corrected.push(key);
      problems.push({
        code: 'ocr_misread',
        message: `OCR read "${prov.text}"${conf}; read as ${readings}, every check involving it passes (${checksFixed}), and no other reading does: ${list[0].value} is used. The figure is an inference from the arithmetic, not what OCR read.`,
        where: describe(prov),
      });
    } else {
      newProv[key] = { ...prov, ocr_alternatives: list.map((c) => c.value) };
      problems.push({
        code: 'ocr_misread',
        message: `OCR read "${prov.text}"${conf}; read as ${readings}, every check involving it passes (${checksFixed}), but ${rivals.length ? 'another figure' : 'another reading'} would explain it too: the reading "${prov.text}" is kept.`,
        where: describe(prov),
      });
    }
  }
  return { figures: newFigures, provenance: newProv, problems, corrected: out.corrected };
}

/**
 * Unsure OCR readings that no check confirms: a figure read with low confidence whose checks do not
 * all pass (table 2 has none; a check skipped for a missing figure confirms nothing), named so that
 * no doubtful figure is silent. Readings in failed checks are named by resolveMisreads already.
 */
export function unconfirmedReadings(figures: Figures, provenance: Record<string, FigureSource>, checks: Check[], named: Problem[]): Problem[] {
  const out: Problem[] = [];
  const already = new Set(named.map((p) => p.where ?? ''));
  for (const [key, prov] of Object.entries(provenance)) {
    if (!prov.ocr || prov.ocr_corrected || prov.confidence === undefined || prov.confidence >= LOW_CONFIDENCE) continue;
    if (typeof figures[key] !== 'number') continue;
    const involved = checks.filter((c) => c.keys.includes(key));
    if (involved.length && involved.every((c) => c.status === 'pass')) continue;
    if (involved.some((c) => c.status === 'fail')) continue;
    const where = describe(prov);
    if (already.has(where)) continue;
    out.push({
      code: 'ocr_low_confidence',
      message: `OCR read "${prov.text}" as ${figures[key]} (${key}) with low confidence (${prov.confidence}), and no check confirms it: the reading is doubtful.`,
      where,
    });
  }
  return out;
}
