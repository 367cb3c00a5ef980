/**
 * How a decision takes effect: the changes applied to the state, the version stamped, the UI
 * published, and the records written. Runs from before the workflow held its calendar and wrote
 * one activity per action (`legacy`) replay here exactly as they ran: deadlines by activity, each
 * record by its own activity.
 */
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities/index.js';
import { apply, type Context, type Decision } from './decisions/index.js';
import { refreshStuck } from './project-state.js';
import { publisher } from './publish.js';
import type { ProjectEvent, ProjectState } from './state.js';
import type { TaskTemplate } from './templates.js';
import { covers, deadlines, spanDays, type CalendarData } from './working-days.js';
import { retryFailedWrites, write } from './writes.js';
import { reprojected } from './decisions/projection.js';
import type { Command, ReprojectResult } from './messages.js';

type Activities = ReturnType<typeof createActivities>;
const { computeDeadlines } = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: { initialInterval: '1 second', maximumInterval: '1 minute' } });
const { loadCalendar } = proxyLocalActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: { initialInterval: '1 second', maximumInterval: '10 seconds' } });

/** The calendar is loaded again after a day, so that an admin's change reaches running projects. */
const CALENDAR_REFRESH_MS = 86_400_000;

/** A decision's record keeps this version and time (registration) instead of the next ones. */
interface Stamp {
  version: number;
  at: string;
}

/** What a project's deadlines are counted from: its template's ladder and its tasks' due days. */
type Template = Pick<TaskTemplate, 'escalationWorkingDays' | 'idleWorkingDays'> & { tasks: Pick<TaskTemplate['tasks'][number], 'dueWorkingDays'>[] };

interface ActOptions {
  /** The record's version and time, if not the next ones (a project's registration). */
  stamp?: Stamp;
  /** Runs once the records are on their way (a new project is ready then). */
  scheduled?: () => void;
  /** The template whose deadlines the decision may need (registration's, before it is in the state). */
  template?: Template | null;
}

/** The most working days any deadline of the template reaches. */
function horizon(t: Template): number {
  return Math.max(t.idleWorkingDays, ...t.tasks.map((task) => task.dueWorkingDays + Math.max(0, ...t.escalationWorkingDays)));
}

export function actions(state: ProjectState, { legacy, upsertsAlways }: { legacy: boolean; upsertsAlways: boolean }) {
  const publish = publisher(upsertsAlways);
  let calendar: CalendarData | null = null;
  const watch = { deadlinesChanged: false };

  /** The calendar, loaded (an activity, so recorded in history) when missing, too short or a day old. */
  async function calendarNow(now: string, template: Template | null): Promise<CalendarData | null> {
    if (!template) return calendar;
    const reach = horizon(template);
    const stale = calendar && Date.parse(now) - Date.parse(calendar.loadedAt) > CALENDAR_REFRESH_MS;
    if (!calendar || stale || !covers(calendar, now, reach)) calendar = await loadCalendar(now, spanDays(reach) + 31);
    return calendar;
  }

  async function context(now: string, template: Template | null): Promise<Context> {
    const held = await calendarNow(now, template);
    return {
      now,
      deadlines: (from, workingDays) => {
        if (!held) throw new Error('no calendar loaded for a project without a template');
        return deadlines(held, from, workingDays);
      },
    };
  }

  /**
   * Legacy: the decision's deadlines are fetched by activity while its changes are applied, in the
   * order and grouping that run used (the idle deadline alone, the rungs of the tasks opening
   * together), and nothing is awaited where that run awaited nothing.
   */
  function legacyDecision<R>(decide: (ctx: Context) => Decision<R>, now: string) {
    const asked: { from: string; workingDays: readonly number[]; what: 'idle' | 'rungs' }[] = [];
    const decision = decide({ now, deadlines: (from, workingDays, what) => (asked.push({ from, workingDays, what }), workingDays.map(() => from)) });
    const answers: string[][] = [];
    /** Answers the deadlines asked `n`-th (the asks come in the order of the changes that need them). */
    async function answer(n: number): Promise<string[]> {
      if (answers.length <= n) {
        let end = n + 1;
        if (asked[n]!.what === 'rungs') while (end < asked.length && asked[end]!.what === 'rungs') end++;
        answers.push(...(await Promise.all(asked.slice(n, end).map((a) => computeDeadlines({ from: a.from, workingDays: [...a.workingDays] })))));
        watch.deadlinesChanged = true;
      }
      return answers[n]!;
    }
    return { decision, answer, fetched: (n: number): string[] | undefined => answers[n] };
  }

  /** After a write: if it failed for good, the project is now stuck (system), and the UI shows it. */
  async function recorded(written: Promise<boolean>): Promise<void> {
    if (!(await written) && refreshStuck(state, new Date().toISOString())) publish(state);
  }

  /**
   * Decides, applies and writes one action. `scheduled` runs once its records are on their way
   * (a new project is ready then). Returns the decision's answer once they are written.
   */
  async function act<R>(decide: (ctx: Context) => Decision<R>, { stamp, scheduled, template = state.template && { ...state.template, tasks: state.tasks } }: ActOptions = {}): Promise<R> {
    const now = new Date().toISOString();
    if (legacy) {
      const { decision, answer, fetched } = legacyDecision(decide, now);
      for (const w of decision.ledger ?? []) await recorded(write(state, w));
      let asks = 0;
      // Answers already fetched (the rest of a group) are used without awaiting, as that run did.
      for (const change of decision.changes) {
        if (change.type === 'taskOpened') change.rungAt = fetched(asks++) ?? (await answer(asks - 1));
        if (change.type === 'progressed' && change.idleAt !== undefined) change.idleAt = (fetched(asks++) ?? (await answer(asks - 1)))[0] ?? null;
        apply(state, change);
      }
      return finish(decision, now, stamp, scheduled);
    }
    const decision = decide(await context(now, template));
    for (const change of decision.changes) apply(state, change);
    if (decision.changes.some((c) => c.type === 'taskOpened' || (c.type === 'progressed' && c.idleAt !== undefined))) watch.deadlinesChanged = true;
    return finish(decision, now, stamp, scheduled);
  }

  /** The version stamped, the UI published, the records written. */
  async function finish<R>(decision: Decision<R>, now: string, stamp: Stamp | undefined, scheduled: (() => void) | undefined): Promise<R> {
    if (!stamp) {
      state.version += 1;
      state.updatedAt = now;
    }
    const event: ProjectEvent = { ...decision.record, version: stamp?.version ?? state.version, at: stamp?.at ?? state.updatedAt };
    refreshStuck(state, state.updatedAt);
    publish(state);
    const { notifications = [], ledger = [] } = decision;
    let written: Promise<void>;
    if (legacy) {
      written = recorded(write(state, { activity: 'recordProjectEvent', event })).then(() => (notifications.length ? recorded(write(state, { activity: 'requestNotifications', requests: notifications })) : undefined));
    } else {
      written = recorded(write(state, { activity: 'recordChange', event, ledger, notifications }));
    }
    scheduled?.();
    await written;
    return decision.reply(state);
  }

  /** An admin's re-projection: allowed first, then the failed writes again, then the whole projection under a new version. */
  async function reproject(cmd: Command<'reproject'>): Promise<ReprojectResult> {
    reprojected(state, cmd, { restored: 0, dropped: 0 });
    const restored = await retryFailedWrites(state);
    return act(() => reprojected(state, cmd, { restored, dropped: state.droppedWriteFailures }));
  }

  return { act, publish, reproject, watch };
}
