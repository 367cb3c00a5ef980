/**
 * The contract between the API, the worker and tests: workflow and message names, their input and
 * output types, search attributes, and the error vocabulary. Importing this never pulls in a
 * workflow body.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { Department, FormField, Label, Milestone, MoneyValue, TaskTemplate } from './templates.js';

export const TASK_QUEUE = 'luodi-projects';
export const PROJECT_WORKFLOW = 'projectLanding';
export const REPORT_WORKFLOW = 'quarterlyReport';
/** The Schedule that runs the quarterly dispatch report after each quarter. */
export const REPORT_SCHEDULE_ID = 'luodi-quarterly-report';

/** Stages of a project's journey (DOMAIN.md, Journey); the last two are terminal alternatives. */
export const STAGES = ['intention', 'negotiating', 'signed', 'landing', 'funds', 'operating', 'withdrawn', 'merged'] as const;
export type Stage = (typeof STAGES)[number];

export const STAGE_LABELS: Readonly<Record<Stage, string>> = {
  intention: '意向',
  negotiating: '在谈',
  signed: '签约',
  landing: '落地',
  funds: '到资',
  operating: '投产',
  withdrawn: '终止',
  merged: '合并',
};

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

/** Stages a project may be registered in; later stages are reached through the workflow. */
export const INITIAL_STAGES = ['intention', 'negotiating', 'signed'] as const satisfies readonly Stage[];
export type InitialStage = (typeof INITIAL_STAGES)[number];

export interface ProjectInput {
  code: string;
  name: string;
  /** Shown wherever the real name must not be (search attributes, summaries). */
  codename: string | null;
  city: City;
  investor: string;
  capitalType: CapitalType;
  outOfProvince: boolean;
  stage: InitialStage;
  /** Selects the task template (latest version at start); absent in projects started before templates existed. */
  projectType?: string;
  /** The dedicated liaison (专人对接), a user id. */
  liaison?: string | null;
  /** Contracted investment (签约额), in integer minor units. */
  contracted?: MoneyValue | null;
  /** The signing event (e.g. a summit's 集中签约) and date (YYYY-MM-DD). */
  signingEvent?: string | null;
  signedOn?: string | null;
  /** Who registered the project. */
  actor: string;
}

export interface StageTransition {
  from: Stage | null;
  to: Stage;
  actor: string;
  at: string;
  reason: string | null;
}

export type TaskStatus = 'pending' | 'open' | 'done' | 'cancelled';

export interface TaskState {
  key: string;
  department: Department;
  title: Label;
  dependsOn: string[];
  fields: FormField[];
  dueWorkingDays: number;
  /** What completing it proves, for the landing rate; from the template. */
  milestone?: Milestone | null;
  status: TaskStatus;
  openedAt: string | null;
  dueAt: string | null;
  /** When each escalation rung fires; rungAt[0] is the due date. */
  rungAt: string[];
  /** 0 while not overdue; otherwise the highest rung reached. */
  rung: number;
  completedAt: string | null;
  completedBy: string | null;
  data: Record<string, unknown> | null;
}

export const BLOCKER_CATEGORIES = ['land', 'approvals', 'financing', 'infrastructure', 'policy', 'other'] as const;
/** 瓶颈 */
export type BlockerCategory = (typeof BLOCKER_CATEGORIES)[number];

export interface Blocker {
  id: string;
  /** The request that reported it, so that a retried report finds it again. */
  requestId: string;
  category: BlockerCategory;
  description: string;
  reportedBy: string;
  reportedAt: string;
  resolvedBy: string | null;
  resolvedAt: string | null;
  resolution: string | null;
}

/** `system`: a record could not be written (a data error); an admin re-projects once the cause is fixed. */
export const STUCK_REASONS = ['escalated', 'blocker', 'idle', 'system'] as const;
export type StuckReason = (typeof STUCK_REASONS)[number];

export interface StuckState {
  stuck: boolean;
  reasons: StuckReason[];
  since: string | null;
}

/** One line of the funds ledger (实际到位资金): a tranche, or a reversal correcting one. */
export interface FundsEntry {
  /** F1, F2, … within the project. */
  id: string;
  /** The request that created it, so that a retried request finds it again. */
  requestId: string;
  kind: 'tranche' | 'reversal';
  /** Integer minor units as a string; negative for a reversal. */
  amountMinor: string;
  currency: 'CNY' | 'USD';
  receivedOn: string;
  evidence: string;
  enteredBy: string;
  enteredAt: string;
  /** For a reversal: the entry it corrects. */
  reverses: string | null;
  reason: string | null;
  verifiedBy: string | null;
  verifiedAt: string | null;
  /** For a tranche: the reversal that corrects it. */
  reversedBy: string | null;
  /** An unverified entry made by mistake is voided (作废) instead: it never counts. Absent in older states. */
  voidedBy?: string | null;
  voidedAt?: string | null;
  voidReason?: string | null;
}

/** 增资: a later increase of the contracted investment; statistics count only this increment. */
export interface CapitalIncrease {
  id: string;
  requestId: string;
  amountMinor: string;
  currency: 'CNY' | 'USD';
  agreedOn: string;
  enteredBy: string;
}

export interface ProjectState extends Omit<ProjectInput, 'stage' | 'actor' | 'projectType' | 'liaison'> {
  projectType: string | null;
  liaison: string | null;
  stage: Stage;
  transitions: StageTransition[];
  /** Increases with every change; orders projection writes and keys audit records. */
  version: number;
  startedAt: string;
  updatedAt: string;
  /** The template version fixed at start; null for projects started before templates existed. */
  template: Pick<TaskTemplate, 'projectType' | 'version' | 'escalationWorkingDays' | 'idleWorkingDays'> | null;
  tasks: TaskState[];
  blockers: Blocker[];
  /** Last milestone done or stage change; the idle clock starts here. */
  lastProgressAt: string;
  /** When the project counts as idle if nothing happens before. */
  idleAt: string | null;
  stuck: StuckState;
  /** The funds ledger as the workflow knows it; PostgreSQL keeps the record. */
  funds: FundsEntry[];
  capitalIncreases: CapitalIncrease[];
  /** Request ids already applied (the most recent ones), so a retried request changes nothing. */
  appliedRequests: string[];
  /** Writes that failed for good, kept until `reproject` runs them again (the project is stuck: system). */
  writeFailures: WriteFailure[];
  /** How many failed writes were dropped beyond the kept ones (a full re-projection restores the rows). */
  droppedWriteFailures: number;
}

/** One record the workflow writes through an activity, as kept for a retry. */
export type WriteCall =
  | { activity: 'recordProjectEvent'; event: ProjectEvent }
  | { activity: 'requestNotifications'; requests: NotificationRequest[] }
  | { activity: 'appendFundsEntry'; entry: FundsEntry }
  | { activity: 'verifyFundsEntry'; entryId: string; verifiedBy: string; verifiedAt: string }
  | { activity: 'voidFundsEntry'; entryId: string; voidedBy: string; voidedAt: string; reason: string }
  | { activity: 'appendCapitalIncrease'; increase: CapitalIncrease };

export interface WriteFailure {
  call: WriteCall;
  message: string;
  at: string;
  /** The project's version when it failed. */
  version: number;
}

/** What an activity records when a write fails for good: only values that are always safe to store. */
export interface WriteFailureRecord {
  projectCode: string;
  city: string;
  activity: WriteCall['activity'];
  version: number;
  message: string;
  at: string;
}

export interface ReprojectInput {
  requestId: string;
  actor: Actor;
}

export interface ReprojectResult {
  /** Failed writes that succeeded now. */
  restored: number;
  /** Failed writes that failed again (the cause is still there). */
  remaining: number;
}

export interface AdvanceStageInput {
  to: Stage;
  actor: string;
  reason: string | null;
  requestId?: string;
}

/** The acting user, as the API authenticated them. */
export interface Actor {
  id: string;
  /** Department staff act for one department; others have none. */
  department: Department | null;
  /** Null for province-wide users. */
  city: City | null;
}

export interface CompleteTaskInput {
  requestId: string;
  taskKey: string;
  actor: Actor;
  data: Record<string, unknown>;
}

export interface ReportBlockerInput {
  requestId: string;
  category: BlockerCategory;
  description: string;
  actor: Actor;
}

export interface ResolveBlockerInput {
  requestId: string;
  blockerId: string;
  resolution: string;
  actor: Actor;
}

export interface ReassignLiaisonInput {
  requestId: string;
  liaison: string;
  reason: string | null;
  actor: Actor;
}

export interface WithdrawInput {
  requestId: string;
  reason: string;
  actor: Actor;
}

export interface RecordFundsInput {
  requestId: string;
  amountMinor: string;
  currency: 'CNY' | 'USD';
  receivedOn: string;
  /** Bank transfer voucher or invoice number. */
  evidence: string;
  actor: Actor;
}

export interface VerifyFundsInput {
  requestId: string;
  entryId: string;
  actor: Actor;
}

export interface ReverseFundsInput {
  requestId: string;
  entryId: string;
  reason: string;
  actor: Actor;
}

export interface VoidFundsInput {
  requestId: string;
  entryId: string;
  reason: string;
  actor: Actor;
}

export interface IncreaseCapitalInput {
  requestId: string;
  amountMinor: string;
  currency: 'CNY' | 'USD';
  agreedOn: string;
  actor: Actor;
}

export interface MarkMergedInput {
  requestId: string;
  /** The code of the project this one duplicates. */
  into: string;
  actor: Actor;
}

/** One change of a project, as the audit log keeps it. */
export interface ProjectEvent {
  version: number;
  kind:
    | 'project.registered'
    | 'stage.advanced'
    | 'task.opened'
    | 'task.completed'
    | 'task.escalated'
    | 'blocker.reported'
    | 'blocker.resolved'
    | 'liaison.reassigned'
    | 'stuck.changed'
    | 'funds.recorded'
    | 'funds.verified'
    | 'funds.reversed'
    | 'funds.voided'
    | 'capital.increased'
    | 'projection.restored';
  actor: string;
  at: string;
  data: Record<string, unknown>;
}

/** The second argument carries the whole state across continue-as-new. */
/** Who an escalation rung or a blocker reaches (DOMAIN.md, Escalation). */
export const AUDIENCES = ['department', 'liaison', 'department_head', 'city_bureau', 'city_leader', 'provincial_group', 'coordination', 'supervisors'] as const;
export type Audience = (typeof AUDIENCES)[number];

/** Rung n (1-based) reaches RUNG_AUDIENCES[n - 1]; rungs past the last reach the last. */
export const RUNG_AUDIENCES: readonly (readonly Audience[])[] = [
  ['department', 'liaison'],
  ['department_head', 'city_bureau'],
  ['city_leader'],
  ['provincial_group'],
];

/** A notification the workflow asks for; delivered later by the outbox dispatcher. */
export interface NotificationRequest {
  /** Unique per project, subject, rung and audience: a retry never asks twice. */
  dedupeKey: string;
  projectCode: string;
  kind: 'escalation' | 'blocker' | 'report';
  audience: Audience;
  city: City | typeof PROVINCE_WIDE;
  department: Department | null;
  payload: Record<string, unknown>;
  requestedAt: string;
}

export type ProjectLandingWorkflow = (input: ProjectInput, carried?: ProjectState) => Promise<ProjectState>;

export const getState = defineQuery<ProjectState>('getState');
export const advanceStage = defineUpdate<ProjectState, [AdvanceStageInput]>('advanceStage');
export const completeTask = defineUpdate<TaskState, [CompleteTaskInput]>('completeTask');
export const reportBlocker = defineUpdate<Blocker, [ReportBlockerInput]>('reportBlocker');
export const resolveBlocker = defineUpdate<Blocker, [ResolveBlockerInput]>('resolveBlocker');
export const reassignLiaison = defineUpdate<ProjectState, [ReassignLiaisonInput]>('reassignLiaison');
export const withdraw = defineUpdate<ProjectState, [WithdrawInput]>('withdraw');
export const markMerged = defineUpdate<ProjectState, [MarkMergedInput]>('markMerged');
export const recordFunds = defineUpdate<FundsEntry, [RecordFundsInput]>('recordFunds');
export const verifyFunds = defineUpdate<FundsEntry, [VerifyFundsInput]>('verifyFunds');
export const reverseFunds = defineUpdate<FundsEntry, [ReverseFundsInput]>('reverseFunds');
export const voidFunds = defineUpdate<FundsEntry, [VoidFundsInput]>('voidFunds');
export const increaseCapital = defineUpdate<CapitalIncrease, [IncreaseCapitalInput]>('increaseCapital');
/** Answers once a new project's start is recorded and its first tasks are open; used with update-with-start. */
export const whenReady = defineUpdate<ProjectReady, []>('whenReady');
export interface ProjectReady {
  firstExecutionRunId: string;
  /** What the project was started with, so that a repeated start can tell the same project from another. */
  input: ProjectInput;
}
/** An admin's re-projection: the failed writes again, then the whole projection from the state. */
export const reproject = defineUpdate<ReprojectResult, [ReprojectInput]>('reproject');

/** Failure types raised by workflows and mapped to HTTP by the API. */
export const ErrorType = {
  IllegalTransition: 'IllegalTransition',
  InvalidInput: 'InvalidInput',
  NotFound: 'NotFound',
  WrongDepartment: 'WrongDepartment',
  WrongCity: 'WrongCity',
  TaskNotOpen: 'TaskNotOpen',
  ProjectClosed: 'ProjectClosed',
  /** The person who entered funds may not verify them. */
  FourEyes: 'FourEyes',
} as const;
export type ErrorType = (typeof ErrorType)[keyof typeof ErrorType];

/** Details carried by a validation failure: which field and why. */
export interface FieldReason {
  field: string;
  reason: string;
}

// What supervisors filter on in the Temporal UI. Within PostgreSQL visibility's limits (10 Keyword,
// 3 each of Bool, Datetime, Int, KeywordList); never a confidential name.
export const ProjectStageAttr = defineSearchAttributeKey('ProjectStage', SearchAttributeType.KEYWORD);
export const ProjectCityAttr = defineSearchAttributeKey('ProjectCity', SearchAttributeType.KEYWORD);
export const ProjectTypeAttr = defineSearchAttributeKey('ProjectType', SearchAttributeType.KEYWORD);
export const ProjectLiaisonAttr = defineSearchAttributeKey('ProjectLiaison', SearchAttributeType.KEYWORD);
export const ProjectStuckAttr = defineSearchAttributeKey('ProjectStuck', SearchAttributeType.BOOL);
export const StuckReasonsAttr = defineSearchAttributeKey('StuckReasons', SearchAttributeType.KEYWORD_LIST);
export const StuckSinceAttr = defineSearchAttributeKey('StuckSince', SearchAttributeType.DATETIME);
export const OverdueTasksAttr = defineSearchAttributeKey('OverdueTasks', SearchAttributeType.INT);
export const OverdueDepartmentsAttr = defineSearchAttributeKey('OverdueDepartments', SearchAttributeType.KEYWORD_LIST);
export const EscalationRungAttr = defineSearchAttributeKey('EscalationRung', SearchAttributeType.INT);
export const OpenBlockersAttr = defineSearchAttributeKey('OpenBlockers', SearchAttributeType.INT);

/** Registered on every Temporal server luodi uses (dev server flags, namespace set-up). */
export const SEARCH_ATTRIBUTES = [
  ProjectStageAttr,
  ProjectCityAttr,
  ProjectTypeAttr,
  ProjectLiaisonAttr,
  ProjectStuckAttr,
  StuckReasonsAttr,
  StuckSinceAttr,
  OverdueTasksAttr,
  OverdueDepartmentsAttr,
  EscalationRungAttr,
  OpenBlockersAttr,
] as const;

/** The name to show where a confidential project's real name must not appear. */
export function displayName(p: Pick<ProjectInput, 'name' | 'codename'>): string {
  return p.codename ?? p.name;
}
