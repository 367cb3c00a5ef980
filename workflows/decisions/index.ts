/**
 * Every command a project takes, by update name: its message, its decision, and the answer to a
 * request already applied. `apply` folds any change into the state.
 */
import type { Command, UpdateName } from '../messages.js';
import { rememberRequest } from '../project-state.js';
import type { ProjectState } from '../state.js';
import { applyBlockerChange, reportBlocker, reportedAgain, resolveBlocker, resolvedAgain } from './blockers.js';
import { wasApplied, type Change, type Context, type Decision } from './decision.js';
import { applyFundsChange, changedAgain, createdAgain, increaseCapital, increasedAgain, recordFunds, reverseFunds, verifyFunds, voidFunds } from './funds.js';
import { applyLiaisonChange, reassignLiaison } from './liaison.js';
import { applyProjectionChange } from './projection.js';
import { advanceStage, applyStageChange, markMerged, withdraw } from './stages.js';
import { applyTaskChange, completedAgain, completeTask } from './tasks.js';

export type { Change, Context, Decision };

export interface CommandSpec<N extends UpdateName, R> {
  name: N;
  decide(state: ProjectState, cmd: Command<N>, ctx: Context): Decision<R>;
  /** The answer to a request already applied, or undefined if it was not. */
  again(state: ProjectState, cmd: Command<N>): R | undefined;
}

const spec = <N extends UpdateName, R>(s: CommandSpec<N, R>) => s;
const stateIfApplied = (state: ProjectState, cmd: { requestId?: string | undefined }) => (wasApplied(state, cmd.requestId) ? state : undefined);

export const COMMANDS = [
  spec({ name: 'advanceStage', decide: advanceStage, again: stateIfApplied }),
  spec({ name: 'completeTask', decide: completeTask, again: completedAgain }),
  spec({ name: 'reportBlocker', decide: reportBlocker, again: reportedAgain }),
  spec({ name: 'resolveBlocker', decide: resolveBlocker, again: resolvedAgain }),
  spec({ name: 'reassignLiaison', decide: reassignLiaison, again: stateIfApplied }),
  spec({ name: 'recordFunds', decide: recordFunds, again: createdAgain }),
  spec({ name: 'verifyFunds', decide: verifyFunds, again: changedAgain }),
  spec({ name: 'reverseFunds', decide: reverseFunds, again: createdAgain }),
  spec({ name: 'voidFunds', decide: voidFunds, again: changedAgain }),
  spec({ name: 'increaseCapital', decide: increaseCapital, again: increasedAgain }),
  spec({ name: 'withdraw', decide: withdraw, again: stateIfApplied }),
  spec({ name: 'markMerged', decide: markMerged, again: stateIfApplied }),
];

/** Folds one change into the state. */
export function apply(state: ProjectState, change: Change): void {
  if (change.type === 'requestApplied') return rememberRequest(state, change.requestId);
  applyStageChange(state, change);
  applyTaskChange(state, change);
  applyBlockerChange(state, change);
  applyLiaisonChange(state, change);
  applyFundsChange(state, change);
  applyProjectionChange(state, change);
}
