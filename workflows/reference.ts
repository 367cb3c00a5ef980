/**
 * Reference data: the fixed vocabularies of the domain (DOMAIN.md), each with its labels in both
 * languages. Pure data, safe in workflow code; pages and notifications read their labels here.
 */

export interface Label {
  zh: string;
  en: string;
}

/** Labels for a vocabulary, given in the vocabulary's order: `zh[i]` and `en[i]` name `keys[i]`. */
function labelled<K extends string>(keys: readonly K[], { zh, en }: { zh: readonly string[]; en: readonly string[] }): Readonly<Record<K, Label>> {
  if (zh.length !== keys.length || en.length !== keys.length) throw new Error(`labels for ${keys.join(', ')} do not match them one to one`);
  return Object.fromEntries(keys.map((k, i) => [k, { zh: zh[i]!, en: en[i]! }])) as Record<K, Label>;
}

/** Stages of a project's journey (DOMAIN.md, Journey); the last two are terminal alternatives. */
export const STAGES = ['intention', 'negotiating', 'signed', 'landing', 'funds', 'operating', 'withdrawn', 'merged'] as const;
export type Stage = (typeof STAGES)[number];

export const STAGE_LABELS = labelled(STAGES, {
  zh: ['意向', '在谈', '签约', '落地', '到资', '投产', '终止', '合并'],
  en: ['Intention', 'Negotiating', 'Signed', 'Landing', 'Funds', 'Operating', 'Withdrawn', 'Merged'],
});

/** Stages a project may be registered in; later stages are reached through the workflow. */
export const INITIAL_STAGES = ['intention', 'negotiating', 'signed'] as const satisfies readonly Stage[];
export type InitialStage = (typeof INITIAL_STAGES)[number];

/** Where a project's journey ends: it operates, or it was withdrawn or merged into another. */
export const TERMINAL_STAGES = ['operating', 'withdrawn', 'merged'] as const satisfies readonly Stage[];

export function isTerminal(stage: Stage): boolean {
  return (TERMINAL_STAGES as readonly Stage[]).includes(stage);
}

/** Liaoning's 14 cities and the Shenfu demonstration zone. */
export const CITIES = [
  '沈阳', '大连', '鞍山', '抚顺', '本溪', '丹东', '锦州', '营口', '阜新', '辽阳', '盘锦', '铁岭', '朝阳', '葫芦岛', '沈抚新区',
] as const;
export type City = (typeof CITIES)[number];
/** Stands for the whole province where a city would be. */
export const PROVINCE_WIDE = '全省';

export const CAPITAL_TYPES = ['domestic', 'foreign'] as const;
/** 内资 (counted in CNY) or 外资 (counted in USD). */
export type CapitalType = (typeof CAPITAL_TYPES)[number];

export const CAPITAL_TYPE_LABELS = labelled(CAPITAL_TYPES, { zh: ['内资', '外资'], en: ['Domestic', 'Foreign'] });

export const DEPARTMENTS = [
  'commerce', 'development_reform', 'industry_it', 'natural_resources', 'market_regulation', 'ecology_environment', 'housing_construction',
] as const;
export type Department = (typeof DEPARTMENTS)[number];

export const DEPARTMENT_LABELS = labelled(DEPARTMENTS, {
  zh: ['商务', '发改', '工信', '自然资源', '市场监管', '生态环境', '住建'],
  en: ['Commerce', 'Development & Reform', 'Industry & IT', 'Natural Resources', 'Market Regulation', 'Ecology & Environment', 'Housing & Construction'],
});

export const BLOCKER_CATEGORIES = ['land', 'approvals', 'financing', 'infrastructure', 'policy', 'other'] as const;
/** 瓶颈 */
export type BlockerCategory = (typeof BLOCKER_CATEGORIES)[number];

export const BLOCKER_CATEGORY_LABELS = labelled(BLOCKER_CATEGORIES, {
  zh: ['用地', '审批', '融资', '基础设施', '政策', '其他'],
  en: ['Land', 'Approvals', 'Financing', 'Infrastructure', 'Policy', 'Other'],
});

/** `system`: a record could not be written (a data error); an admin re-projects once the cause is fixed. */
export const STUCK_REASONS = ['escalated', 'blocker', 'idle', 'system'] as const;
export type StuckReason = (typeof STUCK_REASONS)[number];

export const STUCK_REASON_LABELS = labelled(STUCK_REASONS, {
  zh: ['督办升级', '瓶颈未解决', '长期无进展', '系统故障（记录未写入）'],
  en: ['Escalated', 'Open blocker', 'No progress', 'System: a record could not be written'],
});

/** What a completed milestone proves, for the landing rate (DOMAIN.md: registered, land paid, construction started). */
export const MILESTONES = ['registered', 'landPaid', 'constructionStarted'] as const;
export type Milestone = (typeof MILESTONES)[number];

export const CURRENCIES = ['CNY', 'USD'] as const;
export type Currency = (typeof CURRENCIES)[number];

/** Who an escalation rung or a blocker reaches (DOMAIN.md, Escalation). */
export const AUDIENCES = ['department', 'liaison', 'department_head', 'city_bureau', 'city_leader', 'provincial_group', 'coordination', 'supervisors'] as const;
export type Audience = (typeof AUDIENCES)[number];

export const AUDIENCE_LABELS = labelled(AUDIENCES, {
  zh: ['责任部门', '项目对接人', '部门负责人', '市招商局', '市级挂帅领导', '省级协调推进组', '协调部门', '督查人员'],
  en: ['Responsible department', 'Project liaison', 'Department head', 'City investment bureau', 'City leader in charge', 'Provincial coordination group', 'Coordination department', 'Supervisors'],
});

/** Audiences reached through the contacts table; the liaison is the project's own. */
export const CONTACT_AUDIENCES = AUDIENCES.filter((a): a is Exclude<Audience, 'liaison'> => a !== 'liaison');

/** Rung n (1-based) reaches RUNG_AUDIENCES[n - 1]; rungs past the last reach the last. */
const RUNG_AUDIENCES: readonly (readonly Audience[])[] = [
  ['department', 'liaison'],
  ['department_head', 'city_bureau'],
  ['city_leader'],
  ['provincial_group'],
];

/** Who escalation rung `rung` (1-based) reaches; none below rung 1. */
export function rungAudiences(rung: number): readonly Audience[] {
  return rung < 1 ? [] : RUNG_AUDIENCES[Math.min(rung, RUNG_AUDIENCES.length) - 1]!;
}

/** Who the rung after `rung` would reach, or null past the last rung's audience. */
export function nextRungAudiences(rung: number): readonly Audience[] | null {
  return RUNG_AUDIENCES[rung] ?? null;
}
