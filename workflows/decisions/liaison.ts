/** The dedicated liaison (专人对接) of a project: reassigned by a coordinator, with a reason. */
import type { Command } from '../messages.js';
import { summaryOf, type ProjectState, type ProjectSummary } from '../state.js';
import { actsHere, stillOpen, type Change, type Context, type Decision } from './decision.js';

export function reassignLiaison(state: ProjectState, cmd: Command<'reassignLiaison'>, _ctx: Context): Decision<ProjectSummary> {
  stillOpen(state);
  actsHere(state, cmd.actor);
  return {
    changes: [
      { type: 'requestApplied', requestId: cmd.requestId },
      { type: 'liaisonReassigned', to: cmd.liaison },
    ],
    record: { kind: 'liaison.reassigned', actor: cmd.actor.id, data: { from: state.liaison, to: cmd.liaison, reason: cmd.reason } },
    reply: summaryOf,
  };
}

export function applyLiaisonChange(state: ProjectState, change: Change): void {
  if (change.type === 'liaisonReassigned') state.liaison = change.to;
}
