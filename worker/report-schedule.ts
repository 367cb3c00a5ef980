import { ScheduleAlreadyRunning, type Client } from '@temporalio/client';
import { REPORT_SCHEDULE_ID, REPORT_WORKFLOW } from '../workflows/messages.js';
import { BEIJING_TIME_ZONE, beijingInstant } from '../workflows/beijing-time.js';

/** The Schedule runs at 00:30 Beijing time on the first day of each quarter, for the quarter just ended. */
export const REPORT_CALENDAR = { month: ['JANUARY', 'APRIL', 'JULY', 'OCTOBER'], dayOfMonth: 1, hour: 0, minute: 30 } as const;

/** Creates the quarterly report's Schedule unless it exists; safe at every start-up. Returns true if created. */
export async function ensureReportSchedule(client: Client, taskQueue: string, scheduleId = REPORT_SCHEDULE_ID): Promise<boolean> {
  try {
    await client.schedule.create({
      scheduleId,
      spec: { calendars: [{ ...REPORT_CALENDAR, month: [...REPORT_CALENDAR.month] }], timezone: BEIJING_TIME_ZONE },
      action: { type: 'startWorkflow', workflowType: REPORT_WORKFLOW, taskQueue, args: [] },
      policies: { overlap: 'BUFFER_ONE', catchupWindow: '30 days' },
      memo: { purpose: 'luodi quarterly dispatch report (调度会)' },
    });
    return true;
  } catch (err) {
    if (err instanceof ScheduleAlreadyRunning) return false;
    throw err;
  }
}

/** The instant the Schedule runs for a quarter: 00:30 Beijing on the first day of the next quarter. */
export function reportRunTime(quarter: string): Date {
  const year = Number(quarter.slice(0, 4));
  const n = Number(quarter[5]);
  return beijingInstant(year, n * 3, 1, 0, 30);
}

/** Runs the Schedule again for past quarters (from and to inclusive), as if it had run then. */
export async function backfillReports(client: Client, from: string, to: string, scheduleId = REPORT_SCHEDULE_ID): Promise<void> {
  await client.schedule.getHandle(scheduleId).backfill({
    start: new Date(reportRunTime(from).getTime() - 60_000),
    end: new Date(reportRunTime(to).getTime() + 60_000),
    overlap: 'ALLOW_ALL',
  });
}
