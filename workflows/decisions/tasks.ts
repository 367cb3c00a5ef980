/**
 * Landing tasks (milestones): opening them when their dependencies are done, completing them by
 * their department, the escalation ladder when they run late, and the idle clock that progress
 * restarts.
 */
import { ErrorType, refuse } from '../errors.js';
import type { Command } from '../messages.js';
import { rungAudiences, type Stage } from '../reference.js';
import { displayName, type NotificationRequest, type ProjectState, type TaskState } from '../state.js';
import { excerptData, idleClockRuns, stuckReasons, wasApplied } from '../project-state.js';
import { actsHere, SYSTEM, type Change, type Context, type Decision } from './decision.js';
import { validateFormData } from './forms.js';

/** Progress (a milestone done, a stage change, funds recorded) restarts the idle clock. */
export function progressed(state: ProjectState, stageAfter: Stage, ctx: Context): Change {
  if (!state.template || !idleClockRuns({ stage: stageAfter, template: state.template })) return { type: 'progressed', at: ctx.now };
  const [idleAt] = ctx.deadlines(ctx.now, [state.template.idleWorkingDays], 'idle');
  return { type: 'progressed', at: ctx.now, idleAt: idleAt ?? null };
}

/** Pending tasks whose dependencies are all done (counting `done` as done too). */
export function readyTasks(tasks: readonly TaskState[], done?: string): TaskState[] {
  const finished = new Set(tasks.filter((t) => t.status === 'done').map((t) => t.key));
  if (done) finished.add(done);
  return tasks.filter((t) => t.status === 'pending' && t.key !== done && t.dependsOn.every((d) => finished.has(d)));
}

/** Opens tasks with their due date and escalation rungs (rung 1 at the due date). */
export function opened(tasks: readonly TaskState[], template: NonNullable<ProjectState['template']>, ctx: Context): Extract<Change, { type: 'taskOpened' }>[] {
  return tasks.map((task) => ({
    type: 'taskOpened',
    key: task.key,
    at: ctx.now,
    rungAt: ctx.deadlines(ctx.now, template.escalationWorkingDays.map((d) => task.dueWorkingDays + d), 'rungs'),
  }));
}

export function completeTask(state: ProjectState, cmd: Command<'completeTask'>, ctx: Context): Decision<TaskState> {
  actsHere(state, cmd.actor);
  const task = state.tasks.find((t) => t.key === cmd.taskKey);
  if (!task) refuse(ErrorType.NotFound, `no task ${cmd.taskKey}`, { field: 'taskKey', reason: 'no such task in this project' });
  // Who may complete it comes before whether it can be completed now (403 before 409).
  if (cmd.actor.department !== task.department) {
    refuse(ErrorType.WrongDepartment, `task ${task.key} belongs to ${task.department}`, { field: 'actor.department', reason: `only ${task.department} completes this task` });
  }
  if (task.status !== 'open') refuse(ErrorType.TaskNotOpen, `task ${task.key} is ${task.status}`, { field: 'taskKey', reason: `the task is ${task.status}` });
  const reasons = validateFormData(task.fields, cmd.data);
  if (reasons.length) refuse(ErrorType.InvalidInput, `the form for ${task.key} has errors`, ...reasons);

  const progress = progressed(state, state.stage, ctx);
  const opening = state.template ? opened(readyTasks(state.tasks, task.key), state.template, ctx) : [];
  const rest = state.tasks.filter((t) => t.key !== task.key && !opening.some((o) => o.key === t.key));
  const landed = state.stage === 'landing' && rest.every((t) => t.status === 'done') && opening.length === 0;
  return {
    changes: [
      { type: 'requestApplied', requestId: cmd.requestId },
      { type: 'taskCompleted', key: task.key, by: cmd.actor.id, at: ctx.now, data: excerptData(cmd.data) },
      progress,
      ...opening,
      ...(landed ? [{ type: 'stageMoved', to: 'funds', actor: SYSTEM, at: ctx.now, reason: '落地里程碑全部完成 all landing milestones done' } as const] : []),
    ],
    record: {
      kind: 'task.completed',
      actor: cmd.actor.id,
      data: { taskKey: task.key, department: task.department, data: cmd.data, opened: opening.map((o) => o.key), ...(landed ? { stage: 'funds' } : {}) },
    },
    reply: (s) => ({ ...s.tasks.find((t) => t.key === task.key)!, data: cmd.data }),
  };
}

/** A completion already applied answers with the task as it is. */
export function completedAgain(state: ProjectState, cmd: Command<'completeTask'>): TaskState | undefined {
  return wasApplied(state, cmd.requestId) ? state.tasks.find((t) => t.key === cmd.taskKey) : undefined;
}

/** The next rung due: the first open task whose next rung's time has come climbs one rung. Completing a task stops its ladder. */
export function escalation(state: ProjectState, now: string): Decision<void> | null {
  const task = state.tasks.find((t) => t.status === 'open' && t.rung < t.rungAt.length && Date.parse(t.rungAt[t.rung]!) <= Date.parse(now));
  if (!task) return null;
  const rung = task.rung + 1;
  const payload = { project: displayName(state), taskKey: task.key, title: task.title, department: task.department, rung, dueAt: task.dueAt, liaison: state.liaison };
  const notifications: NotificationRequest[] = rungAudiences(rung).map((audience) => ({
    dedupeKey: `${state.code}/task/${task.key}/rung/${rung}/${audience}`,
    projectCode: state.code,
    kind: 'escalation',
    audience,
    city: state.city,
    department: task.department,
    payload,
    requestedAt: now,
  }));
  return { changes: [{ type: 'taskEscalated', key: task.key, rung }], record: { kind: 'task.escalated', actor: SYSTEM, data: payload }, notifications, reply: () => undefined };
}

/** The project has just become idle: recorded once, when it does. */
export function idleNotice(state: ProjectState, now: string): Decision<void> | null {
  const idle = stuckReasons(state, Date.parse(now)).includes('idle');
  if (!idle || state.stuck.reasons.includes('idle')) return null;
  return { changes: [], record: { kind: 'stuck.changed', actor: SYSTEM, data: { idleSince: state.idleAt, lastProgressAt: state.lastProgressAt } }, reply: () => undefined };
}

export function applyTaskChange(state: ProjectState, change: Change): void {
  const task = (key: string) => state.tasks.find((t) => t.key === key)!;
  switch (change.type) {
    case 'templateLoaded':
      state.template = change.template;
      state.tasks = change.tasks;
      return;
    case 'taskOpened':
      Object.assign(task(change.key), { status: 'open', openedAt: change.at, dueAt: change.rungAt[0] ?? null, rungAt: change.rungAt, rung: 0 });
      return;
    case 'taskCompleted':
      Object.assign(task(change.key), { status: 'done', completedAt: change.at, completedBy: change.by, data: change.data });
      return;
    case 'taskEscalated':
      task(change.key).rung = change.rung;
      return;
    case 'tasksCancelled':
      for (const t of state.tasks) if (t.status === 'open' || t.status === 'pending') t.status = 'cancelled';
      return;
    case 'progressed':
      state.lastProgressAt = change.at;
      if (change.idleAt !== undefined) state.idleAt = change.idleAt;
      return;
  }
}
