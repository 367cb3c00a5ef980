import type { ColumnType, Generated, Insertable, JSONColumnType, Selectable } from 'kysely';
import type { TaskTemplate } from '../workflows/templates.js';
import type { Currency } from '../workflows/money.js';

// Column kinds for times, by who writes them: each is read as a Date and written as an ISO string.
/** A time the application writes and may change. */
type Timestamp = ColumnType<Date, string, string>;
/** A time that may be unset. */
type Instant = ColumnType<Date | null, string | null, string | null>;
/** A time written once, when the row is inserted, and never updated. */
type WrittenOnce = ColumnType<Date, string, never>;
/** A time the database sets (default now()); never written by the application. */
type SetByDatabase = ColumnType<Date, never, never>;

/** The projection of each project's workflow, for lists and reports (written by activities only). */
export interface ProjectTable {
  code: string;
  name: string;
  codename: string | null;
  city: string;
  investor: string;
  capital_type: 'domestic' | 'foreign';
  out_of_province: boolean;
  stage: string;
  version: number;
  started_at: Timestamp;
  updated_at: Timestamp;
  project_type: string | null;
  template_version: number | null;
  liaison: string | null;
  stuck: boolean;
  stuck_reasons: string[];
  stuck_since: Instant;
  overdue_tasks: number;
  escalation_rung: number;
  last_progress_at: Instant;
  /** bigint: pg returns it as a string, which keeps every digit. */
  contracted_minor: string | null;
  contracted_currency: Currency | null;
  signing_event: string | null;
  signed_on: string | null;
}


export interface TaskTable {
  project_code: string;
  task_key: string;
  department: string;
  city: string;
  title_zh: string;
  title_en: string;
  status: 'pending' | 'open' | 'done' | 'cancelled';
  opened_at: Instant;
  due_at: Instant;
  rung: number;
  completed_at: Instant;
  completed_by: string | null;
  data: ColumnType<Record<string, unknown> | null, string | null, string | null>;
  version: number;
  milestone: string | null;
}

export interface BlockerTable {
  project_code: string;
  blocker_id: string;
  category: string;
  description: string;
  reported_by: string;
  reported_at: Timestamp;
  resolved_by: string | null;
  resolved_at: Instant;
  resolution: string | null;
  version: number;
}

export interface EscalationTable {
  project_code: string;
  task_key: string;
  rung: number;
  department: string;
  due_at: Timestamp;
  escalated_at: Timestamp;
}

export interface NotificationRequestTable {
  id: Generated<string>;
  dedupe_key: string;
  project_code: string;
  kind: string;
  audience: string;
  city: string;
  department: string | null;
  payload: JSONColumnType<Record<string, unknown>>;
  requested_at: Timestamp;
  created_at: SetByDatabase;
}

export interface TaskTemplateTable {
  project_type: string;
  version: number;
  definition: JSONColumnType<TaskTemplate>;
  created_by: string;
  created_at: SetByDatabase;
}

/** Dates are 'YYYY-MM-DD' strings (see the type parser in connection.ts). */
export interface CalendarDayTable {
  day: string;
  kind: 'holiday' | 'workday';
  name: string;
  source: string;
}

/** Append-only: the database refuses UPDATE and DELETE (see the migration's trigger). */
export interface AuditLogTable {
  id: Generated<string>;
  project_code: string;
  version: number;
  kind: string;
  actor: string;
  occurred_at: WrittenOnce;
  data: JSONColumnType<Record<string, unknown>>;
  recorded_at: SetByDatabase;
}

export const ROLES = ['coordinator', 'staff', 'verifier', 'supervisor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface UserTable {
  id: string;
  name: string;
  role: Role;
  city: string | null;
  department: string | null;
  email: string | null;
  password_hash: string | null;
  disabled_at: Instant;
  created_at: SetByDatabase;
}

export interface ApiTokenTable {
  id: Generated<string>;
  user_id: string;
  token_hash: string;
  label: string;
  created_at: SetByDatabase;
  last_used_at: Instant;
  /** Null: valid until revoked. */
  expires_at: Instant;
  revoked_at: Instant;
  revoked_by: string | null;
}

export interface IdempotencyKeyTable {
  user_id: string;
  key: string;
  method: string;
  path: string;
  request_hash: string;
  status: number | null;
  response: ColumnType<unknown, string | null, string | null>;
  created_at: SetByDatabase;
  /** While the first request runs: after this instant it may run again (its process may have died). */
  locked_until: Instant;
  expires_at: ColumnType<Date, string | undefined, string>;
}

/** A write that failed for good; the project is stuck (system) until an admin re-projects it. */
export interface WriteFailureTable {
  id: Generated<string>;
  project_code: string;
  city: string;
  activity: string;
  version: number;
  message: string;
  failed_at: Timestamp;
  resolved_at: Instant;
}

export interface SessionTable {
  token_hash: string;
  user_id: string;
  csrf_token: string;
  created_at: SetByDatabase;
  expires_at: Timestamp;
}

export interface FundsEntryTable {
  entry_id: string;
  project_code: string;
  kind: 'tranche' | 'reversal';
  /** bigint minor units, as a string so that no digit is lost. */
  amount_minor: string;
  currency: Currency;
  received_on: string;
  evidence: string;
  entered_by: string;
  entered_at: WrittenOnce;
  reverses: string | null;
  reason: string | null;
  recorded_at: SetByDatabase;
}

export interface FundsVoidTable {
  entry_id: string;
  voided_by: string;
  voided_at: WrittenOnce;
  reason: string;
  recorded_at: SetByDatabase;
}

/** Verified funds in place summed by day and by what the figures group by; kept by triggers, never written by luodi. */
export interface FundsInPlaceDailyTable {
  received_on: string;
  city: string;
  capital_type: 'domestic' | 'foreign';
  out_of_province: boolean;
  currency: Currency;
  /** numeric minor units, as a string. */
  amount_minor: string;
  entries: number;
}

/** Each project's verified funds by currency; kept by a trigger, never written by luodi. */
export interface FundsVerifiedByProjectTable {
  project_code: string;
  currency: Currency;
  /** numeric minor units, as a string. */
  amount_minor: string;
  entries: number;
}

export interface FundsVerificationTable {
  entry_id: string;
  verified_by: string;
  verified_at: WrittenOnce;
  recorded_at: SetByDatabase;
}

export type TargetCategory = 'domestic' | 'foreign' | 'out_of_province';

/** `city` is a city's name, or '全省' for the province. */
export interface TargetTable {
  year: number;
  city: string;
  category: TargetCategory;
  amount_minor: string;
  currency: Currency;
  set_by: string;
  set_at: SetByDatabase;
}

export interface CapitalIncreaseTable {
  increase_id: string;
  project_code: string;
  amount_minor: string;
  currency: Currency;
  agreed_on: string;
  entered_by: string;
  recorded_at: SetByDatabase;
}

export interface ReportTable {
  quarter: string;
  content: ColumnType<Record<string, unknown>, string, never>;
  content_hash: string;
  frozen_at: SetByDatabase;
  /** The workflow run that published it, so that a retry of that run gets the same outcome. */
  published_by: string | null;
}

export interface ReportRestatementTable {
  quarter: string;
  seq: number;
  content: ColumnType<Record<string, unknown>, string, never>;
  content_hash: string;
  previous_hash: string;
  restated_at: SetByDatabase;
  published_by: string | null;
}

export type Channel = 'in_app' | 'email' | 'webhook';
export type OutboxStatus = 'pending' | 'sending' | 'delivered' | 'dead';

export interface WebhookEndpointTable {
  id: Generated<string>;
  name: string;
  url: string;
  format: 'generic' | 'wecom' | 'dingtalk';
  secret: string;
}

export interface ContactTable {
  id: Generated<string>;
  city: string;
  department: string | null;
  audience: string;
  user_id: string | null;
  webhook_id: string | null;
}

export interface UserChannelTable {
  user_id: string;
  channel: 'in_app' | 'email';
  enabled: boolean;
}

export interface OutboxTable {
  id: Generated<string>;
  dedupe_key: string;
  project_code: string;
  kind: string;
  audience: string;
  channel: Channel;
  user_id: string | null;
  email: string | null;
  webhook_id: string | null;
  subject: string;
  body: string;
  link: string;
  payload: ColumnType<Record<string, unknown>, string, string>;
  status: ColumnType<OutboxStatus, OutboxStatus | undefined, OutboxStatus>;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: ColumnType<Date, string | undefined, string>;
  claimed_at: Instant;
  /** The claim that holds the row: every change of its state checks it. */
  claim_token: string | null;
  /** Claims since the last recorded outcome; a row claimed too often without one is dead. */
  open_claims: ColumnType<number, number | undefined, number>;
  last_error: string | null;
  created_at: SetByDatabase;
  delivered_at: Instant;
}

export interface OutboxAttemptTable {
  id: Generated<string>;
  outbox_id: string;
  attempted_at: SetByDatabase;
  ok: boolean;
  error: string | null;
}

export interface InAppNotificationTable {
  id: Generated<string>;
  outbox_id: string;
  user_id: string;
  subject: string;
  body: string;
  link: string;
  created_at: SetByDatabase;
  read_at: Instant;
}

export interface Database {
  projects: ProjectTable;
  audit_log: AuditLogTable;
  tasks: TaskTable;
  blockers: BlockerTable;
  escalations: EscalationTable;
  notification_requests: NotificationRequestTable;
  task_templates: TaskTemplateTable;
  calendar_days: CalendarDayTable;
  users: UserTable;
  api_tokens: ApiTokenTable;
  idempotency_keys: IdempotencyKeyTable;
  write_failures: WriteFailureTable;
  sessions: SessionTable;
  funds_entries: FundsEntryTable;
  funds_verifications: FundsVerificationTable;
  funds_voids: FundsVoidTable;
  funds_in_place_daily: FundsInPlaceDailyTable;
  funds_verified_by_project: FundsVerifiedByProjectTable;
  targets: TargetTable;
  capital_increases: CapitalIncreaseTable;
  reports: ReportTable;
  report_restatements: ReportRestatementTable;
  webhook_endpoints: WebhookEndpointTable;
  contacts: ContactTable;
  user_channels: UserChannelTable;
  outbox: OutboxTable;
  outbox_attempts: OutboxAttemptTable;
  in_app_notifications: InAppNotificationTable;
}

export type Project = Selectable<ProjectTable>;
export type NewProject = Insertable<ProjectTable>;
export type AuditRecord = Selectable<AuditLogTable>;
export type NewAuditRecord = Insertable<AuditLogTable>;
export type Task = Selectable<TaskTable>;
export type BlockerRow = Selectable<BlockerTable>;
export type UserRow = Selectable<UserTable>;
