import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { createActivities } from '../activities/index.js';
import type { PublishOutcome } from '../db/reports.js';
import { PROVINCE_WIDE } from './reference.js';
import { beijingDate } from './beijing-time.js';

/** Set by the server on runs started by a Schedule. */
const ScheduledStartTime = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

const { publishQuarterlyReport, requestNotifications } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '5 minutes' },
});

/**
 * The quarterly dispatch report: run by a Schedule after each quarter (or backfilled for a past
 * one), it freezes the quarter's figures, or publishes a restatement, and notifies supervisors.
 */
export async function quarterlyReport(quarter?: string): Promise<PublishOutcome & { quarter: string }> {
  const q = quarter ?? quarterBefore(scheduledTime());
  const outcome = await publishQuarterlyReport(q);
  if (outcome.status !== 'unchanged') {
    const version = outcome.status === 'restated' ? `restatement ${outcome.seq}` : 'frozen';
    await requestNotifications([
      {
        dedupeKey: `report/${q}/${outcome.hash}/supervisors`,
        projectCode: '',
        kind: 'report',
        audience: 'supervisors',
        city: PROVINCE_WIDE,
        department: null,
        payload: { quarter: q, version, hash: outcome.hash, link: `/api/reports/${q}` },
        requestedAt: new Date().toISOString(),
      },
    ]);
  }
  return { ...outcome, quarter: q };
}

/** When the Schedule meant this run to start (a backfill runs later than that). */
function scheduledTime(): Date {
  return workflowInfo().typedSearchAttributes.get(ScheduledStartTime) ?? workflowInfo().startTime;
}

/** The quarter that ended before this moment, in Beijing time: a run early in April reports Q1. */
export function quarterBefore(at: Date): string {
  const date = beijingDate(at);
  const month = Number(date.slice(5, 7)) - 1;
  const year = Number(date.slice(0, 4));
  const current = Math.floor(month / 3) + 1;
  return current === 1 ? `${year - 1}Q4` : `${year}Q${current - 1}`;
}
