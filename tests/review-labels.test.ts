/** Every check id the checks code can produce has a Chinese name in the template's words. */
import { describe, expect, it } from 'vitest';
import { runChecks } from '../src/checks.js';
import { CROSS_YEAR_IDS, crossYearChecks } from '../src/crossyear.js';
import { ALL_KNOWN_KEYS } from '../src/keys.js';
import { NARRATIVE_LABELS } from '../src/narrative.js';
import { checkZhOrNull, FAMILY_ZH, figuresZh, keyPlaceZh, checkFamily } from '../src/review/labels-zh.js';

function everyCheckId(): string[] {
  const ids = new Set<string>();
  for (const version of ['2019', '2021'] as const) {
    for (const otherAsOneRow of [false, true]) for (const c of runChecks({}, { version, otherAsOneRow })) ids.add(c.id);
  }
  for (const c of crossYearChecks({ year: 2021, version: '2021', figures: {} }, null)) ids.add(c.id);
  for (const id of CROSS_YEAR_IDS) ids.add(id);
  for (const id of Object.keys(NARRATIVE_LABELS)) ids.add(id);
  return [...ids];
}

describe('labels-zh', () => {
  it('names every check id of every family', () => {
    const ids = everyCheckId();
    expect(ids.length).toBe(61);
    const missing = ids.filter((id) => checkZhOrNull(id) === null);
    expect(missing).toEqual([]);
    for (const id of ids) expect(FAMILY_ZH[checkFamily(id)]).toBeDefined();
    expect(Object.keys(NARRATIVE_LABELS).sort()).toEqual([
      'narrative.carried_forward', 'narrative.carried_over', 'narrative.granted', 'narrative.granted_partial', 'narrative.litigation',
      'narrative.partial', 'narrative.requests_new', 'narrative.review',
    ]);
    expect(checkZhOrNull('requests.row_sum.nonsense')).toBeNull();
  });

  it('speaks the template', () => {
    expect(checkZhOrNull('requests.balance.natural')!.name).toBe('第一项加第二项之和应等于第三项加第四项之和（自然人）');
    expect(figuresZh('requests.balance.natural', 398, 391)).toBe('印 391，应为 398');
    expect(checkZhOrNull('requests.row_sum.denied.query')!.name).toBe('8.属于行政查询事项：自然人与法人或其他组织各栏之和应等于总计');
    expect(checkZhOrNull('narrative.review')!.name).toBe('正文所述“行政复议”件数应与表格一致');
    expect(keyPlaceZh('requests.total.natural')).toBe('表三 · 三、本年度办理结果 （七）总计 · 自然人');
    expect(keyPlaceZh('requests.denied.state_secret.commercial')).toBe('表三 · 三、本年度办理结果 （三）不予公开 1.属于国家秘密 · 法人或其他组织 商业企业');
    expect(keyPlaceZh('litigation_after_review.pending')).toBe('表四 · 行政诉讼 复议后起诉 · 尚未审结');
    for (const k of ALL_KNOWN_KEYS) expect(keyPlaceZh(k)).not.toMatch(/[a-z]/);
  });
});
