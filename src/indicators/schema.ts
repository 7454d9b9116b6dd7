/**
 * The indicators as SQL views, generated from the one table of definitions (./definitions.ts):
 *
 * - `indicator_definitions` (table): id, names, version, scope, formula, keys: the table of code, for SQL users;
 * - `report_indicator_values`: one row per report, per indicator `<id>`, `<id>_numerator`,
 *   `<id>_denominator`, `<id>_reason` (NULL value ⇔ a reason);
 * - `report_indicators`: the same, long: one row per report and indicator (with the report's year);
 * - `division_check_failures`: per province, city and county and year, the reports (ok or partial) and
 *   how many have a failed check (indicator failed_checks_share);
 * - `indicator_panel`: one row per body and year (its best report, as view `panel`), with its place,
 *   every indicator and reason, and for each per-report indicator its percentile (0 lowest … 1 highest)
 *   and rank (1 = highest) among the bodies of the same province, and of the same city, that year.
 *
 * They read only the documented tables and views by name (reports, figures, checks with keys_json,
 * agency_links, agencies, report_places_data), so storage may change underneath. The views are derived:
 * `ensureIndicatorSchema` (re)creates any whose stored SQL differs from what the definitions give, so
 * a changed definition reaches every database the next time it is opened by nianbao.
 */
import { applyMigrations, type Migration } from '../store/migrate.js';
import type { Db } from '../store/db.js';
import { ALL_KNOWN_KEYS } from '../keys.js';
import { ensurePlacesSchema } from '../places/schema.js';
import { formulaText, INDICATORS, indicatorKeys, REPORT_INDICATORS, type IndicatorDef, type Term } from './definitions.js';

export const indicatorMigrations: Migration[] = [
  {
    version: 1,
    description: 'indicator_definitions (the views are created from src/indicators/definitions.ts by ensureIndicatorSchema)',
    up: `CREATE TABLE indicator_definitions (
  id             TEXT PRIMARY KEY,
  name_zh        TEXT NOT NULL,
  name_en        TEXT NOT NULL,
  version        INTEGER NOT NULL,
  scope          TEXT NOT NULL,             -- report | previous_year | division
  formula        TEXT NOT NULL,
  keys_json      TEXT NOT NULL,             -- the canonical keys it reads
  description_zh TEXT NOT NULL,
  description_en TEXT NOT NULL
);`,
  },
];

const q = (s: string) => `'${s.replace(/'/g, "''")}'`;
const BEST_ORDER = "CASE r.status WHEN 'ok' THEN 0 WHEN 'partial' THEN 1 ELSE 2 END, r.id DESC";

/** The SQL of every view, in creation order. */
export function indicatorViewsSql(): { name: string; sql: string }[] {
  const keys = Array.from(new Set(REPORT_INDICATORS.flatMap(indicatorKeys)));
  const prevKeys = Array.from(new Set(REPORT_INDICATORS.flatMap((d) => [...d.numerator, ...d.denominator].filter((x) => x.previousYear).map((x) => x.key))));
  const ix = (k: string) => keys.indexOf(k);
  const val = (x: Term) => (x.previousYear ? `p${ix(x.key)}` : `c${ix(x.key)}`);
  const bad = (x: Term) => (x.previousYear ? `pb${ix(x.key)}` : `cb${ix(x.key)}`);
  const label = (x: Term) => `${x.key}${x.previousYear ? ' [year - 1]' : ''}`;
  const sum = (terms: Term[]) => terms.map((x, i) => `${i === 0 ? (x.sign === -1 ? '-' : '') : x.sign === -1 ? ' - ' : ' + '}${val(x)}`).join('');
  const list = (terms: Term[], cond: (x: Term) => string) =>
    `substr(${terms.map((x) => `CASE WHEN ${cond(x)} THEN ${q(', ' + label(x))} ELSE '' END`).join(' || ')}, 3)`;

  const reasonOf = (d: IndicatorDef): string => {
    // each figure once, in template order (this year's before the year before's)
    const terms = [...d.numerator, ...d.denominator]
      .filter((x, i, a) => a.findIndex((y) => y.key === x.key && !!y.previousYear === !!x.previousYear) === i)
      .sort((a, b) => Number(!!a.previousYear) - Number(!!b.previousYear) || ALL_KNOWN_KEYS.indexOf(a.key) - ALL_KNOWN_KEYS.indexOf(b.key));
    const whens = [`WHEN NOT has_figures THEN 'no figures (report status ' || status || ')'`];
    if (terms.some((x) => x.previousYear)) {
      whens.push(`WHEN agency_id IS NULL THEN 'not linked to a body across years'`);
      whens.push(`WHEN year IS NULL THEN 'no year'`);
      whens.push(`WHEN prev_report_id IS NULL THEN 'no report of the same body for the year before'`);
      whens.push(`WHEN NOT prev_has_figures THEN 'no figures in the report of the year before (report ' || prev_report_id || ')'`);
    }
    whens.push(`WHEN ${terms.map((x) => `${val(x)} IS NULL`).join(' OR ')} THEN 'missing or unreadable: ' || ${list(terms, (x) => `${val(x)} IS NULL`)}`);
    whens.push(`WHEN ${terms.map((x) => bad(x)).join(' + ')} > 0 THEN 'in a failed check: ' || ${list(terms, (x) => `${bad(x)} > 0`)}`);
    whens.push(`WHEN ${sum(d.denominator)} = 0 THEN 'denominator is 0'`);
    return `CASE ${whens.join('\n      ')} END`;
  };

  // Each report's figures and the keys of its failed checks are looked up by primary key (figures by
  // (report_id, key), checks by report_id), so a query for one report reads only that report's rows, and a
  // full scan costs a few index lookups per report rather than a scan of every figure per indicator.
  const fig = (rid: string, k: string) => `(SELECT value FROM figures WHERE report_id = ${rid} AND key = ${q(k)})`;
  const failedKeys = (rid: string) =>
    `'|' || coalesce((SELECT group_concat(j.value, '|') FROM checks c, json_each(c.keys_json) j WHERE c.report_id = ${rid} AND c.status = 'fail'), '') || '|'`;
  const values = `CREATE VIEW report_indicator_values AS
WITH linked AS (
  SELECT r.id AS report_id, r.status, r.year, l.agency_id,
         (SELECT x.id FROM agency_links l2 JOIN reports x ON x.id = l2.report_id
          WHERE l2.agency_id = l.agency_id AND x.year = r.year - 1 AND x.status NOT IN ('not_a_report', 'error')
          ORDER BY ${BEST_ORDER.replace(/r\./g, 'x.')} LIMIT 1) AS prev_report_id
  FROM reports r LEFT JOIN agency_links l ON l.report_id = r.id
),
looked AS MATERIALIZED (
  SELECT report_id, status, year, agency_id, prev_report_id,
         EXISTS (SELECT 1 FROM figures WHERE report_id = linked.report_id) AS has_figures,
         EXISTS (SELECT 1 FROM figures WHERE report_id = linked.prev_report_id) AS prev_has_figures,
         ${failedKeys('linked.report_id')} AS failed_keys,
         ${prevKeys.length ? `CASE WHEN prev_report_id IS NULL THEN '||' ELSE ${failedKeys('linked.prev_report_id')} END` : "'||'"} AS prev_failed_keys,
         ${keys.map((k, i) => `${fig('linked.report_id', k)} AS c${i}`).join(',\n         ')}${prevKeys.length ? ',\n         ' : ''}${prevKeys.map((k) => `${fig('linked.prev_report_id', k)} AS p${ix(k)}`).join(',\n         ')}
  FROM linked
),
base AS (
  SELECT *, ${keys.map((k, i) => `instr(failed_keys, ${q(`|${k}|`)}) > 0 AS cb${i}`).join(', ')}${prevKeys.length ? ', ' : ''}${prevKeys.map((k) => `instr(prev_failed_keys, ${q(`|${k}|`)}) > 0 AS pb${ix(k)}`).join(', ')}
  FROM looked
),
calc AS MATERIALIZED (
  SELECT report_id, prev_report_id,
    ${REPORT_INDICATORS.map((d) => `${sum(d.numerator)} AS ${d.id}_numerator,\n    ${sum(d.denominator)} AS ${d.id}_denominator,\n    ${reasonOf(d)} AS ${d.id}_reason`).join(',\n    ')}
  FROM base
)
SELECT report_id, prev_report_id,
  ${REPORT_INDICATORS.map((d) => `CASE WHEN ${d.id}_reason IS NULL THEN 1.0 * ${d.id}_numerator / ${d.id}_denominator END AS ${d.id}, ${d.id}_numerator, ${d.id}_denominator, ${d.id}_reason`).join(',\n  ')}
FROM calc`;

  const pick = (col: (d: IndicatorDef) => string) => `CASE d.id ${REPORT_INDICATORS.map((d) => `WHEN ${q(d.id)} THEN ${col(d)}`).join(' ')} END`;
  const long = `CREATE VIEW report_indicators AS
SELECT v.report_id, r.year, d.id AS indicator_id, d.version AS indicator_version,
       ${pick((d) => `v.${d.id}`)} AS value,
       ${pick((d) => `v.${d.id}_numerator`)} AS numerator,
       ${pick((d) => `v.${d.id}_denominator`)} AS denominator,
       ${pick((d) => `v.${d.id}_reason`)} AS reason
FROM report_indicator_values v CROSS JOIN indicator_definitions d JOIN reports r ON r.id = v.report_id
WHERE d.scope <> 'division'`;

  const level = (lvl: string, code: string, name: string) =>
    `SELECT ${q(lvl)} AS level, ${code} AS division_code, max(${name}) AS division_name, year, count(*) AS reports, sum(failed) AS reports_failing,
       1.0 * sum(failed) / count(*) AS failed_checks_share
FROM x WHERE ${code} IS NOT NULL GROUP BY ${code}, year`;
  const divisions = `CREATE VIEW division_check_failures AS
WITH x AS (
  SELECT r.id, r.year, p.province_code, p.province, p.city_code, p.city, p.county_code, p.county,
         EXISTS (SELECT 1 FROM checks c WHERE c.report_id = r.id AND c.status = 'fail') AS failed
  FROM reports r JOIN report_places_data p ON p.report_id = r.id
  WHERE r.status IN ('ok', 'partial') AND r.year IS NOT NULL
)
${level('province', 'province_code', 'province')}
UNION ALL
${level('city', 'city_code', 'city')}
UNION ALL
${level('county', 'county_code', 'county')}`;

  const ranks = REPORT_INDICATORS.flatMap((d) =>
    (['province', 'city'] as const).flatMap((lvl) => [
      `CASE WHEN ${d.id} IS NOT NULL AND ${lvl}_code IS NOT NULL THEN percent_rank() OVER (PARTITION BY year, ${lvl}_code, ${d.id} IS NULL ORDER BY ${d.id}) END AS ${d.id}_pct_${lvl}`,
      `CASE WHEN ${d.id} IS NOT NULL AND ${lvl}_code IS NOT NULL THEN rank() OVER (PARTITION BY year, ${lvl}_code, ${d.id} IS NULL ORDER BY ${d.id} DESC) END AS ${d.id}_rank_${lvl}`,
    ]),
  );
  const panel = `CREATE VIEW indicator_panel AS
WITH ranked AS MATERIALIZED (
  SELECT l.agency_id, r.year, r.id AS report_id,
         row_number() OVER (PARTITION BY l.agency_id, r.year ORDER BY ${BEST_ORDER}) AS rn,
         count(*) OVER (PARTITION BY l.agency_id, r.year) AS reports
  FROM agency_links l JOIN reports r ON r.id = l.report_id
  WHERE r.year IS NOT NULL AND r.status NOT IN ('not_a_report', 'error')
),
divisions AS MATERIALIZED (SELECT * FROM division_check_failures),
values_of AS MATERIALIZED (SELECT * FROM report_indicator_values),
base AS MATERIALIZED (
  SELECT x.agency_id, a.identity AS body, a.display_name, x.year, x.report_id, x.reports, r.agency AS agency_as_printed,
         r.version, r.status, p.province_code, p.province, p.city_code, p.city, p.county_code, p.county, p.township_code,
         p.division_code, p.division_level, p.agency_kind, p.department_type,
         ${REPORT_INDICATORS.map((d) => `v.${d.id}, v.${d.id}_reason`).join(', ')},
         dp.failed_checks_share AS province_failed_checks_share, dc.failed_checks_share AS city_failed_checks_share
  FROM ranked x
  JOIN agencies a ON a.id = x.agency_id
  JOIN reports r ON r.id = x.report_id
  LEFT JOIN report_places_data p ON p.report_id = x.report_id
  JOIN values_of v ON v.report_id = x.report_id
  LEFT JOIN divisions dp ON dp.level = 'province' AND dp.division_code = p.province_code AND dp.year = x.year
  LEFT JOIN divisions dc ON dc.level = 'city' AND dc.division_code = p.city_code AND dc.year = x.year
  WHERE x.rn = 1
)
SELECT base.*,
  ${ranks.join(',\n  ')}
FROM base`;

  return [
    { name: 'report_indicator_values', sql: values },
    { name: 'report_indicators', sql: long },
    { name: 'division_check_failures', sql: divisions },
    { name: 'indicator_panel', sql: panel },
  ];
}

/** The rows of table indicator_definitions, as the code defines them. */
export function definitionRows(): Record<string, string | number>[] {
  return INDICATORS.map((d) => ({
    id: d.id,
    name_zh: d.zh,
    name_en: d.en,
    version: d.version,
    scope: d.scope,
    formula: formulaText(d),
    keys_json: JSON.stringify(indicatorKeys(d)),
    description_zh: d.descriptionZh,
    description_en: d.descriptionEn,
  }));
}

const synced = new WeakSet<Db>();

/**
 * Applies the 'review', 'places' and 'indicators' sets, and (re)creates the indicator views and the
 * definitions table's rows wherever they differ from the code. Cheap when nothing changed (a few rows
 * of sqlite_master compared), and once per connection.
 */
export function ensureIndicatorSchema(db: Db): void {
  if (synced.has(db)) return;
  ensurePlacesSchema(db);
  applyMigrations(db, 'indicators', indicatorMigrations);
  const views = indicatorViewsSql();
  const stored = new Map(
    (db.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'view' AND name IN (${views.map((v) => q(v.name)).join(', ')})`).all() as { name: string; sql: string }[]).map((r) => [r.name, r.sql]),
  );
  const rows = definitionRows();
  const storedDefs = JSON.stringify(db.prepare('SELECT * FROM indicator_definitions ORDER BY rowid').all());
  const viewsDiffer = views.some((v) => stored.get(v.name) !== v.sql);
  if (viewsDiffer || storedDefs !== JSON.stringify(rows)) {
    db.transaction(() => {
      if (viewsDiffer) {
        for (const v of [...views].reverse()) db.exec(`DROP VIEW IF EXISTS ${v.name}`);
        for (const v of views) db.exec(v.sql);
      }
      db.exec('DELETE FROM indicator_definitions');
      const ins = db.prepare(
        'INSERT INTO indicator_definitions (id, name_zh, name_en, version, scope, formula, keys_json, description_zh, description_en) VALUES (@id, @name_zh, @name_en, @version, @scope, @formula, @keys_json, @description_zh, @description_en)',
      );
      for (const r of rows) ins.run(r);
    })();
  }
  if (!db.inTransaction) synced.add(db);
}
