/**
 * Reference data: the fixed vocabularies of the domain (DOMAIN.md), each with its labels in both
 * languages. Pure data, safe in workflow code; pages and notifications read their labels here.
 */

export interface Label {
  zh: string;
  en: string;
}

/** Stages of a project's journey (DOMAIN.md, Journey); the last two are terminal alternatives. */
export const STAGES = ['intention', 'negotiating', 'signed', 'landing', 'funds', 'operating', 'withdrawn', 'merged'] as const;
export type Stage = (typeof STAGES)[number];

export const STAGE_LABELS: Readonly<Record<Stage, Label>> = {
  intention: { zh: '意向', en: 'Intention' },
  negotiating: { zh: '在谈', en: 'Negotiating' },
  signed: { zh: '签约', en: 'Signed' },
  landing: { zh: '落地', en: 'Landing' },
  funds: { zh: '到资', en: 'Funds' },
  operating: { zh: '投产', en: 'Operating' },
  withdrawn: { zh: '终止', en: 'Withdrawn' },
  merged: { zh: '合并', en: 'Merged' },
};

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

export const DEPARTMENTS = [
  'commerce',
  'development_reform',
  'industry_it',
  'natural_resources',
  'market_regulation',
  'ecology_environment',
  'housing_construction',
] as const;
export type Department = (typeof DEPARTMENTS)[number];

export const DEPARTMENT_LABELS: Readonly<Record<Department, Label>> = {
  commerce: { zh: '商务', en: 'Commerce' },
  development_reform: { zh: '发改', en: 'Development & Reform' },
  industry_it: { zh: '工信', en: 'Industry & IT' },
  natural_resources: { zh: '自然资源', en: 'Natural Resources' },
  market_regulation: { zh: '市场监管', en: 'Market Regulation' },
  ecology_environment: { zh: '生态环境', en: 'Ecology & Environment' },
  housing_construction: { zh: '住建', en: 'Housing & Construction' },
};

export const BLOCKER_CATEGORIES = ['land', 'approvals', 'financing', 'infrastructure', 'policy', 'other'] as const;
/** 瓶颈 */
export type BlockerCategory = (typeof BLOCKER_CATEGORIES)[number];

/** `system`: a record could not be written (a data error); an admin re-projects once the cause is fixed. */
export const STUCK_REASONS = ['escalated', 'blocker', 'idle', 'system'] as const;
export type StuckReason = (typeof STUCK_REASONS)[number];

export const STUCK_REASON_LABELS: Readonly<Record<StuckReason, Label>> = {
  escalated: { zh: '督办升级', en: 'Escalated' },
  blocker: { zh: '瓶颈未解决', en: 'Open blocker' },
  idle: { zh: '长期无进展', en: 'No progress' },
  system: { zh: '系统故障（记录未写入）', en: 'System: a record could not be written' },
};

/** What a completed milestone proves, for the landing rate (DOMAIN.md: registered, land paid, construction started). */
export const MILESTONES = ['registered', 'landPaid', 'constructionStarted'] as const;
export type Milestone = (typeof MILESTONES)[number];

export const CURRENCIES = ['CNY', 'USD'] as const;
export type Currency = (typeof CURRENCIES)[number];

/** Who an escalation rung or a blocker reaches (DOMAIN.md, Escalation). */
export const AUDIENCES = ['department', 'liaison', 'department_head', 'city_bureau', 'city_leader', 'provincial_group', 'coordination', 'supervisors'] as const;
export type Audience = (typeof AUDIENCES)[number];

export const AUDIENCE_LABELS: Readonly<Record<Audience, Label>> = {
  department: { zh: '责任部门', en: 'Responsible department' },
  liaison: { zh: '项目对接人', en: 'Project liaison' },
  department_head: { zh: '部门负责人', en: 'Department head' },
  city_bureau: { zh: '市招商局', en: 'City investment bureau' },
  city_leader: { zh: '市级挂帅领导', en: 'City leader in charge' },
  provincial_group: { zh: '省级协调推进组', en: 'Provincial coordination group' },
  coordination: { zh: '协调部门', en: 'Coordination department' },
  supervisors: { zh: '督查人员', en: 'Supervisors' },
};

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
