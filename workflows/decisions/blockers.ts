/** Blockers (瓶颈): reported by anyone working on the project, routed at once to coordination, resolved with a resolution. */
import { ErrorType, refuse } from '../errors.js';
import type { Command } from '../messages.js';
import { STATE_CAPS, excerpt, wasApplied } from '../project-state.js';
import { displayName, type Blocker, type ProjectState } from '../state.js';
import { actsHere, stillOpen, withinCap, type Change, type Context, type Decision } from './decision.js';

export function reportBlocker(state: ProjectState, cmd: Command<'reportBlocker'>, ctx: Context): Decision<Blocker> {
  stillOpen(state);
  actsHere(state, cmd.actor);
  withinCap(state.blockers.length, STATE_CAPS.blockers, 'blockers');
  const blocker: Blocker = {
    id: `B${state.blockers.length + 1}`,
    requestId: cmd.requestId,
    category: cmd.category,
    description: excerpt(cmd.description),
    reportedBy: cmd.actor.id,
    reportedAt: ctx.now,
    resolvedBy: null,
    resolvedAt: null,
    resolution: null,
  };
  const whole = { ...blocker, description: cmd.description };
  return {
    changes: [
      { type: 'requestApplied', requestId: cmd.requestId },
      { type: 'blockerReported', blocker },
    ],
    // The audit record and the projection get the whole text; the state keeps an excerpt.
    record: { kind: 'blocker.reported', actor: cmd.actor.id, data: whole },
    // A blocker reaches the coordination department at once.
    notifications: [
      {
        dedupeKey: `${state.code}/blocker/${blocker.id}/coordination`,
        projectCode: state.code,
        kind: 'blocker',
        audience: 'coordination',
        city: state.city,
        department: null,
        payload: { project: displayName(state), blockerId: blocker.id, category: cmd.category, description: blocker.description, reportedBy: cmd.actor.id },
        requestedAt: ctx.now,
      },
    ],
    reply: () => whole,
  };
}

/** A report already applied answers with the blocker it made. */
export function reportedAgain(state: ProjectState, cmd: Command<'reportBlocker'>): Blocker | undefined {
  return state.blockers.find((b) => b.requestId === cmd.requestId);
}

export function resolveBlocker(state: ProjectState, cmd: Command<'resolveBlocker'>, ctx: Context): Decision<Blocker> {
  actsHere(state, cmd.actor);
  const blocker = state.blockers.find((b) => b.id === cmd.blockerId);
  if (!blocker) refuse(ErrorType.NotFound, `no blocker ${cmd.blockerId}`, { field: 'blockerId', reason: 'no such blocker' });
  if (blocker.resolvedAt) refuse(ErrorType.IllegalTransition, `blocker ${blocker.id} is already resolved`, { field: 'blockerId', reason: 'already resolved' });
  const resolved = { ...blocker, resolvedBy: cmd.actor.id, resolvedAt: ctx.now, resolution: cmd.resolution };
  return {
    changes: [
      { type: 'requestApplied', requestId: cmd.requestId },
      { type: 'blockerResolved', id: blocker.id, by: cmd.actor.id, at: ctx.now, resolution: excerpt(cmd.resolution) },
    ],
    record: { kind: 'blocker.resolved', actor: cmd.actor.id, data: resolved },
    reply: () => resolved,
  };
}

export function resolvedAgain(state: ProjectState, cmd: Command<'resolveBlocker'>): Blocker | undefined {
  return wasApplied(state, cmd.requestId) ? state.blockers.find((b) => b.id === cmd.blockerId) : undefined;
}

export function applyBlockerChange(state: ProjectState, change: Change): void {
  if (change.type === 'blockerReported') state.blockers.push(change.blocker);
  if (change.type === 'blockerResolved') Object.assign(state.blockers.find((b) => b.id === change.id)!, { resolvedBy: change.by, resolvedAt: change.at, resolution: change.resolution });
}
