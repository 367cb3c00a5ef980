/**
 * Every record the workflow writes goes through `write`. A write that fails for good (a data
 * error the activity classified as non-retryable) does not wedge the project: the failure is kept
 * in the state and recorded, the project becomes stuck with reason `system`, and the `reproject`
 * update runs the kept writes again once an admin has fixed the cause.
 */
import { ActivityFailure, ApplicationFailure, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities/index.js';
import { projectionOf } from './projection.js';
import type { ProjectState, WriteCall, WriteFailure } from './state.js';

type Activities = ReturnType<typeof createActivities>;
// Transient errors retry until the dependency is back; data errors are non-retryable (activities/errors.ts).
// At most 10 s between tries, so that the worker catches up soon after PostgreSQL returns.
const retry = { initialInterval: '1 second', maximumInterval: '10 seconds' } as const;
const activities = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry });
/** One action's records, written in the workflow task that decided them: no extra round trip to the server. */
const local = proxyLocalActivities<Activities>({ startToCloseTimeout: '30 seconds', retry });

/** At most this many failed writes are kept; beyond it the oldest are dropped and counted. */
export const MAX_WRITE_FAILURES = 100;

/** Runs one write; returns false if it failed for good (then it is kept for re-projection). */
export async function write(state: ProjectState, call: WriteCall): Promise<boolean> {
  try {
    await run(state, call);
    return true;
  } catch (err) {
    // An activity's failure arrives wrapped in an ActivityFailure; a local activity's as the ApplicationFailure itself.
    if (!(err instanceof ActivityFailure || err instanceof ApplicationFailure)) throw err;
    const failure: WriteFailure = { call, message: (err.cause ?? err).message, at: new Date().toISOString(), version: state.version };
    state.writeFailures.push(failure);
    if (state.writeFailures.length > MAX_WRITE_FAILURES) {
      state.writeFailures.shift();
      state.droppedWriteFailures += 1;
    }
    // Only safe values (code, city, activity, a cleaned message). Should even this fail for good, the
    // state and the search attributes still show the failure: it must not fail the update or the run.
    await activities
      .recordWriteFailure({ projectCode: state.code, city: state.city, activity: call.activity, version: state.version, message: failure.message, at: failure.at })
      .catch((e: unknown) => {
        if (!(e instanceof ActivityFailure)) throw e;
      });
    return false;
  }
}

/** Runs the kept writes again, in order; those that fail again are kept. Returns how many succeeded. */
export async function retryFailedWrites(state: ProjectState): Promise<number> {
  const failures = state.writeFailures.splice(0);
  let restored = 0;
  for (const f of failures) if (await write(state, f.call)) restored += 1;
  return restored;
}

function run(state: ProjectState, call: WriteCall): Promise<void> {
  switch (call.activity) {
    case 'recordChange':
      return local.recordChange(projectionOf(state, call.event), call.event, call.ledger, call.notifications);
    // Runs from before one action wrote with one activity wrote each record by itself.
    case 'recordProjectEvent':
      // The rows this event touches, as the state is now; the event keeps its own version.
      return activities.recordProjectEvent(projectionOf(state, call.event), call.event);
    case 'requestNotifications':
      return activities.requestNotifications(call.requests);
    case 'appendFundsEntry':
      return activities.appendFundsEntry(state.code, call.entry);
    case 'verifyFundsEntry':
      return activities.verifyFundsEntry(state.code, call.entryId, call.verifiedBy, call.verifiedAt);
    case 'voidFundsEntry':
      return activities.voidFundsEntry(state.code, { entryId: call.entryId, voidedBy: call.voidedBy, voidedAt: call.voidedAt, reason: call.reason });
    case 'appendCapitalIncrease':
      return activities.appendCapitalIncrease(state.code, call.increase);
  }
}
