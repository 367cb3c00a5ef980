import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Db } from '../db/connection.js';
import { appendCapitalIncrease, appendFundsEntry, appendVerification, appendVoid } from '../db/funds.js';
import { insertNotificationRequests } from '../db/notifications.js';
import { enqueueNotifications } from '../db/outbox.js';
import { publishReport, type PublishOutcome } from '../db/reports.js';
import { quarterlyReportContent } from '../db/report-content.js';
import { recordProjectEvent, writeProjectEvent, writeProjectEventAtOnce, writesAtOnce } from '../db/projects.js';
import { recordWriteFailure } from '../db/write-failures.js';
import { classified } from './errors.js';
import { latestTemplate } from '../db/templates.js';
import { ErrorType } from '../workflows/errors.js';
import { type CapitalIncrease, type FundsEntry, type NotificationRequest, type ProjectEvent, type WriteFailureRecord } from '../workflows/state.js';
import type { ProjectionChange } from '../workflows/projection.js';
import type { TaskTemplate } from '../workflows/templates.js';
import type { WorkingCalendar } from './calendar.js';
import type { CalendarData } from '../workflows/working-days.js';
import type { LedgerWrite } from '../workflows/state.js';

export interface ActivityDeps {
  db: Db;
  /** Where people open luodi, for links in notifications. */
  publicUrl?: string;
  /** Working days → instants: the official calendar, or a scaled one in tests. */
  calendar: WorkingCalendar;
}

/**
 * Activities with their dependencies bound; every one is safe to retry, and classifies its errors:
 * a data error is non-retryable, a transient one retries (activities/errors.ts).
 */
export function createActivities({ db, calendar, publicUrl = 'http://127.0.0.1:3000' }: ActivityDeps) {
  return classified({
    /**
     * One action's records in one transaction: its ledger rows, its audit record and projection
     * rows, and its notification requests with their outbox rows. Safe to run again.
     */
    async recordChange(change: ProjectionChange, event: ProjectEvent, ledger: LedgerWrite[], notifications: NotificationRequest[]): Promise<void> {
      // Most actions write only the projection and the audit record: one statement, one round trip.
      if (!ledger.length && !notifications.length && writesAtOnce(event)) return writeProjectEventAtOnce(db, change, event);
      await db.transaction().execute(async (trx) => {
        for (const w of ledger) await writeLedger(trx, change.project.code, w);
        await writeProjectEvent(trx, change, event);
        if (notifications.length) {
          await insertNotificationRequests(trx, notifications);
          await enqueueNotifications(trx, notifications, publicUrl);
        }
      });
    },

    /** The working calendar from an instant for `days` calendar days, loaded into a workflow. */
    async loadCalendar(from: string, days: number): Promise<CalendarData> {
      return calendar.load(new Date(from), days);
    },

    /** Runs from before recordChange: the audit record and projection alone. */
    async recordProjectEvent(change: ProjectionChange, event: ProjectEvent): Promise<void> {
      await recordProjectEvent(db, change, event);
    },

    /** The newest version of the project type's template; the workflow keeps it for life. */
    async loadTemplate(projectType: string): Promise<TaskTemplate> {
      const template = await latestTemplate(db, projectType);
      if (!template) {
        throw ApplicationFailure.create({ type: ErrorType.NotFound, message: `no task template for project type ${projectType}`, nonRetryable: true });
      }
      return template;
    },

    /** Runs from before workflows held their calendar ask their deadlines here. */
    async computeDeadlines({ from, workingDays }: { from: string; workingDays: number[] }): Promise<string[]> {
      const instants = await calendar.deadlines(new Date(from), workingDays);
      return instants.map((d) => d.toISOString());
    },

    /** Appends a ledger entry (idempotent by entry id). */
    async appendFundsEntry(projectCode: string, entry: FundsEntry): Promise<void> {
      await appendFundsEntry(db, projectCode, entry);
    },

    /** Records a verification; the database enforces that the verifier did not enter the funds. */
    async verifyFundsEntry(projectCode: string, entryId: string, verifiedBy: string, verifiedAt: string): Promise<void> {
      await writeLedger(db, projectCode, { activity: 'verifyFundsEntry', entryId, verifiedBy, verifiedAt });
    },

    /** Records that an unverified entry is void; the database refuses a verified one. */
    async voidFundsEntry(projectCode: string, v: { entryId: string; voidedBy: string; voidedAt: string; reason: string }): Promise<void> {
      await appendVoid(db, projectCode, v);
    },

    /** Records a capital increase's increment (idempotent by id). */
    async appendCapitalIncrease(projectCode: string, increase: CapitalIncrease): Promise<void> {
      await appendCapitalIncrease(db, projectCode, increase);
    },

    /** Computes a quarter's dispatch report and freezes it, or records a restatement if the figures have changed. */
    async publishQuarterlyReport(quarter: string): Promise<PublishOutcome> {
      // The run publishes: a retry of this activity after it committed gets the same outcome, and the run notifies.
      return publishReport(db, quarter, await quarterlyReportContent(db, quarter), Context.current().info.workflowExecution?.runId ?? null);
    },

    /** Records what was asked and puts one outbox row per recipient and channel; the dispatcher delivers them. */
    async requestNotifications(requests: NotificationRequest[]): Promise<void> {
      await insertNotificationRequests(db, requests);
      await enqueueNotifications(db, requests, publicUrl);
    },

    /** Records a write that failed for good; the project shows stuck (system) in lists. */
    async recordWriteFailure(failure: WriteFailureRecord): Promise<void> {
      await recordWriteFailure(db, failure);
    },
  });
}

/** One ledger write; a verification by whoever entered the funds is refused by the database (four-eyes). */
async function writeLedger(db: Db, projectCode: string, w: LedgerWrite): Promise<void> {
  switch (w.activity) {
    case 'appendFundsEntry':
      return appendFundsEntry(db, projectCode, w.entry);
    case 'verifyFundsEntry':
      try {
        return await appendVerification(db, projectCode, w.entryId, w.verifiedBy, w.verifiedAt);
      } catch (err) {
        if ((err as { code?: string }).code === '23514') throw ApplicationFailure.create({ type: ErrorType.FourEyes, message: (err as Error).message, nonRetryable: true });
        throw err;
      }
    case 'voidFundsEntry':
      return appendVoid(db, projectCode, w);
    case 'appendCapitalIncrease':
      return appendCapitalIncrease(db, projectCode, w.increase);
  }
}
