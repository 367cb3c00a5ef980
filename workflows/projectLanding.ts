/**
 * One workflow per project (workflow ID = project code): a thin shell around the decisions in
 * decisions/. It registers the handlers, takes one action at a time, wakes for deadlines, and
 * continues as new before its history grows too long. `carried` is the state across continue-as-new.
 */
import { allHandlersFinished, condition, continueAsNew, patched, proxyActivities, proxyLocalActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import { Mutex } from 'async-mutex';
import type { createActivities } from '../activities/index.js';
import { actions } from './acting.js';
import { COMMANDS, type Context, type Decision } from './decisions/index.js';
import { reprojected, restoredAgain } from './decisions/projection.js';
import { register } from './decisions/stages.js';
import { escalation, idleNotice } from './decisions/tasks.js';
import { refusing, refusingAsync } from './errors.js';
import { checkingContext, parseMessage } from './message-parsing.js';
import { getState, UPDATES, whenReady, type ProjectLandingWorkflow, type UpdateName } from './messages.js';
import { initialState, nextWakeAt, upgradeCarriedState } from './project-state.js';
import { isTerminal } from './reference.js';
import type { ProjectInput, ProjectState } from './state.js';

type Activities = ReturnType<typeof createActivities>;
const { loadTemplate } = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: { initialInterval: '1 second', maximumInterval: '1 minute' } });
/** The template is read in the first workflow task, with the calendar and the registration's records: no round trip of its own. */
const local = proxyLocalActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: { initialInterval: '1 second', maximumInterval: '10 seconds' } });

/** Runs from before this patch fetched deadlines by activity and wrote each record by itself (acting.ts). */
const ONE_ROUND_TRIP_PATCH = 'one-round-trip';
/** Projects started before task templates existed have no template and no tasks. */
const TASKS_PATCH = 'landing-tasks';
/** Runs from before this patch upserted the search attributes on every action, changed or not. */
const CHANGED_ATTRIBUTES_PATCH = 'changed-search-attributes';
/** Runs from before this patch started a new timer whenever a deadline changed, even a later one. */
const LAZY_TIMERS_PATCH = 'lazy-timers';
/** Legacy runs checked each update again when its handler started; every handler decides again now. */
const RECHECK_UPDATES_PATCH = 'recheck-updates';
/** Runs from before this patch loaded the template by an activity on the server. */
const LOCAL_TEMPLATE_PATCH = 'local-template';
/** Temporal refuses more than 2,000 updates in one run; continue as new at half that. */
const MAX_UPDATES_PER_RUN = 1_000;

/** An update: its answer to a request already applied (or undefined), its decision without acting, and its action. */
type Handler = { name: UpdateName; again(cmd: unknown): unknown; check(cmd: unknown, ctx: Context): void; act(cmd: unknown): Promise<unknown> };

export async function projectLanding(input: ProjectInput, carried?: ProjectState): Promise<ProjectState> {
  const legacy = !patched(ONE_ROUND_TRIP_PATCH);
  // Legacy runs asked these patches first, in this order; replay asks them again.
  const loadsTemplate = !carried && (!legacy || patched(TASKS_PATCH)) && input.projectType !== undefined;
  if (legacy) patched(RECHECK_UPDATES_PATCH);
  const upsertsAlways = legacy || !patched(CHANGED_ATTRIBUTES_PATCH);
  const lazyTimers = !upsertsAlways && patched(LAZY_TIMERS_PATCH);
  const state = carried ? upgradeCarriedState(carried) : initialState(input, workflowInfo().startTime.toISOString());
  const { act, publish, reproject, watch } = actions(state, { legacy, upsertsAlways });
  // One action at a time, each deciding on the state the one before left (legacy runs interleaved).
  const lock = new Mutex();
  const exclusive = <R>(fn: () => Promise<R>): Promise<R> => (legacy ? fn() : lock.runExclusive(fn));
  let ready = carried !== undefined;
  let updatesThisRun = 0;
  const timeToContinue = () => workflowInfo().continueAsNewSuggested || updatesThisRun >= MAX_UPDATES_PER_RUN;

  /**
   * Every update: parsed and decided by its validator (a refusal never reaches history); then, once
   * the project is ready and alone, answered again if already applied, or decided again and acted on.
   */
  function handle({ name, again, check, act: run }: Handler): void {
    const validator = (raw: unknown) =>
      refusing(() => {
        const cmd = parseMessage(name, raw);
        if (again(cmd) === undefined) check(cmd, checkingContext());
      });
    const handler = async (raw: unknown) => {
      updatesThisRun += 1;
      if (!ready) await condition(() => ready);
      return exclusive(async () => {
        const cmd = refusing(() => parseMessage(name, raw));
        return again(cmd) ?? refusingAsync(() => run(cmd));
      });
    };
    setHandler(UPDATES[name] as never, handler as never, { validator: validator as never });
  }

  setHandler(getState, () => state);
  // Answers once the project's start is recorded and its first tasks are open (update-with-start).
  setHandler(whenReady, async () => {
    await condition(() => ready);
    return { firstExecutionRunId: workflowInfo().firstExecutionRunId, input };
  });
  for (const spec of COMMANDS) {
    const decide = (cmd: unknown) => (ctx: Context) => spec.decide(state, cmd as never, ctx) as Decision<unknown>;
    handle({ name: spec.name, again: (cmd) => spec.again(state, cmd as never), check: (cmd, ctx) => decide(cmd)(ctx), act: (cmd) => act(decide(cmd)) });
  }
  const checkReproject = (cmd: unknown) => reprojected(state, cmd as never, { restored: 0, dropped: 0 });
  handle({ name: 'reproject', again: (cmd) => restoredAgain(state, cmd as never), check: checkReproject, act: (cmd) => reproject(cmd as never) });

  if (carried) publish(state);
  else {
    const template = loadsTemplate ? await (patched(LOCAL_TEMPLATE_PATCH) ? local.loadTemplate : loadTemplate)(input.projectType!) : null;
    const start = { version: state.version, at: state.startedAt };
    await exclusive(() => act((ctx) => register(state, input, template, ctx), { stamp: start, template, scheduled: () => (ready = true) }));
  }

  while (!isTerminal(state.stage)) {
    const wakeAt = nextWakeAt(state);
    const waitMs = wakeAt === null ? undefined : wakeAt - Date.now();
    if (waitMs === undefined || waitMs > 0) {
      watch.deadlinesChanged = false;
      // The timer stands until something falls due sooner than it (progress only moves the idle deadline later).
      const sooner = () => (lazyTimers ? (nextWakeAt(state) ?? Infinity) < (wakeAt ?? Infinity) : watch.deadlinesChanged);
      await condition(() => sooner() || isTerminal(state.stage) || timeToContinue(), waitMs);
    }
    if (isTerminal(state.stage)) break;
    await exclusive(async () => {
      // One rung at a time for each open task whose next rung is due; then a project just gone idle.
      for (let next = escalation(state, new Date().toISOString()); next; next = escalation(state, new Date().toISOString())) await act(() => next!);
      const idle = idleNotice(state, new Date().toISOString());
      if (idle) await act(() => idle);
    });
    if (timeToContinue()) {
      await condition(allHandlersFinished);
      if (!isTerminal(state.stage)) await continueAsNew<ProjectLandingWorkflow>(input, state);
    }
  }
  // A closed project whose records could not all be written stays open (stuck: system) until an admin re-projects it.
  await condition(() => state.writeFailures.length === 0 && allHandlersFinished());
  return state;
}
