/**
 * Every command a project takes, by update name: its message, its decision, and the answer to a
 * request already applied. `apply` folds any change into the state.
 */
import type { Command, UpdateName } from '../messages.js';
import { rememberRequest, wasApplied } from '../project-state.js';
import { summaryOf, type ProjectState } from '../state.js';
import { applyBlockerChange, reportBlocker, reportedAgain, resolveBlocker, resolvedAgain } from './blockers.js';
import { type Change, type Context, type Decision } from './decision.js';
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

const stateIfApplied = (state: ProjectState, cmd: { requestId?: string | undefined }) => (wasApplied(state, cmd.requestId) ? summaryOf(state) : undefined);

/** Each update's decision, by update name (reproject's is the shell's: it writes before it decides). */
const DECIDE = { advanceStage, completeTask, reportBlocker, resolveBlocker, reassignLiaison, withdraw, markMerged, recordFunds, verifyFunds, reverseFunds, voidFunds, increaseCapital };
/** Each update's answer to a request already applied. */
const AGAIN: { [N in keyof typeof DECIDE]: (state: ProjectState, cmd: Command<N>) => ReturnType<(typeof DECIDE)[N]> extends Decision<infer R> ? R | undefined : never } = {
  advanceStage: stateIfApplied, reassignLiaison: stateIfApplied, withdraw: stateIfApplied, markMerged: stateIfApplied,
  completeTask: completedAgain, reportBlocker: reportedAgain, resolveBlocker: resolvedAgain, increaseCapital: increasedAgain,
  recordFunds: createdAgain, reverseFunds: createdAgain, verifyFunds: changedAgain, voidFunds: changedAgain,
};

/** The table of commands: every update but reproject, with its decision and its answer to a repeated request. */
export const COMMANDS = (Object.keys(DECIDE) as (keyof typeof DECIDE)[]).map((name) => ({ name, decide: DECIDE[name], again: AGAIN[name] }) as unknown as CommandSpec<typeof name, unknown>);

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
