import {
  allHandlersFinished,
  condition,
  continueAsNew,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import type { createActivities } from '../activities/index.js';
import {
  advanceStage,
  completeTask,
  displayName,
  getState,
  markMerged,
  reassignLiaison,
  reportBlocker,
  reproject,
  resolveBlocker,
  whenReady,
  RUNG_AUDIENCES,
  withdraw,
  type Actor,
  type Blocker,
  type NotificationRequest,
  type ProjectEvent,
  type ProjectInput,
  type ProjectLandingWorkflow,
  type ProjectState,
  type Stage,
  type TaskState,
} from './contract.js';
import {
  allTasksDone,
  idleClockRuns,
  initialState,
  nextWakeAt,
  readyTasks,
  refreshStuck,
  rememberRequest,
  stuckReasons,
  tasksFromTemplate,
  excerpt,
  excerptData,
  upgradeCarriedState,
  wasApplied,
} from './project-state.js';
import { registerFundsHandlers } from './funds.js';
import { publish } from './publish.js';
import { isTerminal } from './stages.js';
import {
  validateAdvance,
  validateCompleteTask,
  validateMarkMerged,
  validateReassignLiaison,
  validateReportBlocker,
  validateReproject,
  validateResolveBlocker,
  validateWithdraw,
} from './validators.js';
import { retryFailedWrites, write, writes } from './writes.js';

const { loadTemplate, computeDeadlines } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/** Projects started before task templates existed have no template and no tasks. */
const TASKS_PATCH = 'landing-tasks';
/** Each update is checked again when its handler starts, against the state as it is then. */
const RECHECK_UPDATES_PATCH = 'recheck-updates';
/** Temporal refuses more than 2,000 updates in one run; continue as new at half that. */
const MAX_UPDATES_PER_RUN = 1_000;
const SYSTEM = 'system';

/** One workflow per project: workflow ID = project code. `carried` is the state across continue-as-new. */
export async function projectLanding(input: ProjectInput, carried?: ProjectState): Promise<ProjectState> {
  const state = carried ? upgradeCarriedState(carried) : initialState(input, workflowInfo().startTime.toISOString());
  /** Set when deadlines change, so that the main loop recomputes when to wake. */
  let deadlinesChanged = false;
  const now = () => new Date().toISOString();

  /** Every change ends here: stuck recomputed, UI published, projection and audit written. */
  async function commit(kind: ProjectEvent['kind'], actor: string, data: Record<string, unknown>, notifications: NotificationRequest[] = []) {
    state.version += 1;
    state.updatedAt = now();
    refreshStuck(state, state.updatedAt);
    publish(state);
    await record(write(state, writes.event({ kind, actor, at: state.updatedAt, data, version: state.version })));
    if (notifications.length) await record(write(state, writes.notifications(notifications)));
  }

  /** After a write: if it failed for good, the project is now stuck (system), and the UI shows it. */
  async function record(written: Promise<boolean>): Promise<void> {
    if (!(await written) && refreshStuck(state, now())) publish(state);
  }

  function moveTo(to: Stage, actor: string, reason: string | null): void {
    state.transitions.push({ from: state.stage, to, actor, at: now(), reason });
    state.stage = to;
    // The first signing dates the project for the statistics (a Beijing date).
    if (to === 'signed') state.signedOn ??= new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
  }

  /** Restarts the idle clock (a milestone done or a stage change). */
  async function progress(): Promise<void> {
    state.lastProgressAt = now();
    if (!idleClockRuns(state) || !state.template) return;
    const [idleAt] = await computeDeadlines({ from: state.lastProgressAt, workingDays: [state.template.idleWorkingDays] });
    state.idleAt = idleAt ?? null;
    deadlinesChanged = true;
  }

  /** Opens every task whose dependencies are done, with its due date and escalation rungs. */
  async function openReadyTasks(): Promise<string[]> {
    const template = state.template;
    if (!template) return [];
    const opening = readyTasks(state);
    const openedAt = now();
    // Open before awaiting the deadlines, so that a concurrent handler never opens a task twice.
    for (const task of opening) Object.assign(task, { status: 'open', openedAt });
    await Promise.all(
      opening.map(async (task) => {
        const rungAt = await computeDeadlines({ from: openedAt, workingDays: template.escalationWorkingDays.map((d) => task.dueWorkingDays + d) });
        Object.assign(task, { dueAt: rungAt[0] ?? null, rungAt, rung: 0 });
      }),
    );
    if (opening.length) deadlinesChanged = true;
    return opening.map((t) => t.key);
  }

  /** Signed with a template: landing starts at once with the first milestones. */
  async function startLandingIfSigned(): Promise<string[]> {
    if (state.stage !== 'signed' || !state.template) return [];
    moveTo('landing', SYSTEM, '签约后开始落地 landing starts at signing');
    return openReadyTasks();
  }

  function cancelOpenTasks(): void {
    for (const t of state.tasks) if (t.status === 'open' || t.status === 'pending') t.status = 'cancelled';
  }

  // A new project loads its template first; updates wait until its start is recorded, so that
  // none interleaves with it. Runs without a template (older, or continued) take updates at once.
  const loadsTemplate = !carried && patched(TASKS_PATCH) && input.projectType !== undefined;
  let ready = !loadsTemplate;
  const recheck = patched(RECHECK_UPDATES_PATCH);
  /** Updates taken in this run: a run takes at most 2,000, so the project continues as new well before. */
  let updatesThisRun = 0;
  const timeToContinue = () => workflowInfo().continueAsNewSuggested || updatesThisRun >= MAX_UPDATES_PER_RUN;
  setHandler(getState, () => state);
  registerUpdateHandlers();

  if (loadsTemplate) {
    const template = await loadTemplate(input.projectType!);
    state.template = {
      projectType: template.projectType,
      version: template.version,
      escalationWorkingDays: template.escalationWorkingDays,
      idleWorkingDays: template.idleWorkingDays,
    };
    state.tasks = tasksFromTemplate(template);
  }

  if (carried) {
    publish(state);
  } else {
    const opened = await startLandingIfSigned();
    if (state.template) await progress();
    publish(state);
    const registered = record(
      write(
        state,
        writes.event({
          kind: 'project.registered',
          actor: input.actor,
          at: state.startedAt,
          data: { stage: input.stage, ...(state.template ? { template: state.template, opened } : {}) },
          version: state.version,
        }),
      ),
    );
    ready = true;
    await registered;
  }

  while (!isTerminal(state.stage)) {
    const wakeAt = nextWakeAt(state);
    const waitMs = wakeAt === null ? undefined : wakeAt - Date.now();
    if (waitMs === undefined || waitMs > 0) {
      deadlinesChanged = false;
      await condition(() => deadlinesChanged || isTerminal(state.stage) || timeToContinue(), waitMs);
    }
    if (isTerminal(state.stage)) break;
    await escalateDueTasks();
    await noticeIdle();
    if (timeToContinue()) {
      await condition(allHandlersFinished);
      if (!isTerminal(state.stage)) await continueAsNew<ProjectLandingWorkflow>(input, state);
    }
  }
  // A closed project whose records could not all be written stays open (stuck: system) until an admin re-projects it.
  await condition(() => state.writeFailures.length === 0 && allHandlersFinished());
  return state;

  /**
   * Registers an update with its synchronous validator. A new project's handlers wait until its
   * start is recorded; if one had to wait, its input is checked again against the state then.
   */
  function onUpdate<I, R>(update: UpdateDefinition<R, [I]>, validate: (state: ProjectState, input: I) => void, handler: (input: I) => Promise<R>) {
    const check = (input: I) => validate(state, input);
    setHandler(
      update,
      async (input: I) => {
        updatesThisRun += 1;
        const waited = !ready;
        if (waited) await condition(() => ready);
        // Other updates may have run since the validator accepted this one. Checked again here,
        // synchronously before the handler's first change: a refused update changes nothing.
        if (recheck || waited) check(input);
        return handler(input);
      },
      { validator: check },
    );
  }

  function registerUpdateHandlers(): void {
    // Answers once the project's start is recorded and its first tasks are open (update-with-start).
    setHandler(whenReady, async () => {
      await condition(() => ready);
      return { firstExecutionRunId: workflowInfo().firstExecutionRunId, input };
    });

    onUpdate(reproject, validateReproject, async ({ requestId, actor }) => {
      if (wasApplied(state, requestId)) return { restored: 0, remaining: state.writeFailures.length };
      rememberRequest(state, requestId);
      const restored = await retryFailedWrites(state);
      // Writes dropped beyond the kept ones cannot run again; the audit record says how many.
      const dropped = state.droppedWriteFailures;
      state.droppedWriteFailures = 0;
      // The whole projection from the state as it is, under a new version.
      await commit('projection.restored', actor.id, { restored, remaining: state.writeFailures.length, dropped });
      return { restored, remaining: state.writeFailures.length };
    });

    onUpdate(advanceStage, validateAdvance, async (cmd) => {
      if (wasApplied(state, cmd.requestId)) return state;
      rememberRequest(state, cmd.requestId);
      const from = state.stage;
      moveTo(cmd.to, cmd.actor, cmd.reason);
      let opened: string[] = [];
      if (state.template) {
        await progress();
        opened = await startLandingIfSigned();
      }
      await commit('stage.advanced', cmd.actor, { from, to: cmd.to, actor: cmd.actor, at: state.updatedAt, reason: cmd.reason, ...(opened.length ? { opened } : {}) });
      return state;
    });

    onUpdate(completeTask, validateCompleteTask, async ({ requestId, taskKey, actor, data }) => {
      const task = state.tasks.find((t) => t.key === taskKey) as TaskState;
      if (wasApplied(state, requestId)) return task;
      rememberRequest(state, requestId);
      Object.assign(task, { status: 'done', completedAt: now(), completedBy: actor.id, data: excerptData(data) });
      await progress();
      const opened = await openReadyTasks();
      const landed = state.stage === 'landing' && allTasksDone(state);
      if (landed) moveTo('funds', SYSTEM, '落地里程碑全部完成 all landing milestones done');
      await commit('task.completed', actor.id, { taskKey, department: task.department, data, opened, ...(landed ? { stage: 'funds' } : {}) });
      return { ...task, data };
    });

    onUpdate(reportBlocker, validateReportBlocker, async ({ requestId, category, description, actor }) => {
      const existing = state.blockers.find((b) => b.requestId === requestId);
      if (existing) return existing;
      rememberRequest(state, requestId);
      const blocker = {
        id: `B${state.blockers.length + 1}`,
        requestId,
        category,
        description: excerpt(description),
        reportedBy: actor.id,
        reportedAt: now(),
        resolvedBy: null,
        resolvedAt: null,
        resolution: null,
      };
      state.blockers.push(blocker);
      // A blocker reaches the coordination department at once.
      const notice: NotificationRequest = {
        dedupeKey: `${state.code}/blocker/${blocker.id}/coordination`,
        projectCode: state.code,
        kind: 'blocker',
        audience: 'coordination',
        city: state.city,
        department: null,
        payload: { project: displayName(state), blockerId: blocker.id, category, description: blocker.description, reportedBy: actor.id },
        requestedAt: blocker.reportedAt,
      };
      // The audit record and the projection get the whole text; the state keeps an excerpt.
      await commit('blocker.reported', actor.id, { ...blocker, description }, [notice]);
      return { ...blocker, description };
    });

    onUpdate(resolveBlocker, validateResolveBlocker, async ({ requestId, blockerId, resolution, actor }) => {
      const blocker = state.blockers.find((b) => b.id === blockerId) as Blocker;
      if (wasApplied(state, requestId)) return blocker;
      rememberRequest(state, requestId);
      Object.assign(blocker, { resolvedBy: actor.id, resolvedAt: now(), resolution: excerpt(resolution) });
      await commit('blocker.resolved', actor.id, { ...blocker, resolution });
      return { ...blocker, resolution };
    });

    onUpdate(reassignLiaison, validateReassignLiaison, async ({ requestId, liaison, reason, actor }) => {
      if (wasApplied(state, requestId)) return state;
      rememberRequest(state, requestId);
      const from = state.liaison;
      state.liaison = liaison;
      await commit('liaison.reassigned', actor.id, { from, to: liaison, reason });
      return state;
    });

    registerFundsHandlers({ state, now, onUpdate, commit: (kind, actor, data) => commit(kind, actor, data), record, progress });

    onUpdate(withdraw, validateWithdraw, ({ requestId, actor, reason }) => close('withdrawn', requestId, actor, reason, {}));
    onUpdate(markMerged, validateMarkMerged, ({ requestId, actor, into }) => close('merged', requestId, actor, `duplicate of ${into}`, { into }));
  }

  /** Ends the project early: open and pending tasks are cancelled. */
  async function close(to: 'withdrawn' | 'merged', requestId: string, actor: Actor, reason: string, data: Record<string, unknown>): Promise<ProjectState> {
    if (wasApplied(state, requestId)) return state;
    rememberRequest(state, requestId);
    const from = state.stage;
    moveTo(to, actor.id, reason);
    cancelOpenTasks();
    await commit('stage.advanced', actor.id, { from, to, reason, ...data });
    return state;
  }

  /** Climbs one rung for each open task whose next rung is due; completing a task stops its ladder. */
  async function escalateDueTasks(): Promise<void> {
    for (const task of state.tasks) {
      while (task.status === 'open' && task.rung < task.rungAt.length && Date.parse(task.rungAt[task.rung]!) <= Date.now()) {
        task.rung += 1;
        const rung = task.rung;
        const audiences = RUNG_AUDIENCES[Math.min(rung, RUNG_AUDIENCES.length) - 1] ?? [];
        const at = now();
        const payload = { project: displayName(state), taskKey: task.key, title: task.title, department: task.department, rung, dueAt: task.dueAt, liaison: state.liaison };
        await commit(
          'task.escalated',
          SYSTEM,
          payload,
          audiences.map((audience) => ({
            dedupeKey: `${state.code}/task/${task.key}/rung/${rung}/${audience}`,
            projectCode: state.code,
            kind: 'escalation' as const,
            audience,
            city: state.city,
            department: task.department,
            payload,
            requestedAt: at,
          })),
        );
      }
    }
  }

  async function noticeIdle(): Promise<void> {
    const idle = stuckReasons(state, Date.now()).includes('idle');
    if (idle && !state.stuck.reasons.includes('idle')) await commit('stuck.changed', SYSTEM, { idleSince: state.idleAt, lastProgressAt: state.lastProgressAt });
  }
}
