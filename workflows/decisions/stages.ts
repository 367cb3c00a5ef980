/**
 * A project's stages: registration, the moves a user makes by hand, withdrawal and merging into
 * another project. signed → landing and landing → funds happen by themselves (tasks open at
 * signing; all milestones done means funds).
 */
import { beijingDate } from '../beijing-time.js';
import { ErrorType, refuse } from '../errors.js';
import type { Command } from '../messages.js';
import { isTerminal, type Stage } from '../reference.js';
import { summaryOf, type ProjectInput, type ProjectState, type ProjectSummary, type TaskState } from '../state.js';
import type { TaskTemplate } from '../templates.js';
import { actsHere, stillOpen, SYSTEM, type Change, type Context, type Decision } from './decision.js';
import { awaitingVerification } from './funds.js';
import { opened, progressed, readyTasks } from './tasks.js';

export { isTerminal };

/** The stage moves a user may make by hand; withdrawn and merged have updates of their own. */
const NEXT: Readonly<Record<Stage, readonly Stage[]>> = {
  intention: ['negotiating'],
  negotiating: ['signed'],
  signed: [],
  landing: [],
  funds: ['operating'],
  operating: [],
  withdrawn: [],
  merged: [],
};

export function allowedNextStages(from: Stage): readonly Stage[] {
  return NEXT[from];
}

/** The stages in which funds and capital increases are recorded: from signing until operating. */
export function recordsFunds(stage: Stage): boolean {
  return stage === 'signed' || stage === 'landing' || stage === 'funds';
}

const LANDING_STARTS = '签约后开始落地 landing starts at signing';

/** Signed with a template: landing starts at once with the first milestones. */
function startLanding(state: ProjectState, tasks: readonly TaskState[], template: NonNullable<ProjectState['template']>, ctx: Context): Change[] {
  return [{ type: 'stageMoved', to: 'landing', actor: SYSTEM, at: ctx.now, reason: LANDING_STARTS }, ...opened(readyTasks(tasks), template, ctx)];
}

/**
 * A new project's start: its template's tasks, landing at once if it was registered as signed,
 * and the idle clock. Its record keeps version 1 and the start time.
 */
export function register(state: ProjectState, input: ProjectInput, template: TaskTemplate | null, ctx: Context): Decision<void> {
  const kept = template && { projectType: template.projectType, version: template.version, escalationWorkingDays: template.escalationWorkingDays, idleWorkingDays: template.idleWorkingDays };
  const changes: Change[] = [];
  if (template && kept) {
    const tasks = tasksFromTemplate(template);
    changes.push({ type: 'templateLoaded', template: kept, tasks });
    const landing = state.stage === 'signed' ? startLanding(state, tasks, kept, ctx) : [];
    changes.push(...landing, progressed({ ...state, template: kept }, landing.length ? 'landing' : state.stage, ctx));
  }
  const opening = changes.filter((c) => c.type === 'taskOpened').map((c) => c.key);
  return {
    changes,
    record: { kind: 'project.registered', actor: input.actor, data: { stage: input.stage, ...(kept ? { template: kept, opened: opening } : {}) } },
    reply: () => undefined,
  };
}

export function tasksFromTemplate(template: TaskTemplate): TaskState[] {
  return template.tasks.map((t) => ({
    key: t.key,
    department: t.department,
    title: t.title,
    dependsOn: t.dependsOn,
    fields: t.fields,
    dueWorkingDays: t.dueWorkingDays,
    milestone: t.milestone ?? null,
    status: 'pending',
    openedAt: null,
    dueAt: null,
    rungAt: [],
    rung: 0,
    completedAt: null,
    completedBy: null,
    data: null,
  }));
}

export function advanceStage(state: ProjectState, cmd: Command<'advanceStage'>, ctx: Context): Decision<ProjectSummary> {
  const actor = typeof cmd.actor === 'string' ? cmd.actor : cmd.actor.id;
  if (typeof cmd.actor !== 'string') actsHere(state, cmd.actor);
  const allowed = allowedNextStages(state.stage);
  if (!allowed.includes(cmd.to)) {
    const next = allowed.length ? allowed.join(', ') : 'none by hand';
    refuse(ErrorType.IllegalTransition, `cannot move from ${state.stage} to ${cmd.to}`, { field: 'to', reason: `the project is ${state.stage}; allowed next: ${next}` });
  }
  // Once operating, the project is closed: nothing could verify what is still waiting.
  const waiting = cmd.to === 'operating' ? awaitingVerification(state) : [];
  if (waiting.length) {
    refuse(
      ErrorType.IllegalTransition,
      `${waiting.length} funds entr${waiting.length === 1 ? 'y awaits' : 'ies await'} verification: ${waiting.map((e) => e.id).join(', ')}`,
      ...waiting.map((e) => ({ field: `funds.${e.id}`, reason: 'awaits verification: verify or void it first' })),
    );
  }
  const changes: Change[] = [
    ...(cmd.requestId !== undefined ? [{ type: 'requestApplied', requestId: cmd.requestId } as const] : []),
    { type: 'stageMoved', to: cmd.to, actor, at: ctx.now, reason: cmd.reason },
  ];
  if (state.template) {
    changes.push(progressed(state, cmd.to, ctx));
    if (cmd.to === 'signed') changes.push(...startLanding(state, state.tasks, state.template, ctx));
  }
  const opening = changes.filter((c) => c.type === 'taskOpened').map((c) => c.key);
  return {
    changes,
    record: { kind: 'stage.advanced', actor, data: { from: state.stage, to: cmd.to, actor, at: ctx.now, reason: cmd.reason, ...(opening.length ? { opened: opening } : {}) } },
    reply: summaryOf,
  };
}

/** Ends the project early: open and pending tasks are cancelled. */
function close(state: ProjectState, to: 'withdrawn' | 'merged', cmd: { requestId: string; actor: Command<'withdraw'>['actor'] }, reason: string, data: Record<string, unknown>, ctx: Context): Decision<ProjectSummary> {
  stillOpen(state);
  actsHere(state, cmd.actor);
  return {
    changes: [
      { type: 'requestApplied', requestId: cmd.requestId },
      { type: 'stageMoved', to, actor: cmd.actor.id, at: ctx.now, reason },
      { type: 'tasksCancelled' },
    ],
    record: { kind: 'stage.advanced', actor: cmd.actor.id, data: { from: state.stage, to, reason, ...data } },
    reply: summaryOf,
  };
}

export function withdraw(state: ProjectState, cmd: Command<'withdraw'>, ctx: Context): Decision<ProjectSummary> {
  return close(state, 'withdrawn', cmd, cmd.reason, {}, ctx);
}

export function markMerged(state: ProjectState, cmd: Command<'markMerged'>, ctx: Context): Decision<ProjectSummary> {
  stillOpen(state);
  actsHere(state, cmd.actor);
  if (cmd.into === state.code) refuse(ErrorType.InvalidInput, 'a project cannot merge into itself', { field: 'into', reason: 'must be another project' });
  return close(state, 'merged', cmd, cmd.reason === null ? `duplicate of ${cmd.into}` : `duplicate of ${cmd.into}: ${cmd.reason}`, { into: cmd.into }, ctx);
}

export function applyStageChange(state: ProjectState, change: Change): void {
  if (change.type !== 'stageMoved') return;
  state.transitions.push({ from: state.stage, to: change.to, actor: change.actor, at: change.at, reason: change.reason });
  state.stage = change.to;
  // The first signing dates the project for the statistics (a Beijing date).
  if (change.to === 'signed') state.signedOn ??= beijingDate(change.at);
}
