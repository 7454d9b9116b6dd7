/**
 * What kind of body publishes a report, from the part of its name after the place (人民政府,
 * 自然资源局, 管理委员会…): the government of a division (or of a zone), one of its departments
 * (normalised to the short list of DEPARTMENT_TYPES), a township or street, or other (courts,
 * procuratorates, party organs, schools, companies…).
 */
export type AgencyKind = 'government' | 'department' | 'township' | 'other';

/**
 * Department types, first match wins (教育体育局 is education, 文化广电和旅游局 culture_tourism).
 * A department the list does not know is type `other`; its identity across years then uses its name.
 */
export const DEPARTMENT_TYPES: [type: string, pattern: RegExp][] = [
  ['development_reform', /发展和改革|发展改革|发改/u],
  ['education', /教育|教体/u],
  ['science_technology', /科学技术|科技/u],
  ['industry_it', /工业和信息化|工业信息化|工信|经济和信息化|经信/u],
  ['ethnic_religious', /民族宗教|民族事务|宗教事务/u],
  ['public_security', /公安/u],
  ['civil_affairs', /民政/u],
  ['justice', /司法/u],
  ['finance', /财政/u],
  ['human_resources', /人力资源|人社/u],
  ['natural_resources', /自然资源|国土资源|国土|规划和自然/u],
  ['ecology_environment', /生态环境|环境保护|环保/u],
  ['housing_construction', /住房|城乡建设|住建|建设局|建设委员会/u],
  ['transport', /交通/u],
  ['water', /水利|水务/u],
  ['agriculture', /农业|农村|畜牧|农委|农牧/u],
  ['forestry', /林业/u],
  ['commerce', /商务/u],
  ['culture_tourism', /文化|旅游|广电|文广|文旅/u],
  ['health', /卫生|健康|计划生育|卫健/u],
  ['veterans', /退役军人/u],
  ['emergency', /应急|安全生产|安监/u],
  ['audit', /审计/u],
  ['market_regulation', /市场监督|市场监管|工商行政|质量技术监督|食品药品/u],
  ['statistics', /统计/u],
  ['medical_security', /医疗保障|医保/u],
  ['urban_management', /城市管理|城管|综合行政执法|综合执法/u],
  ['administrative_approval', /行政审批|政务服务|大数据/u],
  ['petition', /信访/u],
  ['tax', /税务/u],
  ['sports', /体育/u],
];

const GOVERNMENT = /^(?:(?:人民政府|政府)(?:办公室|办公厅|办)?)?$/u;
const ZONE_GOVERNMENT = /^(?:(?:管理委员会|管委会|工作委员会|党工委|管理局|管理办公室|人民政府)(?:办公室|办公厅|党政办公室|党政办)?)?$/u;
const TOWNSHIP_GOVERNMENT = /^(?:(?:人民政府|政府|街道办事处|办事处|党政办公室|党政办|党委)(?:办公室)?)?$/u;
const OTHER = /人民法院|人民检察院|人民代表大会|人大常委会|政协|^中共|党委|纪委|监察委员会|学校|大学|学院|医院|公司|银行|集团|^共青团/u;
const UNLISTED_TOWNSHIP = /^[\u4e00-\u9fff]{1,8}?(?:镇|乡|街道|苏木)(?:人民政府|政府|办事处|街道办事处)(?:办公室|党政办公室)?$/u;
const DEPARTMENT = /(?:局|委员会|委|办公室|办|厅|中心|署|管理处|站|所|队)$/u;

export interface KindResult {
  kind: AgencyKind;
  department_type: string | null;
}

/**
 * The kind of a body from the rest of its name (`body`), given whether its place is a township
 * and whether it is a zone's body.
 */
export function classifyBody(body: string, where: { township: boolean; zone: boolean }): KindResult {
  if (where.township && TOWNSHIP_GOVERNMENT.test(body)) return { kind: 'township', department_type: null };
  // a township the gazetteer does not list (renamed or merged): still a township's government
  if (UNLISTED_TOWNSHIP.test(body)) return { kind: 'township', department_type: null };
  if (where.zone && ZONE_GOVERNMENT.test(body)) return { kind: 'government', department_type: null };
  if (GOVERNMENT.test(body)) return { kind: where.township ? 'township' : 'government', department_type: null };
  if (OTHER.test(body)) return { kind: 'other', department_type: null };
  // 人民政府 contains 民政: not a civil-affairs department
  const words = body.replace(/人民政府/gu, '政府');
  for (const [type, re] of DEPARTMENT_TYPES) if (re.test(words)) return { kind: 'department', department_type: type };
  if (DEPARTMENT.test(body)) return { kind: 'department', department_type: 'other' };
  return { kind: 'other', department_type: null };
}
