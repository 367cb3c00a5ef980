/**
 * The state model of one project, as its workflow keeps it and the API shows it, and the records
 * the workflow writes through activities. Types only: the rules are in the decision modules.
 */
import type { Audience, BlockerCategory, CapitalType, City, Currency, Department, InitialStage, Label, Milestone, Stage, StuckReason, PROVINCE_WIDE } from './reference.js';
import type { MoneyValue } from './money.js';
import type { FormField, TaskTemplate } from './templates.js';

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
  currency: Currency;
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
  currency: Currency;
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

/** A project's state as the API shows it: without the request ids the workflow keeps for itself. */
export type ProjectView = Omit<ProjectState, 'appliedRequests'>;

export function viewOf(state: ProjectState | ProjectView): ProjectView {
  const { appliedRequests: _applied, ...view } = state as ProjectState;
  return view;
}

/**
 * What an update that changes the whole project (stage, liaison, withdrawal, merge) answers: where
 * it stands, without the lists that grow with its life (ledger, blockers, form data), so that its
 * history stays small. The API shows the whole project by query.
 */
export type ProjectSummary = Pick<ProjectState, 'code' | 'city' | 'stage' | 'version' | 'updatedAt' | 'liaison' | 'template' | 'transitions' | 'stuck'> & {
  tasks: Pick<TaskState, 'key' | 'department' | 'status' | 'dueAt' | 'rung'>[];
};

export function summaryOf(s: ProjectState): ProjectSummary {
  const { code, city, stage, version, updatedAt, liaison, template, transitions, stuck } = s;
  const tasks = s.tasks.map(({ key, department, status, dueAt, rung }) => ({ key, department, status, dueAt, rung }));
  return { code, city, stage, version, updatedAt, liaison, template, transitions, stuck, tasks };
}

/** One change of a project, as the audit log keeps it. */
export interface ProjectEvent {
  version: number;
  kind:
    | 'project.registered'
    | 'stage.advanced'
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

/** A ledger record an action writes before its audit record (the funds ledger and 增资). */
export type LedgerWrite =
  | { activity: 'appendFundsEntry'; entry: FundsEntry }
  | { activity: 'verifyFundsEntry'; entryId: string; verifiedBy: string; verifiedAt: string }
  | { activity: 'voidFundsEntry'; entryId: string; voidedBy: string; voidedAt: string; reason: string }
  | { activity: 'appendCapitalIncrease'; increase: CapitalIncrease };

/** One record the workflow writes through an activity, as kept for a retry. */
export type WriteCall =
  | { activity: 'recordProjectEvent'; event: ProjectEvent }
  | { activity: 'requestNotifications'; requests: NotificationRequest[] }
  | LedgerWrite
  /** One action's records in one activity and one transaction: its ledger rows, audit record, projection and notifications. */
  | { activity: 'recordChange'; event: ProjectEvent; ledger: LedgerWrite[]; notifications: NotificationRequest[] };

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

/** The name to show where a confidential project's real name must not appear. */
export function displayName(p: Pick<ProjectInput, 'name' | 'codename'>): string {
  return p.codename ?? p.name;
}
