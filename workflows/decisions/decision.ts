/**
 * What every decision module shares. `decide(state, command, context)` looks at the state and a
 * command and returns a Decision (the changes to apply, the record to write, the notifications to
 * ask for) or throws a Refusal; it changes nothing. `apply(state, change)` folds one change into
 * the state. Both are pure: no Temporal, no I/O, no clock but the context's.
 */
import { ErrorType, refuse } from '../errors.js';
import type { Actor } from '../messages.js';
import { isTerminal, type Stage } from '../reference.js';
import type { Blocker, CapitalIncrease, FundsEntry, LedgerWrite, NotificationRequest, ProjectEvent, ProjectState, TaskState } from '../state.js';


export interface Context {
  /** The instant of the decision (workflow time). */
  now: string;
  /**
   * Deadlines `workingDays` working days after `from`, on the calendar the workflow holds. `what`
   * says which: runs from before workflows held their calendar fetched these by activity, the idle
   * deadline alone and a task's rungs together, and replay asks them again the same way.
   */
  deadlines(from: string, workingDays: readonly number[], what: 'idle' | 'rungs'): string[];
}

/** One change to a project's state; `apply` folds it in. */
export type Change =
  | { type: 'templateLoaded'; template: NonNullable<ProjectState['template']>; tasks: TaskState[] }
  | { type: 'stageMoved'; to: Stage; actor: string; at: string; reason: string | null }
  | { type: 'taskOpened'; key: string; at: string; rungAt: string[] }
  | { type: 'taskCompleted'; key: string; by: string; at: string; data: Record<string, unknown> }
  | { type: 'taskEscalated'; key: string; rung: number }
  | { type: 'tasksCancelled' }
  /** Progress restarts the idle clock; `idleAt` is absent where the clock does not run. */
  | { type: 'progressed'; at: string; idleAt?: string | null }
  | { type: 'blockerReported'; blocker: Blocker }
  | { type: 'blockerResolved'; id: string; by: string; at: string; resolution: string }
  | { type: 'liaisonReassigned'; to: string }
  | { type: 'fundsRecorded'; entry: FundsEntry }
  | { type: 'fundsVerified'; id: string; by: string; at: string }
  | { type: 'fundsVoided'; id: string; by: string; at: string; reason: string }
  | { type: 'capitalIncreased'; increase: CapitalIncrease }
  | { type: 'requestApplied'; requestId: string }
  | { type: 'droppedWritesReported' };

/** The audit record of a decision; the shell gives it the next version and the time. */
export interface AuditRecord {
  kind: ProjectEvent['kind'];
  actor: string;
  data: Record<string, unknown>;
}

export interface Decision<R> {
  changes: Change[];
  record: AuditRecord;
  /** Ledger rows written with the record (funds, 增资). */
  ledger?: LedgerWrite[];
  notifications?: NotificationRequest[];
  /** The update's answer, from the state once the changes are applied. */
  reply(state: ProjectState): R;
}

export const SYSTEM = 'system';


/** The acting user must act for the project's city (province-wide users act everywhere). */
export function actsHere(state: ProjectState, actor: Actor): void {
  if (actor.city !== null && actor.city !== state.city) {
    refuse(ErrorType.WrongCity, `${actor.id} acts for ${actor.city}, not ${state.city}`, { field: 'actor.city', reason: `the project is in ${state.city}` });
  }
}

export function stillOpen(state: ProjectState): void {
  if (isTerminal(state.stage)) refuse(ErrorType.ProjectClosed, `the project is ${state.stage}`, { field: 'stage', reason: `the project is ${state.stage}` });
}

/** The state's documented caps: beyond them a project refuses more, saying so. */
export function withinCap(count: number, cap: number, what: string): void {
  if (count >= cap) refuse(ErrorType.IllegalTransition, `this project already has ${count} ${what}, the most one project keeps`, { field: what, reason: `at most ${cap} per project` });
}
